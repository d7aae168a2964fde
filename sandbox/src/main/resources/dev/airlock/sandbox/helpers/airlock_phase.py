"""What every phase of a sandbox run shares: where records go, running a command as the unprivileged
user (traced, or not when no code of the package can run), deadlines, and killing what is left.
Runs as root inside the container; only the commands it starts run as the user."""
import json
import os
import select
import signal
import subprocess
import time

OUT = "/out"
# Traces go to a size-capped tmpfs first, so a package that opens files in a loop cannot fill the host disk.
REC = "/rec"
WORK = "/work"
USER = "sandbox"
TRACE_SET = "trace=file,process,network,uname"
# The user's process cap inside the sandbox; the init sets it from its arguments.
LIMITS = {"nproc": 128}


def log(message):
    with open(os.path.join(OUT, "init.log"), "a") as f:
        f.write("%.3f %s\n" % (time.time(), message))


def fail(cause, message):
    """Records that the sandbox, not the package, failed: the host reports no verdict for such a run."""
    log("sandbox failure (%s): %s" % (cause, message))
    with open(os.path.join(OUT, "failure.json.part"), "w") as f:
        json.dump({"cause": cause, "message": message}, f)
    os.rename(os.path.join(OUT, "failure.json.part"), os.path.join(OUT, "failure.json"))


def oom_kills():
    for path, key in (("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
                      ("/sys/fs/cgroup/memory.events", "oom_kill")):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == key:
                        return int(parts[1])
        except OSError:
            continue
    return None


def kill_all():
    """Kills every process but PID 1 (this one): the phase's tracer and anything the package left."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reap()


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
            try:
                os.kill(-1, 0)
            except ProcessLookupError:
                return


def as_user(argv, user, cwd, env, timeout):
    return subprocess.run(argv, cwd=cwd, env=env, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
                          capture_output=True, text=True, timeout=timeout)


class Phase:
    def __init__(self, name, seconds, env, user):
        self.name = name
        self.deadline = time.monotonic() + seconds
        self.env = env
        self.user = user
        self.steps = []
        self.status = "completed"
        self.exit_code = 0
        self.started = time.monotonic()
        self.wall_started = time.time()
        self.oom_before = oom_kills()

    def remaining(self):
        return self.deadline - time.monotonic()

    def traced(self, cwd, argv):
        """Runs argv as the user under strace; returns its exit code or None when the deadline hit."""
        if self.status != "completed":
            return None
        if self.remaining() <= 0:
            self.status = "timeout"
            self.exit_code = None
            return None
        read_fd, write_fd = os.pipe()
        # The driver reports the command's own exit code on a pipe: strace only exits once every
        # traced process did, and a package may leave a background process behind. -y prints the path
        # behind each descriptor, so *at() calls relative to a directory fd (rm -rf) resolve. bash, because dash
        # only knows single-digit descriptors.
        # ulimit -u caps the user's processes inside the sandbox's kernel (runc's or gVisor's), below
        # the container's pids limit, so a fork bomb fails its forks instead of killing the sandbox.
        driver = 'cd "$1" || exit 125; ulimit -u %d || exit 125; shift; "$@" %d>&-; echo "$?" >&%d' % (
            LIMITS["nproc"], write_fd, write_fd)
        command = ["strace", "-f", "-qq", "-tt", "-y", "-s", "4096", "-A", "-o", os.path.join(REC, self.name + ".trace"),
                   "-e", TRACE_SET, "-e", "signal=none", "-u", USER, "--", "/bin/bash", "-c", driver, "driver", cwd] + argv
        tracer = subprocess.Popen(command, env=self.env, cwd="/", pass_fds=(write_fd,),
                                  stdin=subprocess.DEVNULL, stdout=self._output(), stderr=subprocess.STDOUT)
        os.close(write_fd)
        code = None
        reader = os.fdopen(read_fd)
        ready, _, _ = select.select([reader], [], [], max(self.remaining(), 0))
        if ready:
            line = reader.readline().strip()
            code = int(line) if line.isdigit() else None
        reader.close()
        if code is None and self.remaining() <= 0:
            self.status = "timeout"
        try:
            tracer.wait(timeout=2 if code is not None else 0.1)
        except subprocess.TimeoutExpired:
            pass
        kill_all()
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
        if code is None and self.status == "completed":
            code = tracer.returncode if tracer.returncode is not None else None
        self.steps.append({"argv": argv, "exitCode": code})
        if self.status == "timeout":
            self.exit_code = None
        elif code is None:
            self.status = "error"
            self.exit_code = None
        elif code != 0:
            self.exit_code = code
        return code

    def untraced(self, cwd, argv, as_root=False):
        """Runs argv without the tracer, for steps in which no code of the package runs (pip unpacking a
        wheel, dependencies from artifacts already allowed): strace under gVisor multiplies their time.
        Returns the exit code, or None when the phase's deadline hit."""
        if self.status != "completed":
            return None
        if self.remaining() <= 0:
            self.status = "timeout"
            self.exit_code = None
            return None
        kwargs = {} if as_root else {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        with self._output() as out:
            try:
                code = subprocess.run(argv, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=max(self.remaining(), 0.1), **kwargs).returncode
            except subprocess.TimeoutExpired:
                code = None
        kill_all()
        self.steps.append({"argv": argv, "exitCode": code, "traced": False})
        if code is None:
            self.status = "timeout"
            self.exit_code = None
        return code

    def _output(self):
        return open(os.path.join(OUT, self.name + ".output"), "ab")

    def finish(self, status=None):
        after = oom_kills()
        if self.oom_before is not None and after is not None and after > self.oom_before:
            self.status = "oom"
            self.exit_code = None
        if status:
            self.status = status
        return {"phase": self.name, "status": self.status, "exitCode": self.exit_code,
                "durationMs": int((time.monotonic() - self.started) * 1000), "steps": self.steps,
                "started": self.wall_started, "ended": time.time()}



"""PID 1 of a sandbox container: sets up the fake network, plants baits, then runs the install and
import phases of one artifact under strace as the unprivileged user, each within its deadline.

Runs as root; the package's code never does. Everything it records goes to /out, which only root can
enter. Usage: airlock_init.py KIND ARTIFACT INSTALL_SECONDS IMPORT_SECONDS [MAX_PROCESSES] (KIND: npm, sdist, wheel).
"""
import json
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import airlock_baits  # noqa: E402
import airlock_dns  # noqa: E402
import airlock_listener  # noqa: E402

OUT = "/out"
# Traces go to a size-capped tmpfs first, so a package that opens files in a loop cannot fill the host disk.
REC = "/rec"
WORK = "/work"
USER = "sandbox"
NPM_NAME = re.compile(r"^(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*$")
PY_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TRACE_SET = "trace=file,process,network,uname"
NPROC = 128
NPM_SCRIPTS = ("preinstall", "install", "postinstall")


def log(message):
    with open(os.path.join(OUT, "init.log"), "a") as f:
        f.write("%.3f %s\n" % (time.time(), message))


def fail(cause, message):
    """Records that the sandbox, not the package, failed: the host reports no verdict for such a run."""
    log("sandbox failure (%s): %s" % (cause, message))
    with open(os.path.join(OUT, "failure.json.part"), "w") as f:
        json.dump({"cause": cause, "message": message}, f)
    os.rename(os.path.join(OUT, "failure.json.part"), os.path.join(OUT, "failure.json"))


def stage_input(artifact):
    """Copies the artifact where the unprivileged user can read it, whatever its mode and owner on the host.

    Root reads /in (it holds DAC_OVERRIDE until the package runs); the copy is root's, 0644, on a tmpfs,
    so the package can read but not replace what is being analysed. Returns the copy's path, or None
    after recording input_unreadable.
    """
    target_dir = os.path.join(WORK, "input")
    os.makedirs(target_dir, mode=0o755, exist_ok=True)
    os.chmod(target_dir, 0o755)
    target = os.path.join(target_dir, os.path.basename(artifact))
    try:
        shutil.copyfile(artifact, target)
    except OSError as e:
        fail("input_unreadable", "cannot read %s inside the container: %s" % (artifact, e))
        return None
    os.chmod(target, 0o644)
    return target


def mark_package_started():
    """From here on, whatever goes wrong may be the package's doing; before it, it cannot be."""
    with open(os.path.join(OUT, "started"), "w") as f:
        f.write("%.3f\n" % time.time())


def setup_network():
    """Routes every address to loopback so connects reach the listener instead of failing unseen."""
    results = {}
    for argv in (["ip", "link", "set", "lo", "up"],
                 ["ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "local"],
                 ["ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "local"]):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=5)
            results[" ".join(argv)] = p.returncode if p.returncode == 0 else p.stderr.strip()
        except (OSError, subprocess.TimeoutExpired) as e:
            results[" ".join(argv)] = repr(e)
    return results


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
            NPROC, write_fd, write_fd)
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


def npm_install(phase, artifact, user, env):
    extract = os.path.join(WORK, "extract")
    as_user(["mkdir", "-p", extract, os.path.join(WORK, "project", "node_modules")], user, WORK, env, 10)
    p = as_user(["tar", "-xzf", artifact, "-C", extract, "--no-same-owner", "--no-same-permissions"],
                user, WORK, env, 60)
    if p.returncode != 0:
        log("tar failed: " + p.stderr[-500:])
        return None, phase.finish("error")
    tops = [d for d in os.listdir(extract) if os.path.isdir(os.path.join(extract, d))]
    if len(tops) != 1:
        log("expected one top-level directory in the tarball, found %r" % tops[:5])
        return None, phase.finish("error")
    source = os.path.join(extract, tops[0])
    try:
        with open(os.path.join(source, "package.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        log("unreadable package.json: %r" % e)
        return None, phase.finish("error")
    name = manifest.get("name") if isinstance(manifest, dict) else None
    if not isinstance(name, str) or len(name) > 214 or not NPM_NAME.match(name) or ".." in name:
        log("refusing invalid package name %r" % (name,))
        return None, phase.finish("error")
    target = os.path.join(WORK, "project", "node_modules", name)
    as_user(["mkdir", "-p", os.path.dirname(target)], user, WORK, env, 10)
    as_user(["mv", "--", source, target], user, WORK, env, 30)
    scripts = manifest.get("scripts") if isinstance(manifest.get("scripts"), dict) else {}
    scripts = {k: v for k, v in scripts.items() if isinstance(v, str)}
    if os.path.exists(os.path.join(target, "binding.gyp")) and "install" not in scripts and "preinstall" not in scripts:
        scripts["install"] = "node-gyp rebuild"
    bins = os.path.join(WORK, "project", "node_modules", ".bin")
    for event in NPM_SCRIPTS:
        if event not in scripts:
            continue
        step_env = dict(env, npm_lifecycle_event=event, npm_lifecycle_script=scripts[event],
                        npm_package_name=name, npm_package_version=str(manifest.get("version", "")),
                        npm_package_json=os.path.join(target, "package.json"), INIT_CWD=os.path.join(WORK, "project"),
                        npm_command="install", PATH=os.path.join(target, "node_modules", ".bin") + ":" + bins
                        + ":" + env["PATH"])
        phase.env = step_env
        phase.traced(target, ["/bin/sh", "-c", scripts[event]])
    phase.env = env
    return name, phase.finish()


def npm_import(phase, name):
    if name is None:
        return phase.finish("error")
    code = ("try { require(process.argv[1]); } catch (e) { if (e && e.code === 'ERR_REQUIRE_ESM') {"
            " import(process.argv[1]).catch((x) => { console.error(x); process.exitCode = 1; }); } else { throw e; } }")
    phase.traced(os.path.join(WORK, "project"), ["node", "-e", code, name])
    return phase.finish()


def pip_install(phase, artifact):
    site = os.path.join(WORK, "site")
    phase.traced(WORK, ["python3", "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                        "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location",
                        "--target", site, artifact])
    return phase.finish()


def top_level_modules(site):
    names = set()
    try:
        entries = sorted(os.listdir(site))
    except OSError:
        return []
    for entry in entries:
        path = os.path.join(site, entry)
        if entry.endswith(".dist-info") or entry.endswith(".egg-info"):
            try:
                with open(os.path.join(path, "top_level.txt")) as f:
                    names.update(line.strip() for line in f if line.strip())
            except OSError:
                pass
        elif os.path.isdir(path) and entry not in ("bin", "__pycache__"):
            names.add(entry)
        elif entry.endswith(".py"):
            names.add(entry[:-3])
        elif entry.endswith(".so"):
            names.add(entry.split(".", 1)[0])
    valid = sorted(n for n in names if PY_MODULE.match(n))
    for rejected in sorted(names - set(valid)):
        log("not importing invalid module name %r" % rejected)
    return valid


def pip_import(phase):
    site = os.path.join(WORK, "site")
    modules = top_level_modules(site)
    # addsitedir processes the .pth files the package installed, as site-packages would on start-up.
    code = "import site, sys, importlib; site.addsitedir(sys.argv[1]); importlib.import_module(sys.argv[2])"
    for module in modules:
        phase.traced(WORK, ["python3", "-c", code, site, module])
        if phase.status != "completed":
            break
    return phase.finish()


def main():
    global NPROC
    kind, artifact, install_seconds, import_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    if len(sys.argv) > 5:
        NPROC = int(sys.argv[5])
    if kind not in ("npm", "sdist", "wheel"):
        fail("init_failed", "unknown kind %r" % kind)
        sys.exit(2)
    os.chmod(OUT, 0o700)
    os.chmod(REC, 0o700)
    user = pwd.getpwnam(USER)
    home = user.pw_dir
    os.chown(home, user.pw_uid, user.pw_gid)
    os.chmod(home, 0o700)
    os.chown(WORK, user.pw_uid, user.pw_gid)
    artifact = stage_input(artifact)
    if artifact is None:
        sys.exit(3)
    net = setup_network()
    log("network: %r" % net)
    airlock_dns.Responder(os.path.join(OUT, "dns.jsonl")).serve_udp()
    ports = airlock_listener.Listener(os.path.join(OUT, "listener.jsonl")).start()
    log("listening on %r" % ports)
    bait_env = airlock_baits.plant(home, user.pw_uid, user.pw_gid, os.path.join(OUT, "baits.json"))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "USER": USER, "LOGNAME": USER, "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "SHELL": "/bin/sh"}
    env.update(bait_env)
    results = []

    def record(result):
        # Written after every phase, so a container that dies later (OOM of the whole sandbox, a
        # runtime crash) still leaves what the earlier phases did.
        results.append(result)
        source = os.path.join(REC, result["phase"] + ".trace")
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(OUT, result["phase"] + ".trace"))
        with open(os.path.join(OUT, "result.json.part"), "w") as f:
            json.dump({"phases": results, "network": net, "listening": ports}, f, sort_keys=True)
        os.rename(os.path.join(OUT, "result.json.part"), os.path.join(OUT, "result.json"))

    mark_package_started()
    install = Phase("install", install_seconds, env, user)
    if kind == "npm":
        name, result = npm_install(install, artifact, user, env)
        record(result)
        record(npm_import(Phase("import", import_seconds, env, user), name))
    else:
        record(pip_install(install, artifact))
        record(pip_import(Phase("import", import_seconds, env, user)))
    log("done")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:
        import traceback
        log("init failed: " + traceback.format_exc())
        try:
            fail("init_failed", "the init crashed: %r" % (e,))
        except OSError:
            pass
        raise

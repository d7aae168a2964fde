"""PID 1 of a sandbox container: sets up the fake network, plants baits, then runs the install,
import and execute phases of one artifact as the unprivileged user, each within its deadline.

Runs as root; the package's code never does. Everything it records goes to /out, which only root can
enter. Usage: airlock_init.py KIND ARTIFACT INSTALL_SECONDS IMPORT_SECONDS [MAX_PROCESSES] (KIND: npm,
sdist, wheel). The import and execute phases each get IMPORT_SECONDS.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import airlock_baits  # noqa: E402
import airlock_dns  # noqa: E402
import airlock_listener  # noqa: E402
import airlock_node  # noqa: E402
import airlock_python  # noqa: E402
from airlock_phase import LIMITS, OUT, REC, USER, WORK, Phase, fail, log  # noqa: E402


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


def main():
    kind, artifact, install_seconds, import_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    if len(sys.argv) > 5:
        LIMITS["nproc"] = int(sys.argv[5])
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

    def phase(name, seconds):
        return Phase(name, seconds, env, user)

    mark_package_started()
    if kind == "npm":
        manifest, result = airlock_node.install(phase("install", install_seconds), artifact, user, env)
        record(result)
        record(airlock_node.exercise(phase("import", import_seconds), manifest, "import", user, env))
        record(airlock_node.exercise(phase("execute", import_seconds), manifest, "execute", user, env))
    else:
        record(airlock_python.install(phase("install", install_seconds), kind, artifact))
        record(airlock_python.exercise(phase("import", import_seconds), "import"))
        record(airlock_python.exercise(phase("execute", import_seconds), "execute"))
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

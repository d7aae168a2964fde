"""Runs as the unprivileged user under the tracer: imports a Python distribution's top-level modules
(import phase) or calls what it exports (execute phase), so code that only runs when imported or
called is seen. One interpreter for all modules: under gVisor with strace every interpreter start
costs seconds, and the modules of one distribution import each other anyway.

Usage: airlock_exercise.py import|execute SITE DEPS MODULE...
  SITE  the distribution's install target; its .pth files are processed as site-packages would
  DEPS  a directory of its dependencies (installed from artifacts already allowed), or "-"
Prints one JSON line per module or call to stdout (the phase's output file); never raises.
"""
import inspect
import json
import os
import signal
import site
import sys

CALL_SECONDS = 3
MAX_CALLS = 200
# Harmless values for required parameters: names, not paths or hosts, so a call that uses them as
# a file name or URL fails fast instead of touching anything.
HARMLESS = "airlock-probe"


class _Deadline(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Deadline()


def say(**record):
    try:
        sys.stdout.write(json.dumps(record, default=str)[:2000] + "\n")
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a package may have replaced stdout; the trace is what counts
        pass


def bounded(fn, *args):
    signal.alarm(CALL_SECONDS)
    try:
        return fn(*args)
    finally:
        signal.alarm(0)


def import_all(modules):
    loaded = []
    for name in modules:
        try:
            # No alarm here: under the tracer an honest import of a large package takes seconds; the
            # phase's deadline bounds a module that never finishes loading.
            loaded.append((name, __import__(name)))
            say(module=name, imported=True)
        except BaseException as e:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from a module are outcomes too
            say(module=name, imported=False, error=type(e).__name__ + ": " + str(e)[:200])
    return loaded


def harmless_arguments(fn):
    """Arguments for every required positional parameter, or None when fn cannot be called that way."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    args = []
    for p in sig.parameters.values():
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            return None
        args.append(HARMLESS)
    return args if len(args) <= 3 else None


def console_scripts(modules):
    """(name, 'module:attr') of the distribution's console and GUI scripts, from its entry_points.txt."""
    found = []
    site_dir = sys.argv[2]
    for entry in sorted(os.listdir(site_dir)):
        if not entry.endswith(".dist-info") and not entry.endswith(".egg-info"):
            continue
        section = None
        try:
            with open(os.path.join(site_dir, entry, "entry_points.txt"), encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line.startswith("["):
                        section = line.strip("[]").strip()
                    elif "=" in line and section in ("console_scripts", "gui_scripts"):
                        name, target = (x.strip() for x in line.split("=", 1))
                        found.append((name, target.split()[0]))
        except (OSError, UnicodeDecodeError):
            continue
    return found[:10]


def call(label, fn, args):
    try:
        result = bounded(fn, *args)
        if inspect.isawaitable(result):
            import asyncio
            bounded(asyncio.run, asyncio.wait_for(result, CALL_SECONDS))
        say(call=label, ok=True)
    except BaseException as e:  # noqa: BLE001
        say(call=label, ok=False, error=type(e).__name__ + ": " + str(e)[:200])


def execute(loaded):
    calls = 0
    saved_argv = list(sys.argv)
    for name, target in console_scripts([m for m, _ in loaded]):
        module, _, attr = target.partition(":")
        try:
            fn = bounded(__import__, module, None, None, ["_"])
            for part in attr.split("."):
                fn = getattr(fn, part)
        except BaseException as e:  # noqa: BLE001
            say(script=name, ok=False, error=type(e).__name__ + ": " + str(e)[:200])
            continue
        sys.argv = [name, "--help"]
        call("script " + name, fn, [])
        sys.argv = saved_argv
        calls += 1
    for name, module in loaded:
        for attr in sorted(dir(module)):
            if attr.startswith("_") or calls >= MAX_CALLS:
                continue
            try:
                obj = getattr(module, attr)
            except BaseException:  # noqa: BLE001
                continue
            own = getattr(obj, "__module__", None) or ""
            if not (own == name or own.startswith(name + ".")):
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj) and not issubclass(obj, BaseException)):
                continue
            args = harmless_arguments(obj)
            if args is None:
                continue
            call(name + "." + attr, obj, args)
            calls += 1


def main():
    mode, site_dir, deps = sys.argv[1], sys.argv[2], sys.argv[3]
    modules = sys.argv[4:]
    signal.signal(signal.SIGALRM, _alarm)
    if deps != "-":
        site.addsitedir(deps)
    site.addsitedir(site_dir)
    sys.path.insert(0, site_dir)
    loaded = import_all(modules)
    if mode != "execute":
        # Threads a module started on import (a stealer's usual way) run to their end, as they would in
        # a user's program: the import phase's deadline bounds them.
        return
    execute(loaded)
    sys.stdout.flush()
    # Calls may leave servers or pollers running: give their threads a moment to act, then stop.
    import threading
    import time
    end = time.monotonic() + 3
    for t in threading.enumerate():
        if t is not threading.main_thread() and not t.daemon:
            t.join(max(0.0, end - time.monotonic()))
    os._exit(0)


if __name__ == "__main__":
    main()

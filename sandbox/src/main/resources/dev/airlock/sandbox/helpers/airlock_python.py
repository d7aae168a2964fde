"""The phases of a Python distribution: install (pip; an sdist's build runs its setup.py under the
tracer), its dependencies from artifacts already allowed (/deps, never a network), then import every
top-level module the distribution ships, then call its console scripts and exported functions."""
import os
import re

from airlock_phase import WORK, log

SITE = os.path.join(WORK, "site")
DEPS_SITE = os.path.join(WORK, "deps")
DEPS = "/deps"
EXERCISE = "/opt/airlock/airlock_exercise.py"
PY_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_DEPENDENCY_TRIES = 8


def _pip(target, *args):
    return ["python3", "-m", "pip", "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check",
            "--no-warn-script-location", "--no-warn-conflicts", "--target", target] + list(args)


def install(phase, kind, artifact):
    if kind == "wheel":
        # pip runs no code of a wheel's while installing it, so this step is not traced (under gVisor
        # the tracer made it the slowest part of a run). A wheel pip refuses here (a Windows-only tag)
        # is unpacked as it is, so that its modules can still be imported and watched.
        code = phase.untraced(WORK, _pip(SITE, "--no-deps", artifact))
        if code not in (0, None):
            log("pip refused the wheel (exit %s); unpacking it" % code)
            phase.untraced(WORK, ["python3", "-m", "zipfile", "-e", artifact, SITE])
    else:
        phase.traced(WORK, _pip(SITE, "--no-deps", "--no-build-isolation", artifact))
    if phase.status == "completed" and os.path.isdir(DEPS) and os.listdir(DEPS):
        dependencies(phase)
    return phase.finish()


def requirements():
    """The distribution's own requirements whose markers hold here, as pip would read them."""
    try:
        from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    except ImportError:
        return []
    found = []
    for entry in sorted(os.listdir(SITE)) if os.path.isdir(SITE) else []:
        if not entry.endswith(".dist-info"):
            continue
        try:
            with open(os.path.join(SITE, entry, "METADATA"), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        break
                    if not line.startswith("Requires-Dist:"):
                        continue
                    try:
                        req = Requirement(line.split(":", 1)[1].strip())
                    except InvalidRequirement:
                        continue
                    if req.marker is None or req.marker.evaluate({"extra": ""}):
                        found.append(str(req))
        except OSError:
            continue
    return found


def dependencies(phase):
    """Installs the requirements from /deps as wheels only (so none of their code runs), untraced.
    All at once first; when one is missing, each on its own, so one gap does not empty the rest."""
    reqs = requirements()
    if not reqs:
        return
    args = ["--only-binary", ":all:", "--find-links", DEPS]
    if phase.untraced(WORK, _pip(DEPS_SITE, *args, *reqs)) == 0:
        return
    for req in reqs[:MAX_DEPENDENCY_TRIES]:
        if phase.status != "completed":
            return
        phase.untraced(WORK, _pip(DEPS_SITE, *args, req))


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


def exercise(phase, mode):
    """mode import: imports every top-level module in one interpreter (addsitedir runs the .pth files the
    package installed, as site-packages would at start-up); execute: also calls what they export."""
    modules = top_level_modules(SITE)
    if modules:
        deps = DEPS_SITE if os.path.isdir(DEPS_SITE) else "-"
        phase.traced(WORK, ["python3", EXERCISE, mode, SITE, deps] + modules)
    return phase.finish()

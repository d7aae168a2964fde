"""The phases of an npm package: its dependencies from artifacts already allowed (/deps, never a
network; their own scripts are not run, they were analysed on their own), its lifecycle scripts under
the tracer, then loading its entry points, then calling what it exports and running its bin files."""
import json
import os
import re
import shutil

from airlock_phase import WORK, as_user, log

NPM_NAME = re.compile(r"^(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*$")
SUBPATH = re.compile(r"^\./[A-Za-z0-9._/-]{1,100}$")
NPM_SCRIPTS = ("preinstall", "install", "postinstall")
PROJECT = os.path.join(WORK, "project")
MODULES = os.path.join(PROJECT, "node_modules")
DEPS = "/deps"
EXERCISE = "/opt/airlock/airlock_exercise.js"
MAX_DEPENDENCIES = 150
MAX_BINS = 3


def _valid_name(name):
    return isinstance(name, str) and len(name) <= 214 and NPM_NAME.match(name) and ".." not in name


def _unpack(tarball, target, user, env):
    """Unpacks an npm tarball's single top-level directory to target, as the user; returns its manifest."""
    extract = os.path.join(WORK, "extract-%d" % len(os.listdir(WORK)))
    as_user(["mkdir", "-p", extract], user, WORK, env, 10)
    p = as_user(["tar", "-xzf", tarball, "-C", extract, "--no-same-owner", "--no-same-permissions"], user, WORK, env, 60)
    if p.returncode != 0:
        log("tar failed for %s: %s" % (os.path.basename(tarball), p.stderr[-500:]))
        return None
    tops = [d for d in os.listdir(extract) if os.path.isdir(os.path.join(extract, d))]
    if len(tops) != 1:
        log("expected one top-level directory in %s, found %r" % (os.path.basename(tarball), tops[:5]))
        return None
    source = os.path.join(extract, tops[0])
    try:
        with open(os.path.join(source, "package.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        log("unreadable package.json in %s: %r" % (os.path.basename(tarball), e))
        return None
    if not isinstance(manifest, dict):
        return None
    if target is None:
        name = manifest.get("name")
        if not _valid_name(name):
            log("refusing invalid package name %r" % (name,))
            return None
        target = os.path.join(MODULES, name)
    as_user(["mkdir", "-p", os.path.dirname(target)], user, WORK, env, 10)
    as_user(["mv", "--", source, target], user, WORK, env, 30)
    manifest["_target"] = target
    return manifest


def _tarball_for(name):
    """The newest tarball of name in /deps, by npm pack's naming (scope without @, / as -)."""
    prefix = name.lstrip("@").replace("/", "-") + "-"
    best = None
    for f in os.listdir(DEPS):
        if f.startswith(prefix) and f.endswith(".tgz") and f[len(prefix):len(prefix) + 1].isdigit():
            key = [int(x) if x.isdigit() else -1 for x in re.split(r"[.-]", f[len(prefix):-4])]
            if best is None or key > best[0]:
                best = (key, f)
    return os.path.join(DEPS, best[1]) if best else None


def dependencies(phase, manifest, user, env):
    """Lays the package's dependencies (and theirs) out in node_modules, unpacked, untraced."""
    todo = [n for n in (manifest.get("dependencies") or {}) if isinstance(n, str)]
    done = set()
    while todo and len(done) < MAX_DEPENDENCIES and phase.remaining() > 0:
        name = todo.pop(0)
        if name in done or not _valid_name(name) or os.path.exists(os.path.join(MODULES, name)):
            continue
        done.add(name)
        tarball = _tarball_for(name)
        if tarball is None:
            continue
        dep = _unpack(tarball, os.path.join(MODULES, name), user, env)
        if dep:
            todo.extend(n for n in (dep.get("dependencies") or {}) if isinstance(n, str))
    if done:
        log("dependencies laid out: %d" % len(done))


def install(phase, artifact, user, env):
    as_user(["mkdir", "-p", MODULES], user, WORK, env, 10)
    manifest = _unpack(artifact, None, user, env)
    if manifest is None:
        return None, phase.finish("error")
    name, target = manifest["name"], manifest["_target"]
    if os.path.isdir(DEPS) and os.listdir(DEPS):
        dependencies(phase, manifest, user, env)
    scripts = manifest.get("scripts") if isinstance(manifest.get("scripts"), dict) else {}
    scripts = {k: v for k, v in scripts.items() if isinstance(v, str)}
    if os.path.exists(os.path.join(target, "binding.gyp")) and "install" not in scripts and "preinstall" not in scripts:
        scripts["install"] = "node-gyp rebuild"
    bins = os.path.join(MODULES, ".bin")
    for event in NPM_SCRIPTS:
        if event not in scripts:
            continue
        step_env = dict(env, npm_lifecycle_event=event, npm_lifecycle_script=scripts[event],
                        npm_package_name=name, npm_package_version=str(manifest.get("version", "")),
                        npm_package_json=os.path.join(target, "package.json"), INIT_CWD=PROJECT,
                        npm_command="install", PATH=os.path.join(target, "node_modules", ".bin") + ":" + bins
                        + ":" + env["PATH"])
        phase.env = step_env
        phase.traced(target, ["/bin/sh", "-c", scripts[event]])
    phase.env = env
    return manifest, phase.finish()


def _subpaths(manifest):
    """Entry points besides the main one: the exports map's plain keys (no patterns)."""
    exports = manifest.get("exports")
    if not isinstance(exports, dict):
        return []
    keys = [k for k in exports if isinstance(k, str) and SUBPATH.match(k) and "*" not in k and k != "./package.json"]
    return [k[2:] for k in sorted(keys)[:10]]


def _bins(manifest):
    target = manifest["_target"]
    bins = manifest.get("bin")
    if isinstance(bins, str):
        bins = {manifest["name"]: bins}
    if not isinstance(bins, dict):
        return []
    found = []
    for _, rel in sorted(bins.items()):
        if not isinstance(rel, str):
            continue
        path = os.path.normpath(os.path.join(target, rel))
        if not path.startswith(target + "/") or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                head = f.read(64)
        except OSError:
            continue
        if path.endswith((".js", ".cjs", ".mjs")) or head.startswith(b"#!") and b"node" in head.split(b"\n")[0]:
            found.append(path)
    return found[:MAX_BINS]


def exercise(phase, manifest, mode, user, env):
    """mode import: loads the package and its exports' entry points; execute: calls its exported
    functions with harmless arguments, then runs each bin file with --help."""
    if manifest is None:
        return phase.finish("error")
    script = os.path.join(PROJECT, ".airlock_exercise.js")
    if not os.path.exists(script):
        shutil.copyfile(EXERCISE, script)
        os.chmod(script, 0o644)
    phase.traced(PROJECT, ["node", script, mode, manifest["name"]] + _subpaths(manifest))
    if mode == "execute":
        for path in _bins(manifest):
            phase.traced(PROJECT, ["node", path, "--help"])
    return phase.finish()

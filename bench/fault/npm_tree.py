"""A real npm dependency tree for the fault suite, fetched once from the configured npm registry
(`npm config get registry`) into a cache outside the repository and reused after that.

npm resolves the roots (`npm install --package-lock-only`, no scripts); every tarball of the
resulting lockfile is downloaded and checked against the lockfile's integrity before it is kept.
The cache's manifest.json lists name, version, file and integrity of each; a cache whose roots
differ from the ones asked for is fetched again."""
import base64
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request

ROOTS = ["express", "chalk", "commander", "debug", "semver", "uuid", "minimist", "lodash", "axios", "yargs", "ws",
         "dotenv", "cors", "body-parser", "glob", "rimraf", "mkdirp", "dayjs", "ms", "jsonwebtoken"]


def default_cache():
    base = os.environ.get("AIRLOCK_FAULT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "airlock-fault")
    return os.path.join(base, "npm")


def integrity_ok(data, integrity):
    algo, _, want = integrity.partition("-")
    if algo not in ("sha512", "sha384", "sha256", "sha1"):
        return False
    return base64.b64encode(hashlib.new(algo, data).digest()).decode() == want


def load(cache=None, roots=ROOTS, log=print):
    """The cached tree: [{name, version, file, integrity, path}], fetching it first when needed."""
    cache = cache or default_cache()
    manifest = os.path.join(cache, "manifest.json")
    if os.path.exists(manifest):
        with open(manifest) as f:
            doc = json.load(f)
        if doc.get("roots") == roots and all(os.path.exists(os.path.join(cache, p["file"])) for p in doc["packages"]):
            return doc["roots"], [dict(p, path=os.path.join(cache, p["file"])) for p in doc["packages"]]
    log("fetching the npm tree of %d roots from the configured npm registry into %s (once)" % (len(roots), cache))
    fetch(cache, roots)
    return load(cache, roots, log)


def fetch(cache, roots):
    registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True,
                              check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="airlock-npm-tree.")
    try:
        with open(os.path.join(work, "package.json"), "w") as f:
            json.dump({"name": "airlock-fault-tree", "version": "1.0.0", "private": True,
                       "dependencies": {r: "*" for r in roots}}, f)
        # This machine's npm configuration may omit resolved URLs from lockfiles: ask for them.
        subprocess.run(["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--omit-lockfile-registry-resolved=false", "--registry", registry, "--cache",
                        os.path.join(work, ".npm"), "--loglevel=error"], cwd=work, check=True, timeout=600,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(work, "package-lock.json")) as f:
            entries = json.load(f)["packages"]
        wanted = {}
        for key, e in entries.items():
            if not key or "resolved" not in e or "integrity" not in e:
                continue
            name = e.get("name") or key.rsplit("node_modules/", 1)[-1]
            wanted[(name, e["version"])] = (e["resolved"], e["integrity"])
        tmp = cache + ".part"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)

        def one(item):
            (name, version), (url, integrity) = item
            with urllib.request.urlopen(url, timeout=120) as r:
                data = r.read()
            if not integrity_ok(data, integrity):
                raise RuntimeError("%s@%s: the tarball does not match the lockfile's integrity" % (name, version))
            rel = os.path.join("tarballs", name.replace("/", "+") + "-" + version + ".tgz")
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "wb") as out:
                out.write(data)
            return {"name": name, "version": version, "file": rel, "integrity": integrity}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            packages = sorted(pool.map(one, sorted(wanted.items())), key=lambda p: (p["name"], p["version"]))
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump({"roots": roots, "packages": packages}, f, indent=1)
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        os.replace(tmp, cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)

"""The suite's clients: real `npm install` and `pip install` processes through Airlock, each
from a fresh project folder with an empty cache, in a loop until told to stop; and a few probe
threads that fetch artifacts over HTTP themselves and compare every byte with what the upstream
published (the real clients check integrity too, and an integrity failure they report counts as
tampered bytes served)."""
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


# What a failed install's output says, most specific first: (kind, markers).
NPM_KINDS = [("integrity", ("EINTEGRITY", "integrity checksum failed")), ("refused", ("ECONNREFUSED",)),
             ("reset", ("ECONNRESET", "socket hang up", "ERR_STREAM_PREMATURE_CLOSE")),
             ("http_403", ("E403",)), ("http_404", ("E404",)), ("http_5xx", ("E500", "E502", "E503", "E504")),
             ("timeout", ("ETIMEDOUT", "ESOCKETTIMEDOUT", "network timeout"))]
PIP_KINDS = [("integrity", ("DO NOT MATCH THE HASHES", "do not match the hashes")),
             ("refused", ("Connection refused",)),
             ("reset", ("Connection reset", "RemoteDisconnected", "Connection aborted", "IncompleteRead",
                        "ConnectionResetError")),
             ("http_403", ("403 Client Error", "HTTP error 403")),
             # pip only warns (hidden by -q) when an index page fails, then finds no version.
             ("no_version", ("No matching distribution",)), ("http_404", ("404",)),
             ("http_5xx", ("500 Server Error", "502 ", "503 ", "504 ", "HTTP error 50")),
             ("timeout", ("Read timed out", "timed out"))]


class Install:
    __slots__ = ("eco", "roots", "t0", "t1", "phase", "outcome", "kind", "detail")

    def __init__(self, eco, roots, t0, phase):
        self.eco, self.roots, self.t0, self.phase = eco, roots, t0, phase
        self.t1, self.outcome, self.kind, self.detail = None, None, None, ""


def classify(output, kinds):
    for kind, markers in kinds:
        if any(m in output for m in markers):
            return kind
    return "other"


class Installers:
    """n real clients (even ones npm, odd ones pip) choosing 1-3 roots from what is eligible now."""

    def __init__(self, n, airlock_url, work, npm_roots, pip_roots, eligible, phase, timeout):
        self.n, self.url, self.work, self.timeout = n, airlock_url, work, timeout
        self.npm_roots, self.pip_roots, self.eligible, self.phase = npm_roots, pip_roots, eligible, phase
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.done = []        # finished Install records
        self.cut = 0          # installs still running at the end, stopped by the suite (not counted as errors)
        self.running = {}     # thread index -> Popen
        self.threads = []
        self.env_pip = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        self.env_pip["PIP_CONFIG_FILE"] = os.devnull   # the machine's config adds the file:// mirror: not through Airlock
        self.env_npm = dict(os.environ, npm_config_update_notifier="false")

    def start(self):
        os.makedirs(os.path.join(self.work, "clients"), exist_ok=True)
        for i in range(self.n):
            t = threading.Thread(target=self.loop, args=(i,), daemon=True)
            self.threads.append(t)
            t.start()

    def finish(self):
        self.stop.set()
        with self.lock:
            procs = list(self.running.values())
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.time() + 60
        for t in self.threads:
            t.join(max(0.1, deadline - time.time()))

    def loop(self, i):
        rnd = random.Random(i)
        eco = "npm" if i % 2 == 0 else "pip"
        time.sleep(rnd.uniform(0, 5))   # not all at the same instant
        failures = 0
        while not self.stop.is_set():
            pool = self.npm_roots if eco == "npm" else self.pip_roots
            roots = rnd.sample(pool[:self.eligible[eco]], rnd.randint(1, 3))
            rec = Install(eco, roots, time.time(), self.phase[0])
            d = tempfile.mkdtemp(prefix="%s-%02d-" % (eco, i), dir=os.path.join(self.work, "clients"))
            try:
                out, rc = self.run(i, eco, roots, d)
            finally:
                shutil.rmtree(d, ignore_errors=True)
            rec.t1 = time.time()
            if rc == "cut":
                with self.lock:
                    self.cut += 1
                return
            if rc == 0:
                rec.outcome = "ok"
            elif rc == "timeout":
                rec.outcome, rec.kind = "failed", "client_timeout"
            else:
                rec.outcome = "failed"
                rec.kind = classify(out, NPM_KINDS if eco == "npm" else PIP_KINDS)
                lines = [l for l in out.splitlines() if l.strip()]
                rec.detail = " | ".join(lines[-3:])[-300:]
            with self.lock:
                self.done.append(rec)
            # A build that failed tries again after a growing pause (1, 2, 4, 8 s), as CI retries do;
            # without it, clients meeting a refused port respawn npm and pip as fast as the CPU allows.
            failures = 0 if rc == 0 else failures + 1
            if failures:
                self.stop.wait(min(8, 2 ** (failures - 1)))

    def run(self, i, eco, roots, d):
        if eco == "npm":
            with open(os.path.join(d, "package.json"), "w") as f:
                json.dump({"name": "fault-client", "version": "1.0.0", "private": True,
                           "dependencies": {r: "*" for r in roots}}, f)
            open(os.path.join(d, ".npmrc"), "w").close()
            cmd = ["npm", "install", "--registry", self.url + "npm/", "--cache", os.path.join(d, ".npm-cache"),
                   "--userconfig", os.path.join(d, ".npmrc"), "--prefer-online", "--no-audit", "--no-fund",
                   "--ignore-scripts", "--loglevel=error", "--fetch-retries=1", "--fetch-retry-mintimeout=1000",
                   "--fetch-retry-maxtimeout=5000", "--fetch-timeout=120000"]
            env = self.env_npm
        else:
            cmd = [sys.executable, "-m", "pip", "install", "--target", os.path.join(d, "t"), "--no-cache-dir",
                   "--disable-pip-version-check", "-q", "--only-binary", ":all:", "--timeout", "60", "--retries", "1",
                   "--index-url", self.url + "pypi/simple/"] + roots
            env = self.env_pip
        # Niced: the clients stand in for other machines, and on this one 64 of them must not
        # starve the server they test (its restarts, its sandbox). At nice 15 (weight 36 each
        # against Airlock's 1024) 64 busy clients still get about two thirds of the suite's CPU.
        # A process group of their own (to kill the whole install), not a session: with the
        # kernel's autogroup scheduling every new session is weighted like the whole suite, so
        # 64 sessions would outweigh Airlock whatever their nice value.
        p = subprocess.Popen(["nice", "-n", "15"] + cmd, cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             process_group=0)
        with self.lock:
            self.running[i] = p
        try:
            out, _ = p.communicate(timeout=self.timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            rc = "timeout"
        finally:
            with self.lock:
                self.running.pop(i, None)
        if self.stop.is_set() and rc != 0:
            return "", "cut"
        if rc == 0 and not self.installed(eco, roots, d):
            return "the install exited 0 but a root is missing", 1
        return out.decode("utf-8", "replace")[-4000:], rc

    @staticmethod
    def installed(eco, roots, d):
        if eco == "npm":
            return all(os.path.exists(os.path.join(d, "node_modules", r, "package.json")) for r in roots)
        names = {normalise(n[:-len(".dist-info")].rsplit("-", 1)[0])
                 for n in os.listdir(os.path.join(d, "t")) if n.endswith(".dist-info")}
        return all(normalise(r) in names for r in roots)

    def recovery(self, since):
        """Seconds from `since` until an install started after it succeeded (None: none did)."""
        with self.lock:
            ends = [r.t1 for r in self.done if r.outcome == "ok" and r.t0 >= since]
        return min(ends) - since if ends else None


class Probes:
    """Threads that fetch an artifact Airlock lists and compare its bytes with the upstream's."""

    def __init__(self, n, air, npm_truth, pypi, pip_roots, phase):
        self.n, self.air, self.npm_truth, self.pypi, self.pip_roots, self.phase = n, air, npm_truth, pypi, pip_roots, phase
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = {}
        self.latency = {"fault": [], "calm": []}
        self.served = {}     # (ecosystem, name, version) -> 200s
        self.last_served = {}
        self.tampered = 0
        self.checked = 0
        self.threads = []

    def start(self):
        for i in range(self.n):
            t = threading.Thread(target=self.loop, args=(i,), daemon=True)
            self.threads.append(t)
            t.start()

    def finish(self):
        self.stop.set()
        deadline = time.time() + 90
        for t in self.threads:
            t.join(max(0.1, deadline - time.time()))

    def error(self, kind):
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def timed(self, method, path, headers=None, timeout=60):
        t0 = time.time()
        try:
            return self.air.request(method, path, headers=headers, timeout=timeout)
        finally:
            kind = "calm" if self.phase[0] in ("none", "warmup") else "fault"
            with self.lock:
                self.requests += 1
                self.latency[kind].append(time.time() - t0)

    def loop(self, i):
        rnd = random.Random(1000 + i)
        names = sorted({n for n, _ in self.npm_truth})
        while not self.stop.is_set():
            try:
                if rnd.random() < 0.5:
                    self.npm(rnd, names)
                else:
                    self.pip(rnd)
                self.stop.wait(0.25)   # checkers, not load: the installers are the load
            except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
                self.error(type(e).__name__)
                time.sleep(0.5)

    def npm(self, rnd, names):
        name = rnd.choice(names)
        st, body = self.timed("GET", "/npm/" + name.replace("/", "%2f"),
                              headers={"Accept": "application/vnd.npm.install-v1+json"}, timeout=30)
        if st != 200:
            return self.error("packument_%d" % st)
        doc = json.loads(body)
        versions = [v for v in doc.get("versions", {}) if (name, v) in self.npm_truth]
        if not versions:
            return None
        v = rnd.choice(versions)
        path = urllib.parse.urlparse(doc["versions"][v]["dist"]["tarball"]).path
        st, body = self.timed("GET", path, timeout=60)
        if st != 200:
            return self.error("tarball_%d" % st)
        self.record(("npm", name, v), hashlib.sha512(body).digest() == self.npm_truth[(name, v)])
        return None

    def pip(self, rnd):
        project = rnd.choice(self.pip_roots)
        st, body = self.timed("GET", "/pypi/simple/%s/" % project,
                              headers={"Accept": "application/vnd.pypi.simple.v1+json"}, timeout=30)
        if st != 200:
            return self.error("page_%d" % st)
        files = [f for f in json.loads(body).get("files", []) if f["filename"] in self.pypi.mirror.files]
        if not files:
            return None
        f = rnd.choice(files[-8:])   # recent releases, as an install would pick
        st, data = self.timed("GET", urllib.parse.urlparse(f["url"]).path, timeout=60)
        if st != 200:
            return self.error("file_%d" % st)
        version = version_of(f["filename"])
        self.record(("pypi", project, version), hashlib.sha256(data).hexdigest() == self.pypi.sha256(f["filename"]))
        return None

    def record(self, key, honest):
        with self.lock:
            self.checked += 1
            self.served[key] = self.served.get(key, 0) + 1
            self.last_served[key] = time.time()
            if not honest:
                self.tampered += 1


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def version_of(filename):
    """The version in a wheel file name (name-version-[build-]python-abi-platform.whl: the name
    has no dash) or an sdist's (name-version.tar.gz)."""
    if filename.endswith(".whl"):
        return filename.split("-")[1]
    return filename.rsplit(".tar", 1)[0].rsplit(".zip", 1)[0].rsplit("-", 1)[1]

"""Three Airlock proxies and one worker, started with bin/airlock, on a throw-away PostgreSQL and
s3proxy; a local npm upstream; measurements taken from outside over HTTP and psql. Loopback only."""
import argparse
import base64
import glob
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "multinode-admin-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tarball(name, version, install=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        pkg = {"name": name, "version": version, "main": "index.js", "license": "Apache-2.0"}
        if install:
            pkg["scripts"] = {"install": install}
        for path, data in (("package.json", json.dumps(pkg).encode()),
                           ("index.js", ("module.exports = %r;\n" % name).encode())):
            info = tarfile.TarInfo("package/" + path)
            info.size = len(data)
            info.mtime = 1577836800
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Upstream:
    """npm packuments and tarballs; `published` decides whether Airlock holds a version for analysis."""

    def __init__(self):
        self.packages = {}
        self.port = free_port()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                name = self.path.lstrip("/").split("/-/")[0]
                pkg = upstream.packages.get(name)
                if pkg is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if "/-/" in self.path:
                    body, ctype = pkg["tgz"], "application/octet-stream"
                else:
                    body, ctype = json.dumps(pkg["doc"]).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, name, published, install=None):
        tgz = tarball(name, "1.0.0", install)
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()
        base = "http://127.0.0.1:%d/" % self.port
        when = published.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.packages[name] = {"tgz": tgz, "doc": {
            "name": name, "dist-tags": {"latest": "1.0.0"},
            "versions": {"1.0.0": {"name": name, "version": "1.0.0", "dist": {
                "tarball": base + name + "/-/" + name + "-1.0.0.tgz", "integrity": integrity,
                "shasum": hashlib.sha1(tgz).hexdigest()}}},
            "time": {"created": when, "modified": when, "1.0.0": when}}}


class Postgres:
    def __init__(self, work):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
        if not bins:
            sys.exit("PostgreSQL binaries missing: run .ci/setup-postgres.sh")
        self.bin, self.dir, self.port = bins[0], os.path.join(work, "pg"), free_port()
        os.makedirs(self.dir)
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            os.chmod(work, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-A", "trust", "-U", "airlock", "--no-sync", "-D", self.dir + "/data")
        self.run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-o",
                 "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200" % (self.port, self.dir), "start")
        self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "airlock", "-d", "postgres", "-qc",
                 "CREATE DATABASE airlock")
        self.url = "postgresql://airlock@127.0.0.1:%d/airlock" % self.port

    def run(self, tool, *args):
        cmd = ([] if not self.as_postgres else ["runuser", "-u", "postgres", "--"]) + [os.path.join(self.bin, tool), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def query(self, sql):
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "airlock", "-d", "airlock", "-tAc", sql).strip()

    def stop(self):
        self.run("pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "stop")


def start(cmd, log, env=None):
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)


def http(port, path, method="GET", body=None, token=False):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait(what, seconds, check, step=0.1):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(step)
    raise SystemExit("FAILED: %s within %d s" % (what, seconds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="override propagations measured")
    ap.add_argument("--lease", default="10s", help="store.leaseTimeout")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="airlock-multinode-")
    procs = {}
    pg = None
    try:
        pg = Postgres(work)
        s3port = free_port()
        os.makedirs(work + "/s3/blobs")
        with open(work + "/s3/props", "w") as f:
            f.write("s3proxy.endpoint=http://127.0.0.1:%d\ns3proxy.authorization=none\njclouds.provider=filesystem\n"
                    "jclouds.filesystem.basedir=%s/s3/blobs\n" % (s3port, work))
        procs["s3"] = start(["java", "-Xmx256m", "-jar", ROOT + "/proxy/target/s3proxy/s3proxy.jar", "--properties",
                             work + "/s3/props"], work + "/s3.log")
        wait("s3proxy", 120, lambda: http(s3port, "/airlock", "PUT")[0] in (200, 409), 0.5)
        up = Upstream()
        old = datetime(2023, 3, 1, tzinfo=timezone.utc)
        fresh = datetime.now(timezone.utc) - timedelta(minutes=5)
        up.publish("mn-old", old)
        up.publish("mn-fresh", fresh)
        up.publish("mn-slow", fresh, install="sleep 25")
        with open(work + "/airlock.yaml", "w") as f:
            f.write("policy:\n  holdWait: 2s\nstore:\n  leaseTimeout: %s\n" % a.lease)
        env = dict(os.environ, AIRLOCK_SKIP_BUILD="1")
        ports = {}
        for node in ("node-a", "node-b", "node-c", "worker-w"):
            ports[node] = free_port()
            role = "worker" if node.startswith("worker") else "serve"
            procs[node] = start([ROOT + "/bin/airlock", role, "--config", work + "/airlock.yaml",
                                 "--port", str(ports[node]), "--bind", "127.0.0.1", "--data-dir", work + "/" + node,
                                 "--admin-token", TOKEN, "--store.url", pg.url, "--store.node-id", node,
                                 "--artifacts.url", "s3://airlock/multinode", "--artifacts.endpoint",
                                 "http://127.0.0.1:%d" % s3port, "--artifacts.access-key", "k",
                                 "--artifacts.secret-key", "s", "--npm-upstream", "http://127.0.0.1:%d/" % up.port,
                                 "--pypi-upstream", "http://127.0.0.1:%d/simple/" % up.port],
                                work + "/" + node + ".log", env)
        for node, port in ports.items():
            wait(node + " healthy", 180, lambda p=port: http(p, "/healthz")[0] == 200, 0.5)
        proxies = ["node-a", "node-b", "node-c"]
        print("started: 3 proxies and 1 worker (bin/airlock), PostgreSQL %s, s3proxy :%d" % (pg.url, s3port))

        # Concurrent first sightings of a new version on every proxy: one analysis, nothing served before it.
        barrier = threading.Barrier(len(proxies))
        statuses = {}

        def first(node):
            barrier.wait()
            http(ports[node], "/npm/mn-fresh")
            statuses[node] = http(ports[node], "/npm/mn-fresh/-/mn-fresh-1.0.0.tgz")[0]
        threads = [threading.Thread(target=first, args=(n,)) for n in proxies]
        [t.start() for t in threads]
        [t.join() for t in threads]
        t0 = time.time()
        wait("the analysis of mn-fresh", 300, lambda: all(http(ports[n], "/npm/mn-fresh/-/mn-fresh-1.0.0.tgz")[0] == 200
                                                        for n in proxies), 0.5)
        runs = pg.query("SELECT count(*) FROM analysis_runs WHERE key = 'npm:mn-fresh@1.0.0|mn-fresh-1.0.0.tgz'")
        print("first sighting on 3 proxies at once: answers %s, analyses of the file: %s, allowed on all after %.1f s"
              % (statuses, runs, time.time() - t0))
        assert runs == "1", runs

        # Override propagation: block/allow on node-a, answer on node-b and node-c.
        for n in proxies:
            wait("mn-old served on " + n, 30, lambda n=n: http(ports[n], "/npm/mn-old/-/mn-old-1.0.0.tgz")[0] == 200)
        lat = []
        for r in range(a.rounds):
            block = r % 2 == 0
            st, body = http(ports["node-a"], "/api/v1/packages/npm/mn-old/1.0.0/override", "POST",
                            {"action": "block" if block else "allow", "reason": "round %d" % r}, token=True)
            assert st == 200, body
            t = time.monotonic()
            for n in ("node-b", "node-c"):
                want = 403 if block else 200
                while http(ports[n], "/npm/mn-old/-/mn-old-1.0.0.tgz")[0] != want:
                    if time.monotonic() - t > 10:
                        raise SystemExit("FAILED: %s never answered %d" % (n, want))
                    time.sleep(0.005)
                lat.append((time.monotonic() - t) * 1000)
        lat.sort()
        print("override on node-a seen on node-b/node-c (n=%d): p50 %.0f ms, p90 %.0f ms, max %.0f ms"
              % (len(lat), statistics.median(lat), lat[int(len(lat) * 0.9) - 1], lat[-1]))

        # kill -9 of the node analysing a slow package.
        key = "npm:mn-slow@1.0.0|mn-slow-1.0.0.tgz"
        http(ports["node-b"], "/npm/mn-slow")
        wait("an analysis of mn-slow", 120, lambda: pg.query("SELECT count(*) FROM analysis_runs WHERE key = '%s'" % key) == "1")
        time.sleep(4)
        victim = pg.query("SELECT leased_by FROM analysis_jobs WHERE key = '%s'" % key)
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait()
        killed = float(pg.query("SELECT extract(epoch FROM clock_timestamp())"))
        wait("the takeover", 300, lambda: pg.query("SELECT count(*) FROM analysis_results WHERE key = '%s'" % key) == "1", 0.5)
        took = float(pg.query("SELECT extract(epoch FROM max(started)) FROM analysis_runs WHERE key = '%s'" % key)) - killed
        done = float(pg.query("SELECT extract(epoch FROM at) FROM analysis_results WHERE key = '%s'" % key)) - killed
        by = pg.query("SELECT analysed_by FROM analysis_results WHERE key = '%s'" % key)
        print("kill -9 of %s during its analysis: taken over by %s after %.1f s (store.leaseTimeout %s), result %.1f s "
              "after the kill" % (victim, by, took, a.lease, done))
        assert by != victim
        print("OK")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if pg:
            pg.stop()
        if a.keep:
            print("work folder kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

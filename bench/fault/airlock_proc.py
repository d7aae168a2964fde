"""Airlock as its own JVM for the fault suite: started from the fat jar on a data directory,
killed with SIGKILL or stopped, asked over HTTP (admin API with the suite's token). Each start
logs to its own file in the work folder. Every wait here is bounded."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

TOKEN = "fault-suite-admin-token-0123456789"


def log(msg):
    print("fault: " + msg, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class AirlockExited(Exception):
    def __init__(self, message, tail):
        super().__init__(message)
        self.tail = tail


class Airlock:
    def __init__(self, jar, data, npm_upstream, pypi_upstream, xmx, work, extra=()):
        self.jar, self.data, self.xmx, self.work = jar, data, xmx, work
        self.npm_upstream, self.pypi_upstream, self.extra = npm_upstream, pypi_upstream, list(extra)
        self.port = free_port()
        self.proc = None
        self.starts = 0
        self.failed_starts = []
        self.logs = []   # one file per start, in order
        self.started_at = 0.0

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    def start(self):
        try:
            self.start_once()
        except AirlockExited as e:
            # Counted and shown, then tried once more: a start that fails twice ends the run.
            self.failed_starts.append(str(e))
            log("Airlock exited at start; its log ends:\n" + e.tail)
            self.start_once()

    def start_once(self):
        self.starts += 1
        path = os.path.join(self.work, "airlock-%d.log" % self.starts)
        self.logs.append(path)
        logf = open(path, "wb")
        cmd = ["java", "-Xmx" + self.xmx, "-XX:+ExitOnOutOfMemoryError", "-jar", self.jar, "serve",
               "--port", str(self.port), "--bind", "127.0.0.1", "--data-dir", self.data,
               "--admin-token", TOKEN, "--upstream.retries", "1"]
        if self.npm_upstream:
            cmd += ["--npm-upstream", self.npm_upstream]
        if self.pypi_upstream:
            cmd += ["--pypi-upstream", self.pypi_upstream, "--pypi-file-hosts", "127.0.0.1"]
        self.proc = subprocess.Popen(cmd + self.extra, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        self.started_at = time.time()
        deadline = time.time() + 300
        dumped = False
        while time.time() < deadline:
            if not dumped and time.time() - self.started_at > 20:
                # A slow start is worth a look: where the main thread is, once (kept with the logs).
                dumped = True
                try:
                    with open(os.path.join(self.work, "jstack-start-%d.txt" % self.starts), "wb") as out:
                        subprocess.run(["jstack", str(self.proc.pid)], stdout=out, stderr=subprocess.STDOUT, timeout=30)
                except (OSError, subprocess.SubprocessError):
                    pass   # a diagnostic only
            if self.proc.poll() is not None:
                with open(path, "rb") as f:
                    tail = f.read()[-3000:].decode("utf-8", "replace")
                raise AirlockExited("Airlock exited at start with %s (see %s)" % (self.proc.returncode, path), tail)
            if self.healthy(timeout=3):
                log("Airlock start %d healthy after %.1f s" % (self.starts, time.time() - self.started_at))
                return
            time.sleep(0.3)
        # Alive but not answering for 5 minutes: counted like an exit (stopped, shown, tried once more).
        self.kill9()
        with open(path, "rb") as f:
            tail = f.read()[-3000:].decode("utf-8", "replace")
        raise AirlockExited("Airlock did not answer /healthz within 300 s of its start (see %s)" % path, tail)

    def healthy(self, timeout=5):
        try:
            return self.request("GET", "/healthz", timeout=timeout)[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    def wait_healthy(self, seconds):
        """Whether /healthz answers 200 within this many seconds (a loaded machine can be slow,
        which is not death): the seconds it took, or None."""
        t0 = time.time()
        while time.time() - t0 < seconds:
            if not self.alive():
                return None
            if self.healthy(timeout=10):
                return time.time() - t0
            time.sleep(1)
        return None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill9()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def api(self, method, path, body=None, timeout=60):
        h = {"Authorization": "Bearer " + TOKEN}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        st, data = self.request(method, "/api/v1/" + path, body, h, timeout=timeout)
        return st, (json.loads(data) if data and data[:1] in (b"{", b"[") else None)

    def api_retrying(self, method, path, body=None, tries=6):
        """An admin call that must get through (the checks at the end): retried on errors and 5xx."""
        last = None
        for i in range(tries):
            try:
                st, doc = self.api(method, path, body, timeout=60)
                if st < 500:
                    return st, doc
                last = "HTTP %d" % st
            except (OSError, http.client.HTTPException, ValueError) as e:
                last = repr(e)
            time.sleep(2 + 2 * i)
        raise RuntimeError("admin %s %s failed %d times: %s" % (method, path, tries, last))

    def rss_and_heap(self):
        rss = 0
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
        except OSError:
            pass
        heap = 0
        try:
            st, body = self.request("GET", "/metrics", timeout=5)
            for line in body.decode().splitlines():
                if line.startswith("airlock_jvm_memory_used_bytes{") and 'area="heap"' in line:
                    heap += float(line.rsplit(" ", 1)[1])
        except (OSError, ValueError, http.client.HTTPException):
            pass
        return rss, heap

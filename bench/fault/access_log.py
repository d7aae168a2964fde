"""Follows Airlock's access log (one line per answered request, in each start's log file) while
the suite runs, and stamps every line with the phase it was read in: requests, answers by
status, server-side latency by phase, and the artifacts answered 200 (each must have a verdict
that allows it). Lines are read every half second, so a phase boundary is accurate to ~0.5 s."""
import re
import threading
import time

LINE = re.compile(r'airlock\.access - \S+ "(\S+) (\S+)" (\d{3}) (\d+)ms pkg=(\S+) version=(\S+) decision=(\S+)')


def is_artifact(path):
    return "/-/" in path and path.startswith("/npm/") or path.startswith("/pypi/files/")


class AccessLog:
    def __init__(self, air, phase):
        self.air, self.phase = air, phase
        self.lock = threading.Lock()
        self.requests = 0
        self.by_status = {}
        self.latency = {"fault": [], "calm": []}
        self.served = {}          # (ecosystem, name, version) -> artifacts answered 200
        self.last_served = {}     # (ecosystem, name, version) -> when the last of them was read
        self.decisions = {}       # decision code of non-200 answers -> count
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.follow, daemon=True)

    def start(self):
        self.thread.start()

    def follow(self):
        offsets = {}
        while not self.stop.is_set():
            self.read_new(offsets)
            time.sleep(0.5)
        self.read_new(offsets)

    def finish(self):
        self.stop.set()
        self.thread.join(30)

    def read_new(self, offsets):
        for path in list(self.air.logs):
            try:
                with open(path, "rb") as f:
                    f.seek(offsets.get(path, 0))
                    chunk = f.read()
            except OSError:
                continue
            end = chunk.rfind(b"\n") + 1   # a half-written last line waits for the next read
            offsets[path] = offsets.get(path, 0) + end
            for raw in chunk[:end].decode("utf-8", "replace").splitlines():
                self.line(raw)

    def line(self, raw):
        m = LINE.search(raw)
        if not m:
            return
        method, path, status, ms, pkg, version, decision = m.groups()
        kind = "calm" if self.phase[0] in ("none", "warmup") else "fault"
        with self.lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            self.latency[kind].append(int(ms) / 1000.0)
            if status == "200" and method == "GET" and version != "-" and ":" in pkg and is_artifact(path):
                eco, name = pkg.split(":", 1)
                key = (eco, name, version)
                self.served[key] = self.served.get(key, 0) + 1
                self.last_served[key] = time.time()
            elif status != "200":
                self.decisions[decision] = self.decisions.get(decision, 0) + 1

"""A local npm upstream for the fault suite: packuments with sha512 integrity built from the
tarballs it holds (real ones from npm_tree.py, whose package.json gives each version's
dependencies, and generated ones in npm's layout), and switchable faults on artifact bodies:
reset mid-body, stall mid-body, 5xx, tampered bytes, truncated bodies (send_artifact, which the
PyPI upstream uses too). Binds to 127.0.0.1 only."""
import base64
import gzip
import hashlib
import io
import json
import socket
import struct
import sys
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def npm_tarball(name, version, extra=None):
    """A gzipped npm tarball: package.json and index.js, plus (name, bytes-or-TarInfo) extras."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(path, data):
            info = tarfile.TarInfo("package/" + path)
            info.size = len(data)
            info.mtime = 1577836800
            tar.addfile(info, io.BytesIO(data))
        add("package.json", json.dumps({"name": name, "version": version, "main": "index.js"}).encode())
        add("index.js", ("module.exports = %r;\n" % (name + "@" + version)).encode())
        for item in extra or []:
            if isinstance(item, tarfile.TarInfo):
                tar.addfile(item)
            else:
                add(item[0], item[1])
    return buf.getvalue()


def text_bomb(name, version, entries, entry_bytes):
    """entries x entry_bytes of highly compressible text, streamed through gzip (small on the wire)."""
    raw = io.BytesIO()
    gz = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
    with tarfile.open(fileobj=gz, mode="w|") as tar:
        def add(path, size, chunk):
            info = tarfile.TarInfo("package/" + path)
            info.size = size
            info.mtime = 1577836800

            class Repeat(io.RawIOBase):
                def __init__(self):
                    self.left = size

                def readable(self):
                    return True

                def readinto(self, b):
                    n = min(len(b), self.left)
                    if n == 0:
                        return 0
                    piece = (chunk * (n // len(chunk) + 1))[:n]
                    b[:n] = piece
                    self.left -= n
                    return n
            tar.addfile(info, io.BufferedReader(Repeat(), 1 << 20))
        pj = json.dumps({"name": name, "version": version}).encode()
        info = tarfile.TarInfo("package/package.json")
        info.size = len(pj)
        tar.addfile(info, io.BytesIO(pj))
        for i in range(entries):
            add("docs/part-%04d.txt" % i, entry_bytes, b"All work and no play makes Jack a dull boy. ")
    gz.close()
    return raw.getvalue()


def manifest_of(data):
    """The package.json of an npm tarball (its top folder is usually, not always, package/)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) == 2 and parts[1] == "package.json" and member.isfile():
                return json.loads(tar.extractfile(member).read().decode("utf-8"))
    raise ValueError("no package.json in the tarball")


# Fields of a package.json that a packument's version carries (npm resolves the tree from them).
MANIFEST_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "bin",
                   "engines", "os", "cpu", "main", "license", "bundleDependencies", "bundledDependencies")


def send_artifact(handler, data, fault):
    """Sends an artifact body as the fault says: in full, 503, tampered, or half of it then a reset,
    a stall or a clean close (truncated)."""
    if fault == "5xx":
        body = b'{"error":"burst"}'
        handler.send_response(503)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return
    if fault == "tamper":
        data = data[:-8] + bytes(b ^ 0x5A for b in data[-8:])
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    half = max(1, len(data) // 2)
    if fault in ("reset", "stall", "truncate"):
        handler.wfile.write(data[:half])
        handler.wfile.flush()
        if fault == "stall":
            time.sleep(600)
        elif fault == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        return
    handler.wfile.write(data)


class QuietServer(ThreadingHTTPServer):
    """Clients that go away mid-answer (Airlock killed, a reset) are part of the suite, not errors."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def semver_key(v):
    """Orders x.y.z[-pre] versions as npm does for `latest` (a release above its pre-releases)."""
    core, _, pre = v.partition("-")
    nums = tuple(int(p) if p.isdigit() else 0 for p in core.split("+")[0].split("."))
    return nums, pre == "", pre


class Registry:
    def __init__(self):
        self.packages = {}   # name -> {version: (bytes, published iso)}
        self.manifests = {}  # (name, version) -> package.json fields for the packument
        self.fault = "none"  # none | reset | stall | 5xx | tamper | truncate
        self.stall_names = set()  # packages whose tarball always stalls half-way
        self.lock = threading.Lock()
        self.server = None
        self.tarball_requests = 0
        self.dists = {}

    def add(self, name, version, data, published, manifest=None):
        with self.lock:
            self.packages.setdefault(name, {})[version] = (data, published)
            if manifest:
                self.manifests[(name, version)] = {k: manifest[k] for k in MANIFEST_FIELDS if k in manifest}

    def integrity(self, data):
        return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()

    def dist(self, name, version, data):
        """integrity and shasum of a version's tarball, worked out once (packuments are asked for often)."""
        key = (name, version, len(data))
        with self.lock:
            known = self.dists.get(key)
        if known is None:
            known = (self.integrity(data), hashlib.sha1(data).hexdigest())
            with self.lock:
                self.dists[key] = known
        return known

    def packument(self, name, base):
        versions, times = {}, {"created": "2019-01-01T00:00:00.000Z", "modified": "2021-01-01T00:00:00.000Z"}
        file = name.split("/")[-1]
        for v, (data, published) in sorted(list(self.packages[name].items())):
            versions[v] = dict(self.manifests.get((name, v), {}), name=name, version=v, _id="%s@%s" % (name, v))
            integrity, shasum = self.dist(name, v, data)
            versions[v]["dist"] = {"tarball": "%s%s/-/%s-%s.tgz" % (base, name, file, v), "integrity": integrity,
                                   "shasum": shasum}
            times[v] = published
        latest = max(self.packages[name], key=semver_key)
        return {"_id": name, "name": name, "dist-tags": {"latest": latest}, "versions": versions, "time": times}

    def start(self):
        reg = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body, ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                self.send(200, b"{}")

            def do_GET(self):
                path = self.path.split("?")[0]
                if not path.startswith("/npm/"):
                    return self.send(404, b'{"error":"not found"}')
                rest = path[len("/npm/"):].replace("%2f", "/").replace("%2F", "/")
                if "/-/" in rest:
                    return self.tarball(rest)
                with reg.lock:
                    known = rest in reg.packages
                if not known:
                    return self.send(404, b'{"error":"not found"}')
                if reg.fault == "5xx":
                    return self.send(503, b'{"error":"burst"}')
                base = "http://127.0.0.1:%d/npm/" % reg.server.server_address[1]
                self.send(200, json.dumps(reg.packument(rest, base)).encode())

            def tarball(self, rest):
                name, file = rest.split("/-/", 1)
                with reg.lock:
                    reg.tarball_requests += 1
                    versions = reg.packages.get(name, {})
                data = None
                for v, (d, _) in versions.items():
                    if file == "%s-%s.tgz" % (name.split("/")[-1], v):
                        data = d
                if data is None:
                    return self.send(404, b'{"error":"not found"}')
                send_artifact(self, data, "stall" if name in reg.stall_names else reg.fault)

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

"""A local PyPI upstream for the fault suite: this machine's PyPI mirror (the file:// simple
indexes that `pip config list` names, read by bench/install/pypi_index.py's Mirror) served over
HTTP on 127.0.0.1 as PEP 691 JSON, with every file's upload time set to a fixed old date (so
Airlock serves them after its static check, as it would long-published releases), and the same
switchable faults as the npm upstream: project pages answer 503 during a 5xx burst, files are
reset, stalled, tampered, truncated or refused (upstream.send_artifact)."""
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "install"))
import pypi_index  # noqa: E402
import upstream as up  # noqa: E402

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
UPLOADED = "2020-01-01T00:00:00.000000Z"


def mirror_dirs():
    """The local mirror's simple folders, from pip's configuration."""
    out = subprocess.run(["pip", "config", "list"], capture_output=True, text=True).stdout
    return sorted(set(m for m in re.findall(r"file://([^' ]*/simple)", out) if os.path.isdir(m)))


class PypiUpstream:
    def __init__(self, switch, simple_dirs=None):
        self.switch = switch   # anything with .fault (the npm Registry): one switch for both upstreams
        dirs = simple_dirs or mirror_dirs()
        if not dirs:
            raise SystemExit("fault: no local PyPI mirror in 'pip config list'")
        self.mirror = pypi_index.Mirror(dirs)
        self.server = None
        self.lock = threading.Lock()
        self.file_requests = 0

    def listing(self, project):
        files = self.mirror.listing(pypi_index.normalise(project))
        if files is not None:
            for f in files:
                f["upload-time"] = UPLOADED
        return files

    def sha256(self, filename):
        return self.mirror.sha256(self.mirror.files[filename])

    def start(self):
        pypi = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                m = re.match(r"^/simple/([^/]+)/$", path)
                if m:
                    files = pypi.listing(m.group(1))
                    if files is None:
                        return self.send(404, "text/plain", b"not found")
                    if pypi.switch.fault == "5xx":
                        return self.send(503, "text/plain", b"burst")
                    body = {"meta": {"api-version": "1.1"}, "name": pypi_index.normalise(m.group(1)), "files": files}
                    return self.send(200, JSON_TYPE, json.dumps(body).encode())
                m = re.match(r"^/files/([^/]+)$", path)
                if m and m.group(1) in pypi.mirror.files:
                    with pypi.lock:
                        pypi.file_requests += 1
                    with open(pypi.mirror.files[m.group(1)], "rb") as f:
                        data = f.read()
                    return up.send_artifact(self, data, pypi.switch.fault)
                return self.send(404, "text/plain", b"not found")

        self.server = up.QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

#!/usr/bin/env python3
"""Loopback PyPI stand-in for bench/install/run.sh: serves this machine's local PyPI mirror (the
file:// simple indexes that `pip config list` names) over HTTP, so pip can install from it directly
and Airlock can use it as its upstream. Project pages are PEP 691 JSON when asked for (with sha256,
size and an upload time: the mirror file's modification time) and the mirror's own HTML otherwise;
files are sent byte for byte.

usage: pypi_index.py --port-file FILE SIMPLE_DIR [SIMPLE_DIR ...]
"""
import argparse
import hashlib
import html
import http.server
import json
import os
import re
import sys
import time

HREF = re.compile(r'href="([^"#]+)(?:#sha256=([0-9a-f]{64}))?"')
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class Mirror:
    def __init__(self, simple_dirs):
        self.projects = {}   # normalised name -> index.html paths, one per mirror that has the project
        self.files = {}      # file name -> path
        for simple in simple_dirs:
            for p in sorted(os.listdir(simple)):
                page = os.path.join(simple, p, "index.html")
                if os.path.isfile(page):
                    self.projects.setdefault(normalise(p), []).append(page)
            files = os.path.join(os.path.dirname(simple.rstrip("/")), "files")
            if os.path.isdir(files):
                for f in os.listdir(files):
                    self.files.setdefault(f, os.path.join(files, f))
        self.sums = {}

    def listing(self, project):
        pages = self.projects.get(project)
        if pages is None:
            return None
        out = []
        seen = set()
        # Every mirror's page: one mirror may hold a newer release of a project than another (the
        # machine's two mirrors disagreed on botocore, and the first page alone hid 1.43.107).
        links = [link for page in pages for link in HREF.findall(open(page, encoding="utf-8").read())]
        for href, sha in links:
            name = html.unescape(href.rsplit("/", 1)[-1])
            path = self.files.get(name)
            if path is None or name in seen:
                continue
            seen.add(name)
            if sha is None or sha == "":
                sha = self.sha256(path)
            st = os.stat(path)
            out.append({"filename": name, "url": f"../../files/{name}", "hashes": {"sha256": sha},
                        "size": st.st_size,
                        "upload-time": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(st.st_mtime))})
        return out

    def sha256(self, path):
        if path not in self.sums:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            self.sums[path] = h.hexdigest()
        return self.sums[path]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mirror = None

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        m = re.match(r"^/simple/([^/]+)/$", path)
        if m:
            files = self.mirror.listing(normalise(m.group(1)))
            if files is None:
                return self.send(404, "text/plain", b"not found")
            if JSON_TYPE in (self.headers.get("Accept") or ""):
                body = json.dumps({"meta": {"api-version": "1.1"}, "name": normalise(m.group(1)), "files": files}).encode()
                return self.send(200, JSON_TYPE, body)
            links = "".join(f'<a href="{html.escape(f["url"])}#sha256={f["hashes"]["sha256"]}">{html.escape(f["filename"])}</a>\n'
                            for f in files)
            return self.send(200, "text/html", f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode())
        m = re.match(r"^/files/([^/]+)$", path)
        if m and m.group(1) in self.mirror.files:
            p = self.mirror.files[m.group(1)]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(os.path.getsize(p)))
            self.end_headers()
            with open(p, "rb") as f:
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    self.wfile.write(block)
            return None
        return self.send(404, "text/plain", b"not found")

    def send(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("simple", nargs="+")
    args = ap.parse_args()
    Handler.mirror = Mirror(args.simple)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    print(f"mirror index on 127.0.0.1:{server.server_address[1]} ({len(Handler.mirror.projects)} projects)",
          file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

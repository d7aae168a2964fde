#!/usr/bin/env python3
"""Loopback stand-in for the upstream npm registry, for bench/proxy/run.sh.

Writes the benchmark fixtures (a ~22 KB packument whose latest version has a ~100 KB tarball, and
a 1 GiB artifact for the streaming test) and serves them under /npm/ the way the registry does:
packuments as JSON with ETag and max-age, tarballs as octet-stream. The same files are what nginx
serves from disk, so every server in the benchmark answers with the same bytes.

The latest bench-pkg version is published an hour before the fixtures are written, so Airlock
holds it for its full analysis (static pass and sandbox) like any new version; the older ones are
years old. For the large-document figures it also serves bench-huge (about 10 MB: 3,000 versions
with long descriptions) and bench-many-0 .. bench-many-999 (500 versions each, made on request).

usage: fake_upstream.py --root DIR --cache DIR --port-file FILE
"""
import argparse
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import random
import re
import shutil
import sys
import tarfile
import time

PKG = "bench-pkg"
BIG = "bench-big"
VERSIONS = 36  # about 22 KB of packument, like a typical small package with some history
HUGE = "bench-huge"
HUGE_VERSIONS = 3000
MANY = re.compile(r"^bench-many-(\d{1,3})$")
MANY_VERSIONS = 500
BIG_BYTES = 1 << 30


def sri512(data_or_hash):
    return "sha512-" + base64.b64encode(data_or_hash).decode()


def small_tarball():
    """A real npm tarball, about 100 KB, with incompressible content so gzip cannot shrink it."""
    rnd = random.Random(42)
    payload = bytes(rnd.getrandbits(8) for _ in range(100 * 1024))
    manifest = json.dumps({"name": PKG, "version": f"1.0.{VERSIONS - 1}", "main": "index.js",
                           "license": "Apache-2.0"}).encode()
    buf = io.BytesIO()
    # gzip's header carries a time: fixed, so every run serves the same bytes (and the same sha256).
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("package/package.json", manifest), ("package/data.bin", payload)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def big_artifact(cache):
    """1 GiB, written once into the cache dir; returns (path, sha512 digest, sha1 hex)."""
    path = os.path.join(cache, f"{BIG}-1.0.0.tgz")
    sums = path + ".sums"
    if os.path.exists(path) and os.path.exists(sums) and os.path.getsize(path) == BIG_BYTES:
        with open(sums) as f:
            s512, s1 = f.read().split()
        return path, bytes.fromhex(s512), s1
    block = random.Random(7).randbytes(1 << 20)
    h512, h1 = hashlib.sha512(), hashlib.sha1()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        for i in range(BIG_BYTES >> 20):
            chunk = i.to_bytes(8, "big") + block[8:]
            f.write(chunk)
            h512.update(chunk)
            h1.update(chunk)
    os.replace(tmp, path)
    with open(sums, "w") as f:
        f.write(h512.hexdigest() + " " + h1.hexdigest())
    return path, h512.digest(), h1.hexdigest()


def packument(name, base, versions, recent_latest=False, filler=0):
    """versions: list of (version, tarball file name, sha512 digest, sha1 hex, size); filler: bytes of
    description per version (large real packuments are large because of per-version text)."""
    doc = {"_id": name, "_rev": "7-0123456789abcdef0123456789abcdef", "name": name,
           "description": "Airlock benchmark fixture", "dist-tags": {"latest": versions[-1][0]},
           "versions": {}, "time": {"created": "2023-01-01T00:00:00.000Z", "modified": "2024-06-01T00:00:00.000Z"},
           "maintainers": [{"name": "bench", "email": "bench@example.invalid"}],
           "license": "Apache-2.0", "readme": "# " + name + "\n"}
    for i, (version, file, digest, sha1, size) in enumerate(versions):
        doc["versions"][version] = {
            "name": name, "version": version,
            "description": "Airlock benchmark fixture" + ("." * filler),
            "main": "index.js", "license": "Apache-2.0", "_id": f"{name}@{version}",
            "dependencies": {}, "engines": {"node": ">=18"},
            "dist": {"tarball": f"{base}{name}/-/{file}", "shasum": sha1, "integrity": sri512(digest),
                     "fileCount": 2, "unpackedSize": size},
        }
        doc["time"][version] = f"20{10 + i // 336:02d}-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}T10:00:00.000Z"
    if recent_latest:
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 3600))
        doc["time"][versions[-1][0]] = now
        doc["time"]["modified"] = now
    return json.dumps(doc, indent=1).encode()


def listed_only(name, count):
    """Versions that are listed but never downloaded: digests derived from the file name."""
    out = []
    for i in range(count):
        file = f"{name}-1.{i // 100}.{i % 100}.tgz"
        seed = hashlib.sha512(file.encode()).digest()
        out.append((f"1.{i // 100}.{i % 100}", file, seed, hashlib.sha1(seed).hexdigest(), 100 * 1024))
    return out


def build(root, cache, base):
    os.makedirs(os.path.join(root, "packuments"), exist_ok=True)
    os.makedirs(os.path.join(root, "tarballs"), exist_ok=True)
    tgz = small_tarball()
    latest_file = f"{PKG}-1.0.{VERSIONS - 1}.tgz"
    with open(os.path.join(root, "tarballs", latest_file), "wb") as f:
        f.write(tgz)
    versions = []
    for i in range(VERSIONS):
        file = f"{PKG}-1.0.{i}.tgz"
        if file == latest_file:
            versions.append((f"1.0.{i}", file, hashlib.sha512(tgz).digest(), hashlib.sha1(tgz).hexdigest(), len(tgz)))
        else:  # older versions are listed only; the benchmark never downloads them
            seed = hashlib.sha512(file.encode()).digest()
            versions.append((f"1.0.{i}", file, seed, hashlib.sha1(seed).hexdigest(), 100 * 1024))
    with open(os.path.join(root, "packuments", PKG + ".json"), "wb") as f:
        f.write(packument(PKG, base, versions, recent_latest=True))
    with open(os.path.join(root, "packuments", HUGE + ".json"), "wb") as f:
        f.write(packument(HUGE, base, listed_only(HUGE, HUGE_VERSIONS), filler=3000))
    big_path, big512, big1 = big_artifact(cache)
    link = os.path.join(root, "tarballs", os.path.basename(big_path))
    if not os.path.exists(link):
        os.symlink(big_path, link)
    with open(os.path.join(root, "packuments", BIG + ".json"), "wb") as f:
        f.write(packument(BIG, base, [("1.0.0", os.path.basename(big_path), big512, big1, BIG_BYTES)]))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."
    base = ""
    PACKUMENT = re.compile(r"^/npm/([a-z0-9][a-z0-9._-]*)$")
    TARBALL = re.compile(r"^/npm/([a-z0-9][a-z0-9._-]*)/-/([a-z0-9][a-z0-9._-]*\.tgz)$")

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        m = self.PACKUMENT.match(self.path)
        if self.path == "/npm/-/ping":
            return self.send_bytes(200, "application/json", b"{}")
        if m and MANY.match(m.group(1)):
            body = packument(m.group(1), self.base, listed_only(m.group(1), MANY_VERSIONS))
            return self.send_bytes(200, "application/json", body, [("Cache-Control", "max-age=300")])
        if m:
            return self.send_file(os.path.join(self.root, "packuments", m.group(1) + ".json"),
                                  "application/json", "max-age=300")
        m = self.TARBALL.match(self.path)
        if m:
            return self.send_file(os.path.join(self.root, "tarballs", m.group(2)),
                                  "application/octet-stream", "public, max-age=31536000, immutable")
        return self.send_bytes(404, "application/json", b'{"error":"Not found"}')

    def send_bytes(self, status, ctype, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_file(self, path, ctype, cache_control):
        if not os.path.isfile(path):
            return self.send_bytes(404, "application/json", b'{"error":"Not found"}')
        size = os.path.getsize(path)
        if size < 64 << 20:
            with open(path, "rb") as f:
                body = f.read()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.send_bytes(200, ctype, body, [("ETag", etag), ("Cache-Control", cache_control)])
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", cache_control)
        self.end_headers()
        with open(path, "rb") as f:
            shutil.copyfileobj(f, self.wfile, 1 << 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    build(args.root, args.cache, f"http://127.0.0.1:{port}/npm/")
    Handler.root = args.root
    Handler.base = f"http://127.0.0.1:{port}/npm/"
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fake upstream on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

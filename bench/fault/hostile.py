"""Hostile input for the fault suite: raw requests no client should send (encoded traversal,
oversize headers and bodies, CL/TE smuggling, invalid names, Host variants), and new versions
whose tarballs are hostile archives (links out, a device file, deep nesting, 100,000 entries, a
text bomb, a claimed 8 GiB entry). Everything goes to 127.0.0.1."""
import re
import socket
import tarfile
import threading

import upstream as up


def hostile_requests(port, count):
    """count raw requests a client should never send; returns {outcome: n}."""
    long_name = "a" * 5000
    paths = ["/npm/..%2f..%2fetc%2fpasswd", "/npm/%2e%2e/%2e%2e/etc/passwd", "/npm/%252e%252e%252fetc",
             "/pypi/files/x/http/127.0.0.1:1/../../../etc/passwd", "/pypi/simple/..%2f..%2f/", "/npm/@@@/x",
             "/npm/%00", "/npm/" + long_name, "/npm/left%0d%0aSet-Cookie:x", "/ui/../../etc/passwd",
             "/api/v1/../../metrics", "/npm/@scope/", "/npm/-/../../x", "//npm//x", "/npm/x/-/..%2F..%2Fy.tgz"]
    kinds = []
    for p in paths:
        kinds.append(("traversal_or_name", "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % p))
    kinds.append(("oversize_header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n" % ("b" * 70000)))
    kinds.append(("oversize_body", "POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n" + "{" * 65536))
    kinds.append(("cl_te_smuggling", "POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: x\r\n"
                                     "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"))
    kinds.append(("te_te_smuggling", "POST /npm/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                     "Transfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
    kinds.append(("bad_chunk", "POST /npm/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"))
    for host in ["evil.example", "", "127.0.0.1:99999", "[::1", "a" * 3000, "x y", "127.0.0.1\r\nHost: evil"]:
        kinds.append(("host_variant", "GET /npm/left-pad HTTP/1.1\r\nHost: %s\r\n\r\n" % host))
    kinds.append(("host_variant", "GET /npm/left-pad HTTP/1.1\r\n\r\n"))
    kinds.append(("host_variant", "GET /npm/left-pad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"))
    kinds.append(("bad_request_line", "GARBAGE\r\n\r\n"))
    kinds.append(("bad_request_line", "GET " + "/x" * 10000 + " HTTP/1.1\r\nHost: x\r\n\r\n"))
    outcomes = {}
    lock = threading.Lock()
    todo = [kinds[i % len(kinds)] for i in range(count)]

    def one(kind, raw):
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        try:
            try:
                s.sendall(raw.encode("latin-1"))
            except OSError:
                pass
            data = b""
            try:
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            m = re.match(rb"HTTP/1\.[01] (\d)\d\d", data)
            key = kind + ":" + (m.group(1).decode() + "xx" if m else "closed")
        finally:
            s.close()
        with lock:
            outcomes[key] = outcomes.get(key, 0) + 1

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                kind, raw = todo.pop()
            try:
                one(kind, raw)
            except OSError:
                with lock:
                    outcomes[kind + ":connect_failed"] = outcomes.get(kind + ":connect_failed", 0) + 1
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def hostile_archives(reg, now):
    """New versions whose tarballs are hostile archives; returns their names."""
    out = []

    def tinfo(name, kind, **kw):
        t = tarfile.TarInfo("package/" + name)
        t.type = kind
        for k, v in kw.items():
            setattr(t, k, v)
        return t
    reg.add("hostile-links", "1.0.0", up.npm_tarball("hostile-links", "1.0.0", [
        tinfo("etc", tarfile.SYMTYPE, linkname="/etc/passwd"), tinfo("up", tarfile.LNKTYPE, linkname="../../../x")]), now)
    reg.add("hostile-device", "1.0.0", up.npm_tarball("hostile-device", "1.0.0", [
        tinfo("null", tarfile.CHRTYPE, devmajor=1, devminor=3)]), now)
    reg.add("hostile-deep", "1.0.0", up.npm_tarball("hostile-deep", "1.0.0", [("/".join(["d"] * 300) + "/x.js", b"1")]), now)
    reg.add("hostile-many", "1.0.0", up.npm_tarball("hostile-many", "1.0.0",
                                                    [("f/%06d.js" % i, b"") for i in range(100_000)]), now)
    reg.add("hostile-bomb", "1.0.0", up.text_bomb("hostile-bomb", "1.0.0", 64, 4 << 20), now)
    sparse = tinfo("sparse.bin", tarfile.REGTYPE, size=8 << 30)   # claims 8 GiB, carries nothing
    reg.add("hostile-sparse", "1.0.0", up.npm_tarball("hostile-sparse", "1.0.0", [sparse])[:4096], now)
    out += ["hostile-links", "hostile-device", "hostile-deep", "hostile-many", "hostile-bomb", "hostile-sparse"]
    return out

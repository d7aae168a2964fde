"""Listener on common ports of every address the sandbox can reach (all of them route to loopback).

Records the first bytes of each connection, the HTTP request line and Host header when it looks like
HTTP, and answers HTTP with an empty 200 so clients send their whole request.
"""
import base64
import json
import socket
import threading
import time

PORTS = (21, 22, 23, 25, 80, 443, 1080, 1337, 3000, 3128, 4444, 5000, 5555, 6667, 8000, 8080, 8081,
         8443, 8888, 9000, 9001, 9999)
_MAX = 8192
_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"DELETE ", b"PATCH ", b"OPTIONS ", b"CONNECT ")


class Listener:
    def __init__(self, log_path):
        self._log = open(log_path, "a", buffering=1)
        self._lock = threading.Lock()

    def start(self, ports=PORTS):
        bound = []
        for port in ports:
            for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                try:
                    sock = socket.socket(family, socket.SOCK_STREAM)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    if family == socket.AF_INET6:
                        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    sock.bind((host, port))
                    sock.listen(16)
                except OSError:
                    continue
                threading.Thread(target=self._accept, args=(sock, port), daemon=True).start()
                bound.append(port)
        return sorted(set(bound))

    def _accept(self, sock, port):
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, port), daemon=True).start()

    def _handle(self, conn, port):
        try:
            local = conn.getsockname()[0]
            conn.settimeout(2.0)
            data = b""
            while len(data) < _MAX:
                try:
                    chunk = conn.recv(_MAX - len(data))
                except (socket.timeout, OSError):
                    break
                if not chunk:
                    break
                data += chunk
                if data.startswith(_METHODS) and _http_complete(data):
                    break
            record = {"address": local, "port": port, "t": time.time(),
                      "firstBytes": base64.b64encode(data[:_MAX]).decode("ascii")}
            if data.startswith(_METHODS):
                head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
                lines = head.split("\r\n")
                record["requestLine"] = lines[0]
                for line in lines[1:]:
                    if line.lower().startswith("host:"):
                        record["host"] = line[5:].strip()
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass
            with self._lock:
                self._log.write(json.dumps(record, sort_keys=True) + "\n")
        finally:
            conn.close()


def _http_complete(data):
    if b"\r\n\r\n" not in data:
        return False
    head, body = data.split(b"\r\n\r\n", 1)
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            try:
                return len(body) >= int(line.split(b":", 1)[1].strip())
            except ValueError:
                return True
    return True

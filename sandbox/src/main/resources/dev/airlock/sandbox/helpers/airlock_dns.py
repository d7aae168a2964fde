"""DNS responder for the sandbox's loopback.

Logs every name asked and answers A queries with a unique address from 198.18.0.0/15 per name, so
a later connect() to that address maps back to the name. Other types get an empty answer, which
makes resolvers fall back to A.
"""
import json
import socket
import struct
import threading
import time

_BASE = (198 << 24) | (18 << 16)


class Responder:
    def __init__(self, log_path):
        self._log = open(log_path, "a", buffering=1)
        self._lock = threading.Lock()
        self._addresses = {}

    def address_for(self, name):
        with self._lock:
            if name not in self._addresses:
                n = len(self._addresses) + 1
                self._addresses[name] = socket.inet_ntoa(struct.pack("!I", _BASE + n))
            return self._addresses[name]

    def serve_udp(self, host="127.0.0.1", port=53):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        thread = threading.Thread(target=self._loop, args=(sock,), daemon=True)
        thread.start()

    def _loop(self, sock):
        while True:
            try:
                data, peer = sock.recvfrom(4096)
                answer = self.handle(data)
                if answer:
                    sock.sendto(answer, peer)
            except Exception as e:  # a malformed query must never stop the responder
                self._write({"error": repr(e)})

    def handle(self, data):
        if len(data) < 12:
            self._write({"error": "short query", "bytes": len(data)})
            return None
        qid, flags, qdcount = struct.unpack("!HHH", data[:6])
        if qdcount < 1:
            return None
        labels, pos = [], 12
        while pos < len(data):
            length = data[pos]
            if length == 0 or length > 63:
                break
            labels.append(data[pos + 1:pos + 1 + length].decode("ascii", "replace"))
            pos += 1 + length
        pos += 1
        if pos + 4 > len(data):
            self._write({"error": "truncated question"})
            return None
        qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
        question = data[12:pos + 4]
        name = ".".join(labels).rstrip(".").lower()
        record = {"name": name, "type": qtype, "t": time.time()}
        answers = b""
        ancount = 0
        if qtype == 1 and qclass == 1:
            address = self.address_for(name)
            record["address"] = address
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(address)
            ancount = 1
        self._write(record)
        # Response, recursion desired copied, recursion available, NOERROR.
        rflags = 0x8000 | (flags & 0x0100) | 0x0080
        header = struct.pack("!HHHHHH", qid, rflags, 1, ancount, 0, 0)
        return header + question + answers

    def _write(self, record):
        with self._lock:
            self._log.write(json.dumps(record, sort_keys=True) + "\n")

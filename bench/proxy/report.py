#!/usr/bin/env python3
"""Reads the wrk outputs that run.sh wrote (wrk-<server>-<resource>-<round>.txt) and prints, per
server and resource, the round with the median req/s (its p50 and p99 with it), then Airlock's
ratios to nginx and Verdaccio with the issue's targets next to them.

A ratio is printed only when every run of every server answered every request with the expected
success: no status, connect, read, write or timeout error in wrk's totals, and the bytes read per
answer equal to what one checked answer (headers and body) weighs. Otherwise it says why and exits 1."""
import glob
import os
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
SERVERS = ("nginx", "airlock", "verdaccio")
# Bytes per answer a header may vary by (an HTTP date is fixed length; an ETag or id may not be).
HEADER_SLACK = 16


def parse(path):
    text = open(path).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    pct = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors:.*", text)
    summary = re.search(r"SUMMARY requests=(\d+) bytes=(\d+) connect=(\d+) read=(\d+) write=(\d+) status=(\d+) timeout=(\d+)", text)
    expect = re.search(r"EXPECT bytes_per_answer=(\d+)(?: connections=(\d+))?", text)
    if not rps or "50" not in pct or "99" not in pct or not summary or not expect:
        return {"bad": f"{os.path.basename(path)}: no complete wrk output"}
    req, nbytes, conn, rd, wr, st, to = (int(x) for x in summary.groups())
    bad = []
    if req == 0:
        bad.append("no requests")
    if st or (errors and int(errors.group(1))):
        bad.append(f"{st} answers not 2xx/3xx")
    if conn or rd or wr or to:
        bad.append(f"socket errors connect {conn} read {rd} write {wr} timeout {to}")
    want = int(expect.group(1))
    conns = int(expect.group(2) or 32)
    per = nbytes / req if req else 0
    # Every completed answer must weigh what the checked one did, give or take HEADER_SLACK (a header
    # whose value changes length, such as a date or a request id); wrk also counts the bytes it had
    # read of the answers still in flight when it stopped, at most one per connection, so up to that
    # much more is allowed, and nothing else: a short or redirected answer leaves bytes missing.
    low = req * (want - HEADER_SLACK)
    high = req * (want + HEADER_SLACK) + conns * want
    if req and not low <= nbytes <= high:
        bad.append(f"{nbytes} bytes for {req} answers ({per:.1f} each), expected {want} each plus at most "
                   f"one partial answer per connection (some answers were not the checked 200)")

    def ms(v):
        m = re.match(r"([\d.]+)(us|ms|s)$", v)
        return float(m.group(1)) * UNITS[m.group(2)]

    return {"rps": float(rps.group(1)), "p50": ms(pct["50"]), "p99": ms(pct["99"]),
            "bad": f"{os.path.basename(path)}: " + "; ".join(bad) if bad else None, "requests": req}


def main(work):
    rows = {}
    failures = []
    print(f"{'resource':<11}{'server':<11}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>9}  notes")
    for resource in ("tarball", "packument"):
        for server in SERVERS:
            parsed = [parse(p) for p in sorted(glob.glob(os.path.join(work, f"wrk-{server}-{resource}-*.txt")))]
            failures += [r["bad"] for r in parsed if r["bad"]]
            runs = [r for r in parsed if not r["bad"]]
            if not runs or len(runs) != len(parsed):
                rows[(server, resource)] = None
                print(f"{resource:<11}{server:<11}{'n/a':>11}")
                continue
            runs.sort(key=lambda x: x["rps"])
            r = runs[len(runs) // 2]
            rows[(server, resource)] = r
            notes = f"{r['requests']} answers, all 200 with the checked bytes; "
            if len(runs) > 1:
                label = "median" if len(runs) % 2 else "upper median"
                notes += f"{label} of {len(runs)}: " + "/".join(f"{x['rps']:.0f}" for x in runs)
            print(f"{resource:<11}{server:<11}{r['rps']:>11.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}  {notes}")
    print()
    if failures:
        for f in failures:
            print(f"FAILED: {f}")
        print("no ratios: not every answer was the expected success")
        return 1
    for resource in ("tarball", "packument"):
        n, a, v = (rows[(s, resource)] for s in SERVERS)
        if a and n:
            print(f"{resource}: Airlock/nginx throughput {a['rps'] / n['rps']:.2f}x (target >= 0.8x), "
                  f"p99 {a['p99'] / n['p99']:.2f}x nginx (target <= 1.5x)")
        if a and v:
            print(f"{resource}: Airlock/Verdaccio throughput {a['rps'] / v['rps']:.1f}x (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

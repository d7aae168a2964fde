#!/usr/bin/env python3
"""Reads the wrk outputs that run.sh wrote (wrk-<server>-<resource>-<round>.txt) and prints, per
server and resource, the round with the median req/s (its p50 and p99 with it), then Airlock's
ratios to nginx and Verdaccio with the issue's targets next to them."""
import glob
import os
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
SERVERS = ("nginx", "airlock", "verdaccio")


def parse(path):
    text = open(path).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    pct = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors:.*", text)
    if not rps or "50" not in pct or "99" not in pct:
        return None

    def ms(v):
        m = re.match(r"([\d.]+)(us|ms|s)$", v)
        return float(m.group(1)) * UNITS[m.group(2)]

    return {"rps": float(rps.group(1)), "p50": ms(pct["50"]), "p99": ms(pct["99"]),
            "non2xx": int(errors.group(1)) if errors else 0, "sock": sock.group(0) if sock else ""}


def main(work):
    rows = {}
    print(f"{'resource':<11}{'server':<11}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>9}  notes")
    for resource in ("tarball", "packument"):
        for server in SERVERS:
            runs = [r for r in (parse(p) for p in sorted(glob.glob(os.path.join(work, f"wrk-{server}-{resource}-*.txt"))))
                    if r is not None]
            if not runs:
                rows[(server, resource)] = None
                print(f"{resource:<11}{server:<11}{'n/a':>11}")
                continue
            runs.sort(key=lambda x: x["rps"])
            r = runs[len(runs) // 2]
            rows[(server, resource)] = r
            notes = (f"{r['non2xx']} non-2xx! " if r["non2xx"] else "") + r["sock"]
            if len(runs) > 1:
                label = "median" if len(runs) % 2 else "upper median"
                notes += f"{label} of {len(runs)}: " + "/".join(f"{x['rps']:.0f}" for x in runs)
            print(f"{resource:<11}{server:<11}{r['rps']:>11.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}  {notes}")
    print()
    for resource in ("tarball", "packument"):
        n, a, v = (rows[(s, resource)] for s in SERVERS)
        if a and n:
            print(f"{resource}: Airlock/nginx throughput {a['rps'] / n['rps']:.2f}x (target >= 0.8x), "
                  f"p99 {a['p99'] / n['p99']:.2f}x nginx (target <= 1.5x)")
        if a and v:
            print(f"{resource}: Airlock/Verdaccio throughput {a['rps'] / v['rps']:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main(sys.argv[1])

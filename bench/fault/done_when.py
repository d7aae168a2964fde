"""The "Done when" checks of issue 10, from outside, against Airlock as its own JVM (-Xmx512m):
  1. 100 concurrent downloads whose upstream body stalls half-way all end with an error within
     3 minutes, while a cached packument keeps answering in under 2 s;
  2. a 700 x 4 MiB text-bomb tarball requested anonymously leaves Airlock alive, and alive again
     after a restart (the job is recorded, not re-run into a crash loop);
  3. after 1,100 overrides `airlock admin audit` lists the newest first.
Prints one line per check with its figures; exits 1 if any fails."""
import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import upstream as up  # noqa: E402
from airlock_proc import TOKEN, Airlock, log  # noqa: E402

OLD = "2020-01-01T00:00:00.000Z"


def stalled_downloads(air, reg):
    names = ["stall-%03d" % i for i in range(100)]
    for n in names:
        reg.add(n, "1.0.0", up.npm_tarball(n, "1.0.0", [("blob.bin", os.urandom(256 * 1024))]), OLD)
        reg.stall_names.add(n)
        air.request("GET", "/npm/" + n, timeout=30)
    reg.add("cached-one", "1.0.0", up.npm_tarball("cached-one", "1.0.0"), OLD)
    assert air.request("GET", "/npm/cached-one", timeout=30)[0] == 200
    ends, outcomes = [], {}
    lock = threading.Lock()
    t0 = time.time()

    def one(n):
        outcome = "200"
        try:
            st, body = air.request("GET", "/npm/%s/-/%s-1.0.0.tgz" % (n, n), timeout=400)
            outcome = str(st)
        except (OSError, http.client.HTTPException) as e:
            outcome = type(e).__name__
        with lock:
            ends.append(time.time() - t0)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    worst = 0.0
    while any(t.is_alive() for t in threads) and time.time() - t0 < 400:
        s = time.time()
        st, _ = air.request("GET", "/npm/cached-one", timeout=30)
        took = time.time() - s
        worst = max(worst, took if st == 200 else 99.0)
        time.sleep(0.5)
    for t in threads:
        t.join(1)
    last = max(ends) if len(ends) == 100 else float("inf")
    ok = len(ends) == 100 and last <= 180 and "200" not in outcomes and worst < 2.0
    print("stalled downloads: %d of 100 ended, last after %.1f s, outcomes %s; cached packument worst %.3f s -> %s"
          % (len(ends), last, outcomes, worst, "OK" if ok else "FAIL"))
    return ok


def text_bomb(air, reg):
    log("building the 700 x 4 MiB text bomb")
    bomb = up.text_bomb("text-bomb", "1.0.0", 700, 4 << 20)
    reg.add("text-bomb", "1.0.0", bomb, OLD)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    reg.add("text-bomb-new", "1.0.0", bomb, now)
    statuses = []
    for n in ("text-bomb", "text-bomb-new"):
        try:
            air.request("GET", "/npm/" + n, timeout=30)
            statuses.append(air.request("GET", "/npm/%s/-/%s-1.0.0.tgz" % (n, n), timeout=120)[0])
        except (OSError, http.client.HTTPException) as e:
            statuses.append(type(e).__name__)
    time.sleep(60)
    alive1 = air.alive() and air.request("GET", "/healthz", timeout=10)[0] == 200
    rss, heap = air.rss_and_heap()
    air.stop()
    air.start()
    time.sleep(45)
    alive2 = air.alive() and air.request("GET", "/healthz", timeout=10)[0] == 200
    st, body = air.api("GET", "packages/npm/text-bomb/1.0.0")
    state = (body or {}).get("state")
    ok = alive1 and alive2 and 200 not in statuses
    print("text bomb (%.1f MiB on the wire, 2800 MiB inside): downloads answered %s, alive %s, heap %.0f MiB RSS %.0f MiB, "
          "alive after restart %s, verdict %s -> %s" % (len(bomb) / 2**20, statuses, alive1, heap / 2**20, rss / 2**20,
                                                         alive2, state, "OK" if ok else "FAIL"))
    return ok


def audit_newest_first(air, reg):
    reg.add("audited", "1.0.0", up.npm_tarball("audited", "1.0.0"), OLD)
    air.request("GET", "/npm/audited", timeout=30)
    for i in range(1100):
        st, _ = air.api("POST", "packages/npm/audited/1.0.0/override",
                        {"action": "allow" if i % 2 == 0 else "block", "reason": "done-when override %04d" % i})
        if st != 200:
            print("audit: override %d answered %d -> FAIL" % (i, st))
            return False
    # As a user would: bin/airlock (on the jar run.sh built), URL and token from the environment.
    launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "airlock")
    env = dict(os.environ, AIRLOCK_SKIP_BUILD="1", AIRLOCK_URL=air.url, AIRLOCK_ADMIN_TOKEN=TOKEN)
    run = subprocess.run([launcher, "admin", "audit"], capture_output=True, text=True, timeout=120, env=env)
    out = run.stdout
    if run.returncode != 0:
        print("audit: bin/airlock admin audit exited %d: %s -> FAIL" % (run.returncode, run.stderr.strip()[-300:]))
        return False
    seen = [line for line in out.splitlines() if "done-when override" in line]
    first = seen[0] if seen else ""
    ok = "done-when override 1099" in first
    print("audit after 1,100 overrides: first line %r -> %s" % (first.strip()[:140], "OK" if ok else "FAIL"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="airlock-donewhen.")
    reg = up.Registry()
    port = reg.start()
    base = "http://127.0.0.1:%d/" % port
    air = Airlock(args.jar, os.path.join(work, "data"), base + "npm/", base + "simple/", "512m", work)
    results = []
    try:
        air.start()
        results.append(stalled_downloads(air, reg))
        results.append(audit_newest_first(air, reg))
        results.append(text_bomb(air, reg))
    finally:
        air.stop()
        if os.environ.get("AIRLOCK_FAULT_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("logs kept in " + work)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

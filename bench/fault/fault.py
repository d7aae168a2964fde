"""Airlock's fault and load suite (issue 10).

Local upstreams serve real packages: an npm tree fetched once from the configured npm registry
(npm_tree.py) and this machine's PyPI mirror (pypi_upstream.py). Airlock runs as its own JVM
(-Xmx512m) on a size-limited data filesystem in front of them. N real clients run full
`npm install` and `pip install` loops through it (installers.py), each from an empty cache, while
faults are injected on a timeline: upstream resets mid-body, stalled bodies, 5xx bursts, tampered
and truncated artifacts, kill -9 during analyses and restart, the data disk filled to 100% and
freed, hostile requests and hostile archives. Probe threads fetch artifacts themselves and compare
every byte with the upstream's. At the end Airlock is restarted and nothing acknowledged may be
missing. Prints the figures; exits 1 unless unverdicted serves, tampered bytes served and lost
verdicts/overrides/audit lines are all 0 (and Airlock is alive). Everything binds to 127.0.0.1;
every process started here is stopped at the end."""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import hostile  # noqa: E402
import npm_tree  # noqa: E402
import pypi_upstream  # noqa: E402
import upstream as up  # noqa: E402
from access_log import AccessLog  # noqa: E402
from airlock_proc import Airlock, log  # noqa: E402
from installers import Installers, Probes  # noqa: E402

OLD = "2020-01-01T00:00:00.000Z"
UPSTREAM_FAULTS = ("reset", "stall", "5xx", "tamper", "truncate")
# Small pure-Python trees from the local mirror (each installs with --only-binary on Python 3.11).
PIP_ROOTS = ["requests", "click", "attrs", "packaging", "six", "idna", "python-dateutil", "tqdm", "tabulate", "pyyaml",
             "jinja2", "humanize", "toml", "termcolor", "colorama", "sortedcontainers", "more-itertools", "cachetools",
             "deprecated", "prettytable", "emoji", "python-slugify", "pygments", "markdown-it-py", "pytz", "httpx",
             "jsonschema", "rich", "pytest", "flask"]


def p(xs, q):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class Run:
    """One run's state: upstreams, Airlock, clients, the phase timeline and what was measured."""

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.data = os.path.join(work, "data")
        os.makedirs(self.data)
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % args.disk_mb, "tmpfs", self.data],
                                      stderr=subprocess.DEVNULL).returncode == 0
        if not self.mounted:
            log("cannot mount a size-limited tmpfs (not root?): the disk-full phase is skipped")
        self.reg = up.Registry()
        self.npm_roots, tree = npm_tree.load(log=log)
        self.npm_truth = {}
        for pkg in tree:
            with open(pkg["path"], "rb") as f:
                data = f.read()
            self.reg.add(pkg["name"], pkg["version"], data, OLD, up.manifest_of(data))
            self.npm_truth[(pkg["name"], pkg["version"])] = hashlib.sha512(data).digest()
        self.pypi = pypi_upstream.PypiUpstream(self.reg)
        self.pip_roots = [r for r in PIP_ROOTS if self.pypi.listing(r)]
        npm_port, pypi_port = self.reg.start(), self.pypi.start()
        # Built before the clock starts (the 100,000-entry archive takes a while on a busy machine).
        self.hostile = hostile.hostile_archives(self.reg, now_iso())
        self.phase = ["warmup"]
        self.air = Airlock(args.jar, self.data, "http://127.0.0.1:%d/npm/" % npm_port,
                           "http://127.0.0.1:%d/simple/" % pypi_port, args.xmx, work,
                           # Metadata revalidates every 10 s, so upstream faults reach packuments and pages too.
                           extra=["--upstream.metadataTtl", "10s"])
        # Roots offered to the clients: part of each pool at first, more at each upstream fault, so
        # every fault meets artifacts Airlock has not stored yet.
        self.eligible = {"npm": max(4, len(self.npm_roots) - 2 * len(UPSTREAM_FAULTS)),
                         "pip": max(4, len(self.pip_roots) - 3 * len(UPSTREAM_FAULTS))}
        self.installers = Installers(args.clients, self.air.url, work, self.npm_roots, self.pip_roots, self.eligible,
                                     self.phase, args.install_timeout)
        self.probes = Probes(args.probes, self.air, self.npm_truth, self.pypi, self.pip_roots, self.phase)
        self.access = AccessLog(self.air, self.phase)
        self.stop = threading.Event()
        self.peak = {"rss": 0, "heap": 0}
        self.acknowledged = []   # (ecosystem, name@version, reason) the override API said 200 to
        self.fault_ends = []     # (fault, when the upstream or Airlock came back)
        self.fetch_recovery = {}  # fault -> seconds until a never-fetched tarball came through
        self.lost_verdicts = []
        self.new_versions = []   # versions published during the run: each must reach a verdict
        self.kill_check = None
        self.askers = []
        self.results = {}

    # ---------------------------------------------------------------- side threads

    def sampler(self):
        while not self.stop.is_set():
            if self.air.alive():
                r, h = self.air.rss_and_heap()
                self.peak["rss"] = max(self.peak["rss"], r)
                self.peak["heap"] = max(self.peak["heap"], h)
            time.sleep(2)

    def overrides(self):
        targets = sorted(self.npm_truth)[:40]
        i = 0
        while not self.stop.is_set():
            name, version = targets[i % len(targets)]
            reason = "fault-suite override %d" % i
            try:
                st, _ = self.air.api("POST", "packages/npm/%s/%s/override" % (name, version),
                                     {"action": "allow", "reason": reason}, timeout=30)
                if st == 200:
                    self.acknowledged.append(("npm", "%s@%s" % (name, version), reason))
            except Exception:   # noqa: BLE001 - an unanswered override is simply not acknowledged
                pass
            i += 1
            time.sleep(0.5)

    def fetch_probe(self, fault):
        """Seconds until a tarball never fetched before comes through, from the upstream's return."""
        name = "fault-recover-" + fault
        self.reg.add(name, "1.0.0", up.npm_tarball(name, "1.0.0"), OLD)
        back = time.time()
        while time.time() - back < 90 and not self.stop.is_set():
            try:
                st, _ = self.air.request("GET", "/npm/%s/-/%s-1.0.0.tgz" % (name, name), timeout=15)
                if st == 200:
                    self.fetch_recovery[fault] = time.time() - back
                    return
            except Exception:   # noqa: BLE001 - not yet
                pass
            time.sleep(0.2)

    # ---------------------------------------------------------------- the timeline

    def set_fault(self, f):
        previous = self.phase[0]
        self.phase[0] = f
        self.reg.fault = f if f in UPSTREAM_FAULTS else "none"
        if f in UPSTREAM_FAULTS:
            self.eligible["npm"] = min(len(self.npm_roots), self.eligible["npm"] + 2)
            self.eligible["pip"] = min(len(self.pip_roots), self.eligible["pip"] + 3)
        if previous in UPSTREAM_FAULTS:
            self.fault_ends.append((previous, time.time()))
            threading.Thread(target=self.fetch_probe, args=(previous,), daemon=True).start()
        log("t=%3ds phase %s" % (time.time() - self.t0, f))

    def at(self, frac):
        left = self.t0 + self.args.duration * frac - time.time()
        if left > 0:
            time.sleep(left)

    def publish_new_versions(self):
        """New versions (and the hostile archives) are published and asked for, so that analyses
        run when the kills come; in the background, from the calm phase before the kills."""
        for i in range(4):
            n = "fault-new-%d" % i
            self.reg.add(n, "1.0.0", up.npm_tarball(n, "1.0.0"), now_iso())
            self.new_versions.append(n)
        self.new_versions += self.hostile

        def ask(n):
            # An anonymous listing queues the analysis (asked again while the upstream's breaker is
            # still open after the faults); a held download waits, so do not wait for it.
            until = time.time() + 30
            while time.time() < until:
                try:
                    if self.air.request("GET", "/npm/" + n, timeout=20)[0] == 200:
                        self.air.request("GET", "/npm/%s/-/%s-1.0.0.tgz" % (n, n), timeout=3)
                        return
                except Exception:   # noqa: BLE001
                    pass
                time.sleep(1)
        self.askers = [threading.Thread(target=ask, args=(n,), daemon=True) for n in self.new_versions]
        for t in self.askers:
            t.start()

    def kill_during_analyses(self):
        t0 = time.time()
        for t in self.askers:
            t.join(max(0.1, t0 + 40 - time.time()))
        log("%d new versions asked for (waited %.1f s more)" % (len(self.new_versions), time.time() - t0))
        before = {}
        for k in range(2):
            t0 = time.time()
            before.update(checks.snapshot(self.air))
            log("snapshot of %d versions in %.1f s" % (len(before), time.time() - t0))
            time.sleep(random.uniform(2, 6))
            log("kill -9 during analyses (%d)" % (k + 1))
            self.air.kill9()
            self.air.start()
            self.fault_ends.append(("kill", time.time()))

        def check():   # a verdict counts as lost only once the restarted process had time to replay
            self.lost_verdicts.extend(checks.lost(before, checks.settled(self.air, before)))
        self.kill_check = threading.Thread(target=check, daemon=True)
        self.kill_check.start()

    def timeline(self):
        a = self
        a.at(0.08); a.set_fault("none")
        a.at(0.12); a.set_fault("reset")
        a.at(0.18); a.set_fault("stall")
        a.at(0.24); a.set_fault("5xx")
        a.at(0.30); a.set_fault("none")
        a.at(0.34); a.set_fault("tamper")
        a.at(0.40); a.set_fault("truncate")
        a.at(0.46); a.set_fault("none")
        a.publish_new_versions()
        a.at(0.50); a.set_fault("kill")
        a.kill_during_analyses()
        # The kill phase lasts as long as two restarts take (a minute or more on a loaded machine):
        # the phases after it keep their own lengths rather than being squeezed out.
        d = a.args.duration
        a.set_fault("none")
        time.sleep(0.04 * d)
        a.set_fault("diskfull")
        filler = os.path.join(a.data, "filler")
        if a.mounted:
            subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=1M", "count=%d" % (a.args.disk_mb * 2)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.08 * d)
        if os.path.exists(filler):
            os.remove(filler)
        a.fault_ends.append(("diskfull", time.time()))
        a.set_fault("hostile")
        a.results["hostile"] = hostile.hostile_requests(a.air.port, a.args.hostile)
        # Alive, and answering within 2 minutes: a loaded machine is slow, which is not death.
        a.results["health_after_hostile_s"] = a.air.wait_healthy(120)
        a.fault_ends.append(("hostile", time.time()))
        a.set_fault("none")
        calm_until = max(a.t0 + d, time.time() + 0.1 * d)
        time.sleep(max(0.0, calm_until - time.time()))
        # Installs must succeed again after every fault: give the clients up to a minute more to show it.
        until = time.time() + 60
        while time.time() < until and any(a.installers.recovery(t) is None for _, t in a.fault_ends):
            time.sleep(2)

    def run(self):
        a = self.air
        a.start()
        self.access.start()
        self.t0 = time.time()
        for target in (self.sampler, self.overrides):
            threading.Thread(target=target, daemon=True).start()
        self.installers.start()
        self.probes.start()
        try:
            self.timeline()
        finally:
            self.phase[0] = "end"
            self.installers.finish()
            self.probes.finish()
            self.stop.set()
        if self.kill_check is not None:
            self.kill_check.join(120)
        # The end: a clean restart, then nothing acknowledged may be missing.
        before = checks.snapshot(a)
        a.stop()
        a.start()
        after = checks.settled(a, before)
        self.lost_verdicts.extend(checks.lost(before, after))
        self.results["lost_overrides"], self.results["lost_audit"] = checks.lost_overrides_and_audit(a, self.acknowledged)
        self.results["new_without_verdict"] = checks.wait_for_verdicts(a, self.new_versions, self.args.verdict_wait)
        self.access.finish()
        served = set(self.access.served) | set(self.probes.served)
        self.results["served_versions"] = len(served)
        last_served = dict(self.access.last_served)
        for key, t in self.probes.last_served.items():
            last_served[key] = max(t, last_served.get(key, 0))
        self.results["unverdicted"], self.results["changed_after"] = checks.unverdicted(a, served, last_served)
        self.results["alive_end"] = a.alive() and a.wait_healthy(60) is not None

    # ---------------------------------------------------------------- the report

    def report(self):
        r, ins = self.results, self.installers
        done = ins.done
        by = {}
        for rec in done:
            k = (rec.eco, rec.outcome if rec.outcome == "ok" else rec.kind)
            by[k] = by.get(k, 0) + 1
        integrity_failures = [rec for rec in done if rec.kind == "integrity"]
        tampered = self.probes.tampered + len(integrity_failures)
        installs_fault = [rec.t1 - rec.t0 for rec in done if rec.phase not in ("none", "warmup") and rec.outcome == "ok"]
        installs_calm = [rec.t1 - rec.t0 for rec in done if rec.phase in ("none", "warmup") and rec.outcome == "ok"]
        recovery = {f: ins.recovery(t) for f, t in self.fault_ends}
        examples = {}
        for rec in done:
            if rec.outcome != "ok" and rec.kind not in examples:
                examples[rec.kind] = rec.detail
        lost_verdicts = len(self.lost_verdicts)
        print("clients:                   %d real installers (npm %d, pip %d), %d probes, %d s; npm tree %d packages "
              "from %d roots, pip roots %d" % (ins.n, (ins.n + 1) // 2, ins.n // 2, self.probes.n, self.args.duration,
                                               len(self.npm_truth), len(self.npm_roots), len(self.pip_roots)))
        print("installs:                  %d done, %d ok (timeout %d s); by outcome %s; %d cut at the end"
              % (len(done), sum(1 for x in done if x.outcome == "ok"), ins.timeout,
                 json.dumps({"%s %s" % k: v for k, v in sorted(by.items())}), ins.cut))
        print("install seconds p50/p99:   calm %.1f / %.1f, during faults %.1f / %.1f"
              % (p(installs_calm, .5), p(installs_calm, .99), p(installs_fault, .5), p(installs_fault, .99)))
        print("requests (access log):     %d; by status %s" % (self.access.requests, json.dumps(dict(sorted(self.access.by_status.items())))))
        print("refusals by reason:        %s" % json.dumps(dict(sorted(self.access.decisions.items(), key=lambda kv: -kv[1])[:12])))
        print("probe requests:            %d, %d artifacts byte-checked; errors %s"
              % (self.probes.requests, self.probes.checked, json.dumps(dict(sorted(self.probes.errors.items())))))
        print("unverdicted serves:        %d of %d versions served %s" % (len(r["unverdicted"]), r["served_versions"],
                                                                         r["unverdicted"][:5] if r["unverdicted"] else ""))
        if r["changed_after"]:
            print("  verdict changed after the last serve (not counted): %d %s"
                  % (len(r["changed_after"]), r["changed_after"][:5]))
        print("tampered bytes served:     %d (probes %d, client integrity failures %d)"
              % (tampered, self.probes.tampered, len(integrity_failures)))
        print("lost verdicts:             %d %s" % (lost_verdicts, self.lost_verdicts[:5] if lost_verdicts else ""))
        print("lost overrides:            %d (of %d acknowledged)" % (r["lost_overrides"], len(self.acknowledged)))
        print("lost audit lines:          %d" % r["lost_audit"])
        print("new versions w/o verdict:  %d %s" % (len(r["new_without_verdict"]), r["new_without_verdict"]))
        print("peak heap / RSS (MiB):     %.0f / %.0f" % (self.peak["heap"] / 2**20, self.peak["rss"] / 2**20))
        print("p99 during faults / calm:  server %.2f s / %.2f s; probes %.2f s / %.2f s"
              % (p(self.access.latency["fault"], .99), p(self.access.latency["calm"], .99),
                 p(self.probes.latency["fault"], .99), p(self.probes.latency["calm"], .99)))
        print("recover after upstream:    fetch of a new tarball %s; first install ok after %s"
              % (json.dumps({f: round(s, 1) for f, s in self.fetch_recovery.items()}),
                 json.dumps({f: (round(s, 1) if s is not None else "never") for f, s in recovery.items()})))
        print("hostile requests:          %s" % json.dumps(dict(sorted(r["hostile"].items()))))
        health = r["health_after_hostile_s"]
        print("alive after hostile / end: %s / %s" % ("yes (healthz in %.1f s)" % health if health is not None else "NO",
                                                      "yes" if r["alive_end"] else "NO"))
        print("starts that exited:        %d%s" % (len(self.air.failed_starts), "" if not self.air.failed_starts
                                                   else " " + str(self.air.failed_starts)))
        for kind, detail in sorted(examples.items()):
            print("  e.g. %-12s %s" % (kind + ":", detail))
        never = [f for f, s in recovery.items() if s is None]
        bad = (r["unverdicted"] or tampered or lost_verdicts or r["lost_overrides"] or r["lost_audit"]
               or r["new_without_verdict"] or health is None or not r["alive_end"])
        if never:
            print("note: no install succeeded after %s ended" % never)
        if bad:
            print("FAIL: a zero figure is not zero, or Airlock died", flush=True)
            return 1
        print("OK")
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--probes", type=int, default=2)
    ap.add_argument("--duration", type=int, default=300)
    ap.add_argument("--hostile", type=int, default=1200)
    ap.add_argument("--xmx", default="512m")
    ap.add_argument("--disk-mb", type=int, default=384)
    ap.add_argument("--verdict-wait", type=int, default=240)
    # An install still running after this is killed and counted as a client-side timeout.
    ap.add_argument("--install-timeout", type=int, default=240)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="airlock-fault.")
    run = None
    rc = 1
    try:
        run = Run(args, work)
        run.run()
        rc = run.report()
    except checks.SnapshotFailed as e:
        print("FAIL: the admin listing could not be read, so lost verdicts cannot be counted: %s" % e)
    except Exception:   # noqa: BLE001 - a harness failure is reported as such, with its trace
        traceback.print_exc()
        print("FAIL: the harness itself failed (see the trace above)")
    finally:
        if run is not None:
            run.stop.set()
            run.installers.finish()
            run.air.stop()
            if run.mounted:
                subprocess.run(["umount", "-l", run.data], stderr=subprocess.DEVNULL)
        if os.environ.get("AIRLOCK_FAULT_KEEP") == "1" or rc != 0:
            log("logs kept in " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()

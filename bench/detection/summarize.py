"""Summarises one set of `airlock analyze --json` lines: counts, rates, rules fired, misses, timing."""
import collections
import json
import sys

name, path, given = sys.argv[1], sys.argv[2], int(sys.argv[3])
malicious = name.startswith("malicious")
verdicts = collections.Counter()
rules = collections.Counter()
times = []
dyn = []
odd = []
for line in open(path, encoding="utf-8"):
    d = json.loads(line)
    verdicts[d["verdict"]] += 1
    times.append(d["timings"]["staticMs"])
    dyn.append(d["timings"]["dynamicMs"])
    for r in {f["rule"] for f in d["findings"] if f["severity"] not in ("info",)}:
        rules[r] += 1
    if malicious and d["verdict"] == "allow":
        odd.append(("miss", d["file"], ""))
    if not malicious and d["verdict"] != "allow":
        top = ",".join(sorted({f["rule"] for f in d["findings"][:4]}))
        odd.append((d["verdict"], d["file"], top))
n = sum(verdicts.values())
times.sort()
median = times[len(times) // 2] if times else 0
flagged = verdicts["block"] + verdicts["quarantine"]
print(f"== {name}: {n} analysed of {given} files")
if malicious:
    print(f"   flagged {flagged} (block {verdicts['block']}, quarantine {verdicts['quarantine']}), "
          f"recall {100.0 * flagged / max(n, 1):.2f}%")
else:
    print(f"   block {verdicts['block']} ({100.0 * verdicts['block'] / max(n, 1):.2f}%), "
          f"quarantine {verdicts['quarantine']} ({100.0 * verdicts['quarantine'] / max(n, 1):.2f}%), "
          f"together {flagged} ({100.0 * flagged / max(n, 1):.2f}%)")
print(f"   static ms median {median}, p90 {times[int(len(times) * 0.9)] if times else 0}, max {times[-1] if times else 0}")
if any(dyn):
    dyn.sort()
    print(f"   sandbox ms median {dyn[len(dyn) // 2]}, max {dyn[-1]}")
print("   rules fired: " + ", ".join(f"{r}={c}" for r, c in rules.most_common()))
for kind, f, why in odd:
    print(f"   {kind}: {f} {why}")

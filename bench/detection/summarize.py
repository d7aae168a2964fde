"""Summarises one set of `airlock analyze --json` lines: counts, rates, rules fired, misses, timing.

usage: summarize.py NAME JSONL FILES_LIST [SPLIT_TSV]
  FILES_LIST  every file the set was given, one per line: rates divide by these, so a file the
              analyser could not read (no JSON line) counts as a miss (malicious) or a flag (benign).
  SPLIT_TSV   bench/detection/split.tsv; with it a malicious set is also reported per family.
A set is malicious when NAME starts with "malicious".
"""
import collections
import json
import os
import sys

name, path, files_list = sys.argv[1], sys.argv[2], sys.argv[3]
split_path = sys.argv[4] if len(sys.argv) > 4 else None
malicious = name.startswith("malicious")
given = [line.rstrip("\n") for line in open(files_list, encoding="utf-8") if line.strip()]

results = {}
if os.path.exists(path):
    for line in open(path, encoding="utf-8"):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        results[d["file"]] = d

family = {}
if split_path:
    for line in open(split_path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        n, _side, fam = line.rstrip("\n").split("\t")
        family[n] = fam


def package_of(f):
    # .../pypi/NAME/VERSION/FILE
    parts = f.split("/")
    return parts[-3] if len(parts) >= 3 else f


verdicts = collections.Counter()
rules = collections.Counter()
times, dyn, odd = [], [], []
fam_total, fam_caught = collections.Counter(), collections.Counter()
for f in given:
    d = results.get(f)
    fam = family.get(package_of(f), package_of(f))
    fam_total[fam] += 1
    if d is None:
        verdicts["unreadable"] += 1
        odd.append(("unreadable", f, ""))
        continue
    verdicts[d["verdict"]] += 1
    times.append(d["timings"]["staticMs"])
    dyn.append(d["timings"]["dynamicMs"])
    for r in {x["rule"] for x in d["findings"] if x["severity"] != "info"}:
        rules[r] += 1
    if d["verdict"] != "allow":
        fam_caught[fam] += 1
    if malicious and d["verdict"] == "allow":
        odd.append(("miss", f, ""))
    if not malicious and d["verdict"] != "allow":
        top = ",".join(sorted({x["rule"] for x in d["findings"][:4]}))
        odd.append((d["verdict"], f, top))

n = len(given)
# Per package: a package (the folder two above a malicious sample; the file itself for benign sets) counts
# as caught when every file of it was flagged, and as touched when any was.
pkg_total, pkg_caught = collections.Counter(), collections.Counter()
for f in given:
    d = results.get(f)
    key = package_of(f) if malicious else os.path.basename(f)
    pkg_total[key] += 1
    if d is not None and d["verdict"] != "allow":
        pkg_caught[key] += 1
times.sort()
median = times[len(times) // 2] if times else 0
flagged = verdicts["block"] + verdicts["quarantine"]
print(f"== {name}: {n} files given, {n - verdicts['unreadable']} analysed, {verdicts['unreadable']} unreadable")
if malicious:
    print(f"   flagged {flagged} (block {verdicts['block']}, quarantine {verdicts['quarantine']}), "
          f"recall {100.0 * flagged / max(n, 1):.2f}% of given, blocked {100.0 * verdicts['block'] / max(n, 1):.2f}%")
    pkgs = list(pkg_total)
    print(f"   packages {len(pkgs)}: every file flagged {sum(1 for k in pkgs if pkg_caught[k] == pkg_total[k])}, "
          f"none flagged {sum(1 for k in pkgs if pkg_caught[k] == 0)}")
    if family:
        fams = list(fam_total)
        whole = sum(1 for x in fams if fam_caught[x] == fam_total[x])
        none = sum(1 for x in fams if fam_caught[x] == 0)
        mean = sum(fam_caught[x] / fam_total[x] for x in fams) / max(len(fams), 1)
        print(f"   families {len(fams)}: all caught {whole}, none caught {none}, mean per-family recall {100.0 * mean:.2f}%")
        for x in sorted(fams, key=lambda x: (-(fam_total[x] - fam_caught[x]), x)):
            if fam_caught[x] < fam_total[x] and "validation" not in name:
                print(f"   family {x}: {fam_caught[x]}/{fam_total[x]}")
else:
    bad = flagged + verdicts["unreadable"]
    print(f"   block {verdicts['block']} ({100.0 * verdicts['block'] / max(n, 1):.2f}%), "
          f"quarantine {verdicts['quarantine']} ({100.0 * verdicts['quarantine'] / max(n, 1):.2f}%), "
          f"unreadable {verdicts['unreadable']}, together {bad} ({100.0 * bad / max(n, 1):.2f}%)")
print(f"   static ms median {median}, p90 {times[int(len(times) * 0.9)] if times else 0}, max {times[-1] if times else 0}")
if any(dyn):
    dyn.sort()
    print(f"   sandbox ms median {dyn[len(dyn) // 2]}, p90 {dyn[int(len(dyn) * 0.9)]}, max {dyn[-1]}")
    phases = collections.defaultdict(list)
    for d in results.values():
        for ph in (d.get("behavior") or {}).get("phases", []):
            phases[ph["phase"]].append(ph["durationMs"])
    print("   sandbox phase ms median: " + ", ".join(f"{k} {sorted(v)[len(v) // 2]}" for k, v in phases.items()))
print("   rules fired: " + ", ".join(f"{r}={c}" for r, c in rules.most_common()))
# Validation misses are counted, not listed: reading them would be tuning on validation.
if "validation" not in name:
    for kind, f, why in odd:
        print(f"   {kind}: {f} {why}")

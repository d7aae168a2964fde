"""Totals over the sets run.sh left in its results folder: recall per malicious set, and false blocks
and quarantines over all benign files together and over the install-script set, against the issue's
budget (<= 0.5% overall, <= 2% on install-script packages). Files the analyser could not read count
against the result. Static and sandbox runs are totalled apart.

usage: totals.py RESULTS_DIR
"""
import json
import os
import sys

results = sys.argv[1]


def load(name):
    given = [l.rstrip("\n") for l in open(os.path.join(results, name + ".files"), encoding="utf-8") if l.strip()]
    verdicts = {}
    path = os.path.join(results, name + ".jsonl")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            verdicts[d["file"]] = d["verdict"]
    return [verdicts.get(f, "unreadable") for f in given]


for suffix, label in (("", "static"), ("-sandbox", "static + sandbox")):
    benign = {"block": 0, "quarantine": 0, "unreadable": 0, "allow": 0}
    install = dict(benign)
    for fn in sorted(os.listdir(results)):
        if not fn.endswith(suffix + ".files") or (suffix == "" and fn.endswith("-sandbox.files")):
            continue
        name = fn[:-len(".files")]
        if name == "malicious-pypi-all" or not os.path.exists(os.path.join(results, name + ".jsonl")):
            continue
        v = load(name)
        if name.startswith("malicious"):
            flagged = sum(1 for x in v if x in ("block", "quarantine"))
            print(f"{label}: {name}: recall {flagged}/{len(v)} = {100.0 * flagged / max(len(v), 1):.2f}%")
            continue
        for x in v:
            benign[x] += 1
            if name.startswith("benign-npm-install-scripts"):
                install[x] += 1
    for what, c in (("all benign", benign), ("install-script", install)):
        n = sum(c.values())
        if n == 0:
            continue
        bad = c["block"] + c["quarantine"] + c["unreadable"]
        print(f"{label}: {what}: {n} files, block {c['block']} ({100.0 * c['block'] / n:.2f}%), quarantine {c['quarantine']},"
              f" unreadable {c['unreadable']}, flagged together {bad} ({100.0 * bad / n:.2f}%)")

"""Trains the evidence model: a logistic regression over the findings of `airlock analyze --json`.

usage: train-model.py RESULTS_DIR OUT_MODEL OUT_DATA
  RESULTS_DIR  where bench/detection/run.sh left its *.jsonl (static runs of every set)
  OUT_MODEL    analysis/src/main/resources/dev/airlock/analysis/rules/evidence-model.tsv
  OUT_DATA     bench/detection/model-data.tsv: the training rows (sample, label, set, features)

Only the training side is read: malicious-pypi-train, malicious-npm and the train half of every
benign set (a file is train when the first hex digit of the SHA-1 of its base name is even).
Validation malware is never read here. Features are the distinct rule|source pairs a file's
findings carry plus the rule combiner's own verdict (combiner|block, combiner|quarantine).

The block threshold is the lowest score that keeps false blocks on the train benign files within
budget: <= 0.5% of all of them and <= 2% of the install-script packages.
"""
import collections
import hashlib
import json
import math
import os
import sys

import numpy as np

results_dir, out_model, out_data = sys.argv[1:4]


def train_side(path):
    return int(hashlib.sha1(os.path.basename(path).encode()).hexdigest()[0], 16) % 2 == 0


def combiner_verdict(d):
    # Once the model decides, the rule combiner's own verdict is in the evidence of the evidence_score finding.
    for x in d["findings"]:
        if x["rule"] == "evidence_score":
            for part in x["evidence"].split():
                if part.startswith("combiner="):
                    return part[len("combiner="):]
    return d["verdict"]


def features(d):
    f = {x["rule"] + "|" + x["source"] for x in d["findings"] if x["source"] != "model"}
    if combiner_verdict(d) != "allow":
        f.add("combiner|" + combiner_verdict(d))
    return f


rows = []  # (name, label, set, features)
for fn in sorted(os.listdir(results_dir)):
    if not fn.endswith(".jsonl") or "sandbox" in fn or "validation" in fn:
        continue
    set_name = fn[:-len(".jsonl")]
    label = 1 if set_name.startswith("malicious") else 0
    for line in open(os.path.join(results_dir, fn), encoding="utf-8"):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if label == 0 and not train_side(d["file"]):
            continue
        name = "/".join(d["file"].split("/")[-3:]) if label else os.path.basename(d["file"])
        rows.append((name, label, set_name, sorted(features(d))))

vocab = sorted({f for r in rows for f in r[3]})
index = {f: i for i, f in enumerate(vocab)}
X = np.zeros((len(rows), len(vocab)))
y = np.array([r[1] for r in rows], dtype=float)
for i, r in enumerate(rows):
    for f in r[3]:
        X[i, index[f]] = 1.0

# Benign files are fewer than malware but weigh the budget: each class counts half.
w_pos = 0.5 / max(y.sum(), 1)
w_neg = 0.5 / max((1 - y).sum(), 1)
sample_w = np.where(y == 1, w_pos, w_neg)
w = np.zeros(len(vocab))
b = 0.0
l2 = 1e-3
for _ in range(4000):
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    g = (p - y) * sample_w
    w -= 2.0 * (X.T @ g + l2 * w)
    b -= 2.0 * g.sum()

score = 1 / (1 + np.exp(-(X @ w + b)))
benign = [i for i, r in enumerate(rows) if r[1] == 0]
install = [i for i in benign if rows[i][2] == "benign-npm-install-scripts"]
candidates = sorted(set(np.round(score, 6)))
threshold = 1.0
for t in candidates:
    fb = sum(score[i] >= t for i in benign)
    fbi = sum(score[i] >= t for i in install)
    if fb <= 0.005 * len(benign) and fbi <= 0.02 * max(len(install), 1):
        threshold = t
        break
mal = [i for i, r in enumerate(rows) if r[1] == 1]
print(f"rows {len(rows)} (malicious {len(mal)}, benign train {len(benign)}, of them install-script {len(install)}), features {len(vocab)}")
print(f"threshold {threshold:.6f}: train recall {sum(score[i] >= threshold for i in mal)}/{len(mal)}, "
      f"false blocks {sum(score[i] >= threshold for i in benign)}/{len(benign)}, install-script {sum(score[i] >= threshold for i in install)}/{len(install)}")

with open(out_model, "w", encoding="utf-8") as o:
    o.write("# Evidence model trained by bench/detection/train-model.py from bench/detection/model-data.tsv.\n")
    o.write("# feature<TAB>weight; a file's score is sigmoid(bias + sum of the weights of the features it has).\n")
    o.write(f"@bias\t{b:.6f}\n@threshold\t{threshold:.6f}\n")
    for f, wt in sorted(zip(vocab, w), key=lambda x: -abs(x[1])):
        if abs(wt) >= 1e-4:
            o.write(f"{f}\t{wt:.6f}\n")
with open(out_data, "w", encoding="utf-8") as o:
    o.write("# sample\tlabel\tset\tfeatures (space separated)\n")
    for r in rows:
        o.write(f"{r[0]}\t{r[1]}\t{r[2]}\t{' '.join(r[3])}\n")

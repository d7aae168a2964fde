"""Trains the weighted-evidence model (analysis/.../rules/EvidenceModel): a logistic regression over
the features `airlock analyze --json` states in each file's evidence_score finding (rule@context:
what the code does and when it runs: install, import, only when called, package metadata).

usage: train-model.py RESULTS_DIR OUT_MODEL OUT_DATA
  RESULTS_DIR  where bench/detection/run.sh left its *.jsonl (static runs of the sets below)
  OUT_MODEL    analysis/src/main/resources/dev/airlock/analysis/rules/evidence-model.tsv
  OUT_DATA     bench/detection/model-data.tsv: the rows it was trained on (sample, label, set, features)

Only the training side is read: malicious-pypi-train, malicious-npm and the calibration half of every
benign set (a file is in it when the first hex digit of the SHA-1 of its base name is even); the other
half of the benign files and validation malware are never read here.

The model never blocks: the rules' named combinations do. It sends to quarantine a file the rules
allow when its score reaches the threshold, which is the lowest score that keeps the calibration
half's flagged files (rules and model together) within the budget: <= 0.5% of all benign files and
<= 2% of the install-script packages. The previous attempt let the model block, and it blocked
library code that only may do harm when called, which the design quarantines.
"""
import hashlib
import json
import os
import sys

import numpy as np

results_dir, out_model, out_data = sys.argv[1:4]
BUDGET_ALL, BUDGET_INSTALL = 0.005, 0.02


def calibration_half(path):
    return int(hashlib.sha1(os.path.basename(path).encode()).hexdigest()[0], 16) % 2 == 0


def features(d):
    for x in d["findings"]:
        if x["rule"] == "evidence_score":
            return sorted({part.split("=")[0] for part in x["evidence"].split() if "@" in part})
    return []


rows = []  # (name, label, set, features, rules verdict)
for fn in sorted(os.listdir(results_dir)):
    if not fn.endswith(".jsonl") or "sandbox" in fn or "validation" in fn:
        continue
    set_name = fn[:-len(".jsonl")]
    if not (set_name in ("malicious-pypi-train", "malicious-npm") or set_name.startswith("benign")):
        continue
    label = 1 if set_name.startswith("malicious") else 0
    for line in open(os.path.join(results_dir, fn), encoding="utf-8"):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if label == 0 and not calibration_half(d["file"]):
            continue
        name = "/".join(d["file"].split("/")[-3:]) if label else os.path.basename(d["file"])
        # Quarantines the model itself made are rule-allowed files for training purposes.
        model_made = any(x["rule"] == "evidence_score" and x["severity"] != "info" for x in d["findings"])
        rows.append((name, label, set_name, features(d), "allow" if model_made else d["verdict"]))

vocab = sorted({f for r in rows for f in r[3]})
index = {f: i for i, f in enumerate(vocab)}
X = np.zeros((len(rows), len(vocab)))
y = np.array([r[1] for r in rows], dtype=float)
for i, r in enumerate(rows):
    for f in r[3]:
        X[i, index[f]] = 1.0

# Each class weighs half, whatever its size; malware of one campaign weighs no more than its share.
w_pos = 0.5 / max(y.sum(), 1)
w_neg = 0.5 / max((1 - y).sum(), 1)
sample_w = np.where(y == 1, w_pos, w_neg)
w = np.zeros(len(vocab))
b = 0.0
l2 = 1e-3
for _ in range(6000):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    g = (p - y) * sample_w
    w -= 2.0 * (X.T @ g + l2 * w)
    b -= 2.0 * g.sum()

score = 1 / (1 + np.exp(-(X @ w + b)))
has_features = np.array([len(r[3]) > 0 for r in rows])
benign = [i for i, r in enumerate(rows) if r[1] == 0]
install = [i for i in benign if rows[i][2] == "benign-npm-install-scripts"]
mal = [i for i, r in enumerate(rows) if r[1] == 1]


def flagged(i, t):
    return rows[i][4] != "allow" or (has_features[i] and score[i] >= t)


threshold = 1.0
for t in sorted(set(np.round(score[has_features], 6))):
    fb = sum(flagged(i, t) for i in benign)
    fbi = sum(flagged(i, t) for i in install)
    if fb <= BUDGET_ALL * len(benign) and fbi <= BUDGET_INSTALL * max(len(install), 1):
        threshold = float(t)
        break
rules_only = sum(rows[i][4] != "allow" for i in mal)
print(f"rows {len(rows)} (malicious {len(mal)}, benign calibration half {len(benign)}, of them install-script {len(install)}),"
      f" features {len(vocab)}")
print(f"threshold {threshold:.6f}: train recall rules alone {rules_only}/{len(mal)}, with the model"
      f" {sum(flagged(i, threshold) for i in mal)}/{len(mal)}; benign flagged {sum(flagged(i, threshold) for i in benign)}/{len(benign)}"
      f" (rules alone {sum(rows[i][4] != 'allow' for i in benign)}), install-script {sum(flagged(i, threshold) for i in install)}/{len(install)}")

with open(out_model, "w", encoding="utf-8") as o:
    o.write("# Weighted-evidence model trained by bench/detection/train-model.py from bench/detection/model-data.tsv.\n")
    o.write("# feature<TAB>weight; a file's score is the logistic of bias + the weights of its features (rule@context);\n")
    o.write("# a file the rules allow is quarantined when its score reaches the threshold.\n")
    o.write(f"@bias\t{b:.6f}\n@threshold\t{threshold:.6f}\n")
    for f, wt in sorted(zip(vocab, w), key=lambda x: (-abs(x[1]), x[0])):
        if abs(wt) >= 1e-4:
            o.write(f"{f}\t{wt:.6f}\n")
with open(out_data, "w", encoding="utf-8") as o:
    o.write("# sample\tlabel\tset\trules' verdict\tfeatures (space separated)\n")
    for r in rows:
        o.write(f"{r[0]}\t{r[1]}\t{r[2]}\t{r[4]}\t{' '.join(r[3])}\n")

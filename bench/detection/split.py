"""Splits the malicious PyPI samples into train and validation by package and by near-duplicate family.

Many samples are one campaign published under many names; if a campaign sat on both sides, rules
tuned on train would score its twins in validation and the validation figure would flatter them.
So packages are clustered first and every cluster lands wholly on one side.

Archives are read in memory (tarfile/zipfile over the file), never extracted. A package's text is
its .py/.pth/.js files with the package name, numbers and long literals (payloads, keys) blanked out;
two packages are one family when their normalised setup.py is identical or when the MinHash estimate
of their 5-token shingle overlap is at least 0.6. Family side is chosen by a hash of the family's
smallest name, so the split does not depend on file order or on the machine.

usage: python3 bench/detection/split.py [PYPI_DIR] [OUT]
       defaults: ../shared/datasets/malicious/pypi and bench/detection/split.tsv (relative to the repo)
output: one line per package: name <TAB> train|validation <TAB> family id
"""
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SRC_EXT = (".py", ".pth", ".js", ".pyw")
MAX_BYTES = 400_000
PERMS = 64
BANDS, ROWS = 16, 4
THRESHOLD = 0.6
VALIDATION_SHARE = 0.30

TOKEN = re.compile(r"[A-Za-z_]\w*|\d+|\S")
LONG_LITERAL = re.compile(r"""(['"])[^'"\n]{40,}\1|[A-Za-z0-9+/=]{60,}""")
NUMBER = re.compile(r"\d+")
MASK = (1 << 61) - 1
SEEDS = [int.from_bytes(hashlib.sha256(b"perm%d" % i).digest()[:8], "big") for i in range(PERMS)]


def members(path):
    """(name, bytes) of source files inside one archive, read in memory."""
    out = []
    try:
        if path.endswith((".whl", ".zip", ".egg")):
            with zipfile.ZipFile(path) as z:
                for i in z.infolist():
                    if i.filename.endswith(SRC_EXT) and i.file_size <= MAX_BYTES:
                        out.append((i.filename, z.read(i)))
        else:
            with tarfile.open(path) as t:
                for m in t:
                    if m.isfile() and m.name.endswith(SRC_EXT) and m.size <= MAX_BYTES:
                        f = t.extractfile(m)
                        if f is not None:
                            out.append((m.name, f.read()))
    except Exception:  # unreadable archives still get a family of their own
        pass
    return out


def normalise(text, name):
    for variant in {name, name.lower(), name.replace("-", "_"), name.lower().replace("-", "_")}:
        if len(variant) >= 3:
            text = text.replace(variant, "PKG")
    text = LONG_LITERAL.sub("LIT", text)
    return NUMBER.sub("0", text)


def shingles(text):
    toks = TOKEN.findall(text)
    return {hash_token(" ".join(toks[i:i + 5])) for i in range(max(1, len(toks) - 4))}


def hash_token(s):
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")


def minhash(sh):
    if not sh:
        return None
    return tuple(min(((h ^ seed) * 0x9E3779B97F4A7C15) & MASK for h in sh) for seed in SEEDS)


class Union:
    def __init__(self, items):
        self.p = {i: i for i in items}

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def join(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def main():
    pypi = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "datasets", "malicious", "pypi")
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "split.tsv")
    names = sorted(os.listdir(pypi))
    sigs, setup_hash = {}, {}
    for name in names:
        files = []
        for root, _, fs in os.walk(os.path.join(pypi, name)):
            files += [os.path.join(root, f) for f in fs]
        parts = []
        for path in sorted(files):
            for member, data in members(path):
                text = normalise(data.decode("utf-8", "replace"), name)
                parts.append(text)
                if member.endswith("/setup.py") and member.count("/") == 1:
                    setup_hash[name] = hashlib.sha256(text.encode()).hexdigest()
        sigs[name] = minhash(shingles("\n".join(sorted(parts)))) if parts else None
    u = Union(names)
    by_setup = {}
    for name, h in setup_hash.items():
        by_setup.setdefault(h, []).append(name)
    for group in by_setup.values():
        for other in group[1:]:
            u.join(group[0], other)
    for b in range(BANDS):
        buckets = {}
        for name, sig in sigs.items():
            if sig is not None:
                buckets.setdefault(sig[b * ROWS:(b + 1) * ROWS], []).append(name)
        for group in buckets.values():
            for other in group[1:]:
                a, o = sigs[group[0]], sigs[other]
                if sum(x == y for x, y in zip(a, o)) / PERMS >= THRESHOLD:
                    u.join(group[0], other)
    families = {}
    for name in names:
        families.setdefault(u.find(name), []).append(name)
    # Families are placed largest first, each on the side further below its share, ties broken by a
    # name hash: deterministic, and near 70/30 in samples even when one campaign is hundreds strong.
    order = sorted(families.values(), key=lambda g: (-len(g), hashlib.sha256(min(g).encode()).hexdigest()))
    side, counts = {}, {"train": 0, "validation": 0}
    total = len(names)
    for fam in order:
        want_val = counts["validation"] + len(fam) <= VALIDATION_SHARE * total + 0.5 and (
            counts["validation"] / max(1, counts["train"] + counts["validation"]) < VALIDATION_SHARE
            or int(hashlib.sha256(min(fam).encode()).hexdigest(), 16) % 10 < 3)
        s = "validation" if want_val else "train"
        counts[s] += len(fam)
        for n in fam:
            side[n] = (s, min(fam))
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("# name\tside\tfamily (its smallest name); written by bench/detection/split.py\n")
        for n in names:
            out.write(f"{n}\t{side[n][0]}\t{side[n][1]}\n")
    big = sorted(families.values(), key=len, reverse=True)[:5]
    print(f"split: {total} packages, {len(families)} families, train {counts['train']}, validation {counts['validation']};"
          f" largest families: " + ", ".join(f"{min(g)}={len(g)}" for g in big), file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the PEP 440 vectors Pep440VectorsTest checks Pep440Version and Pep440Specifier against.

Every answer comes from Python's `packaging`: whether a string is a version, its normalised form,
where it sorts, and whether a specifier set contains a version with pre-releases allowed (the
reading Airlock's deny rules use). Use a current packaging (`pip install packaging`; 26.2 wrote the
committed file), the one current pip vendors: the copy inside an older pip (21.3 in pip 23) reads
'>V' and '===' differently, and the script refuses it.

    python3 scripts/pep440-vectors.py > policy/src/test/resources/dev/airlock/policy/version/pep440-vectors.tsv
"""
import itertools

import packaging
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

if Version(packaging.__version__) < Version("22"):
    raise SystemExit("packaging %s is too old: pip install 'packaging>=22'" % packaging.__version__)

# Spellings of each part PEP 440 accepts, combined below.
EPOCHS = ["", "1!"]
RELEASES = ["1", "1.0.0", "1.2", "0.9.10"]
PRES = ["", "a1", "rc1", "c1", "-beta3", ".preview"]
POSTS = ["", ".post1", "-2", "post", ".rev3", "r"]
DEVS = ["", ".dev0", "dev", "-dev4"]
LOCALS = ["", "+local", "+Ab-c_1.2"]

# Forms worth checking on their own: normalisation, number and case rules, invalid strings.
SINGLES = [
    "v1.0", " 1.0 ", "\t1.0\n", "V1.0", "01.02", "1.0a05", "00!1.2", "0100!0.0", "1.0.post000", "1.1.dev09000",
    "1.0+AbC", "1.0-5", "1.0-r5", "1.0-rev5", "1.0RC1", "1.0DEV", "1.0.POST1", "1.0c056", "1.0a1.post2.dev3+x.y.z",
    "1.2+1.abc", "1.2+1.1", "1.2+1.1.0", "1.2+123abc", "1.2+abcdef", "1.2+0", "1.2+2", "1.2+123",
    "1.0.dev456+local", "1.0b2-346", "1.2.r32+123456", "1.2.rev33+123456", "2!0.1", "10.0", "9.99",
    "99999999999.0", "1.0.0.0.0.1",
    # not versions
    "french toast", "1.0+a+", "1.0++", "1.0+_foobar", "1.0+foo&asd", "1.0+1+1", "1. 0", "1 .0", "1.0 a1",
    "1.0a 1", ".", "..", "1..0", "1.0.", ".1.0", "1.0-", "1.0_", "a1.0", "1.0-dev-1", "1!", "!1.0", "1.0+",
    "1.0.post.dev.a1", "", "1.0a1a2", "1.0.x", "*", "1.0.*",
]

# The ordering list of packaging's own tests (tests/test_version.py), with and without an epoch.
ORDERED = [
    "1.0.dev0", "1.0.dev456", "1.0.dev456+local", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0", "1.0a1.dev1",
    "1.0a1.dev1+local", "1.0a1", "1.0a1+local", "1.0b0", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
    "1.0b2.post345", "1.0b2-346", "1.0rc0", "1.0rc1.dev1", "1.0c1", "1.0rc2", "1.0", "1.0.post0.dev0", "1.0.post0",
    "1.0.post456.dev34", "1.0.post456", "1.0.post456+local", "1.0.1.dev1", "1.0.1a1", "1.0.1", "1.0.1+local",
    "1.0.1.post1", "1.1.dev1", "1.2+a", "1.2+abc", "1.2+abcdef", "1.2+def", "1.2+0", "1.2+1", "1.2+1.abc",
    "1.2+1.1", "1.2+1.1.0", "1.2+2", "1.2+123", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
]
ORDERED = ORDERED + ["1!" + v for v in ORDERED]

SPECIFIERS = [
    ">=1.0", ">1.0", "<1.0", "<=1.0", "==1.0", "!=1.0", "~=1.0", "~=1.0.0", "~=1.2.post1", "==1.*", "==1.0.*",
    "!=1.0.*", "==1.0+local", "!=1.0+local", ">=1.0,<2", ">1.0a1", "<1.0rc1", ">=1.0.dev0", "<1.0.post1",
    ">1.0.post1", "==1!1.0", ">=1!0.1", "===1.0", "===1.0+local", "<2", ">2", "~=0.9", "==0.9.*", "<=1.0a1",
    ">=1.0a1,!=1.0b2", "==1.0a1", "==1.0.dev0", "~=1.0a1", ">=0.9,<1.0rc1,!=0.9.10",
    # forms from packaging's specifier tests
    "~=2.0", "==2.1.*", "==2.1.0.3", "!=2.2.*", "<=5", ">=7.9a1", "<1.0.dev1", ">2.0.post1", ">2.0dev",
    "~=2022.01.01", "==2!1.0.0.0.*", "<2!0.1", ">=3.0.0a7", ">4.1.0a2.dev1234", "==2.0.0+deadbeef.00", ">1.0a1.dev1",
]
SPEC_VERSIONS = [
    "0.9", "0.9.10", "0.9.10.post1", "1.0.dev0", "1.0a1", "1.0a1.dev1", "1.0b2", "1.0rc1", "1.0c1", "1.0",
    "1.0.0", "1.0+local", "1.0+other", "1.0.post1", "1.0.post1.dev0", "1.0.post2", "1.0.1", "1.0.1a1", "1.1",
    "1.1+local", "1.2", "1.2.post1", "1.5", "2.0.dev0", "2.0a1", "2.0", "2.0.post1", "2.1", "3.0", "1!1.0",
    "1!0.1", "1!2.0a1", "v1.0", "1.0-1",
    "2.0+deadbeef", "2.0+deadbeef.0", "2.dev1", "2a1.post1", "2c1.post1.dev1", "2.0.0.0", "2.1+local.version",
    "2.0.5", "4.1.0a2.dev1235+local", "1.0a2+local", "1.0.post2+local", "1.0a1.dev2+local", "2022.01.01",
    "1.9999999", "2!1.0", "3.0.0a8", "2.2.0.5", "7.9", "2.0.post1.dev1",
]


def versions():
    seen = []
    for parts in itertools.product(EPOCHS, RELEASES, PRES, POSTS, DEVS, LOCALS):
        seen.append("".join(parts))
    return seen + SINGLES + ORDERED


def main():
    print("# packaging %s: V\tinput\tnormalised or INVALID\trank (equal ranks compare equal); "
          "S\tspecifier set\tversion\tcontains, pre-releases allowed" % packaging.__version__)
    valid = {}
    rows = []
    for text in versions():
        try:
            v = Version(text)
        except InvalidVersion:
            rows.append((text, "INVALID"))
            continue
        valid[text] = v
        rows.append((text, str(v)))
    ordered = sorted(set(valid.values()))
    rank = {v: i for i, v in enumerate(ordered)}
    for text, norm in rows:
        r = "" if norm == "INVALID" else str(rank[valid[text]])
        print("V\t%s\t%s\t%s" % (text.replace("\t", "\\t").replace("\n", "\\n"), norm, r))
    for spec in SPECIFIERS:
        try:
            s = SpecifierSet(spec)
        except InvalidSpecifier:
            raise SystemExit("not a specifier set: " + spec)
        for text in SPEC_VERSIONS:
            print("S\t%s\t%s\t%s" % (spec, text, str(s.contains(text, prereleases=True)).lower()))


if __name__ == "__main__":
    main()

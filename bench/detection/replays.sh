#!/usr/bin/env bash
# Incident replays through the command a user runs: packs every folder of
# analysis/src/test/resources/dev/airlock/analysis/replays/ (harmless re-enactments; see IncidentReplayTest)
# into its archive in a temporary directory, runs `airlock analyze --json --no-sandbox` on it (with
# --previous when the replay has a previous release) and checks that the verdict is block and that the
# expected findings name it. Prints one line per replay; exits 1 if any is not blocked as expected.
#
# usage: bench/detection/replays.sh        env: AIRLOCK_ANALYZE (default: bin/airlock analyze)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
replays="$here/analysis/src/test/resources/dev/airlock/analysis/replays"
read -r -a analyze <<< "${AIRLOCK_ANALYZE:-$here/bin/airlock analyze}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pack() { # kind tree-root name -> prints the archive path
  python3 - "$1" "$2" "$work/$3" <<'PY'
import io, os, sys, tarfile, zipfile
kind, root, out = sys.argv[1:4]
def files(base):
    for d, _, names in os.walk(base):
        for n in sorted(names):
            p = os.path.join(d, n)
            yield os.path.relpath(p, base), open(p, "rb").read()
if kind == "npm":
    path = out + ".tgz"
    with tarfile.open(path, "w:gz") as t:
        for rel, data in files(os.path.join(root, "package")):
            info = tarfile.TarInfo("package/" + rel); info.size = len(data); t.addfile(info, io.BytesIO(data))
elif kind == "wheel":
    path = out + "-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for rel, data in files(os.path.join(root, "files")):
            z.writestr(rel, data)
else:
    path = out + "-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as t:
        for rel, data in files(os.path.join(root, "files")):
            info = tarfile.TarInfo(os.path.basename(out) + "-1.0/" + rel); info.size = len(data); t.addfile(info, io.BytesIO(data))
print(path)
PY
}

failed=0
for dir in "$replays"/*/; do
  name="$(basename "$dir")"
  prop() { sed -n "s/^$1=//p" "$dir/replay.properties"; }
  kind="$(prop kind)"; expect="$(prop expect)"; previous="$(prop previous)"
  mkdir -p "$work/$name"
  file="$(pack "$kind" "$dir" "$name/$name")"
  args=(--json --no-sandbox)
  if [ -n "$previous" ]; then
    mkdir -p "$work/$name/previous"
    args+=(--previous "$(pack "$kind" "$dir/$previous" "$name/previous/$name")")
  fi
  "${analyze[@]}" "${args[@]}" "$file" >"$work/$name.json" 2>"$work/$name.err" || true
  if ! verdict="$(python3 - "$expect" "$work/$name.json" 2>/dev/null <<'PY'
import json, sys
expect = sys.argv[1].split()
d = json.loads(open(sys.argv[2], encoding="utf-8").read())
rules = [f["rule"] for f in d["findings"] if f["severity"] != "info"]
missing = [r for r in expect if r not in rules]
print(d["verdict"], ",".join(dict.fromkeys(rules)), ("missing " + ",".join(missing)) if missing else "")
sys.exit(0 if d["verdict"] == "block" and not missing else 1)
PY
)"; then
    failed=1
    echo "FAIL $name: ${verdict:-no JSON ($(tail -n 1 "$work/$name.err"))}"
  else
    echo "ok   $name: $verdict"
  fi
done
exit "$failed"

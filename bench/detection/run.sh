#!/usr/bin/env bash
# Detection benchmark: runs `airlock analyze --json` over real malware (read only as archives by
# the analyser) and over benign packages prepared in a cache outside the repository, and prints
# recall, false blocks, rules fired, every miss / false block by name, per package and per family, and
# static and sandbox time; totals.py sums the benign sets against the false-flag budget at the end.
# Rates divide by every file given: a file the analyser cannot read counts against the result.
# Malicious PyPI samples are reported train and validation apart (bench/detection/split.tsv, by
# near-duplicate family); validation misses are counted, never listed.
#
# usage: bench/detection/run.sh [MALICIOUS_DIR]   (default: ../shared/datasets/malicious)
#        MALICIOUS_DIR with pypi/ and npm/ below it is split into sets; any other directory is one set.
# env:   AIRLOCK_BENCH_CACHE  where benign sets are prepared (default ~/.cache/airlock-bench)
#        AIRLOCK_BENCH_NPM    how many top npm packages to pack (default 300)
#        AIRLOCK_BENCH_DEBIAN how many Debian python3-* sources to fetch (default 40)
#        AIRLOCK_ANALYZE      the analyze command (default: bin/airlock analyze)
#        AIRLOCK_BENCH_SANDBOX_EVERY  with a Docker engine, also run static + sandbox on every Nth file
#                             of each set (default 20; 0 turns the sandbox pass off)
#        AIRLOCK_BENCH_SETS   space-separated set names (or prefixes) to run, e.g. "malicious-pypi-train"
#                             (default: all; "malicious-pypi-validation" only runs when named or by default)
#        AIRLOCK_BENCH_SANDBOX_MAX    at most this many files per set in the sandbox pass (default: no cap)
#        AIRLOCK_BENCH_DEPS_PYPI / AIRLOCK_BENCH_DEPS_NPM  directories of allowed artifacts the sandbox may
#                             install dependencies from (default: the mirror's wheels, the packed top npm)
#        AIRLOCK_BENCH_RESULTS where results go (default: $AIRLOCK_BENCH_CACHE/results)
#        AIRLOCK_BENCH_STATIC 0 skips the static pass (only the sandbox pass runs; default 1)
#        AIRLOCK_BENCH_FETCH  0 skips fetching benign packages (default 1)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mal="${1:-$here/../shared/datasets/malicious}"
cache="${AIRLOCK_BENCH_CACHE:-$HOME/.cache/airlock-bench}"
sets="${AIRLOCK_BENCH_SETS:-}"
split_tsv="$here/bench/detection/split.tsv"
read -r -a analyze <<< "${AIRLOCK_ANALYZE:-$here/bin/airlock analyze}"
out="${AIRLOCK_BENCH_RESULTS:-$cache/results}"
mkdir -p "$out"

wanted() { # set name
  [ -z "$sets" ] && return 0
  local s
  for s in $sets; do [[ "$1" == "$s"* ]] && return 0; done
  return 1
}

sandbox_every="${AIRLOCK_BENCH_SANDBOX_EVERY:-20}"
# The local mirror and the packed npm top stand in for the artifacts Airlock already holds as allowed.
deps_pypi="${AIRLOCK_BENCH_DEPS_PYPI:-$(dirname "$(pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | head -n 1 | sed 's#^file://##')")/files}"
deps_npm="${AIRLOCK_BENCH_DEPS_NPM:-$cache/npm}"
engine=0
if [ "$sandbox_every" -gt 0 ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then engine=1; fi

run_list() { # name listfile: analyse every file named in listfile (one per line)
  local name="$1" list="$2"
  if [ ! -s "$list" ]; then echo "== $name: no files"; return; fi
  local split_arg=()
  [[ "$name" == malicious-pypi* ]] && [ -f "$split_tsv" ] && split_arg=("$split_tsv")
  if [ "${AIRLOCK_BENCH_STATIC:-1}" != 0 ]; then
    tr '\n' '\0' < "$list" | xargs -0 "${analyze[@]}" --json --no-sandbox > "$out/$name.jsonl" 2> "$out/$name.err" || true
    python3 "$here/bench/detection/summarize.py" "$name" "$out/$name.jsonl" "$list" "${split_arg[@]}"
  fi
  if [ "$engine" = 1 ]; then
    awk -v n="$sandbox_every" 'NR % n == 1' "$list" | head -n "${AIRLOCK_BENCH_SANDBOX_MAX:-1000000}" > "$out/$name-sandbox.files"
    local deps=()
    case "$name" in
      *npm*) [ -d "$deps_npm" ] && deps=(--deps "$deps_npm") ;;
      *) [ -d "$deps_pypi" ] && deps=(--deps "$deps_pypi") ;;
    esac
    tr '\n' '\0' < "$out/$name-sandbox.files" | xargs -0 "${analyze[@]}" --json --require-sandbox "${deps[@]}" \
      > "$out/$name-sandbox.jsonl" 2> "$out/$name-sandbox.err" || true
    python3 "$here/bench/detection/summarize.py" "$name (static + sandbox, every ${sandbox_every}th)" \
      "$out/$name-sandbox.jsonl" "$out/$name-sandbox.files" "${split_arg[@]}"
  fi
}

run_set() { # name dir find-expression...
  local name="$1" dir="$2"; shift 2
  wanted "$name" || return 0
  if [ ! -d "$dir" ]; then echo "== $name: no directory $dir"; return; fi
  find "$dir" -type f \( "$@" \) | sort > "$out/$name.files"
  run_list "$name" "$out/$name.files"
}

if [ "${AIRLOCK_BENCH_FETCH:-1}" != 0 ] && { wanted benign-npm || wanted benign-debian; }; then
  "$here/bench/detection/fetch-benign.sh" "$cache" || true
fi

if [ -d "$mal/pypi" ]; then
  find "$mal/pypi" -type f | sort > "$out/malicious-pypi-all.files"
  for side in train validation; do
    name="malicious-pypi-$side"
    wanted "$name" || continue
    # split.tsv: name <TAB> side <TAB> family; a sample's package is the directory two above the file.
    awk -F'\t' -v s="$side" 'NR == FNR { if ($2 == s) keep[$1] = 1; next }
      { n = split($0, p, "/"); if (p[n - 2] in keep) print }' "$split_tsv" "$out/malicious-pypi-all.files" > "$out/$name.files"
    run_list "$name" "$out/$name.files"
  done
  if wanted malicious-pypi-unsplit; then
    awk -F'\t' 'NR == FNR { known[$1] = 1; next } { n = split($0, p, "/"); if (!(p[n - 2] in known)) print }' \
      "$split_tsv" "$out/malicious-pypi-all.files" > "$out/malicious-pypi-unsplit.files"
    [ -s "$out/malicious-pypi-unsplit.files" ] && run_list malicious-pypi-unsplit "$out/malicious-pypi-unsplit.files"
  fi
  run_set malicious-npm "$mal/npm" -type f
else
  run_set malicious "$mal" -name '*'
fi
run_set benign-npm-install-scripts "$cache/npm-install-scripts" -name '*.tgz'
run_set benign-npm-top "$cache/npm" -name '*.tgz'
run_set benign-pypi-wheels "$(pip config get global.find-links 2>/dev/null || echo /nonexistent)" -name '*.whl'
for idx in $(pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | sed 's#^file://##'); do
  run_set "benign-pypi-mirror-$(basename "$(dirname "$idx")")" "$(dirname "$idx")" -name '*.whl' -o -name '*.tar.gz'
done
run_set benign-debian-sdists "$cache/debian" -name '*.orig.tar.*'
python3 "$here/bench/detection/totals.py" "$out"

#!/usr/bin/env bash
# Detection benchmark: runs `airlock analyze --json` over real malware (read only as archives by
# the analyser) and over benign packages prepared in a cache outside the repository, and prints
# recall, false blocks, rules fired, every miss / false block by name, and static-analysis time.
#
# usage: bench/detection/run.sh [MALICIOUS_DIR]   (default: ../shared/datasets/malicious)
# env:   AIRLOCK_BENCH_CACHE  where benign sets are prepared (default ~/.cache/airlock-bench)
#        AIRLOCK_BENCH_NPM    how many top npm packages to pack (default 300)
#        AIRLOCK_BENCH_DEBIAN how many Debian python3-* sources to fetch (default 40)
#        AIRLOCK_ANALYZE      the analyze command (default: bin/airlock analyze)
#        AIRLOCK_BENCH_SANDBOX_EVERY  with a Docker engine, also run static + sandbox on every Nth file
#                             of each set (default 20; 0 turns the sandbox pass off)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mal="${1:-$here/../shared/datasets/malicious}"
cache="${AIRLOCK_BENCH_CACHE:-$HOME/.cache/airlock-bench}"
npm_n="${AIRLOCK_BENCH_NPM:-300}"
deb_n="${AIRLOCK_BENCH_DEBIAN:-40}"
read -r -a analyze <<< "${AIRLOCK_ANALYZE:-$here/bin/airlock analyze}"
out="$cache/results"
mkdir -p "$cache/npm" "$cache/debian" "$out"

prepare_npm() {
  local list="$here/../.library/env/packages/npm.tsv"
  [ -f "$list" ] || { echo "bench: no npm popularity list at $list; skipping npm" >&2; return; }
  if [ "$(find "$cache/npm" -name '*.tgz' | wc -l)" -ge "$npm_n" ]; then return; fi
  # Top packages by monthly downloads; names only (versions come from the registry's latest).
  tail -n +2 "$list" | sort -t$'\t' -k3,3nr | cut -f1 | grep -v '^@types/' | head -n "$npm_n" > "$cache/npm/names.txt" || true
  (cd "$cache/npm" && xargs -P 4 -n 1 npm pack --silent --ignore-scripts < names.txt >/dev/null 2>>"$cache/npm/pack.err" || true)
}

prepare_debian() {
  if [ "$(find "$cache/debian" -name '*.orig.tar.*' | wc -l)" -ge "$deb_n" ]; then return; fi
  local apt="$cache/apt"
  mkdir -p "$apt/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" > "$apt/sources.list"
  local opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists")
  apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || { echo "bench: apt-get update for sources failed; skipping Debian" >&2; return; }
  # apt-get source maps binary names to their source package; take python3-* names spread over the alphabet.
  apt-cache pkgnames python3- | grep -v -e '-dbg$' -e '-doc$' | sort | awk 'NR % 29 == 1' | head -n "$deb_n" \
    > "$cache/debian/names.txt" || true
  (cd "$cache/debian" && xargs -P 2 -n 1 apt-get "${opts[@]}" source --download-only -qq < names.txt >/dev/null 2>>"$cache/debian/source.err" || true)
}

sandbox_every="${AIRLOCK_BENCH_SANDBOX_EVERY:-20}"
engine=0
if [ "$sandbox_every" -gt 0 ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then engine=1; fi

run_set() { # name dir glob...
  local name="$1" dir="$2"; shift 2
  local files=()
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f \( "$@" \) -print0 | sort -z)
  if [ "${#files[@]}" -eq 0 ]; then echo "== $name: no files"; return; fi
  printf '%s\0' "${files[@]}" | xargs -0 "${analyze[@]}" --json --no-sandbox > "$out/$name.jsonl" 2> "$out/$name.err" || true
  python3 "$here/bench/detection/summarize.py" "$name" "$out/$name.jsonl" "${#files[@]}"
  if [ "$engine" = 1 ]; then
    local sample=()
    for ((i = 0; i < ${#files[@]}; i += sandbox_every)); do sample+=("${files[$i]}"); done
    printf '%s\0' "${sample[@]}" | xargs -0 "${analyze[@]}" --json --require-sandbox > "$out/$name-sandbox.jsonl" \
      2> "$out/$name-sandbox.err" || true
    python3 "$here/bench/detection/summarize.py" "$name (static + sandbox, every ${sandbox_every}th)" \
      "$out/$name-sandbox.jsonl" "${#sample[@]}"
  fi
}

prepare_npm
prepare_debian
run_set malicious "$mal" -name '*'
run_set benign-npm "$cache/npm" -name '*.tgz'
run_set benign-pypi-wheels "$(pip config get global.find-links 2>/dev/null || echo /nonexistent)" -name '*.whl'
for idx in $(pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | sed 's#^file://##'); do
  run_set "benign-pypi-mirror-$(basename "$(dirname "$idx")")" "$(dirname "$idx")" -name '*.whl' -o -name '*.tar.gz'
done
run_set benign-debian-sdists "$cache/debian" -name '*.orig.tar.*'

#!/usr/bin/env bash
# Fetches the benign side of the detection benchmark into a cache outside the repository:
# the top npm packages by downloads, npm packages with install scripts or native builds
# (install-script-packages.txt), and the upstream tarballs of Debian's python-* source packages.
# Mirror wheels need no fetching; run.sh lists them from pip's config. Re-running fetches only
# what is missing; names that failed are listed in each folder's *.err.
#
# usage: bench/detection/fetch-benign.sh [CACHE]   (default: $AIRLOCK_BENCH_CACHE or ~/.cache/airlock-bench)
# env:   AIRLOCK_BENCH_NPM     how many top npm packages to pack (default 2000; @types/* left out: no code)
#        AIRLOCK_BENCH_DEBIAN  how many Debian python-* source packages to fetch (default all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${1:-${AIRLOCK_BENCH_CACHE:-$HOME/.cache/airlock-bench}}"
npm_n="${AIRLOCK_BENCH_NPM:-2000}"
deb_n="${AIRLOCK_BENCH_DEBIAN:-all}"
mkdir -p "$cache/npm" "$cache/npm-install-scripts" "$cache/debian"

pack_missing() { # dir names-file: npm pack every name without a tarball yet (the latest version)
  local dir="$1" names="$2"
  # npm pack names its file <name without @, / as ->-<version>.tgz; a name with any such file is done.
  (cd "$dir" && while read -r n; do
     f="${n#@}"; f="${f//\//-}"
     compgen -G "$f-[0-9]*.tgz" >/dev/null || printf '%s\n' "$n"
   done < "$names" | xargs -r -P 4 -n 1 npm pack --silent --ignore-scripts >/dev/null 2>>"$dir/pack.err" || true)
}

grep -v -e '^#' -e '^$' "$here/bench/detection/install-script-packages.txt" > "$cache/npm-install-scripts/names.txt"
pack_missing "$cache/npm-install-scripts" "$cache/npm-install-scripts/names.txt"

list="$here/../.library/env/packages/npm.tsv"
if [ ! -f "$list" ]; then
  echo "fetch-benign: no npm popularity list at $list; skipping top npm" >&2
else
  # Top packages by monthly downloads; names only (versions come from the registry's latest).
  tail -n +2 "$list" | sort -t$'\t' -k3,3nr | cut -f1 | grep -v '^@types/' | head -n "$npm_n" > "$cache/npm/names.txt" || true
  pack_missing "$cache/npm" "$cache/npm/names.txt"
fi

if [ "$deb_n" != 0 ]; then
  apt="$cache/apt"
  mkdir -p "$apt/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" > "$apt/sources.list"
  opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists"
        -o APT::Sandbox::User=root)
  if apt-get "${opts[@]}" update -qq >/dev/null 2>&1; then
    # Source package names straight from the Sources index (apt-helper reads any compression).
    for s in "$apt"/lists/*_source_Sources*; do /usr/lib/apt/apt-helper cat-file "$s"; done \
      | sed -n 's/^Package: \(python-.*\)$/\1/p' | sort -u > "$cache/debian/all-names.txt"
    if [ "$deb_n" = all ]; then cp "$cache/debian/all-names.txt" "$cache/debian/names.txt"
    else awk -v n="$deb_n" -v t="$(wc -l < "$cache/debian/all-names.txt")" 'NR % int(t / n + 1) == 1' \
      "$cache/debian/all-names.txt" > "$cache/debian/names.txt"; fi
    (cd "$cache/debian" && while read -r n; do compgen -G "${n}_*.orig.tar.*" >/dev/null || printf '%s\n' "$n"; done < names.txt \
      | xargs -r -P 3 -n 8 apt-get "${opts[@]}" source --download-only -qq >/dev/null 2>>"$cache/debian/source.err" || true)
  else
    echo "fetch-benign: apt-get update for sources failed; skipping Debian" >&2
  fi
fi
echo "fetch-benign: npm top $(find "$cache/npm" -name '*.tgz' | wc -l) of $(wc -l < "$cache/npm/names.txt")," \
  "install-script $(find "$cache/npm-install-scripts" -name '*.tgz' | wc -l) of $(wc -l < "$cache/npm-install-scripts/names.txt")," \
  "debian $(find "$cache/debian" -name '*.orig.tar.*' | wc -l) in $cache" >&2

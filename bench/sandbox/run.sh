#!/usr/bin/env bash
# Sandbox benchmark (issue 4): seconds per artifact, median and p90, over the test fixtures, 20 real
# npm packages (npm pack from the configured registry) and 20 wheels from the local PyPI mirror that
# pip is configured with, for runc and (when registered) runsc. Needs a running Docker engine.
# Usage: bench/sandbox/run.sh [runtime...]   (default: runc runsc; auto is accepted too)
# BENCH_NPM and BENCH_WHEELS (counts, default 20) shorten the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runtimes=("$@"); [ ${#runtimes[@]} -eq 0 ] && runtimes=(runc runsc)
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

NPM_PACKAGES=(lodash chalk debug ms semver commander uuid minimist yargs-parser glob ansi-styles supports-color
              tslib qs mime inherits safe-buffer color-name escape-string-regexp has-flag)

NPM_PACKAGES=("${NPM_PACKAGES[@]:0:${BENCH_NPM:-20}}")
echo "bench: packing ${#NPM_PACKAGES[@]} npm packages" >&2
mkdir -p "$work/npm"
(cd "$work/npm" && npm pack --silent "${NPM_PACKAGES[@]}" >/dev/null)

# Wheels: from the directories pip's configuration points at (find-links, file:// index URLs).
dirs=()
while IFS= read -r value; do
    for url in $value; do
        path="${url#file://}"
        path="${path%/}"
        # A file:// simple index keeps its files beside it (e.g. .../simple and .../files).
        [ "${path##*/}" = simple ] && path="$(dirname "$path")"
        [ -d "$path" ] && dirs+=("$path")
    done
done < <(pip config list 2>/dev/null | sed -n "s/^[^=]*\.\(find-links\|extra-index-url\|index-url\)='\(.*\)'$/\2/p")
[ ${#dirs[@]} -gt 0 ] || { echo "bench: pip is configured with no local wheel directory" >&2; exit 1; }
# Small pure-Python or cp311 wheels, first 20 by name, so the run is reproducible on one machine.
mapfile -t wheels < <(find "${dirs[@]}" -name '*.whl' -size -2M \( -name '*-py3-none-any.whl' -o -name '*-py2.py3-none-any.whl' -o -name '*-cp311-*' \) \
    -printf '%f\t%p\n' 2>/dev/null | sort -u -t$'\t' -k1,1 | head -n "${BENCH_WHEELS:-20}" | cut -f2)

manifest="$work/manifest.tsv"
for f in "$work"/npm/*.tgz; do printf 'npm\tnpm\t%s\n' "$f"; done >"$manifest"
for f in "${wheels[@]}"; do printf 'wheels\tpypi\t%s\n' "$f"; done >>"$manifest"
echo "bench: $(grep -c $'^npm\t' "$manifest") npm tarballs, $(grep -c $'^wheels\t' "$manifest") wheels" >&2

cd "$here"
# config from the reactor, not from ~/.m2, which other checkouts on the machine may install into.
mvn -B -q -o -pl config,sandbox test-compile >&2
if ! mvn -B -q -o -pl sandbox dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >&2; then
    # Offline, the dependency plugin's own dependencies may be missing from ~/.m2; the compiler's
    # debug output names the same runtime classpath. Dropping its state forces it to compile (and print).
    echo "bench: dependency:build-classpath failed; taking the classpath from the compiler" >&2
    rm -rf "$here/sandbox/target/maven-status/maven-compiler-plugin/compile"
    mvn -B -o -X -pl config,sandbox compile 2>/dev/null \
        | sed -n 's/^\[DEBUG\] -d [^ ]*\/target\/classes -classpath \([^ ]*\) .*/\1/p' | tail -n 1 >"$work/cp.txt"
    [ -s "$work/cp.txt" ] || { echo "bench: could not determine the classpath" >&2; exit 1; }
fi
cp="$here/config/target/classes:$here/sandbox/target/classes:$here/sandbox/target/test-classes:$(cat "$work/cp.txt")"
for runtime in "${runtimes[@]}"; do
    java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.airlock.sandbox.SandboxBenchmark "$runtime" "$manifest"
done

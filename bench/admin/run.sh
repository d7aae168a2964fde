#!/usr/bin/env bash
# Admin paging benchmark (issue 15): how long GET /api/v1/versions takes to answer one filtered,
# sorted page over a policy store of 100,000 versions, through the real policy engine and admin
# API over loopback HTTP. Prints p50/p95/max per query; the target is a filtered page under 100 ms.
# Usage: bench/admin/run.sh   (BENCH_VERSIONS and BENCH_ROUNDS change the size and the repetitions)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$here"
# test-compile in the reactor so the sibling modules' classes are the ones in this checkout.
mvn -B -q -pl proxy -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >&2
cp="proxy/target/test-classes:proxy/target/classes:policy/target/classes:analysis/target/classes:sandbox/target/classes:config/target/classes:config/target/test-classes:$(cat "$work/cp.txt")"
exec java -Xmx1g -Dbench.versions="${BENCH_VERSIONS:-100000}" -Dbench.rounds="${BENCH_ROUNDS:-200}" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.airlock.proxy.admin.PagingBenchmark

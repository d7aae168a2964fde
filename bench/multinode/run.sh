#!/usr/bin/env bash
# Issue 14's "done when", from outside: three `bin/airlock serve` and one `bin/airlock worker` on
# one throw-away PostgreSQL and one local S3 server (s3proxy), in front of a local npm upstream.
# Prints the failover figures (override propagation p50/max, lease takeover after kill -9).
#
#   bash bench/multinode/run.sh            # builds the jar with `mvn package` when missing
#   AIRLOCK_SKIP_BUILD=1 bash bench/multinode/run.sh
#
# Needs: PostgreSQL binaries (.ci/setup-postgres.sh), Docker with the sandbox image, python3,
# and proxy/target/s3proxy/s3proxy.jar (any `mvn test-compile` or `package` of the proxy copies it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if [ "${AIRLOCK_SKIP_BUILD:-}" != "1" ] || [ ! -f proxy/target/airlock.jar ]; then
  mvn -B -q -pl proxy -am -DskipTests package
fi
test -f proxy/target/s3proxy/s3proxy.jar || mvn -B -q -pl proxy -am -DskipTests test-compile
exec python3 bench/multinode/multinode.py "$@"

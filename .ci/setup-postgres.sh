#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries for the shared-store tests. The tests start their
# own throw-away server from them (initdb in a temporary folder, a free loopback port, stopped at
# the end; as root they run it as the package's postgres user), so nothing here starts a
# service. Idempotent: with the binaries present it only checks them.
set -euo pipefail

log() { echo "setup-postgres: $*" >&2; }

have_binaries() {
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if bin=$(have_binaries); then
  log "present: $bin ($("$bin/postgres" --version))"
else
  log "installing postgresql from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  bin=$(have_binaries) || { log "postgresql installed but no initdb found under /usr/lib/postgresql"; exit 1; }
  log "installed: $bin ($("$bin/postgres" --version))"
fi
# Debian's package starts a cluster of its own; the tests do not use it.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  log "note: a packaged cluster is running; the tests use their own server on a free port"
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  log "running as root but there is no postgres user to run the test server as"
  exit 1
fi

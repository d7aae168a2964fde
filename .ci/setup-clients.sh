#!/usr/bin/env bash
# Installs the real package clients that the end-to-end tests drive (python3 with venv, npm,
# pnpm, Yarn Berry) and, with --bench, what bench/proxy/run.sh needs (nginx, wrk).
# Idempotent: every step checks first, so running it twice costs a few seconds.
# Works as root on a fresh Debian 12 box; only Debian's archive and the npm registry are used.
#
# uv is not installed: Debian 12 does not package it, the npm registry has no uv distribution,
# and PyPI is not reachable from CI, so the uv tests skip (or fail under CI=true) explicitly.
set -euo pipefail

PNPM_VERSION="${PNPM_VERSION:-12.4.2}"
# npm's own cooldown (min-release-age) arrived in 11.10; an older npm is upgraded to this one.
NPM_MIN_VERSION="11.10.0"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
YARN_VERSION="${YARN_VERSION:-4.18.1}"
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    -h|--help) echo "usage: $0 [--bench]"; exit 0 ;;
    *) echo "setup-clients: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { echo "setup-clients: $*" >&2; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# A venv that can bootstrap pip is what the pip tests create; Debian splits that into python3-venv.
venv_works() {
  local probe
  probe="$(mktemp -d)"
  local ok=1
  if command -v python3 >/dev/null && python3 -m venv "$probe/v" >/dev/null 2>&1 \
      && "$probe/v/bin/python" -m pip --version >/dev/null 2>&1; then
    ok=0
  fi
  rm -rf "$probe"
  return $ok
}
if ! venv_works; then
  apt_install python3 python3-venv python3-pip
  venv_works || { log "python3 -m venv still cannot create a venv with pip"; exit 1; }
fi
log "python3: $(python3 --version 2>&1)"

if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
log "node $(node --version), npm $(npm --version)"

# npm -g writes into npm's global prefix (/usr or /usr/local as root), which is on PATH.
# --force lets it replace another yarn (e.g. classic 1.x) that owns the same bin name.
ensure_npm_global() {
  local pkg="$1" version="$2" bin="$3"
  if [ "$(cd / && "$bin" --version 2>/dev/null || true)" != "$version" ]; then
    log "npm install -g $pkg@$version"
    npm install -g --force --no-fund --no-audit --ignore-scripts "$pkg@$version" >/dev/null 2>&1 \
      || npm install -g --force --no-fund --no-audit --ignore-scripts "$pkg@$version" >/dev/null
  fi
}
version_lt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]; }
if version_lt "$(cd / && npm --version)" "$NPM_MIN_VERSION"; then
  ensure_npm_global npm "$NPM_VERSION" npm
  log "npm upgraded to $(cd / && npm --version) for min-release-age"
fi
ensure_npm_global pnpm "$PNPM_VERSION" pnpm
# Yarn Berry (what registry-protocols.md describes) ships as one self-contained file.
ensure_npm_global @yarnpkg/cli-dist "$YARN_VERSION" yarn
log "pnpm $(pnpm --version), yarn $(yarn --version)"

if [ "$want_bench" = 1 ]; then
  missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  # The Debian package starts a system nginx on port 80; the benchmark runs its own instance.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl stop nginx || true
  fi
  log "nginx and wrk present"
fi

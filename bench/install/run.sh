#!/usr/bin/env bash
# Times real installs: a 20-dependency npm tree from the configured npm registry and a pip tree of
# ~50 wheels from this machine's local PyPI mirror (served on loopback by pypi_index.py), each
# installed directly, through a cold Airlock (fresh data directory: every packument, page and
# artifact fetched, every version decided and its first download statically checked) and through
# the same Airlock warm. Airlock runs as in production, with the sandbox on (runsc). Clients start
# from an empty cache every time, so only the registry side differs.
#
# A failed install fails the script and prints no ratio.
#
# usage: bench/install/run.sh [--rounds 1] [--keep]
#   --rounds N  repeats everything N times (a fresh Airlock each round) and reports medians
# env:   AIRLOCK_BENCH_JAR=FILE use this jar instead of building proxy/target/airlock.jar
#        AIRLOCK_BENCH_JAVA_OPTS extra JVM options for Airlock
# Everything binds to 127.0.0.1 and everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rounds=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
NPM_TREE=(express lodash chalk commander debug axios yargs uuid semver minimist glob rimraf mkdirp dotenv moment
  dayjs ws body-parser cors jsonwebtoken)
PIP_TREE=(requests flask httpx rich pydantic sqlalchemy jsonschema pytest pyyaml python-dateutil boto3 click attrs
  packaging fastapi tqdm cryptography filelock tomli)
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-install-bench.XXXXXX")"
pids=()
cleanup() {
  local status=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$keep" = 1 ]; then log "logs kept in $work"; else rm -rf "$work"; fi
  exit $status
}
trap cleanup EXIT INT TERM
log() { echo "install-bench: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
  for _ in $(seq 1 300); do curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0; sleep 0.2; done
  log "$2 did not answer at $1"; return 1
}
now() { date +%s.%N; }

# --- tools and inputs --------------------------------------------------------------------------
command -v npm >/dev/null || { log "npm is required (.ci/setup-clients.sh)"; exit 1; }
docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q runsc \
  || { log "the Docker engine with the runsc runtime is required (the sandbox is part of what is measured)"; exit 1; }
registry="$(npm config get registry)"
case "$registry" in */) ;; *) registry="$registry/" ;; esac
mapfile -t simple_dirs < <(pip config list 2>/dev/null | grep -o "file://[^' ]*/simple" | sed 's|^file://||' | sort -u)
[ "${#simple_dirs[@]}" -gt 0 ] || { log "no local PyPI mirror in 'pip config list'"; exit 1; }
if [ -n "${AIRLOCK_BENCH_JAR:-}" ]; then
  cp "$AIRLOCK_BENCH_JAR" "$work/airlock.jar"
else
  log "building the Airlock jar"   # package, never install: the local Maven repository is shared
  (cd "$repo" && mvn -B -q -DskipTests -pl proxy -am package >"$work/build.log" 2>&1) \
    || { log "build failed"; cat "$work/build.log" >&2; exit 1; }
  cp "$repo/proxy/target/airlock.jar" "$work/airlock.jar"
fi

python3 "$here/pypi_index.py" --port-file "$work/index.port" "${simple_dirs[@]}" 2>"$work/index.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/index.port" ] && break; sleep 0.1; done
[ -s "$work/index.port" ] || { log "mirror index did not start"; cat "$work/index.log" >&2; exit 1; }
mirror="http://127.0.0.1:$(cat "$work/index.port")/simple/"
python3 -m venv "$work/venv-probe" >/dev/null

token="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_airlock() {  # data-dir log; sets al_pid, al_url
  local port
  port="$(free_port)"
  # shellcheck disable=SC2086
  java -Xmx512m ${AIRLOCK_BENCH_JAVA_OPTS:-} -jar "$work/airlock.jar" serve --port "$port" --bind 127.0.0.1 \
    --data-dir "$1" --npm-upstream "$registry" --pypi-upstream "$mirror" --pypi-file-hosts 127.0.0.1 \
    --admin-token "$token" --sandbox.runtime runsc >"$2" 2>&1 &
  al_pid=$!
  pids+=($al_pid)
  al_url="http://127.0.0.1:$port/"
  wait_http "${al_url}healthz" Airlock
}

npm_install() {  # label registry-url: a fresh project and an empty npm cache; prints seconds
  local dir="$work/npm-$1"
  mkdir -p "$dir"
  python3 - "$dir/package.json" "${NPM_TREE[@]}" <<'PY'
import json, sys
json.dump({"name": "airlock-install-bench", "version": "1.0.0", "private": True,
           "dependencies": {n: "*" for n in sys.argv[2:]}}, open(sys.argv[1], "w"))
PY
  local t0 t1
  t0="$(now)"
  (cd "$dir" && npm install --registry "$2" --cache "$dir/.npm-cache" --prefer-online --no-audit --no-fund \
    --ignore-scripts --loglevel=error >"$dir/out.log" 2>&1) || { log "npm install ($1) failed"; tail -n 30 "$dir/out.log" >&2; exit 1; }
  t1="$(now)"
  local n
  n="$(python3 -c 'import json,sys; print(len([k for k in json.load(open(sys.argv[1]))["packages"] if k]))' "$dir/package-lock.json")"
  echo "$1 $n" >>"$work/npm-counts"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

pip_install() {  # label index-url: a fresh venv, no pip cache and no pip configuration; prints seconds
  local venv="$work/venv-$1"
  python3 -m venv "$venv" >/dev/null
  local t0 t1
  t0="$(now)"
  PIP_CONFIG_FILE=/dev/null "$venv/bin/pip" install --no-cache-dir --disable-pip-version-check -q \
    --index-url "$2" "${PIP_TREE[@]}" >"$venv.log" 2>&1 || { log "pip install ($1) failed"; tail -n 30 "$venv.log" >&2; exit 1; }
  t1="$(now)"
  "$venv/bin/python" -c 'import requests, flask, httpx, pydantic, sqlalchemy, boto3, cryptography' \
    || { log "the pip tree ($1) does not import"; exit 1; }
  echo "$1 $(PIP_CONFIG_FILE=/dev/null "$venv/bin/pip" list --format=freeze 2>/dev/null | grep -vcE '^(pip|setuptools)==')" >>"$work/pip-counts"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

: >"$work/times"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  start_airlock "$work/airlock-data-$round" "$work/airlock-$round.log"
  for eco in npm pip; do
    for mode in direct cold warm; do
      if [ "$eco" = npm ]; then
        if [ "$mode" = direct ]; then url="$registry"; else url="${al_url}npm/"; fi
        s="$(npm_install "$mode-$round" "$url")"
      else
        if [ "$mode" = direct ]; then url="$mirror"; else url="${al_url}pypi/simple/"; fi
        s="$(pip_install "$mode-$round" "$url")"
      fi
      log "round $round: $eco $mode ${s} s"
      echo "$eco $mode $round $s" >>"$work/times"
    done
  done
  queue="$(curl -fsS --max-time 10 -H "Authorization: Bearer $token" "${al_url}api/v1/status" \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); print(json.dumps({k: s[k] for k in ("analysisQueueDepth", "analysisWaitingForSandbox") if k in s} | {"sandboxRuntime": s.get("sandbox", {}).get("runtime")}))' || echo '?')"
  echo "round $round: Airlock status after the installs: $queue"
  kill "$al_pid"; wait "$al_pid" 2>/dev/null || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times" "$work/npm-counts" "$work/pip-counts" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    eco, mode, _, s = line.split()
    t.setdefault((eco, mode), []).append(float(s))
counts = {}
for f in sys.argv[2:]:
    for line in open(f):
        label, n = line.split()
        counts.setdefault(f, []).append(f"{label}:{n}")
print(f"{'tree':<6}{'direct s':>10}{'cold s':>10}{'warm s':>10}{'cold/direct':>13}{'warm/direct':>13}")
for eco in ("npm", "pip"):
    d, c, w = (statistics.median(t[(eco, m)]) for m in ("direct", "cold", "warm"))
    print(f"{eco:<6}{d:>10.2f}{c:>10.2f}{w:>10.2f}{c / d:>12.2f}x{w / d:>12.2f}x   (targets: cold <= 1.5x, warm <= 1.0x)")
print("packages installed: npm " + " ".join(counts.get(sys.argv[2], [])) + "; pip " + " ".join(counts.get(sys.argv[3], [])))
PY

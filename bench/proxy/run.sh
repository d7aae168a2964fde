#!/usr/bin/env bash
# Benchmark of the proxy core (issue 2): the same cached ~100 KB tarball and ~22 KB packument
# through Airlock, through nginx serving the files from disk, and through Verdaccio pointed at the
# same fake upstream; wrk on loopback (1 thread x 32 connections). Then a 1 GiB artifact streams
# through Airlock started with -Xmx256m while its heap is sampled.
#
# usage: bench/proxy/run.sh [--duration 10s] [--rounds 1] [--skip-big] [--keep]
#   --rounds N  measures every server N times, interleaved, and reports the median (a shared,
#               busy machine makes single runs noisy); --keep leaves the logs in the work dir
# env:   AIRLOCK_BENCH_CACHE  where Verdaccio and the 1 GiB file are kept (default ~/.cache/airlock-bench)
#        AIRLOCK_BENCH_JAVA_OPTS extra JVM options for Airlock (e.g. -Dorg.slf4j.simpleLogger.log.airlock.access=warn)
#        AIRLOCK_SKIP_BUILD=1 use proxy/target/airlock.jar as it is
# Everything binds to 127.0.0.1 and everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration=10s
rounds=1
skip_big=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --skip-big) skip_big=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
cache="${AIRLOCK_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock-bench}"
verdaccio_version=6.1.2
work="$(mktemp -d /tmp/airlock-bench.XXXXXX)"
chmod 755 "$work"   # nginx workers run as an unprivileged user and must read the fixtures
pids=()

cleanup() {
  local status=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$keep" = 1 ]; then
    rm -rf "$work/fixtures" "$work/airlock-data" "$work/verdaccio/storage"
    log "logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit $status
}
trap cleanup EXIT INT TERM

log() { echo "bench: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {  # url, what
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  log "$2 did not answer at $1"; return 1
}

# --- tools -----------------------------------------------------------------------------------
bash "$repo/.ci/setup-clients.sh" --bench >/dev/null
command -v curl >/dev/null || { log "curl is required"; exit 1; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
vdir="$cache/verdaccio-$verdaccio_version"
if [ ! -x "$vdir/node_modules/.bin/verdaccio" ]; then
  log "installing Verdaccio $verdaccio_version into $vdir"
  mkdir -p "$vdir"
  # The registry reachable here serves only the latest dist-tag, so pin node-fetch (see build-notes).
  printf '{"name":"airlock-bench-verdaccio","private":true,"dependencies":{"verdaccio":"%s"},"overrides":{"node-fetch":"2.7.0"}}\n' \
    "$verdaccio_version" > "$vdir/package.json"
  (cd "$vdir" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
fi
if [ "${AIRLOCK_SKIP_BUILD:-}" != "1" ]; then
  log "building the Airlock jar if stale"
  "$repo/bin/airlock" serve --help >/dev/null
fi
jar="$repo/proxy/target/airlock.jar"
[ -f "$jar" ] || { log "missing $jar"; exit 1; }

# --- fake upstream ---------------------------------------------------------------------------
log "starting the fake upstream (first run writes a 1 GiB file into $cache)"
python3 "$here/fake_upstream.py" --root "$work/fixtures" --cache "$cache" --port-file "$work/upstream.port" \
  2>"$work/upstream.log" &
pids+=($!)
for _ in $(seq 1 600); do [ -s "$work/upstream.port" ] && break; sleep 0.2; done
[ -s "$work/upstream.port" ] || { log "fake upstream did not start"; cat "$work/upstream.log" >&2; exit 1; }
up_port="$(cat "$work/upstream.port")"
upstream="http://127.0.0.1:$up_port/npm/"
chmod -R a+rX "$work/fixtures"
chmod a+r "$cache"/bench-big-1.0.0.tgz 2>/dev/null || true
tgz_file="$(cd "$work/fixtures/tarballs" && ls bench-pkg-*.tgz | head -n 1)"

# --- nginx serving the same files from disk --------------------------------------------------
ng_port="$(free_port)"
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$ng_port;
    location ~ ^/npm/([a-z0-9._-]+)/-/([a-z0-9._-]+\.tgz)\$ {
      default_type application/octet-stream;
      alias $work/fixtures/tarballs/\$2;
    }
    location ~ ^/npm/([a-z0-9._-]+)\$ {
      default_type application/json;
      alias $work/fixtures/packuments/\$1.json;
    }
  }
}
NGINX
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>"$work/nginx/stderr.log" &
pids+=($!)

# --- Airlock -----------------------------------------------------------------------------------
al_port="$(free_port)"
# shellcheck disable=SC2086
java -Xmx256m ${AIRLOCK_BENCH_JAVA_OPTS:-} -jar "$jar" serve --port "$al_port" --bind 127.0.0.1 --data-dir "$work/airlock-data" \
  --npm-upstream "$upstream" --pypi-upstream "http://127.0.0.1:$up_port/pypi/simple/" \
  --pypi-file-hosts 127.0.0.1 >"$work/airlock.log" 2>&1 &
al_pid=$!
pids+=($al_pid)

# --- Verdaccio ---------------------------------------------------------------------------------
vd_port="$(free_port)"
mkdir -p "$work/verdaccio/storage"
cat > "$work/verdaccio/config.yaml" <<VERDACCIO
storage: $work/verdaccio/storage
uplinks:
  fake:
    url: $upstream
    cache: true
    maxage: 30m
packages:
  '**':
    access: \$all
    proxy: fake
web:
  enable: false
max_body_size: 2gb
log: { type: stdout, format: pretty, level: error }
VERDACCIO
(cd "$work/verdaccio" && exec node "$vdir/node_modules/.bin/verdaccio" --config "$work/verdaccio/config.yaml" \
  --listen "127.0.0.1:$vd_port" >"$work/verdaccio/out.log" 2>&1) &
pids+=($!)

wait_http "http://127.0.0.1:$ng_port/npm/bench-pkg" nginx
wait_http "http://127.0.0.1:$al_port/healthz" Airlock
wait_http "http://127.0.0.1:$vd_port/-/ping" Verdaccio

declare -A packument_url=(
  [nginx]="http://127.0.0.1:$ng_port/npm/bench-pkg"
  [airlock]="http://127.0.0.1:$al_port/npm/bench-pkg"
  [verdaccio]="http://127.0.0.1:$vd_port/bench-pkg")
declare -A tarball_url=(
  [nginx]="http://127.0.0.1:$ng_port/npm/bench-pkg/-/$tgz_file"
  [airlock]="http://127.0.0.1:$al_port/npm/bench-pkg/-/$tgz_file"
  [verdaccio]="http://127.0.0.1:$vd_port/bench-pkg/-/$tgz_file")

# --- warm caches and check every server answers with the same tarball ---------------------------
want_sha="$(sha256sum "$work/fixtures/tarballs/$tgz_file" | cut -d' ' -f1)"
for server in nginx airlock verdaccio; do
  for _ in 1 2 3; do
    curl -fsS -o "$work/$server.json" --max-time 30 "${packument_url[$server]}"
    curl -fsS -o "$work/$server.tgz" --max-time 30 "${tarball_url[$server]}"
  done
  got="$(sha256sum "$work/$server.tgz" | cut -d' ' -f1)"
  [ "$got" = "$want_sha" ] || { log "$server served different tarball bytes"; exit 1; }
  log "$server: packument $(stat -c %s "$work/$server.json") B, tarball $(stat -c %s "$work/$server.tgz") B"
done

# Airlock analyses a version on its first download (static pass, sandbox); let that finish so
# the measurement sees the steady state of serving cached artifacts.
wait_idle() {  # pid: until the process uses under 10% of a core for two seconds in a row (max 120 s)
  local calm=0 prev now
  prev="$(awk '{print $14 + $15}' "/proc/$1/stat")"
  for _ in $(seq 1 120); do
    sleep 1
    now="$(awk '{print $14 + $15}' "/proc/$1/stat")"
    if [ $((now - prev)) -lt $(( $(getconf CLK_TCK) / 10 )) ]; then calm=$((calm + 1)); else calm=0; fi
    prev=$now
    [ "$calm" -ge 2 ] && return 0
  done
  log "Airlock did not settle within 120 s; measuring anyway"
}
wait_idle "$al_pid"

# --- wrk ---------------------------------------------------------------------------------------
run_wrk() {  # server resource url round
  local out="$work/wrk-$1-$2-$4.txt"
  # A short first run lets the JIT and the caches settle; only the second one is reported.
  timeout 30 wrk -t1 -c32 -d3s "$3" >/dev/null 2>&1 || true
  timeout 60 wrk -t1 -c32 -d"$duration" --latency "$3" >"$out" 2>&1 || { log "wrk failed for $1 $2"; cat "$out" >&2; }
}
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for resource in tarball packument; do
    for server in nginx airlock verdaccio; do
      if [ "$resource" = tarball ]; then url="${tarball_url[$server]}"; else url="${packument_url[$server]}"; fi
      log "round $round/$rounds: wrk $server $resource ($duration)"
      run_wrk "$server" "$resource" "$url" "$round"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/report.py" "$work"

# --- 1 GiB through Airlock under -Xmx256m -------------------------------------------------------
if [ "$skip_big" = 1 ]; then
  exit 0
fi
big_url="http://127.0.0.1:$al_port/npm/bench-big/-/bench-big-1.0.0.tgz"
curl -fsS -o /dev/null --max-time 30 "http://127.0.0.1:$al_port/npm/bench-big"
heap_log="$work/heap.log"
jstat -gc "$al_pid" 200ms >"$heap_log" 2>&1 &
jstat_pid=$!
pids+=($jstat_pid)
sleep 1
for pass in upstream-to-client cached; do
  result="$(curl -sS -o /dev/null --max-time 300 -w '%{http_code} %{size_download} %{speed_download} %{time_total}' "$big_url")"
  read -r code size speed total <<<"$result"
  awk -v p="$pass" -v c="$code" -v s="$size" -v t="$total" -v v="$speed" \
    'BEGIN { printf "big artifact (%s): HTTP %s, %s bytes in %.1f s (%.0f MB/s)\n", p, c, s, t, v / 1e6 }'
done
sleep 1
kill "$jstat_pid" 2>/dev/null || true
rss_kb="$(ps -o rss= -p "$al_pid" | tr -d ' ')"
python3 - "$heap_log" "$rss_kb" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
header = lines[0]
cols = [header.index(c) for c in ("S0U", "S1U", "EU", "OU")]
rows = [row for row in lines[1:] if len(row) == len(header) and row[0] != "S0C"]
used = [sum(float(row[i]) for i in cols) for row in rows]
old = [float(row[header.index("OU")]) for row in rows]
print(f"heap while streaming 1 GiB with -Xmx256m: max used {max(used) / 1024:.1f} MiB (young garbage included), "
      f"max old generation {max(old) / 1024:.1f} MiB, over {len(used)} samples (jstat -gc every 200 ms); "
      f"process RSS after: {int(sys.argv[2]) / 1024:.0f} MiB")
PY
grep -q OutOfMemoryError "$work/airlock.log" && { log "Airlock ran out of memory"; exit 1; }
exit 0

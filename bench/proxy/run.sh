#!/usr/bin/env bash
# Benchmark of the proxy core: the same cached ~100 KB tarball and ~22 KB packument through
# Airlock, through nginx serving the files from disk, and through Verdaccio pointed at the same
# fake upstream; wrk on loopback (1 thread x 32 connections). Airlock runs as it does in
# production, with the sandbox on (runsc): the benchmarked version is new, so it is held until its
# full analysis allowed it, and the script waits for that verdict before measuring.
# Then: a 1 GiB artifact streams through Airlock (-Xmx256m) while its heap is sampled; a ~10 MB
# packument is filtered on a miss and from cache; 1,000 packuments of 500 versions each are cached
# by a second Airlock (-Xmx512m) while its heap is sampled.
#
# Any answer that is not the expected 200 (wrk's status, socket and timeout errors) or a byte count
# per answer that is not the expected one makes the script fail without printing a ratio.
#
# usage: bench/proxy/run.sh [--duration 10s] [--rounds 1] [--warm 20] [--skip-big] [--skip-large] [--keep]
#   --rounds N  measures every server N times, interleaved, and reports the median (a shared,
#               busy machine makes single runs noisy); --keep leaves the logs in the work dir
#   --warm S    seconds of load on each Airlock resource before measuring, so the JIT has compiled
#               the serving path (default 20)
# env:   AIRLOCK_BENCH_CACHE  where Verdaccio and the 1 GiB file are kept (default ~/.cache/airlock-bench)
#        AIRLOCK_BENCH_JAVA_OPTS extra JVM options for Airlock (e.g. -XX:StartFlightRecording=...)
#        AIRLOCK_BENCH_JAR=FILE use this jar instead of building proxy/target/airlock.jar
# Everything binds to 127.0.0.1 and everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration=10s
rounds=1
warm_seconds=20
skip_big=0
skip_large=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --warm) warm_seconds="$2"; shift 2 ;;
    --skip-big) skip_big=1; shift ;;
    --skip-large) skip_large=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
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
if [ -n "${AIRLOCK_BENCH_JAR:-}" ]; then
  cp "$AIRLOCK_BENCH_JAR" "$work/airlock.jar"
else
  # package, not install: the local Maven repository is shared and must not receive this build.
  log "building the Airlock jar"
  (cd "$repo" && mvn -B -q -DskipTests -pl proxy -am package >"$work/build.log" 2>&1) \
    || { log "build failed"; cat "$work/build.log" >&2; exit 1; }
  cp "$repo/proxy/target/airlock.jar" "$work/airlock.jar"
fi
jar="$work/airlock.jar"   # a copy: edits in the worktree cannot change what runs mid-benchmark
docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q runsc \
  || { log "the Docker engine with the runsc runtime is required (the sandbox is part of what is measured)"; exit 1; }

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
token="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_airlock() {  # port data-dir heap log: starts Airlock with the sandbox on; sets $started_pid
  # shellcheck disable=SC2086
  java "-Xmx$3" ${AIRLOCK_BENCH_JAVA_OPTS:-} -jar "$jar" serve --port "$1" --bind 127.0.0.1 --data-dir "$2" \
    --npm-upstream "$upstream" --pypi-upstream "http://127.0.0.1:$up_port/pypi/simple/" \
    --pypi-file-hosts 127.0.0.1 --admin-token "$token" --sandbox.runtime runsc >"$4" 2>&1 &
  started_pid=$!
  pids+=($started_pid)
}
api() { curl -fsS --max-time 10 -H "Authorization: Bearer $token" "$1"; }
al_port="$(free_port)"
start_airlock "$al_port" "$work/airlock-data" 256m "$work/airlock.log"
al_pid=$started_pid

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

# --- Airlock: the new version is held until its full analysis allowed it -------------------------
latest_version="${tgz_file#bench-pkg-}"; latest_version="${latest_version%.tgz}"
log "Airlock: waiting until bench-pkg@$latest_version is analysed (static pass and sandbox) and allowed"
deadline=$((SECONDS + 900))
while :; do
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 "http://127.0.0.1:$al_port/npm/bench-pkg/-/$tgz_file" || echo 000)"
  [ "$code" = 200 ] && break
  [ $SECONDS -lt $deadline ] || { log "bench-pkg@$latest_version still answered $code after 15 minutes"; tail -n 40 "$work/airlock.log" >&2; exit 1; }
  sleep 2
done
verdict="$(api "http://127.0.0.1:$al_port/api/v1/packages/npm/bench-pkg/$latest_version")"
python3 - "$verdict" "$(api "http://127.0.0.1:$al_port/api/v1/status")" <<'PY' || exit 1
import json, sys
v, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sb = s.get("sandbox", {})
print(f"airlock verdict: bench-pkg@{v.get('version')} {v.get('state')} after analysis stage {v.get('analysisStage')}; "
      f"sandbox runtime {sb.get('runtime')} (setting {sb.get('runtimeSetting')})")
if v.get("state") != "allowed" or v.get("analysisStage") != "full" or sb.get("runtime") != "runsc":
    sys.exit("bench: the measured version must be allowed by a full analysis in the runsc sandbox")
PY

# --- warm caches and check every server answers with the same tarball ---------------------------
want_sha="$(sha256sum "$work/fixtures/tarballs/$tgz_file" | cut -d' ' -f1)"
declare -A tarball_bytes packument_bytes
for server in nginx airlock verdaccio; do
  for _ in 1 2 3; do
    curl -fsS -o "$work/$server.json" --max-time 30 "${packument_url[$server]}"
    curl -fsS -o "$work/$server.tgz" -D "$work/$server.tgz.headers" --max-time 30 "${tarball_url[$server]}"
  done
  curl -fsS -o /dev/null -D "$work/$server.json.headers" --max-time 30 "${packument_url[$server]}"
  got="$(sha256sum "$work/$server.tgz" | cut -d' ' -f1)"
  [ "$got" = "$want_sha" ] || { log "$server served different tarball bytes"; exit 1; }
  python3 - "$work/$server.json" "$latest_version" "$server" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
v = doc.get("versions", {}).get(sys.argv[2])
if not v or doc.get("dist-tags", {}).get("latest") != sys.argv[2]:
    sys.exit(f"bench: {sys.argv[3]}'s packument does not list {sys.argv[2]} as latest")
PY
  # What wrk must read per answer: headers plus body (wrk sends no Accept-Encoding, like curl here).
  tarball_bytes[$server]=$(( $(stat -c %s "$work/$server.tgz") + $(stat -c %s "$work/$server.tgz.headers") ))
  packument_bytes[$server]=$(( $(stat -c %s "$work/$server.json") + $(stat -c %s "$work/$server.json.headers") ))
  log "$server: packument $(stat -c %s "$work/$server.json") B, tarball $(stat -c %s "$work/$server.tgz") B"
done

# Let the analysis and any first-download work settle, so the measurement sees the steady state.
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
# Airlock runs on a JIT: until C2 has compiled the serving path, the interpreter and the compiler
# threads take most of the CPU (a profile under load showed the compilers at a third of the
# process' CPU during a 3 s warm-up). nginx and Verdaccio's hot paths are native or already warm
# after their checks above; Airlock gets the same load for a while before it is measured, then
# time to finish compiling.
log "warming Airlock's serving path (${warm_seconds}s per resource)"
timeout $((warm_seconds + 20)) wrk -t1 -c32 -d"${warm_seconds}s" "${tarball_url[airlock]}" >/dev/null 2>&1 || true
timeout $((warm_seconds + 20)) wrk -t1 -c32 -d"${warm_seconds}s" "${packument_url[airlock]}" >/dev/null 2>&1 || true
wait_idle "$al_pid"

# --- wrk ---------------------------------------------------------------------------------------
# done() sees wrk's exact totals (bytes, every kind of error) without a per-response callback.
cat > "$work/summary.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SUMMARY requests=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA
run_wrk() {  # server resource url round
  local out="$work/wrk-$1-$2-$4.txt" expect
  if [ "$2" = tarball ]; then expect="${tarball_bytes[$1]}"; else expect="${packument_bytes[$1]}"; fi
  # A short first run lets the JIT and the caches settle; only the second one is reported.
  timeout 30 wrk -t1 -c32 -d3s "$3" >/dev/null 2>&1 || true
  timeout 90 wrk -t1 -c32 -d"$duration" --timeout 10s --latency -s "$work/summary.lua" "$3" >"$out" 2>&1 \
    || { log "wrk failed for $1 $2"; cat "$out" >&2; }
  echo "EXPECT bytes_per_answer=$expect connections=32" >>"$out"
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
report_status=0
python3 "$here/report.py" "$work" || report_status=$?
# The same bytes after the load as before it: a server that degraded under load would show here.
for server in nginx airlock verdaccio; do
  curl -fsS -o "$work/$server.after.tgz" --max-time 30 "${tarball_url[$server]}"
  [ "$(sha256sum "$work/$server.after.tgz" | cut -d' ' -f1)" = "$want_sha" ] \
    || { log "$server served different tarball bytes after the load"; exit 1; }
done
[ "$report_status" = 0 ] || { log "not every answer was the expected success: no ratios"; exit 1; }

# --- a ~10 MB packument: filtered on a miss, then from cache -------------------------------------
timed_get() {  # url file: prints "code seconds" (fails the run on anything but 200)
  local r
  r="$(curl -sS -o "$2" --max-time 120 -w '%{http_code} %{time_total}' "$1")" || { log "GET $1 failed"; exit 1; }
  [ "${r%% *}" = 200 ] || { log "GET $1 answered ${r%% *}"; exit 1; }
  echo "${r#* }"
}
if [ "$skip_large" != 1 ]; then
  huge_url="http://127.0.0.1:$al_port/npm/bench-huge"
  upstream_s="$(timed_get "http://127.0.0.1:$up_port/npm/bench-huge" "$work/huge.upstream.json")"
  cold_s="$(timed_get "$huge_url" "$work/huge.json")"
  cached=()
  for _ in $(seq 1 21); do cached+=("$(timed_get "$huge_url" "$work/huge.json")"); done
  sleep 6   # past the 5 s reuse of rendered documents; the upstream copy stays cached (60 s)
  refilter_s="$(timed_get "$huge_url" "$work/huge.json")"
  python3 - "$work/huge.upstream.json" "$work/huge.json" "$upstream_s" "$cold_s" "$refilter_s" "${cached[@]}" <<'PY' || exit 1
import json, statistics, sys
up, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if len(out["versions"]) != len(up["versions"]) or len(out["time"]) != len(up["time"]):
    sys.exit("bench: the filtered 10 MB packument lost versions or time entries")
size = len(open(sys.argv[1], "rb").read()) / 1e6
t = [float(x) * 1000 for x in sys.argv[3:]]
cached = sorted(t[3:])
print(f"10 MB packument ({size:.1f} MB, {len(up['versions'])} versions): upstream alone {t[0]:.0f} ms; "
      f"first request through Airlock (fetch, index, policy for every version, filter) {t[1]:.0f} ms; "
      f"filter again with the upstream copy cached {t[2]:.0f} ms (target <= 100 ms); "
      f"from cache median {statistics.median(cached):.1f} ms, max {cached[-1]:.1f} ms over {len(cached)} (target <= 20 ms)")
PY
fi

# --- 1 GiB through Airlock under -Xmx256m -------------------------------------------------------
heap_report() {  # jstat log, label, rss kB
  python3 - "$1" "$2" "$3" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
header = lines[0]
cols = [header.index(c) for c in ("S0U", "S1U", "EU", "OU")]
rows = [row for row in lines[1:] if len(row) == len(header) and row[0] != "S0C"]
used = [sum(float(row[i]) for i in cols) for row in rows]
old = [float(row[header.index("OU")]) for row in rows]
print(f"heap {sys.argv[2]}: max used {max(used) / 1024:.1f} MiB (young garbage included), "
      f"max old generation {max(old) / 1024:.1f} MiB, last old generation {old[-1] / 1024:.1f} MiB, over {len(used)} "
      f"samples (jstat -gc every 200 ms); process RSS after: {int(sys.argv[3]) / 1024:.0f} MiB")
PY
}
if [ "$skip_big" != 1 ]; then
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
    [ "$code" = 200 ] && [ "$size" = $((1 << 30)) ] || { log "the 1 GiB artifact was not served whole ($code, $size bytes)"; exit 1; }
  done
  sleep 1
  kill "$jstat_pid" 2>/dev/null || true
  heap_report "$heap_log" "while streaming 1 GiB with -Xmx256m" "$(ps -o rss= -p "$al_pid" | tr -d ' ')"
  grep -q OutOfMemoryError "$work/airlock.log" && { log "Airlock ran out of memory"; exit 1; }
fi

# --- 1,000 packuments of 500 versions cached, -Xmx512m -----------------------------------------------
if [ "$skip_large" != 1 ]; then
  kill "$al_pid"; wait "$al_pid" 2>/dev/null || true   # one Airlock at a time on two cores
  m_port="$(free_port)"
  start_airlock "$m_port" "$work/airlock-many" 512m "$work/airlock-many.log"
  m_pid=$started_pid
  wait_http "http://127.0.0.1:$m_port/healthz" "Airlock (-Xmx512m)"
  jstat -gc "$m_pid" 200ms >"$work/heap-many.log" 2>&1 &
  jstat_pid=$!
  pids+=($jstat_pid)
  started=$SECONDS
  for form in full abbreviated; do
    if [ "$form" = full ]; then accept="application/json"; else accept="application/vnd.npm.install-v1+json"; fi
    seq 0 999 | xargs -P 4 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --max-time 120 -H "Accept: $accept" \
      "http://127.0.0.1:$m_port/npm/bench-many-{}" >"$work/many-$form.codes" || true
  done
  took=$((SECONDS - started))
  ok="$(cat "$work"/many-*.codes | grep -c '^200$' || true)"
  jcmd "$m_pid" GC.run >/dev/null 2>&1 || true
  sleep 2
  kill "$jstat_pid" 2>/dev/null || true
  echo "1,000 packuments x 500 versions, full and abbreviated (4 clients): $ok of 2000 answers 200 in ${took} s"
  [ "$ok" = 2000 ] || { log "not every packument was served"; exit 1; }
  heap_report "$work/heap-many.log" "with 1,000 packuments of 500 versions cached, -Xmx512m (last sample after a full GC)" \
    "$(ps -o rss= -p "$m_pid" | tr -d ' ')"
  grep -q OutOfMemoryError "$work/airlock-many.log" && { log "Airlock ran out of memory"; exit 1; }
fi
exit 0

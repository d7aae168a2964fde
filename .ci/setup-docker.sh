#!/usr/bin/env bash
# Installs and starts the container engine the sandbox tests need (issue 4). Idempotent: installs only
# what is missing, starts dockerd only when it does not answer, registers gVisor only once.
set -euo pipefail

log() { echo "setup-docker: $*"; }
# In CI the gVisor tests must run, so a missing runsc fails here, where the cause is plain, instead of
# turning into a sandbox that quietly runs on runc. On a laptop runc alone is fine (with a warning).
in_ci() { [ "${CI:-}" = true ]; }

if [ "$(id -u)" -ne 0 ]; then
    log "not root; cannot install or start the engine (run as root, or start dockerd yourself)"
    if docker info >/dev/null 2>&1; then
        if in_ci && ! docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' | grep -qw runsc; then
            log "CI=true requires gVisor, but the engine that answers has no runtime named runsc registered" >&2
            exit 1
        fi
        log "an engine already answers; nothing to do"
        exit 0
    fi
    exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v runsc >/dev/null 2>&1 || missing+=(runsc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v strace >/dev/null 2>&1 || missing+=(strace)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q docker.io debootstrap strace
    # Outside CI runsc is optional: the sandbox runs on runc without it (sandbox.runtime auto warns).
    if ! apt-get install -y -q runsc; then
        if in_ci; then
            log "CI=true requires gVisor, but the runsc package could not be installed" >&2
            exit 1
        fi
        log "runsc (gVisor) could not be installed; continuing with runc only"
    fi
else
    log "docker.io, runsc, debootstrap and strace already installed"
fi

register_runsc() {
    local conf=/etc/docker/daemon.json runsc_path
    runsc_path=$(command -v runsc) || { log "runsc not present; gVisor runtime not registered"; return 1; }
    mkdir -p /etc/docker
    if [ -f "$conf" ] && grep -q '"runsc"' "$conf"; then
        log "runsc already registered in $conf"
        return 1
    fi
    if [ -s "$conf" ]; then
        # Keep whatever else the file configures; merge only our runtime entry.
        if command -v python3 >/dev/null 2>&1; then
            python3 - "$conf" "$runsc_path" <<'PY'
import json, sys
path, runsc = sys.argv[1], sys.argv[2]
with open(path) as f:
    conf = json.load(f)
conf.setdefault("runtimes", {})["runsc"] = {"path": runsc, "runtimeArgs": ["--network=none"]}
with open(path, "w") as f:
    json.dump(conf, f, indent=2)
PY
        elif command -v jq >/dev/null 2>&1; then
            jq --arg p "$runsc_path" '.runtimes.runsc = {path: $p, runtimeArgs: ["--network=none"]}' "$conf" > "$conf.tmp"
            mv "$conf.tmp" "$conf"
        else
            log "cannot merge runsc into existing $conf (no python3 or jq); gVisor runtime not registered"
            return 1
        fi
    else
        # gVisor's default networking fails in dockerd's namespace here; the sandbox never has a network anyway.
        printf '{\n  "runtimes": {\n    "runsc": {"path": "%s", "runtimeArgs": ["--network=none"]}\n  }\n}\n' \
            "$runsc_path" > "$conf"
    fi
    log "registered runsc ($runsc_path, --network=none) in $conf"
    return 0
}

changed_runtimes=0
register_runsc && changed_runtimes=1

if docker info >/dev/null 2>&1; then
    log "dockerd already answers"
    if [ "$changed_runtimes" -eq 1 ]; then
        # SIGHUP makes dockerd re-read daemon.json, including runtimes, without stopping containers.
        pid=$(cat /var/run/docker.pid 2>/dev/null || true)
        if [ -n "$pid" ]; then kill -HUP "$pid"; log "reloaded dockerd (pid $pid)"; fi
    fi
else
    log "starting dockerd (log: /tmp/dockerd.log)"
    setsid nohup dockerd >/tmp/dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    if ! docker info >/dev/null 2>&1; then
        log "dockerd did not answer within 60 s; last log lines:"
        tail -n 20 /tmp/dockerd.log >&2 || true
        exit 1
    fi
    log "dockerd answers"
fi
runtimes=$(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>/dev/null || echo unknown)
log "runtimes: $runtimes"
if in_ci && ! grep -qw runsc <<<"$runtimes"; then
    log "CI=true requires gVisor, but the engine has no runtime named runsc registered (has: $runtimes)" >&2
    exit 1
fi

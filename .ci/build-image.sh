#!/usr/bin/env bash
# Builds Airlock's container image and runs it once until /healthz answers, then removes the
# container. Where a container registry is reachable the Dockerfile's default bases are used.
# Where none is (CI here), a Debian bookworm base with only openjdk-17-jre-headless is made with
# debootstrap and `docker import`ed, and the jar that `mvn verify` just built on the host is
# copied in (PREBUILT_JAR=true): Maven and a JDK inside the image would add ~250 MB of packages
# to bootstrap and a second full dependency download, for a jar the host already has.
# The base tar is cached outside the repository (AIRLOCK_IMAGE_CACHE, default ~/.cache/airlock-image).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$(date +%s)
say() { echo "build-image: [$(( $(date +%s) - start ))s] $*"; }

IMAGE=${AIRLOCK_IMAGE:-airlock:ci}
BASE=airlock-base-jre17:bookworm
CACHE=${AIRLOCK_IMAGE_CACHE:-$HOME/.cache/airlock-image}
DEFAULT_RUNTIME=eclipse-temurin:17-jre

if ! docker info >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "build-image: no Docker engine is running (CI requires one)" >&2
    exit 1
  fi
  echo "build-image: skipped: no Docker engine is running"
  exit 0
fi

mirror() {
  # The host's own Debian mirror when it has one, so the base comes from where apt already works.
  local m
  m=$(grep -hoE '^URIs: *\S+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | awk '{print $2}')
  [ -z "$m" ] && m=$(grep -hoE '^deb +\S+/debian/? +bookworm' /etc/apt/sources.list 2>/dev/null | head -n 1 | awk '{print $2}')
  echo "${m:-http://deb.debian.org/debian}"
}

make_local_base() {
  if docker image inspect "$BASE" >/dev/null 2>&1; then
    say "local base $BASE already present"
    return
  fi
  mkdir -p "$CACHE"
  local tar="$CACHE/jre17-bookworm.tar"
  if [ ! -s "$tar" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
    local root
    root=$(mktemp -d /tmp/airlock-base.XXXXXX)
    trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$root"' RETURN
    say "debootstrap bookworm minbase from $(mirror)"
    debootstrap --variant=minbase bookworm "$root" "$(mirror)" >/dev/null
    cp /etc/hosts "$root/etc/hosts"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
    say "installing openjdk-17-jre-headless in the base"
    chroot "$root" bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
      apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless ca-certificates >/dev/null &&
      apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*'
    umount "$root/proc"
    : > "$root/etc/resolv.conf"
    tar --numeric-owner -C "$root" -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    say "base tar cached at $tar ($(du -h "$tar" | cut -f1))"
  else
    say "using cached base tar $tar"
  fi
  docker import --change 'ENV LANG=C.UTF-8' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' "$tar" "$BASE" >/dev/null
  say "imported $BASE"
}

# Only try a registry when asked: CI machines here reach none, and an attempt is outbound traffic for nothing.
if [ "${AIRLOCK_TRY_REGISTRY:-0}" = "1" ] && timeout 20 docker pull -q "$DEFAULT_RUNTIME" >/dev/null 2>&1; then
  say "registry reachable: building with the Dockerfile's default bases"
  docker build -q -t "$IMAGE" . >/dev/null
else
  say "building from a local Debian base (set AIRLOCK_TRY_REGISTRY=1 to use the Dockerfile defaults)"
  make_local_base
  if [ ! -f proxy/target/airlock.jar ]; then
    say "building the jar on the host"
    mvn -B -q -DskipTests package
  fi
  DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" \
    --build-arg BUILD_IMAGE="$BASE" --build-arg RUNTIME_IMAGE="$BASE" --build-arg PREBUILT_JAR=true . >/dev/null
fi
say "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1000000}'))"

name="airlock-image-check-$$"
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
docker run -d --name "$name" -p 127.0.0.1::8080 -e AIRLOCK_ADMIN_TOKEN=image-check "$IMAGE" >/dev/null
port=$(docker port "$name" 8080/tcp | head -n 1 | sed 's/.*://')
[ "$(docker inspect -f '{{.Config.User}}' "$name")" = "airlock" ] || { echo "build-image: image does not run as the airlock user" >&2; exit 1; }

deadline=$(( $(date +%s) + 90 ))
healthy=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")
  case "$state" in
    exited*|dead*) docker logs "$name" >&2 || true; echo "build-image: container stopped: $state" >&2; exit 1 ;;
  esac
  if [ -z "$healthy" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    healthy=yes
    say "/healthz answered 200 on 127.0.0.1:$port"
  fi
  if [ -n "$healthy" ] && [ "${state#* }" = "healthy" ]; then
    say "Docker HEALTHCHECK reports healthy; image OK"
    exit 0
  fi
  sleep 1
done
docker logs "$name" >&2 || true
echo "build-image: the container did not become healthy within 90 s (last state: $state)" >&2
exit 1

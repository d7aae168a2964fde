#!/usr/bin/env bash
# Builds the sandbox root filesystem from Debian packages and writes it as a tar archive.
# Usage: build-rootfs.sh MIRROR_URL SUITE OUTPUT_TAR
# Needs root, debootstrap and chroot. No container registry is involved.
set -euo pipefail
mirror="$1"; suite="$2"; out="$3"

root="$(mktemp -d "${TMPDIR:-/tmp}/airlock-rootfs.XXXXXX")"
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT

echo "rootfs: debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || { tail -n 30 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"

# python3-requests: with no network, a setup.py that imports requests (most PyPI malware does) would
# otherwise stop at the import before doing anything worth recording.
# debootstrap --include cannot resolve npm's virtual node-* dependencies; apt-get in a chroot can.
cp /etc/hosts "$root/etc/hosts"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
echo "rootfs: apt-get install in chroot"
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c '
    apt-get update -q &&
    apt-get install -y -q --no-install-recommends \
        python3 python3-pip python3-setuptools python3-wheel python3-requests \
        nodejs npm strace iproute2 ca-certificates &&
    apt-get clean &&
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc /usr/share/man /usr/share/info
' >"$root.apt.log" 2>&1 || { tail -n 30 "$root.apt.log" >&2; rm -f "$root.apt.log"; exit 1; }
rm -f "$root.apt.log"
umount "$root/proc"

# The package's code runs as this user; the tracer and the helpers stay root.
chroot "$root" useradd --uid 1000 --user-group --create-home --shell /bin/sh sandbox
# Mount points for the read-only root: helpers, artifact, output, work dirs.
mkdir -p "$root/opt/airlock" "$root/in" "$root/out" "$root/work"
: >"$root/etc/resolv.conf"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"

echo "rootfs: writing $out"
tar --numeric-owner -C "$root" -cf "$out.part" .
mv "$out.part" "$out"
echo "rootfs: done ($(du -h "$out" | cut -f1))"

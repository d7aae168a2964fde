#!/usr/bin/env bash
# Fetches the benign side of the detection benchmark into a cache outside the repository:
# the top npm packages by downloads, npm packages with install scripts or native builds, and a
# spread of Debian python3-* sources. Mirror wheels need no fetching; run.sh lists them from pip's config.
#
# usage: bench/detection/fetch-benign.sh [CACHE]   (default: $AIRLOCK_BENCH_CACHE or ~/.cache/airlock-bench)
# env:   AIRLOCK_BENCH_NPM     how many top npm packages to pack (default 300)
#        AIRLOCK_BENCH_DEBIAN  how many Debian python3-* sources to fetch (default 40)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${1:-${AIRLOCK_BENCH_CACHE:-$HOME/.cache/airlock-bench}}"
npm_n="${AIRLOCK_BENCH_NPM:-300}"
deb_n="${AIRLOCK_BENCH_DEBIAN:-40}"
mkdir -p "$cache/npm" "$cache/npm-install-scripts" "$cache/debian"

# Packages that run install scripts, download prebuilt binaries or compile native code: the
# shape that looks most like a dropper to a static reader.
INSTALL_SCRIPT_PACKAGES="esbuild sharp bcrypt sqlite3 node-pty fibers deasync ngrok chromedriver @swc/core prisma
@prisma/client @prisma/engines puppeteer playwright-core electron node-sass canvas argon2 bufferutil utf-8-validate
leveldown re2 iltorch better-sqlite3 grpc @grpc/grpc-js cypress husky core-js es5-ext protobufjs nodemon
msgpackr-extract @parcel/watcher fsevents lmdb @sentry/cli geckodriver phantomjs-prebuilt kerberos
ssh2 cpu-features zeromq sodium-native keytar node-hid serialport usb robotjs @tensorflow/tfjs-node
oracledb ffi-napi ref-napi microtime farmhash xxhash-addon node-expat libxmljs2 unix-dgram dtrace-provider
gifsicle pngquant-bin mozjpeg optipng-bin jpegtran-bin cwebp-bin edge-js sharp-cli turbo @biomejs/biome"

pack_into() { # dir < names
  (cd "$1" && xargs -P 4 -n 1 npm pack --silent --ignore-scripts >/dev/null 2>>"$1/pack.err" || true)
}

if [ "$(find "$cache/npm-install-scripts" -name '*.tgz' | wc -l)" -lt 40 ]; then
  tr ' ' '\n' <<< "$INSTALL_SCRIPT_PACKAGES" | grep -v '^$' > "$cache/npm-install-scripts/names.txt"
  pack_into "$cache/npm-install-scripts" < "$cache/npm-install-scripts/names.txt"
fi

list="$here/../.library/env/packages/npm.tsv"
if [ ! -f "$list" ]; then
  echo "fetch-benign: no npm popularity list at $list; skipping top npm" >&2
elif [ "$(find "$cache/npm" -name '*.tgz' | wc -l)" -lt "$npm_n" ]; then
  # Top packages by monthly downloads; names only (versions come from the registry's latest).
  tail -n +2 "$list" | sort -t$'\t' -k3,3nr | cut -f1 | grep -v '^@types/' | head -n "$npm_n" > "$cache/npm/names.txt" || true
  pack_into "$cache/npm" < "$cache/npm/names.txt"
fi

if [ "$deb_n" -gt 0 ] && [ "$(find "$cache/debian" -name '*.orig.tar.*' | wc -l)" -lt "$deb_n" ]; then
  apt="$cache/apt"
  mkdir -p "$apt/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" > "$apt/sources.list"
  opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists")
  if apt-get "${opts[@]}" update -qq >/dev/null 2>&1; then
    # apt-get source maps binary names to their source package; take python3-* names spread over the alphabet.
    apt-cache pkgnames python3- | grep -v -e '-dbg$' -e '-doc$' | sort | awk 'NR % 29 == 1' | head -n "$deb_n" \
      > "$cache/debian/names.txt" || true
    (cd "$cache/debian" && xargs -P 2 -n 1 apt-get "${opts[@]}" source --download-only -qq < names.txt >/dev/null 2>>"$cache/debian/source.err" || true)
  else
    echo "fetch-benign: apt-get update for sources failed; skipping Debian" >&2
  fi
fi
echo "fetch-benign: npm top $(find "$cache/npm" -name '*.tgz' | wc -l), install-script $(find "$cache/npm-install-scripts" -name '*.tgz' | wc -l)," \
  "debian $(find "$cache/debian" -name '*.orig.tar.*' | wc -l) in $cache" >&2

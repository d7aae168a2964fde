#!/usr/bin/env bash
# Installs Debian's Chromium and its matching chromedriver for the web UI's browser test.
# Debian's packages, not a downloaded browser build: the two always match each other and come
# from a mirror CI can reach. Idempotent: does nothing when both are already there.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
  echo "setup-chromium: $(chromium --version 2>/dev/null | head -n 1), chromedriver present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-chromium: needs root to apt-get install chromium chromium-driver" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core
echo "setup-chromium: $(chromium --version 2>/dev/null | head -n 1) installed"

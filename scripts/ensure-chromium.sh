#!/usr/bin/env bash
# Playwright drives Debian's Chromium; a new machine does not have it yet. Waits for the
# package lock, since another process (a second checkout's tests) may be installing at the same time.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium package (needed by the e2e tests)..."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
/usr/bin/chromium --version || true

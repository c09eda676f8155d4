#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (`make test-browser`).
# Installs the distribution package only; never downloads a browser any other way.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at $CHROMIUM, and apt-get is not available to install it." >&2
  echo "Install your system's chromium package, then run: make test-browser" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "The browser tests need Chromium at $CHROMIUM. Install it as root: apt-get install chromium" >&2
    exit 1
  fi
fi

# `env` passes the non-interactive switch through sudo, which clears the environment.
run_apt_get() {
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
install_chromium() {
  run_apt_get install -y -q chromium
}

echo "Chromium is missing; installing Debian's chromium package with apt-get."
if ! install_chromium; then
  echo "Install failed; updating the package lists and trying again."
  if run_apt_get update -q; then
    install_chromium || true
  fi
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium is still not at $CHROMIUM, so the browser tests cannot run." >&2
  echo "Install it with: sudo apt-get update && sudo apt-get install chromium" >&2
  exit 1
fi

#!/usr/bin/env bash
# Make sure the Debian programs the tests use are installed, installing the missing ones with
# apt-get (as root, or through sudo). Installs distribution packages only; never downloads
# anything any other way.
#
#   scripts/ensure_test_tools.sh chromium     # /usr/bin/chromium for the browser tests
#   scripts/ensure_test_tools.sh pdftotext    # /usr/bin/pdftotext (poppler-utils) for PDF tests
#   scripts/ensure_test_tools.sh wrk          # /usr/bin/wrk, the load generator of make bench
#   scripts/ensure_test_tools.sh              # all of them
set -euo pipefail

# tool -> program it must provide, Debian package, and what needs it.
declare -A PROGRAM=([chromium]=/usr/bin/chromium [pdftotext]=/usr/bin/pdftotext [wrk]=/usr/bin/wrk)
declare -A PACKAGE=([chromium]=chromium [pdftotext]=poppler-utils [wrk]=wrk)
declare -A NEEDED_BY=([chromium]="The browser tests" [pdftotext]="The PDF tests" [wrk]="The HTTP benchmark (bench/http_submit.py)")

if [ "$#" -eq 0 ]; then
  set -- chromium pdftotext wrk
fi

missing=()
for tool in "$@"; do
  if [ -z "${PROGRAM[$tool]+set}" ]; then
    echo "ensure_test_tools.sh: unknown tool '$tool' (known: ${!PROGRAM[*]})." >&2
    exit 2
  fi
  if [ ! -x "${PROGRAM[$tool]}" ]; then
    missing+=("$tool")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

packages=()
for tool in "${missing[@]}"; do
  packages+=("${PACKAGE[$tool]}")
done

explain_missing() {
  for tool in "${missing[@]}"; do
    if [ ! -x "${PROGRAM[$tool]}" ]; then
      echo "${NEEDED_BY[$tool]} need ${PROGRAM[$tool]} (Debian package ${PACKAGE[$tool]})$1" >&2
    fi
  done
}

if ! command -v apt-get >/dev/null 2>&1; then
  explain_missing ", and apt-get is not available to install it."
  echo "Install your system's package for it, then run make test again." >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    explain_missing "."
    echo "Install as root: apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi

# `env` passes the non-interactive switch through sudo, which clears the environment.
run_apt_get() {
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
install_packages() {
  run_apt_get install -y -q "${packages[@]}"
}

echo "Missing for the tests: ${packages[*]}; installing Debian's package(s) with apt-get."
if ! install_packages; then
  echo "Install failed; updating the package lists and trying again."
  if run_apt_get update -q; then
    install_packages || true
  fi
fi

still_missing=0
for tool in "${missing[@]}"; do
  if [ ! -x "${PROGRAM[$tool]}" ]; then
    still_missing=1
  fi
done
if [ "$still_missing" -ne 0 ]; then
  explain_missing ", which is still not there, so those tests cannot run."
  echo "Install with: sudo apt-get update && sudo apt-get install ${packages[*]}" >&2
  exit 1
fi

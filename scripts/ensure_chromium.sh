#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (`make test-browser`).
# Installs the distribution package only; never downloads a browser any other way.
# The work is done by ensure_test_tools.sh, which also installs the PDF tests' pdftotext.
set -euo pipefail

exec "$(dirname "$0")/ensure_test_tools.sh" chromium

#!/bin/sh
# Install what the test suite needs: Debian's Chromium for the browser tests (never a
# downloaded browser) and a virtual environment .venv with sitegen and its test extras.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x "${SITEGEN_CHROMIUM:-/usr/bin/chromium}" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    as_root=""
    [ "$(id -u)" -eq 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
  else
    echo "setup-tests: no apt-get; install Chromium and set SITEGEN_CHROMIUM to it," \
         "or the browser tests are skipped" >&2
  fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q -e ".[test]"

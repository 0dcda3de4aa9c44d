#!/usr/bin/env bash
# Installs what the product needs into .venv (idempotent). With --test, also the test tools
# (Playwright's Python driver, the official onepin CLI) and Debian's chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then PY=$cand; break; fi
  done
fi
[ -n "$PY" ] || { echo "Python 3.11 is required" >&2; exit 1; }

need=()
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)     # builds the native audio kernels (below)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need+=(fonts-liberation)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The native audio kernels (app/speech/native/dsp.c: numpy's results bit for bit, about 3x faster). Built to a
# temporary name then renamed, so a running worker never maps a half-written library. No -march (the machine
# that runs it may differ) and no -ffast-math or FMA contraction (the order of operations is the contract).
# Without them the numpy code runs: a warning, not a failure.
native=app/speech/native
if cc -O3 -shared -fPIC -ffp-contract=off -o "$native/libdsp.so.tmp" "$native/dsp.c" -lm; then
  mv -f "$native/libdsp.so.tmp" "$native/libdsp.so"
else
  rm -f "$native/libdsp.so.tmp"
  echo "warning: the native audio kernels were not built; the numpy code will run instead" >&2
fi

# A venv left half-made by an interrupted install (no pip) is made again.
if ! { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; }; then
  rm -rf .venv && "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade "pip>=24" 2>&1 | grep -v "is ignored" || true
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v "is ignored" || true
else
  .venv/bin/python -m pip install -q -e . 2>&1 | grep -v "is ignored" || true
fi
.venv/bin/python -c "import app" >/dev/null

#!/usr/bin/env bash
# README command (1): install what is needed, then run the product on embedded defaults
# (SQLite file, a private Redis, local storage, gunicorn/gevent + RQ workers). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/onepin-server run "$@"

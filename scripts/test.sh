#!/usr/bin/env bash
# README command (2): install the test tools and run the whole suite against real PostgreSQL and
# Redis (started here if they are down), real RQ workers and Debian's chromium. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test

# PostgreSQL: the machine's cluster, started if it is down.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    ver=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main start
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
# Redis: the machine's server on 6379, started if it is down.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /tmp/onepin-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/onepin-redis
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/onepin_test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
# Two pytest processes (pytest-xdist), each with its own database and Redis db (tests/conftest.py): much of the
# suite waits on browsers, RQ workers and live servers, so two keep both CPUs busy. ONEPIN_TEST_PROCESSES=0 runs
# it in one process.
exec .venv/bin/python -m pytest -n "${ONEPIN_TEST_PROCESSES:-2}" --dist loadfile "$@"

"""SQLite, the embedded default, is shared by the web server, the RQ workers, the engine's reaper and the
background catalog build, each in its own process. Every connection gets:

- WAL journal: readers never wait for a writer and a writer never waits for readers (with the default
  rollback journal a commit waited for every reader to finish);
- a 30 s busy timeout: a writer waits its turn instead of failing with "database is locked" after
  sqlite3's 5 s (seen on a fresh machine while the voice catalog was being built);
- synchronous=NORMAL, the setting WAL is designed for (durable across application crashes; a power
  loss may lose the last commits, never corrupt the file). PostgreSQL is the choice at scale.
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")      # answers "memory" for an in-memory database: fine
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()

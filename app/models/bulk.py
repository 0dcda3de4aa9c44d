"""Inserting many plain rows at once.

On PostgreSQL the rows go through ``COPY … FROM STDIN`` on the session's own connection (same
transaction): about half the client CPU and half the server CPU of a pipelined ``executemany`` of
one-row INSERTs (`bench/engine_bench.py`; a run writes two or three takes per line). Every value goes
through its column type's bind processor first, so JSON, custom types and NULLs are stored exactly
as an INSERT would store them. Elsewhere (SQLite) it is a plain executemany INSERT.
"""
from __future__ import annotations

from sqlalchemy import Table, insert

from app.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Inserts ``rows`` (dicts holding every column of ``table`` by key) in the current transaction."""
    if not rows:
        return
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    cols = list(table.columns)
    procs = [(c.key, c.type._cached_bind_processor(conn.dialect)) for c in cols]
    names = ", ".join(conn.dialect.identifier_preparer.quote(c.name) for c in cols)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[key] if proc is None else proc(row[key]) for key, proc in procs])

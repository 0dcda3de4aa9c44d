"""The SSE relay.

Each event lives in a Redis stream (its stream id is the SSE `id:`); the pub/sub channel only wakes
the relay up. On (re)connect the relay first replays the stream after Last-Event-ID, then follows it
live, so a client misses nothing and sees nothing twice, in order. A run stream closes after the
run's terminal status event.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Response, stream_with_context

from app.engine import events as ev
from app.services.queue import redis_conn

KEEPALIVE_SECONDS = 15
TERMINAL = ("completed", "failed", "cancelled")


def _frame(event_id: str, kind: str, data: str) -> str:
    return f"id: {event_id}\nevent: {kind}\n" + "".join(f"data: {line}\n" for line in data.splitlines() or [""]) + "\n"


def _valid_id(value: str | None) -> str:
    if value and "-" in value and all(p.isdigit() for p in value.split("-", 1)):
        return value
    return "0-0"


def relay(stream_key: str, channel: str, last_id: str | None, *, stop_on_terminal: bool,
          max_seconds: float | None = None) -> Iterator[str]:
    conn = redis_conn()
    if conn is None:
        yield "event: error\ndata: live progress needs Redis\n\n"
        return
    pubsub = conn.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)                 # subscribe before reading: nothing slips in between
    cursor = _valid_id(last_id)
    started = time.monotonic()
    yield "retry: 2000\n\n"
    try:
        while True:
            done = False
            for entry_id, fields in conn.xrange(stream_key, min=f"({cursor}", max="+", count=1000):
                entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                kind = fields.get(b"type", fields.get("type"))
                data = fields.get(b"data", fields.get("data"))
                kind = kind.decode() if isinstance(kind, bytes) else kind
                data = data.decode() if isinstance(data, bytes) else data
                cursor = entry_id
                yield _frame(entry_id, kind, data)
                if stop_on_terminal and kind == "run.status" and json.loads(data).get("status") in TERMINAL:
                    done = True
            if done:
                return
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                return
            msg = pubsub.get_message(timeout=KEEPALIVE_SECONDS)
            if msg is None:
                yield ": keepalive\n\n"
    finally:
        pubsub.close()


def latest_id(stream_key: str) -> str | None:
    """The id of the newest event of a stream: a page rendered from the database after this point
    asks its stream for what comes after it (None: no event yet, or no Redis)."""
    conn = redis_conn()
    if conn is None:
        return None
    try:
        newest = conn.xrevrange(stream_key, count=1)
    except Exception:  # noqa: BLE001 - no Redis: the stream replays from the start
        return None
    if not newest:
        return None
    eid = newest[0][0]
    return eid.decode() if isinstance(eid, bytes) else eid


def response(iterator: Iterator[str]) -> Response:
    return Response(stream_with_context(iterator), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def run_events(run, last_id: str | None) -> Response:
    """Terminal runs replay their stream and close; live ones stream until they end."""
    return response(relay(ev.run_stream(run.id), ev.run_channel(run.id), last_id, stop_on_terminal=True))


def workspace_events(workspace_id: str, last_id: str | None, max_seconds: float | None = None) -> Response:
    return response(relay(ev.workspace_stream(workspace_id), ev.workspace_channel(workspace_id), last_id,
                          stop_on_terminal=False, max_seconds=max_seconds))

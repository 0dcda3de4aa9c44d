"""Progress events: appended to a Redis stream per run (replay by Last-Event-ID) and announced on a
pub/sub channel (live relay). Published after the transaction commits; Redis being down never
breaks a run (the database stays the truth and the SSE endpoint resends a snapshot)."""
from __future__ import annotations

import json
import logging

from app.services.queue import after_commit, redis_conn

log = logging.getLogger("onepin.engine.events")
STREAM_MAX = 20_000


def run_stream(run_id: str) -> str:
    return f"onepin:run:{run_id}:events"


def run_channel(run_id: str) -> str:
    return f"onepin:run:{run_id}"


def workspace_stream(workspace_id: str) -> str:
    return f"onepin:ws:{workspace_id}:events"


def workspace_channel(workspace_id: str) -> str:
    return f"onepin:ws:{workspace_id}"


def _send(run_id: str | None, workspace_id: str | None, kind: str, data: dict) -> None:
    conn = redis_conn()
    if conn is None:
        return
    payload = json.dumps(data, separators=(",", ":"), default=str)
    try:
        pipe = conn.pipeline(transaction=False)
        if run_id:
            pipe.xadd(run_stream(run_id), {"type": kind, "data": payload}, maxlen=STREAM_MAX, approximate=True)
        if workspace_id and kind in ("run.status", "run.progress"):
            pipe.xadd(workspace_stream(workspace_id), {"type": kind, "data": payload}, maxlen=2000, approximate=True)
        results = pipe.execute()
        event_id = results[0] if run_id else None
        if isinstance(event_id, bytes):          # the connection does not decode responses
            event_id = event_id.decode()
        note = json.dumps({"id": event_id, "type": kind})
        if run_id:
            conn.publish(run_channel(run_id), note)
        if workspace_id and kind in ("run.status", "run.progress"):
            conn.publish(workspace_channel(workspace_id), note)
    except Exception as exc:  # noqa: BLE001 - progress is best effort; the DB is the truth
        log.warning("event %s for run %s not published: %s", kind, run_id, exc)


def publish(run_id: str, workspace_id: str, kind: str, data: dict) -> None:
    """Queue an event to go out when the current transaction commits (all the events of one commit go
    out in one Redis pipeline)."""
    from app.extensions import db
    batch = db.session.info.get("onepin_events")
    if batch is None:
        batch = db.session.info["onepin_events"] = []
        after_commit(lambda: _send_many(db.session.info.pop("onepin_events", None) or batch))
    batch.append((run_id, workspace_id, kind, data))


def _send_many(batch: list) -> None:
    if len(batch) == 1:
        _send(*batch[0])
        return
    conn = redis_conn()
    if conn is None:
        return
    try:
        pipe = conn.pipeline(transaction=False)
        for run_id, workspace_id, kind, data in batch:
            payload = json.dumps(data, separators=(",", ":"), default=str)
            pipe.xadd(run_stream(run_id), {"type": kind, "data": payload}, maxlen=STREAM_MAX, approximate=True)
            if workspace_id and kind in ("run.status", "run.progress"):
                pipe.xadd(workspace_stream(workspace_id), {"type": kind, "data": payload}, maxlen=2000, approximate=True)
        # one wake-up per channel, after the appends in the same pipeline (commands run in order):
        # readers fetch everything new from the stream
        wake: dict[str, str] = {}
        for run_id, workspace_id, kind, _data in batch:
            wake[run_channel(run_id)] = kind
            if workspace_id and kind in ("run.status", "run.progress"):
                wake[workspace_channel(workspace_id)] = kind
        for channel, kind in wake.items():
            pipe.publish(channel, json.dumps({"type": kind}))
        pipe.execute()
    except Exception as exc:  # noqa: BLE001 - progress is best effort; the DB is the truth
        log.warning("%d events not published: %s", len(batch), exc)


def publish_now(run_id: str, workspace_id: str, kind: str, data: dict) -> None:
    _send(run_id, workspace_id, kind, data)

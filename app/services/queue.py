"""Redis connection and RQ queues. Jobs are enqueued only after the surrounding commit."""
from __future__ import annotations

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

QUEUES = ("engine", "default", "email")
_PENDING = "onepin_after_commit"


def redis_conn() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    ext = current_app.extensions
    if "redis" not in ext:
        # redis-py 8 caps a pool at 100 connections by default; SSE streams need far more.
        ext["redis"] = Redis.from_url(url, max_connections=10_000, health_check_interval=30)
    return ext["redis"]


def queue(name: str = "default") -> Queue | None:
    conn = redis_conn()
    return Queue(name, connection=conn) if conn is not None else None


def enqueue_after_commit(queue_name: str, func_path: str, *args, **kwargs) -> None:
    db.session.info.setdefault(_PENDING, []).append((queue_name, func_path, args, kwargs))


def after_commit(callback) -> None:
    """Run `callback()` once the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(_PENDING, []).append((None, callback, (), {}))


@event.listens_for(Session, "after_commit")
def _flush_pending(session):
    pending = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    for queue_name, func_path, args, kwargs in pending:
        if queue_name is None:
            try:
                func_path()
            except Exception:  # a side channel (Redis) must never break a committed transaction
                import logging
                logging.getLogger(__name__).exception("after-commit callback failed")
            continue
        try:
            q = queue(queue_name)
            if q is not None:
                q.enqueue(func_path, *args, job_timeout=kwargs.pop("job_timeout", 120), **kwargs)
        except Exception:  # Redis down: the commit stands; the engine's reaper re-enqueues lost work
            import logging
            logging.getLogger(__name__).exception("enqueue of %s after commit failed", func_path)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    session.info.pop(_PENDING, None)
    session.info.pop("onepin_events", None)   # progress events of a rolled-back transaction never happened

"""Leases on takes, the heartbeat that keeps them, and the reaper that recovers lost work.

A worker claims a take by setting status=running with a lease (owner, expiry) in one conditional
UPDATE; only one claimer can win. A background heartbeat extends the leases of the takes this
process is working on. The reaper puts takes whose lease expired back to pending (a killed worker),
re-enqueues runnable takes whose job vanished from Redis, and advances runs nobody advanced.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.models import Run, Take
from app.models.base import utcnow

log = logging.getLogger("onepin.engine.leases")
LEASE_SECONDS = int(os.environ.get("ONEPIN_LEASE_SECONDS", "30"))
HEARTBEAT_SECONDS = max(2, LEASE_SECONDS // 3)
REAP_SECONDS = int(os.environ.get("ONEPIN_REAP_SECONDS", "5"))
LOST_JOB_AFTER = timedelta(seconds=int(os.environ.get("ONEPIN_LOST_JOB_SECONDS", "15")))

_owner = None
# Takes this process is working on right now: the heartbeat extends only these, so a take abandoned by
# a failed job (e.g. Redis went away mid-batch) expires and is recovered even though the process lives.
ACTIVE: set[str] = set()


def owner_id() -> str:
    global _owner
    if _owner is None or not _owner.endswith(f":{os.getpid()}"):
        _owner = f"{socket.gethostname()}:{os.getpid()}"
    return _owner


def claim(take_ids: list[str]) -> list[SimpleNamespace]:
    """Claims the takes that are free (pending, or running with an expired lease) and commits. Returns a
    plain copy of each claimed take (as it is after the claim), read by the same statement."""
    now = utcnow()
    columns = list(Take.__table__.columns)
    result = db.session.execute(
        update(Take)
        .where(Take.id.in_(take_ids),
               or_(Take.status == "pending", and_(Take.status == "running", Take.lease_expires_at < now)))
        .values(status="running", lease_owner=owner_id(), lease_expires_at=now + timedelta(seconds=LEASE_SECONDS),
                started_at=now)
        .returning(*columns))
    rows = [SimpleNamespace(**{c.key: value for c, value in zip(columns, row)}) for row in result]
    db.session.commit()
    order = {take_id: i for i, take_id in enumerate(take_ids)}
    rows.sort(key=lambda r: order.get(r.id, 0))          # in the job's order (lines in script order)
    ACTIVE.update(r.id for r in rows)
    return rows


def release(take_ids) -> None:
    ACTIVE.difference_update(take_ids)


def extend_my_leases() -> int:
    ids = list(ACTIVE)
    if not ids:
        return 0
    now = utcnow()
    res = db.session.execute(update(Take).where(Take.id.in_(ids), Take.lease_owner == owner_id(),
                                                Take.status == "running")
                             .values(lease_expires_at=now + timedelta(seconds=LEASE_SECONDS)))
    db.session.commit()
    return res.rowcount or 0


def reap() -> dict:
    """One pass of recovery. Safe to run anywhere, any number of times."""
    from app.engine import scheduler
    from app.services.queue import redis_conn
    now = utcnow()
    expired = db.session.execute(
        update(Take).where(Take.status == "running", Take.lease_expires_at < now)
        .values(status="pending", lease_owner=None, lease_expires_at=None, enqueued_at=None, job_id=None)
        .returning(Take.run_id)).all()
    db.session.commit()
    stats = {"expired": len(expired), "requeued": 0, "advanced": 0, "started": 0}
    conn = redis_conn()
    from rq.job import Job
    # ids and waves only: a run row carries its whole script, and a long run has many pending takes
    for run in db.session.execute(select(Run.id, Run.current_wave).where(Run.status == "running")).all():
        stale = db.session.execute(select(Take.id, Take.job_id).where(
            Take.run_id == run.id, Take.status == "pending", Take.wave <= run.current_wave,
            or_(Take.enqueued_at.is_(None), Take.enqueued_at < now - LOST_JOB_AFTER))).all()
        jobs: dict[str, bool] = {}           # one look in Redis per job, not per take
        for job_id in {t.job_id for t in stale if t.job_id}:
            jobs[job_id] = conn is not None and Job.exists(job_id, connection=conn)
        lost_ids = [t.id for t in stale if not jobs.get(t.job_id)]
        if lost_ids:
            lost = list(db.session.scalars(select(Take).where(Take.id.in_(lost_ids))))
            scheduler.enqueue(run, lost)
            db.session.commit()
            stats["requeued"] += len(lost)
        elif not scheduler.open_in_wave(run):
            outcome = scheduler.advance(run.id)
            stats["advanced"] += outcome in ("advanced", "completed", "failed", "paused")
    for run in db.session.scalars(select(Run).where(Run.status == "pending", Run.pause_requested_at.is_(None),
                                                    Run.created_at < now - LOST_JOB_AFTER)).all():
        from app.engine.launcher import enqueue_start
        enqueue_start(run.id)
        stats["started"] += 1
    db.session.commit()
    if any(stats.values()):
        log.info("reaper: %s", stats)
    return stats


class Background(threading.Thread):
    """Heartbeat + reaper loop for a worker process."""

    def __init__(self, app):
        super().__init__(daemon=True, name="onepin-engine-background")
        self.app = app
        self.stopping = threading.Event()

    def run(self):
        last_reap = 0.0
        while not self.stopping.wait(1.0):
            try:
                with self.app.app_context():
                    if time.monotonic() - last_reap >= REAP_SECONDS:
                        last_reap = time.monotonic()
                        if _reaper_turn(self.app):
                            reap()
                    extend_my_leases()
            except Exception:  # noqa: BLE001 - keep the loop alive (e.g. Redis restarting)
                log.exception("engine background loop")
                time.sleep(1)
            finally:
                with self.app.app_context():
                    db.session.remove()


def _reaper_turn(app) -> bool:
    """Only one process reaps per interval when Redis is up; every process may when it is down."""
    from app.services.queue import redis_conn
    try:
        conn = redis_conn()
        return conn is None or bool(conn.set("onepin:reaper-lock", owner_id(), nx=True, ex=REAP_SECONDS))
    except Exception:  # noqa: BLE001
        return True

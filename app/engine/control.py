"""Pause, resume and cancel, with the contract's semantics."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.permissions import require_role
from app.engine import billing, events, scheduler
from app.errors import Conflict
from app.extensions import db
from app.models import ACTIVE, Membership, Run, User
from app.models.base import utcnow
from app.services.plans import get_plan


def pause(run: Run, membership: Membership) -> Run:
    """Running: drain the current wave, then park (status stays running with pause_requested_at until
    then). Pending: parks at once. Paused: unchanged. Terminal: 409."""
    require_role(membership.role, "runs.start", "Viewers cannot control runs.")
    run = scheduler.lock_run(run.id)
    if run.status == "paused":
        return run
    if run.status not in ("pending", "running"):
        raise Conflict(f"This run is {run.status}; only pending or running runs can pause.", code="RUN_NOT_ACTIVE")
    now = utcnow()
    if run.pause_requested_at is None:
        run.pause_requested_at = now
    run.pause_reason, run.pause_error = "user", None
    if run.status == "pending":
        run.status, run.paused_at = "paused", now
    events.publish(run.id, run.workspace_id, "run.status", scheduler.status_event(run))
    db.session.commit()
    if run.status == "running":
        scheduler.advance(run.id)        # parks at once if the wave is already drained
        db.session.refresh(run)
    return run


def resume(run: Run, membership: Membership, user: User) -> Run:
    """Paused → running, continuing after the last completed wave (finished nodes don't re-run)."""
    require_role(membership.role, "runs.start", "Viewers cannot control runs.")
    run = scheduler.lock_run(run.id)
    if run.status != "paused":
        raise Conflict(f"This run is {run.status}; only a paused run can resume.", code="RUN_NOT_PAUSED")
    other = db.session.scalar(select(Run.id).where(Run.workflow_id == run.workflow_id, Run.id != run.id,
                                                   Run.status.in_(ACTIVE)).limit(1))
    if other:
        raise Conflict("Another run of this workflow is active.", code="RUN_ALREADY_ACTIVE")
    limit = get_plan(user.plan).concurrent_runs_per_user
    mine = db.session.scalar(select(func.count()).select_from(Run).where(
        Run.triggered_by == user.id, Run.status.in_(("pending", "running")))) or 0
    if mine >= limit:
        raise Conflict(f"Your plan allows {limit} runs at once.", code="CONCURRENT_RUN_LIMIT")
    now = utcnow()
    if run.paused_at:
        run.paused_ms = (run.paused_ms or 0) + int((now - run.paused_at).total_seconds() * 1000)
    was_started = run.started_at is not None
    run.status = "running" if was_started else "pending"
    run.pause_requested_at = run.paused_at = None
    run.pause_reason = run.pause_error = None
    if was_started:   # takes released by a provider pause wait, pending and without a job, in the current wave
        from app.models import Take
        scheduler.enqueue(run, list(db.session.scalars(select(Take).where(
            Take.run_id == run.id, Take.status == "pending", Take.wave <= run.current_wave))))
    events.publish(run.id, run.workspace_id, "run.status", scheduler.status_event(run))
    db.session.commit()
    if was_started:
        scheduler.advance(run.id)
    else:
        from app.engine.launcher import enqueue_start
        enqueue_start(run.id)
    db.session.refresh(run)
    return run


def cancel(run: Run, membership: Membership) -> Run:
    """pending/running/paused → cancelled at once (in-flight work is abandoned); terminal runs are
    returned unchanged (SDK 0.16.1)."""
    require_role(membership.role, "runs.start", "Viewers cannot control runs.")
    run = scheduler.lock_account_and_run(run.id)      # billing.finish settles: the account before the run
    if run.status not in ACTIVE:
        db.session.rollback()
        return run
    run.status, run.completed_at = "cancelled", utcnow()
    scheduler.cancel_open_takes(run)
    scheduler.close_steps(run)
    billing.finish(run)
    from app.engine import reporting
    reporting.on_finished(run)          # usage summary and activity, like any finished run (no email)
    events.publish(run.id, run.workspace_id, "run.status", scheduler.status_event(run))
    db.session.commit()
    return run

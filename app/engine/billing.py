"""Credits for runs: a hold is reserved at launch; work done settles against it; the rest is
released when the run ends; a settled run costs at least `run_minimum` credits.

Each billable take records its cost in milli-credits. Settlement posts whole credits: the run's
settled total is always floor(sum of its settled takes' cost), posted as a settle entry whose dedup
key is that running total, so a retried or duplicated settlement can never bill twice.
"""
from __future__ import annotations

import math
from fractions import Fraction

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import credits, pricing


def take_cost_milli(node_type: str, units: int, provider: str | None, model: str | None) -> int:
    if units <= 0:
        return 0
    rate = pricing.rate_for(node_type, provider, model)
    return int(math.ceil(rate.credits(units) * 1000))


def _reservation(run: Run) -> LedgerEntry | None:
    return db.session.get(LedgerEntry, run.reservation_id) if run.reservation_id else None


def settled_credits(run_id: str) -> int:
    return -int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.run_id == run_id, LedgerEntry.kind == "settle")) or 0)


def settle_takes(run: Run, take_ids: list[str] | None = None) -> int:
    """Settles done, unsettled takes of the run (all of them when take_ids is None). Returns credits posted."""
    reservation = _reservation(run)
    if reservation is None:
        return 0
    credits._lock_account(reservation.user_id)          # serializes settlements of this account
    q = update(Take).where(Take.run_id == run.id, Take.status == "done", Take.settled.is_(False))
    if take_ids is not None:
        q = q.where(Take.id.in_(take_ids))
    ids = [r[0] for r in db.session.execute(q.values(settled=True).returning(Take.id))]
    if not ids:
        return 0
    total_milli = int(db.session.scalar(select(func.coalesce(func.sum(Take.credits_milli), 0)).where(
        Take.run_id == run.id, Take.settled.is_(True))) or 0)
    target = total_milli // 1000
    already = settled_credits(run.id)
    delta = target - already
    if delta > 0:
        credits.settle(reservation, delta, dedup_key=f"settle:{run.id}:{target}",
                       memo=f"run {run.run_number}: {len(ids)} takes", data={"takes": len(ids)})
    return max(delta, 0)


def finish(run: Run) -> None:
    """Final settlement: every done take, the run minimum, then the unused hold goes back."""
    reservation = _reservation(run)
    if reservation is None:
        return
    settle_takes(run)
    total_milli = int(db.session.scalar(select(func.coalesce(func.sum(Take.credits_milli), 0)).where(
        Take.run_id == run.id, Take.settled.is_(True))) or 0)
    charged = settled_credits(run.id)
    minimum = pricing.run_minimum() if run.status == "completed" or charged > 0 else 0
    if charged < minimum:
        credits.settle(reservation, minimum - charged, dedup_key=f"settle:{run.id}:minimum",
                       memo=f"run {run.run_number}: minimum charge")
        charged = minimum
    credits.release_remaining(reservation)
    run.credits = charged
    run.token_cost = int(db.session.scalar(select(func.coalesce(func.sum(Take.units), 0)).where(
        Take.run_id == run.id, Take.status == "done")) or 0)
    run.usage_summary = {**(run.usage_summary or {}),
                         "credits_absorbed": float(Fraction(total_milli, 1000) - min(Fraction(total_milli, 1000),
                                                                                    Fraction(charged)))}

"""Runs a batch of takes in a worker: claim, process with the node's plugin, store, route, settle."""
from __future__ import annotations

import logging


from app.engine import billing, events, leases, scheduler
from app.engine.context import TakeContext
from app.engine.plugins import TakeFailed, get as get_plugin
from app.extensions import db
from app.models import Run, Take
from app.models.base import utcnow

log = logging.getLogger("onepin.engine.executor")


def _apply(take: Take, out, provider=None, model=None) -> None:
    take.port = out.port
    take.text_out = out.text_out
    take.audio_key = out.audio_key or take.audio_key
    take.content_type = out.content_type or take.content_type
    take.duration_ms = out.duration_ms if out.duration_ms is not None else take.duration_ms
    take.scores = out.scores
    take.cache_key = out.cache_key
    take.reused_from = out.reused_from
    take.units, take.unit = out.units, out.unit
    take.synth_calls = (take.synth_calls or 0) + out.synth_calls
    if out.meta:
        take.meta = {**(take.meta or {}), **out.meta}
        if "voice" in out.meta:
            take.voice = out.meta["voice"]
    take.credits_milli = billing.take_cost_milli(take.node_type, out.units, provider, model)


def run_takes(run_id: str, take_ids: list[str]) -> dict:
    claimed = leases.claim(take_ids)
    try:
        return _run_claimed(run_id, claimed)
    finally:
        leases.release(claimed)     # whatever happened, the heartbeat stops holding these


def _run_claimed(run_id: str, claimed: list[str]) -> dict:
    stats = {"claimed": len(claimed), "done": 0, "failed": 0}
    run = db.session.get(Run, run_id)
    if run is None:
        return stats
    plan = scheduler.plan_for(run)
    finished: list[str] = []
    for take_id in claimed:
        db.session.refresh(run)
        take = db.session.get(Take, take_id)
        if take is None or take.status != "running" or take.lease_owner != leases.owner_id():
            continue
        if run.status in ("cancelled", "failed", "completed"):
            take.status, take.finished_at = "cancelled", utcnow()
            db.session.commit()
            continue
        plugin = get_plugin(take.node_type)
        ctx = TakeContext(run=run, plan=plan, node_id=take.node_id)
        fanout, out, error = None, None, None
        try:
            if plugin is None:
                raise TakeFailed(f"No engine for node type {take.node_type} on this server.")
            out = plugin.process(take, ctx)
        except TakeFailed as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad take must not stop the batch
            log.exception("take %s failed", take.id)
            error = f"Internal error: {type(exc).__name__}: {exc}"
        # Store only if the take is still ours and the run still wants it. A SHARE lock on the run orders
        # this against cancel and advance (which lock the run exclusively) while executors of the same
        # run proceed in parallel; the take row lock orders it against a reaper/another worker that took
        # over an expired lease. Otherwise the result is discarded.
        db.session.rollback()
        db.session.refresh(run, with_for_update={"read": True})
        db.session.refresh(take, with_for_update=True)
        if take.status != "running" or take.lease_owner != leases.owner_id():
            log.warning("take %s is no longer ours (%s, %s): result discarded", take.id, take.status, take.lease_owner)
            db.session.rollback()
            continue
        if run.status in ("cancelled", "failed", "completed"):
            take.status, take.finished_at, take.lease_owner, take.lease_expires_at = "cancelled", utcnow(), None, None
            db.session.commit()
            continue
        if out is not None:
            voice = (out.meta or {}).get("voice") or {}
            _apply(take, out, voice.get("provider"), voice.get("model"))
            fanout = out.fanout
            take.status = "done"
            if take.node_type == "operator_generator":
                take.audio_take_id = take.id
        else:
            take.status, take.error = "failed", error
        take.finished_at, take.lease_owner, take.lease_expires_at = utcnow(), None, None
        successors = scheduler.route(run, plan, take, fanout)
        scheduler.enqueue(run, successors)
        status = "generated" if take.status == "done" else "not_delivered"
        events.publish(run.id, run.workspace_id, "card", scheduler.card_event(take, status))
        db.session.commit()
        finished.append(take.id)
        stats["done" if take.status == "done" else "failed"] += 1
    if finished:
        billing.settle_takes(run, finished)
        db.session.commit()
    scheduler.advance(run_id)
    return stats


def start(run_id: str) -> str:
    from app.engine.launcher import begin
    return begin(run_id)

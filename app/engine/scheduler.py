"""The take scheduler: routes finished takes to their successors, advances the run wave by wave,
and finishes the run.

A take's successors are created when it finishes. Successors in a later wave wait (pending, not
enqueued) until the current wave drains; retry takes (a validator's `fail` edge back to its
generator) run at once, inside the wave. When no take of the current wave is open, the run either
parks (a pause was requested), moves to the next wave that has work, or finishes.
"""
from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.engine import delivery, events
from app.engine.plan import Plan, build
from app.engine.plugins import get as get_plugin
from app.extensions import db
from app.models import LedgerEntry, Run, Step, Take
from app.models.base import new_id, utcnow
from app.models.bulk import insert_rows
from app.services import credits
from app.services.queue import enqueue_after_commit
from app.workflows.nodes import is_validator

log = logging.getLogger("onepin.engine")
OPEN = ("pending", "running")
_plans: dict[str, Plan] = {}


def plan_for(run: Run) -> Plan:
    plan = _plans.get(run.id)
    if plan is None:
        plan = _plans[run.id] = build(run.definition_snapshot)
        if len(_plans) > 256:
            _plans.pop(next(iter(_plans)))
    return plan


def lock_run(run_id: str) -> Run | None:
    """The run row, locked and read afresh (a copy loaded earlier in the session is overwritten: another
    transaction may have ended the run while this one waited for the lock)."""
    return db.session.execute(select(Run).where(Run.id == run_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def lock_account_and_run(run_id: str) -> Run | None:
    """The lock order of every transaction that may settle a run while holding its lock: first the account
    its credit hold belongs to (credits._lock_account, the owner's user row), then the run. An API request
    holds its caller's user row from its first statement (last_active_at), so an owner cancelling while a
    worker finishes the run would otherwise deadlock with it. The hold's owner never changes: it is read
    without a lock."""
    owner = db.session.scalar(select(LedgerEntry.user_id).join(Run, Run.reservation_id == LedgerEntry.id)
                              .where(Run.id == run_id))
    if owner is not None:
        credits._lock_account(owner)
    return lock_run(run_id)


# ---- steps -----------------------------------------------------------------------------------

_known_steps: set[tuple[str, str, int]] = set()


def ensure_step(run: Run, plan: Plan, node_id: str, iteration: int, status: str = "running") -> None:
    key = (run.id, node_id, iteration)
    if key in _known_steps:
        return
    exists = db.session.scalar(select(Step.id).where(Step.run_id == run.id, Step.node_id == node_id,
                                                     Step.iteration == iteration))
    if len(_known_steps) > 50_000:
        _known_steps.clear()
    if exists:
        _known_steps.add(key)
        return
    try:
        now = utcnow()   # one clock reading: a step created closed must not end before it started
        with db.session.begin_nested():   # another worker may create the same step at the same moment
            db.session.add(Step(run_id=run.id, node_id=node_id, node_type=plan.node_type(node_id),
                                node_name=plan.name(node_id), iteration=iteration, wave=plan.wave_of[node_id],
                                seq=plan.order.index(node_id), status=status, started_at=now,
                                completed_at=now if status != "running" else None))
    except IntegrityError:
        pass
    _known_steps.add(key)


def close_steps(run: Run) -> None:
    """Steps whose takes are all closed become completed (or failed when every take failed)."""
    stats = defaultdict(lambda: {"open": 0, "done": 0, "failed": 0, "ports": set(), "locales": set()})
    for node_id, attempt, status, port, locale, n in db.session.execute(
            select(Take.node_id, Take.attempt, Take.status, Take.port, Take.locale, func.count())
            .where(Take.run_id == run.id)
            .group_by(Take.node_id, Take.attempt, Take.status, Take.port, Take.locale)):
        s = stats[(node_id, attempt)]
        if status in OPEN:
            s["open"] += n
        elif status == "failed":
            s["failed"] += n
        else:
            s["done"] += n
        if port and status == "done":
            s["ports"].add(port)
        s["locales"].add(locale)
    now = utcnow()
    for step in db.session.scalars(select(Step).where(Step.run_id == run.id)):
        s = stats.get((step.node_id, step.iteration))
        if s is None:
            continue
        step.takes_total = s["open"] + s["done"] + s["failed"]
        step.takes_done, step.takes_failed = s["done"], s["failed"]
        step.active_ports = sorted(s["ports"])
        step.locales = sorted(s["locales"])
        if step.status == "running" and s["open"] == 0:
            step.status = "failed" if s["done"] == 0 and s["failed"] > 0 else "completed"
            step.completed_at = now
    steps = list(db.session.scalars(select(Step).where(Step.run_id == run.id)))
    run.total_steps = len(steps)
    run.finished_steps = sum(1 for st in steps if st.status in ("completed", "failed", "skipped"))
    by_node = defaultdict(list)
    for st in steps:
        by_node[st.node_id].append(st.status)
    run.finished_nodes = sum(1 for sts in by_node.values() if all(x != "running" for x in sts))


# ---- takes and routing --------------------------------------------------------------------

_TAKE_COLUMNS = tuple(Take.__table__.columns)


def take_row(**values) -> dict:
    """A full takes row: the given values, every other column (and any None) at its default."""
    row = {}
    for col in _TAKE_COLUMNS:
        value = values.get(col.key)
        if value is None and col.default is not None:
            value = col.default.arg(None) if col.default.is_callable else col.default.arg
        row[col.key] = value
    return row


def insert_new_takes() -> int:
    """Inserts the takes created in this transaction (still pending in the session) in one bulk
    insert (``app.models.bulk``) and takes them out of the unit of work (its per-object flush cost ~0.4 ms a take; a launch
    creates two takes a line). Called right before the commit; the objects stay readable."""
    new = [o for o in db.session.new if isinstance(o, Take)]
    if not new:
        return 0
    rows = [take_row(**{k: v for k, v in o.__dict__.items() if not k.startswith("_")}) for o in new]
    for o in new:
        db.session.expunge(o)
    insert_rows(Take.__table__, rows)
    return len(rows)

def new_take(run: Run, plan: Plan, node_id: str, line_index: int, locale: str, attempt: int, *,
             text: str | None, input_take_id: str | None, audio_take_id: str | None,
             meta: dict | None = None) -> Take | None:
    """Creates a take unless that (node, line, locale, attempt) already exists (fan-in)."""
    if plan.fan_in(node_id):
        exists = db.session.scalar(select(Take.id).where(
            Take.run_id == run.id, Take.node_id == node_id, Take.line_index == line_index, Take.locale == locale,
            Take.attempt == attempt))
        if exists:
            return None
    # id and status set here, not left to the column defaults: enqueue() reads them before any flush, and
    # takes created together are inserted in one statement
    take = Take(id=new_id(), run_id=run.id, workspace_id=run.workspace_id, node_id=node_id,
                node_type=plan.node_type(node_id),
                line_index=line_index, locale=locale, attempt=attempt, wave=plan.wave_of[node_id], text=text,
                input_take_id=input_take_id, audio_take_id=audio_take_id, meta=meta or {}, status="pending",
                routed=False, dropped=False, accepted=False, settled=False)
    db.session.add(take)
    ensure_step(run, plan, node_id, attempt)
    return take


def _deliver(run: Run, plan: Plan, sink_id: str, take: Take) -> None:
    """A sink receives a line: the take is delivered (sinks run inline, no job)."""
    sink = new_take(run, plan, sink_id, take.line_index, take.locale, take.attempt, text=take.text,
                    input_take_id=take.id, audio_take_id=take.audio_take_id,
                    meta={"format": plan.config(sink_id).get("format", "wav")})
    if sink is None:
        return
    now = utcnow()
    sink.status, sink.port, sink.routed, sink.started_at, sink.finished_at = "done", None, True, now, now
    if take.audio_take_id:
        audio = db.session.get(Take, take.audio_take_id)
        if audio is not None:
            audio.accepted = True
            delivery.attach(sink, take, audio, delivery.sink_format(plan.config(sink_id)))   # WAV as is, or its MP3
    events.publish(run.id, run.workspace_id, "card", card_event(sink, "delivered"))


def card_event(take: Take, status: str) -> dict:
    return {"take_id": take.id, "node_id": take.node_id, "line_index": take.line_index, "locale": take.locale,
            "attempt": take.attempt, "status": status, "duration_ms": take.duration_ms,
            "scores": take.scores, "error": take.error}


def route(run: Run, plan: Plan, take: Take, fanout: dict[str, str] | None = None) -> list[Take]:
    """Creates the successors of a finished take; returns the new pending takes."""
    created: list[Take] = []
    take.routed = True
    if take.status != "done":
        return created
    port = take.port or "lines"
    text = take.text_out if take.text_out is not None else take.text
    targets = plan.successors(take.node_id, port)
    if is_validator(take.node_type) and port == "fail":
        if not targets:
            take.dropped = True
            events.publish(run.id, run.workspace_id, "card", card_event(take, "dropped"))
            return created
        max_retries = int(plan.config(take.node_id).get("max_retries", 0) or 0)
        for target, is_retry in targets:
            gen = db.session.get(Take, take.audio_take_id) if take.audio_take_id else None
            source_text = gen.text if gen is not None else text
            if is_retry:
                if take.attempt > max_retries:
                    take.dropped = True
                    events.publish(run.id, run.workspace_id, "card", card_event(take, "dropped"))
                    continue
                t = new_take(run, plan, target, take.line_index, take.locale, take.attempt + 1, text=source_text,
                             input_take_id=take.id, audio_take_id=None,
                             meta={"retry_of": take.audio_take_id, "reason": take.node_id})
            else:
                t = new_take(run, plan, target, take.line_index, take.locale, 1, text=source_text,
                             input_take_id=take.id, audio_take_id=None, meta={"fallback_from": take.audio_take_id})
            if t is not None:
                created.append(t)
        return created
    outputs = fanout or {take.locale: text}
    for target, _is_retry in targets:
        for locale, line_text in outputs.items():
            if plan.node_type(target) == "sink_preview":
                carrier = take if locale == take.locale else None
                if carrier is not None:
                    _deliver(run, plan, target, carrier)
                continue
            t = new_take(run, plan, target, take.line_index, locale, take.attempt, text=line_text,
                         input_take_id=take.id, audio_take_id=take.audio_take_id)
            if t is not None:
                created.append(t)
    return created


# ---- enqueueing and advancing -------------------------------------------------------------

def enqueue(run: Run, takes: list[Take]) -> None:
    """Sends runnable takes (wave <= current) to the workers in batches, after the commit."""
    if any(t.id is None for t in takes):
        db.session.flush()          # new takes get their ids before we read them (new_take sets them itself)
    runnable = [t for t in takes if t.status == "pending" and t.wave <= run.current_wave]
    by_node: dict[str, list[Take]] = defaultdict(list)
    for t in runnable:
        by_node[t.node_id].append(t)
    now = utcnow()
    for node_id, group in by_node.items():
        plugin = get_plugin(group[0].node_type)
        for batch in batches(group, plugin.batch_size if plugin else 20):
            job_id = f"takes-{batch[0].id}"
            for t in batch:
                t.enqueued_at, t.job_id = now, job_id
            enqueue_after_commit("engine", "jobs.engine.run_takes", run.id, [t.id for t in batch],
                                 job_id=job_id, job_timeout=600)


def batches(takes: list, size: int) -> list[list]:
    """Full batches, then the last two batches' worth in quarter batches: a worker still busy when the
    others run out of jobs holds up the wave for a short batch, not a full one."""
    if len(takes) <= size:
        return [takes] if takes else []
    head = max(0, len(takes) - 2 * size) // size * size
    small = max(1, -(-size // 4))
    return ([takes[i:i + size] for i in range(0, head, size)]
            + [takes[i:i + small] for i in range(head, len(takes), small)])


def open_in_wave(run: Run) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == run.id, Take.status.in_(OPEN), Take.wave <= run.current_wave)) or 0)


def _parks_for_provider(run: Run) -> bool:
    """A pause asked for by a provider problem does not drain the wave: the run parks once no take is
    running, and the pending ones (released, unbilled) run when it resumes."""
    from app.engine.plugins.base import PROVIDER_PAUSE_REASONS
    if run.pause_requested_at is None or run.pause_reason not in PROVIDER_PAUSE_REASONS:
        return False
    return not db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == run.id, Take.status == "running", Take.wave <= run.current_wave))


def _visibly_busy(run_id: str) -> bool:
    """A look without the run lock (every executor calls advance after each batch): takes of the current
    wave are still open, and no pause is asked for. Safe because each executor commits its results before
    it looks, so whichever finishes last sees the wave drained and goes on to take the lock."""
    return db.session.scalar(select(Take.id).join(Run, Run.id == Take.run_id).where(
        Take.run_id == run_id, Take.status.in_(OPEN), Take.wave <= Run.current_wave,
        Run.pause_requested_at.is_(None)).limit(1)) is not None


def advance(run_id: str) -> str:
    """Moves a running run on when its current wave has drained. Returns what happened."""
    if _visibly_busy(run_id):
        db.session.rollback()
        return "busy"
    run = lock_account_and_run(run_id)      # finish() settles: the account before the run
    if run is None or run.status != "running":
        db.session.rollback()
        return "idle"
    if open_in_wave(run) and not _parks_for_provider(run):
        db.session.rollback()
        return "busy"
    close_steps(run)
    if run.pause_requested_at is not None:
        run.status, run.paused_at = "paused", utcnow()
        events.publish(run.id, run.workspace_id, "run.status", status_event(run))
        db.session.commit()
        return "paused"
    next_wave = db.session.scalar(select(func.min(Take.wave)).where(
        Take.run_id == run.id, Take.status == "pending", Take.wave > run.current_wave))
    if next_wave is None:
        finish(run)
        db.session.commit()
        return run.status
    run.current_wave = next_wave
    pending = list(db.session.scalars(select(Take).where(Take.run_id == run.id, Take.status == "pending",
                                                         Take.wave == next_wave)))
    enqueue(run, pending)
    events.publish(run.id, run.workspace_id, "run.progress", status_event(run))
    db.session.commit()
    return "advanced"


def status_event(run: Run) -> dict:
    from app.models import iso
    return {"run_id": run.id, "workflow_id": run.workflow_id, "status": run.status,
            "pause_requested_at": iso(run.pause_requested_at), "current_wave": run.current_wave,
            "finished_steps": run.finished_steps, "total_steps": run.total_steps, "credits": run.credits,
            "error": run.error}


def finish(run: Run) -> None:
    """Ends a run whose work is all done: completed when at least one line was delivered."""
    from app.engine import billing, reporting
    delivered = db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == run.id, Take.node_type == "sink_preview", Take.status == "done")) or 0
    if delivered:
        run.status = "completed"
    else:
        run.status = "failed"
        reason = db.session.scalar(select(Take.error).where(Take.run_id == run.id, Take.status == "failed",
                                                            Take.error.is_not(None)).limit(1))
        run.error = reason or "No line was delivered (every line was dropped by a validator)."
    run.completed_at = utcnow()
    billing.finish(run)
    reporting.on_finished(run)
    events.publish(run.id, run.workspace_id, "run.status", status_event(run))
    log.info("run %s %s: %s lines delivered, %s credits", run.id, run.status, delivered, run.credits)


def cancel_open_takes(run: Run) -> None:
    now = utcnow()
    db.session.execute(update(Take).where(Take.run_id == run.id, Take.status.in_(OPEN))
                       .values(status="cancelled", finished_at=now, lease_owner=None, lease_expires_at=None))
    db.session.execute(update(Step).where(Step.run_id == run.id, Step.status == "running")
                       .values(status="cancelled", completed_at=now))

"""Runs a batch of takes in a worker: claim, process with the node's plugin, store, route, settle."""
from __future__ import annotations

import logging
import time


from types import SimpleNamespace

from sqlalchemy import func, select, update

from app.engine import billing, delivery, events, leases, scheduler
from app.engine.context import TakeContext
from app.engine.plugins import TakeFailed, get as get_plugin
from app.engine.plugins.base import PROVIDER_PAUSE_REASONS, PauseRun
from app.extensions import db
from app.models import Run, Take
from app.models.base import utcnow

log = logging.getLogger("onepin.engine.executor")


def _apply(take: Take, out, provider=None, model=None) -> None:
    take.port = out.port
    take.text_out = out.text_out
    take.audio_key = out.audio_key or take.audio_key
    take.content_type = out.content_type or take.content_type
    take.duration_ms = int(round(out.duration_ms)) if out.duration_ms is not None else take.duration_ms
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


class RunView:
    """What the executor needs of its run, read in one light query: the run row also carries the whole
    script, its lines and the definition, and loading those for every chunk cost more than storing the
    chunk. Anything else (a plugin reading ctx.run.<x>) is read from the database on first use."""
    FIELDS = (Run.id, Run.workspace_id, Run.status, Run.current_wave, Run.reservation_id, Run.run_number,
              Run.pause_requested_at, Run.pause_reason)

    def __init__(self, row):
        self.__dict__.update(row._asdict())

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(db.session.get(Run, self.__dict__["id"]), name)

    @classmethod
    def load(cls, run_id: str) -> "RunView | None":
        row = db.session.execute(select(*cls.FIELDS).where(Run.id == run_id)).one_or_none()
        return cls(row) if row is not None else None


def run_takes(run_id: str, take_ids: list[str]) -> dict:
    run = RunView.load(run_id)          # same transaction as the claim
    work = leases.claim(take_ids)       # plain copies of the takes this worker won
    try:
        return _run_claimed(run, work)
    finally:
        leases.release([s.id for s in work])     # whatever happened, the heartbeat stops holding these


CHUNK_TAKES = 32         # results stored per transaction ...
CHUNK_SECONDS = 0.25     # ... or after this long, whichever comes first
SETTLE_SECONDS = 1.0     # a worker settles a run's finished takes at most this often (its end settles the rest)
_unsettled: dict[str, tuple[float, list[str]]] = {}     # run id -> (last settlement, takes finished since)


def _settle_due(run_id: str, finished: list[str]) -> list[str]:
    """The takes this process finished for the run and has not settled, when a settlement is due (at once
    for a run's first batch here, then at most every SETTLE_SECONDS): a settlement is a durable ledger
    transaction, and per batch of fast takes it cost as much as storing the batch. Takes left unsettled
    when the run ends (or is cancelled) are settled by billing.finish."""
    last, pending = _unsettled.get(run_id, (None, []))
    pending = pending + finished
    now = time.monotonic()
    if not pending or (last is not None and now - last < SETTLE_SECONDS):
        _unsettled[run_id] = (last, pending)
        return []
    _unsettled[run_id] = (now, [])
    if len(_unsettled) > 1000:
        _unsettled.pop(next(iter(_unsettled)))
    return pending


def _snapshot(take: Take) -> SimpleNamespace:
    """A plain copy of the take for the plugin (unaffected by the commits around it)."""
    return SimpleNamespace(**{c.key: getattr(take, c.key) for c in Take.__table__.columns})


def _run_claimed(run: RunView | None, work: list[SimpleNamespace]) -> dict:
    stats = {"claimed": len(work), "done": 0, "failed": 0}
    if run is None or not work:
        return stats
    run_id = run.id
    plan = scheduler.plan_for(run)
    db.session.rollback()
    me = leases.owner_id()
    prepared: set[str] = set()
    finished: list[str] = []
    results: list[tuple[SimpleNamespace, object, str | None]] = []
    checked, chunk_started = 0.0, time.monotonic()
    memo: dict = {}         # lookups shared by the batch's takes (e.g. the dictionary version per locale)
    pause: PauseRun | None = None
    for snap in work:
        if time.monotonic() - checked > 0.5:          # cheap early exit for a cancelled run
            status, reason, requested = db.session.execute(
                select(Run.status, Run.pause_reason, Run.pause_requested_at).where(Run.id == run_id)).one()
            db.session.rollback()
            checked = time.monotonic()
            if status in ("cancelled", "failed", "completed"):
                break
            if status == "paused" or (requested is not None and reason in PROVIDER_PAUSE_REASONS):
                break                                  # parked for a provider problem: the rest waits for resume
        plugin = get_plugin(snap.node_type)
        ctx = TakeContext(run=run, plan=plan, node_id=snap.node_id, locale=snap.locale, memo=memo)
        if plugin is not None and snap.node_id not in prepared:
            _prepare(plugin, [s for s in work if s.node_id == snap.node_id], ctx, prepared)
        out, error = None, None
        try:
            if plugin is None:
                raise TakeFailed(f"No engine for node type {snap.node_type} on this server.")
            out = plugin.process(snap, ctx)
            delivery.prepare(snap, out, plan, ctx)     # MP3 for an MP3 sink, encoded outside the lock
        except PauseRun as exc:                        # provider trouble: this take and the rest wait, unbilled
            db.session.rollback()
            pause = exc
            break
        except TakeFailed as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad take must not stop the batch
            log.exception("take %s failed", snap.id)
            error = f"Internal error: {type(exc).__name__}: {exc}"
        db.session.rollback()                          # end whatever the plugin read
        results.append((snap, out, error))
        if len(results) >= CHUNK_TAKES or time.monotonic() - chunk_started > CHUNK_SECONDS:
            _store(run, plan, results, finished, stats)
            results, chunk_started = [], time.monotonic()
    _store(run, plan, results, finished, stats)
    # takes we never got to (the run ended) are cancelled; anything else stays leased and expires
    left = [s.id for s in work if s.id not in set(finished)]
    if left and pause is not None:
        _pause_for_provider(run_id, pause)
    if left:
        _release_if_parking(run_id, left)
        db.session.execute(update(Take).where(Take.id.in_(left), Take.status == "running", Take.lease_owner == me,
                                              Take.run_id.in_(select(Run.id).where(Run.status.in_(
                                                  ("cancelled", "failed", "completed")))))
                           .values(status="cancelled", finished_at=utcnow(), lease_owner=None, lease_expires_at=None))
        db.session.commit()
    ids = _settle_due(run_id, finished)
    if ids:
        billing.settle_takes(run, ids)
        db.session.commit()
    scheduler.advance(run_id)
    return stats


def _pause_for_provider(run_id: str, exc: PauseRun) -> None:
    """Asks the run to pause for a provider problem (the first provider reason wins; it replaces a
    user's pause request, which it makes faster). It parks as soon as no take is running."""
    run = scheduler.lock_run(run_id)
    if run is not None and run.status in ("pending", "running"):
        if run.pause_requested_at is None or run.pause_reason not in PROVIDER_PAUSE_REASONS:
            run.pause_reason, run.pause_error = exc.reason, exc.message
        run.pause_requested_at = run.pause_requested_at or utcnow()
        events.publish(run.id, run.workspace_id, "run.status", scheduler.status_event(run))
        log.warning("run %s pausing (%s): %s", run_id, exc.reason, exc.message)
    db.session.commit()


def _release_if_parking(run_id: str, take_ids: list[str]) -> None:
    """Takes we hold but did not process go back to pending (unbilled, no job) when the run is paused
    or pausing for a provider; resume enqueues them again."""
    run = db.session.get(Run, run_id, populate_existing=True)
    parking = run is not None and (run.status == "paused" or (
        run.status in ("pending", "running") and run.pause_requested_at is not None
        and run.pause_reason in PROVIDER_PAUSE_REASONS))
    if parking:
        db.session.execute(update(Take).where(Take.id.in_(take_ids), Take.status == "running",
                                              Take.lease_owner == leases.owner_id())
                           .values(status="pending", lease_owner=None, lease_expires_at=None, started_at=None,
                                   enqueued_at=None, job_id=None))
    db.session.commit()


def _prepare(plugin, takes: list, ctx: TakeContext, prepared: set) -> None:
    """The plugin's prepare(): what every take of the batch for this node needs from the database,
    looked up at once and left in ctx.memo (process() looks up anything it was not given)."""
    prepared.add(ctx.node_id)
    try:
        getattr(plugin, "prepare", lambda _takes, _ctx: None)(takes, ctx)
    except Exception:  # noqa: BLE001 - only a shortcut: process() does its own lookups
        log.exception("prepare for node %s failed", ctx.node_id)
    db.session.rollback()


def _lock_for_results(run: RunView) -> None:
    """The SHARE lock on the run, its current status and wave, and (PostgreSQL) a commit that does not
    wait for the WAL flush, in one statement. A result lost to a database crash only means the take runs
    again: the same at-least-once guarantee the leases give. Settlement (the ledger) runs in its own
    transaction with the default, durable commit: it locks the account, which web requests lock before
    the run, so it must never run under the run lock."""
    columns = [Run.status, Run.current_wave]
    if db.engine.dialect.name == "postgresql":
        columns.append(func.set_config("synchronous_commit", "off", True))
    row = db.session.execute(select(*columns).where(Run.id == run.id).with_for_update(read=True)).one_or_none()
    if row is None:
        run.status = "cancelled"           # deleted under us: nothing is stored
    else:
        run.status, run.current_wave = row[0], row[1]


def start(run_id: str) -> str:
    from app.engine.launcher import begin
    return begin(run_id)


def _store(run: RunView, plan, results: list, finished: list[str], stats: dict) -> None:
    """Stores a chunk of results in one transaction, each only if its take is still ours and the run
    still wants it. A SHARE lock on the run orders this against cancel and advance (which lock the run
    exclusively) while executors of the same run proceed in parallel; the take row locks order it
    against a reaper or another worker that took over an expired lease. Otherwise a result is discarded."""
    if not results:
        return
    me = leases.owner_id()
    _lock_for_results(run)
    ids = [snap.id for snap, _out, _err in results]
    takes = {t.id: t for t in db.session.scalars(select(Take).where(Take.id.in_(ids))
                                                 .with_for_update().execution_options(populate_existing=True))}
    now = utcnow()
    successors: list[Take] = []
    stored: list = []
    for snap, out, error in results:
        take = takes.get(snap.id)
        if take is None or take.status != "running" or take.lease_owner != me:
            log.warning("take %s is no longer ours: result discarded", snap.id)
            continue
        take.finished_at, take.lease_owner, take.lease_expires_at = now, None, None
        if run.status in ("cancelled", "failed", "completed"):
            take.status = "cancelled"
            continue
        fanout = None
        if out is not None:
            voice = (out.meta or {}).get("voice") or {}
            _apply(take, out, voice.get("provider"), voice.get("model"))
            fanout = out.fanout
            take.status = "done"
            stored.append((take, out))
            if take.node_type == "operator_generator" or (
                    take.node_type == "operator_pronunciation_corrector" and out.audio_key):
                take.audio_take_id = take.id          # this take's audio is the one downstream nodes get
        else:
            take.status, take.error = "failed", error
        successors.extend(scheduler.route(run, plan, take, fanout))
        events.publish(run.id, run.workspace_id, "card",
                       scheduler.card_event(take, "generated" if take.status == "done" else "not_delivered"))
        finished.append(take.id)
        stats["done" if take.status == "done" else "failed"] += 1
    _after_store(stored)
    scheduler.enqueue(run, successors)     # the chunk's new takes go to the workers in full batches
    scheduler.insert_new_takes()
    db.session.commit()


def _after_store(stored: list) -> None:
    """Plugins whose results move workspace data (the phoneme injector's uses_count) do it here, in the
    transaction that stores those results: a discarded or redelivered take never counts twice."""
    by_type: dict[str, list] = {}
    for take, out in stored:
        by_type.setdefault(take.node_type, []).append(out)
    for node_type, outs in by_type.items():
        hook = getattr(get_plugin(node_type), "after_store", None)
        if hook is not None:
            hook(outs)

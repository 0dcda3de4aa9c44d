"""Starting a run (POST .../runs) and its first step in a worker.

start_run checks everything before writing anything (a 409/402/422 leaves nothing behind, since the
SDK retries): role, definition validity with the run gates, engines for every node type, one active
run per workflow, the plan's concurrent-run limit, the estimate against the balance, every translator
language covered (app.services.translations: script, memory, then MT). Then, in one
transaction: the run (pinned to the workflow version, with the definition snapshot) and its credit
hold. `begin` (a job) creates the source takes and sends the first wave to the workers.
"""
from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

from sqlalchemy import func, select

from app.auth.permissions import require_role
from app.engine import cloud_tts, events, plugins, scheduler
from app.errors import Conflict, PaymentRequired, ValidationFailed
from app.extensions import db
from app.models import ACTIVE, IdempotencyKey, Membership, Run, Take, User, Workflow, Workspace
from app.models.base import new_id, utcnow
from app.models.bulk import insert_rows
from app.services import activity, credits, estimates, script_source
from app.services import translations as run_translations
from app.services.plans import get_plan
from app.services.queue import enqueue_after_commit
from app.validation import Validation
from app.workflows.catalog import default_catalog
from app.workflows.validation import split, validate_definition


def _overrides(data: dict) -> tuple[str | None, str | None]:
    v = Validation(data)
    text = v.optional("script_text", str, strip=False, max_len=2_000_000)
    lang = v.optional("source_language", str, max_len=20)
    v.raise_if_invalid()
    return text, lang


def _request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def enqueue_start(run_id: str) -> None:
    from app.services.queue import queue
    q = queue("engine")
    if q is not None:
        q.enqueue("jobs.engine.start_run", run_id, job_id=f"start-{run_id}", job_timeout=600)


def _check_runnable(defn: dict, script_text: str | None, source_language: str | None) -> None:
    errors, _ = split(validate_definition(defn, default_catalog(), for_run=True,
                                          script_override=script_text is not None,
                                          source_language=source_language))
    if errors:
        details = [{**p.to_dict(), "field": f"definition.{p.field}" if p.field else "definition"} for p in errors]
        raise ValidationFailed(details, message="The workflow cannot run yet: " + "; ".join(p.message for p in errors[:5]))
    missing = sorted({n.get("type") for n in (defn.get("graph") or {}).get("nodes") or []
                      if not plugins.available(n.get("type"))})
    if missing:
        raise ValidationFailed([{"field": "definition", "rule": "node_not_available",
                                 "message": f"{t} has no engine on this server yet"} for t in missing],
                               message="These node types cannot run on this server yet: " + ", ".join(missing))


def start_run(ws: Workspace, membership: Membership, user: User, wf: Workflow, data: dict,
              idempotency_key: str | None = None) -> tuple[Run, bool]:
    """Returns (run, created). An Idempotency-Key replays the first answer for the same body."""
    require_role(membership.role, "runs.start", "Viewers cannot run workflows.")
    script_text, source_language = _overrides(data)
    body = {"script_text": script_text, "source_language": source_language}
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 255:
        raise ValidationFailed([{"field": "Idempotency-Key", "message": "must be 1-255 characters"}])
    # one launch at a time, taken before the key lookup: a retry racing its first attempt waits for it
    # and then replays its run instead of answering 409
    db.session.execute(select(Workflow.id).where(Workflow.id == wf.id).with_for_update())
    if idempotency_key is not None:
        prior = db.session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.workspace_id == ws.id, IdempotencyKey.scope == f"runs.start:{wf.id}",
            IdempotencyKey.key == idempotency_key))
        if prior is not None:
            if prior.request_hash != _request_hash(body):
                raise ValidationFailed([{"field": "Idempotency-Key", "message": "was used with a different body"}],
                                       code="IDEMPOTENCY_KEY_REUSED")
            return db.session.get(Run, prior.run_id), False
    snapshot = script_source.apply_overrides(wf.definition, script_text, source_language)
    _check_runnable(snapshot, script_text, source_language)
    cloud_tts.check_launch(ws.id, snapshot)        # cloud voices need the workspace's own key (422 naming them)
    active = db.session.scalar(select(Run.id).where(Run.workflow_id == wf.id, Run.status.in_(ACTIVE)).limit(1))
    if active:
        raise Conflict("Another run of this workflow is still active; wait for it, or cancel it.",
                       code="RUN_ALREADY_ACTIVE", details=[{"field": None, "message": f"active run {active}"}])
    plan = get_plan(user.plan)
    mine = db.session.scalar(select(func.count()).select_from(Run).where(
        Run.triggered_by == user.id, Run.status.in_(("pending", "running")))) or 0
    if mine >= plan.concurrent_runs_per_user:
        raise Conflict(f"You already have {mine} runs going; your plan allows {plan.concurrent_runs_per_user} at once.",
                       code="CONCURRENT_RUN_LIMIT")
    quote = estimates.estimate(ws, user, snapshot)
    if not quote["can_run"]:
        raise PaymentRequired(f"This run needs at least {quote['min_credits']} credits; your balance is "
                              f"{quote['current_balance']}.", code="INSUFFICIENT_CREDITS")
    # every line in every target language, or 422 naming the languages (MT is called here, never in workers)
    run_translations.prepare_launch(ws, snapshot)
    number = (db.session.scalar(select(func.max(Run.run_number)).where(Run.workflow_id == wf.id)) or 0) + 1
    run = Run(workspace_id=ws.id, workflow_id=wf.id, version_id=wf.current_version_id, run_number=number,
              status="pending", definition_snapshot=snapshot, script_text=script_text,
              source_language=source_language, triggered_by=user.id, estimate=quote)
    db.session.add(run)
    db.session.flush()
    hold = credits.reserve(user.id, min(quote["max_credits"], quote["current_balance"]), workspace_id=ws.id,
                           run_id=run.id, memo=f"hold for run {number} of {wf.name}")
    run.reservation_id = hold.id
    if idempotency_key is not None:
        db.session.add(IdempotencyKey(workspace_id=ws.id, scope=f"runs.start:{wf.id}", key=idempotency_key,
                                      request_hash=_request_hash(body), run_id=run.id, status_code=202))
    activity.record(ws.id, user.id, "workflow_run", "run.started", "run", run.id, wf.name,
                    data={"workflow_id": wf.id, "run_number": number})
    events.publish(run.id, ws.id, "run.status", scheduler.status_event(run))
    enqueue_after_commit("engine", "jobs.engine.start_run", run.id, job_id=f"start-{run.id}", job_timeout=600)
    return run, True


def begin(run_id: str) -> str:
    """Worker side of a launch: source takes, first routing, first wave."""
    run = scheduler.lock_run(run_id)
    if run is None or run.status != "pending":
        db.session.rollback()
        return "skipped"
    if run.pause_requested_at is not None:
        run.status, run.paused_at = "paused", utcnow()
        db.session.commit()
        return "paused"
    plan = scheduler.plan_for(run)
    ws = db.session.get(Workspace, run.workspace_id)
    try:
        script = script_source.resolve(run.definition_snapshot, ws)
    except Exception as exc:  # noqa: BLE001 - e.g. the upload was deleted since the launch
        return _fail(run_id, f"The script could not be read: {exc}")
    now = utcnow()
    run.status, run.started_at, run.total_nodes = "running", now, len(plan.nodes)
    lines, locales, index = [], set(), 0
    sources: list[dict] = []
    created: list[Take] = []
    for source in script.sources:
        node_id = source.node_id
        locale = source.locale or "en-us"
        scheduler.ensure_step(run, plan, node_id, 1, status="completed")
        for text, meta in zip(source.lines, source.metas or [{} for _ in source.lines]):
            sources.append(scheduler.take_row(
                id=new_id(), run_id=run.id, workspace_id=run.workspace_id, node_id=node_id, node_type="source_script",
                line_index=index, locale=locale, attempt=1, wave=plan.wave_of[node_id], status="done", port="lines",
                routed=True, text=text, meta=meta or {}, started_at=now, finished_at=now))
            translations = (meta or {}).get("translations") or {}
            lines.append({"index": index, "text": text, "source_node": node_id, "locale": locale,
                          "meta": meta or {}, "translations": translations})
            locales.add(locale)
            index += 1
    # plain rows in one bulk insert, routed as they are (an ORM object per source line cost ~0.4 ms to flush)
    insert_rows(Take.__table__, sources)
    for row in sources:
        created.extend(scheduler.route(run, plan, SimpleNamespace(**row)))
    added = run_translations.fill_lines(run.workspace_id, run.definition_snapshot, script, lines)
    run.lines = lines
    run.locales = sorted(locales | added | {t.locale for t in created})
    waves = [t.wave for t in created if t.status == "pending"]
    run.current_wave = min(waves) if waves else run.current_wave
    run.waves = plan.waves
    scheduler.enqueue(run, created)
    scheduler.insert_new_takes()
    events.publish(run.id, run.workspace_id, "run.status", scheduler.status_event(run))
    db.session.commit()
    if not waves:
        scheduler.advance(run.id)
    return "started"


def _fail(run_id: str, error: str) -> str:
    """A launch that cannot begin fails and gives its hold back. Settling locks the account, which is
    locked before the run (scheduler.lock_account_and_run): the run lock taken by begin is let go first."""
    from app.engine import billing
    db.session.rollback()
    run = scheduler.lock_account_and_run(run_id)
    if run is None or run.status != "pending":
        db.session.rollback()
        return "skipped"
    run.status, run.error, run.completed_at = "failed", error, utcnow()
    billing.finish(run)
    db.session.commit()
    return "failed"

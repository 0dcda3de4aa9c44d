"""Reading runs: workspace-scoped lookup, list with filters, and the contract's run shapes."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import RUN_STATUSES, Run, Step, Take, User, Workflow, iso

RUN_SORTS = {"created_at": Run.created_at, "started_at": Run.started_at, "completed_at": Run.completed_at,
             "status": Run.status}


def get(wf: Workflow, run_id: str) -> Run:
    run = db.session.get(Run, run_id) if isinstance(run_id, str) and len(run_id) <= 36 else None
    if run is None or run.workflow_id != wf.id or run.workspace_id != wf.workspace_id:
        raise NotFound("Run not found.")
    return run


def visible_to(user: User, run_id: str) -> tuple[Run, Workflow]:
    """A run of a workspace the user belongs to, with its workflow; anything else is a 404."""
    from app.models import Membership
    run = db.session.get(Run, run_id) if isinstance(run_id, str) and len(run_id) <= 36 else None
    if run is None or not db.session.scalar(select(Membership.id).filter_by(workspace_id=run.workspace_id,
                                                                             user_id=user.id)):
        raise NotFound("Run not found.")
    return run, db.session.get(Workflow, run.workflow_id)


def parse_statuses(raw: str | None) -> list[str]:
    if raw is None or raw == "":
        return []
    tokens = [t.strip() for t in raw.split(",")]
    bad = [t for t in tokens if t not in RUN_STATUSES]
    if bad:
        raise ValidationFailed([{"field": "status", "message": f"unsupported value {bad[0]!r}; use a comma-separated "
                                 "list of " + ", ".join(RUN_STATUSES)}])
    return tokens


def list_runs(wf: Workflow, *, statuses: list[str], search: str | None, sort: str, order: str, offset: int,
              limit: int) -> tuple[list[Run], int]:
    q = select(Run).outerjoin(User, User.id == Run.triggered_by).where(Run.workflow_id == wf.id)
    if statuses:
        q = q.where(Run.status.in_(statuses))
    if search:
        term = "%" + search.strip().lower().replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(func.lower(User.display_name).like(term, escape="\\"),
                        func.lower(User.email).like(term, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    col = RUN_SORTS[sort]
    ordered = col.asc() if order == "asc" else col.desc()
    if sort in ("started_at", "completed_at"):
        ordered = ordered.nulls_last()
    rows = list(db.session.scalars(q.order_by(ordered, Run.id.asc()).offset(offset).limit(limit)))
    return rows, int(total)


def _triggered_by(run: Run) -> dict | None:
    if not run.triggered_by:
        return None
    user = db.session.get(User, run.triggered_by)
    return {"user_id": user.id, "user_name": user.display_name or user.email} if user else None


def held_nodes(run: Run) -> list[dict] | None:
    if run.status != "paused":
        return None
    rows = db.session.execute(select(Take.node_id, Take.locale).where(
        Take.run_id == run.id, Take.status == "pending").distinct()).all()
    nodes: dict[str, set] = {}
    for node_id, locale in rows:
        nodes.setdefault(node_id, set()).add(locale)
    return [{"node_id": n, "locales": sorted(ls)} for n, ls in sorted(nodes.items())]


def has_export(run: Run) -> bool:
    if run.status != "completed":
        return False
    return bool(db.session.scalar(select(Take.id).where(Take.run_id == run.id, Take.node_type == "sink_preview",
                                                        Take.status == "done", Take.audio_key.is_not(None)).limit(1)))


def run_out(run: Run) -> dict:
    return {
        "id": run.id, "workflow_id": run.workflow_id, "status": run.status, "run_number": run.run_number,
        "total_nodes": run.total_nodes, "total_steps": run.total_steps, "finished_steps": run.finished_steps,
        "finished_nodes": run.finished_nodes, "held_nodes": held_nodes(run), "token_cost": int(run.token_cost or 0),
        "usage_summary": run.usage_summary, "started_at": iso(run.started_at), "completed_at": iso(run.completed_at),
        "pause_requested_at": iso(run.pause_requested_at), "paused_at": iso(run.paused_at),
        "paused_ms": int(run.paused_ms or 0), "pause_reason": run.pause_reason, "pause_error": run.pause_error,
        "created_at": iso(run.created_at), "updated_at": iso(run.updated_at), "error": run.error,
        "has_export": has_export(run), "triggered_by": _triggered_by(run), "credits": int(run.credits or 0),
        "version_id": run.version_id, "estimate": run.estimate,
    }


def run_detail_out(run: Run) -> dict:
    credits_absorbed = (run.usage_summary or {}).get("credits_absorbed")
    return {**run_out(run), "definition_snapshot": run.definition_snapshot, "credits_absorbed": credits_absorbed,
            "public_share_id": None, "shared_at": None}


def run_list_item(run: Run) -> dict:
    out = run_out(run)
    summary = run.usage_summary or {}
    out["output_line_count"] = summary.get("lines_delivered")
    out["delivered_audio_ms"] = summary.get("audio_ms")
    return out


def steps(run: Run, *, node_type: str | None = None, node_id: str | None = None,
          include_result: bool = False) -> list[dict]:
    q = select(Step).where(Step.run_id == run.id)
    if node_type:
        q = q.where(Step.node_type == node_type)
    if node_id:
        q = q.where(Step.node_id == node_id)
    out = []
    # a step left open by a paused run carries the run's pause (e.g. the generator a provider outage stopped)
    held = run.status == "paused" and run.pause_reason not in (None, "user")
    # execution order: when the step began, then the graph order (wave, position in the definition)
    for s in db.session.scalars(q.order_by(Step.started_at.asc(), Step.wave.asc(), Step.seq.asc(), Step.iteration.asc())):
        row = {"id": s.id, "node_id": s.node_id, "node_type": s.node_type, "node_display_name": s.node_name,
               "status": s.status, "iteration": s.iteration, "started_at": iso(s.started_at),
               "completed_at": iso(s.completed_at), "has_result": s.takes_total > 0, "active_ports": s.active_ports or [],
               "locales": s.locales or [], "pause_reason": run.pause_reason if held and s.status == "running" else None,
               "pause_error": run.pause_error if held and s.status == "running" else None, "error": s.error,
               "takes_total": s.takes_total, "takes_done": s.takes_done, "takes_failed": s.takes_failed,
               "result": step_result(run, s) if include_result else None}
        out.append(row)
    return out


def step_result(run: Run, step: Step) -> dict:
    from app.services.playback import playback_url
    takes = db.session.scalars(select(Take).where(Take.run_id == run.id, Take.node_id == step.node_id,
                                                  Take.attempt == step.iteration)
                               .order_by(Take.line_index, Take.locale)).all()
    return {"takes": [{"take_id": t.id, "line_index": t.line_index, "locale": t.locale, "status": t.status,
                       "port": t.port, "text": t.text_out if t.text_out is not None else t.text,
                       "duration_ms": t.duration_ms, "scores": t.scores, "error": t.error,
                       "playback_url": playback_url(t) if t.audio_key else None} for t in takes]}

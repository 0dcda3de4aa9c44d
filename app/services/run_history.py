"""Run history for the browser: a workspace's runs (or one workflow's), newest first, filtered by
status, and a summary over the same runs (count per status, pass rate = completed / (completed +
failed), average active duration of completed runs, audio delivered)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import RUN_STATUSES, Run, Take, User, Workflow, Workspace
from app.services.run_data import SINK_TYPES

PER_PAGE = 25


def _conds(ws: Workspace, wf: Workflow | None) -> list:
    conds = [Run.workspace_id == ws.id]
    if wf is not None:
        conds.append(Run.workflow_id == wf.id)
    return conds


def _active_seconds(started, completed, paused_ms) -> float | None:
    if started is None or completed is None:
        return None
    return max(0.0, (completed - started).total_seconds() - (paused_ms or 0) / 1000)


def summary(ws: Workspace, wf: Workflow | None = None) -> dict:
    conds = _conds(ws, wf)
    counts = dict.fromkeys(RUN_STATUSES, 0)
    for status, n in db.session.execute(select(Run.status, func.count()).where(*conds).group_by(Run.status)):
        counts[status] = int(n)
    durations = [d for row in db.session.execute(select(Run.started_at, Run.completed_at, Run.paused_ms)
                                                 .where(*conds, Run.status == "completed"))
                 if (d := _active_seconds(*row)) is not None]
    delivered_ms = db.session.scalar(select(func.coalesce(func.sum(Take.duration_ms), 0)).select_from(Take)
                                     .join(Run, Run.id == Take.run_id)
                                     .where(*conds, Take.node_type.in_(SINK_TYPES), Take.status == "done")) or 0
    judged = counts["completed"] + counts["failed"]
    return {"total": sum(counts.values()), "counts": counts,
            "pass_rate": counts["completed"] / judged if judged else None,
            "average_seconds": sum(durations) / len(durations) if durations else None,
            "delivered_ms": int(delivered_ms)}


def _rows(conds: list):
    return (select(Run, Workflow.name, User.display_name, User.email)
            .join(Workflow, Workflow.id == Run.workflow_id).outerjoin(User, User.id == Run.triggered_by)
            .where(*conds))


def _row(run: Run, wf_name: str, user_name: str | None, email: str | None) -> dict:
    summary_ = run.usage_summary or {}
    return {"run": run, "workflow_name": wf_name, "by": user_name or email,
            "seconds": _active_seconds(run.started_at, run.completed_at, run.paused_ms),
            "lines": summary_.get("lines_delivered"), "retry_of": (run.definition_snapshot or {}).get("retry_of")}


def count(ws: Workspace, wf: Workflow | None, status: str | None) -> int:
    conds = _conds(ws, wf) + ([Run.status == status] if status else [])
    return int(db.session.scalar(select(func.count()).select_from(Run).where(*conds)) or 0)


def list_runs(ws: Workspace, wf: Workflow | None, status: str | None, page: int) -> dict:
    conds = _conds(ws, wf)
    if status:
        conds.append(Run.status == status)
    total = count(ws, wf, status)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    q = _rows(conds).order_by(Run.created_at.desc(), Run.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    rows = [_row(*found) for found in db.session.execute(q)]
    return {"rows": rows, "total": total, "pages": pages, "page": page, "per_page": PER_PAGE}


def recent(ws: Workspace, limit: int = 5) -> list[dict]:
    """The workspace's newest runs as list rows (the home page)."""
    q = _rows(_conds(ws, None)).order_by(Run.created_at.desc(), Run.id).limit(limit)
    return [_row(*found) for found in db.session.execute(q)]


def one_row(ws: Workspace, wf: Workflow | None, run_id: str) -> dict | None:
    """One run as a list row (the live list re-renders a row when an event concerns its run);
    None when the run is not in the workspace (or not of `wf`)."""
    found = db.session.execute(_rows(_conds(ws, wf) + [Run.id == run_id])).first()
    return _row(*found) if found else None


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"

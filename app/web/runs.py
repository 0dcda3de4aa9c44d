"""Run pages (live progress over SSE). The full run view (cards, players, filters) grows in Part 6."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import Membership, Run, Workflow
from app.services import runs as runs_svc

bp = Blueprint("runs", __name__)


def _visible_run(run_id: str) -> tuple[Run, Workflow]:
    """A run of a workspace the signed-in user belongs to; anything else is a 404."""
    run = db.session.get(Run, run_id) if len(run_id) <= 36 else None
    if run is None or not db.session.scalar(select(Membership.id).filter_by(workspace_id=run.workspace_id,
                                                                             user_id=current_user.id)):
        raise NotFound("Run not found.")
    return run, db.session.get(Workflow, run.workflow_id)


@bp.get("/runs/<run_id>")
@login_required
def show_GET(run_id):
    run, wf = _visible_run(run_id)
    return render_template("runs/show.html", run=run, workflow=wf, out=runs_svc.run_out(run))


@bp.get("/runs/<run_id>/events")
@login_required
def events_GET(run_id):
    from app.realtime.sse import run_events
    run, _wf = _visible_run(run_id)
    return run_events(run, request.headers.get("Last-Event-ID"))

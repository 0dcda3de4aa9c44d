"""Run pages (live progress over SSE). The full run view (cards, players, filters) grows in Part 6."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.services import runs as runs_svc

bp = Blueprint("runs", __name__)


def _visible_run(run_id: str):
    return runs_svc.visible_to(current_user, run_id)


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

"""Run history pages: every run of the current workspace (/runs) and of one workflow
(/workflows/<id>/runs), newest first, with a status filter, paging and a runs summary. The pages
stay live on the workspace's run stream (/runs/events; static/js/runs_live.js): a row is
re-rendered alone (/runs/<id>/row), the summary alone (HX-Target: runs-summary)."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import login_required

from app.engine.events import workspace_stream
from app.errors import NotFound
from app.models import RUN_STATUSES
from app.realtime import sse
from app.services import run_history
from app.services import workflows as wf_svc
from app.web.context import require_workspace
from app.web.ui import is_htmx, render

bp = Blueprint("run_history", __name__)

STATUS_OPTIONS = (("", "Any status"),) + tuple((s, s.capitalize()) for s in RUN_STATUSES)


def _page(wf=None):
    ws, _membership = require_workspace()
    status = request.args.get("status", "")
    status = status if status in RUN_STATUSES else ""
    target = request.headers.get("HX-Target") if is_htmx() else None
    if target == "runs-summary":
        return render("runs/_runs_summary.html", summary=run_history.summary(ws, wf),
                      duration_text=run_history.duration_text, oob_total=run_history.count(ws, wf, status or None))
    events_after = sse.latest_id(workspace_stream(ws.id)) if target != "runs-panel" else None   # before reading rows
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    listing = run_history.list_runs(ws, wf, status or None, page)
    endpoint, args = ("run_history.workflow_GET", {"workflow_id": wf.id}) if wf is not None \
        else ("run_history.index_GET", {})

    def page_url(n):
        q = {**args, **({"status": status} if status else {}), **({"page": n} if n > 1 else {})}
        return url_for(endpoint, **q)

    ctx = {"ws": ws, "workflow": wf, "listing": listing, "summary": run_history.summary(ws, wf),
           "status_filter": status, "status_options": STATUS_OPTIONS, "page_url": page_url,
           "action": url_for(endpoint, **args), "duration_text": run_history.duration_text}
    if target == "runs-panel":
        resp = render("runs/_history.html", **ctx)
        resp.headers["HX-Push-Url"] = page_url(listing["page"])
        return resp
    return render("runs/history.html", **ctx, events_after=events_after)


@bp.get("/runs")
@login_required
def index_GET():
    return _page()


@bp.get("/workflows/<workflow_id>/runs")
@login_required
def workflow_GET(workflow_id):
    ws, _m = require_workspace()
    return _page(wf_svc.get(ws, workflow_id))


@bp.get("/runs/<run_id>/row")
@login_required
def row_GET(run_id):
    """One row of the runs list (?workflow=<id>: as the workflow's list shows it)."""
    ws, _m = require_workspace()
    wf = wf_svc.get(ws, request.args["workflow"]) if request.args.get("workflow") else None
    row = run_history.one_row(ws, wf, run_id)
    if row is None:
        raise NotFound("Run not found.")
    return render("runs/_run_row.html", r=row, workflow=wf, duration_text=run_history.duration_text)


@bp.get("/runs/events")
@login_required
def events_GET():
    """The workspace's run stream for its runs lists. A page of another workspace (the user switched
    since it was rendered) is answered 204, which stops its EventSource for good."""
    ws, _m = require_workspace()
    if request.args.get("workspace", ws.id) != ws.id:
        return "", 204
    return sse.workspace_events(ws.id, request.headers.get("Last-Event-ID") or request.args.get("after"))

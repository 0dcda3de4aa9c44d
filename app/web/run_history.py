"""Run history pages: every run of the current workspace (/runs) and of one workflow
(/workflows/<id>/runs), newest first, with a status filter, paging and a runs summary."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import login_required

from app.models import RUN_STATUSES
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
    if is_htmx() and request.headers.get("HX-Target") == "runs-panel":
        resp = render("runs/_history.html", **ctx)
        resp.headers["HX-Push-Url"] = page_url(listing["page"])
        return resp
    return render("runs/history.html", **ctx)


@bp.get("/runs")
@login_required
def index_GET():
    return _page()


@bp.get("/workflows/<workflow_id>/runs")
@login_required
def workflow_GET(workflow_id):
    ws, _m = require_workspace()
    return _page(wf_svc.get(ws, workflow_id))

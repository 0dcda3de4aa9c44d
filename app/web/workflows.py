"""The workflows list: filters, sort and paging over the workspace's workflows; new (blank or from a
starter template), duplicate, rename and delete. Every list action answers with the list partial
(HTMX, keeping the filters it was sent with) or redirects back (plain form posts)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.models.base import utcnow
from app.services import templates as tpl_svc
from app.services.estimates import template_estimate
from app.services import workflows as wf_svc
from app.web.context import require_workspace
from app.web.ui import field_errors, general_error, is_htmx, render

bp = Blueprint("workflows", __name__)

PER_PAGE = 20
STATUSES = (("", "Any status"), ("draft", "Never run"), ("running", "Running or paused"),
            ("completed", "Last run completed"), ("failed", "Last run failed"))
LAST_RUN = (("", "Any time"), ("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days"))
FAILED = (("", "Either"), ("true", "Has failed runs"), ("false", "No failed runs"))
SORTS = (("updated_at", "Recently updated"), ("name", "Name (A–Z)"), ("runs_count", "Most runs"))


def _filters(args) -> dict:
    def pick(name, options):
        value = args.get(name, "")
        return value if value in dict(options) else ""
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    return {"status": pick("status", STATUSES), "search": (args.get("search") or "").strip()[:200],
            "last_run": pick("last_run", LAST_RUN), "has_failed": pick("has_failed", FAILED),
            "sort": pick("sort", SORTS) or "updated_at", "page": page}


def _query(f: dict, page: int | None = None) -> dict:
    q = {k: v for k, v in f.items() if v and k != "page" and not (k == "sort" and v == "updated_at")}
    if (page or f["page"]) > 1:
        q["page"] = page or f["page"]
    return q


def _page(status=200, *, notice=None, error=None, args=None):
    ws, membership = require_workspace()
    f = _filters(args if args is not None else request.args)
    after = utcnow() - timedelta(days=int(f["last_run"])) if f["last_run"] else None
    has_failed = {"true": True, "false": False}.get(f["has_failed"])
    rows, total = wf_svc.list_workflows(ws, status=f["status"] or None, search=f["search"] or None,
                                        sort=[f["sort"]], last_run_after=after, has_failed_run=has_failed,
                                        offset=(f["page"] - 1) * PER_PAGE, limit=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if f["page"] > pages and total:
        f["page"] = pages
        return _page(status, notice=notice, error=error, args={**f, "page": str(pages)})
    stats = wf_svc.run_stats([w.id for w in rows])
    template = "workflows/_list.html" if is_htmx() and request.headers.get("HX-Target") == "workflows-panel" \
        else "workflows/index.html"
    resp = render(template, status, ws=ws, membership=membership, rows=rows, stats=stats, total=total,
                  pages=pages, f=f, query=_query, statuses=STATUSES, last_runs=LAST_RUN, faileds=FAILED,
                  sorts=SORTS, notice=notice, error=error)
    if is_htmx() and request.method == "GET":
        resp.headers["HX-Push-Url"] = url_for("workflows.index_GET", **_query(f))
    return resp


@bp.get("/workflows")
@login_required
def index_GET():
    return _page()


def _after(action, success: str):
    """One service call on the list; commit and answer with the fresh list, or show the refusal."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        if not is_htmx():
            raise
        return _page(exc.status, error=_message(exc), args=request.form)
    db.session.commit()
    message = success.format(result=result)
    if is_htmx():
        return _page(notice=message, args=request.form)
    flash(message, "success")
    return redirect(url_for("workflows.index_GET"))


def _message(exc: DomainError) -> str:
    fields = field_errors(exc)
    return general_error(exc) or "; ".join(f"{k.capitalize()} {v}" for k, v in fields.items())


def _to_editor(wf):
    url = url_for("editor.edit_GET", workflow_id=wf.id)
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    return redirect(url)


@bp.post("/workflows/new")
@login_required
def new_POST():
    ws, membership = require_workspace()
    name = (request.form.get("name") or "").strip()
    wf = wf_svc.create(ws, membership, current_user, {"name": name} if name else {}, form=True)
    db.session.commit()
    return _to_editor(wf)


@bp.get("/workflows/templates")
@login_required
def templates_GET():
    """The starter template picker: the New-from-template dialog's partial, or (opened as a page, e.g.
    without JS) the same list on a page of its own."""
    ws, membership = require_workspace()
    tpl_svc.ensure_starters_lazily()
    rows, _more = tpl_svc.list_gallery(current_user.id, sort="popular", limit=50)
    own = {ws.id}
    items = []
    for t in rows:
        snapshot = tpl_svc.snapshot_for(t, own)
        out = tpl_svc.template_out(t, snapshot)
        items.append({**out, "estimate": template_estimate(t, snapshot),
                      "node_count": len(out["definition"]["graph"]["nodes"])})
    db.session.commit()  # the template estimates are cached on first use
    return render("workflows/_template_picker.html" if is_htmx() else "workflows/templates.html",
                  items=items, can_write=membership.role != "viewer")


@bp.post("/workflows/from-template")
@login_required
def from_template_POST():
    ws, membership = require_workspace()
    t = tpl_svc.find(request.form.get("template_id", ""), {ws.id})
    wf = tpl_svc.clone(t, ws, membership, current_user, {"name": request.form.get("name") or None})
    db.session.commit()
    return _to_editor(wf)


@bp.post("/workflows/<workflow_id>/duplicate")
@login_required
def duplicate_POST(workflow_id):
    ws, membership = require_workspace()
    return _after(lambda: wf_svc.duplicate(wf_svc.get(ws, workflow_id), membership, current_user).name,
                  "Duplicated as “{result}”.")


@bp.post("/workflows/<workflow_id>/rename")
@login_required
def rename_POST(workflow_id):
    ws, membership = require_workspace()
    name = request.form.get("new_name", "")
    return _after(lambda: wf_svc.patch(wf_svc.get(ws, workflow_id), membership, current_user,
                                       {"name": name.strip()}).name, "Renamed to “{result}”.")


@bp.post("/workflows/<workflow_id>/delete")
@login_required
def delete_POST(workflow_id):
    ws, membership = require_workspace()

    def action():
        wf = wf_svc.get(ws, workflow_id)
        wf_svc.delete(wf, membership)
        return wf.name
    return _after(action, "Deleted “{result}”.")

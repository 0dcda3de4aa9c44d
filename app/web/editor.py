"""The canvas editor page and its JSON endpoints: autosave (one immutable version per save) with the
one validator's problems, auto-layout, export / import of the definition file, version history with
"restore as new version". The canvas itself is static/js/editor/ (drawflow).

JSON endpoints answer {"error": {code, message, details}} on refusal; CSRF (X-CSRFToken) and the
role checks of the services apply to every change. A save names the version it started from and is
refused (409 EDIT_CONFLICT, with the latest version) when someone saved since.
"""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, make_response, request, url_for
from flask_login import current_user, login_required

from app.auth.permissions import require_role, role_allows
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.models import iso
from app.services import workflow_history
from app.services import workflows as wf_svc
from app.web.context import require_workspace
from app.web.ui import render
from app.workflows.interchange import export_document, problems_report, read_document
from app.workflows.layout import auto_layout, needs_layout
from app.workflows.nodes import NODE_SPECS

bp = Blueprint("editor", __name__)
CATEGORY_TITLES = {"source": "Sources", "operator": "Operators", "validation": "Validators",
                   "output": "Outputs", "decision": "Decisions"}


def json_error(exc: DomainError):
    db.session.rollback()
    error = {"code": exc.code, "message": exc.message, "details": exc.details or []}
    if isinstance(exc, workflow_history.EditConflict):
        error["latest"] = exc.latest
    return jsonify({"error": error}), exc.status


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed([{"field": "body", "message": "must be a JSON object"}])
    return data


def catalog_for_canvas() -> list[dict]:
    """Node types as the canvas needs them: ports with their kinds, defaults, category."""
    return [{"type": s.node_type, "name": s.display_name, "description": s.description, "category": s.category,
             "beta": s.beta, "version": s.version, "defaults": s.default_config(),
             "inputs": [{"name": p.name, "kind": p.kind} for p in s.inputs],
             "outputs": [{"name": p.name, "kind": p.kind} for p in s.outputs]} for s in NODE_SPECS.values()]


def palette_groups(nodes: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for n in nodes:
        groups.setdefault(n["category"], []).append(n)
    return [(CATEGORY_TITLES.get(c, c.title()), items) for c, items in groups.items()]


def _workflow(workflow_id):
    ws, membership = require_workspace()
    return ws, membership, wf_svc.get(ws, workflow_id)


@bp.get("/workflows/<workflow_id>/edit")
@login_required
def edit_GET(workflow_id):
    ws, membership, wf = _workflow(workflow_id)
    out = wf_svc.workflow_out(wf)
    defn, laid_out = out["definition"], needs_layout(out["definition"])
    if laid_out:
        defn = auto_layout(defn)
    problems, blocking = problems_report(defn, wf_svc.catalog())
    version = workflow_history.current_number(wf)
    can_edit = role_allows(membership.role, "content.write")
    nodes = catalog_for_canvas()
    data = {"workflow_id": wf.id, "name": wf.name, "definition": defn, "catalog": nodes, "can_edit": can_edit,
            "can_run": role_allows(membership.role, "runs.start"), "laid_out": laid_out,
            "problems": problems, "blocking": blocking, "version": version,
            "change_check_ms": int(current_app.config.get("EDITOR_CHANGE_CHECK_SECONDS", 0) * 1000),
            "urls": _urls(wf.id)}
    return render("editor/edit.html", ws=ws, membership=membership, wf=wf, data=data, can_edit=can_edit,
                  groups=palette_groups(nodes), version=version, laid_out=laid_out)


def _urls(workflow_id: str) -> dict:
    u = {name: url_for(endpoint, workflow_id=workflow_id) for name, endpoint in (
        ("save", "editor.save_POST"), ("layout", "editor.layout_POST"), ("export", "editor.export_GET"),
        ("import", "editor.import_POST"), ("versions", "editor.versions_GET"), ("latest", "editor.latest_GET"),
        ("panel", "editor_panels.panel_POST"), ("config", "editor_panels.config_POST"),
        ("voices", "editor_panels.voices_GET"), ("uploads", "editor_panels.upload_create_POST"),
        ("estimate", "editor_run.estimate_POST"), ("run_preview", "editor_run.preview_POST"))}
    u["confirm_upload"] = url_for("editor_panels.upload_confirm_POST", workflow_id=workflow_id, upload_id="UPLOAD_ID")
    return u


@bp.post("/workflows/<workflow_id>/editor/save")
@login_required
def save_POST(workflow_id):
    """Body {definition?, name?, base_version, force?}. Saves when nothing blocks it (a new version when
    it changed); always answers with the problems of what was sent, and the version that is now the
    editor's base. 409 when base_version is no longer the current version, unless force ("keep mine")."""
    try:
        _ws, membership, wf = _workflow(workflow_id)
        data = json_body()
        note = workflow_history.check_base(wf, membership, current_user, data)
        change = {k: data[k] for k in ("name", "definition") if k in data}
        problems, blocking = problems_report(data["definition"], wf_svc.catalog()) if "definition" in data \
            else ([], 0)
        saved = False
        if blocking:
            change.pop("definition")
        before = wf.current_version_id
        if change:
            wf_svc.patch(wf, membership, current_user, change, note=note)
            saved = True
        elif "definition" not in data:
            raise ValidationFailed([{"field": None, "message": "send a name or a definition"}])
        number = workflow_history.current_number(wf)
        new_version = wf.current_version_id != before
        db.session.commit()
    except DomainError as exc:
        return json_error(exc)
    return jsonify({"saved": saved and not blocking, "new_version": new_version, "version": number,
                    "name": wf.name, "updated_at": iso(wf.updated_at), "problems": problems,
                    "blocking": blocking})


@bp.get("/workflows/<workflow_id>/editor/latest")
@login_required
def latest_GET(workflow_id):
    """The workflow's current version as a conflict names it ({version, latest: {number, at, by, by_you}}):
    an open editor asks now and then, so it hears of someone else's save before its own is refused."""
    _ws, _m, wf = _workflow(workflow_id)
    resp = jsonify({"version": workflow_history.current_number(wf), "latest": workflow_history.latest(wf, current_user)})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/workflows/<workflow_id>/editor/layout")
@login_required
def layout_POST(workflow_id):
    try:
        _workflow(workflow_id)
        defn = json_body().get("definition")
        if not isinstance(defn, dict):
            raise ValidationFailed([{"field": "definition", "message": "must be an object"}])
    except DomainError as exc:
        return json_error(exc)
    return jsonify({"definition": auto_layout(defn, force=True)})


@bp.get("/workflows/<workflow_id>/export")
@login_required
def export_GET(workflow_id):
    _ws, _m, wf = _workflow(workflow_id)
    doc = export_document(wf.name, wf.description, wf_svc.workflow_out(wf)["definition"])
    resp = make_response(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    resp.mimetype = "application/json"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in wf.name).strip("-")[:60] or "workflow"
    resp.headers["Content-Disposition"] = f'attachment; filename="{safe}.onepin.json"'
    return resp


@bp.post("/workflows/<workflow_id>/editor/import")
@login_required
def import_POST(workflow_id):
    """Checks a file before anything is replaced: {ok, definition, problems, blocking, ...}.
    The canvas replaces its graph only when ok (and then saves it like any edit)."""
    try:
        _ws, membership, _wf = _workflow(workflow_id)
        require_role(membership.role, "content.write", "Viewers cannot import workflows.")
        text = json_body().get("text")
        if not isinstance(text, str):
            raise ValidationFailed([{"field": "text", "message": "send the file's text"}])
    except DomainError as exc:
        return json_error(exc)
    return jsonify(read_document(text, wf_svc.catalog()))


@bp.get("/workflows/<workflow_id>/editor/versions")
@login_required
def versions_GET(workflow_id):
    _ws, membership, wf = _workflow(workflow_id)
    return render("editor/_versions.html", wf=wf, versions=workflow_history.listing(wf),
                  can_edit=role_allows(membership.role, "content.write"))


@bp.post("/workflows/<workflow_id>/editor/versions/<int:number>/restore")
@login_required
def restore_POST(workflow_id, number):
    _ws, membership, wf = _workflow(workflow_id)
    version = workflow_history.restore(wf, membership, current_user, number)
    db.session.commit()
    resp = render("editor/_versions.html", wf=wf, versions=workflow_history.listing(wf), can_edit=True,
                  notice=f"Version {number} restored as version {version.number}.")
    defn = wf_svc.workflow_out(wf)["definition"]
    resp.headers["HX-Trigger"] = json.dumps({"onepin:restored": {
        "definition": auto_layout(defn) if needs_layout(defn) else defn, "version": version.number}})
    return resp

"""Cost and launch from the editor: the live estimate of the canvas's definition, and the Run
dialog (estimate of the saved workflow with an optional one-off script, then the launch through the
same service the API uses, app/engine/launcher.start_run)."""
from __future__ import annotations

import json

from flask import Blueprint, make_response, request, url_for
from flask_login import current_user, login_required

from app.auth.permissions import role_allows
from app.engine import launcher
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.services import estimates
from app.services import workflows as wf_svc
from app.web.context import require_workspace
from app.web.ui import checkbox, render

bp = Blueprint("editor_run", __name__)


def _workflow(workflow_id):
    ws, membership = require_workspace()
    return ws, membership, wf_svc.get(ws, workflow_id)


def _quote(ws, definition, script_text=None):
    """(estimate, message): no text to price is a message, not an error."""
    try:
        out = estimates.estimate(ws, current_user, definition, script_text=script_text)
    except ValidationFailed as exc:
        db.session.rollback()
        return None, exc.details[0]["message"] if exc.details else exc.message
    db.session.commit()  # the lazily posted monthly grant, if any
    return out, None


@bp.post("/workflows/<workflow_id>/editor/estimate")
@login_required
def estimate_POST(workflow_id):
    """Form field `definition` (JSON): the canvas as it is now (saved or not)."""
    ws, _m, _wf = _workflow(workflow_id)
    try:
        defn = json.loads(request.form.get("definition") or "{}")
    except ValueError:
        defn = None
    if not isinstance(defn, dict):
        return render("editor/_estimate.html", quote=None, message="The canvas could not be read.")
    quote, message = _quote(ws, defn)
    return render("editor/_estimate.html", quote=quote, message=message)


def _script_text():
    text = request.form.get("script_text")
    return text if checkbox(request.form, "use_script") == "true" and text and text.strip() else None


def _dialog(ws, membership, wf, status=200, *, error=None):
    script_text = _script_text()
    quote, message = _quote(ws, wf.definition, script_text)
    return render("editor/_run_dialog.html", status, wf=wf, quote=quote, message=message, error=error,
                  script_text=request.form.get("script_text", ""),
                  use_script=checkbox(request.form, "use_script") == "true",
                  can_run=role_allows(membership.role, "runs.start"))


@bp.post("/workflows/<workflow_id>/run/preview")
@login_required
def preview_POST(workflow_id):
    """The Run dialog's body: what the saved workflow (with the optional one-off script) will cost."""
    ws, membership, wf = _workflow(workflow_id)
    return _dialog(ws, membership, wf)


@bp.post("/workflows/<workflow_id>/run")
@login_required
def run_POST(workflow_id):
    """Start a run after the confirmation; HTMX is sent to the run page."""
    ws, membership, wf = _workflow(workflow_id)
    body = {"script_text": _script_text()} if _script_text() is not None else {}
    try:
        run, _created = launcher.start_run(ws, membership, current_user, wf, body)
        run_id = run.id
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        wf = wf_svc.get(ws, workflow_id)
        return _dialog(ws, membership, wf, exc.status, error=exc.message)
    url = url_for("runs.show_GET", run_id=run_id)
    resp = make_response("", 204)
    resp.headers["HX-Redirect"] = url
    return resp

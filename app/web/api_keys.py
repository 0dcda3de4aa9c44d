"""API keys of the current workspace: list, create (plaintext shown once), revoke."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import ValidationFailed
from app.extensions import db
from app.models import SCOPES
from app.services import api_keys as keys_svc
from app.web.context import require_workspace
from app.web.ui import field_errors, general_error, is_htmx, render

bp = Blueprint("api_keys", __name__)


def _page(status=200, *, new_key=None, new_key_name=None, notice=None, form=None, errors=None, error=None):
    ws, membership = require_workspace()
    keys = keys_svc.list_for(ws, membership, current_user)
    template = "api_keys/_panel.html" if is_htmx() else "api_keys/index.html"
    # The plaintext key must never be cached or replayed from history.
    return render(template, status, no_store=True, ws=ws, membership=membership, keys=keys, scopes=SCOPES,
                  new_key=new_key, new_key_name=new_key_name, notice=notice, form=form, errors=errors or {},
                  error=error)


@bp.get("/settings/api-keys")
@login_required
def index_GET():
    return _page()


@bp.post("/settings/api-keys")
@login_required
def create_POST():
    ws, membership = require_workspace()
    try:
        key, plaintext = keys_svc.create(ws, membership, current_user, request.form, form=True)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.status, form=request.form, errors=field_errors(exc), error=general_error(exc))
    name = key.name
    db.session.commit()
    return _page(201, new_key=plaintext, new_key_name=name)


@bp.post("/settings/api-keys/<key_id>/revoke")
@login_required
def revoke_POST(key_id):
    ws, membership = require_workspace()
    key = keys_svc.revoke(ws, membership, current_user, key_id)
    name = key.name
    db.session.commit()
    if is_htmx():
        return _page(notice=f"Key “{name}” revoked. Requests using it now fail.")
    flash(f"Key “{name}” revoked.", "success")
    return redirect(url_for("api_keys.index_GET"))

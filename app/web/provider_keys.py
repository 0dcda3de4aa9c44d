"""Provider keys of the current workspace (admins only): add, replace or remove the keys of the cloud
TTS and machine-translation providers. A key is never shown again after it is saved: only its last four
characters. Saving a cloud TTS key imports that provider's voices (the outcome is shown with the key);
"Re-import voices" lists them again. Every action answers with the panel partial (HTMX) or redirects back
(plain forms)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.services import provider_keys as keys_svc
from app.web.context import require_workspace
from app.web.ui import field_errors, general_error, is_htmx, render

bp = Blueprint("provider_keys", __name__)


def _page(status=200, *, notice=None, notice_category="success", error=None, errors=None, target=None, form=None):
    ws, membership = require_workspace()
    groups = keys_svc.rows(ws, membership)
    template = "provider_keys/_panel.html" if is_htmx() else "provider_keys/index.html"
    return render(template, status, no_store=True, ws=ws, groups=groups, titles=keys_svc.KIND_TITLES,
                  notice=notice, notice_category=notice_category, error=error, errors=errors or {}, target=target,
                  form=form or {})


def _answer(message: str, ok: bool):
    category = "success" if ok else "warning"
    if is_htmx():
        return _page(notice=message, notice_category=category)
    flash(message, category)
    return redirect(url_for("provider_keys.index_GET"))


def _refused(exc: DomainError):
    """A refused change: shown on the page for HTMX; a viewer's 403 (and plain posts) get the error page."""
    db.session.rollback()
    if exc.status == 403 or not is_htmx():
        raise exc
    return _page(exc.status, error=exc.message)


@bp.get("/settings/provider-keys")
@login_required
def index_GET():
    return _page()


@bp.post("/settings/provider-keys/<kind>/<provider>")
@login_required
def save_POST(kind, provider):
    ws, membership = require_workspace()
    try:
        replaced, voices = keys_svc.save(ws, membership, current_user, kind, provider, request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.status, error=general_error(exc), errors=field_errors(exc), target=(kind, provider),
                     form={"base_url": request.form.get("base_url", "")})
    db.session.commit()
    name = keys_svc.DISPLAY.get(provider, provider)
    message = f"{name} key {'updated' if replaced else 'added'}."
    if voices is not None:
        message += " " + voices.message
    return _answer(message, voices is None or voices.ok)


@bp.post("/settings/provider-keys/tts/<provider>/voices")
@login_required
def reimport_POST(provider):
    ws, membership = require_workspace()
    try:
        outcome = keys_svc.reimport_voices(ws, membership, current_user, provider)
    except DomainError as exc:
        return _refused(exc)
    db.session.commit()
    return _answer(outcome.message, outcome.ok)


@bp.post("/settings/provider-keys/<kind>/<provider>/remove")
@login_required
def remove_POST(kind, provider):
    ws, membership = require_workspace()
    try:
        unavailable = keys_svc.remove(ws, membership, current_user, kind, provider)
    except DomainError as exc:
        return _refused(exc)
    db.session.commit()
    message = f"{keys_svc.DISPLAY.get(provider, provider)} key removed."
    if unavailable:
        message += (f" Its {unavailable} voice{'' if unavailable == 1 else 's'} stay in the catalog as unavailable "
                    f"until a key is added again.")
    return _answer(message, True)

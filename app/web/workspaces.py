"""Workspaces: create, switch, and the workspace settings page (with live slug availability)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import Conflict, PaymentRequired, ValidationFailed
from app.extensions import db
from app.services import workspaces as ws_svc
from app.web.context import require_workspace, switch_to
from app.web.ui import checkbox, field_errors, general_error, is_htmx, render

bp = Blueprint("workspaces", __name__)

COLOR_NAMES = ("Indigo", "Green", "Amber", "Red", "Cyan", "Purple", "Slate")
THEMES = (("system", "Match system"), ("light", "Light"), ("dark", "Dark"))
FORM_ERRORS = (ValidationFailed, Conflict, PaymentRequired)


@bp.get("/workspaces/new")
@login_required
def new_GET():
    return render("workspaces/new.html", form={}, errors={}, error=None, color_names=COLOR_NAMES)


@bp.post("/workspaces/new")
@login_required
def new_POST():
    try:
        ws = ws_svc.create(current_user, request.form, form=True)
    except FORM_ERRORS as exc:
        db.session.rollback()
        return render("workspaces/new.html", exc.status, form=request.form, errors=field_errors(exc),
                      error=general_error(exc), color_names=COLOR_NAMES)
    current_user.current_workspace_id = ws.id
    db.session.commit()
    flash(f"Workspace “{ws.name}” created. You are now working in it.", "success")
    return redirect(url_for("dashboard.index_GET"))


@bp.post("/workspaces/switch")
@login_required
def switch_POST():
    ws = switch_to(request.form.get("workspace_id", ""))
    flash(f"Switched to {ws.name}.", "info")
    return redirect(url_for("dashboard.index_GET"))


@bp.get("/settings/workspace/slug-check")
@login_required
def slug_check_GET():
    exclude = None
    if request.args.get("new") != "1":
        exclude = require_workspace()[0].id
    slug = ws_svc.normalize_slug(request.args.get("slug", ""))
    problem = ws_svc.slug_problem(slug, exclude_id=exclude) if slug else None
    state = "empty" if not slug else (problem or "available")
    return render("workspaces/_slug_status.html", slug=slug, state=state)


def _settings_page(status=200, *, general_form=None, general_errors=None, general_error=None,
                   defaults_form=None, defaults_errors=None, defaults_error=None, notice=None, partial=None):
    ws, membership = require_workspace()
    context = dict(ws=ws, membership=membership, settings=ws_svc.settings(ws), color_names=COLOR_NAMES,
                   themes=THEMES, general_form=general_form or {}, general_errors=general_errors or {},
                   general_error=general_error, defaults_form=defaults_form or {},
                   defaults_errors=defaults_errors or {}, defaults_error=defaults_error, notice=notice)
    db.session.commit()
    template = partial if (partial and is_htmx()) else "workspaces/settings.html"
    return render(template, status, **context)


@bp.get("/settings/workspace")
@login_required
def settings_GET():
    return _settings_page()


@bp.post("/settings/workspace")
@login_required
def settings_POST():
    ws, membership = require_workspace()
    data = request.form.to_dict()
    llm_fit = checkbox(request.form, "routing_llm_fit")
    data.pop("routing_llm_fit", None)
    if llm_fit is not None:
        data["routing_llm_fit"] = llm_fit
    try:
        ws_svc.update(ws, membership, current_user, data, form=True)
    except FORM_ERRORS as exc:
        db.session.rollback()
        return _settings_page(exc.status, general_form=request.form, general_errors=field_errors(exc),
                              general_error=general_error(exc), partial="workspaces/_general_form.html")
    db.session.commit()
    if is_htmx():
        return _settings_page(notice="Workspace settings saved.", partial="workspaces/_general_form.html")
    flash("Workspace settings saved.", "success")
    return redirect(url_for("workspaces.settings_GET"))


@bp.post("/settings/workspace/defaults")
@login_required
def defaults_POST():
    ws, membership = require_workspace()
    try:
        ws_svc.update_settings(ws, membership, current_user, request.form, form=True)
    except ValidationFailed as exc:
        db.session.rollback()
        return _settings_page(exc.status, defaults_form=request.form, defaults_errors=field_errors(exc),
                              defaults_error=general_error(exc), partial="workspaces/_defaults_form.html")
    db.session.commit()
    if is_htmx():
        return _settings_page(notice="Defaults saved.", partial="workspaces/_defaults_form.html")
    flash("Defaults saved.", "success")
    return redirect(url_for("workspaces.settings_GET"))

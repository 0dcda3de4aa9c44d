"""Sign up, log in, log out."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.errors import Conflict, Unauthorized, ValidationFailed
from app.extensions import db, limiter
from app.services import accounts
from app.services import workspaces as ws_svc
from app.web import session as web_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and urlparse(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index_GET")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_email_key() -> str:
    return "login-email:" + accounts.normalize_email(request.form.get("email", ""))


@bp.get("/signup")
def signup_GET():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index_GET"))
    return render_template("auth/signup.html", form={"next": request.args.get("next", "")}, errors={})


@bp.post("/signup")
@limiter.limit(_login_limit, methods=["POST"])
def signup_POST():
    form = request.form
    try:
        user = accounts.sign_up(form, form=True)
        ws_name = (form.get("workspace_name") or "").strip() or f"{user.display_name}'s workspace"
        ws = ws_svc.create(user, {"name": ws_name}, form=True)
        user.current_workspace_id = ws.id
        db.session.commit()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        errors = {d["field"]: d["message"] for d in (exc.details or []) if d.get("field")}
        if not errors:
            flash(exc.message, "error")
        return render_template("auth/signup.html", form=form, errors=errors), 422 if isinstance(exc, ValidationFailed) else 409
    web_session.start(user)
    flash("Welcome to OnePin! Your workspace is ready.", "success")
    return redirect(_safe_next(form.get("next")))


@bp.get("/login")
def login_GET():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form={}, next=request.args.get("next", ""), error=None)


@bp.post("/login")
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key)
def login_POST():
    form = request.form
    try:
        user = accounts.authenticate(form.get("email", ""), form.get("password", ""))
    except Unauthorized as exc:
        return render_template("auth/login.html", form=form, next=form.get("next", ""), error=exc.message), 401
    web_session.start(user)
    return redirect(_safe_next(form.get("next")))


@bp.post("/logout")
def logout_POST():
    web_session.end()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login_GET"))


@bp.post("/auth/token")
def token_POST():
    """A short-lived browser token for the JSON API (auth_kind "clerk"), tied to this login session."""
    from flask import jsonify

    from app.auth.tokens import issue_jwt
    from app.models import iso
    from app.web.context import current_membership
    if not current_user.is_authenticated:
        return jsonify({"error": {"code": "NOT_AUTHENTICATED", "message": "Log in first."}}), 401
    token, exp = issue_jwt(current_user.id, web_session.current_sid(), current_user.session_version)
    found = current_membership()
    return jsonify({"token": token, "expires_at": iso(exp), "workspace_id": found[0].id if found else None})

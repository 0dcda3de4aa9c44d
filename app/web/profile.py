"""The signed-in user's profile: password and notification preferences."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required

from app.errors import ValidationFailed
from app.extensions import db
from app.services import accounts
from app.web.ui import checkbox, field_errors, general_error, is_htmx, render

bp = Blueprint("profile", __name__)

NOTIFICATION_FIELDS = ("completed_generation_email", "failed_generation_email")


def _page(status=200, *, partial=None, **context):
    context.setdefault("password_errors", {})
    context.setdefault("password_error", None)
    context.setdefault("password_notice", None)
    context.setdefault("notifications_notice", None)
    context["prefs"] = accounts.notification_preferences(current_user)
    template = partial if (partial and is_htmx()) else "profile/index.html"
    return render(template, status, **context)


@bp.get("/settings/profile")
@login_required
def index_GET():
    return _page()


@bp.post("/settings/profile/password")
@login_required
def password_POST():
    try:
        accounts.change_password(current_user, request.form, keep_session_id=session.get("sid"), form=True)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.status, partial="profile/_password.html", password_errors=field_errors(exc),
                     password_error=general_error(exc))
    db.session.commit()
    message = "Password changed. Your other sessions have been logged out."
    if is_htmx():
        return _page(partial="profile/_password.html", password_notice=message)
    flash(message, "success")
    return redirect(url_for("profile.index_GET"))


@bp.post("/settings/profile/notifications")
@login_required
def notifications_POST():
    data = {}
    for field in NOTIFICATION_FIELDS:
        value = checkbox(request.form, field)
        if value is not None:
            data[field] = value
    accounts.update_notification_preferences(current_user, data, form=True)
    db.session.commit()
    message = "Notification preferences saved."
    if is_htmx():
        return _page(partial="profile/_notifications.html", notifications_notice=message)
    flash(message, "success")
    return redirect(url_for("profile.index_GET"))

"""Members and invites of the current workspace. Every action answers with the members table partial
(HTMX) or redirects back to the page (plain form posts)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.models import ROLES
from app.services import members as members_svc
from app.web.context import require_workspace
from app.web.ui import field_errors, general_error, is_htmx, render

bp = Blueprint("members", __name__)


def _page(status=200, *, notice=None, error=None, invite_form=None, invite_errors=None):
    ws, membership = require_workspace()
    rows = members_svc.list_members(ws, current_user)
    template = "members/_table.html" if is_htmx() else "members/index.html"
    return render(template, status, ws=ws, membership=membership, rows=rows, roles=ROLES, notice=notice,
                  error=error, invite_form=invite_form or {}, invite_errors=invite_errors or {})


def _after(action, success: str):
    """Run one service call; commit and answer with the fresh table, or show the refusal."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        if not is_htmx():
            raise
        return _page(exc.status, error=exc.message)
    db.session.commit()
    if is_htmx():
        return _page(notice=success)
    flash(success, "success")
    return redirect(url_for("members.index_GET"))


@bp.get("/settings/members")
@login_required
def index_GET():
    return _page()


@bp.post("/settings/members/invite")
@login_required
def invite_POST():
    ws, membership = require_workspace()
    email = request.form.get("email", "").strip()
    try:
        members_svc.invite(ws, membership, current_user, request.form, form=True, base_url=request.host_url)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404) and not is_htmx():
            raise
        return _page(exc.status, error=general_error(exc), invite_form=request.form,
                     invite_errors=field_errors(exc))
    db.session.commit()
    message = f"Invitation sent to {email}."
    if is_htmx():
        return _page(notice=message)
    flash(message, "success")
    return redirect(url_for("members.index_GET"))


@bp.post("/settings/members/<member_id>/role")
@login_required
def role_POST(member_id):
    ws, membership = require_workspace()
    return _after(lambda: members_svc.update_role(ws, membership, current_user, member_id, request.form, form=True),
                  f"Role changed to {request.form.get('role', '')}.")


@bp.post("/settings/members/<member_id>/remove")
@login_required
def remove_POST(member_id):
    ws, membership = require_workspace()
    return _after(lambda: members_svc.remove(ws, membership, current_user, member_id), "Member removed.")


@bp.post("/settings/invites/<invite_id>/revoke")
@login_required
def invite_revoke_POST(invite_id):
    ws, membership = require_workspace()
    return _after(lambda: members_svc.revoke_invite(ws, membership, invite_id), "Invite revoked.")


@bp.post("/settings/invites/<invite_id>/role")
@login_required
def invite_role_POST(invite_id):
    ws, membership = require_workspace()
    return _after(lambda: members_svc.update_invite_role(ws, membership, invite_id, request.form, form=True),
                  f"Invite role changed to {request.form.get('role', '')}.")

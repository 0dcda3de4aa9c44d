"""Accepting an invitation from its emailed link."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError, NotFound
from app.extensions import db
from app.services import members as members_svc
from app.web.context import switch_to
from app.web.ui import render

bp = Blueprint("invites", __name__)


@bp.get("/invites/<token>")
def show_GET(token):
    inv = members_svc.find_invite_by_token(token)
    if inv is None or inv.workspace is None or inv.workspace.deleted_at is not None:
        raise NotFound("This invitation link is not valid. Ask an admin of the workspace for a new one.")
    state = members_svc.invite_state(inv)
    status = 410 if state in ("expired", "revoked") else 200
    return render("invites/show.html", status, invite=inv, state=state, token=token, error=None,
                  next_url=request.path)


@bp.post("/invites/<token>")
@login_required
def accept_POST(token):
    try:
        ws = members_svc.accept(token, current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        inv = members_svc.find_invite_by_token(token)
        return render("invites/show.html", exc.status, invite=inv, state=members_svc.invite_state(inv),
                      token=token, error=exc.message, next_url=request.path)
    db.session.commit()
    switch_to(ws.id)
    flash(f"Welcome to {ws.name}! You joined as {_role_in(ws)}.", "success")
    return redirect(url_for("dashboard.index_GET"))


def _role_in(ws) -> str:
    from app.web.context import memberships
    for w, m in memberships():
        if w.id == ws.id:
            return m.role
    return "member"

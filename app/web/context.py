"""The current workspace of a browser session, and template globals."""
from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user

from app.errors import NotFound
from app.extensions import db
from app.models import Membership, Workspace
from app.services import workspaces as ws_svc


def _signed_in() -> bool:
    """False outside a request (emails rendered by workers and the CLI) and for anonymous users."""
    return has_request_context() and current_user is not None and current_user.is_authenticated


def memberships():
    if "memberships" not in g:
        g.memberships = ws_svc.memberships_for_user(current_user) if _signed_in() else []
    return g.memberships


def current_membership() -> tuple[Workspace, Membership] | None:
    """The user's chosen workspace, or the first they belong to."""
    rows = memberships()
    if not rows:
        return None
    wanted = current_user.current_workspace_id
    for ws, m in rows:
        if ws.id == wanted:
            return ws, m
    return rows[0]


def require_workspace() -> tuple[Workspace, Membership]:
    found = current_membership()
    if found is None:
        raise NotFound("You are not a member of any workspace yet.")
    return found


def switch_to(workspace_id: str) -> Workspace:
    for ws, _m in memberships():
        if ws.id == workspace_id:
            current_user.current_workspace_id = ws.id
            db.session.commit()
            return ws
    raise NotFound("Workspace not found.")


def register(app):
    from app.auth.permissions import role_allows

    from app.web.ui import plural
    app.add_template_filter(plural, "plural")

    @app.context_processor
    def _globals():
        found = current_membership() if _signed_in() else None
        return {
            "current_workspace": found[0] if found else None,
            "current_role": found[1].role if found else None,
            "my_workspaces": memberships(),
            "can": (lambda action: bool(found) and role_allows(found[1].role, action)),
            "COLORS": ["#5b5bd6", "#0e9f6e", "#d97706", "#dc2626", "#0891b2", "#9333ea", "#475569"],
        }

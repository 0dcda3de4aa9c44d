"""Per-request access helpers for API views: scopes, workspace resolution, management rights."""
from __future__ import annotations

from app.auth.principal import Principal, current_principal, member_workspace, resolve_workspace
from app.errors import Forbidden
from app.models import Membership, Workspace


def principal(scope: str | None = None) -> Principal:
    p = current_principal()
    if scope and not p.has_scope(scope):
        raise Forbidden(f"This API key lacks the {scope} scope.", code="FORBIDDEN")
    return p


def management(scope_hint: str = "workspace management") -> Principal:
    """Actions outside ApiKeyScope (workspace/member admin, preferences): browser sessions, or keys that
    hold every scope ("all" keys). Roles are still checked by the service."""
    p = current_principal()
    if p.api_key is not None and not p.full_access:
        raise Forbidden(f"{scope_hint.capitalize()} needs a key with all scopes (or a signed-in session).",
                        code="FORBIDDEN")
    return p


def workspace(scope: str | None = None, *, required_header: bool = False) -> tuple[Workspace, Membership]:
    principal(scope)
    return resolve_workspace(required_header=required_header)


def workspace_by_id(workspace_id: str, scope: str | None = None) -> tuple[Workspace, Membership]:
    principal(scope)
    return member_workspace(workspace_id)

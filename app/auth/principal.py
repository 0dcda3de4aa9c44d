"""Who is calling the API: resolved once per request from the Authorization header.

API keys (op_live_...) are bound to one workspace. Browser JWTs ("clerk" in whoami) act as the
user and take the workspace from X-Workspace-Id. Keys are accepted only as a Bearer header.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, request

from app.errors import BadRequest, Forbidden, NotFound, Unauthorized
from app.extensions import db
from app.models import SCOPES, ApiKey, Membership, User, Workspace
from app.models.base import utcnow


@dataclass
class Principal:
    user: User
    auth_kind: str                      # "api_key" | "clerk"
    scopes: list[str]
    api_key: ApiKey | None = None
    session_id: str | None = None
    _workspace_cache: dict = field(default_factory=dict)

    @property
    def key_workspace_id(self) -> str | None:
        return self.api_key.workspace_id if self.api_key else None

    @property
    def full_access(self) -> bool:
        return self.api_key is None or self.api_key.full_access

    def has_scope(self, scope: str) -> bool:
        return self.api_key is None or scope in self.scopes


def _authenticate_api_key(raw: str) -> Principal:
    from app.services import api_keys
    key = api_keys.find_active(raw)
    if key is None:
        raise Unauthorized("Invalid or revoked API key.")
    user = db.session.get(User, key.user_id)
    ws = db.session.get(Workspace, key.workspace_id)
    if user is None or ws is None or ws.deleted_at is not None:
        raise Unauthorized("This API key's workspace no longer exists.")
    membership = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
    if membership is None:
        raise Unauthorized("This API key's owner is no longer a member of its workspace.")
    api_keys.touch(key)
    return Principal(user=user, auth_kind="api_key", scopes=sorted(set(key.scopes)), api_key=key)


def _authenticate_jwt(raw: str) -> Principal:
    from app.auth.tokens import decode_jwt
    from app.services import accounts
    claims = decode_jwt(raw)
    if not claims:
        raise Unauthorized("Invalid or expired token.")
    user = db.session.get(User, claims.get("sub"))
    if user is None or claims.get("sv") != user.session_version or not accounts.session_is_live(claims.get("sid"), user):
        raise Unauthorized("Invalid or expired token.")
    return Principal(user=user, auth_kind="clerk", scopes=sorted(SCOPES), session_id=claims.get("sid"))


def current_principal() -> Principal:
    if "principal" in g:
        return g.principal
    if "api_key" in request.args or "token" in request.args or "access_token" in request.args:
        raise Unauthorized("Credentials are accepted only in the Authorization header.")
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise Unauthorized("Missing credentials: send Authorization: Bearer <api key or token>.",
                           code="NOT_AUTHENTICATED")
    from app.auth.tokens import API_KEY_PREFIX
    principal = _authenticate_api_key(raw) if raw.startswith(API_KEY_PREFIX) else _authenticate_jwt(raw)
    principal.user.last_active_at = utcnow()
    g.principal = principal
    return principal


def header_workspace_id() -> str | None:
    value = request.headers.get("X-Workspace-Id")
    return value.strip() if value and value.strip() else None


def resolve_workspace(*, required_header: bool = False) -> tuple[Workspace, Membership]:
    """The workspace a workspace-scoped call acts in, with the caller's membership.

    API key: its own workspace; an X-Workspace-Id naming another workspace is refused (403).
    Browser token: X-Workspace-Id is required. Non-members get 404.
    """
    p = current_principal()
    wanted = header_workspace_id()
    if required_header and not _is_uuid(wanted):
        raise BadRequest("X-Workspace-Id header is required (a workspace id).", code="BAD_REQUEST")
    if p.api_key is not None:
        if wanted and wanted != p.api_key.workspace_id:
            raise Forbidden("This API key is bound to another workspace.", code="FORBIDDEN")
        wanted = p.api_key.workspace_id
    if not wanted:
        raise BadRequest("X-Workspace-Id header is required.", code="BAD_REQUEST")
    return member_workspace(wanted)


def member_workspace(workspace_id: str) -> tuple[Workspace, Membership]:
    """A workspace the caller belongs to (and, for keys, may act in), else 404."""
    p = current_principal()
    if p.api_key is not None and workspace_id != p.api_key.workspace_id and not p.full_access:
        raise NotFound("Workspace not found.")
    ws = db.session.get(Workspace, workspace_id) if _looks_like_id(workspace_id) else None
    if ws is None or ws.deleted_at is not None:
        raise NotFound("Workspace not found.")
    m = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=p.user.id))
    if m is None:
        raise NotFound("Workspace not found.")
    return ws, m


def _is_uuid(value: str | None) -> bool:
    import uuid
    try:
        return bool(value) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _looks_like_id(value: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36

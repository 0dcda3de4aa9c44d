"""API keys: minted once (plaintext shown once), stored as SHA-256 + display prefix."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.tokens import display_prefix, new_api_key, sha256_hex
from app.errors import NotFound
from app.extensions import db
from app.models import SCOPES, ApiKey, Membership, User, Workspace, iso
from app.models.base import utcnow
from app.services import activity
from app.validation import Validation

READ_SCOPES = tuple(s for s in SCOPES if s.endswith(":read"))
TOUCH_EVERY = timedelta(seconds=30)


def parse_scopes(value) -> list[str] | None:
    """'all' | 'a,b' | ['a', 'b'] -> sorted unique scopes, or None if any is unknown."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [s for s in value.replace(" ", "").split(",") if s]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        return None
    if value == ["all"] or "all" in value:
        return sorted(SCOPES)
    if any(s not in SCOPES for s in value):
        return None
    return sorted(set(value))


def create(ws: Workspace, membership: Membership, user: User, data: dict, *, form: bool = False) -> tuple[ApiKey, str]:
    v = Validation(data, form=form)
    name = v.require("name", str, max_len=100)
    raw_scopes = data.get("scopes")
    if form and hasattr(data, "getlist"):
        raw_scopes = data.getlist("scopes")
    scopes = parse_scopes(raw_scopes)
    if not scopes:
        v.error("scopes", "choose at least one scope from: " + ", ".join(SCOPES) + " (or all)")
    elif membership.role == "viewer" and any(s not in READ_SCOPES for s in scopes):
        v.error("scopes", "viewers can only create read-only keys")
    v.raise_if_invalid()
    plaintext = new_api_key()
    key = ApiKey(workspace_id=ws.id, user_id=user.id, name=name, prefix=display_prefix(plaintext),
                 key_hash=sha256_hex(plaintext), scopes=scopes)
    db.session.add(key)
    db.session.flush()
    activity.record(ws.id, user.id, "api_key_created", "api_key.created", "api_key", key.id, name,
                    data={"scopes": scopes})
    return key, plaintext


def find_active(plaintext: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(plaintext),
                                                  ApiKey.revoked_at.is_(None)))


def touch(key: ApiKey) -> None:
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        key.last_used_at = now


def list_for(ws: Workspace, membership: Membership, user: User) -> list[ApiKey]:
    q = select(ApiKey).where(ApiKey.workspace_id == ws.id).order_by(ApiKey.created_at.desc(), ApiKey.id)
    if membership.role != "admin":
        q = q.where(ApiKey.user_id == user.id)
    return list(db.session.scalars(q))


def revoke(ws: Workspace, membership: Membership, user: User, key_id: str) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None or key.workspace_id != ws.id or (key.user_id != user.id and membership.role != "admin"):
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        activity.record(ws.id, user.id, "settings_changed", "api_key.revoked", "api_key", key.id, key.name)
    return key


def key_out(key: ApiKey) -> dict:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "scopes": key.scopes,
            "created_at": iso(key.created_at), "last_used_at": iso(key.last_used_at),
            "revoked_at": iso(key.revoked_at), "user_id": key.user_id, "workspace_id": key.workspace_id}

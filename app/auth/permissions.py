"""Roles → permissions, and scope checks for API keys. Enforced on the server for every action."""
from __future__ import annotations

from app.errors import Forbidden
from app.models import ROLE_RANK

# The minimum role for each action. Viewers read; editors build and run; admins manage.
ACTION_ROLE = {
    "workspace.read": "viewer",
    "workspace.update": "admin",
    "members.manage": "admin",
    "api_keys.manage": "editor",
    "outbox.read": "admin",
    "usage.dashboard": "admin",
    "content.write": "editor",
    "runs.start": "editor",
}


def role_allows(role: str | None, action: str) -> bool:
    need = ACTION_ROLE[action]
    return role is not None and ROLE_RANK.get(role, 0) >= ROLE_RANK[need]


def require_role(role: str | None, action: str, message: str | None = None) -> None:
    if not role_allows(role, action):
        raise Forbidden(message or f"Your role does not allow this ({ACTION_ROLE[action]} or higher required).")

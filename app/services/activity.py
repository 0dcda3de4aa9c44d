"""Activity events (usage activity feed + audit trail)."""
from __future__ import annotations

from app.extensions import db
from app.models import ActivityEvent


def record(workspace_id: str, user_id: str | None, action: str, kind: str, resource_type: str,
           resource_id: str | None = None, resource_name: str | None = None, data: dict | None = None,
           ip: str | None = None) -> ActivityEvent:
    ev = ActivityEvent(workspace_id=workspace_id, user_id=user_id, action=action, kind=kind,
                       resource_type=resource_type, resource_id=resource_id, resource_name=resource_name,
                       data=data or {}, ip=ip)
    db.session.add(ev)
    return ev

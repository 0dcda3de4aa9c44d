"""Activity events feed the usage activity list and the audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import IdMixin, UTCDateTime, utcnow

ACTIONS = ("workflow_run", "voice_generated", "template_applied", "member_invited", "api_key_created",
           "settings_changed")


class ActivityEvent(IdMixin, db.Model):
    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_ws_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[str] = mapped_column(String(36), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(40), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    resource_name: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

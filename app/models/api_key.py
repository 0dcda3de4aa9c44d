"""API keys: only a SHA-256 of the key and a display prefix are stored."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin, UTCDateTime

SCOPES = (
    "catalog:read", "dictionary:read", "dictionary:write", "templates:read", "uploads:write",
    "voices:read", "voices:write", "workflows:read", "workflows:run", "workflows:write", "workspace:read",
)


class ApiKey(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "api_keys"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(20), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    scopes: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    workspace = relationship("Workspace")

    @property
    def full_access(self) -> bool:
        return set(SCOPES) <= set(self.scopes or [])

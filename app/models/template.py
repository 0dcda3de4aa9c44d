"""Templates: a workspace's draft definition and its published (gallery) snapshot; starters are
platform-owned and read-only."""
from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

_BASE62 = string.ascii_letters + string.digits


def new_template_id() -> str:
    return "".join(secrets.choice(_BASE62) for _ in range(8))


class Template(TimestampMixin, db.Model):
    __tablename__ = "templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_template_id)
    workspace_id: Mapped[str | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)            # the draft
    published_definition: Mapped[dict | None] = mapped_column(JSON)
    published_name: Mapped[str | None] = mapped_column(String(200))
    published_description: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_starter: Mapped[bool] = mapped_column(default=False, nullable=False)
    starter_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    uses_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class TemplateFavorite(db.Model):
    __tablename__ = "template_favorites"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("templates.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class TemplateEstimate(db.Model):
    """Cached per-unit template estimate, keyed on the definition and the pricing rates."""
    __tablename__ = "template_estimates"

    template_id: Mapped[str] = mapped_column(ForeignKey("templates.id", ondelete="CASCADE"), primary_key=True)
    snapshot: Mapped[str] = mapped_column(String(10), primary_key=True)     # draft | published
    definition_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    rate_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

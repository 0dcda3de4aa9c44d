"""The voice catalog: platform voices (built from the installed engines, workspace_id NULL) and
workspace-owned voices (cloud voices imported with the workspace's key, recorded or uploaded ones),
plus each workspace's favourites.

Platform voice ids are stable, readable keys ("espeak:en-us+f3", "piper:en_US-joe-medium") so a
catalog rebuilt from the same engines gives the same ids; workspace voices get uuids.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, new_id, utcnow

VOICE_SOURCES = ("platform", "recorded", "uploaded", "provider_imported")


class Voice(TimestampMixin, db.Model):
    __tablename__ = "voices"
    __table_args__ = (UniqueConstraint("workspace_id", "provider", "provider_voice_id", name="uq_voice_provider_id"),
                      Index("ix_voices_provider", "provider"))

    id: Mapped[str] = mapped_column(String(120), primary_key=True, default=new_id)
    workspace_id: Mapped[str | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))                  # who added a workspace voice
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="platform")
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    provider_voice_id: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(10))                   # male | female | neutral
    age: Mapped[str | None] = mapped_column(String(12))                      # young | middle_aged | old
    accent: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(20))
    color: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    supported_languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)   # locales
    # [{"model", "languages_known", "supported_languages"}]
    model_capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    availability: Mapped[str | None] = mapped_column(String(12))             # imported voices only
    unavailable_reason: Mapped[str | None] = mapped_column(String(40))
    uses_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # {locale: {"key", "model", "content_type", "duration_ms"}}: previews rendered once by the engine
    samples: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    default_locale: Mapped[str | None] = mapped_column(String(10))          # whose sample is sample_url
    voiceprint: Mapped[list | None] = mapped_column(JSON)                  # floats (app/speech/voiceprint)
    voiceprint_version: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # engine details, render fingerprint
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)     # last refresh that found it


class VoiceFavorite(db.Model):
    """Workspace-scoped: shared by every member of the workspace."""
    __tablename__ = "voice_favorites"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    voice_id: Mapped[str] = mapped_column(ForeignKey("voices.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

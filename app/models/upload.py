"""Two-step uploads: registered (pending), PUT to a signed URL, then confirmed (uploaded)."""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin


class Upload(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "uploads"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    category: Mapped[str] = mapped_column(String(12), nullable=False)        # script | dictionary
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    format: Mapped[str] = mapped_column(String(10), nullable=False)          # the extension: txt, srt, ...
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # pending | uploaded
    storage_key: Mapped[str] = mapped_column(String(400), nullable=False)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    char_count: Mapped[int | None] = mapped_column(Integer)
    line_count: Mapped[int | None] = mapped_column(Integer)
    detected_language: Mapped[str | None] = mapped_column(String(10))
    context_type: Mapped[str | None] = mapped_column(String(20))
    context_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Parsed script lines: [{"text": ..., "meta": {...}}] (SRT timing, bilingual target text ...)
    lines: Mapped[list | None] = mapped_column(JSON)

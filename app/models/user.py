"""Users, their login sessions and notification preferences."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin, UTCDateTime


class User(IdMixin, TimestampMixin, UserMixin, db.Model):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False, index=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str | None] = mapped_column(String(80))
    plan: Mapped[str] = mapped_column(String(20), nullable=False, default="free")
    # Bumped on a password change: every other session and browser token dies with it.
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    completed_generation_email: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_generation_email: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The workspace the web UI shows; purely a preference.
    current_workspace_id: Mapped[str | None] = mapped_column(String(36))

    sessions = relationship("UserSession", back_populates="user", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return self.display_name or self.email


class UserSession(IdMixin, TimestampMixin, db.Model):
    """A server-side login session: logout and password changes revoke it."""
    __tablename__ = "user_sessions"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    session_version: Mapped[int] = mapped_column(Integer, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user = relationship("User", back_populates="sessions")

"""Workspaces, memberships, invites and per-workspace settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin, UTCDateTime

ROLES = ("admin", "editor", "viewer")
ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3}


class Workspace(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    slug: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    color_idx: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    routing_price_sensitivity: Mapped[float] = mapped_column(Float, nullable=False, default=0.5)
    routing_llm_fit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Active (not deleted) slugs are unique; enforced by a partial unique index in the migration.
    slug_active: Mapped[str | None] = mapped_column(String(50), unique=True)

    owner = relationship("User", foreign_keys=[owner_id])
    memberships = relationship("Membership", back_populates="workspace", cascade="all, delete-orphan")


class Membership(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_membership_workspace_user"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(10), nullable=False)

    workspace = relationship("Workspace", back_populates="memberships")
    user = relationship("User")


class Invite(IdMixin, TimestampMixin, db.Model):
    """A pending invitation. Only a SHA-256 of the token is stored."""
    __tablename__ = "invites"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # pending|accepted|revoked
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    invited_by: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    accepted_by: Mapped[str | None] = mapped_column(String(36))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace = relationship("Workspace")


class WorkspaceSettings(TimestampMixin, db.Model):
    __tablename__ = "workspace_settings"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    default_language: Mapped[str | None] = mapped_column(String(20))
    theme: Mapped[str | None] = mapped_column(String(20))

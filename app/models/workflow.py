"""Workflows, their immutable versions, and runs (the run engine adds steps and takes)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin, UTCDateTime, utcnow

RUN_STATUSES = ("pending", "running", "completed", "failed", "cancelled", "paused")
TERMINAL = ("completed", "failed", "cancelled")
ACTIVE = ("pending", "running", "paused")


class Workflow(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "workflows"
    __table_args__ = (Index("ix_workflows_ws_updated", "workspace_id", "updated_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_source: Mapped[str] = mapped_column(String(12), nullable=False, default="user")
    description: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    current_version_id: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class WorkflowVersion(IdMixin, db.Model):
    """An immutable snapshot written on every save; runs pin one."""
    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "number", name="uq_workflow_version_number"),)

    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False, index=True)
    workspace_id: Mapped[str] = mapped_column(String(36), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    definition: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Run(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("workflow_id", "run_number", name="uq_run_number"),
                      Index("ix_runs_workflow_created", "workflow_id", "created_at"),
                      Index("ix_runs_ws_status", "workspace_id", "status"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False)
    version_id: Mapped[str | None] = mapped_column(ForeignKey("workflow_versions.id"))
    run_number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    definition_snapshot: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    script_text: Mapped[str | None] = mapped_column(Text)
    source_language: Mapped[str | None] = mapped_column(String(20))
    triggered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_ms: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    pause_reason: Mapped[str | None] = mapped_column(String(30))
    pause_error: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    credits: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    token_cost: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    usage_summary: Mapped[dict | None] = mapped_column(JSON)
    reservation_id: Mapped[str | None] = mapped_column(String(36))
    total_nodes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_nodes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_steps: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Execution plan and progress (the engine owns these).
    lines: Mapped[list | None] = mapped_column(JSON)           # source lines [{index, text, meta}]
    locales: Mapped[list | None] = mapped_column(JSON)         # every locale the run produces
    waves: Mapped[list | None] = mapped_column(JSON)           # [[node ids of wave 0], [wave 1], ...]
    current_wave: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    step_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    export_key: Mapped[str | None] = mapped_column(String(400))
    estimate: Mapped[dict | None] = mapped_column(JSON)

    workflow = relationship("Workflow")
    user = relationship("User", foreign_keys=[triggered_by])

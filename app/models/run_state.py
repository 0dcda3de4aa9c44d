"""Execution state of runs: one Step per node execution (iteration), one Take per
(node, line, locale, attempt) — the unit of work. The database is the truth; Redis only moves ids."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import IdMixin, UTCDateTime, utcnow

TAKE_OPEN = ("pending", "running")
TAKE_CLOSED = ("done", "failed", "cancelled")


class Step(IdMixin, db.Model):
    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("run_id", "node_id", "iteration", name="uq_step_iteration"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True)
    node_id: Mapped[str] = mapped_column(String(100), nullable=False)
    node_type: Mapped[str] = mapped_column(String(60), nullable=False)
    node_name: Mapped[str | None] = mapped_column(String(200))
    iteration: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    wave: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)     # execution order
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="running")
    takes_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    takes_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    takes_failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active_ports: Mapped[list | None] = mapped_column(JSON)
    locales: Mapped[list | None] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Take(IdMixin, db.Model):
    __tablename__ = "takes"
    __table_args__ = (
        UniqueConstraint("run_id", "node_id", "line_index", "locale", "attempt", name="uq_take"),
        Index("ix_takes_run_status", "run_id", "status"),
        Index("ix_takes_run_node", "run_id", "node_id", "attempt"),
        Index("ix_takes_cache", "workspace_id", "cache_key"),
        Index("ix_takes_lease", "status", "lease_expires_at"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), nullable=False)
    workspace_id: Mapped[str] = mapped_column(String(36), nullable=False)
    node_id: Mapped[str] = mapped_column(String(100), nullable=False)
    node_type: Mapped[str] = mapped_column(String(60), nullable=False)
    line_index: Mapped[int] = mapped_column(Integer, nullable=False)
    locale: Mapped[str] = mapped_column(String(20), nullable=False)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    wave: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # pending | running | done | failed | cancelled
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    port: Mapped[str | None] = mapped_column(String(10))          # output port emitted: lines | pass | fail
    routed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    input_take_id: Mapped[str | None] = mapped_column(String(36))
    audio_take_id: Mapped[str | None] = mapped_column(String(36))  # the generator take whose audio this is about
    text: Mapped[str | None] = mapped_column(Text)                 # text this node received
    text_out: Mapped[str | None] = mapped_column(Text)             # text it produced (text operators)
    meta: Mapped[dict | None] = mapped_column(JSON)
    voice: Mapped[dict | None] = mapped_column(JSON)
    audio_key: Mapped[str | None] = mapped_column(String(400))
    content_type: Mapped[str | None] = mapped_column(String(40))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    scores: Mapped[dict | None] = mapped_column(JSON)
    cache_key: Mapped[str | None] = mapped_column(String(64))
    reused_from: Mapped[str | None] = mapped_column(String(36))
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)   # delivered by a sink
    dropped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    units: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    unit: Mapped[str | None] = mapped_column(String(10))
    credits_milli: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    settled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    job_id: Mapped[str | None] = mapped_column(String(60))
    synth_calls: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class IdempotencyKey(IdMixin, db.Model):
    """Same key + same body → the same run; another body → 422. Pruned after 24 h."""
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "key", name="uq_idempotency"),)

    workspace_id: Mapped[str] = mapped_column(String(36), nullable=False)
    scope: Mapped[str] = mapped_column(String(100), nullable=False)      # e.g. "runs.start:<workflow_id>"
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    run_id: Mapped[str | None] = mapped_column(String(36))
    status_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

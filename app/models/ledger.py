"""The credit ledger: append-only entries; a balance is the sum of an account's entries.

Kinds: grant (+), reserve (-, a hold for a run), settle (-, an actual debit against a hold),
release (+, the hold given back), correction (+/-). Rows are never updated or deleted:
an ORM guard here and database triggers (see the migration) refuse it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import IdMixin, UTCDateTime, utcnow

KINDS = ("grant", "reserve", "settle", "release", "correction")


class LedgerEntry(IdMixin, db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_user_created", "user_id", "created_at"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    workspace_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Groups a reservation with its settles/releases (the reserve entry's id).
    reservation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Unique per logical event (e.g. "grant:<user>:2026-11", "settle:<take>") so retries never double-post.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    memo: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LedgerImmutable(Exception):
    pass


@event.listens_for(LedgerEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise LedgerImmutable("ledger entries are immutable; post a correction instead")


@event.listens_for(LedgerEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise LedgerImmutable("ledger entries are immutable; post a correction instead")

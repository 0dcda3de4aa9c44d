"""Credits: an append-only ledger per user account.

balance = SUM(amount) over the account's entries, always. Operations:
  grant       +N  (the monthly plan grant, once per period: dedup key)
  reserve     -R  (a hold taken when a run starts)
  settle      -c  (an actual debit against a hold) posted together with release +c (the hold shrinks)
  release     +r  (what is left of a hold when the run ends)
  correction  ±N
Reservations lock the user row (SELECT ... FOR UPDATE on PostgreSQL) so concurrent holds can never
overdraw the balance.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from app.errors import PaymentRequired, ValidationFailed
from app.extensions import db
from app.models import LedgerEntry, User
from app.models.base import utcnow
from app.services.plans import get_plan


def period_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The credit period: the calendar month (UTC)."""
    now = now or utcnow()
    start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)
    return start, end


def balance(user_id: str) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.user_id == user_id)) or 0)


def _post(user_id: str, kind: str, amount: int, **kw) -> LedgerEntry:
    entry = LedgerEntry(user_id=user_id, kind=kind, amount=int(amount), **kw)
    db.session.add(entry)
    db.session.flush()
    return entry


def _lock_account(user_id: str) -> User:
    return db.session.execute(select(User).where(User.id == user_id).with_for_update()).scalar_one()


def ensure_period_grant(user: User, now: datetime | None = None) -> None:
    """Tops the balance up to the plan's monthly grant once per period (credits_renewal=monthly)."""
    start, _ = period_bounds(now)
    key = f"grant:{user.id}:{start:%Y-%m}"
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == key)):
        return
    _lock_account(user.id)
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == key)):
        return
    plan = get_plan(user.plan)
    top_up = max(0, plan.monthly_credits - balance(user.id))
    _post(user.id, "grant", top_up, dedup_key=key, memo=f"{plan.name} plan grant for {start:%Y-%m}")


def reserve(user_id: str, amount: int, *, workspace_id: str | None = None, run_id: str | None = None,
            memo: str | None = None) -> LedgerEntry:
    if amount <= 0:
        raise ValidationFailed([{"field": "amount", "message": "must be positive"}])
    _lock_account(user_id)
    available = balance(user_id)
    if available < amount:
        raise PaymentRequired(f"Not enough credits: {amount} needed, {available} available.",
                              code="INSUFFICIENT_CREDITS")
    return _post(user_id, "reserve", -amount, workspace_id=workspace_id, run_id=run_id, memo=memo)


def held(reservation: LedgerEntry) -> int:
    """What is still held by a reservation (never negative)."""
    given_back = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.reservation_id == reservation.id, LedgerEntry.kind == "release")) or 0
    return -reservation.amount - int(given_back)


def settle(reservation: LedgerEntry, amount: int, *, dedup_key: str, memo: str | None = None,
           data: dict | None = None) -> LedgerEntry | None:
    """Debit `amount` against a hold, exactly once per dedup_key."""
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == dedup_key)):
        return None
    _lock_account(reservation.user_id)
    amount = int(amount)
    from_hold = min(amount, max(0, held(reservation)))
    common = dict(workspace_id=reservation.workspace_id, run_id=reservation.run_id,
                  reservation_id=reservation.id)
    entry = _post(reservation.user_id, "settle", -amount, dedup_key=dedup_key, memo=memo, data=data, **common)
    if from_hold:
        _post(reservation.user_id, "release", from_hold, dedup_key=f"{dedup_key}:release", **common)
    return entry


def release_remaining(reservation: LedgerEntry, *, dedup_key: str | None = None) -> int:
    key = dedup_key or f"release-rest:{reservation.id}"
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == key)):
        return 0
    _lock_account(reservation.user_id)
    rest = held(reservation)
    if rest > 0:
        _post(reservation.user_id, "release", rest, dedup_key=key, reservation_id=reservation.id,
              workspace_id=reservation.workspace_id, run_id=reservation.run_id, memo="unused hold returned")
    return max(rest, 0)


def correction(user_id: str, amount: int, memo: str) -> LedgerEntry:
    _lock_account(user_id)
    return _post(user_id, "correction", amount, memo=memo)


@dataclass
class BalanceView:
    balance: int
    used: int
    plan_grant: int
    plan_tier: str
    period_start: datetime
    period_end: datetime
    held: int

    def as_contract(self) -> dict:
        from app.models import iso
        quota = self.plan_grant
        return {
            "balance": self.balance,
            "monthly_balance": self.balance,
            "free_balance": 0,
            "free_grant": 0,
            "used": self.used,
            "remaining": self.balance,
            "quota": quota,
            "percent": round(100.0 * self.used / quota, 2) if quota else 0.0,
            "period_start": iso(self.period_start),
            "period_end": iso(self.period_end),
            "plan_grant": self.plan_grant,
            "plan_tier": self.plan_tier,
            "overage_rate_cents_per_credit": None,
            "overage_cents": 0,
            "credits_absorbed": 0.0,
            "held": self.held,
        }


def used_in_period(user_id: str, start: datetime, end: datetime, workspace_id: str | None = None) -> int:
    q = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.kind.in_(("settle", "correction")),
        LedgerEntry.amount < 0, LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    if workspace_id:
        q = q.where(LedgerEntry.workspace_id == workspace_id)
    return -int(db.session.scalar(q) or 0)


def view(user: User) -> BalanceView:
    ensure_period_grant(user)
    start, end = period_bounds()
    reserved = -int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user.id, LedgerEntry.kind.in_(("reserve", "release")),
        LedgerEntry.reservation_id.is_not(None) | (LedgerEntry.kind == "reserve"))) or 0)
    plan = get_plan(user.plan)
    return BalanceView(balance=balance(user.id), used=used_in_period(user.id, start, end),
                       plan_grant=plan.monthly_credits, plan_tier=plan.tier, period_start=start,
                       period_end=end, held=max(reserved, 0))

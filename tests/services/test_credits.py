"""The credit ledger (PostgreSQL): balance == SUM(entries), concurrent holds never overdraw,
settle/release arithmetic, and entries are never updated or deleted."""
import threading

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from app.errors import PaymentRequired, ValidationFailed
from app.extensions import db
from app.models import LedgerEntry, LedgerImmutable
from app.services import credits
from tests.factories import make_user


def _sum(user_id) -> int:
    db.session.rollback()
    return int(db.session.execute(text("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u"),
                                  {"u": user_id}).scalar())


@pytest.fixture
def funded():
    user = make_user()
    credits.correction(user.id, 100, "test grant")
    db.session.commit()
    return user


def test_concurrent_reservations_never_overdraw(app, funded):
    user_id = funded.id
    results, errors = [], []
    start = threading.Barrier(20)

    def worker():
        with app.app_context():
            try:
                start.wait(timeout=10)
                credits.reserve(user_id, 10)
                db.session.commit()
                results.append("ok")
            except PaymentRequired:
                db.session.rollback()
                results.append("402")
            except Exception as exc:  # pragma: no cover - reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert results.count("ok") == 10 and results.count("402") == 10
    assert credits.balance(user_id) == 0 == _sum(user_id)
    # never negative at any point: every running total over the entries in commit order stays >= 0
    amounts = [a for (a,) in db.session.execute(text(
        "SELECT amount FROM ledger_entries WHERE user_id = :u ORDER BY created_at, id"), {"u": user_id})]
    running = 0
    for a in amounts:
        running += a
        assert running >= 0
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerEntry).where(
        LedgerEntry.user_id == user_id, LedgerEntry.kind == "reserve")) == 10


def test_reserve_more_than_balance_402(funded):
    with pytest.raises(PaymentRequired) as exc:
        credits.reserve(funded.id, 101)
    assert exc.value.code == "INSUFFICIENT_CREDITS"
    db.session.rollback()
    assert credits.balance(funded.id) == 100


@pytest.mark.parametrize("amount", [0, -5])
def test_reserve_non_positive_refused(funded, amount):
    with pytest.raises(ValidationFailed):
        credits.reserve(funded.id, amount)


def test_settle_release_arithmetic(funded):
    uid = funded.id
    res = credits.reserve(uid, 50)
    db.session.commit()
    assert credits.balance(uid) == 50
    assert credits.held(res) == 50
    first = credits.settle(res, 20, dedup_key="take-1")
    db.session.commit()
    assert first is not None and first.amount == -20
    assert credits.settle(res, 20, dedup_key="take-1") is None  # dedup: posted once
    db.session.commit()
    assert credits.balance(uid) == 50  # settle -20 and release +20: the hold shrank, balance unchanged
    assert credits.held(res) == 30
    assert credits.release_remaining(res) == 30
    db.session.commit()
    assert credits.release_remaining(res) == 0  # idempotent
    db.session.commit()
    assert credits.balance(uid) == 100 - 20 == _sum(uid)
    assert credits.held(res) == 0
    kinds = sorted(k for (k,) in db.session.execute(text(
        "SELECT kind FROM ledger_entries WHERE user_id = :u"), {"u": uid}))
    assert kinds == ["correction", "release", "release", "reserve", "settle"]


def test_settle_more_than_hold(funded):
    uid = funded.id
    res = credits.reserve(uid, 10)
    credits.settle(res, 15, dedup_key="big")
    credits.release_remaining(res)
    db.session.commit()
    assert credits.balance(uid) == 100 - 15 == _sum(uid)
    assert credits.held(res) == 0


def test_grant_once_per_period_tops_up(app):
    user = make_user()
    credits.ensure_period_grant(user)
    credits.ensure_period_grant(user)
    db.session.commit()
    assert credits.balance(user.id) == 10_000
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerEntry).where(
        LedgerEntry.user_id == user.id)) == 1
    # the next month tops the balance back up to the plan grant, not beyond it
    from datetime import datetime, timezone
    res = credits.reserve(user.id, 4_000)
    credits.settle(res, 4_000, dedup_key="spend")
    db.session.commit()
    credits.ensure_period_grant(user, now=datetime(2099, 1, 15, tzinfo=timezone.utc))
    db.session.commit()
    assert credits.balance(user.id) == 10_000 == _sum(user.id)


def test_view_matches_ledger(funded):
    res = credits.reserve(funded.id, 30)
    credits.settle(res, 5, dedup_key="v")
    db.session.commit()
    v = credits.view(funded)
    db.session.commit()
    assert v.balance == credits.balance(funded.id) == _sum(funded.id)
    assert v.used == 5


def test_orm_update_refused(funded):
    entry = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.user_id == funded.id)).first()
    entry.amount = 1_000_000
    with pytest.raises(LedgerImmutable):
        db.session.flush()
    db.session.rollback()
    assert _sum(funded.id) == 100


def test_orm_delete_refused(funded):
    entry = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.user_id == funded.id)).first()
    db.session.delete(entry)
    with pytest.raises(LedgerImmutable):
        db.session.flush()
    db.session.rollback()
    assert _sum(funded.id) == 100


@pytest.mark.parametrize("sql", ["UPDATE ledger_entries SET amount = amount + 1000",
                                 "DELETE FROM ledger_entries"])
def test_raw_sql_refused_by_trigger(funded, sql):
    with pytest.raises(DBAPIError) as exc:
        db.session.execute(text(sql))
    assert "immutable" in str(exc.value)
    db.session.rollback()
    assert _sum(funded.id) == 100


def test_bulk_orm_statements_refused_by_trigger(funded):
    with pytest.raises(DBAPIError):
        db.session.execute(update(LedgerEntry).values(memo="changed"))
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.user_id == funded.id))
    db.session.rollback()
    assert _sum(funded.id) == 100
    assert db.session.scalar(db.select(LedgerEntry.memo).where(LedgerEntry.user_id == funded.id)) == "test grant"

"""Helpers for the API suite: browser JWTs, invites with their tokens, row counts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db


def jwt_for(user, ttl: int | None = None) -> str:
    """A browser token backed by a live UserSession (what the web UI hands to its JS)."""
    from app.auth.tokens import issue_jwt
    from app.services import accounts
    s = accounts.open_session(user)
    db.session.commit()
    token, _exp = issue_jwt(user.id, s.id, user.session_version, ttl)
    return token


def session_jwt(user) -> tuple[str, str]:
    from app.auth.tokens import issue_jwt
    from app.services import accounts
    s = accounts.open_session(user)
    db.session.commit()
    token, _exp = issue_jwt(user.id, s.id, user.session_version)
    return token, s.id


def make_invite(ws, inviter, email: str, role: str = "editor"):
    """(invite, plaintext token) through the service, as an admin would."""
    from tests.factories import membership
    from app.services import members
    from flask import current_app
    # outbox.send renders templates; app/web/context.py's context processor needs a request context
    with current_app.test_request_context():
        inv, token = members.invite(ws, membership(ws, inviter), inviter, {"email": email, "role": role},
                                    base_url="http://testserver")
    db.session.commit()
    return inv, token


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def snapshot() -> dict:
    """Row count of every table (to prove a refused request changed nothing)."""
    db.session.rollback()
    out = {}
    for table in db.metadata.sorted_tables:
        out[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return out


@pytest.fixture
def jwt():
    return jwt_for


def fresh():
    """End the test's own transaction so the next reads see what the requests committed."""
    db.session.rollback()


def dump() -> dict:
    """Every row of every table (to prove a refused request changed nothing at all, updates included)."""
    db.session.rollback()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    db.session.rollback()
    return out

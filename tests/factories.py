"""Factories: tenant-aware by default (a user gets a workspace unless told otherwise)."""
from __future__ import annotations

import itertools

from app.extensions import db
from app.models import Membership
from app.services import accounts, api_keys
from app.services import workspaces as ws_svc

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(email: str | None = None, password: str = PASSWORD, plan: str | None = None, name: str | None = None):
    n = next(_seq)
    user = accounts.sign_up({"email": email or f"user{n}@example.com", "password": password,
                             "display_name": name or f"User {n}"}, plan=plan)
    db.session.commit()
    return user


def make_workspace(owner=None, name: str | None = None, slug: str | None = None):
    owner = owner or make_user()
    data = {"name": name or f"Workspace {next(_seq)}"}
    if slug:
        data["slug"] = slug
    ws = ws_svc.create(owner, data, enforce_plan=False)
    db.session.commit()
    return ws


def add_member(ws, user=None, role: str = "editor"):
    user = user or make_user()
    db.session.add(Membership(workspace_id=ws.id, user_id=user.id, role=role))
    db.session.commit()
    return user


def membership(ws, user) -> Membership:
    return db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))


def make_key(ws, user, scopes="all", name: str = "test key") -> str:
    _key, plaintext = api_keys.create(ws, membership(ws, user), user, {"name": name, "scopes": scopes})
    db.session.commit()
    return plaintext


def platform_voice_rows(active_only: bool = False) -> list[dict]:
    """The platform voice catalog as plain rows (a session fixture renders it once, then each test gets it
    back with restore_voices after the tables were emptied)."""
    from sqlalchemy import select

    from app.models import Voice
    q = select(Voice).where(Voice.workspace_id.is_(None))
    if active_only:
        q = q.where(Voice.is_active.is_(True))
    return [{c.name: getattr(v, c.name) for c in Voice.__table__.columns} for v in db.session.scalars(q)]


def restore_voices(rows: list[dict]) -> dict[str, dict]:
    """Puts catalog rows back into the database; returns {voice id: row}."""
    from sqlalchemy import insert

    from app.models import Voice
    db.session.execute(insert(Voice), [dict(r) for r in rows])
    db.session.commit()
    return {r["id"]: r for r in rows}

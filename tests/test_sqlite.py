"""The embedded default: migrations and the core flows on an empty SQLite database."""
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def sqlite_app(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "TESTING": True})
    ctx = application.app_context()
    ctx.push()
    try:
        assert db.engine.dialect.name == "sqlite"
        upgrade()
        yield application
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_sqlite_end_to_end(sqlite_app):
    from app.auth.tokens import issue_jwt
    from app.extensions import db
    from app.models import LedgerEntry, Membership, User, Workspace
    from app.services import accounts, api_keys, credits

    from tests.conftest import _fresh_context_client_class
    _FreshContextClient = _fresh_context_client_class()
    app = sqlite_app
    tables = {r[0] for r in db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert {"users", "workspaces", "memberships", "api_keys", "ledger_entries", "alembic_version"} <= tables

    web = _FreshContextClient(app, app.response_class, use_cookies=True)
    # sign up through the web form (CSRF applies)
    token = _csrf(web.get("/signup").get_data(as_text=True))
    resp = web.post("/signup", data={"email": "lite@example.com", "password": "correct horse battery",
                                     "display_name": "Lite", "workspace_name": "Lite Space",
                                     "csrf_token": token})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:300]
    user = db.session.scalar(db.select(User).filter_by(email="lite@example.com"))
    ws = db.session.scalar(db.select(Workspace).filter_by(owner_id=user.id))
    assert ws is not None and ws.name == "Lite Space"
    m = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
    assert m.role == "admin"

    # a key, then whoami and a workspace through the API
    key, plaintext = api_keys.create(ws, m, user, {"name": "cli", "scopes": "all"})
    db.session.commit()
    api = _FreshContextClient(app, app.response_class, use_cookies=False)
    auth = {"Authorization": f"Bearer {plaintext}"}
    who = api.get("/api/v1/auth/whoami", headers=auth)
    assert who.status_code == 200, who.get_data(as_text=True)
    assert who.get_json()["data"]["workspace_id"] == ws.id
    assert who.get_json()["data"]["api_key_id"] == key.id
    created = api.post("/api/v1/workspaces", json={"name": "Second Lite"}, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["data"]["slug"] == "second-lite"
    dup = api.post("/api/v1/workspaces", json={"name": "Dup", "slug": "second-lite"}, headers=auth)
    assert dup.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Workspace)) == 2

    # a browser JWT works too
    s = accounts.open_session(user)
    db.session.commit()
    jwt, _ = issue_jwt(user.id, s.id, user.session_version)
    who = api.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {jwt}", "X-Workspace-Id": ws.id})
    assert who.status_code == 200 and who.get_json()["data"]["auth_kind"] == "clerk"

    # credits and the ledger
    cr = api.get("/api/v1/users/me/credits", headers=auth)
    assert cr.status_code == 200 and cr.get_json()["data"]["balance"] == 10_000
    res = credits.reserve(user.id, 100)
    db.session.commit()
    assert credits.balance(user.id) == 9_900

    # ledger rows are immutable on SQLite too (triggers from the migration)
    for sql in ("UPDATE ledger_entries SET amount = 0", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError) as exc:
            db.session.execute(text(sql))
        assert "immutable" in str(exc.value)
        db.session.rollback()
    assert credits.balance(user.id) == 9_900
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerEntry)) == 2
    assert res.id


def test_sqlite_migrations_downgrade_and_upgrade_again(sqlite_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db
    downgrade(revision="base")
    tables = {r[0] for r in db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "ledger_entries" not in tables
    upgrade()
    triggers = {r[0] for r in db.session.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
    assert {"ledger_entries_no_update", "ledger_entries_no_delete"} <= triggers


def test_sqlite_connections_use_wal_and_wait_for_a_busy_writer(sqlite_app, tmp_path):
    """The embedded default is shared by the web server, the workers and the catalog build: a write waits
    for another process's long write transaction (sqlite3's own 5 s timeout made it fail with "database is
    locked"), and reads are not blocked by it."""
    import sqlite3
    import threading
    import time

    from app.extensions import db
    from app.models import User
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000

    other = sqlite3.connect(tmp_path / "x.db", timeout=1, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")          # another process's write transaction, held 6 s
    other.execute("UPDATE alembic_version SET version_num = version_num")
    release = threading.Timer(6.0, lambda: other.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0    # a read: not blocked
        assert time.monotonic() - started < 1.0
        db.session.execute(text("UPDATE users SET email = email"))                  # a write: waits its turn
        db.session.execute(text("CREATE TABLE waited (x INTEGER)"))
        db.session.commit()
        assert time.monotonic() - started > 5.0
    finally:
        release.join()
        other.close()

"""Shared fixtures. The suite runs on PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL);
`tests/test_sqlite.py` covers the embedded SQLite default.

The schema is created once per session by the Alembic migrations (never by create_all); between tests
every table is emptied.
"""
from __future__ import annotations

import os
import tempfile

import pytest

# Under pytest-xdist (scripts/test.sh runs two processes) each process needs a database and a Redis db of its
# own: worker gwN uses the named database with "_gwN" appended and the Redis db N below the named one.
XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


def per_worker(db_url: str, redis_url: str) -> tuple[str, str]:
    """The database and Redis URLs this pytest process uses, derived from the ones the whole run was given."""
    if not XDIST_WORKER:
        return db_url, redis_url
    from sqlalchemy.engine import make_url
    u = make_url(db_url)
    if u.get_backend_name() == "postgresql":
        db_url = u.set(database=f"{u.database}_gw{XDIST_WORKER}").render_as_string(hide_password=False)
    base, _, number = redis_url.rpartition("/")
    redis_db = int(number or 0) - XDIST_WORKER
    if redis_db < 0:
        raise RuntimeError(f"{redis_url}: too few Redis dbs below it for xdist worker gw{XDIST_WORKER}")
    return db_url, f"{base}/{redis_db}"


TEST_DB, TEST_REDIS = per_worker(
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/onepin_test"),
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
DATA_DIR = tempfile.mkdtemp(prefix="onepin-test-")

os.environ.update({
    "DATABASE_URL": TEST_DB,
    "REDIS_URL": TEST_REDIS,
    "ONEPIN_DATA_DIR": DATA_DIR,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "ONEPIN_ARGON2_FAST": "1",
    "ONEPIN_PUBLIC_URL": "http://testserver",
})
os.environ.pop("SMTP_URL", None)


# Under pytest-xdist (scripts/test.sh runs two processes) a test file runs whole in one process, so its module
# fixtures are built once, and the conformance directory runs whole in one process, so only one starts its live
# server. (xdist's own `--dist loadgroup` marks do not take under pytest 9: the scheduler is chosen here.)
# The slowest directories go first so that neither process is left with a long file at the end.
FIRST = ("conformance", "engine", "e2e", "run_reads")


def _scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return "tests/conformance" if path.startswith("tests/conformance/") else path


class _XdistScheduling:
    """Registered only when pytest-xdist is loaded (its hook is unknown to pytest without it)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        from xdist.scheduler import LoadScopeScheduling

        class ByFile(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return _scope(nodeid)

        config.option.loadscopereorder = False      # keep the order below
        return ByFile(config, log)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistScheduling(), "onepin-xdist-scheduling")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__) + os.sep

    def rank(item) -> int:
        top = str(item.fspath)[len(here):].split(os.sep, 1)[0]
        return FIRST.index(top) if top in FIRST else len(FIRST)
    items.sort(key=rank)


def _recreate_database(url: str) -> None:
    """Drop and create the test database so migrations start from empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def _fresh_context_client_class():
    from flask.testing import FlaskClient

    class FreshContextClient(FlaskClient):
        """Each request gets its own app context (fresh `g` and DB session), as in production.

        Without this, the test's pushed app context would be reused by every request, leaking `g`
        (cached principal, CSRF token) from one request into the next.
        """

        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return FreshContextClient


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from app import create_app
    if TEST_DB.startswith("postgresql"):
        _recreate_database(TEST_DB)
    application = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": TEST_REDIS})
    application.test_client_class = _fresh_context_client_class()
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts with empty tables and an empty Redis db, with an app context pushed.

    DELETE rather than TRUNCATE: about 30x faster on these small tables. Ledger triggers are
    skipped for the cleanup only (session_replication_role = replica).
    """
    from app.extensions import db
    ctx = app.app_context()
    ctx.push()
    try:
        empty_tables()
        yield
    finally:
        db.session.remove()
        ctx.pop()


def empty_tables() -> None:
    """Every table emptied (ledger triggers skipped for the cleanup only) and the Redis test db flushed."""
    from sqlalchemy import text

    from app.extensions import db
    from app.services.queue import redis_conn
    pg = db.engine.dialect.name == "postgresql"
    if pg:
        db.session.execute(text("SET session_replication_role = replica"))
    for t in reversed(db.metadata.sorted_tables):
        db.session.execute(text(f'DELETE FROM "{t.name}"'))
    if pg:
        db.session.execute(text("SET session_replication_role = DEFAULT"))
    db.session.commit()
    redis_conn().flushdb()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's chromium (`playwright install` cannot download browsers here)."""
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            "args": ["--disable-gpu", "--disable-quic"]}


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """JSON API client that authenticates like the SDK: Authorization: Bearer <key>."""

    def __init__(self, client, token: str | None = None, workspace_id: str | None = None):
        self.client, self.token, self.workspace_id = client, token, workspace_id

    def as_(self, token, workspace_id=None) -> "Api":
        return Api(self.client, token, workspace_id)

    def _headers(self, headers):
        h = {}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if self.workspace_id:
            h["X-Workspace-Id"] = self.workspace_id
        h.update(headers or {})
        return h

    def request(self, method, path, json=None, headers=None, **kw):
        return self.client.open(path, method=method, json=json, headers=self._headers(headers), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def owner():
    from tests.factories import make_user
    return make_user(email="owner@example.com")


@pytest.fixture
def workspace(owner):
    from tests.factories import make_workspace
    return make_workspace(owner, name="Acme Audio", slug="acme-audio")


@pytest.fixture
def owner_key(workspace, owner):
    from tests.factories import make_key
    return make_key(workspace, owner, "all")


@pytest.fixture
def owner_api(api, owner_key):
    return api.as_(owner_key)


def assert_envelope(resp, status=200):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    body = resp.get_json()
    assert set(body) >= {"data", "meta"}, body
    assert body["meta"]["request_id"].startswith("req_") and body["meta"]["timestamp"].endswith("Z")
    return body


def assert_error(resp, status, code=None):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    body = resp.get_json()
    assert "error" in body and "meta" in body, body
    if code:
        assert body["error"]["code"] == code, body
    return body

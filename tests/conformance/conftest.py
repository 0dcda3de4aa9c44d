"""Conformance fixtures: a LIVE OnePin Server (gunicorn + gevent, one RQ worker) driven by the official
`onepin==0.16.1` CLI, exactly as a user would run it.

Design
* The live server gets its own PostgreSQL database (onepin_test_conf) and Redis db 12. It starts once per
  session; tests stay independent because every test signs up its own users/workspaces with unique emails.
* The in-process `app` fixture of tests/conftest.py is not used here: its autouse `_clean` (which would
  truncate TEST_DATABASE_URL before each test) is overridden by a no-op below, so this directory never
  touches the in-process test database at all.
* The invite email is read straight from the live database (email_outbox) through a plain SQLAlchemy engine.
* API keys are "made in the UI": sign up through the web form, then create the key on /settings/api-keys.
  While that page does not exist the key is minted with `onepin-server create-api-key` (same env as the server).

Run (the TEST_* variables only matter when other test directories run in the same session):
      TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/onepin_test_confapp \
      TEST_REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python -m pytest tests/conformance -q
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
ONEPIN = str(VENV_BIN / "onepin")
SERVER_CLI = str(VENV_BIN / "onepin-server")

CONF_DB = os.environ.get("CONFORMANCE_DATABASE_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/onepin_test_conf")
CONF_REDIS = os.environ.get("CONFORMANCE_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "correct horse battery staple"

# Which path produced the API keys in this session ("ui" or "server-cli"); reported in the summary.
KEY_SOURCE: dict[str, str] = {}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.conformance)


def pytest_terminal_summary(terminalreporter):
    if KEY_SOURCE:
        terminalreporter.write_line(f"conformance: API keys minted via {KEY_SOURCE.get('path')}")


@pytest.fixture(autouse=True)
def _clean():
    """Overrides tests/conftest.py's autouse `_clean` for this directory: conformance tests never touch the
    in-process app or its database (TEST_DATABASE_URL), so they cannot collide with other suites running on
    it. Isolation comes from fresh users/workspaces per test on the live server instead."""
    yield


# --------------------------------------------------------------------------------------------------
# live server


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


from tests.conftest import _recreate_database  # noqa: E402  (one way to start from an empty database)


def _clean_env() -> dict:
    """The parent environment without anything OnePin-ish that tests/conftest.py or the shell put there."""
    drop = ("ONEPIN_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SMTP_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL",
            "NO_COLOR")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@dataclass
class LiveServer:
    url: str
    env: dict
    data_dir: str
    procs: list = field(default_factory=list)
    logs: list = field(default_factory=list)

    def server_cli(self, *args: str) -> str:
        r = subprocess.run([SERVER_CLI, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout.strip()

    def log_tail(self, n: int = 4000) -> str:
        out = []
        for path in self.logs:
            try:
                out.append(f"--- {path}\n" + Path(path).read_text(errors="replace")[-n:])
            except OSError:
                pass
        return "\n".join(out)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@pytest.fixture(scope="session")
def live_server():
    from redis import Redis

    from app.launcher import gunicorn_argv

    data_dir = tempfile.mkdtemp(prefix="onepin-conf-")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _clean_env()
    env.update({
        "DATABASE_URL": CONF_DB,
        "REDIS_URL": CONF_REDIS,
        "SECRET_KEY": "conformance-secret-key-not-for-production",
        "ONEPIN_DATA_DIR": data_dir,
        "ONEPIN_ARGON2_FAST": "1",
        "ONEPIN_PUBLIC_URL": url,
        # every test signs up through the web form; the default 10/min would throttle the suite
        "ONEPIN_LOGIN_RATE_LIMIT": "10000 per minute",
        "PYTHONUNBUFFERED": "1",
    })

    _recreate_database(CONF_DB)
    Redis.from_url(CONF_REDIS).flushdb()
    r = subprocess.run([SERVER_CLI, "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, f"migrate failed:\n{r.stdout}\n{r.stderr}"

    server = LiveServer(url=url, env=env, data_dir=data_dir)
    web_log = os.path.join(data_dir, "gunicorn.log")
    worker_log = os.path.join(data_dir, "worker.log")
    server.logs = [web_log, worker_log]
    try:
        with open(web_log, "wb") as out:
            server.procs.append(subprocess.Popen(gunicorn_argv("127.0.0.1", port, 1), env=env, cwd=ROOT,
                                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        with open(worker_log, "wb") as out:
            server.procs.append(subprocess.Popen([SERVER_CLI, "worker"], env=env, cwd=ROOT,
                                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 60
        while True:
            if any(p.poll() is not None for p in server.procs):
                pytest.fail("live server process died during start-up:\n" + server.log_tail())
            try:
                if httpx.get(f"{url}/api/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("live server not ready after 60 s:\n" + server.log_tail())
            time.sleep(0.2)
        yield server
    finally:
        for proc in reversed(server.procs):
            _stop(proc)
        if os.environ.get("CONFORMANCE_KEEP"):
            print(f"\nconformance: server logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


_SERVER_ERROR = re.compile(r'"[A-Z]+ (\S+) HTTP/1\.[01]" (5\d\d) ')


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail the test if the live server answered any request with a 5xx while it ran."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server")
    log = Path(server.logs[0])
    start = log.stat().st_size
    yield
    time.sleep(0.05)
    with log.open("rb") as fh:
        fh.seek(start)
        new = fh.read().decode(errors="replace")
    hits = _SERVER_ERROR.findall(new)
    if hits:
        pytest.fail(f"live server answered 5xx: {hits}\n{new[-4000:]}")


@pytest.fixture(scope="session")
def conf_db():
    """A plain engine on the live server's database (for reading the email outbox)."""
    from sqlalchemy import create_engine
    engine = create_engine(CONF_DB, pool_pre_ping=True)
    yield engine
    engine.dispose()


CATALOG_VARIANTS = "f3,m3,whisperf,grandma"
# en-us: the locale voice, the New York voice, 4 variants, Joe; en-gb: the locale voice, 4 regional voices,
# 4 variants; de-de: the locale voice and 4 variants
CATALOG_VOICES = 7 + 9 + 5


@pytest.fixture(scope="session")
def voice_catalog(live_server):
    """The live server's voice catalog, built once per session by the operator command `onepin-server
    refresh-catalog` (a few eSpeak variants in en-us, en-gb and de-de, plus Piper's Joe)."""
    r = subprocess.run([SERVER_CLI, "refresh-catalog", "--locales", "en-us,en-gb,de-de", "--variants",
                        CATALOG_VARIANTS], env=live_server.env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout, r.stderr)
    m = re.search(r"voices: (\d+) active \(espeak (\d+), piper (\d+)\); (\d+) new", r.stdout)
    assert m and int(m.group(1)) == CATALOG_VOICES and int(m.group(3)) == 1, r.stdout
    assert "failed" not in r.stdout.split("voices:")[1], r.stdout
    return live_server


# --------------------------------------------------------------------------------------------------
# the CLI


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def err_json(self):
        return json.loads(self.err)

    def __repr__(self):  # readable assertion failures: a CLI traceback's last lines name the exception
        err = re.sub(r"[\u2500-\u257f]+", " ", self.err)       # rich's box drawing
        err = re.sub(r"\s+", " ", err).strip()
        return f"Result(code={self.code}, out={self.out[:600]!r}, err=...{err[-900:]!r})"


class Cli:
    """`onepin ...` as a subprocess with its own HOME (so ~/.onepin/credentials is private to the test)."""

    def __init__(self, home: Path):
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)

    @property
    def credentials(self) -> Path:
        return self.home / ".onepin" / "credentials"

    def env(self, extra: dict | None = None) -> dict:
        env = _clean_env()
        env.update({"HOME": str(self.home), "ONEPIN_NO_UPDATE_CHECK": "1", "COLUMNS": "200",
                    "XDG_CONFIG_HOME": str(self.home / ".config"), "XDG_CACHE_HOME": str(self.home / ".cache")})
        env.update(extra or {})
        return env

    def __call__(self, *args: str, env: dict | None = None, input: str | None = None, timeout: int = 60) -> Result:
        r = subprocess.run([ONEPIN, *args], env=self.env(env), cwd=self.home, capture_output=True, text=True,
                           input=input, timeout=timeout)
        return Result(r.returncode, r.stdout, r.stderr)

    def start(self, *args: str, env: dict | None = None) -> "Pending":
        """Run in the background. For calls the SDK retries (409s back off ~3 s) so other steps can overlap."""
        proc = subprocess.Popen([ONEPIN, *args], env=self.env(env), cwd=self.home, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        return Pending(proc)


class Pending:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def result(self, timeout: int = 60) -> Result:
        out, err = self.proc.communicate(timeout=timeout)
        return Result(self.proc.returncode, out, err)


@pytest.fixture
def cli_factory(tmp_path):
    n = iter(range(1000))

    def make(name: str | None = None) -> Cli:
        return Cli(tmp_path / f"home-{name or next(n)}")
    return make


# --------------------------------------------------------------------------------------------------
# users and keys "made in the UI"

_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_NEW_KEY = re.compile(r'<code[^>]*id="new-api-key"[^>]*>\s*([^<\s]+)\s*</code>')


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no csrf_token input in page:\n" + html[:2000]
    return m.group(1)


@dataclass
class Account:
    email: str
    web: httpx.Client
    workspace_name: str
    key: str | None = None
    workspace_id: str | None = None
    server: LiveServer | None = None

    def mint_key(self, scopes: str = "all", name: str = "conformance") -> str:
        """A new API key for the account's current workspace, made on /settings/api-keys when it exists."""
        page = self.web.get("/settings/api-keys")
        if page.status_code == 200 and "csrf_token" in page.text:
            form = {"csrf_token": _csrf(page.text), "name": name, "scopes": scopes.split(",")}
            resp = self.web.post("/settings/api-keys", data=form)
            m = _NEW_KEY.search(resp.text)
            assert resp.status_code in (200, 201) and m, (resp.status_code, resp.text[:3000])
            KEY_SOURCE["path"] = "ui (/settings/api-keys)"
            return m.group(1)
        KEY_SOURCE.setdefault("path", "server-cli (onepin-server create-api-key)")
        slug = self.workspace_slug()
        return self.server.server_cli("create-api-key", "--email", self.email, "--workspace", slug,
                                      "--scopes", scopes, "--name", name)

    def revoke_key(self, key_id: str) -> None:
        """Revoke a key with the Revoke button of /settings/api-keys."""
        page = self.web.get("/settings/api-keys")
        assert page.status_code == 200, page.text[:500]
        resp = self.web.post(f"/settings/api-keys/{key_id}/revoke", data={"csrf_token": _csrf(page.text)})
        assert resp.status_code in (200, 302, 303), (resp.status_code, resp.text[:1000])

    def workspace_slug(self) -> str:
        """Slug of the workspace created at sign-up (for the operator CLI fallback)."""
        from sqlalchemy import create_engine, text
        engine = create_engine(CONF_DB)
        try:
            with engine.connect() as conn:
                slug = conn.execute(text(
                    "SELECT w.slug_active FROM workspaces w JOIN users u ON u.id = w.owner_id "
                    "WHERE lower(u.email) = :e AND w.name = :n AND w.deleted_at IS NULL"),
                    {"e": self.email, "n": self.workspace_name}).scalar()
        finally:
            engine.dispose()
        assert slug, f"no workspace {self.workspace_name!r} for {self.email}"
        return slug


@pytest.fixture
def signup(live_server):
    """signup(prefix) -> Account signed up through the web form, with an all-scopes key made in the UI."""
    clients: list[httpx.Client] = []

    def make(prefix: str = "user", *, key: bool = True, scopes: str = "all", email: str | None = None) -> Account:
        tag = uuid.uuid4().hex[:10]
        email = email or f"{prefix}-{tag}@example.com"
        ws_name = f"{prefix.capitalize()} Space {tag}"
        # redirects are not followed: the pages behind them belong to other areas of the UI
        web = httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30)
        clients.append(web)
        page = web.get("/signup")
        assert page.status_code == 200, page.text[:500]
        resp = web.post("/signup", data={"csrf_token": _csrf(page.text), "email": email, "password": PASSWORD,
                                         "display_name": f"{prefix.capitalize()} {tag}",
                                         "workspace_name": ws_name})
        assert resp.status_code in (302, 303), (resp.status_code, resp.text[:2000])
        acct = Account(email=email, web=web, workspace_name=ws_name, server=live_server)
        if key:
            acct.key = acct.mint_key(scopes)
            who = httpx.get(f"{live_server.url}/api/v1/auth/whoami",
                            headers={"Authorization": f"Bearer {acct.key}"}, timeout=10)
            assert who.status_code == 200, who.text
            acct.workspace_id = who.json()["data"]["workspace_id"]
        return acct

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def logged_in(signup, cli_factory, live_server):
    """(account, cli) for a fresh owner whose CLI has run `onepin login` against the live server."""
    acct = signup("owner")
    cli = cli_factory("owner")
    r = cli("login", "--base-url", live_server.url, "--key", acct.key)
    assert r.code == 0, r
    return acct, cli


def outbox_token(conf_db, email: str) -> tuple[str, str]:
    """(token, body_text) of the latest invite email sent to `email`."""
    from sqlalchemy import text
    deadline = time.monotonic() + 10
    while True:
        with conf_db.connect() as conn:
            body = conn.execute(text("SELECT body_text FROM email_outbox WHERE to_email = :e AND kind = 'invite' "
                                     "ORDER BY created_at DESC LIMIT 1"), {"e": email.lower()}).scalar()
        if body or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body, f"no invite email for {email}"
    m = re.search(r"onepin workspace members accept (\S+)", body)
    assert m, body
    return m.group(1), body


# --------------------------------------------------------------------------------------------------
# reading what the CLI printed (shared by the test modules)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _table(out: str) -> tuple[list[str], list[list[str]]]:
    """The CLI's plain (no-colour) table: a tab-separated header line then one line per row."""
    lines = [ln for ln in out.splitlines() if "\t" in ln]
    assert lines, out
    header = lines[0].split("\t")
    return header, [ln.split("\t") for ln in lines[1:]]


def _err_code(r) -> str:
    m = re.match(r"\[([A-Z_]+)\]", r.err.strip())
    assert m, r
    return m.group(1)


def _json_err(r, *, server: bool = True) -> dict:
    """The --json error envelope on stderr; errors that came from the server carry its request_id."""
    body = r.err_json()
    assert "error" in body, body
    if server:
        assert body["meta"]["request_id"].startswith("req_"), body
    return body["error"]


# --------------------------------------------------------------------------------------------------
# the live server's access log (what the CLI actually sent, e.g. how often the SDK retried)

_ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3}) ')


def _log_mark(server: LiveServer) -> int:
    """Send a request no test sends and return where the access log ends once it is logged. Gunicorn logs a
    request after answering it, so a line can land a moment after its caller has the answer: a mark that has
    been logged means the requests answered before it have been too (the log is also let settle first)."""
    log = Path(server.logs[0])
    size, quiet_since = log.stat().st_size, time.monotonic()
    give_up = quiet_since + 3                                          # a busy log: the mark alone then
    while time.monotonic() - quiet_since < 0.2 and time.monotonic() < give_up:     # still for 0.2 s
        time.sleep(0.02)
        if (now := log.stat().st_size) != size:
            size, quiet_since = now, time.monotonic()
    path = f"/api/v1/_access-log-mark/{uuid.uuid4().hex}"
    httpx.get(server.url + path, timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = log.read_bytes()
        at = text.find(path.encode())
        if at >= 0:
            end = text.find(b"\n", at)
            return len(text) if end < 0 else end + 1
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached the access log")


def access_log_offset(server: LiveServer) -> int:
    """Where the access log ends now, every request answered so far included; pass it to `requests_since`."""
    return _log_mark(server)


def requests_since(server: LiveServer, offset: int) -> list[tuple[str, str, int]]:
    """(method, path with query, status) of every request the live server logged after `offset` and answered
    before this call (the marks themselves left out)."""
    end = _log_mark(server)
    with Path(server.logs[0]).open("rb") as fh:
        fh.seek(offset)
        new = fh.read(end - offset).decode(errors="replace")
    return [(m, p, int(s)) for m, p, s in _ACCESS.findall(new) if not p.startswith("/api/v1/_access-log-mark/")]

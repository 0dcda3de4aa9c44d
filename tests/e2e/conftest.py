"""Browser tests: Playwright drives Debian's chromium against the app served by werkzeug in a thread."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).parent / "artifacts"

# Finds form controls that no <label> names (via <label for>, or by wrapping them).
UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
  .filter(el => !el.labels || el.labels.length === 0)
  .map(el => el.outerHTML.slice(0, 160))
"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(autouse=True)
def _close_pages(request):
    """Every page a test opened is closed when it ends: a page left open goes on polling and streaming for the
    rest of the session (the editor's change check, the runs lists' streams), in the same process."""
    yield
    if "browser" in request.fixturenames:
        for ctx in list(request.getfixturevalue("browser").contexts):
            ctx.close()


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Visitor:
    """Wraps a page: collects console errors, saves a screenshot and checks labels on every page it shows."""

    def __init__(self, page, base_url: str, who: str):
        self.page, self.base_url, self.who = page, base_url, who
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def goto(self, path: str):
        resp = self.page.goto(self.base_url + path if path.startswith("/") else path)
        assert resp is not None and resp.status < 400, (path, resp and resp.status)
        return resp

    def check(self, name: str):
        """Screenshot + accessibility check of the page as it is now."""
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=str(ARTIFACTS / f"{self.who}-{name}.png"), full_page=True)
        unlabelled = self.page.evaluate(UNLABELLED_JS)
        assert unlabelled == [], f"{name}: controls without a label: {unlabelled}"
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"

    def assert_no_console_errors(self):
        assert self.errors == [], self.errors


@pytest.fixture
def visitor(live_server):
    def _make(page, who: str) -> Visitor:
        return Visitor(page, live_server, who)
    return _make

"""A real connection drop, in a real browser: the run page and the /runs list are open over the
production server (gunicorn + gevent, its own process on a fixed port) while a run is in progress;
the server process is killed, the run goes on (an RQ worker) and finishes while nothing serves the
pages, then the server is started again on the same port. Each page's EventSource reconnects by
itself, sends Last-Event-ID (seen by the browser and in the server's access log), and the page ends
showing the completed run: every line's card and the right counts, every event of the run once and
in order, without a reload and without a second EventSource."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from app.engine import events as ev
from app.extensions import db
from app.launcher import free_port, gunicorn_argv
from app.models import Run
from app.services.queue import redis_conn
from tests.e2e.conftest import Visitor
from tests.e2e.editor_helpers import log_in
from tests.e2e.run_page_helpers import RECORD_PHASES, launch
from tests.engine.conftest import ROOT, Workers, wait_for
from tests.web.run_page_data import naturalness_definition

pytestmark = pytest.mark.e2e

# Counts the EventSources a page creates and keeps the id of the last event each one delivered.
WATCH_EVENT_SOURCES = """
window.__eventSources = [];
window.__lastEventId = null;
const NativeEventSource = window.EventSource;
window.EventSource = class extends NativeEventSource {
  constructor(url, options) {
    super(url, options);
    window.__eventSources.push(String(url));
    for (const kind of ["card", "run.status", "run.progress"])
      this.addEventListener(kind, (e) => { if (e.lastEventId) window.__lastEventId = e.lastEventId; });
  }
};
"""
# What the browser logs while the server is down and nothing else: the cut (mid-body too) and refused requests, the
# EventSource's error events (logged by htmx's SSE extension) and the refreshes that were in flight.
DOWN = re.compile(r"net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|INCOMPLETE_CHUNKED_ENCODING|"
                  r"CONTENT_LENGTH_MISMATCH|SOCKET_NOT_CONNECTED)$|"
                  r"^error: htmx:(afterRequest|sendError), \[object HTML\w*Element\]$|^error: \[object Event\]$")
SERVER_ERROR = re.compile(r'^([A-Z]+ \S+ HTTP/1\.[01]) (5\d\d) ', re.M)


class RestartableServer:
    """gunicorn as production runs it, on one port it keeps across a kill and a start."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None
        # the tests' environment (database, Redis, data dir, SECRET_KEY: the login cookie outlives a restart)
        self.env = dict(os.environ, ONEPIN_PUBLIC_URL=self.url, PYTHONUNBUFFERED="1")

    def start(self) -> None:
        argv = gunicorn_argv("127.0.0.1", self.port, 1)
        argv[-1:-1] = ["--access-logformat", '%(r)s %(s)s last-event-id=%({last-event-id}i)s']
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, "gunicorn died while starting:\n" + self.text()[-4000:]
            try:
                if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "gunicorn not ready after 60 s:\n" + self.text()[-4000:]
            time.sleep(0.2)

    def kill(self) -> None:
        """The whole process group at once: every open stream is cut, nothing answers on the port."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def server(tmp_path):
    s = RestartableServer(tmp_path)
    s.start()
    yield s
    s.kill()


def _stream_requests(page, pattern: str) -> list:
    reqs: list = []
    page.on("request", lambda r: reqs.append(r) if re.search(pattern, r.url) else None)
    return reqs


def _stream_ids(key: str, after: str = "0-0") -> list[str]:
    return [i.decode() if isinstance(i, bytes) else i for i, _f in redis_conn().xrange(key, min=f"({after}", max="+")]


def test_pages_catch_up_after_the_server_is_killed_mid_run_and_started_again(browser, server, owner_api, owner,
                                                                             workspace):
    _wf_id, run_id = launch(owner_api, owner, naturalness_definition(), "Reconnect")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(WATCH_EVENT_SOURCES)
    run_page, list_page = ctx.new_page(), ctx.new_page()
    run_v, list_v = Visitor(run_page, server.url, "reconnect-run"), Visitor(list_page, server.url, "reconnect-runs")
    run_streams = _stream_requests(run_page, rf"/runs/{run_id}/events")
    list_streams = _stream_requests(list_page, r"/runs/events")
    log_in(run_page, server.url, owner.email)                       # one session cookie for both tabs
    run_v.goto(f"/runs/{run_id}")
    list_v.goto("/runs")
    expect(run_page.locator("#run-status")).to_have_attribute("data-status", "pending")
    expect(list_page.locator(f'#runs-table tr[data-run-id="{run_id}"]')).to_have_attribute("data-status", "pending")
    run_page.evaluate(RECORD_PHASES)
    list_page.evaluate("window.__noReload = true")
    after = re.search(r"after=([\d-]+)", run_page.locator("#run-page").get_attribute("sse-connect")).group(1)

    workers = Workers().start(1, ONEPIN_ENGINE_PLUGINS="")
    try:
        # a first line settles live on the run page, the list has heard the run start
        expect(run_page.locator('#run-events li[data-kind="card"]').first).to_be_attached(timeout=120_000)
        expect(list_page.locator(f'#runs-table tr[data-run-id="{run_id}"]')).to_have_attribute(
            "data-status", "running", timeout=30_000)
        os.kill(workers.procs[0].pid, signal.SIGSTOP)               # hold the run still while the server dies
        try:
            server.kill()
            run_page.wait_for_timeout(300)                          # whatever was in flight has landed
            seen_run = run_page.evaluate("window.__lastEventId")
            seen_list = list_page.evaluate("window.__lastEventId")
            assert seen_run and seen_list
            run = db.session.get(Run, run_id)
            db.session.refresh(run)
            assert run.status == "running"                          # the drop happens mid-run
        finally:
            os.kill(workers.procs[0].pid, signal.SIGCONT)
        # the run finishes while nothing serves the pages; its events wait in Redis
        assert wait_for(run_id, timeout=180).status == "completed"
        missed_run = _stream_ids(ev.run_stream(run_id), seen_run)
        missed_list = _stream_ids(ev.workspace_stream(workspace.id), seen_list)
        assert missed_run and missed_list
        run_page.wait_for_timeout(2500)                             # the pages retry against a closed port
        expect(run_page.locator("#run-status")).not_to_have_attribute("data-status", "completed")
        server.start()                                              # same port, new process

        expect(run_page.locator("#run-status")).to_have_attribute("data-status", "completed", timeout=60_000)
        expect(list_page.locator(f'#runs-table tr[data-run-id="{run_id}"]')).to_have_attribute(
            "data-status", "completed", timeout=60_000)
    finally:
        workers.stop()

    # the run page: every line's card, the right counts, every event of the run once and in order
    expect(run_page.locator('.line-card[data-outcome="delivered"]')).to_have_count(3)
    expect(run_page.locator('#card-3-en-us[data-outcome="dropped"]')).to_contain_text("below its pass bar 60")
    expect(run_page.locator("#run-progress-text")).to_contain_text("4 of 4 lines settled · 3 delivered")
    expect(run_page.locator('#node-counts tr[data-node-id="nat"] td').nth(4)).to_have_text("3 / 1")
    expect(run_page.locator('#run-graph g.gnode[data-state="done"]')).to_have_count(4)
    logged = run_page.eval_on_selector_all("#run-events li", "lis => lis.map(li => li.dataset.eventId)")
    assert logged == _stream_ids(ev.run_stream(run_id), after)
    assert set(missed_run) <= set(logged)
    phases = run_page.evaluate("window.__phases")
    assert phases[0] == "pending" and phases[-1] == "completed", phases
    # the list: the row and the summary followed the run to its end
    row = list_page.locator(f'#runs-table tr[data-run-id="{run_id}"]')
    expect(row.locator(".badge")).to_have_text("completed")
    expect(list_page.locator("#sum-total")).to_have_text("1")

    for page, reqs, seen in ((run_page, run_streams, seen_run), (list_page, list_streams, seen_list)):
        assert page.evaluate("window.__noReload") is True           # the same document all along
        assert len(page.evaluate("window.__eventSources")) == 1     # the same EventSource reconnected
        # the stream that was cut, the retries the closed port refused (Chromium reports only provisional
        # headers for those), then the one the new server answered, resuming after the last event seen
        cut, *retries = reqs
        assert cut.failure and "last-event-id" not in cut.all_headers(), cut.failure
        refused = [r for r in retries if r.failure == "net::ERR_CONNECTION_REFUSED"]
        # (served: answered 200; the page may close it itself once the run has ended, before the server does)
        served = [r for r in retries if r.failure in (None, "net::ERR_ABORTED") and r.response()]
        assert refused and len(served) == 1 and len(refused) + 1 == len(retries), [r.failure for r in retries]
        assert served[0].all_headers().get("last-event-id") == seen
        assert served[0].response().status == 200
    # the restarted server was asked to resume there (the run stream ended, so its request is logged)
    assert re.search(rf'GET /runs/{run_id}/events\S* HTTP/1.1 200 last-event-id={re.escape(seen_run)}$',
                     server.text(), re.M), server.text()[-3000:]

    assert SERVER_ERROR.findall(server.text()) == []
    for v in (run_v, list_v):
        v.check("caught-up")
        assert [e for e in v.errors if not DOWN.search(e)] == []


def test_the_run_page_recovers_when_a_proxy_answers_its_stream_with_502(browser, server, owner_api, owner):
    """Behind a reverse proxy, a restarting app is a 502 page, not a refused connection: the browser closes the
    EventSource for good on such an answer. The run page opens a new one (htmx's SSE extension, with back-off)
    from the point the page was rendered, and shows every event of the run once and in order."""
    _wf_id, run_id = launch(owner_api, owner, naturalness_definition(), "Behind a proxy")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(WATCH_EVENT_SOURCES)
    page = ctx.new_page()
    v = Visitor(page, server.url, "proxy-502")
    streams = _stream_requests(page, rf"/runs/{run_id}/events")
    log_in(page, server.url, owner.email)
    v.goto(f"/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_attribute("data-status", "pending")
    page.evaluate(RECORD_PHASES)
    connect = page.locator("#run-page").get_attribute("sse-connect")
    after = re.search(r"after=([\d-]+)", connect).group(1)

    bad_gateway: list[str] = []

    def proxy(route):                                               # the proxy while the app is away
        bad_gateway.append(route.request.url)
        route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")

    workers = Workers().start(1, ONEPIN_ENGINE_PLUGINS="")
    try:
        expect(page.locator('#run-events li[data-kind="card"]').first).to_be_attached(timeout=120_000)
        os.kill(workers.procs[0].pid, signal.SIGSTOP)               # hold the run still while the app restarts
        try:
            page.route(re.compile(rf"/runs/{run_id}/events"), proxy)
            server.kill()                                           # the live stream is cut
            server.start()
            for _ in range(100):                                    # the EventSource's retry, then htmx's
                if len(bad_gateway) >= 2:
                    break
                page.wait_for_timeout(100)
            assert len(bad_gateway) >= 2, bad_gateway
            page.unroute(re.compile(rf"/runs/{run_id}/events"), proxy)
        finally:
            os.kill(workers.procs[0].pid, signal.SIGCONT)
        assert wait_for(run_id, timeout=180).status == "completed"
        expect(page.locator("#run-status")).to_have_attribute("data-status", "completed", timeout=60_000)
    finally:
        workers.stop()

    expect(page.locator('.line-card[data-outcome="delivered"]')).to_have_count(3)
    expect(page.locator("#run-progress-text")).to_contain_text("4 of 4 lines settled · 3 delivered")
    logged = page.eval_on_selector_all("#run-events li", "lis => lis.map(li => li.dataset.eventId)")
    assert logged == _stream_ids(ev.run_stream(run_id), after)     # every event once, in order
    assert page.evaluate("window.__noReload") is True               # caught up without a reload
    # the first EventSource was closed by the 502; the new ones asked from where the page was rendered
    sources = page.evaluate("window.__eventSources")
    assert len(sources) >= 2 and set(sources) == {connect}, sources
    last = streams[-1]
    assert last.url.endswith(connect) and last.response().status == 200         # (closed by the page at the end)
    assert SERVER_ERROR.findall(server.text()) == []
    v.check("caught-up")
    assert [e for e in v.errors if not DOWN.search(e) and "502" not in e] == [], v.errors

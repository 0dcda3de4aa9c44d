"""The runs list in a real browser: with /runs open (an owner, and a viewer beside them), a run is
launched through the API and worked by a real RQ worker; its row appears at the top and follows it
to completed without a reload, over ONE EventSource per page, with the summary, the credits and an
announcement for screen readers kept in step. No console errors; the viewer's list is read-only."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Run, Workflow
from app.services import credits
from tests.conftest import assert_envelope
from tests.e2e.editor_helpers import a11y_problems, log_in
from tests.e2e.run_page_helpers import COUNT_EVENT_SOURCES, explained
from tests.engine.conftest import Workers, espeak_definition
from tests.factories import add_member, make_user
from tests.web.run_page_data import built_run

pytestmark = pytest.mark.e2e

# Records each status the run's row shows, in order, however often the row is replaced.
RECORD_ROW = """
(runId) => {
  window.__statuses = [];
  window.__noReload = true;
  const rec = () => {
    const tr = document.querySelector(`#runs-table tr[data-run-id="${runId}"]`);
    const s = tr && tr.dataset.status;
    if (s && window.__statuses[window.__statuses.length - 1] !== s) window.__statuses.push(s);
  };
  rec();
  new MutationObserver(rec).observe(document.body, {subtree: true, childList: true, attributes: true});
}
"""


def _open_list(browser, live_server, visitor, user, who: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(COUNT_EVENT_SOURCES)
    page = ctx.new_page()
    v = visitor(page, who)
    log_in(page, live_server, user.email)
    v.goto("/runs")
    return page, v


def test_a_launched_run_appears_on_the_open_list_and_reaches_completed(browser, live_server, visitor, owner_api, owner,
                                                                         workspace):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Live list", "definition": espeak_definition("The first line.\nThe second line.")}), 201)["data"]
    built_run(db.session.get(Workflow, wf["id"]), owner, lines=["An older run."], run_number=1, audio=False)
    viewer = add_member(workspace, make_user(email="viewer@example.com"), role="viewer")
    page, v = _open_list(browser, live_server, visitor, owner, "runs-list")
    watcher, vw = _open_list(browser, live_server, visitor, viewer, "runs-list-viewer")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)
    expect(page.locator("#sum-total")).to_have_text("1")

    credits.ensure_period_grant(owner)
    db.session.commit()
    run_id = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]["id"]
    for p in (page, watcher):
        p.evaluate(RECORD_ROW, run_id)
        first = p.locator("#runs-table tbody tr").first            # the new run, on top
        expect(first).to_have_attribute("data-run-id", run_id)
        expect(first).to_have_attribute("data-status", "pending")
        expect(p.locator("#runs-table tbody tr")).to_have_count(2)
        expect(p.locator("#runs-count")).to_have_text("2 runs")
    v.check("run-launched")

    workers = Workers().start(1, ONEPIN_ENGINE_PLUGINS="")
    try:
        with explained(run_id, workers):
            for p in (page, watcher):
                expect(p.locator(f'#runs-table tr[data-run-id="{run_id}"]')).to_have_attribute(
                    "data-status", "completed", timeout=240_000)
    finally:
        workers.stop()
    run = db.session.get(Run, run_id)
    db.session.refresh(run)
    for p, who in ((page, v), (watcher, vw)):
        row = p.locator(f'#runs-table tr[data-run-id="{run_id}"]')
        expect(row.locator(".badge")).to_have_text("completed")
        expect(row.locator(".run-credits")).to_have_text(str(run.credits or 0))
        expect(p.locator("#sum-total")).to_have_text("2")
        expect(p.locator("#runs-announce")).to_contain_text(f"Run {run.run_number} of Live list completed")
        assert p.evaluate("window.__noReload") is True                  # the same document all along
        statuses = p.evaluate("window.__statuses")
        assert statuses[0] == "pending" and statuses[-1] == "completed", statuses
        assert p.evaluate("window.__eventSources") == [p.evaluate("document.getElementById('runs-live').dataset.eventsUrl")]
        assert a11y_problems(p) == []
        who.check("run-completed")
        who.assert_no_console_errors()
    # the viewer's list is read-only: nothing in it posts or changes a run
    assert watcher.locator("#runs-panel form[method=post], #runs-panel button").count() == 0


def test_a_filtered_workflow_list_takes_in_only_its_own_runs_that_match(browser, live_server, visitor, owner_api, owner):
    def workflow(name):
        return assert_envelope(owner_api.post("/api/v1/workflows", json={
            "name": name, "definition": espeak_definition(f"A line of {name}.")}), 201)["data"]["id"]
    mine, theirs = workflow("Watched"), workflow("Not watched")
    built_run(db.session.get(Workflow, mine), owner, lines=["An older run."], run_number=1, audio=False)
    page, v = _open_list(browser, live_server, visitor, owner, "runs-filtered")
    v.goto(f"/workflows/{mine}/runs?status=completed")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)

    credits.ensure_period_grant(owner)
    db.session.commit()
    other = assert_envelope(owner_api.post(f"/api/v1/workflows/{theirs}/runs"), 202)["data"]["id"]
    run_id = assert_envelope(owner_api.post(f"/api/v1/workflows/{mine}/runs"), 202)["data"]["id"]
    page.evaluate(RECORD_ROW, run_id)
    workers = Workers().start(1, ONEPIN_ENGINE_PLUGINS="")
    try:
        with explained(run_id, workers):
            expect(page.locator(f'#runs-table tr[data-run-id="{run_id}"]')).to_have_attribute(
                "data-status", "completed", timeout=240_000)
        run = db.session.get(Run, other)
        while run.status not in ("completed", "failed"):        # the other workflow's run ends too
            page.wait_for_timeout(200)
            db.session.refresh(run)
    finally:
        workers.stop()
    page.wait_for_timeout(2000)                                  # its events have been seen by now
    assert page.evaluate("window.__statuses") == ["completed"]   # a pending or running row never showed
    expect(page.locator("#runs-table tbody tr")).to_have_count(2)
    assert page.locator(f'#runs-table tr[data-run-id="{other}"]').count() == 0
    expect(page.locator("#runs-status")).to_have_value("completed")
    expect(page.locator("#runs-count")).to_have_text("2 runs")
    assert page.evaluate("window.__noReload") is True
    v.check("completed-runs-of-one-workflow")
    v.assert_no_console_errors()


def _list_with_events_answered(browser, live_server, owner, answer):
    """/runs open with every request for its run stream (the EventSource's and the script's own) passed to
    ``answer(route, n)``, n counting from 1; returns the page and the URLs asked for."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(COUNT_EVENT_SOURCES)
    page = ctx.new_page()
    asked = []

    def route(r):
        asked.append(r.request.url)
        answer(r, len(asked))
    page.route("**/runs/events?*", route)
    log_in(page, live_server, owner.email)
    page.goto(live_server + "/runs")
    return page, asked


def test_the_list_reconnects_after_an_error_page_the_browser_gives_up_on(browser, live_server, owner_api, owner):
    """A proxy's 502 while the app restarts closes an EventSource for good (the browser retries only dropped
    connections): the list asks again, reconnects after the newest event it heard and goes on updating."""
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "After a 502", "definition": espeak_definition("A line.")}), 201)["data"]
    page, asked = _list_with_events_answered(
        browser, live_server, owner,
        lambda r, n: r.fulfill(status=502, body="Bad gateway") if n == 1 else r.continue_())
    page.wait_for_function("window.__eventSources.length === 2", timeout=15_000)
    for _ in range(100):                         # the new EventSource's request follows its constructor
        if len(asked) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(asked) == 3                       # the EventSource's 502, the script's question, the new stream
    first = page.evaluate("document.getElementById('runs-live').dataset.eventsUrl")
    assert page.evaluate("window.__eventSources")[0] == first

    credits.ensure_period_grant(owner)
    db.session.commit()
    run_id = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]["id"]
    top = page.locator("#runs-table tbody tr").first
    expect(top).to_have_attribute("data-run-id", run_id)
    expect(top).to_have_attribute("data-status", "pending")
    expect(page.locator("#sum-total")).to_have_text("1")


def test_the_list_stops_for_good_when_its_workspace_is_no_longer_current(browser, live_server, owner_api, owner):
    """The stream's 204 (the user switched workspace since the page was rendered) is final: asked once more
    to tell it from an error page, then never again."""
    assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Switched away", "definition": espeak_definition("A line.")}), 201)
    page, asked = _list_with_events_answered(browser, live_server, owner, lambda r, n: r.fulfill(status=204))
    page.wait_for_timeout(6000)                  # past the first two back-off steps
    assert len(asked) == 2, asked
    assert page.evaluate("window.__eventSources.length") == 1

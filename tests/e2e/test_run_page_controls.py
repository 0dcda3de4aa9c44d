"""Run controls in a real browser: pause → resume → cancel from the run page with one worker on a
long script (each displayed state checked: pausing while the wave drains, paused, running again,
cancelled), and a viewer who sees no controls and whose forged POST is refused."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Run
from tests.e2e.editor_helpers import a11y_problems, log_in
from tests.e2e.run_page_helpers import RECORD_PHASES, explained, launch, public_url  # noqa: F401
from tests.engine.conftest import Workers, lines_text
from tests.factories import add_member, make_user
from tests.web.run_page_data import naturalness_definition

pytestmark = pytest.mark.e2e


def _phase(page, value, timeout=60_000):
    expect(page.locator("#run-status")).to_have_attribute("data-phase", value, timeout=timeout)


def test_pause_resume_cancel_from_the_run_page(browser, visitor, live_server, public_url, owner_api, owner):
    # 200 lines through one worker: the generator's wave takes seconds, the validator's much longer
    _wf, run_id = launch(owner_api, owner, naturalness_definition(lines_text(200), threshold=20), "Controls")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    v = visitor(page, "controls")
    log_in(page, live_server, owner.email)
    v.goto(f"/runs/{run_id}")
    page.evaluate(RECORD_PHASES)
    workers = Workers().start(1, ONEPIN_ENGINE_PLUGINS="")
    try:
        with explained(run_id, workers):
            _phase(page, "running", timeout=120_000)
        page.click("#run-pause")
        # the header answers at once: the run keeps running until the generator's wave has drained
        expect(page.locator("#run-status")).to_have_attribute("data-status", re.compile(r"running|paused"))
        with explained(run_id, workers):
            _phase(page, "paused", timeout=180_000)
        expect(page.locator("#run-resume")).to_be_visible()
        expect(page.locator("#run-pause")).to_have_count(0)
        expect(page.locator('#run-graph g.gnode[data-node-id="gen"]')).to_have_attribute("data-state", "done")
        v.check("run-paused")
        assert a11y_problems(page) == []
        db.session.expire_all()
        assert db.session.get(Run, run_id).status == "paused"

        page.click("#run-resume")
        _phase(page, "running")
        expect(page.locator("#run-pause")).to_be_visible()
        v.check("run-resumed")

        page.once("dialog", lambda d: d.accept())
        page.click("#run-cancel")
        _phase(page, "cancelled")
        expect(page.locator("#run-status-hint")).to_contain_text("stopped")
        expect(page.locator("#run-again-latest")).to_be_visible()
        expect(page.locator("#run-retry-failed")).to_contain_text("Retry failed lines")
        v.check("run-cancelled")
    finally:
        workers.stop()
    phases = page.evaluate("window.__phases")
    i = phases.index("pausing")                      # shown while the wave drained, between running and paused
    assert phases[i - 1] == "running" and phases[i + 1:] == ["paused", "running", "cancelled"], phases
    db.session.expire_all()
    assert db.session.get(Run, run_id).status == "cancelled"
    v.assert_no_console_errors()
    ctx.close()


def test_a_viewer_sees_no_controls_and_a_forged_post_is_refused(browser, visitor, live_server, owner_api, owner,
                                                               workspace):
    _wf, run_id = launch(owner_api, owner, naturalness_definition(), "Viewer")
    viewer = add_member(workspace, make_user(email="viewer@example.com"), role="viewer")
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    v = visitor(page, "viewer")
    log_in(page, live_server, viewer.email)
    v.goto(f"/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_attribute("data-phase", "pending")
    expect(page.locator("#run-readonly")).to_be_visible()
    expect(page.locator("#run-actions button, #run-again button")).to_have_count(0)
    v.check("run-viewer-narrow")
    assert a11y_problems(page) == []
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    url = f"{live_server}/runs/{run_id}"
    # without the token the POST is not even considered; with a valid one the role check refuses it
    assert page.request.post(f"{url}/pause", headers={"HX-Request": "true"}).status == 400
    for action in ("pause", "cancel", "retry-failed", "run-again"):
        resp = page.request.post(f"{url}/{action}", headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert resp.status == 403, (action, resp.status)
    db.session.expire_all()
    assert db.session.get(Run, run_id).status == "pending"
    v.assert_no_console_errors()
    ctx.close()

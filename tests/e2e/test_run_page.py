"""The run page in a real browser over a real run (espeak-ng, the real Naturalness validator, two RQ
worker processes): live progress to completed without a reload over ONE EventSource, a line's audio
playing, the lines table filtered, the ZIP downloaded and its WAV decoded; no console errors, every
control labelled, at 1280×800 and on a phone-sized screen."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
import soundfile
from playwright.sync_api import expect

from app.extensions import db
from app.models import Run
from tests.e2e.editor_helpers import a11y_problems, log_in
from tests.e2e.run_page_helpers import COUNT_EVENT_SOURCES, RECORD_PHASES, explained, launch, public_url  # noqa: F401
from tests.engine.conftest import Workers
from tests.web.run_page_data import naturalness_definition

pytestmark = pytest.mark.e2e
NARROW = {"width": 390, "height": 844}


def test_watch_a_run_live_then_play_filter_and_download(browser, visitor, live_server, public_url, owner_api, owner):
    _wf_id, run_id = launch(owner_api, owner, naturalness_definition(), "Live page")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    ctx.add_init_script(COUNT_EVENT_SOURCES)
    page = ctx.new_page()
    streams = []
    page.on("request", lambda r: streams.append(r.url) if re.search(r"/runs/[^/]+/events", r.url) else None)
    v = visitor(page, "run")
    log_in(page, live_server, owner.email)
    v.goto(f"/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_attribute("data-status", "pending")
    v.check("run-pending")
    page.evaluate(RECORD_PHASES)

    workers = Workers().start(2, ONEPIN_ENGINE_PLUGINS="")
    try:
        with explained(run_id, workers):
            expect(page.locator("#run-status")).to_have_attribute("data-status", "completed", timeout=240_000)
    finally:
        workers.stop()
    assert page.evaluate("window.__noReload") is True                 # the same document all along
    phases = page.evaluate("window.__phases")
    assert phases[0] == "pending" and "running" in phases and phases[-1] == "completed", phases
    # the table filled in as takes finished: 3 delivered, "Okay." dropped by the validator
    expect(page.locator('.line-card[data-outcome="delivered"]')).to_have_count(3)
    expect(page.locator('#card-3-en-us[data-outcome="dropped"]')).to_contain_text("below its pass bar 60")
    expect(page.locator("#card-0-en-us .check-score")).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(page.locator("#card-0-en-us svg.wave path")).to_have_count(1)
    expect(page.locator('#run-graph g.gnode[data-state="done"]')).to_have_count(4)
    expect(page.locator('#node-counts tr[data-node-id="nat"] td').nth(4)).to_have_text("3 / 1")   # pass / fail
    expect(page.locator("#run-progress-text")).to_contain_text("4 of 4 lines settled · 3 delivered")
    # ONE EventSource for the whole page, and one stream request
    assert page.evaluate("window.__eventSources.length") == 1, page.evaluate("window.__eventSources")
    assert len(streams) == 1, streams
    v.check("run-completed")
    assert a11y_problems(page) == []          # labels, named buttons and links, unique ids

    # play a line's audio
    duration = page.locator("#card-0-en-us audio").evaluate("""a => new Promise((ok, ko) => {
        a.addEventListener('loadedmetadata', () => ok(a.duration), {once: true});
        a.addEventListener('error', () => ko('audio error ' + (a.error && a.error.code)), {once: true});
        a.muted = true; a.play().catch(() => {});
    })""")
    assert duration > 0.5
    expect(page.locator("#card-0-en-us audio")).to_have_js_property("paused", False)

    # filter the lines table (HTMX swaps; the URL follows)
    page.select_option("#lines-status", "dropped")
    expect(page.locator(".line-card")).to_have_count(1)
    expect(page.locator("#card-3-en-us")).to_be_visible()
    assert "status=dropped" in page.url
    page.select_option("#lines-status", "")
    page.fill("#lines-q", "second line")
    expect(page.locator(".line-row")).to_have_count(1)
    expect(page.locator("#line-1")).to_be_visible()
    v.check("run-filtered")
    page.fill("#lines-q", "")
    expect(page.locator(".line-row")).to_have_count(4)

    # download the run's ZIP, open it, decode a WAV
    with page.expect_download() as dl:
        page.click("#run-download")
    data = open(dl.value.path(), "rb").read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        assert names == ["000_en-us.wav", "001_en-us.wav", "002_en-us.wav", "manifest.csv", "manifest.json"], names
        samples, rate = soundfile.read(io.BytesIO(zf.read("001_en-us.wav")))
        assert rate > 8000 and len(samples) / rate > 1.0
        manifest = json.loads(zf.read("manifest.json"))
        assert [f["scores"]["nat"]["passed"] for f in manifest["files"]] == [True, True, True]
    with page.expect_download() as dl:
        page.click("#run-download-out")
    assert dl.value.suggested_filename.endswith("-out.zip")

    # a phone-sized screen
    page.set_viewport_size(NARROW)
    v.check("run-completed-narrow")
    v.goto("/runs")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)
    v.check("runs-history-narrow")
    page.set_viewport_size({"width": 1280, "height": 800})
    v.check("runs-history")
    assert a11y_problems(page) == []
    v.assert_no_console_errors()
    db.session.expire_all()
    assert db.session.get(Run, run_id).status == "completed"
    ctx.close()

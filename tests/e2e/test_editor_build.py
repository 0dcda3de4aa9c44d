"""Build a workflow on an empty canvas in a real browser: drag nodes from the palette, draw the
connections (an invalid one is refused on the spot), configure the nodes in their panels (a voice
chosen by listening in the picker), watch a validation problem appear on the right node and go away,
undo and redo, export and re-import, then run it after the estimate confirmation."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Run, Workflow
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import (a11y_problems, connect, drag_node, drop_node, edges, log_in, node,
                                      select_node, version, wait_saved)
from tests.editor_voices import editor_voice_rows, editor_voices  # noqa: F401  (fixtures)
from tests.factories import make_user, make_workspace

pytestmark = pytest.mark.e2e


def test_build_configure_validate_undo_export_import_run(browser, visitor, live_server, editor_voices):
    user = make_user(email="builder@example.com", name="Bea Builder")
    make_workspace(user, name="Builder studio")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    v = visitor(ctx.new_page(), "editor")
    page = v.page
    page.on("dialog", lambda d: d.accept())
    log_in(page, live_server, "builder@example.com")

    # the list, then a blank workflow
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workflows", exact=True).click()
    expect(page.locator("#workflows-empty")).to_contain_text("No workflows yet")
    v.check("workflows-empty")
    page.get_by_role("button", name="New workflow").click()
    expect(page).to_have_url(re.compile(r"/workflows/[0-9a-f-]+/edit$"))
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    wf_id = page.url.split("/")[-2]
    v.check("canvas-empty")

    # drag five nodes onto the canvas
    for node_type, x, y in (("source_script", 40, 50), ("operator_normalizer", 340, 50), ("operator_generator", 40, 230),
                            ("validator_error_rate", 340, 230), ("sink_preview", 340, 410)):
        drop_node(page, node_type, x, y)
    for nid in ("script-1", "normalizer-1", "generator-1", "error-rate-1", "preview-1"):
        expect(node(page, nid)).to_be_visible()
    box = node(page, "script-1").bounding_box()
    canvas = page.locator("#drawflow").bounding_box()
    assert abs(box["x"] - canvas["x"] - 10) < 30 and abs(box["y"] - canvas["y"] - 20) < 30   # dropped where released

    # an invalid connection is refused on the spot: the validator needs audio
    connect(page, "script-1", "lines", "error-rate-1")
    expect(page.locator("#canvas-toast")).to_contain_text("checks audio, but Script Input sends text")
    assert edges(page) == []

    connect(page, "script-1", "lines", "normalizer-1")
    connect(page, "normalizer-1", "lines", "generator-1")
    connect(page, "generator-1", "lines", "error-rate-1")
    connect(page, "error-rate-1", "pass", "preview-1")
    connect(page, "error-rate-1", "fail", "generator-1")
    assert edges(page) == sorted([("script-1", "lines", "normalizer-1", "lines"),
                                  ("normalizer-1", "lines", "generator-1", "lines"),
                                  ("generator-1", "lines", "error-rate-1", "lines"),
                                  ("error-rate-1", "pass", "preview-1", "lines"),
                                  ("error-rate-1", "fail", "generator-1", "lines")])
    expect(page.locator("svg.connection")).to_have_count(5)
    wait_saved(page)
    # the draft saves; what it still lacks to run is listed (empty script, no voice)
    problems = page.locator("#problem-list")
    expect(problems.locator('[data-rule="empty_script"]')).to_have_count(1)
    expect(problems.locator('[data-rule="missing_voice"]')).to_have_count(1)
    expect(node(page, "generator-1")).to_have_class(re.compile(r"\bhas-error\b"))
    v.check("canvas-connected")

    # the source: typed script, its lines shown (Delete and Backspace in a field edit the field, not the graph)
    select_node(page, "script-1")
    page.fill("#cfg-node-name", "Scripts")
    page.press("#cfg-node-name", "Backspace")
    page.press("#cfg-node-name", "Home")
    page.press("#cfg-node-name", "Delete")
    expect(page.locator("#cfg-node-name")).to_have_value("cript")
    expect(node(page, "script-1")).to_have_count(1)
    expect(node(page, "script-1").locator(".node-title")).to_have_text("cript")
    page.fill("#cfg-node-name", "Script")
    page.fill("#cfg-text", "Welcome to the studio.\nThe second line is here.\n\nA third one.")
    expect(page.locator("#line-count")).to_have_text("3")
    expect(page.locator("#source-lines li")).to_have_count(3)
    wait_saved(page)
    expect(problems.locator('[data-rule="empty_script"]')).to_have_count(0)
    expect(node(page, "script-1").locator(".node-summary")).to_contain_text("3 lines")

    # the generator: a voice chosen by listening in the picker
    select_node(page, "generator-1")
    row = page.locator('.voice-row[data-locale="en-us"]')
    expect(row).to_contain_text("No voice yet")
    row.get_by_role("button", name="Choose the English (United States) voice").click()
    dialog = page.locator("#voice-dialog")
    expect(dialog).to_be_visible()
    page.select_option("#voice-gender", "female")
    item = page.locator('.voice-item[data-voice-id="espeak:en-us+f3"]')
    expect(item).to_be_visible()
    expect(page.locator(".voice-item .voice-item-main", has_text="Joe")).to_have_count(0)   # Joe is male
    v.check("voice-picker")
    assert a11y_problems(page) == []
    item.get_by_role("button", name=re.compile("Play a sample")).click()
    page.wait_for_function("() => { const a = document.getElementById('voice-sample-player');"
                           " return a && a.readyState >= 1 && a.duration > 0.5; }", timeout=15000)
    sample = page.evaluate("() => { const a = document.getElementById('voice-sample-player');"
                           " return {src: a.currentSrc, duration: a.duration, error: a.error && a.error.code}; }")
    assert "/_storage/get/" in sample["src"] and sample["error"] is None and sample["duration"] > 1
    item.get_by_role("button", name=re.compile("^Choose ")).click()
    expect(dialog).to_be_hidden()
    f3 = editor_voices["espeak:en-us+f3"]["name"]
    expect(row.locator(".voice-name")).to_have_text(f3)
    wait_saved(page)
    expect(problems.locator('[data-rule="missing_voice"]')).to_have_count(0)
    expect(node(page, "generator-1")).not_to_have_class(re.compile(r"\bhas-error\b"))
    gen = next(n for n in page.evaluate("window.onepinEditor.definition()")["graph"]["nodes"] if n["id"] == "generator-1")
    assert gen["config"]["voice_map"] == {"en-us": [{"voice_id": "en-us+f3", "catalog_voice_id": "espeak:en-us+f3",
                                                     "provider": "espeak", "model": "espeak-ng",
                                                     "voice_name": f3}]}

    # a validation problem appears on the validator and its field, then goes away when fixed
    select_node(page, "error-rate-1")
    expect(page.locator("#cfg-threshold")).to_have_attribute("min", "50")
    page.fill("#cfg-threshold", "30")
    validator = node(page, "error-rate-1")
    expect(validator).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator('[data-problem-for="threshold"]')).to_contain_text("must be between 50 and 100 (got 30)")
    expect(page.locator("#cfg-threshold")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "blocked")
    bad = problems.locator('[data-rule="config_out_of_range"]')
    expect(bad).to_have_count(1)
    for other in ("script-1", "normalizer-1", "generator-1", "preview-1"):
        expect(node(page, other)).not_to_have_class(re.compile(r"\bhas-error\b"))
    v.check("validation-problem")
    select_node(page, "script-1")
    bad.get_by_role("button").click()                      # a click on the problem selects its node
    expect(page.locator('#node-form[data-node-id="error-rate-1"]')).to_be_visible()
    before_fix = version(page)
    page.fill("#cfg-threshold", "90")
    wait_saved(page, since=before_fix)
    expect(validator).not_to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator('[data-problem-for="threshold"]')).to_be_hidden()
    expect(problems.locator(".problem")).to_have_count(0)
    expect(problems).to_contain_text("No problems")

    # undo and redo: one step per action (a drag is one step, however many pixels it moved)
    before = page.evaluate("window.onepinEditor.definition()")
    depth = page.evaluate("window.onepinEditor.undoDepth()")
    drag_node(page, "normalizer-1", 0, 60)
    moved = page.evaluate("window.onepinEditor.definition()")
    pos = {n["id"]: n["position"] for n in moved["graph"]["nodes"]}
    assert pos["normalizer-1"]["y"] > {n["id"]: n["position"] for n in before["graph"]["nodes"]}["normalizer-1"]["y"] + 40
    assert page.evaluate("window.onepinEditor.undoDepth()") == depth + 1
    page.locator("#drawflow").focus()
    page.keyboard.press("Control+z")
    assert page.evaluate("window.onepinEditor.definition()") == before
    page.get_by_role("button", name="Redo").click()
    assert page.evaluate("window.onepinEditor.definition()") == moved
    page.get_by_role("button", name="Undo").click()
    assert page.evaluate("window.onepinEditor.definition()") == before
    page.keyboard.press("Control+Shift+z")
    assert page.evaluate("window.onepinEditor.definition()") == moved
    wait_saved(page)

    # export, change the canvas, import the file back
    with page.expect_download() as dl:
        page.get_by_role("link", name="Export").click()
    exported = json.loads(open(dl.value.path()).read())
    assert exported["schema_version"] == 1 and exported["definition"] == page.evaluate("window.onepinEditor.definition()")
    path = ARTIFACTS / "editor-export.onepin.json"
    path.write_text(json.dumps(exported, indent=2))
    select_node(page, "preview-1")
    page.keyboard.press("Delete")                           # the canvas has the focus after the click
    expect(node(page, "preview-1")).to_have_count(0)
    assert len(edges(page)) == 4
    wait_saved(page)
    page.set_input_files("#import-file", str(path))
    expect(page.locator("#import-dialog")).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text("The file is valid: 5 nodes and 5 connections")
    v.check("import-dialog")
    page.get_by_role("button", name="Replace the canvas").click()
    expect(node(page, "preview-1")).to_be_visible()
    assert page.evaluate("window.onepinEditor.definition()") == exported["definition"]
    wait_saved(page)
    db.session.expire_all()
    assert db.session.get(Workflow, wf_id).definition == exported["definition"]

    # run it after the estimate confirmation
    expect(page.locator("#estimate-value")).to_have_attribute("data-expected", re.compile(r"^\d+$"))
    page.get_by_role("button", name="Run…").click()
    run_dialog = page.locator("#run-dialog")
    expect(run_dialog).to_be_visible()
    low, mid, high = (int(page.locator(f"#q-{k}").inner_text()) for k in ("min", "expected", "max"))
    assert 1 <= low <= mid <= high
    expect(page.locator("#q-balance")).to_have_text(re.compile(r"^\d+$"))
    v.check("run-dialog")
    page.get_by_role("button", name="Start run").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]+$"))
    run_id = page.url.rsplit("/", 1)[-1]
    db.session.expire_all()
    run = db.session.get(Run, run_id)
    assert run.workflow_id == wf_id and run.definition_snapshot == exported["definition"]
    assert run.estimate["expected_credits"] == mid
    v.assert_no_console_errors()
    ctx.close()

"""Viewers in a real browser: the workflows list and the canvas show no editing or running controls,
the settings panel is read only, and a forged POST from the viewer's own session is refused.
Also: every page of the area renders without console errors at 1280x800 and on a phone-sized
screen, with every form control labelled (an in-page accessibility check)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Workflow
from app.services import workflows as wf_svc
from tests.e2e.editor_helpers import a11y_problems, log_in, node
from tests.factories import add_member, make_user, make_workspace, membership
from tests.web.test_editor_endpoints import definition

pytestmark = pytest.mark.e2e


def _forge(page, url: str, *, with_token: bool) -> int:
    """A POST sent by script from the viewer's page, with its session cookie (and CSRF token)."""
    return page.evaluate("""async ([url, withToken]) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch(url, {method: 'POST', credentials: 'same-origin',
            headers: Object.assign({'Content-Type': 'application/json'}, withToken ? {'X-CSRFToken': token} : {}),
            body: JSON.stringify({definition: {graph: {nodes: [], edges: []}}})});
        return r.status; }""", [url, with_token])


def test_viewer_is_read_only_and_pages_are_accessible(browser, visitor, live_server):
    owner = make_user(email="owner@example.com", name="Olive Owner")
    ws = make_workspace(owner, name="Shared studio")
    viewer = add_member(ws, make_user(email="viewer@example.com", name="Vic Viewer"), role="viewer")
    wf = wf_svc.create(ws, membership(ws, owner), owner, {"name": "Narration", "description": "Chapter one",
                                                          "definition": definition()})
    for i in range(3):
        wf_svc.create(ws, membership(ws, owner), owner, {"name": f"Draft {i}"})
    db.session.commit()
    original = wf.definition

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    v = visitor(ctx.new_page(), "viewer")
    page = v.page
    log_in(page, live_server, viewer.email)
    v.goto("/workflows")
    expect(page.locator("#workflows-table tbody tr")).to_have_count(4)
    expect(page.get_by_role("button", name="New workflow")).to_have_count(0)
    expect(page.get_by_role("button", name="New from template")).to_have_count(0)
    expect(page.locator(".row-menu")).to_have_count(0)
    page.fill("#wf-search", "chapter")
    expect(page.locator("#workflows-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/workflows\?search=chapter$"))
    v.check("list-1280")
    assert a11y_problems(page) == []

    page.get_by_role("link", name="View").click()
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    expect(page.locator("#readonly-badge")).to_have_text("Read only")
    for gone in (".palette", "#run-button", "#undo", "#redo", "#arrange", "#import-file", "#wf-name"):
        expect(page.locator(gone)).to_have_count(0)
    expect(node(page, "error-rate-1")).to_be_visible()
    node(page, "error-rate-1").locator(".node-title").click()
    expect(page.locator('#node-form[data-node-id="error-rate-1"]')).to_be_visible()
    expect(page.locator("#cfg-threshold")).to_be_disabled()
    expect(page.locator("#cfg-threshold")).to_have_value("85")
    expect(page.get_by_role("button", name="Delete node")).to_have_count(0)
    node(page, "generator-1").locator(".node-title").click()
    expect(page.locator('.voice-row[data-locale="en-us"]')).to_contain_text("eSpeak English")
    expect(page.locator('[data-action="pick-voice"]')).to_have_count(0)
    # dragging a node or a port changes nothing
    box = node(page, "script-1").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 120, steps=5)
    page.mouse.up()
    page.keyboard.press("Delete")
    expect(node(page, "script-1")).to_have_count(1)
    v.check("editor-1280")
    assert a11y_problems(page) == []

    # forged posts from this session: refused by CSRF without the token, by the role check with it
    save_url = f"/workflows/{wf.id}/editor/save"
    seen = len(v.errors)
    assert _forge(page, save_url, with_token=False) == 400
    assert _forge(page, save_url, with_token=True) == 403
    assert _forge(page, f"/workflows/{wf.id}/run", with_token=True) == 403
    assert _forge(page, f"/workflows/{wf.id}/delete", with_token=True) == 403
    refused = v.errors[seen:]          # the browser logs each refused request; nothing else may appear
    assert len(refused) == 4 and all(re.search(r"status of (400|403)", e) for e in refused), refused
    del v.errors[seen:]
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).definition == original and db.session.get(Workflow, wf.id).deleted_at is None

    # a phone-sized screen
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    v.check("editor-mobile")
    v.goto("/workflows")
    v.check("list-mobile")
    assert a11y_problems(page) == []
    v.assert_no_console_errors()
    ctx.close()


def test_editor_pages_for_an_editor_on_both_screens(browser, visitor, live_server):
    owner = make_user(email="owner2@example.com", name="Otto")
    ws = make_workspace(owner, name="Editing studio")
    wf = wf_svc.create(ws, membership(ws, owner), owner, {"name": "Checked", "definition": definition()})
    db.session.commit()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    v = visitor(ctx.new_page(), "editor-a11y")
    page = v.page
    page.on("dialog", lambda d: d.accept())
    log_in(page, live_server, owner.email)
    v.goto("/workflows")
    page.get_by_role("button", name="New from template").click()
    expect(page.locator("#template-dialog")).to_be_visible()
    expect(page.locator("#template-list")).to_contain_text("credits per 1,000 characters")
    v.check("template-picker")
    assert a11y_problems(page) == []
    page.keyboard.press("Escape")
    page.locator('tr[data-name="Checked"] .row-menu summary').click()
    v.check("row-menu")
    assert a11y_problems(page) == []

    v.goto(f"/workflows/{wf.id}/edit")
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    for nid in ("script-1", "generator-1", "error-rate-1", "preview-1"):
        node(page, nid).locator(".node-title").click()
        expect(page.locator(f'#node-form[data-node-id="{nid}"]')).to_be_visible()
        assert a11y_problems(page) == [], nid
    v.check("panel-sink")
    page.locator("#drawflow").focus()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    v.check("shortcuts")
    assert a11y_problems(page) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run…").click()
    expect(page.locator("#run-dialog")).to_be_visible()
    page.check("#use-script")
    expect(page.locator("#run-script")).to_be_visible()
    assert a11y_problems(page) == []
    page.keyboard.press("Escape")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    node(page, "generator-1").locator(".node-title").click()
    expect(page.locator('#node-form[data-node-id="generator-1"]')).to_be_visible()
    v.check("editor-mobile")
    assert a11y_problems(page) == []
    v.assert_no_console_errors()
    ctx.close()

"""Two editors on one workflow in real browsers: a save from a page that is behind (someone saved
from another tab, or through the API/CLI path, after the page loaded) is refused, autosave stops and
the page says so, naming who saved and when. "Reload the latest" (after a confirmation) shows the
other edit; "keep mine" saves this page's canvas as a new version and the other edit stays in the
history. Saves from one page that overlap (debounce + a request in flight) never conflict with
themselves. An open page also asks for the current version now and then, so it hears of another save
before its own is refused, and never mistakes its own saves for someone else's. The only console errors
allowed are the browser's own lines for the refused saves."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Workflow, WorkflowVersion
from app.services import workflows as wf_svc
from tests.e2e.editor_helpers import a11y_problems, drag_node, log_in, node, select_node, wait_saved
from tests.factories import add_member, make_user, make_workspace, membership
from tests.web.test_editor_endpoints import definition

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def change_check(app):
    """Most tests here show the conflict a save runs into, so the open pages' periodic check for someone
    else's save is off unless a test turns it on: change_check(seconds), before it opens its pages."""
    before = app.config["EDITOR_CHANGE_CHECK_SECONDS"]
    app.config["EDITOR_CHANGE_CHECK_SECONDS"] = 0
    yield lambda seconds: app.config.__setitem__("EDITOR_CHANGE_CHECK_SECONDS", seconds)
    app.config["EDITOR_CHANGE_CHECK_SECONDS"] = before


@pytest.fixture
def shared(live_server):
    """A workflow at version 1 in a workspace of Ada (owner) and Bob (editor)."""
    ada = make_user(email="ada@example.com", name="Ada Lovelace")
    ws = make_workspace(ada, name="Shared studio")
    bob = add_member(ws, make_user(email="bob@example.com", name="Bob Builder"), role="editor")
    wf = wf_svc.create(ws, membership(ws, ada), ada, {"name": "Narration", "definition": definition()})
    db.session.commit()
    return ws, ada, bob, wf


def _open(browser, visitor, live_server, who, email, wf, ctx=None):
    ctx = ctx or browser.new_context(viewport={"width": 1280, "height": 800})
    v = visitor(ctx.new_page(), who)
    if email:
        log_in(v.page, live_server, email)
    v.goto(f"/workflows/{wf.id}/edit")
    expect(v.page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    return v


def _rename(page, node_id: str, label: str) -> None:
    select_node(page, node_id)
    page.fill("#cfg-node-name", label)
    expect(node(page, node_id).locator(".node-title")).to_have_text(label)


def _stored(wf) -> tuple[dict, list]:
    db.session.expire_all()
    names = {n["id"]: n.get("name") for n in db.session.get(Workflow, wf.id).definition["graph"]["nodes"]}
    notes = [(v.number, v.note) for v in db.session.scalars(
        db.select(WorkflowVersion).filter_by(workflow_id=wf.id).order_by(WorkflowVersion.number))]
    return names, notes


def _refused(v, count: int) -> None:
    """The browser logs each refused save ('status of 409'); nothing else may appear."""
    assert len(v.errors) == count and all(re.search(r"status of 409", e) for e in v.errors), v.errors
    v.errors.clear()


def _conflict_shown(page, *words: str) -> None:
    note = page.get_by_role("alert").filter(has_text="changed elsewhere")
    expect(note).to_be_visible()
    for w in words:
        expect(note).to_contain_text(w)
    expect(page.locator("#save-state")).to_have_attribute("data-state", "conflict")
    expect(page.locator("#save-state")).to_have_text("Not saved: changed elsewhere")


def test_two_editors_the_second_is_told_and_reloads_the_latest(browser, visitor, live_server, shared):
    _ws, _ada, _bob, wf = shared
    a = _open(browser, visitor, live_server, "conflict-a", "ada@example.com", wf)
    b = _open(browser, visitor, live_server, "conflict-b", "bob@example.com", wf)

    _rename(a.page, "script-1", "Intro by Ada")
    wait_saved(a.page, since=1)
    _rename(b.page, "generator-1", "Voice by Bob")
    _conflict_shown(b.page, "Ada Lovelace", "version 2", "not saved")
    names, notes = _stored(wf)
    assert names["script-1"] == "Intro by Ada" and names["generator-1"] == "Voice" and len(notes) == 2
    b.check("conflict")
    assert a11y_problems(b.page) == []

    # autosave has stopped: more edits stay on the page, no request is sent, the guard keeps them
    drag_node(b.page, "preview-1", 0, 60)
    time.sleep(1.5)
    assert len(_stored(wf)[1]) == 2 and b.page.evaluate("window.onepinEditor.saved()") is False
    _refused(b, 1)

    # "reload the latest": first the confirmation (cancelled: nothing changes), then for real
    asked = []
    b.page.once("dialog", lambda d: (asked.append((d.type, d.message)), d.dismiss()))
    b.page.get_by_role("button", name=re.compile("Reload the latest")).click()
    expect(b.page.locator("#conflict-note")).to_be_visible()
    assert asked == [("confirm", "Discard your changes on this page and load version 2? This cannot be undone.")]
    b.page.once("dialog", lambda d: (asked.append((d.type, d.message)), d.accept()))
    with b.page.expect_navigation():
        b.page.get_by_role("button", name=re.compile("Reload the latest")).click()
    expect(b.page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    assert [t for t, _m in asked] == ["confirm", "confirm"]              # no "leave the page?" on top
    expect(node(b.page, "script-1").locator(".node-title")).to_have_text("Intro by Ada")
    expect(node(b.page, "generator-1").locator(".node-title")).to_have_text("Voice")
    expect(b.page.locator("#conflict-note")).to_be_hidden()
    expect(b.page.locator("#save-state")).to_have_text("Saved · version 2")

    # from the latest, B saves again as usual (its base is version 2 now); then A is the one behind
    _rename(b.page, "generator-1", "Voice by Bob")
    wait_saved(b.page, since=2)
    assert _stored(wf)[0] == {"script-1": "Intro by Ada", "generator-1": "Voice by Bob", "error-rate-1": None,
                              "preview-1": None}
    _rename(a.page, "preview-1", "Export by Ada")
    _conflict_shown(a.page, "Bob Builder", "version 3")
    _refused(a, 1)
    b.assert_no_console_errors()


def test_same_person_two_tabs_keep_mine_saves_a_new_version(browser, visitor, live_server, shared):
    _ws, _ada, _bob, wf = shared
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    a = _open(browser, visitor, live_server, "keep-a", "ada@example.com", wf, ctx)
    b = _open(browser, visitor, live_server, "keep-b", None, wf, ctx)           # same session, second tab

    _rename(a.page, "script-1", "Intro from tab A")
    wait_saved(a.page, since=1)
    _rename(b.page, "generator-1", "Voice from tab B")
    _conflict_shown(b.page, "by you", "version 2")

    b.page.get_by_role("button", name=re.compile("Keep mine")).click()
    wait_saved(b.page, since=2)
    expect(b.page.locator("#conflict-note")).to_be_hidden()
    expect(b.page.locator("#canvas-toast")).to_contain_text(
        "Your version is saved as version 3. The other changes are version 2 in History.")
    expect(b.page.locator("#save-state")).to_have_text("Saved · version 3")
    names, notes = _stored(wf)
    assert names["generator-1"] == "Voice from tab B" and names["script-1"] is None     # B's canvas, as B saw it
    assert notes == [(1, "created"), (2, "edited"), (3, "edited, kept over version 2")]

    # A's edit is still in the history, restorable
    b.page.get_by_role("button", name="History").click()
    items = b.page.locator("#version-list .version-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("kept over version 2")
    expect(b.page.get_by_role("button", name="Restore version 2 as a new version")).to_be_visible()
    assert a11y_problems(b.page) == []

    # and B keeps saving from its new base
    _rename(b.page, "preview-1", "Export from tab B")
    wait_saved(b.page, since=3)
    assert _stored(wf)[1][-1] == (4, "edited")
    _refused(b, 1)
    a.assert_no_console_errors()


def test_an_api_edit_while_the_page_is_open(browser, visitor, live_server, shared):
    ws, _ada, bob, wf = shared
    a = _open(browser, visitor, live_server, "api-edit", "ada@example.com", wf)
    # what PATCH /api/v1/workflows/{id} (`onepin workflows update`) does, as Bob, while Ada's page is open
    changed = definition(text="Rewritten through the API.")
    wf_svc.patch(db.session.get(Workflow, wf.id), membership(ws, bob), bob, {"definition": changed})
    db.session.commit()

    _rename(a.page, "script-1", "Intro by Ada")
    _conflict_shown(a.page, "Bob Builder", "version 2")
    assert _stored(wf)[0]["script-1"] is None
    # Run… waits for the choice: the run would use the other version
    a.page.get_by_role("button", name="Run…").click()
    expect(a.page.locator("#run-dialog")).to_be_hidden()
    expect(a.page.locator("#conflict-note")).to_be_visible()

    a.page.once("dialog", lambda d: d.accept())
    with a.page.expect_navigation():
        a.page.get_by_role("button", name=re.compile("Reload the latest")).click()
    expect(a.page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    expect(node(a.page, "script-1").locator(".node-summary")).to_contain_text("1 line")
    assert a.page.evaluate("window.onepinEditor.definition()")["graph"]["nodes"][0]["config"]["text"] == \
        "Rewritten through the API."
    _refused(a, 1)


def test_an_open_page_hears_of_another_save_before_saving_itself(browser, visitor, live_server, shared,
                                                                  change_check):
    """The page asks for the current version now and then: its own saves and restores never look like
    someone else's, and an API save by Bob is announced without Ada touching anything. With nothing
    unsaved on the page, reloading the latest needs no confirmation."""
    ws, _ada, bob, wf = shared
    add_member(ws, make_user(email="cy@example.com", name="Cy Viewer"), role="viewer")
    db.session.commit()
    change_check(0.3)
    a = _open(browser, visitor, live_server, "hears", "ada@example.com", wf)
    saves = []
    a.page.on("request", lambda r: saves.append(r.url) if r.url.endswith("/editor/save") else None)
    _rename(a.page, "script-1", "Intro by Ada")
    wait_saved(a.page, since=1)
    a.page.get_by_role("button", name="History").click()
    a.page.once("dialog", lambda d: d.accept())
    a.page.get_by_role("button", name="Restore version 1 as a new version").click()
    a.page.wait_for_function("window.onepinEditor.version() === 3")
    a.page.wait_for_timeout(1500)                                   # five checks, all quiet
    expect(a.page.locator("#conflict-note")).to_be_hidden()
    assert a.page.evaluate("window.onepinEditor.conflict()") is None and len(saves) == 1

    c = _open(browser, visitor, live_server, "hears-viewer", "cy@example.com", wf)   # a viewer, read only

    wf_svc.patch(db.session.get(Workflow, wf.id), membership(ws, bob), bob,
                 {"definition": definition(text="Rewritten through the API.")})
    db.session.commit()
    note = a.page.get_by_role("alert").filter(has_text="changed elsewhere")
    expect(note).to_be_visible(timeout=5000)
    for words in ("Bob Builder", "version 4", "This page still shows version 3"):
        expect(note).to_contain_text(words)
    expect(a.page.locator("#conflict-reload")).to_have_text("Reload the latest")
    expect(a.page.locator("#conflict-keep")).to_be_hidden()        # nothing of this page's to keep
    expect(a.page.locator("#save-state")).to_have_attribute("data-state", "conflict")
    expect(a.page.locator("#save-state")).to_have_text("Changed elsewhere")
    assert len(saves) == 1                                          # heard without a refused save
    a.check("heard")

    asked = []
    a.page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    with a.page.expect_navigation():
        a.page.get_by_role("button", name=re.compile("Reload the latest")).click()
    expect(a.page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    assert asked == []                                              # nothing of Ada's to lose
    assert a.page.evaluate("window.onepinEditor.definition()")["graph"]["nodes"][0]["config"]["text"] == \
        "Rewritten through the API."
    expect(a.page.locator("#save-state")).to_have_text("Saved · version 4")
    a.assert_no_console_errors()

    # the viewer heard of it too, and can only reload
    seen = c.page.get_by_role("alert").filter(has_text="changed elsewhere")
    expect(seen).to_contain_text("This page still shows version 3")
    expect(c.page.locator("#conflict-keep")).to_have_count(0)
    c.check("heard-viewer")
    with c.page.expect_navigation():
        c.page.get_by_role("button", name="Reload the latest").click()
    expect(c.page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    expect(c.page.locator("#conflict-note")).to_be_hidden()
    assert c.page.evaluate("window.onepinEditor.version()") == 4
    c.assert_no_console_errors()


def test_overlapping_saves_from_one_page_do_not_conflict(browser, visitor, live_server, shared, change_check):
    """Edits while a save is in flight, an explicit save on top of the debounce, and a name change
    in between: each answer's version becomes the next save's base, so none is refused, and the page's
    change check (every 0.1 s here) never takes one of them for someone else's."""
    _ws, _ada, _bob, wf = shared
    change_check(0.1)
    a = _open(browser, visitor, live_server, "overlap", "ada@example.com", wf)
    page = a.page
    drag_node(page, "script-1", 0, 40)
    drag_node(page, "generator-1", 0, 40)
    drag_node(page, "preview-1", 0, 40)
    page.evaluate("""async () => {
        const e = window.onepinEditor, name = document.getElementById('wf-name');
        e.undo(); const first = e.save();           // a request in flight
        e.undo(); const second = e.save();          // queued behind it
        name.value = 'Narration, renamed'; name.dispatchEvent(new Event('input', {bubbles: true}));
        e.redo();                                   // the debounced autosave, on top
        await Promise.all([first, second]);
    }""")
    expect(page).to_have_title(re.compile("^Narration, renamed"))   # the name's own debounce, then its save
    wait_saved(page)
    db.session.expire_all()
    stored = db.session.get(Workflow, wf.id)
    assert stored.definition == page.evaluate("window.onepinEditor.definition()")
    assert stored.name == "Narration, renamed"
    versions = db.session.scalar(db.select(db.func.count()).select_from(WorkflowVersion).filter_by(workflow_id=wf.id))
    assert page.evaluate("window.onepinEditor.version()") == versions
    expect(page.locator("#conflict-note")).to_be_hidden()
    assert page.evaluate("window.onepinEditor.conflict()") is None
    a.assert_no_console_errors()

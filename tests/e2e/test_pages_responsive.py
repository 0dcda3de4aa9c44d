"""Every page of the browser app on a desktop (1280×800) and a phone (375×740): the page never scrolls
sideways (wide tables scroll inside their own wrapper), no console errors, the main heading visible, and
the in-page accessibility check finds nothing. As A's owner over a realistic workspace (route_walk's
world: members, an invite, an API key, provider keys, a workflow with a finished run; plus usage), as
A's viewer for the pages a viewer sees, and logged out for the public pages.

PAGES names every GET rule of the browser app that renders a page; SKIPPED every other one with its
reason. A new rule fails `test_every_get_rule_is_classified` until it is put in one of them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.models.base import utcnow
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import a11y_problems, log_in
from tests.services import usage_data
from tests.web.route_walk import make_world

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
EVERYONE, MEMBERS, ADMINS, PUBLIC = {"owner", "viewer", "anonymous"}, {"owner", "viewer"}, {"owner"}, {"anonymous"}

# rule -> (the path, as a function of the world and the visitor's role; who sees the page)
PAGES = {
    "/login": (lambda w, who: "/login", PUBLIC),
    "/signup": (lambda w, who: "/signup", PUBLIC),
    # the anonymous visitor opens A's invite to invitee@; the viewer opens B's invite addressed to them
    "/invites/<token>": (lambda w, who: f"/invites/{w.viewer_invite_token if who == 'viewer' else w.invite_token}",
                         {"viewer", "anonymous"}),
    "/home": (lambda w, who: "/home", MEMBERS),
    "/workflows": (lambda w, who: "/workflows", MEMBERS),
    # the New-from-template dialog's list, as a page of its own when opened directly
    "/workflows/templates": (lambda w, who: "/workflows/templates", MEMBERS),
    "/workflows/<workflow_id>/edit": (lambda w, who: f"/workflows/{w.wf.id}/edit", MEMBERS),
    "/workflows/<workflow_id>/runs": (lambda w, who: f"/workflows/{w.wf.id}/runs", MEMBERS),
    "/runs": (lambda w, who: "/runs", MEMBERS),
    "/runs/<run_id>": (lambda w, who: f"/runs/{w.run.id}", MEMBERS),
    "/settings/members": (lambda w, who: "/settings/members", MEMBERS),
    "/settings/api-keys": (lambda w, who: "/settings/api-keys", MEMBERS),
    "/settings/provider-keys": (lambda w, who: "/settings/provider-keys", ADMINS),
    "/settings/workspace": (lambda w, who: "/settings/workspace", MEMBERS),
    "/settings/profile": (lambda w, who: "/settings/profile", MEMBERS),
    "/settings/outbox": (lambda w, who: "/settings/outbox", ADMINS),
    "/usage": (lambda w, who: "/usage", ADMINS),
    "/workspaces/new": (lambda w, who: "/workspaces/new", MEMBERS),
    # under /api, but a page of the browser app: the main navigation links to it
    "/api/docs": (lambda w, who: "/api/docs", MEMBERS),
}

SKIPPED = {
    "/": "redirects to /home or /login",
    "/runs/<run_id>/audio/<audio>": "an audio file",
    "/runs/<run_id>/download": "a ZIP download",
    "/runs/<run_id>/download/<node_id>": "a ZIP download",
    "/workflows/<workflow_id>/export": "a JSON download",
    "/runs/<run_id>/events": "an SSE stream (the run page opens it)",
    "/runs/events": "an SSE stream (the runs list opens it)",
    "/runs/<run_id>/cards/<int:line_index>/<locale>": "a partial of the run page (a line's card)",
    "/runs/<run_id>/graph": "a partial of the run page (the graph)",
    "/runs/<run_id>/head": "a partial of the run page (the header)",
    "/runs/<run_id>/lines": "a partial of the run page (the lines table)",
    "/runs/<run_id>/row": "a partial of the runs list (one row)",
    "/_waveforms/<token>": "JSON behind a run-data card's signed waveform link, not a page",
    "/usage/activity": "a partial of the usage page (more activity rows)",
    "/settings/workspace/slug-check": "a partial of the workspace forms (the slug's status)",
    "/workflows/<workflow_id>/editor/versions": "a partial of the editor (the versions panel)",
    "/workflows/<workflow_id>/editor/latest": "JSON for the editor's change check (the current version), not a page",
    "/workflows/<workflow_id>/editor/voices": "a partial of the editor (the voice picker)",
}

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - window.innerWidth"
# The current page's link must show within the main nav and the screen: on a desktop at once, on a phone
# once the nav's Menu button has opened it (visit_all opens it first).
CURRENT_NAV_LINK_HIDDEN = """() => {
  const nav = document.querySelector('.mainnav'), a = nav && nav.querySelector('a[aria-current="page"]');
  if (!a) return false;
  const n = nav.getBoundingClientRect(), r = a.getBoundingClientRect();
  return !r.width || r.left < n.left - 1 || r.right > n.right + 1 || r.top < n.top - 1 || r.bottom > n.bottom + 1
    || r.left < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight;
}"""
# What sticks out on the right: the first few elements past the viewport's edge that no scrolling box clips.
STICKING_OUT = """
() => {
  const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  return Array.from(document.body.querySelectorAll('*'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el))
    .slice(0, 4).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
}
"""


def browser_get_rules(app) -> set[str]:
    return {r.rule for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.rule.startswith(("/api/", "/static/", "/_storage/"))}


def test_every_get_rule_is_classified(app):
    """A new page needs a line in PAGES (or in SKIPPED, with the reason)."""
    rules = browser_get_rules(app)
    assert rules == (set(PAGES) - {"/api/docs"}) | set(SKIPPED), "classify the rule in PAGES or SKIPPED"
    assert not set(PAGES) & set(SKIPPED)
    assert "/api/docs" in {r.rule for r in app.url_map.iter_rules()}


@pytest.fixture
def world(owner, workspace):
    w = make_world(owner, workspace)
    usage_data.run(workspace, owner, utcnow() - timedelta(days=1),
                   [{"locale": "en-us", "text": "Hello there, world.", "milli": 2000, "ms": 1500}], credits=2)
    return w


def nav_problems(page, who: str, size: str) -> list[str]:
    """A member's phone shows the main nav's Menu button (a desktop does not); the link to the current page
    shows, on a phone once the menu is open, and the page still fits then. Escape closes the menu again."""
    if who == "anonymous":
        return []
    problems = []
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() != (size == "phone"):
        problems.append(f"the Menu button is {'shown' if toggle.is_visible() else 'hidden'} on a {size}")
    opened = toggle.is_visible()
    if opened:
        toggle.click()
        overflow = page.evaluate(NO_SIDEWAYS_SCROLL)
        if overflow > 1:
            problems.append(f"with the menu open the page scrolls sideways by {overflow}px")
    if page.evaluate(CURRENT_NAV_LINK_HIDDEN):
        problems.append("the main nav's link to this page is out of sight" + (" with the menu open" if opened else ""))
    if opened:
        page.keyboard.press("Escape")
        if toggle.get_attribute("aria-expanded") != "false":
            problems.append("Escape left the menu open")
    return problems


def visit_all(browser, live_server, w, who: str, size: str, shots_dir: str | None = None) -> list[str]:
    """Every page `who` sees, at the viewport `size`; the problems found, one line each. A screenshot of
    each page goes to tests/e2e/artifacts/<shots_dir>/ (pages-<who>-<size> unless told)."""
    viewport = VIEWPORTS[size]
    shots = ARTIFACTS / (shots_dir or f"pages-{who}-{size}")
    shots.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    if who != "anonymous":
        log_in(page, live_server, {"owner": w.owner, "viewer": w.viewer}[who].email)
    problems, seen = [], []
    for rule, (path_of, roles) in PAGES.items():
        if who not in roles:
            continue
        path = path_of(w, who)
        seen.append(rule)
        errors.clear()
        resp = page.goto(live_server + path)
        if resp is None or resp.status >= 400:
            problems.append(f"{path}: status {resp and resp.status}")
            continue
        page.wait_for_load_state("load")
        page.wait_for_function("!document.querySelector('.htmx-request')")
        name = rule.strip("/").replace("/", "_").replace("<", "").replace(">", "")
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        overflow = page.evaluate(NO_SIDEWAYS_SCROLL)
        if overflow > 1:
            problems.append(f"{path}: the page scrolls sideways by {overflow}px: {page.evaluate(STICKING_OUT)}")
        problems += [f"{path}: {p}" for p in nav_problems(page, who, size)]
        heading = page.locator("h1").first
        if not heading.count() or not heading.is_visible():
            problems.append(f"{path}: no visible main heading")
        problems += [f"{path}: {p}" for p in a11y_problems(page)]
        problems += [f"{path}: console: {e}" for e in errors]
    ctx.close()
    assert seen, who
    return problems


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("who", ["owner", "viewer", "anonymous"])
def test_every_page_fits_and_is_labelled(browser, live_server, world, who, size):
    problems = visit_all(browser, live_server, world, who, size)
    assert problems == [], "\n".join(problems)


def test_a_viewer_is_refused_the_admin_pages(browser, live_server, world):
    """The pages left out of the viewer's walk are refused to them, so the walk is not short by mistake."""
    ctx = browser.new_context(viewport=VIEWPORTS["phone"])
    page = ctx.new_page()
    log_in(page, live_server, world.viewer.email)
    for rule, (path_of, roles) in PAGES.items():
        if "viewer" not in roles and "owner" in roles:
            resp = page.goto(live_server + path_of(world, "viewer"))
            assert resp.status in (403, 404), (rule, resp.status)
            expect(page.locator("h1").first).to_be_visible()
    ctx.close()

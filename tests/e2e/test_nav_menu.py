"""The main navigation: on a phone (375×740) a disclosure behind a Menu button (aria-expanded / aria-controls,
Escape closes it and returns focus to the button, following a link closes it); on a desktop (1280×800) every
link in one row and no button; on a phone without JS the links are shown, wrapped over rows."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import log_in

pytestmark = pytest.mark.e2e

PHONE, DESKTOP = {"width": 375, "height": 740}, {"width": 1280, "height": 800}
# an owner sees every link of the main nav (Usage and Outbox are admins' only)
LINKS = ["Home", "Workflows", "Runs", "Members", "API keys", "Settings", "Usage", "Outbox", "API docs"]


@pytest.fixture
def owner_page(browser, live_server, owner, workspace):
    contexts = []

    def _open(viewport, path="/usage", **ctx_args):
        ctx = browser.new_context(viewport=viewport, **ctx_args)
        contexts.append(ctx)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, live_server, owner.email)
        page.goto(live_server + path)
        page.errors = errors
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def nav_links(page):
    return page.get_by_role("navigation", name="Main").get_by_role("link")


def test_phone_menu_opens_shows_every_link_and_escape_returns_focus(owner_page):
    page = owner_page(PHONE)
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.locator("#" + button.get_attribute("aria-controls")).get_attribute("aria-label") == "Main"
    for name in LINKS:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav_links(page)).to_have_text(LINKS)
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    expect(page.get_by_role("link", name="Usage", exact=True)).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "nav-menu-phone-open.png"))

    page.get_by_role("link", name="Members", exact=True).focus()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(page.get_by_role("link", name="Members", exact=True)).to_be_hidden()
    assert page.errors == []


def test_phone_menu_works_from_the_keyboard(owner_page):
    page = owner_page(PHONE, "/home")
    button = page.get_by_role("button", name="Menu")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    # the focus ring shows on the button (a white outline on the dark top bar)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    # Tab goes from the button straight into the links, in order
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Workflows", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Workflows", exact=True)).to_be_hidden()

    # following a link navigates, and the menu on the new page starts closed
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workflows")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Workflows", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Workflows", exact=True)).to_have_attribute("aria-current", "page")
    assert page.errors == []


def test_phone_menu_closes_on_a_click_elsewhere_and_on_a_followed_link(owner_page):
    page = owner_page(PHONE, "/home")
    button = page.get_by_role("button", name="Menu")
    button.click()
    page.mouse.click(187, 720)          # on the page, below the open menu
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    # an in-page click on a link closes the menu before the next page loads
    page.evaluate("document.querySelector('#mainnav a').addEventListener('click', e => e.preventDefault())")
    page.get_by_role("link", name="Home", exact=True).click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_hidden()


def test_desktop_shows_every_link_and_no_menu_button(owner_page):
    page = owner_page(DESKTOP)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav_links(page)).to_have_text(LINKS)
    tops = set()
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        tops.add(round(link.bounding_box()["y"]))
    assert len(tops) == 1, "the desktop nav is one row"
    expect(page.get_by_role("link", name="Usage", exact=True)).to_have_attribute("aria-current", "page")


def test_desktop_needs_no_js_for_the_links(owner_page):
    page = owner_page(DESKTOP, java_script_enabled=False)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in LINKS:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_phone_without_js_shows_the_links_wrapped(owner_page):
    page = owner_page(PHONE, java_script_enabled=False)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "nav-menu-phone-nojs.png"))

"""The main navigation: on a phone (375×740) a disclosure behind a Menu button (aria-expanded / aria-controls,
Escape closes it and returns focus to the button, following a link closes it); on a desktop (1280×800) every
link in one row and no button; on a phone without JS the links are shown, wrapped over rows. At every width,
with short or long workspace and user names (long ones shortened in the row), either the Menu button shows and works or every link shows in one
row that does not overflow (never a row scrolling sideways); resizing switches between the two."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import log_in
from tests.factories import make_user, make_workspace

pytestmark = pytest.mark.e2e

PHONE, DESKTOP = {"width": 375, "height": 740}, {"width": 1280, "height": 800}
# an owner sees every link of the main nav (Usage and Outbox are admins' only)
LINKS = ["Home", "Workflows", "Runs", "Members", "API keys", "Settings", "Usage", "Outbox", "API docs"]
WIDTHS = [375, 820, 821, 900, 1024, 1100, 1280, 1440]
NAV_OVERFLOW = "(n => n.scrollWidth - n.clientWidth)(document.querySelector('.mainnav'))"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def long_named_owner():
    """An owner whose workspace and user names fill the top bar's workspace and account menus."""
    user = make_user(email="alexandra.long@example.com", name="alexandra.long@example.com")
    make_workspace(user, name="Marketing Voice Team", slug="marketing-voice-team")
    return user


def _page_opener(browser, live_server, user):
    contexts = []

    def _open(viewport, path="/usage", **ctx_args):
        ctx = browser.new_context(viewport=viewport, **ctx_args)
        contexts.append(ctx)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, live_server, user.email)
        page.goto(live_server + path)
        page.errors = errors
        return page

    return _open, contexts


@pytest.fixture
def owner_page(browser, live_server, owner, workspace):
    _open, contexts = _page_opener(browser, live_server, owner)
    yield _open
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def long_named_owner_page(browser, live_server, long_named_owner):
    _open, contexts = _page_opener(browser, live_server, long_named_owner)
    yield _open
    for ctx in contexts:
        ctx.close()


def nav_links(page):
    return page.get_by_role("navigation", name="Main").get_by_role("link")



def link_rows(page) -> int:
    """How many rows the shown nav's links take (every link in order, visible and on screen)."""
    expect(nav_links(page)).to_have_text(LINKS)
    tops = set()
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        tops.add(round(link.bounding_box()["y"]))
    return len(tops)


def open_menu(page, button) -> None:
    """Opens the collapsed nav: the button says so and every link is shown, in order and on screen."""
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav_links(page)).to_have_text(LINKS)
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()

def test_phone_menu_opens_shows_every_link_and_escape_returns_focus(owner_page):
    page = owner_page(PHONE)
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.locator("#" + button.get_attribute("aria-controls")).get_attribute("aria-label") == "Main"
    for name in LINKS:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_hidden()

    open_menu(page, button)
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
    assert link_rows(page) == 1, "the desktop nav is one row"
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


def nav_state(page, width: int) -> str:
    """"menu" if the Menu button shows (then it opens on every link, in sight, and Escape closes it), "row" if
    it does not (then every link shows in one row that does not overflow); either way the page does not
    scroll sideways."""
    button = page.get_by_role("button", name="Menu")
    if button.is_visible():
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("link", name="Home", exact=True)).to_be_hidden()
        open_menu(page, button)
        assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0, f"{width}px, menu open: the page scrolls sideways"
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("link", name="Home", exact=True)).to_be_hidden()
        state = "menu"
    else:
        rows = link_rows(page)
        assert rows == 1, f"{width}px: the nav's links are on {rows} rows"
        assert page.evaluate(NAV_OVERFLOW) <= 0, f"{width}px: the nav's row overflows (it would scroll sideways)"
        state = "row"
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0, f"{width}px: the page scrolls sideways"
    return state


MENU_BELOW_1100 = {375: "menu", 820: "menu", 821: "menu", 900: "menu", 1024: "menu",
                   1100: "row", 1280: "row", 1440: "row"}


def states_by_width(page) -> dict[int, str]:
    """The nav's state ("menu" or "row", each checked by nav_state) at every width of WIDTHS, after a reload."""
    states = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.reload()
        states[width] = nav_state(page, width)
    return states


def test_every_width_shows_the_menu_or_a_row_that_fits(owner_page):
    """"Acme Audio" and a short user name fit in one row from about 1047px: the row there, the menu below."""
    page = owner_page(DESKTOP)
    assert states_by_width(page) == MENU_BELOW_1100
    assert page.errors == []


def test_long_names_are_shortened_and_keep_the_row_on_a_desktop(long_named_owner_page):
    """A long workspace and user name are shortened in the links' row (an ellipsis; the full name is the
    button's title), so the row fits from 1100px (and the 1120px top bar of every wider screen); where even the shortened names leave it
    no room the nav is behind its Menu button; nothing scrolls sideways."""
    page = long_named_owner_page(DESKTOP)
    assert states_by_width(page) == MENU_BELOW_1100
    for summary, name in (("#workspace-switcher > summary", "Marketing Voice Team"),
                          ("#user-menu > summary", "alexandra.long@example.com")):
        expect(page.locator(summary)).to_have_attribute("title", name)
        label = page.locator(summary + " .label")
        expect(label).to_have_text(name)
        assert label.evaluate("l => l.scrollWidth > l.clientWidth && getComputedStyle(l).textOverflow === 'ellipsis'"), \
            f"{name} is not shortened in the row"
    page.screenshot(path=str(ARTIFACTS / "nav-menu-long-names-1440.png"))
    assert page.errors == []


def test_resizing_switches_between_the_row_and_the_menu(owner_page):
    """The nav is measured whenever the top bar's width changes, not only on load; an open menu closes when
    the row comes back."""
    page = owner_page(DESKTOP, "/home")
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_hidden()
    page.set_viewport_size({"width": 900, "height": 800})
    expect(button).to_be_visible()
    assert nav_state(page, 900) == "menu"
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(button).to_be_hidden()
    assert nav_state(page, 1280) == "row"
    # hidden, the button has no role: find it by its class
    expect(page.locator(".nav-toggle")).to_have_attribute("aria-expanded", "false")
    page.set_viewport_size({"width": 1024, "height": 800})
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_hidden()
    assert page.errors == []


@pytest.mark.parametrize("width", [900, 1024, 1100, 1280])
def test_without_js_the_links_wrap_and_never_scroll_sideways(long_named_owner_page, width):
    page = long_named_owner_page({"width": width, "height": 800}, java_script_enabled=False)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in LINKS:
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    assert page.evaluate(NAV_OVERFLOW) <= 0
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    page.screenshot(path=str(ARTIFACTS / f"nav-nojs-long-names-{width}.png"))

"""End to end in a real browser: sign up, workspaces, invites through the outbox, roles, API keys."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def sign_up(v, name: str, email: str, workspace: str):
    v.goto("/signup")
    v.page.fill("#display_name", name)
    v.page.fill("#email", email)
    v.page.fill("#password", PASSWORD)
    v.page.fill("#workspace_name", workspace)
    v.page.click("button[type=submit]")
    expect(v.page).to_have_url(re.compile(r"/home$"))


def nav(v, label: str):
    v.page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
    v.page.wait_for_load_state("load")


def test_invite_accept_and_role_change(browser, visitor, live_server):
    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    admin = visitor(admin_ctx.new_page(), "admin")
    admin.goto("/login")
    expect(admin.page.get_by_role("heading", name="Log in to OnePin")).to_be_visible()
    admin.check("login")
    admin.goto("/signup")
    admin.check("signup")
    sign_up(admin, "Ada Admin", "ada@example.com", "Ada's studio")
    expect(admin.page.locator("h1")).to_contain_text("Ada's studio")
    expect(admin.page.locator("#stat-role")).to_contain_text("Admin")
    admin.check("home")

    # a second workspace from the switcher
    admin.page.click("#workspace-switcher > summary")
    admin.page.get_by_role("link", name="New workspace").click()
    expect(admin.page).to_have_url(re.compile(r"/workspaces/new$"))
    admin.page.fill("#name", "Voice Lab")
    admin.page.fill("#slug", "settings")
    expect(admin.page.locator("#slug-status")).to_have_attribute("data-state", "reserved")
    admin.page.fill("#slug", "voice-lab")
    expect(admin.page.locator("#slug-status")).to_have_attribute("data-state", "available")
    admin.page.check("#color_idx-1")
    admin.check("new-workspace")
    admin.page.get_by_role("button", name="Create workspace").click()
    expect(admin.page.locator("h1")).to_contain_text("Voice Lab")
    expect(admin.page.locator("#workspace-switcher summary")).to_contain_text("Voice Lab")

    # invite a viewer
    nav(admin, "Members")
    admin.page.fill("#invite-email", "invitee@example.com")
    admin.page.select_option("#invite-role", "viewer")
    admin.page.get_by_role("button", name="Send invite").click()
    row = admin.page.locator('tr[data-email="invitee@example.com"]')
    expect(row).to_contain_text("Invited")
    expect(admin.page.locator("#members-panel")).to_contain_text("Invitation sent to invitee@example.com.")
    admin.check("members")

    # the accept link, read from the outbox
    nav(admin, "Outbox")
    mail = admin.page.locator('details.mail[data-to="invitee@example.com"]')
    expect(mail).to_contain_text("invited you to Voice Lab")
    link = mail.locator('a[href*="/invites/"]').get_attribute("href")
    assert link.startswith(live_server + "/invites/")
    admin.check("outbox")

    # the invitee, in a second browser context
    invitee_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    invitee = visitor(invitee_ctx.new_page(), "invitee")
    sign_up(invitee, "Ivy Invitee", "invitee@example.com", "Ivy's own")
    invitee.goto(link)
    expect(invitee.page.locator("#invite-card h1")).to_contain_text("Voice Lab")
    expect(invitee.page.locator("#invite-card")).to_contain_text("Viewer")
    invitee.check("invite-accept")
    invitee.page.get_by_role("button", name="Accept and join Voice Lab").click()
    expect(invitee.page).to_have_url(re.compile(r"/home$"))
    expect(invitee.page.locator(".flash-success")).to_contain_text("You joined as viewer")
    expect(invitee.page.locator("h1")).to_contain_text("Voice Lab")
    expect(invitee.page.locator("#stat-role")).to_contain_text("Viewer")
    expect(invitee.page.get_by_role("link", name="Invite people")).to_have_count(0)
    expect(invitee.page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox")).to_have_count(0)
    invitee.check("home-viewer")
    nav(invitee, "Members")
    expect(invitee.page.locator('tr[data-email="ada@example.com"]')).to_contain_text("Owner")
    expect(invitee.page.locator("#invite-form")).to_have_count(0)
    expect(invitee.page.locator("#members-table select")).to_have_count(0)
    invitee.check("members-viewer")
    nav(invitee, "Settings")
    expect(invitee.page.locator("#name")).to_be_disabled()
    expect(invitee.page.get_by_role("button", name="Save changes")).to_have_count(0)
    invitee.check("settings-viewer")

    # the admin promotes the invitee
    nav(admin, "Members")
    invitee_row = admin.page.locator('tr[data-email="invitee@example.com"]')
    expect(invitee_row).to_contain_text("Active")
    invitee_row.locator("select").select_option("admin")
    expect(admin.page.locator("#members-panel")).to_contain_text("Role changed to admin.")
    expect(admin.page.locator('tr[data-email="invitee@example.com"] select')).to_have_value("admin")

    # ... and the invitee's view changes on reload
    invitee.page.reload()  # still on the settings page
    expect(invitee.page.locator("#name")).to_be_enabled()
    expect(invitee.page.get_by_role("button", name="Save changes")).to_be_visible()
    nav(invitee, "Members")
    expect(invitee.page.locator("#invite-form")).to_be_visible()
    invitee.check("members-promoted")

    # the admin's remaining pages
    nav(admin, "Settings")
    admin.page.fill("#slug", "ada-studio-two")
    expect(admin.page.locator("#slug-status")).to_have_attribute("data-state", "available")
    admin.check("settings")
    admin.page.get_by_role("button", name="Save changes").click()
    expect(admin.page.locator("#ws-general")).to_contain_text("Workspace settings saved.")
    nav(admin, "API keys")
    admin.check("api-keys")
    admin.page.click("#user-menu > summary")
    admin.page.get_by_role("link", name="Profile & password").click()
    expect(admin.page.locator("h1")).to_have_text("Profile")
    admin.page.uncheck("#completed_generation_email")
    admin.page.get_by_role("button", name="Save preferences").click()
    expect(admin.page.locator("#notifications-panel")).to_contain_text("Notification preferences saved.")
    admin.page.reload()
    expect(admin.page.locator("#completed_generation_email")).not_to_be_checked()
    expect(admin.page.locator("#failed_generation_email")).to_be_checked()
    admin.check("profile")

    admin.assert_no_console_errors()
    invitee.assert_no_console_errors()
    admin_ctx.close()
    invitee_ctx.close()


def test_api_key_is_shown_once(browser, visitor, live_server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    v = visitor(ctx.new_page(), "keys")
    sign_up(v, "Kim Keys", "kim@example.com", "Kim's lab")
    nav(v, "API keys")
    expect(v.page.locator("#new-api-key")).to_have_count(0)
    v.page.fill("#key-name", "CI pipeline")
    v.page.check("#scope-all")
    v.page.get_by_role("button", name="Create key").click()
    code = v.page.locator("code#new-api-key")
    expect(code).to_be_visible()
    key = code.inner_text().strip()
    assert key.startswith("op_live_") and len(key) > 40
    expect(v.page.locator(".secret")).to_contain_text("will not be shown again")
    v.page.get_by_role("button", name="Copy").click()
    expect(v.page.locator("[data-copy-target]")).to_have_text("Copied")
    assert v.page.evaluate("navigator.clipboard.readText()") == key
    v.check("api-key-created")
    v.page.reload()
    expect(v.page.locator("#new-api-key")).to_have_count(0)
    assert key not in v.page.content()
    expect(v.page.locator("#api-keys-table")).to_contain_text("CI pipeline")
    expect(v.page.locator("#api-keys-table")).to_contain_text(key[:14])
    expect(v.page.locator("#api-keys-table")).to_contain_text("Full access")

    # small screens: the same pages at phone width
    v.page.set_viewport_size({"width": 375, "height": 800})
    v.check("api-keys-mobile")
    v.goto("/home")
    v.check("home-mobile")
    v.goto("/settings/members")
    v.check("members-mobile")
    v.assert_no_console_errors()
    ctx.close()

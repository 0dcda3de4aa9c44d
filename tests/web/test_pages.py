"""Every page renders for the right role, and admin-only parts are hidden from others."""
from __future__ import annotations

import pytest

from tests.web.conftest import unlabelled_controls

ADMIN_PAGES = {
    "/home": "Credits balance",
    "/settings/members": 'id="invite-form"',
    "/settings/api-keys": 'id="create-key-form"',
    "/settings/workspace": "Save changes",
    "/settings/profile": 'id="password-form"',
    "/settings/outbox": "Outbox",
    "/workspaces/new": 'id="new-workspace-form"',
}


def test_anonymous_pages_render_with_labels(client):
    for path in ("/login", "/signup"):
        resp = client.get(path)
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        assert 'name="csrf_token"' in html
        assert unlabelled_controls(html) == [], path


@pytest.mark.parametrize("path", sorted(ADMIN_PAGES))
def test_login_required(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_admin_sees_every_page_and_control(admin_web, workspace):
    for path, marker in ADMIN_PAGES.items():
        html = admin_web.text(path)
        assert marker in html, path
        assert unlabelled_controls(html) == [], path
        assert "Acme Audio" in html, path  # the workspace switcher names the current workspace
    home = admin_web.text("/home")
    assert 'href="/settings/outbox"' in home and "Invite people" in home
    assert "10,000" in home  # the free plan's monthly grant is the balance


def test_home_shows_role_and_members_count(login_as, workspace, editor, viewer):
    html = login_as(viewer).text("/home")
    assert 'id="stat-role"' in html and ">Viewer<" in html
    assert '<p class="value">3</p>' in html  # owner, editor, viewer
    assert "Invite people" not in html
    assert 'href="/settings/outbox"' not in html


def test_viewer_sees_read_only_pages(login_as, workspace, viewer):
    web = login_as(viewer)
    members = web.text("/settings/members")
    assert 'id="invite-form"' not in members
    assert "/remove" not in members and 'name="role"' not in members
    assert "Owner" in members
    settings = web.text("/settings/workspace")
    assert "<fieldset disabled>" in settings
    assert "Save changes" not in settings and "Read-only" in settings
    assert web.get("/settings/outbox").status_code == 403
    assert "Not allowed" in web.get("/settings/outbox").get_data(as_text=True)


def test_editor_has_no_admin_controls(login_as, workspace, editor):
    web = login_as(editor)
    assert 'id="invite-form"' not in web.text("/settings/members")
    assert "Save changes" not in web.text("/settings/workspace")
    assert 'id="create-key-form"' in web.text("/settings/api-keys")  # editors may create keys
    assert web.get("/settings/outbox").status_code == 403


def test_partials_answer_htmx_requests_without_layout(admin_web):
    resp = admin_web.get("/settings/members", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith('<div id="members-panel">')
    assert "<html" not in html
    assert "HX-Request" in resp.headers.get("Vary", "")


def test_error_pages_are_styled(admin_web):
    resp = admin_web.get("/no/such/page")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert 'class="card narrow error-card"' in html and "app.css" in html

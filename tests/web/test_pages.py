"""Every page renders for the right role, and admin-only parts are hidden from others."""
from __future__ import annotations

import re

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


def test_home_shows_the_newest_runs_and_workflows_of_this_workspace_only(admin_web, login_as, workspace, owner, viewer):
    """Home: the five newest runs (newest first, linked) and the five most recently changed workflows; another
    workspace's never; an empty workspace points an editor at the templates."""
    from tests.factories import make_user, make_workspace
    from tests.web.test_workflow_pages import _run, _wf
    empty = admin_web.text("/home")
    assert "No runs yet." in empty and "No workflows yet." in empty and 'href="/workflows/templates"' in empty
    assert "New workflow" in empty
    stranger = make_user(email="stranger@example.com")
    theirs = _wf(make_workspace(stranger, name="Elsewhere"), stranger, "Their secret workflow")
    _run(theirs, stranger, "completed")
    flows = [_wf(workspace, owner, f"Flow {i}") for i in range(6)]
    runs = [_run(flows[0], owner, status, days_ago=10 - i) for i, status in
            enumerate(("completed", "failed", "completed", "cancelled", "completed", "running"))]
    home = admin_web.text("/home")
    recent = home.split('id="recent-runs"')[1].split("</section>")[0]
    shown = re.findall(r'<tr data-run-id="([^"]+)"', recent)
    assert shown == [r.id for r in reversed(runs)][:5]                     # newest first, five of six
    assert f'href="/runs/{runs[-1].id}"' in recent and ">running<" in recent and 'href="/runs"' in recent
    listed = home.split('id="recent-workflows"')[1].split("</section>")[0]
    assert re.findall(r"<strong>(Flow \d)</strong>", listed) == ["Flow 5", "Flow 4", "Flow 3", "Flow 2", "Flow 1"]
    assert f'href="/workflows/{flows[5].id}/edit"' in listed
    assert "Their secret workflow" not in home and theirs.id not in home
    assert unlabelled_controls(home) == []
    # a viewer sees the same runs and workflows, and no way to make one
    seen = login_as(viewer).text("/home")
    assert re.findall(r'<tr data-run-id="([^"]+)"', seen) == shown and "New workflow" not in seen

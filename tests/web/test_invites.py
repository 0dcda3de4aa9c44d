"""Accepting an invitation from the emailed link."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import EmailOutbox, Invite, Membership, User
from tests.factories import make_user


@pytest.fixture
def invite_link(admin_web, workspace):
    admin_web.post("/settings/members/invite", {"email": "invitee@example.com", "role": "editor"})
    body = db.session.scalar(db.select(EmailOutbox.body_text).filter_by(kind="invite"))
    return re.search(r"http://localhost(/invites/[\w-]+)", body).group(1)


def test_anonymous_visitor_sees_invite_and_login_links(client, invite_link):
    resp = client.get(invite_link)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Acme Audio" in html and "Editor" in html and "invitee@example.com" in html
    assert f"/login?next={invite_link}\"" in html
    assert f"/signup?next={invite_link}\"" in html


def test_invitee_accepts_and_switches(login_as, workspace, invite_link):
    invitee = make_user(email="invitee@example.com")
    web = login_as(invitee)
    page = web.text(invite_link)
    assert "Accept and join Acme Audio" in page
    resp = web.post(invite_link)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/home")
    db.session.expire_all()
    m = db.session.scalar(db.select(Membership).filter_by(workspace_id=workspace.id, user_id=invitee.id))
    assert m.role == "editor"
    assert db.session.get(User, invitee.id).current_workspace_id == workspace.id
    home = web.text("/home")
    assert "Welcome to Acme Audio! You joined as editor." in home
    assert db.session.scalar(db.select(Invite.status)) == "accepted"


def test_login_with_next_returns_to_invite(app, workspace, invite_link):
    from tests.web.conftest import scrape_csrf
    make_user(email="invitee@example.com")
    c = app.test_client()
    token = scrape_csrf(c, f"/login?next={invite_link}")
    resp = c.post("/login", data={"csrf_token": token, "email": "invitee@example.com",
                                  "password": "correct horse battery", "next": invite_link})
    assert resp.status_code == 302 and resp.headers["Location"] == invite_link


def test_wrong_email_is_403(login_as, workspace, invite_link):
    other = make_user(email="someone@example.com")
    resp = login_as(other).post(invite_link)
    assert resp.status_code == 403
    assert "sent to another email address" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(Membership).filter_by(user_id=other.id, workspace_id=workspace.id)) is None


def test_revoked_invite_is_410(admin_web, login_as, workspace, invite_link):
    inv = db.session.scalar(db.select(Invite))
    admin_web.post(f"/settings/invites/{inv.id}/revoke")
    web = login_as(make_user(email="invitee@example.com"))
    resp = web.get(invite_link)
    assert resp.status_code == 410 and "has been revoked" in resp.get_data(as_text=True)
    resp = web.post(invite_link)
    assert resp.status_code == 410 and "This invite has been revoked." in resp.get_data(as_text=True)


def test_unknown_token_is_404(client):
    resp = client.get("/invites/not-a-real-token")
    assert resp.status_code == 404 and "not valid" in resp.get_data(as_text=True)


def test_accept_requires_csrf(login_as, workspace, invite_link):
    invitee = make_user(email="invitee@example.com")
    resp = login_as(invitee).post(invite_link, csrf=False)
    assert resp.status_code == 400
    assert db.session.scalar(db.select(Membership).filter_by(user_id=invitee.id, workspace_id=workspace.id)) is None

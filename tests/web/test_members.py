"""Members and invites: admins manage, everyone else is refused by the server (not just the UI)."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import EmailOutbox, Invite, Membership


def _count(model, **filters) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**filters))


def _role(ws, user) -> str | None:
    db.session.expire_all()
    m = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
    return m.role if m else None


def test_members_page_marks_owner_without_controls(admin_web, workspace, owner, editor):
    html = admin_web.text("/settings/members")
    owner_row = html.split('data-email="owner@example.com"')[1].split("</tr>")[0]
    assert "Owner" in owner_row and "<select" not in owner_row and "Remove" not in owner_row
    editor_row = html.split('data-email="editor@example.com"')[1].split("</tr>")[0]
    assert "<select" in editor_row and "Remove" in editor_row and "hx-confirm" in editor_row


def test_invite_writes_outbox_and_swaps_table(admin_web, workspace):
    resp = admin_web.post("/settings/members/invite", {"email": "New@Example.com", "role": "viewer"}, htmx=True)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="members-panel">')
    assert 'data-email="new@example.com" data-status="invited"' in html
    assert "Invitation sent to New@Example.com." in html
    inv = db.session.scalar(db.select(Invite).filter_by(workspace_id=workspace.id))
    assert (inv.email, inv.role, inv.status) == ("new@example.com", "viewer", "pending")
    mail = db.session.scalar(db.select(EmailOutbox).filter_by(workspace_id=workspace.id, kind="invite"))
    assert mail.to_email == "new@example.com" and mail.status == "held"
    assert re.search(r"http://localhost/invites/[\w-]{20,}", mail.body_text)
    outbox = admin_web.text("/settings/outbox")
    assert "new@example.com" in outbox and "Held" in outbox and 'href="http://localhost/invites/' in outbox


def test_invite_errors_show_next_to_fields(admin_web, workspace, editor):
    resp = admin_web.post("/settings/members/invite", {"email": "not-an-email", "role": "boss"}, htmx=True)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="invite-email-error"' in html and "must be a valid email address" in html
    assert 'id="invite-role-error"' in html
    resp = admin_web.post("/settings/members/invite", {"email": "editor@example.com", "role": "viewer"}, htmx=True)
    assert resp.status_code == 409 and "already a member" in resp.get_data(as_text=True)
    assert _count(Invite) == 0 and _count(EmailOutbox) == 0


def test_non_admins_cannot_invite(login_as, workspace, editor, viewer):
    for user in (editor, viewer):
        web = login_as(user)
        resp = web.post("/settings/members/invite", {"email": "x@example.com", "role": "admin"})
        assert resp.status_code == 403
        resp = web.post("/settings/members/invite", {"email": "x@example.com", "role": "admin"}, htmx=True)
        assert resp.status_code == 403 and "Only admins can invite" in resp.get_data(as_text=True)
    assert _count(Invite) == 0 and _count(EmailOutbox) == 0


def test_post_without_csrf_is_refused(admin_web, workspace, editor):
    resp = admin_web.post("/settings/members/invite", {"email": "x@example.com", "role": "viewer"}, csrf=False)
    assert resp.status_code == 400 and "Form expired" in resp.get_data(as_text=True)
    m = db.session.scalar(db.select(Membership).filter_by(user_id=editor.id))
    resp = admin_web.post(f"/settings/members/{m.id}/role", {"role": "admin", "csrf_token": "forged"}, csrf=False)
    assert resp.status_code == 400
    assert _count(Invite) == 0 and _role(workspace, editor) == "editor"


def test_admin_changes_role_and_member_is_told(admin_web, workspace, editor):
    m = db.session.scalar(db.select(Membership).filter_by(user_id=editor.id))
    resp = admin_web.post(f"/settings/members/{m.id}/role", {"role": "viewer"}, htmx=True)
    assert resp.status_code == 200 and "Role changed to viewer." in resp.get_data(as_text=True)
    assert _role(workspace, editor) == "viewer"
    assert _count(EmailOutbox, kind="role_changed", to_email="editor@example.com") == 1


def test_owner_role_is_protected(admin_web, workspace, owner):
    m = db.session.scalar(db.select(Membership).filter_by(user_id=owner.id))
    resp = admin_web.post(f"/settings/members/{m.id}/role", {"role": "viewer"}, htmx=True)
    assert resp.status_code == 409
    assert "owner&#39;s role cannot change" in resp.get_data(as_text=True)
    assert _role(workspace, owner) == "admin"


def test_non_admins_cannot_change_roles_or_remove(login_as, workspace, owner, editor, viewer):
    target = db.session.scalar(db.select(Membership).filter_by(user_id=viewer.id))
    web = login_as(editor)
    assert web.post(f"/settings/members/{target.id}/role", {"role": "admin"}).status_code == 403
    assert web.post(f"/settings/members/{target.id}/remove").status_code == 403
    own = db.session.scalar(db.select(Membership).filter_by(user_id=editor.id))
    assert web.post(f"/settings/members/{own.id}/role", {"role": "admin"}, htmx=True).status_code == 403
    assert _role(workspace, viewer) == "viewer" and _role(workspace, editor) == "editor"


def test_admin_removes_member(admin_web, workspace, editor):
    m = db.session.scalar(db.select(Membership).filter_by(user_id=editor.id))
    resp = admin_web.post(f"/settings/members/{m.id}/remove")
    assert resp.status_code == 302
    assert _role(workspace, editor) is None
    assert "Member removed." in admin_web.text("/settings/members")


def test_member_of_another_workspace_is_404(admin_web, workspace):
    from tests.factories import add_member, make_workspace
    other = make_workspace(name="Other")
    stranger = add_member(other, role="viewer")
    m = db.session.scalar(db.select(Membership).filter_by(user_id=stranger.id))
    assert admin_web.post(f"/settings/members/{m.id}/remove").status_code == 404
    assert _role(other, stranger) == "viewer"


def test_revoke_and_change_invite(admin_web, workspace):
    admin_web.post("/settings/members/invite", {"email": "a@example.com", "role": "viewer"})
    inv = db.session.scalar(db.select(Invite).filter_by(email="a@example.com"))
    resp = admin_web.post(f"/settings/invites/{inv.id}/role", {"role": "editor"}, htmx=True)
    assert resp.status_code == 200
    db.session.expire_all()
    assert db.session.get(Invite, inv.id).role == "editor"
    resp = admin_web.post(f"/settings/invites/{inv.id}/revoke", htmx=True)
    assert resp.status_code == 200 and 'data-email="a@example.com"' not in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invite, inv.id).status == "revoked"


def test_viewer_cannot_revoke_invites(admin_web, login_as, workspace, viewer):
    admin_web.post("/settings/members/invite", {"email": "a@example.com", "role": "viewer"})
    inv = db.session.scalar(db.select(Invite).filter_by(email="a@example.com"))
    web = login_as(viewer)
    assert web.post(f"/settings/invites/{inv.id}/revoke").status_code == 403
    assert web.post(f"/settings/invites/{inv.id}/role", {"role": "admin"}).status_code == 403
    db.session.expire_all()
    inv = db.session.get(Invite, inv.id)
    assert (inv.status, inv.role) == ("pending", "viewer")

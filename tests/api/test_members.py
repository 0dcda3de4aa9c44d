"""workspace_members.*: list, invites (create, role, revoke, accept), member role changes and removal."""
import re
import secrets
from datetime import datetime, timedelta

import pytest

from app.auth.tokens import new_invite_token, sha256_hex
from app.extensions import db
from app.models import EmailOutbox, Invite, Membership
from app.models.base import utcnow
from tests.api.conftest import count, fresh, jwt_for, make_invite
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace, membership


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _member_id(ws, user) -> str:
    return membership(ws, user).id


def _make_owner_non_admin(ws, owner):
    """Legacy data: the owner is not an admin, so some other member is the last admin."""
    m = membership(ws, owner)
    m.role = "editor"
    db.session.commit()


# ---------------------------------------------------------------- list


def test_members_list_order_and_invites(api, owner, workspace):
    editor = add_member(workspace, make_user(email="ed@example.com"), "editor")
    admin2 = add_member(workspace, make_user(email="ad@example.com"), "admin")
    viewer = add_member(workspace, make_user(email="vi@example.com"), "viewer")
    make_invite(workspace, owner, "pending@example.com", "viewer")
    body = assert_envelope(api.as_(jwt_for(viewer)).get(f"/api/v1/workspaces/{workspace.id}/members"))
    rows = body["data"]
    assert [r["email"] for r in rows] == ["vi@example.com", "owner@example.com", "ad@example.com",
                                          "ed@example.com", "pending@example.com"]
    assert [r["status"] for r in rows] == ["active"] * 4 + ["invited"]
    assert rows[-1]["user_id"] is None and rows[-1]["role"] == "viewer"
    assert rows[0]["user_id"] == viewer.id and rows[0]["id"] == _member_id(workspace, viewer)
    for r in rows:
        assert {"id", "email", "role", "status"} <= set(r)
    assert body["pagination"]["limit"] >= len(rows)
    # the admin sees itself first
    rows = assert_envelope(api.as_(jwt_for(admin2)).get(f"/api/v1/workspaces/{workspace.id}/members"))["data"]
    assert [r["email"] for r in rows][:3] == ["ad@example.com", "owner@example.com", "ed@example.com"]
    assert editor.id in {r["user_id"] for r in rows}


def test_members_list_hides_expired_revoked_accepted_invites(api, owner, workspace, owner_key):
    exp, _ = make_invite(workspace, owner, "expired@example.com")
    rev, _ = make_invite(workspace, owner, "revoked@example.com")
    exp.expires_at = utcnow() - timedelta(seconds=1)
    rev.status = "revoked"
    db.session.commit()
    rows = assert_envelope(api.as_(owner_key).get(f"/api/v1/workspaces/{workspace.id}/members"))["data"]
    assert [r["email"] for r in rows] == ["owner@example.com"]


# ---------------------------------------------------------------- invites


def test_create_invite(api, owner, workspace, owner_key):
    resp = api.as_(owner_key).post(f"/api/v1/workspaces/{workspace.id}/invites",
                                   json={"email": "  New.Person@Example.COM ", "role": "editor"})
    d = assert_envelope(resp, 201)["data"]
    assert d["email"] == "new.person@example.com"
    assert d["role"] == "editor" and d["status"] == "pending"
    assert d["invited_by"] == owner.id
    assert abs(_ts(d["expires_at"]) - _ts(d["created_at"]) - timedelta(days=14)) < timedelta(seconds=5)
    assert abs(_ts(d["created_at"]) - utcnow()) < timedelta(minutes=1)
    # an outbox row carries the accept link with the token
    fresh()
    mails = list(db.session.scalars(db.select(EmailOutbox).where(EmailOutbox.kind == "invite")))
    assert len(mails) == 1 and mails[0].to_email == "new.person@example.com"
    assert mails[0].workspace_id == workspace.id
    token = re.search(r"/invites/([A-Za-z0-9_\-]+)", mails[0].body_text).group(1)
    # ... and that token really accepts the invite
    invitee = make_user(email="new.person@example.com")
    accepted = assert_envelope(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"))
    assert accepted["data"]["workspace_id"] == workspace.id
    assert membership(workspace, invitee).role == "editor"


def test_invite_token_not_stored_in_clear(owner, workspace):
    inv, token = make_invite(workspace, owner, "x@example.com")
    assert token not in (inv.token_hash or "")


def test_invite_token_never_starts_with_dash():
    """The invitation email says `onepin workspace members accept <token>`: the CLI takes a token starting with
    "-" for an option and crashes (a conformance flake). token_urlsafe starts 1 token in 64 with "-", so 2000
    unfixed draws pass with probability (63/64)**2000 < 1e-13."""
    drawn = [new_invite_token() for _ in range(2000)]
    assert [t for t in drawn if t.startswith("-")] == []
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in drawn)  # still 32 random bytes, base64url
    assert len(set(drawn)) == len(drawn)


def test_invite_with_a_dash_first_draw_emails_and_accepts_another_token(api, owner, workspace, monkeypatch):
    real = secrets.token_urlsafe
    dash = "-" + real(32)[1:]
    calls = []

    def draw(nbytes=None):
        calls.append(nbytes)
        return dash if len(calls) == 1 else real(nbytes)
    monkeypatch.setattr(secrets, "token_urlsafe", draw)
    inv, token = make_invite(workspace, owner, "dash@example.com")
    monkeypatch.undo()
    assert len(calls) >= 2 and token != dash and not token.startswith("-")
    assert inv.token_hash == sha256_hex(token)
    fresh()
    mail = db.session.scalar(db.select(EmailOutbox).where(EmailOutbox.to_email == "dash@example.com"))
    assert f"onepin workspace members accept {token}\n" in mail.body_text
    invitee = make_user(email="dash@example.com")
    assert_error(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{dash}/accept"), 404)
    accepted = assert_envelope(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"))
    assert accepted["data"]["workspace_id"] == workspace.id


def test_invite_by_browser_admin(api, workspace):
    admin = add_member(workspace, role="admin")
    assert_envelope(api.as_(jwt_for(admin)).post(f"/api/v1/workspaces/{workspace.id}/invites",
                                                 json={"email": "a@example.com", "role": "viewer"}), 201)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_invite_by_non_admin_403(api, workspace, role):
    member = add_member(workspace, role=role)
    assert_error(api.as_(jwt_for(member)).post(f"/api/v1/workspaces/{workspace.id}/invites",
                                               json={"email": "a@example.com", "role": "viewer"}), 403, "FORBIDDEN")
    assert count(Invite) == 0 and count(EmailOutbox) == 0


def test_invite_by_non_member_404(api, workspace):
    stranger = make_user()
    assert_error(api.as_(jwt_for(stranger)).post(f"/api/v1/workspaces/{workspace.id}/invites",
                                                 json={"email": "a@example.com", "role": "viewer"}), 404)


@pytest.mark.parametrize("body,field", [({"email": "not-an-email", "role": "editor"}, "email"),
                                        ({"role": "editor"}, "email"),
                                        ({"email": "a@example.com"}, "role"),
                                        ({"email": "a@example.com", "role": "owner"}, "role"),
                                        ({"email": "a@example.com", "role": None}, "role")])
def test_invite_validation(owner_api, workspace, body, field):
    err = assert_error(owner_api.post(f"/api/v1/workspaces/{workspace.id}/invites", json=body), 422)
    assert field in [d["field"] for d in err["error"]["details"]]
    assert count(Invite) == 0 and count(EmailOutbox) == 0


def test_invite_pending_duplicate_409(owner_api, workspace):
    url = f"/api/v1/workspaces/{workspace.id}/invites"
    assert_envelope(owner_api.post(url, json={"email": "dup@example.com", "role": "editor"}), 201)
    for _ in range(3):
        err = assert_error(owner_api.post(url, json={"email": "DUP@example.com", "role": "viewer"}), 409)
        assert err["error"]["code"]
    assert count(Invite) == 1 and count(EmailOutbox) == 1


def test_invite_existing_member_409(owner_api, workspace):
    add_member(workspace, make_user(email="member@example.com"), "viewer")
    for email in ("member@example.com", "Owner@Example.com"):
        assert_error(owner_api.post(f"/api/v1/workspaces/{workspace.id}/invites",
                                    json={"email": email, "role": "editor"}), 409)
    assert count(Invite) == 0 and count(EmailOutbox) == 0


def test_reinvite_after_revoke_or_expiry_ok(owner_api, owner, workspace):
    inv, _ = make_invite(workspace, owner, "again@example.com")
    inv.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert_envelope(owner_api.post(f"/api/v1/workspaces/{workspace.id}/invites",
                                   json={"email": "again@example.com", "role": "editor"}), 201)


def test_seat_limit_402(owner_api, owner, workspace):
    # free plan: 5 seats = active members + pending invites
    add_member(workspace, role="editor")
    url = f"/api/v1/workspaces/{workspace.id}/invites"
    for i in range(3):
        assert_envelope(owner_api.post(url, json={"email": f"seat{i}@example.com", "role": "viewer"}), 201)
    before = (count(Invite), count(EmailOutbox))
    err = assert_error(owner_api.post(url, json={"email": "one-too-many@example.com", "role": "viewer"}), 402)
    assert err["error"]["code"] == "SEAT_LIMIT_REACHED"
    assert (count(Invite), count(EmailOutbox)) == before
    # revoking a pending invite frees a seat
    pending = db.session.scalar(db.select(Invite).where(Invite.email == "seat0@example.com"))
    assert_envelope(owner_api.delete(f"/api/v1/workspaces/{workspace.id}/invites/{pending.id}"))
    assert_envelope(owner_api.post(url, json={"email": "one-too-many@example.com", "role": "viewer"}), 201)


def test_seat_limit_follows_owner_plan(api):
    pro = make_user(plan="pro")
    ws = make_workspace(pro)
    a = api.as_(make_key(ws, pro))
    for i in range(6):
        assert_envelope(a.post(f"/api/v1/workspaces/{ws.id}/invites", json={"email": f"p{i}@example.com",
                                                                              "role": "viewer"}), 201)


def test_update_invite_role(owner_api, owner, workspace):
    inv, _ = make_invite(workspace, owner, "r@example.com", "viewer")
    d = assert_envelope(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}",
                                        json={"role": "admin"}))["data"]
    assert d["role"] == "admin" and d["id"] == inv.id and d["status"] == "pending"
    fresh()
    assert db.session.get(Invite, inv.id).role == "admin"


@pytest.mark.parametrize("state", ["accepted", "revoked", "expired"])
def test_update_invite_role_not_pending_409(owner_api, owner, workspace, state):
    inv, _ = make_invite(workspace, owner, "r@example.com", "viewer")
    if state == "expired":
        inv.expires_at = utcnow() - timedelta(seconds=1)
    else:
        inv.status = state
    db.session.commit()
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}", json={"role": "admin"}), 409)
    fresh()
    assert db.session.get(Invite, inv.id).role == "viewer"


def test_update_invite_role_validation_and_unknown(owner_api, owner, workspace):
    inv, _ = make_invite(workspace, owner, "r@example.com", "viewer")
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}", json={"role": "boss"}), 422)
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}", json={}), 422)
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/invites/nope", json={"role": "admin"}), 404)


def test_update_invite_role_by_editor_403(api, owner, workspace):
    inv, _ = make_invite(workspace, owner, "r@example.com", "viewer")
    editor = add_member(workspace, role="editor")
    assert_error(api.as_(jwt_for(editor)).patch(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}",
                                                json={"role": "admin"}), 403)


def test_revoke_invite_then_accept_410_and_revoke_again_404(api, owner_api, owner, workspace):
    invitee = make_user(email="rv@example.com")
    inv, token = make_invite(workspace, owner, "rv@example.com")
    assert isinstance(assert_envelope(owner_api.delete(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}"))["data"],
                      dict)
    err = assert_error(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"), 410)
    assert err["error"]["code"]
    assert count(Membership, Membership.user_id == invitee.id) == 0
    assert_error(owner_api.delete(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}"), 404)


def test_revoke_by_editor_403(api, owner, workspace):
    inv, _ = make_invite(workspace, owner, "rv@example.com")
    editor = add_member(workspace, role="editor")
    assert_error(api.as_(jwt_for(editor)).delete(f"/api/v1/workspaces/{workspace.id}/invites/{inv.id}"), 403)
    fresh()
    assert db.session.get(Invite, inv.id).status == "pending"


# ---------------------------------------------------------------- accept


def test_accept_adds_member_with_invite_role(api, owner, workspace):
    invitee = make_user(email="join@example.com")
    inv, token = make_invite(workspace, owner, "join@example.com", "viewer")
    d = assert_envelope(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"))["data"]
    assert d == {"workspace_id": workspace.id} or d["workspace_id"] == workspace.id
    fresh()
    assert membership(workspace, invitee).role == "viewer"
    assert db.session.get(Invite, inv.id).status == "accepted"
    # the new member now sees the workspace
    assert_envelope(api.as_(jwt_for(invitee)).get(f"/api/v1/workspaces/{workspace.id}"))


def test_accept_email_match_is_case_insensitive(api, owner, workspace):
    invitee = make_user(email="Mixed.Case@Example.com")
    _inv, token = make_invite(workspace, owner, "mixed.case@example.com")
    assert_envelope(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"))


def test_accept_email_mismatch_403(api, owner, workspace):
    other = make_user(email="someone-else@example.com")
    _inv, token = make_invite(workspace, owner, "intended@example.com")
    assert_error(api.as_(jwt_for(other)).post(f"/api/v1/workspaces/invites/{token}/accept"), 403)
    assert count(Membership, Membership.user_id == other.id) == 0


def test_accept_expired_410(api, owner, workspace):
    invitee = make_user(email="late@example.com")
    inv, token = make_invite(workspace, owner, "late@example.com")
    inv.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"), 410)
    assert count(Membership, Membership.user_id == invitee.id) == 0


def test_accept_already_accepted_by_someone_else_410(api, owner, workspace):
    invitee = make_user(email="once@example.com")
    _inv, token = make_invite(workspace, owner, "once@example.com")
    assert_envelope(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"))
    # the member leaves; the used token can't bring them back
    m = membership(workspace, invitee)
    db.session.delete(m)
    db.session.commit()
    assert_error(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"), 410)


def test_accept_existing_member_idempotent(api, owner, workspace):
    invitee = make_user(email="twice@example.com")
    _inv, token = make_invite(workspace, owner, "twice@example.com", "editor")
    token_jwt = jwt_for(invitee)
    first = assert_envelope(api.as_(token_jwt).post(f"/api/v1/workspaces/invites/{token}/accept"))["data"]
    second = assert_envelope(api.as_(token_jwt).post(f"/api/v1/workspaces/invites/{token}/accept"))["data"]
    assert first["workspace_id"] == second["workspace_id"] == workspace.id
    assert count(Membership, Membership.user_id == invitee.id) == 1


def test_accept_when_already_member_keeps_role(api, owner, workspace):
    member = add_member(workspace, make_user(email="already@example.com"), "admin")
    inv = Invite(workspace_id=workspace.id, email="already@example.com", role="viewer",
                 token_hash=sha256_hex("tok-already"),
                 expires_at=utcnow() + timedelta(days=1), invited_by=owner.id)
    db.session.add(inv)
    db.session.commit()
    d = assert_envelope(api.as_(jwt_for(member)).post("/api/v1/workspaces/invites/tok-already/accept"))["data"]
    assert d["workspace_id"] == workspace.id
    fresh()
    assert membership(workspace, member).role == "admin"


def test_accept_unknown_token_404(api, owner):
    assert_error(api.as_(jwt_for(owner)).post("/api/v1/workspaces/invites/not-a-token/accept"), 404)


def test_accept_with_restricted_key_403(api, owner, workspace):
    invitee = make_user(email="k@example.com")
    own_ws = make_workspace(invitee)
    key = make_key(own_ws, invitee, ["workspace:read"])
    _inv, token = make_invite(workspace, owner, "k@example.com")
    assert_error(api.as_(key).post(f"/api/v1/workspaces/invites/{token}/accept"), 403, "FORBIDDEN")
    # a full-access key may accept
    full = make_key(own_ws, invitee, "all")
    assert_envelope(api.as_(full).post(f"/api/v1/workspaces/invites/{token}/accept"))


def test_accept_rechecks_seats_402(api, owner, workspace):
    invitee = make_user(email="seat@example.com")
    _inv, token = make_invite(workspace, owner, "seat@example.com")
    for _ in range(4):
        add_member(workspace, role="viewer")  # now 5 active members
    assert_error(api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept"), 402)
    assert count(Membership, Membership.user_id == invitee.id) == 0


# ---------------------------------------------------------------- member roles


def test_update_member_role(owner_api, workspace):
    editor = add_member(workspace, role="editor")
    mid = _member_id(workspace, editor)
    d = assert_envelope(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/members/{mid}",
                                        json={"role": "viewer"}))["data"]
    assert isinstance(d, dict) and d.get("role") == "viewer"
    fresh()
    assert membership(workspace, editor).role == "viewer"
    assert count(EmailOutbox, EmailOutbox.kind == "role_changed") == 1


def test_update_member_same_role_is_silent_noop(owner_api, workspace):
    editor = add_member(workspace, role="editor")
    mid = _member_id(workspace, editor)
    from app.models import ActivityEvent
    events = count(ActivityEvent)
    assert_envelope(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/members/{mid}", json={"role": "editor"}))
    assert count(EmailOutbox) == 0
    assert count(ActivityEvent) == events


def test_owner_role_cannot_change_409(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    oid = _member_id(workspace, owner)
    assert_error(api.as_(jwt_for(admin)).patch(f"/api/v1/workspaces/{workspace.id}/members/{oid}",
                                               json={"role": "viewer"}), 409)
    fresh()
    assert membership(workspace, owner).role == "admin"
    # same role on the owner is still a no-op success
    assert_envelope(api.as_(jwt_for(admin)).patch(f"/api/v1/workspaces/{workspace.id}/members/{oid}",
                                                  json={"role": "admin"}))


def test_demoting_last_admin_409(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    _make_owner_non_admin(workspace, owner)
    mid = _member_id(workspace, admin)
    for _ in range(3):
        assert_error(api.as_(jwt_for(admin)).patch(f"/api/v1/workspaces/{workspace.id}/members/{mid}",
                                                   json={"role": "editor"}), 409)
    fresh()
    assert membership(workspace, admin).role == "admin"
    assert count(EmailOutbox) == 0


def test_demoting_one_of_two_admins_ok(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    assert_envelope(api.as_(jwt_for(owner)).patch(
        f"/api/v1/workspaces/{workspace.id}/members/{_member_id(workspace, admin)}", json={"role": "viewer"}))


def test_member_role_by_editor_403_and_validation(api, owner_api, workspace):
    editor = add_member(workspace, role="editor")
    viewer = add_member(workspace, role="viewer")
    vid = _member_id(workspace, viewer)
    assert_error(api.as_(jwt_for(editor)).patch(f"/api/v1/workspaces/{workspace.id}/members/{vid}",
                                                json={"role": "admin"}), 403, "FORBIDDEN")
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/members/{vid}", json={"role": "god"}), 422)
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/members/{vid}", json={"role": None}), 422)
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}/members/nope", json={"role": "admin"}), 404)
    fresh()
    assert membership(workspace, viewer).role == "viewer"


# ---------------------------------------------------------------- remove


def test_remove_member_revokes_their_keys(api, owner_api, workspace):
    editor = add_member(workspace, role="editor")
    key = make_key(workspace, editor, ["workspace:read", "workflows:read"])
    assert_envelope(api.as_(key).get("/api/v1/auth/whoami"))
    mid = _member_id(workspace, editor)
    assert isinstance(assert_envelope(owner_api.delete(f"/api/v1/workspaces/{workspace.id}/members/{mid}"))["data"],
                      dict)
    assert_error(api.as_(key).get("/api/v1/auth/whoami"), 401)
    assert_error(api.as_(jwt_for(editor)).get(f"/api/v1/workspaces/{workspace.id}"), 404)
    assert count(Membership, Membership.user_id == editor.id) == 0
    assert count(EmailOutbox, EmailOutbox.kind == "member_removed") == 1
    # removing again: 404
    assert_error(owner_api.delete(f"/api/v1/workspaces/{workspace.id}/members/{mid}"), 404)


def test_remove_owner_409(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    assert_error(api.as_(jwt_for(admin)).delete(
        f"/api/v1/workspaces/{workspace.id}/members/{_member_id(workspace, owner)}"), 409)
    assert count(Membership, Membership.user_id == owner.id) == 1


def test_remove_last_admin_409(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    _make_owner_non_admin(workspace, owner)
    assert_error(api.as_(jwt_for(admin)).delete(
        f"/api/v1/workspaces/{workspace.id}/members/{_member_id(workspace, admin)}"), 409)
    assert count(Membership, Membership.user_id == admin.id) == 1
    assert count(EmailOutbox) == 0


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_remove_by_non_admin_403(api, workspace, role):
    actor = add_member(workspace, role=role)
    victim = add_member(workspace, role="viewer")
    assert_error(api.as_(jwt_for(actor)).delete(
        f"/api/v1/workspaces/{workspace.id}/members/{_member_id(workspace, victim)}"), 403)
    assert count(Membership, Membership.user_id == victim.id) == 1


def test_members_endpoints_for_non_member_404(api, owner, workspace):
    stranger = make_user()
    editor = add_member(workspace, role="editor")
    inv, _ = make_invite(workspace, owner, "x@example.com")
    a = api.as_(jwt_for(stranger))
    base = f"/api/v1/workspaces/{workspace.id}"
    mid = _member_id(workspace, editor)
    assert_error(a.get(f"{base}/members"), 404)
    assert_error(a.post(f"{base}/invites", json={"email": "y@example.com", "role": "viewer"}), 404)
    assert_error(a.patch(f"{base}/invites/{inv.id}", json={"role": "admin"}), 404)
    assert_error(a.delete(f"{base}/invites/{inv.id}"), 404)
    assert_error(a.patch(f"{base}/members/{mid}", json={"role": "admin"}), 404)
    assert_error(a.delete(f"{base}/members/{mid}"), 404)

"""Refused requests (402/403/404/409/410/422) leave no trace: the SDK retries 409/429/5xx twice."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from tests.api.conftest import dump, jwt_for, make_invite
from tests.factories import add_member, make_user, make_workspace, membership


@pytest.fixture
def setup(owner, workspace, owner_key):
    editor = add_member(workspace, make_user(email="editor@example.com"), "editor")
    pending, pending_token = make_invite(workspace, owner, "pending@example.com")
    revoked, revoked_token = make_invite(workspace, owner, "revoked@example.com")
    revoked.status = "revoked"
    expired, expired_token = make_invite(workspace, owner, "expired@example.com")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    make_workspace(make_user(), name="Elsewhere", slug="elsewhere")
    return {"ws": workspace, "owner": owner, "editor": editor, "key": owner_key, "pending": pending,
            "revoked": revoked, "revoked_token": revoked_token, "expired_token": expired_token,
            "pending_token": pending_token}


def _cases(s):
    ws = s["ws"]
    base = f"/api/v1/workspaces/{ws.id}"
    owner_mid = membership(ws, s["owner"]).id
    return [
        # (credential, method, path, body, status)
        ("key", "POST", "/api/v1/workspaces", {"name": "Dup", "slug": "acme-audio"}, 409),
        ("key", "POST", "/api/v1/workspaces", {"name": "Bad", "slug": "Bad Slug"}, 422),
        ("key", "POST", "/api/v1/workspaces", {"name": "Bad", "color_idx": 7}, 422),
        ("key", "PATCH", base, {"name": "Changed", "slug": "elsewhere"}, 409),
        ("key", "PATCH", base, {"name": "Changed", "color_idx": 99}, 422),
        ("key", "POST", f"{base}/invites", {"email": "PENDING@example.com", "role": "admin"}, 409),
        ("key", "POST", f"{base}/invites", {"email": "editor@example.com", "role": "admin"}, 409),
        ("key", "POST", f"{base}/invites", {"email": "nope", "role": "admin"}, 422),
        ("key", "PATCH", f"{base}/invites/{s['revoked'].id}", {"role": "admin"}, 409),
        ("key", "DELETE", f"{base}/invites/{s['revoked'].id}", None, 404),
        ("admin2", "PATCH", f"{base}/members/{owner_mid}", {"role": "viewer"}, 409),
        ("admin2", "DELETE", f"{base}/members/{owner_mid}", None, 409),
        ("editor", "PATCH", base, {"name": "By editor"}, 404),
        ("editor", "DELETE", base, None, 404),
        ("editor", "POST", f"{base}/invites", {"email": "x@example.com", "role": "viewer"}, 403),
        ("revoked", "POST", f"/api/v1/workspaces/invites/{s['revoked_token']}/accept", None, 410),
        ("expired", "POST", f"/api/v1/workspaces/invites/{s['expired_token']}/accept", None, 410),
        ("editor", "POST", f"/api/v1/workspaces/invites/{s['pending_token']}/accept", None, 403),
        ("key", "POST", f"{base}/billing/checkout", {"plan_price_id": "p", "return_url": "https://x"}, 400),
        ("key", "PATCH", "/api/v1/users/me/notification-preferences", {"completed_generation_email": None}, 422),
    ]


def test_refused_requests_change_nothing(api, setup):
    s = setup
    admin2 = add_member(s["ws"], make_user(email="admin2@example.com"), "admin")
    creds = {"key": s["key"], "editor": jwt_for(s["editor"]), "admin2": jwt_for(admin2),
             "revoked": jwt_for(make_user(email="revoked@example.com")),
             "expired": jwt_for(make_user(email="expired@example.com"))}
    before = dump()
    for cred, method, path, body, status in _cases(s):
        for _attempt in range(3):
            resp = api.as_(creds[cred]).request(method, path, json=body)
            assert resp.status_code == status, (cred, method, path, resp.status_code, resp.get_json())
            assert "error" in resp.get_json()
        after = dump()
        changed = [t for t in before if before[t] != after[t]]
        assert not changed, (cred, method, path, changed)


def test_plan_limit_402_changes_nothing(api, owner, owner_key):
    make_workspace(owner, name="Two")
    make_workspace(owner, name="Three")
    before = dump()
    for _ in range(3):
        assert api.as_(owner_key).post("/api/v1/workspaces", json={"name": "Four"}).status_code == 402
    assert dump() == before


def test_seat_limit_402_changes_nothing(api, owner, workspace, owner_key):
    for i in range(4):
        make_invite(workspace, owner, f"s{i}@example.com")
    before = dump()
    for _ in range(3):
        resp = api.as_(owner_key).post(f"/api/v1/workspaces/{workspace.id}/invites",
                                       json={"email": "extra@example.com", "role": "viewer"})
        assert resp.status_code == 402
    assert dump() == before


def test_last_admin_409_changes_nothing(api, owner, workspace):
    admin = add_member(workspace, role="admin")
    membership(workspace, owner).role = "editor"
    db.session.commit()
    before = dump()
    a = api.as_(jwt_for(admin))
    mid = membership(workspace, admin).id
    before = dump()  # jwt_for wrote a session row
    for _ in range(3):
        assert a.patch(f"/api/v1/workspaces/{workspace.id}/members/{mid}", json={"role": "viewer"}).status_code == 409
        assert a.delete(f"/api/v1/workspaces/{workspace.id}/members/{mid}").status_code == 409
    assert dump() == before

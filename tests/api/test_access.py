"""Scopes, management rights and cross-workspace isolation, driven by the endpoint registry
so that a new endpoint without a case here fails the suite."""
import uuid

import pytest

import importlib

import app.api as api_pkg
from app.api.registry import ENDPOINTS
from app.extensions import db
from app.models import SCOPES, Invite, Membership, Workspace
from tests.api.conftest import fresh, jwt_for, make_invite, snapshot
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace, membership

# Collection happens before the app exists: import the resource modules the way create_app does.
for _name in getattr(api_pkg, "RESOURCES", ("auth", "users", "workspaces")):
    try:
        importlib.import_module(f"app.api.v1.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"app.api.v1.{_name}":
            raise

OUR_TAGS = {"Auth", "Users", "Workspaces", "Workspace members"}
OURS = [(m, s.rule, s) for s in ENDPOINTS if s.tag in OUR_TAGS for m in s.methods]

# A request body that would pass validation for each write endpoint (so that only access can fail).
BODIES = {
    ("POST", "/api/v1/workspaces"): {"name": "New one"},
    ("PATCH", "/api/v1/workspaces/<workspace_id>"): {"name": "Renamed"},
    ("POST", "/api/v1/workspaces/<workspace_id>/billing/checkout"): {"plan_price_id": "p", "return_url": "https://x"},
    ("POST", "/api/v1/workspaces/<workspace_id>/invites"): {"email": "fresh@example.com", "role": "viewer"},
    ("PATCH", "/api/v1/workspaces/<workspace_id>/invites/<invite_id>"): {"role": "admin"},
    ("PATCH", "/api/v1/workspaces/<workspace_id>/members/<member_id>"): {"role": "viewer"},
    ("PATCH", "/api/v1/users/me/notification-preferences"): {"failed_generation_email": False},
}

# Endpoints outside ApiKeyScope: browser sessions or keys holding every scope only.
MANAGEMENT = {
    ("POST", "/api/v1/workspaces"),
    ("PATCH", "/api/v1/workspaces/<workspace_id>"),
    ("DELETE", "/api/v1/workspaces/<workspace_id>"),
    ("POST", "/api/v1/workspaces/<workspace_id>/billing/checkout"),
    ("POST", "/api/v1/workspaces/<workspace_id>/invites"),
    ("PATCH", "/api/v1/workspaces/<workspace_id>/invites/<invite_id>"),
    ("DELETE", "/api/v1/workspaces/<workspace_id>/invites/<invite_id>"),
    ("PATCH", "/api/v1/workspaces/<workspace_id>/members/<member_id>"),
    ("DELETE", "/api/v1/workspaces/<workspace_id>/members/<member_id>"),
    ("POST", "/api/v1/workspaces/invites/<token>/accept"),
    ("PATCH", "/api/v1/users/me/notification-preferences"),
}
NO_SCOPE = {("GET", "/api/v1/auth/whoami")}


def test_every_endpoint_is_classified():
    """A new endpoint in these areas needs a decision here: scope, management or none."""
    for method, rule, spec in OURS:
        key = (method, rule)
        if key in MANAGEMENT:
            assert spec.scope is None, key
        elif key in NO_SCOPE:
            assert spec.scope is None, key
        else:
            assert spec.scope in SCOPES, f"{key} has no scope and is not listed as management"
    assert {(m, r) for m, r, _ in OURS} >= MANAGEMENT | NO_SCOPE


@pytest.fixture
def world(owner, workspace):
    """Workspace A (owner's) with an editor, a pending invite; user B with its own workspace."""
    editor = add_member(workspace, make_user(email="editor@example.com"), "editor")
    inv, token = make_invite(workspace, owner, "invitee@example.com")
    b_user = make_user(email="b@example.com")
    b_ws = make_workspace(b_user, name="B space", slug="b-space")
    b_editor = add_member(b_ws, make_user(email="b-editor@example.com"), "editor")
    b_inv, _ = make_invite(b_ws, b_user, "b-invitee@example.com")
    return {"a": workspace, "a_owner": owner, "a_editor": editor, "a_invite": inv, "a_token": token,
            "b": b_ws, "b_user": b_user, "b_member": membership(b_ws, b_editor), "b_invite": b_inv}


def _path(rule, ws_id, member_id="m", invite_id="i", token="t"):
    return (rule.replace("<workspace_id>", ws_id).replace("<ws_id>", ws_id).replace("<member_id>", member_id)
            .replace("<invite_id>", invite_id).replace("<token>", token))


def _call(api_, method, path, body=None):
    if method == "GET":
        return api_.get(path)
    return api_.request(method, path, json=body)


# ---------------------------------------------------------------- scopes


@pytest.mark.parametrize("method,rule", [(m, r) for m, r, s in OURS if s.scope])
def test_scoped_endpoint_refuses_key_without_scope(api, world, method, rule):
    spec = next(s for m, r, s in OURS if (m, r) == (method, rule))
    a, owner = world["a"], world["a_owner"]
    other_scopes = [s for s in SCOPES if s != spec.scope]
    key = make_key(a, owner, other_scopes)  # every scope but the needed one
    path = _path(rule, a.id, membership(a, world["a_editor"]).id, world["a_invite"].id)
    before = snapshot()
    headers = {"X-Workspace-Id": a.id}
    resp = api.as_(key).request(method, path, json=BODIES.get((method, rule)), headers=headers)
    assert_error(resp, 403, "FORBIDDEN")
    assert snapshot() == before
    # ... and the same key plus that scope is let through
    key2 = make_key(a, owner, [spec.scope])
    resp = api.as_(key2).request(method, path, json=BODIES.get((method, rule)), headers=headers)
    assert resp.status_code not in (401, 403), (method, rule, resp.get_json())


def test_workflows_read_key_cannot_list_workspaces(api, owner, workspace):
    key = make_key(workspace, owner, ["workflows:read"])
    assert_error(api.as_(key).get("/api/v1/workspaces"), 403, "FORBIDDEN")
    assert_error(api.as_(key).get("/api/v1/users/me/credits"), 403, "FORBIDDEN")
    assert_error(api.as_(key).get(f"/api/v1/workspaces/{workspace.id}"), 403, "FORBIDDEN")


@pytest.mark.parametrize("method,rule", sorted(MANAGEMENT))
def test_management_endpoint_refuses_restricted_key(api, world, method, rule):
    a, owner = world["a"], world["a_owner"]
    # every scope but one: still not "all"
    key = make_key(a, owner, list(SCOPES[1:]))
    path = _path(rule, a.id, membership(a, world["a_editor"]).id, world["a_invite"].id, world["a_token"])
    before = snapshot()
    assert_error(api.as_(key).request(method, path, json=BODIES.get((method, rule))), 403, "FORBIDDEN")
    assert snapshot() == before


@pytest.mark.parametrize("cred_kind", ["jwt", "full_key"])
@pytest.mark.parametrize("method,rule", sorted(MANAGEMENT))
def test_management_endpoint_allows_full_key_and_jwt(api, world, method, rule, cred_kind):
    a, owner = world["a"], world["a_owner"]
    editor_mid = membership(a, world["a_editor"]).id
    path = _path(rule, a.id, editor_mid, world["a_invite"].id, world["a_token"])
    user = make_user(email="invitee@example.com") if rule.endswith("/accept") else owner
    if cred_kind == "jwt":
        cred = jwt_for(user)
    else:
        home = a if user is owner else make_workspace(user)
        cred = make_key(home, user, "all")
    if True:
        resp = api.as_(cred).request(method, path, json=BODIES.get((method, rule)))
        if rule.endswith("/checkout"):
            assert_error(resp, 400, "BILLING_NOT_SUPPORTED")
        else:
            assert resp.status_code in (200, 201), (method, rule, resp.get_json())


# ---------------------------------------------------------------- isolation


def _isolation_cases(w):
    """Every path of workspace A as user B would try it. Keys: (method, rule)."""
    a, b = w["a"], w["b"]
    a_member = membership(a, w["a_editor"]).id
    a_owner_member = membership(a, w["a_owner"]).id
    a_invite = w["a_invite"].id
    cases = {}
    for method, rule, _ in OURS:
        if "<workspace_id>" not in rule and "<ws_id>" not in rule:
            continue
        paths = [_path(rule, a.id, a_member, a_invite)]               # A's ids in A's workspace
        if "<member_id>" in rule:
            paths += [_path(rule, b.id, a_member), _path(rule, b.id, a_owner_member)]  # A's member via B
        if "<invite_id>" in rule:
            paths.append(_path(rule, b.id, invite_id=a_invite))        # A's invite via B's workspace
        cases[(method, rule)] = paths
    cases[("GET", "/api/v1/workspaces/slug-available")] = ["/api/v1/workspaces/slug-available?slug=x"]
    return cases


def _b_credentials(w):
    b_user, b = w["b_user"], w["b"]
    return {"full_key": make_key(b, b_user, "all"), "jwt": jwt_for(b_user)}


def test_isolation_cases_cover_every_workspace_path(world):
    cases = _isolation_cases(world)
    for method, rule, _ in OURS:
        if "<workspace_id>" in rule or "<ws_id>" in rule:
            assert (method, rule) in cases, f"add an isolation case for {method} {rule}"


def test_user_b_gets_404_for_every_object_of_workspace_a(api, world):
    cases = _isolation_cases(world)
    creds = _b_credentials(world)
    a = world["a"]
    before = snapshot()
    for cred_name, cred in creds.items():
        for (method, rule), paths in cases.items():
            for path in paths:
                headers = {"X-Workspace-Id": a.id} if cred_name == "jwt" and "slug-available" in path else {}
                resp = api.as_(cred).request(method, path, json=BODIES.get((method, rule)) or {}, headers=headers)
                if "slug-available" in path and cred_name == "full_key":
                    # a key naming another workspace in X-Workspace-Id is refused outright
                    resp = api.as_(cred).request(method, path, headers={"X-Workspace-Id": a.id})
                    assert resp.status_code in (403, 404), (cred_name, method, path)
                    continue
                assert resp.status_code == 404, (cred_name, method, path, resp.status_code, resp.get_json())
                assert resp.get_json()["error"]["code"] == "NOT_FOUND"
    assert snapshot() == before
    fresh()
    ws = db.session.get(Workspace, a.id)
    assert ws.name == "Acme Audio" and ws.deleted_at is None
    assert db.session.get(Invite, world["a_invite"].id).status == "pending"
    assert membership(a, world["a_editor"]).role == "editor"


def test_b_cannot_accept_a_invite_sent_to_someone_else(api, world):
    assert_error(api.as_(jwt_for(world["b_user"])).post(f"/api/v1/workspaces/invites/{world['a_token']}/accept"), 403)
    assert db.session.scalar(db.select(Membership).filter_by(workspace_id=world["a"].id,
                                                             user_id=world["b_user"].id)) is None


def test_b_does_not_see_a_in_lists(api, world):
    creds = _b_credentials(world)
    for cred in creds.values():
        rows = assert_envelope(api.as_(cred).get("/api/v1/workspaces"))["data"]
        assert [r["id"] for r in rows] == [world["b"].id]
        members = assert_envelope(api.as_(cred).get(f"/api/v1/workspaces/{world['b'].id}/members"))["data"]
        emails = {m["email"] for m in members}
        assert "editor@example.com" not in emails and "invitee@example.com" not in emails


def test_restricted_key_sees_only_its_own_workspace(api, owner, workspace):
    """A member of two workspaces: a restricted key bound to one can't reach the other by path."""
    other = make_workspace(owner, name="Other", slug="other")
    key = make_key(other, owner, ["workspace:read"])
    a = api.as_(key)
    for suffix in ("", "/settings", "/plan", "/members", "/subscription"):
        assert_error(a.get(f"/api/v1/workspaces/{workspace.id}{suffix}"), 404, "NOT_FOUND")
    assert_envelope(a.get(f"/api/v1/workspaces/{other.id}"))
    assert_envelope(a.get(f"/api/v1/workspaces/{other.id}/members"))
    # a full-access key of the same user reaches both
    full = make_key(other, owner, "all")
    assert_envelope(api.as_(full).get(f"/api/v1/workspaces/{workspace.id}"))


def test_random_ids_are_404(owner_api, workspace):
    rid = str(uuid.uuid4())
    base = f"/api/v1/workspaces/{workspace.id}"
    assert_error(owner_api.patch(f"{base}/members/{rid}", json={"role": "viewer"}), 404)
    assert_error(owner_api.delete(f"{base}/members/{rid}"), 404)
    assert_error(owner_api.patch(f"{base}/invites/{rid}", json={"role": "viewer"}), 404)
    assert_error(owner_api.delete(f"{base}/invites/{rid}"), 404)


@pytest.mark.parametrize("bad", ["%00", "a%00b", "x" * 40])
def test_odd_ids_are_404_not_500(owner_api, workspace, bad):
    base = f"/api/v1/workspaces/{workspace.id}"
    assert_error(owner_api.get(f"/api/v1/workspaces/{bad}"), 404)
    assert_error(owner_api.patch(f"{base}/members/{bad}", json={"role": "viewer"}), 404)
    assert_error(owner_api.delete(f"{base}/invites/{bad}"), 404)
    assert_error(owner_api.post(f"/api/v1/workspaces/invites/{bad}/accept"), 404)

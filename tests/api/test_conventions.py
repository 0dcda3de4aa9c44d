"""Wire conventions every endpoint shares: envelopes, request ids, paging, errors, bodies, credentials."""
import pytest

from tests.api.conftest import jwt_for, make_invite
from tests.conftest import assert_envelope, assert_error
from tests.factories import make_user, make_workspace


def test_success_envelope_and_request_id_header(owner_api):
    resp = owner_api.get("/api/v1/auth/whoami")
    body = assert_envelope(resp)
    assert resp.headers["X-Request-Id"] == body["meta"]["request_id"]
    assert resp.content_type.startswith("application/json")


def test_each_request_gets_its_own_request_id(owner_api):
    ids = {owner_api.get("/api/v1/auth/whoami").get_json()["meta"]["request_id"] for _ in range(3)}
    assert len(ids) == 3


def test_list_has_pagination_limit(owner_api):
    body = assert_envelope(owner_api.get("/api/v1/workspaces"))
    assert isinstance(body["data"], list)
    assert body["pagination"]["limit"] == 50
    body = assert_envelope(owner_api.get("/api/v1/workspaces?limit=7"))
    assert body["pagination"]["limit"] == 7


def test_members_list_has_pagination_limit(owner_api, workspace):
    body = assert_envelope(owner_api.get(f"/api/v1/workspaces/{workspace.id}/members"))
    assert isinstance(body["pagination"]["limit"], int) and body["pagination"]["limit"] >= 1


def test_error_envelope_with_request_id_header(owner_api):
    resp = owner_api.get("/api/v1/workspaces/does-not-exist")
    body = assert_error(resp, 404, "NOT_FOUND")
    assert set(body["error"]) >= {"code", "message"}
    assert body["meta"]["request_id"] == resp.headers["X-Request-Id"]
    assert body["meta"]["timestamp"].endswith("Z")


def test_validation_error_has_field_details(owner_api):
    body = assert_error(owner_api.post("/api/v1/workspaces", json={"name": "X", "slug": "Not Valid!"}),
                        422, "VALIDATION_ERROR")
    assert any(d["field"] == "slug" for d in body["error"]["details"])


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/nope", "/api/whatever/deep/path"])
def test_unknown_api_path_is_json_404(owner_api, path):
    resp = owner_api.get(path)
    assert_error(resp, 404, "NOT_FOUND")
    assert resp.headers["X-Request-Id"]


def test_unknown_api_path_without_credentials_is_json(api):
    resp = api.get("/api/v1/nope")
    assert resp.status_code in (401, 404)
    assert "error" in resp.get_json()


def test_wrong_method_is_405_envelope(owner_api):
    assert_error(owner_api.put("/api/v1/auth/whoami", json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(owner_api.delete("/api/v1/workspaces"), 405)


@pytest.mark.parametrize("limit,status", [("101", 422), ("0", 422), ("-1", 422), ("abc", 422),
                                          ("100", 200), ("1", 200)])
def test_limit_bounds(owner_api, limit, status):
    resp = owner_api.get(f"/api/v1/workspaces?limit={limit}")
    if status == 200:
        assert assert_envelope(resp)["pagination"]["limit"] == int(limit)
    else:
        body = assert_error(resp, 422, "VALIDATION_ERROR")
        assert body["error"]["details"][0]["field"] == "limit"


def test_negative_offset_is_422(owner_api):
    assert_error(owner_api.get("/api/v1/workspaces?offset=-1"), 422, "VALIDATION_ERROR")


def test_offset_past_the_end_is_empty(owner_api):
    body = assert_envelope(owner_api.get("/api/v1/workspaces?offset=500"))
    assert body["data"] == []
    assert body["pagination"]["next"] is None


def test_paging_walks_all_rows(api, owner, workspace, owner_key):
    make_workspace(owner, name="Second")
    make_workspace(owner, name="Third")
    a = api.as_(owner_key)
    first = assert_envelope(a.get("/api/v1/workspaces?limit=2"))
    assert len(first["data"]) == 2 and first["pagination"]["next"]
    second = assert_envelope(a.get(first["pagination"]["next"]))
    assert len(second["data"]) == 1 and second["pagination"]["next"] is None
    ids = [w["id"] for w in first["data"] + second["data"]]
    assert len(set(ids)) == 3


def test_accept_with_empty_body_and_json_content_type(api, workspace, owner):
    invitee = make_user(email="invitee@example.com")
    _inv, token = make_invite(workspace, owner, "invitee@example.com")
    resp = api.as_(jwt_for(invitee)).client.post(
        f"/api/v1/workspaces/invites/{token}/accept", data=b"",
        headers={"Authorization": f"Bearer {jwt_for(invitee)}", "Content-Type": "application/json"})
    assert assert_envelope(resp)["data"]["workspace_id"] == workspace.id


def test_accept_with_no_body_and_no_content_type(client, workspace, owner):
    invitee = make_user(email="invitee@example.com")
    _inv, token = make_invite(workspace, owner, "invitee@example.com")
    resp = client.post(f"/api/v1/workspaces/invites/{token}/accept",
                       headers={"Authorization": f"Bearer {jwt_for(invitee)}"})
    assert assert_envelope(resp)["data"]["workspace_id"] == workspace.id


def test_accept_with_empty_json_object(api, workspace, owner):
    invitee = make_user(email="invitee@example.com")
    _inv, token = make_invite(workspace, owner, "invitee@example.com")
    resp = api.as_(jwt_for(invitee)).post(f"/api/v1/workspaces/invites/{token}/accept", json={})
    assert assert_envelope(resp)["data"]["workspace_id"] == workspace.id


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"a string"'])
def test_malformed_or_non_object_json_is_422(client, owner_key, raw):
    resp = client.post("/api/v1/workspaces", data=raw,
                       headers={"Authorization": f"Bearer {owner_key}", "Content-Type": "application/json"})
    assert_error(resp, 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("param", ["api_key", "token", "access_token"])
def test_credentials_in_query_string_refused(client, owner_key, param):
    assert_error(client.get(f"/api/v1/auth/whoami?{param}={owner_key}"), 401)
    # even together with a valid header: keys must never travel in URLs
    assert_error(client.get(f"/api/v1/auth/whoami?{param}={owner_key}",
                            headers={"Authorization": f"Bearer {owner_key}"}), 401)


@pytest.mark.parametrize("scheme", ["Basic", "Token", "ApiKey", ""])
def test_non_bearer_scheme_is_401(client, owner_key, scheme):
    value = f"{scheme} {owner_key}".strip()
    assert_error(client.get("/api/v1/auth/whoami", headers={"Authorization": value}), 401)


def test_bearer_scheme_is_case_insensitive(client, owner_key):
    assert_envelope(client.get("/api/v1/auth/whoami", headers={"Authorization": f"bearer {owner_key}"}))


@pytest.mark.parametrize("token", ["op_live_nope", "garbage", "op_test_abc"])
def test_unknown_credentials_are_401(client, token):
    assert_error(client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {token}"}),
                 401, "INVALID_API_KEY")


def test_missing_credentials_everywhere_are_401(client, workspace):
    from app.api.registry import ENDPOINTS
    for spec in ENDPOINTS:
        if not spec.auth:
            continue
        path = spec.rule
        for name in ("workspace_id", "ws_id", "member_id", "invite_id", "token"):
            path = path.replace(f"<{name}>", workspace.id)
        for method in spec.methods:
            resp = client.open(path, method=method, json={} if method != "GET" else None)
            assert resp.status_code == 401, (method, spec.rule, resp.status_code)
            assert "error" in resp.get_json()


def test_no_version_gate_header_above_sdk(owner_api):
    from packaging.version import Version
    value = owner_api.get("/api/v1/auth/whoami").headers.get("X-OnePin-Required-Version")
    if value:
        assert Version(value) <= Version("0.16.1")


def test_definite_conflicts_say_retry_after_zero(owner_api, workspace):
    resp = owner_api.post("/api/v1/workspaces", json={"name": "Dup", "slug": workspace.slug})
    assert resp.status_code == 409 and resp.headers["Retry-After"] == "0"

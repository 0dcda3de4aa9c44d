from tests.conftest import assert_envelope, assert_error


def test_whoami_with_key(owner_api, workspace, owner):
    body = assert_envelope(owner_api.get("/api/v1/auth/whoami"))
    assert body["data"]["auth_kind"] == "api_key"
    assert body["data"]["workspace_id"] == workspace.id
    assert body["data"]["user_id"] == owner.id
    assert body["data"]["scopes"] == sorted(body["data"]["scopes"])


def test_no_credentials_is_401(api):
    assert_error(api.get("/api/v1/auth/whoami"), 401)

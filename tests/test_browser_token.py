"""Browser-issued API tokens: minted from a logged-in session (CSRF-protected), used as Bearer."""
import re

from tests.conftest import assert_envelope, assert_error
from tests.factories import PASSWORD, make_user, make_workspace


def _csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email):
    token = _csrf(client)
    resp = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def test_token_requires_csrf_and_login(client):
    assert client.post("/auth/token").status_code in (400, 401)


def test_token_works_as_bearer_then_dies_on_logout(app, client, api):
    user = make_user(email="tok@example.com")
    ws = make_workspace(user)
    _login(client, "tok@example.com")
    csrf = _csrf(client, "/home")
    assert client.post("/auth/token").status_code == 400  # no CSRF token → refused
    resp = client.post("/auth/token", headers={"X-CSRFToken": csrf})
    assert resp.status_code == 200
    token = resp.get_json()["token"]
    who = assert_envelope(api.as_(token, ws.id).get("/api/v1/auth/whoami"))["data"]
    assert who["auth_kind"] == "clerk" and who["workspace_id"] == ws.id and who["api_key_id"] is None
    assert "workflows:write" in who["scopes"]
    client.post("/logout", data={"csrf_token": csrf})
    assert_error(api.as_(token, ws.id).get("/api/v1/auth/whoami"), 401)

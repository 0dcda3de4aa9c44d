"""auth.whoami with API keys and browser JWTs (expiry, logout, password change)."""
from app.extensions import db
from app.models import SCOPES
from app.services import accounts
from tests.api.conftest import fresh, jwt_for, session_jwt
from tests.conftest import assert_envelope, assert_error
from tests.factories import PASSWORD, make_key, make_user, make_workspace


def test_whoami_api_key(owner_api, owner, workspace):
    d = assert_envelope(owner_api.get("/api/v1/auth/whoami"))["data"]
    assert d["auth_kind"] == "api_key"
    assert d["user_id"] == owner.id
    assert d["workspace_id"] == workspace.id
    assert d["api_key_id"]
    assert d["scopes"] == sorted(SCOPES)


def test_whoami_restricted_key_scopes_sorted_unique(api, owner, workspace):
    key = make_key(workspace, owner, ["workspace:read", "catalog:read", "workspace:read"])
    d = assert_envelope(api.as_(key).get("/api/v1/auth/whoami"))["data"]
    assert d["scopes"] == ["catalog:read", "workspace:read"]


def test_whoami_key_ignores_header_for_workspace_id(api, owner, workspace, owner_key):
    other = make_workspace(owner, name="Other")
    d = assert_envelope(api.as_(owner_key, other.id).get("/api/v1/auth/whoami"))["data"]
    assert d["workspace_id"] == workspace.id


def test_whoami_second_key_in_other_workspace(api, owner, workspace):
    other = make_workspace(owner, name="Other")
    key = make_key(other, owner, "all")
    assert assert_envelope(api.as_(key).get("/api/v1/auth/whoami"))["data"]["workspace_id"] == other.id


def test_whoami_clerk_jwt(api, owner, workspace):
    token = jwt_for(owner)
    d = assert_envelope(api.as_(token).get("/api/v1/auth/whoami"))["data"]
    assert d["auth_kind"] == "clerk"
    assert d["user_id"] == owner.id
    assert d["workspace_id"] is None
    assert d["api_key_id"] is None
    assert d["scopes"] == sorted(SCOPES)
    d = assert_envelope(api.as_(token, workspace.id).get("/api/v1/auth/whoami"))["data"]
    assert d["workspace_id"] == workspace.id


def test_expired_jwt_is_401(api, owner):
    assert_error(api.as_(jwt_for(owner, ttl=-30)).get("/api/v1/auth/whoami"), 401)


def test_tampered_jwt_is_401(api, owner):
    token = jwt_for(owner)
    assert_error(api.as_(token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")).get("/api/v1/auth/whoami"), 401)


def test_jwt_signed_with_other_secret_is_401(api, owner):
    import jwt as pyjwt
    s = accounts.open_session(owner)
    db.session.commit()
    forged = pyjwt.encode({"sub": owner.id, "sid": s.id, "sv": owner.session_version, "aud": "onepin-api"},
                          "another-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    assert_error(api.as_(forged).get("/api/v1/auth/whoami"), 401)


def test_jwt_after_logout_is_401(api, owner):
    token, sid = session_jwt(owner)
    assert_envelope(api.as_(token).get("/api/v1/auth/whoami"))
    accounts.close_session(sid)
    db.session.commit()
    assert_error(api.as_(token).get("/api/v1/auth/whoami"), 401)


def test_jwt_of_deleted_session_is_401(api, owner):
    from app.models import UserSession
    token, sid = session_jwt(owner)
    db.session.delete(db.session.get(UserSession, sid))
    db.session.commit()
    assert_error(api.as_(token).get("/api/v1/auth/whoami"), 401)


def test_jwt_after_password_change_is_401(api, owner):
    other_token, _ = session_jwt(owner)
    kept_token, kept_sid = session_jwt(owner)
    accounts.change_password(owner, {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
                             keep_session_id=kept_sid)
    db.session.commit()
    assert_error(api.as_(other_token).get("/api/v1/auth/whoami"), 401)
    # the kept session survives, but tokens minted before the change carry the old version
    assert_error(api.as_(kept_token).get("/api/v1/auth/whoami"), 401)
    fresh()
    assert_envelope(api.as_(jwt_for(owner)).get("/api/v1/auth/whoami"))


def test_jwt_of_other_users_session_is_401(api, owner):
    from app.auth.tokens import issue_jwt
    other = make_user()
    s = accounts.open_session(other)
    db.session.commit()
    token, _ = issue_jwt(owner.id, s.id, owner.session_version)
    assert_error(api.as_(token).get("/api/v1/auth/whoami"), 401)


def test_revoked_key_is_401(api, owner, workspace, owner_key):
    from app.services import api_keys
    from tests.factories import membership
    key = api_keys.find_active(owner_key)
    api_keys.revoke(workspace, membership(workspace, owner), owner, key.id)
    db.session.commit()
    assert_error(api.as_(owner_key).get("/api/v1/auth/whoami"), 401, "INVALID_API_KEY")


def test_key_prefix_is_op_live(owner_key):
    assert owner_key.startswith("op_live_") and len(owner_key) > 20


def test_whoami_needs_no_scope(api, owner, workspace):
    key = make_key(workspace, owner, ["workflows:read"])
    assert assert_envelope(api.as_(key).get("/api/v1/auth/whoami"))["data"]["scopes"] == ["workflows:read"]

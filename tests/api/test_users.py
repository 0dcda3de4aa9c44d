"""users.* (me): credits, plan limits, notification preferences."""
import pytest

from app.extensions import db
from app.models import LedgerEntry, User
from tests.api.conftest import count, fresh, jwt_for
from tests.conftest import assert_envelope, assert_error
from tests.factories import make_key, make_user, make_workspace


def test_credits_first_read_grants_plan(owner_api, owner):
    d = assert_envelope(owner_api.get("/api/v1/users/me/credits"))["data"]
    assert d["balance"] == d["plan_grant"] == 10_000
    assert d["remaining"] == d["balance"]
    assert d["plan_tier"] == "free"
    assert d["used"] == 0
    assert d["period_start"].endswith("Z") and d["period_end"].endswith("Z")
    assert count(LedgerEntry, LedgerEntry.user_id == owner.id, LedgerEntry.kind == "grant") == 1


def test_credits_grant_written_once(owner_api, owner):
    for _ in range(3):
        assert assert_envelope(owner_api.get("/api/v1/users/me/credits"))["data"]["balance"] == 10_000
    assert count(LedgerEntry, LedgerEntry.user_id == owner.id) == 1


def test_credits_are_per_user_not_per_workspace(api, owner, workspace, owner_key):
    second = make_workspace(owner, name="Second")
    key2 = make_key(second, owner)
    assert_envelope(api.as_(owner_key).get("/api/v1/users/me/credits"))
    d = assert_envelope(api.as_(key2).get("/api/v1/users/me/credits"))["data"]
    assert d["balance"] == 10_000
    assert count(LedgerEntry, LedgerEntry.user_id == owner.id) == 1


def test_credits_balance_is_ledger_sum(owner_api, owner):
    from app.services import credits
    assert_envelope(owner_api.get("/api/v1/users/me/credits"))
    res = credits.reserve(owner.id, 1_500)
    credits.settle(res, 500, dedup_key="t1")
    db.session.commit()
    d = assert_envelope(owner_api.get("/api/v1/users/me/credits"))["data"]
    assert d["balance"] == 8_500 == credits.balance(owner.id)
    assert d["used"] == 500


def test_credits_with_jwt_and_pro_plan(api):
    user = make_user(plan="pro")
    d = assert_envelope(api.as_(jwt_for(user)).get("/api/v1/users/me/credits"))["data"]
    assert d["balance"] == d["plan_grant"] == 200_000 and d["plan_tier"] == "paid"


def test_limits(owner_api):
    d = assert_envelope(owner_api.get("/api/v1/users/me/limits"))["data"]
    assert d["monthly_credits"] == 10_000
    assert d["workspaces_per_owner"] == 3
    assert isinstance(d["concurrent_runs_per_user"], int)
    assert isinstance(d["storage_bytes_per_workspace"], int)
    assert d["credits_renewal"] in ("monthly", "one_time")


def test_notification_preferences_default(owner_api):
    d = assert_envelope(owner_api.get("/api/v1/users/me/notification-preferences"))["data"]
    assert d == {"completed_generation_email": True, "failed_generation_email": True}


def test_notification_preferences_partial_update(owner_api, owner):
    d = assert_envelope(owner_api.patch("/api/v1/users/me/notification-preferences",
                                        json={"completed_generation_email": False}))["data"]
    assert d == {"completed_generation_email": False, "failed_generation_email": True}
    d = assert_envelope(owner_api.patch("/api/v1/users/me/notification-preferences",
                                        json={"failed_generation_email": False}))["data"]
    assert d == {"completed_generation_email": False, "failed_generation_email": False}
    d = assert_envelope(owner_api.get("/api/v1/users/me/notification-preferences"))["data"]
    assert d == {"completed_generation_email": False, "failed_generation_email": False}
    fresh()
    u = db.session.get(User, owner.id)
    assert (u.completed_generation_email, u.failed_generation_email) == (False, False)


def test_notification_preferences_empty_patch_is_noop(owner_api):
    d = assert_envelope(owner_api.patch("/api/v1/users/me/notification-preferences", json={}))["data"]
    assert d == {"completed_generation_email": True, "failed_generation_email": True}


@pytest.mark.parametrize("body", [{"completed_generation_email": None},
                                  {"failed_generation_email": None, "completed_generation_email": False},
                                  {"completed_generation_email": "false"},
                                  {"failed_generation_email": 0}])
def test_notification_preferences_invalid_422(owner_api, owner, body):
    assert_error(owner_api.patch("/api/v1/users/me/notification-preferences", json=body), 422, "VALIDATION_ERROR")
    fresh()
    u = db.session.get(User, owner.id)
    assert (u.completed_generation_email, u.failed_generation_email) == (True, True)


def test_notification_preferences_patch_with_jwt(api, owner):
    d = assert_envelope(api.as_(jwt_for(owner)).patch("/api/v1/users/me/notification-preferences",
                                                      json={"failed_generation_email": False}))["data"]
    assert d["failed_generation_email"] is False and d["completed_generation_email"] is True


def test_notification_preferences_patch_needs_full_key(api, owner, workspace):
    key = make_key(workspace, owner, ["workspace:read"])
    assert_envelope(api.as_(key).get("/api/v1/users/me/notification-preferences"))
    assert_error(api.as_(key).patch("/api/v1/users/me/notification-preferences",
                                    json={"failed_generation_email": False}), 403, "FORBIDDEN")
    fresh()
    assert db.session.get(User, owner.id).failed_generation_email is True

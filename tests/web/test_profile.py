"""Profile: password change (ends the user's other sessions) and notification preferences."""
from __future__ import annotations

from app.auth.passwords import verify_password
from app.extensions import db
from app.models import User
from tests.factories import PASSWORD

NEW = "a brand new passphrase"


def _user(user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_password_change_ends_other_sessions(login_as, owner, workspace):
    other = login_as(owner)      # e.g. another browser, logged in before
    current = login_as(owner)
    assert other.get("/settings/profile").status_code == 200
    resp = current.post("/settings/profile/password",
                        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}, htmx=True)
    assert resp.status_code == 200 and "Password changed" in resp.get_data(as_text=True)
    assert verify_password(_user(owner.id).password_hash, NEW)
    assert current.get("/settings/profile").status_code == 200  # this session stays
    resp = other.get("/settings/profile")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login_as(owner, NEW)  # the new password works


def test_password_change_errors(login_as, owner, workspace):
    web = login_as(owner)
    resp = web.post("/settings/profile/password",
                    {"current_password": "wrong password", "new_password": "short", "confirm_password": "other"},
                    htmx=True)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Current password is not your current password" in html
    assert "New password must be at least 8 characters" in html
    assert "Confirm new password does not match" in html
    assert verify_password(_user(owner.id).password_hash, PASSWORD)


def test_password_change_requires_csrf(login_as, owner, workspace):
    web = login_as(owner)
    resp = web.post("/settings/profile/password",
                    {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}, csrf=False)
    assert resp.status_code == 400
    assert verify_password(_user(owner.id).password_hash, PASSWORD)


def test_notification_checkbox_off_persists_false(login_as, owner, workspace):
    web = login_as(owner)
    assert _user(owner.id).completed_generation_email is True
    # what a browser sends with the first box unchecked and the second checked
    resp = web.post("/settings/profile/notifications",
                    {"completed_generation_email": "false", "failed_generation_email": ["false", "true"]})
    assert resp.status_code == 302
    u = _user(owner.id)
    assert u.completed_generation_email is False and u.failed_generation_email is True
    html = web.text("/settings/profile")
    assert 'id="completed_generation_email" name="completed_generation_email" value="true" >' in html
    assert 'id="failed_generation_email" name="failed_generation_email" value="true" checked>' in html
    web.post("/settings/profile/notifications",
             {"completed_generation_email": ["false", "true"], "failed_generation_email": "false"}, htmx=True)
    u = _user(owner.id)
    assert u.completed_generation_email is True and u.failed_generation_email is False

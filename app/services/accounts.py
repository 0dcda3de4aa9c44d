"""Sign-up, authentication, server-side login sessions and password changes."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.auth.passwords import DUMMY_HASH, MIN_LENGTH, hash_password, verify_password
from app.errors import Conflict, Unauthorized, ValidationFailed
from app.extensions import db
from app.models import User, UserSession
from app.models.base import utcnow
from app.validation import Validation

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_email(v: Validation, field: str = "email") -> str | None:
    email = v.require(field, str, max_len=320)
    if email is not None:
        email = normalize_email(email)
        v.expect(bool(EMAIL_RE.match(email)), "must be a valid email address", field=field)
    return email


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def sign_up(data: dict, *, form: bool = False, plan: str | None = None) -> User:
    from flask import current_app
    v = Validation(data, form=form)
    email = validate_email(v)
    password = v.require("password", str, strip=False, max_len=1024)
    if password is not None:
        v.expect(len(password) >= MIN_LENGTH, f"must be at least {MIN_LENGTH} characters", field="password")
    name = v.optional("display_name", str, default="", max_len=120) or ""
    v.raise_if_invalid()
    if find_by_email(email):
        raise Conflict("An account with this email already exists.", code="EMAIL_TAKEN",
                       details=[{"field": "email", "message": "is already registered"}])
    user = User(email=email, password_hash=hash_password(password),
                display_name=name or email.split("@")[0], plan=plan or current_app.config["DEFAULT_PLAN"])
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    user = find_by_email(email or "")
    if user is None:
        verify_password(DUMMY_HASH, password or "")
        raise Unauthorized("Wrong email or password.", code="INVALID_CREDENTIALS")
    if not verify_password(user.password_hash, password or ""):
        raise Unauthorized("Wrong email or password.", code="INVALID_CREDENTIALS")
    return user


def open_session(user: User, ip: str | None = None, user_agent: str | None = None) -> UserSession:
    s = UserSession(user_id=user.id, session_version=user.session_version, ip=ip,
                    user_agent=(user_agent or "")[:255], last_seen_at=utcnow())
    db.session.add(s)
    db.session.flush()
    return s


def session_is_live(session_id: str | None, user: User) -> bool:
    if not session_id:
        return False
    s = db.session.get(UserSession, session_id)
    return (s is not None and s.user_id == user.id and s.revoked_at is None
            and s.session_version == user.session_version)


def close_session(session_id: str | None) -> None:
    if not session_id:
        return
    s = db.session.get(UserSession, session_id)
    if s is not None and s.revoked_at is None:
        s.revoked_at = utcnow()


def change_password(user: User, data: dict, *, keep_session_id: str | None, form: bool = False) -> None:
    """Checks the current password, sets the new one and ends every other session of the user."""
    v = Validation(data, form=form)
    current = v.require("current_password", str, strip=False)
    new = v.require("new_password", str, strip=False, max_len=1024)
    if new is not None:
        v.expect(len(new) >= MIN_LENGTH, f"must be at least {MIN_LENGTH} characters", field="new_password")
    if current is not None and not verify_password(user.password_hash, current):
        v.error("current_password", "is not your current password")
    if "confirm_password" in data:
        v.expect(data.get("confirm_password") == new, "does not match the new password", field="confirm_password")
    v.raise_if_invalid()
    user.password_hash = hash_password(new)
    user.session_version += 1
    now = utcnow()
    for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.revoked_at.is_(None))):
        if s.id == keep_session_id:
            s.session_version = user.session_version
        else:
            s.revoked_at = now


def update_notification_preferences(user: User, data: dict, *, form: bool = False) -> User:
    v = Validation(data, form=form)
    values = {}
    for field in ("completed_generation_email", "failed_generation_email"):
        if v.present(field):
            values[field] = v.optional(field, bool, nullable=False)
    v.raise_if_invalid()
    for field, value in values.items():
        setattr(user, field, value)
    return user


def notification_preferences(user: User) -> dict:
    return {"completed_generation_email": bool(user.completed_generation_email),
            "failed_generation_email": bool(user.failed_generation_email)}


def set_plan(user: User, plan: str) -> None:
    from app.services.plans import check_plan_name
    user.plan = check_plan_name(plan)


def require_valid_password_form(data: dict) -> None:
    if not data.get("password"):
        raise ValidationFailed([{"field": "password", "message": "is required"}])

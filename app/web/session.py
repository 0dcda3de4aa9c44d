"""Browser sessions: a server-side UserSession row per login (rotated on login, revoked on logout
and on password change), referenced from the signed cookie."""
from __future__ import annotations

from flask import request, session
from flask_login import login_user, logout_user

from app.extensions import db, login_manager
from app.models import User
from app.services import accounts


@login_manager.user_loader
def _load_user(user_id: str):
    user = db.session.get(User, user_id)
    if user is None or not accounts.session_is_live(session.get("sid"), user):
        return None
    return user


def start(user: User) -> None:
    """Rotate: a new session id (and CSRF token) on every login."""
    session.clear()
    s = accounts.open_session(user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    db.session.commit()
    session["sid"] = s.id
    session.permanent = True
    login_user(user)


def end() -> None:
    accounts.close_session(session.get("sid"))
    db.session.commit()
    logout_user()
    session.clear()


def current_sid() -> str | None:
    return session.get("sid")

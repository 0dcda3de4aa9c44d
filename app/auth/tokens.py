"""API key material and short-lived browser JWTs."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import jwt
from flask import current_app

API_KEY_PREFIX = "op_live_"
JWT_AUDIENCE = "onepin-api"


def new_api_key() -> str:
    """op_live_ + 32 random bytes (base64url, 43 chars)."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    return key[: len(API_KEY_PREFIX) + 6]


def new_invite_token() -> str:
    """32 random bytes (base64url, 43 chars) that never start with "-".

    The invitation email tells the invitee to run `onepin workspace members accept <token>`; a token starting
    with "-" (1 in 64 of token_urlsafe's) is parsed by the CLI as an option and the command crashes. Redrawing
    such a token keeps the format and costs log2(64/63) < 0.03 bits of the 256."""
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def issue_jwt(user_id: str, session_id: str, session_version: int, ttl: int | None = None) -> tuple[str, datetime]:
    ttl = ttl or current_app.config["JWT_TTL_SECONDS"]
    now = datetime.now(timezone.utc)
    exp = now + timedelta(seconds=ttl)
    token = jwt.encode(
        {"sub": user_id, "sid": session_id, "sv": session_version, "iat": now, "exp": exp, "aud": JWT_AUDIENCE},
        current_app.config["SECRET_KEY"], algorithm="HS256",
    )
    return token, exp


def decode_jwt(token: str) -> dict | None:
    try:
        return jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"], audience=JWT_AUDIENCE)
    except jwt.PyJWTError:
        return None

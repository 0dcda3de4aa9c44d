"""Signed, expiring URLs for LocalStore (the app serves them at /_storage/...)."""
from __future__ import annotations

import time

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "onepin-storage-v1"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign(payload: dict, expires: int) -> str:
    return _serializer().dumps({**payload, "exp": int(time.time()) + int(expires)})


def verify(token: str, method: str) -> dict | None:
    """The payload if the token is genuine, for this method, and not expired."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("m") != method or int(data.get("exp", 0)) < time.time():
        return None
    return data


def external_url(endpoint: str, token: str) -> str:
    """The absolute URL of a signed link served by this app (PUBLIC_URL when set, else the request's host)."""
    base = current_app.config.get("PUBLIC_URL") or (request.host_url.rstrip("/") if request else "")
    return base + url_for(endpoint, token=token)

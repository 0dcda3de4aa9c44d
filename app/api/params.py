"""Parsing query strings and JSON bodies the way the SDK sends them (repeated keys, true/false)."""
from __future__ import annotations

from datetime import datetime

from flask import request

from app.errors import ValidationFailed
from app.validation import unstorable_strings


def body() -> dict:
    """The JSON body as a dict. An empty body (even with a JSON content type) is {}."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed([{"field": "body", "message": "must be valid JSON"}])
    if not isinstance(data, dict):
        raise ValidationFailed([{"field": "body", "message": "must be a JSON object"}])
    problems = unstorable_strings(data)
    if problems:
        # refused before any service sees it: PostgreSQL would raise on a NUL byte or a lone surrogate (500)
        raise ValidationFailed(problems[:20])
    return data


MAX_OFFSET = 2**31 - 1   # far past any list; a bigger number overflows PostgreSQL's OFFSET (bigint): 500


def paging(default_limit: int = 50, max_limit: int = 100) -> tuple[int, int]:
    errors = []
    offset = _int("offset", 0, errors)
    limit = _int("limit", default_limit, errors)
    if offset is not None and offset < 0:
        errors.append({"field": "offset", "message": "must be 0 or more"})
    elif offset is not None and offset > MAX_OFFSET:
        errors.append({"field": "offset", "message": f"must be at most {MAX_OFFSET}"})
    if limit is not None and not 1 <= limit <= max_limit:
        errors.append({"field": "limit", "message": f"must be between 1 and {max_limit}"})
    if errors:
        raise ValidationFailed(errors)
    return offset, limit


def _int(name: str, default: int, errors: list) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        errors.append({"field": name, "message": "must be an integer"})
        return None


def boolean(name: str, default: bool | None = False) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValidationFailed([{"field": name, "message": "must be true or false"}])


def choice(name: str, choices, default=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ValidationFailed([{"field": name, "message": "must be one of: " + ", ".join(choices)}])
    return raw


def many(name: str, choices=None) -> list[str]:
    values = [v for v in request.args.getlist(name) if v != ""]
    if choices is not None:
        bad = [v for v in values if v not in choices]
        if bad:
            raise ValidationFailed([{"field": name, "message": f"unsupported value {bad[0]!r}; use one of: "
                                     + ", ".join(choices)}])
    return values


def aware_datetime(name: str) -> datetime | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ValidationFailed([{"field": name, "message": "must be an ISO 8601 datetime"}]) from None
    if value.tzinfo is None:
        raise ValidationFailed([{"field": name, "message": "must include a UTC offset (e.g. Z or +02:00)"}])
    return value

"""One validation object for HTML forms and JSON bodies (after sourcehut's Validation).

    v = Validation(data)                 # a dict from request.get_json() or request.form
    name = v.require("name", str, max_len=100)
    color = v.optional("color_idx", int, minimum=0, maximum=6)
    v.expect(cond, "message", field="slug")
    v.raise_if_invalid()                 # ValidationFailed(details) -> 422 / form errors

Missing and explicit null are different: `present(field)` tells them apart, and
`optional(..., nullable=False)` turns an explicit null into an error.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import ValidationFailed

_MISSING = object()


def text_problem(value: str) -> str | None:
    """Why PostgreSQL (and UTF-8) cannot store this string, or None: a NUL byte is refused by text
    columns, an unpaired surrogate (JSON "\\ud800") cannot be encoded."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (no unpaired surrogates)"
    return None


def unstorable_strings(data: Any, path: str = "") -> list[dict]:
    """Per-field errors for every string (keys included) in a parsed JSON value that text_problem refuses."""
    out: list[dict] = []
    if isinstance(data, str):
        problem = text_problem(data)
        if problem:
            out.append({"field": path or "body", "message": problem})
    elif isinstance(data, dict):
        for k, v in data.items():
            where = f"{path}.{k}" if path else str(k)
            key_problem = text_problem(str(k))
            if key_problem:
                out.append({"field": path or "body", "message": "keys " + key_problem})
                continue
            out += unstorable_strings(v, where)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += unstorable_strings(v, f"{path}[{i}]")
    return out


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
               list: "a list", dict: "an object"}


class Validation:
    def __init__(self, data: Mapping | None, *, form: bool = False):
        self.data = data if data is not None else {}
        self.form = form  # HTML form values are strings: coerce ints/bools
        self.errors: list[dict] = []

    @property
    def ok(self) -> bool:
        return not self.errors

    def present(self, field: str) -> bool:
        return field in self.data

    def error(self, field: str | None, message: str) -> None:
        if not any(e["field"] == field for e in self.errors):
            self.errors.append({"field": field, "message": message})

    def expect(self, condition: bool, message: str, field: str | None = None) -> bool:
        if not condition:
            self.error(field, message)
        return bool(condition)

    def _coerce(self, field: str, value: Any, kind: type) -> Any:
        if self.form and isinstance(value, str):
            if kind is int:
                try:
                    return int(value.strip())
                except ValueError:
                    return _MISSING
            if kind is float:
                try:
                    return float(value.strip())
                except ValueError:
                    return _MISSING
            if kind is bool:
                return value.lower() in {"1", "true", "on", "yes"}
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind in (int, float) and isinstance(value, bool):
            return _MISSING
        if not isinstance(value, kind):
            return _MISSING
        return value

    def _check(self, field, value, kind, *, min_len=None, max_len=None, minimum=None, maximum=None,
               choices=None, strip=True):
        coerced = self._coerce(field, value, kind)
        if coerced is _MISSING:
            self.error(field, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}")
            return None
        if kind is str:
            problem = text_problem(coerced)
            if problem:
                self.error(field, problem)
                return None
            if strip:
                coerced = coerced.strip()
        if min_len is not None and len(coerced) < min_len:
            self.error(field, "is required" if min_len == 1 and not coerced
                       else f"must be at least {min_len} characters")
            return None
        if max_len is not None and len(coerced) > max_len:
            self.error(field, f"must be at most {max_len} characters")
            return None
        if minimum is not None and coerced < minimum:
            self.error(field, f"must be at least {minimum}")
            return None
        if maximum is not None and coerced > maximum:
            self.error(field, f"must be at most {maximum}")
            return None
        if choices is not None and coerced not in choices:
            self.error(field, "must be one of: " + ", ".join(str(c) for c in choices))
            return None
        return coerced

    def require(self, field: str, kind: type = str, **rules) -> Any:
        value = self.data.get(field, _MISSING)
        if value is _MISSING or value is None or (kind is str and isinstance(value, str) and not value.strip()):
            self.error(field, "is required")
            return None
        return self._check(field, value, kind, **rules)

    def optional(self, field: str, kind: type = str, default: Any = None, *, nullable: bool = True,
                 **rules) -> Any:
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            return default
        if value is None:
            if not nullable:
                self.error(field, "may not be null")
            return None
        if self.form and kind not in (str, bool) and value == "":
            return default   # an empty number field is "not given"; an empty boolean is false (below)
        return self._check(field, value, kind, **rules)

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ValidationFailed(list(self.errors))

    def message_for(self, field: str) -> str | None:
        for e in self.errors:
            if e["field"] == field:
                return e["message"]
        return None

"""Small helpers shared by the HTML views: HTMX detection and turning DomainErrors into form errors."""
from __future__ import annotations

from flask import make_response, render_template, request

from app.errors import DomainError


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def field_errors(exc: DomainError) -> dict[str, str]:
    """{field: message} for errors that belong next to a form field."""
    return {d["field"]: d["message"] for d in (exc.details or []) if d.get("field")}


def general_error(exc: DomainError) -> str | None:
    """The message to show above a form when no field error explains the failure."""
    if field_errors(exc):
        general = [d["message"] for d in (exc.details or []) if not d.get("field")]
        return "; ".join(general) or None
    return exc.message


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 credit", "2,000 credits": the count with its noun (also the `plural` template filter)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def render(template: str, status: int = 200, *, no_store: bool = False, **context):
    resp = make_response(render_template(template, **context), status)
    if no_store:
        resp.headers["Cache-Control"] = "no-store"
    return resp


def checkbox(form, field: str) -> str | None:
    """A checkbox preceded by a hidden `false` input: the last value wins; absent -> None (untouched)."""
    values = form.getlist(field)
    return values[-1] if values else None

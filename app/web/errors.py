"""HTML error pages (the API has its own JSON envelopes)."""
from __future__ import annotations

from flask import render_template, request

from app.errors import DomainError, ValidationFailed
from app.extensions import db


def _render(status: int, title: str, message: str):
    db.session.rollback()
    template = "errors/_error.html" if request.headers.get("HX-Request") else "errors/error.html"
    return render_template(template, status=status, title=title, message=message), status


def domain_error_page(exc: DomainError):
    titles = {401: "Please log in", 402: "Plan limit reached", 403: "Not allowed", 404: "Not found",
              409: "Conflict", 410: "No longer valid", 422: "Please check the form", 429: "Too many attempts"}
    message = exc.message
    if isinstance(exc, ValidationFailed):
        message = "; ".join(f"{d['field']}: {d['message']}" if d.get("field") else d["message"]
                            for d in exc.details or [])
    resp = _render(exc.status, titles.get(exc.status, "Error"), message)
    return resp


def http_error_page(exc):
    status = exc.code or 500
    if status == 400 and "CSRF" in (exc.description or ""):
        return _render(400, "Form expired", "The form's security token is missing or expired. Reload the page and try again.")
    if status == 429:
        body, code = _render(429, "Too many attempts", "Too many attempts. Wait a minute and try again.")
        return body, code, {"Retry-After": "60"}
    return _render(status, exc.name, exc.description or "")


def server_error_page():
    return _render(500, "Something went wrong", "The error was logged. Please try again.")

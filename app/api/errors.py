"""Error handling: every /api response is an envelope, every DomainError keeps its code."""
from __future__ import annotations

import logging

from flask import abort, request
from werkzeug.exceptions import HTTPException

from app.api.envelope import error
from app.errors import DomainError, ValidationFailed
from app.extensions import db

log = logging.getLogger(__name__)

HTTP_CODES = {400: "BAD_REQUEST", 401: "INVALID_API_KEY", 403: "FORBIDDEN", 404: "NOT_FOUND",
              405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 410: "GONE", 413: "PAYLOAD_TOO_LARGE",
              415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def domain_error_response(exc: DomainError):
    db.session.rollback()  # a refused request leaves nothing behind (the SDK retries 409/429/5xx)
    headers = dict(exc.headers)
    if exc.status == 409:
        # A definite conflict does not resolve by waiting. (The SDK retries 409s anyway: 0.16.1 ignores a
        # Retry-After of 0 and backs off 1 s, then 2 s; the header still tells other clients not to wait.)
        headers.setdefault("Retry-After", "0")
    return error(exc.status, exc.code, exc.message, exc.details, headers)


def http_error_response(exc: HTTPException):
    db.session.rollback()
    status = exc.code or 500
    code = HTTP_CODES.get(status, "SERVER_ERROR" if status >= 500 else "API_ERROR")
    message = exc.description or exc.name
    if status == 404:
        message = "Not found."
    headers = {}
    if status == 429:
        # Flask-Limiter's after_request replaces this with the exact window when it knows it.
        headers["Retry-After"] = "60"
    return error(status, code, message, headers=headers)


def register(app):
    @app.before_request
    def _no_nul_in_path():
        # a NUL byte in an id would reach the database (PostgreSQL refuses it: 500); no id has one.
        # The browser's pages take ids in their paths too: theirs is the HTML 404 page.
        if any("\x00" in str(v) for v in (request.view_args or {}).values()):
            if is_api_request():
                return error(404, "NOT_FOUND", "Not found.")
            abort(404)

    @app.before_request
    def _no_nul_in_query_or_form():
        # the same for a query string or a browser's form: a NUL byte in a search, an email or an id
        # reaches PostgreSQL (500). API: the 422 envelope; pages: the "Please check the form" page.
        sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
        for source in sources:
            for name, value in source.items(multi=True):
                if "\x00" in name or "\x00" in value:
                    raise ValidationFailed([{"field": name.replace("\x00", ""),
                                             "message": "must not contain NUL characters"}])

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        if is_api_request():
            return domain_error_response(exc)
        from app.web.errors import domain_error_page
        return domain_error_page(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if is_api_request():
            return http_error_response(exc)
        from app.web.errors import http_error_page
        return http_error_page(exc)

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return error(500, "SERVER_ERROR", "Internal server error.")
        from app.web.errors import server_error_page
        return server_error_page()

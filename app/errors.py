"""Domain errors raised by services and turned into responses by api/ and web/.

Each carries the HTTP status and the stable error code of the contract's envelope.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, details: list | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}


class BadRequest(DomainError):
    status, code = 400, "BAD_REQUEST"


class Unauthorized(DomainError):
    status, code = 401, "INVALID_API_KEY"


class PaymentRequired(DomainError):
    status, code = 402, "PAYMENT_REQUIRED"


class Forbidden(DomainError):
    status, code = 403, "FORBIDDEN"


class NotFound(DomainError):
    status, code = 404, "NOT_FOUND"

    def __init__(self, message: str = "Not found.", **kw):
        super().__init__(message, **kw)


class Conflict(DomainError):
    status, code = 409, "CONFLICT"


class Gone(DomainError):
    status, code = 410, "GONE"


class ValidationFailed(DomainError):
    """422 with per-field details: [{"field": ..., "message": ...}]."""
    status, code = 422, "VALIDATION_ERROR"

    def __init__(self, details: list[dict] | str, message: str | None = None, **kw):
        if isinstance(details, str):
            details = [{"field": None, "message": details}]
        if message is None:
            message = "; ".join(
                (f"{d['field']}: {d['message']}" if d.get("field") else d["message"]) for d in details
            ) or "Invalid input."
        super().__init__(message, details=details, **kw)

    def for_field(self, field: str) -> str | None:
        for d in self.details or []:
            if d.get("field") == field:
                return d["message"]
        return None


class RateLimited(DomainError):
    status, code = 429, "RATE_LIMITED"


class ServiceUnavailable(DomainError):
    status, code = 503, "SERVICE_UNAVAILABLE"

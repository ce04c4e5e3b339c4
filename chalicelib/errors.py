"""The domain error family. Services raise these; the HTTP layer maps them to
RFC 9457 problem documents in one place (`chalicelib.handlers.http`)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "VALIDATION_ERROR"
    title: str = "Invalid request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        # Additional members of the problem document, e.g. `errors` or `conflicting_nights`.
        self.extra = extra
        # Response headers the error implies, e.g. Retry-After.
        self.headers: dict[str, str] = {}


class Invalid(DomainError):
    status, code, title = 400, "VALIDATION_ERROR", "Invalid request"


class NotAuthenticated(DomainError):
    status, code, title = 401, "NOT_AUTHENTICATED", "Not authenticated"


class Forbidden(DomainError):
    status, code, title = 403, "FORBIDDEN", "Forbidden"


class NotFound(DomainError):
    status, code, title = 404, "NOT_FOUND", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "CONFLICT", "Conflict"


class Unprocessable(DomainError):
    status, code, title = 422, "UNPROCESSABLE", "Unprocessable request"


class TooManyRequests(DomainError):
    status, code, title = 429, "RATE_LIMITED", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, code=code, **extra)
        self.headers["Retry-After"] = str(retry_after)


class ServiceUnavailable(DomainError):
    status, code, title = 503, "SERVICE_UNAVAILABLE", "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["Retry-After"] = str(retry_after)

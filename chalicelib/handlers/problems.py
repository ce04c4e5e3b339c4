"""Problem documents (RFC 9457): the one place where an error, or a body that does not
parse, becomes the answer a client reads."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.errors import DomainError, Invalid, ServiceUnavailable

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# Codes for the errors that Chalice itself answers before a view runs.
STATUS_CODES = {
    400: "VALIDATION_ERROR",
    401: "NOT_AUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


def problem_type(code: str) -> str:
    """The problem document's `type`, a URN made from its code."""
    return f"urn:problem:stays:{code.lower().replace('_', '-')}"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "type": problem_type(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **(extra or {}),
    }
    return Response(body=body, status_code=status, headers={**(headers or {}), "Content-Type": PROBLEM_JSON})


def field_errors(exc: ValidationError, source: str) -> list[dict[str, str]]:
    """Field and message only: pydantic's `input` and `ctx` could echo secrets back."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join(str(part) for part in error["loc"]) or source
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "json_invalid":
            field, message = source, "is not valid JSON"
        errors.append({"field": field, "message": message})
    return errors


def problem_for(exc: Exception) -> Response:
    """Every error a view can raise, as a problem document. The only such mapping."""
    if isinstance(exc, DomainError):
        return problem(exc.status, exc.code, exc.detail, title=exc.title, extra=exc.extra, headers=exc.headers)
    from chalicelib.services.failures import storage_unavailable

    if storage_unavailable(exc):
        log.warning("storage unavailable", exc_info=exc)
        error = ServiceUnavailable("The service is busy; retry shortly.")
        return problem(error.status, error.code, error.detail, title=error.title, headers=error.headers)
    log.error("unhandled error", exc_info=exc)
    return problem(500, "INTERNAL_ERROR", "Something went wrong on our side.")


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not JSON")


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):  # 1e309 overflows a double: it would become Infinity, then null
        raise ValueError("numbers must be finite")
    # 1e-400 would be stored as 0. Digits past a double's precision are not refused: %.17g
    # writes 0.1 as 0.10000000000000001, the same double, and clients send what it writes.
    if value == 0 and Decimal(number) != 0:
        raise ValueError("numbers must not underflow a double")
    return value


# The largest double, 1.8e308, has 309 digits; Python refuses to read an int of over 4,300.
_DOUBLE_DIGITS = 309


def _double_sized(number: str) -> int:
    if len(number.lstrip("-")) > _DOUBLE_DIGITS:
        raise ValueError("numbers must fit a double")
    value = int(number)
    try:
        float(value)
    except OverflowError as exc:  # a 309-digit integer may still pass the largest double
        raise ValueError("numbers must fit a double") from exc
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        twice = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
        raise ValueError(f"the key {twice[:40]!r} is given twice")
    return found


def _strict_json(raw: str | bytes) -> object:
    """Refuse what is not JSON but Python's and pydantic's parsers take: NaN, Infinity,
    numbers that a double cannot hold (that overflow it, would be stored as null or as digits no
    client reads; nonzero ones that underflow it, as 0), and a key given twice in one object
    (parsers keep one of the two). Nesting is bounded by the parser's recursion limit (a
    RecursionError is a ValueError here, so a 400)."""
    try:
        return json.loads(
            raw,
            parse_constant=_not_json,
            parse_float=_finite,
            parse_int=_double_sized,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError as exc:
        raise ValueError("nests too deeply") from exc
    except UnicodeDecodeError as exc:  # its own text names codecs and byte positions
        raise ValueError("is not UTF-8") from exc
    except json.JSONDecodeError:
        return None  # pydantic's parser names the error itself


def parse(model: type[BaseModel], raw: str | bytes | None = None, query: dict[str, str] | None = None) -> BaseModel:
    """A body (JSON bytes) or a query into its strict model; 400 with the fields at fault."""
    from pydantic import ValidationError

    from chalicelib.schemas.common import stray_names

    source = "body" if query is None else "query"
    if query is None:
        try:
            data = _strict_json(raw or b"")
        except ValueError as exc:
            raise Invalid("The request is not valid.", errors=[{"field": "body", "message": str(exc)}]) from exc
    else:
        data = query
    stray = [{"field": name, "message": "unknown field"} for name in stray_names(model, data)]
    try:
        parsed = model.model_validate_json(raw or b"") if query is None else model.model_validate(query)
    except ValidationError as exc:
        errors = field_errors(exc, source)  # a query's own Python names pydantic refuses itself
        raise Invalid("The request is not valid.", errors=errors + [e for e in stray if e not in errors]) from exc
    except (ValueError, TypeError) as exc:  # a validator that failed outside pydantic's own errors
        raise Invalid("The request is not valid.", errors=[{"field": source, "message": "is not valid"}]) from exc
    if stray:
        raise Invalid("The request is not valid.", errors=stray)
    return parsed

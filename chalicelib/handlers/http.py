"""The HTTP edge: declared operations, the role guards, and the one place where
errors become RFC 9457 problem documents.

A route is declared with what it takes and gives (a provider route's view may take
`owner`, the caller's provider id, instead of asking for it):

    @bp.operation("POST", "/api/auth/register", body=RegisterRequest, response=UserOut, status=201)
    def register(body: RegisterRequest) -> UserOut: ...

`operation` authenticates the caller (`auth`), parses the body and query into
their strict pydantic models, calls the view with `caller`, `body`, `query` and
the path parameters, and renders what it returns; any exception on the way
becomes a problem document. The list of operations also feeds the OpenAPI document.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.domain import access
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import DomainError, Invalid, ServiceUnavailable
from chalicelib.logs import request_id_var
from chalicelib.services.auth import caller_from_header
from chalicelib.services.failures import storage_unavailable

log = logging.getLogger(__name__)

Auth = Literal["none", "user", "provider", "admin"]
PROBLEM_JSON = "application/problem+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Codes for the errors that Chalice itself answers before a view runs.
_STATUS_CODES = {
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


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str
    summary: str
    auth: Auth
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    # Problem codes this operation answers with beyond the ones its shape implies, by status.
    problems: dict[int, tuple[str, ...]]
    # Request headers it reads, with what they mean (documentation only).
    headers: dict[str, str]


OPERATIONS: list[Operation] = []
# This invocation's request. Chalice's `app.current_request` is one attribute
# shared by every thread, so under `chalice local` (a threading server) two
# concurrent requests could read each other's; the request the middleware is
# handed belongs to its own invocation.
_request_var: ContextVar[Request] = ContextVar("request")


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
        "type": f"urn:problem:stays:{code.lower().replace('_', '-')}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **(extra or {}),
    }
    return Response(body=body, status_code=status, headers={**(headers or {}), "Content-Type": PROBLEM_JSON})


def _field_errors(exc: ValidationError, source: str) -> list[dict[str, str]]:
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
    if storage_unavailable(exc):
        log.warning("storage unavailable", exc_info=exc)
        error = ServiceUnavailable("The service is busy; retry shortly.")
        return problem(error.status, error.code, error.detail, title=error.title, headers=error.headers)
    log.error("unhandled error", exc_info=exc)
    return problem(500, "INTERNAL_ERROR", "Something went wrong on our side.")


def require(auth: Auth, headers: Any) -> AccessClaims | None:
    """The role guards: any signed-in user, a provider, an admin."""
    if auth == "none":
        return None
    caller = caller_from_header(headers.get("authorization"))
    if auth == "provider":
        access.provider_id_of(caller)
    if auth == "admin":
        access.require_admin(caller)
    return caller


def _parse(model: type[BaseModel], raw: str | bytes | None = None, query: dict[str, str] | None = None) -> BaseModel:
    """A body (JSON bytes) or a query into its strict model; 400 with the fields at fault."""
    try:
        return model.model_validate_json(raw or b"") if query is None else model.model_validate(query)
    except ValidationError as exc:
        source = "body" if query is None else "query"
        raise Invalid("The request is not valid.", errors=_field_errors(exc, source)) from exc
    except (ValueError, TypeError) as exc:  # a validator that failed outside pydantic's own errors
        source = "body" if query is None else "query"
        raise Invalid("The request is not valid.", errors=[{"field": source, "message": "is not valid"}]) from exc


def _render(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return Response(body=result, status_code=status, headers={"Content-Type": "application/json"})


class ApiBlueprint(Blueprint):
    def operation(
        self,
        method: str,
        path: str,
        *,
        auth: Auth = "none",
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        problems: dict[int, tuple[str, ...]] | None = None,
        headers: dict[str, str] | None = None,
        in_schema: bool = True,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            # A view takes `caller` (the verified claims) and, on provider routes, `owner`
            # (the caller's provider id), as it declares.
            wants = inspect.signature(view).parameters

            @functools.wraps(view)
            def endpoint(**path_params: str) -> Response:
                request = _request_var.get()
                kwargs: dict[str, Any] = dict(path_params)
                try:
                    caller = require(auth, request.headers)
                    if caller is not None and "caller" in wants:
                        kwargs["caller"] = caller
                    if caller is not None and "owner" in wants:
                        kwargs["owner"] = access.provider_id_of(caller)
                    if body is not None:
                        kwargs["body"] = _parse(body, raw=request.raw_body)
                    if query is not None:
                        kwargs["query"] = _parse(query, query=dict(request.query_params or {}))
                    return _render(view(**kwargs), status)
                except Exception as exc:  # noqa: BLE001 - the boundary: everything becomes a problem
                    return problem_for(exc)

            self.route(path, methods=[method])(endpoint)
            if not in_schema:
                return view
            summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
            OPERATIONS.append(
                Operation(
                    method,
                    path,
                    view.__name__,
                    summary,
                    auth,
                    body,
                    query,
                    response,
                    status,
                    problems or {},
                    headers or {},
                )
            )
            return view

        return register


def header(name: str) -> str | None:
    """A header of the request being handled."""
    value = _request_var.get().headers.get(name)
    return str(value) if value is not None else None


def _request_id(request: Request) -> str:
    sent = request.headers.get("x-request-id")
    return sent if sent and _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Request id in, request id out; Chalice's own error answers made problem documents; an access log."""
    request_id = _request_id(event)
    token = request_id_var.set(request_id)
    request_token = _request_var.set(event)
    started = time.perf_counter()
    try:
        response = get_response(event)
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400 and content_type != PROBLEM_JSON:
            detail = response.body.get("Message", "") if isinstance(response.body, dict) else ""
            if response.status_code >= 500:
                detail = "Something went wrong on our side."
            code = _STATUS_CODES.get(response.status_code, "INTERNAL_ERROR")
            response = problem(
                response.status_code,
                code,
                detail or HTTPStatus(response.status_code).phrase,
                headers={k: str(v) for k, v in response.headers.items() if k.lower() == "allow"},
            )
        response.headers["X-Request-Id"] = request_id
        log.info(
            "request",
            extra={
                "method": event.method,
                "path": event.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
    finally:
        request_id_var.reset(token)
        _request_var.reset(request_token)

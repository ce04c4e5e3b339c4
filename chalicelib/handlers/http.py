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

This module is imported by every cold start (for the middleware), before any handler
module: what only a request needs (pydantic, PyJWT, PynamoDB, the settings) is imported
when a request first needs it (see chalicelib/handlers/routes.py).
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
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal

from chalice import Blueprint, Response
from chalice.app import MultiDict, Request

from chalicelib import deadline
from chalicelib.domain import access
from chalicelib.errors import Invalid, NotAuthenticated
from chalicelib.handlers.problems import PROBLEM_JSON, STATUS_CODES, parse, problem, problem_for
from chalicelib.logs import configure_logging, request_id_var
from chalicelib.observability import outcome_of, record_request, traced

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.domain.tokens import AccessClaims

log = logging.getLogger(__name__)

Auth = Literal["none", "user", "provider", "admin"]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


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
# Each route's endpoint, by method and path, as its handler module declared it.
ENDPOINTS: dict[tuple[str, str], Callable[..., Response]] = {}
# This invocation's request. Chalice's `app.current_request` is one attribute
# shared by every thread, so under `chalice local` (a threading server) two
# concurrent requests could read each other's; the request the middleware is
# handed belongs to its own invocation.
_request_var: ContextVar[Request] = ContextVar("request")


def require(auth: Auth, headers: Any) -> AccessClaims | None:
    """The role guards: any signed-in user, a provider, an admin."""
    if auth == "none":
        return None
    from chalicelib.services.caller import caller_from_header

    caller = caller_from_header(headers.get("authorization"))
    if auth == "provider":
        access.provider_id_of(caller)
    if auth == "admin":
        access.require_admin(caller)
    return caller


def _settle_account(auth: Auth) -> None:
    """Before answering: the caller's account still exists and is active (else 401)."""
    if auth != "none":
        from chalicelib.services.caller import confirm_account

        confirm_account()


def _account_failure(auth: Auth) -> NotAuthenticated | None:
    """A gone account answers 401 whatever else went wrong; a check that could not be made
    (the table unreachable) leaves the request's own failure standing."""
    try:
        _settle_account(auth)
    except NotAuthenticated as exc:
        return exc
    except Exception:  # noqa: BLE001 - not an answer about the account
        return None
    return None


def _render(result: Any, status: int) -> Response:
    from pydantic import BaseModel

    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return Response(body=result, status_code=status, headers={"Content-Type": "application/json"})


def _inputs(request: Request, body: type[BaseModel] | None, query: type[BaseModel] | None) -> dict[str, BaseModel]:
    """The view's `body` and `query`, parsed; a write that takes no body may send nothing or `{}`."""
    inputs = {}
    if body is not None:
        inputs["body"] = parse(body, raw=request.raw_body)
    elif request.raw_body and request.method not in ("GET", "HEAD"):
        from chalicelib.schemas.common import NoBody

        parse(NoBody, raw=request.raw_body)
    if query is not None:
        params = request.query_params or MultiDict(None)
        twice = [{"field": name, "message": "is given twice"} for name in params if len(params.getlist(name)) > 1]
        if twice:  # a client that sends two values means one of them; which one is not ours to guess
            raise Invalid("The request is not valid.", errors=twice)
        inputs["query"] = parse(query, query=dict(params))
    return inputs


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
                    kwargs.update(_inputs(request, body, query))
                    result = view(**kwargs)
                    _settle_account(auth)
                    return _render(result, status)
                except Exception as exc:  # noqa: BLE001 - the boundary: everything becomes a problem
                    return problem_for(_account_failure(auth) or exc)
                finally:
                    if auth != "none":
                        from chalicelib.services.caller import forget_account_check

                        forget_account_check()

            ENDPOINTS[(method, path)] = endpoint
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


def source_ip() -> str:
    """The client's address as API Gateway saw the connection (`requestContext.identity.sourceIp`),
    never a header such as X-Forwarded-For, which a client can set to anything."""
    identity = (_request_var.get().context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _request_id(request: Request) -> str:
    sent = request.headers.get("x-request-id")
    return sent if sent and _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


@lru_cache(maxsize=1)
def start() -> None:
    """On the first request: the settings checked (a broken environment fails every request,
    as it would the import) and logging set up."""
    from chalicelib.settings import get_settings

    configure_logging(get_settings().log_level)


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Request id in, request id out; Chalice's own error answers made problem documents; an access log."""
    start()
    from chalicelib.services.failures import watch_deadline
    from chalicelib.settings import get_settings

    request_id = _request_id(event)
    token = request_id_var.set(request_id)
    request_token = _request_var.set(event)
    watch_deadline()
    deadline_token = deadline.start(get_settings().request_deadline_seconds)
    started = time.perf_counter()
    route = f"{event.method} {event.path}"
    try:
        with traced(route):
            response = get_response(event)
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400 and content_type != PROBLEM_JSON:
            detail = response.body.get("Message", "") if isinstance(response.body, dict) else ""
            if response.status_code >= 500:
                detail = "Something went wrong on our side."
            code = STATUS_CODES.get(response.status_code, "INTERNAL_ERROR")
            response = problem(
                response.status_code,
                code,
                detail or HTTPStatus(response.status_code).phrase,
                headers={k: str(v) for k, v in response.headers.items() if k.lower() == "allow"},
            )
        response.headers["X-Request-Id"] = request_id
        if event.method == "HEAD":
            response.body = ""
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info(
            "request",
            extra={
                "method": event.method,
                "path": event.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        record_request(route, outcome_of(response), duration_ms)
        return response
    finally:
        request_id_var.reset(token)
        _request_var.reset(request_token)
        deadline.reset(deadline_token)

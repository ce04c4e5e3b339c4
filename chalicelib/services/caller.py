"""The caller behind a bearer token, and the check that its account still exists and is active.

A signed access token outlives its user, so every authenticated request learns whether
`USER#<id>` still exists and is active, and answers 401 `TOKEN_INVALID` if not. The check
costs no round trip of its own: hooks on the DynamoDB client watch the request's calls.
When the request itself reads the user item (a booking's BatchGetItem, `/api/auth/me`),
the check takes `is_active` from that answer; at the request's first other read it starts
an eventually consistent GetItem of `is_active` alone (0.5 read units) beside it; before
the request's first write, and before it answers, it waits for the result. So nothing is
written for an account that is gone, and only a request that writes first waits a step.
"""

from __future__ import annotations

from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import tokens
from chalicelib.errors import NotAuthenticated
from chalicelib.models.accounts import User
from chalicelib.models.base import after_each_call, before_each_call
from chalicelib.pools import RequestPool, request_pool
from chalicelib.settings import get_settings

_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})


@dataclass
class _Check:
    user_id: str
    key: dict[str, dict[str, str]]
    found: bool | None = None  # the answer, once known
    reading: Future[bool] | None = None  # its own GetItem, once started
    riding: bool = False  # a read of the request's own asks for the user item


# This request's account check.
_check: ContextVar[_Check | None] = ContextVar("account_check", default=None)


def caller_from_header(authorization: str | None) -> tokens.AccessClaims:
    """The verified claims of `Authorization: Bearer <access token>`; the account check begins."""
    if not authorization:
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    settings = get_settings()
    claims = tokens.decode_access(token.strip(), key=settings.signing_key, issuer=settings.jwt_issuer)
    _watch_calls()
    pk, sk = User.keys(claims.user_id)
    _check.set(_Check(claims.user_id, {"pk": {"S": pk}, "sk": {"S": sk}}))
    return claims


def confirm_account() -> None:
    """Wait for this request's account check, if it has one: 401 `TOKEN_INVALID` unless the
    account exists and is active."""
    check = _check.get()
    if check is None:
        return
    if check.found is None:
        if check.reading is None:  # no read of the request has started it
            check.reading = _pool().submit(_is_active, check.user_id)
        check.found = check.reading.result()
    if not check.found:
        raise NotAuthenticated("The account of this token no longer exists or is not active.", code="TOKEN_INVALID")


def forget_account_check() -> None:
    """The request is over: the next one on this thread starts from nothing."""
    _check.set(None)


def _is_active(user_id: str) -> bool:
    # On the pool, in a copy of the request's context: under its deadline, and not watched
    # by its own check (this GetItem is the check).
    _check.set(None)
    try:
        user = User.get(*User.keys(user_id), attributes_to_get=["pk", "sk", "kind", "is_active"])
    except DoesNotExist:
        return False
    return bool(user.is_active)


def _asks_for(check: _Check, operation: str, params: dict[str, Any]) -> bool:
    """Whether a read returns the whole user item (no projection)."""
    if operation == "GetItem":
        return params.get("Key") == check.key and "ProjectionExpression" not in params
    if operation == "BatchGetItem":
        return any(
            check.key in asked.get("Keys", []) and "ProjectionExpression" not in asked
            for asked in params.get("RequestItems", {}).values()
        )
    return False


def _before_call(model: Any, params: dict[str, Any], **_: Any) -> None:
    check = _check.get()
    if check is None:
        return
    if model.name in _WRITES:
        confirm_account()
    elif check.found is not None or check.reading is not None:
        return
    elif _asks_for(check, model.name, params):
        check.riding = True
    else:
        check.reading = _pool().submit(_is_active, check.user_id)


def _after_call(model: Any, parsed: dict[str, Any], **_: Any) -> None:
    check = _check.get()
    if check is None or not check.riding:
        return
    check.riding = False
    if "Error" in parsed:
        return
    if model.name == "GetItem":
        items = [parsed["Item"]] if "Item" in parsed else []
    else:
        if any(check.key in left.get("Keys", []) for left in parsed.get("UnprocessedKeys", {}).values()):
            return  # asked again by the caller's retry, which rides again
        items = [item for found in parsed.get("Responses", {}).values() for item in found]
    user = next((item for item in items if {name: item.get(name) for name in check.key} == check.key), None)
    check.found = user is not None and user.get("is_active") == {"BOOL": True}


@lru_cache(maxsize=1)
def _watch_calls() -> None:
    before_each_call(_before_call, "account-check")
    after_each_call(_after_call, "account-check-answer")


def _pool() -> RequestPool:
    return request_pool("account-check", 4)

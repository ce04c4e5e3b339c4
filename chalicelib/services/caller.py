"""The caller behind a bearer token, and the check that its account still exists and is active.

A signed access token outlives its user, so every authenticated request reads `USER#<id>`
(eventually consistent, `is_active` only: 0.5 read units) and answers 401 `TOKEN_INVALID`
for an account deleted or made inactive since the token was issued. The read runs beside
the request's own first reads, not before them: the request waits for it before its first
write to the table (a hook on the DynamoDB client) and before it answers. So a request that
reads first pays no extra round trip, and nothing is written for an account that is gone.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import tokens
from chalicelib.errors import NotAuthenticated
from chalicelib.models.accounts import User
from chalicelib.models.base import before_each_call
from chalicelib.settings import get_settings

_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
# This request's account check, while it is not known to have passed.
_pending: ContextVar[Future[bool] | None] = ContextVar("account_check", default=None)


def caller_from_header(authorization: str | None) -> tokens.AccessClaims:
    """The verified claims of `Authorization: Bearer <access token>`; starts the account check."""
    if not authorization:
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    settings = get_settings()
    claims = tokens.decode_access(token.strip(), key=settings.signing_key, issuer=settings.jwt_issuer)
    _watch_writes()
    _pending.set(_pool().submit(_is_active, claims.user_id))
    return claims


def confirm_account() -> None:
    """Wait for this request's account check, if one is running: 401 `TOKEN_INVALID` unless
    the account exists and is active."""
    check = _pending.get()
    if check is None:
        return
    if not check.result():
        raise NotAuthenticated("The account of this token no longer exists or is not active.", code="TOKEN_INVALID")
    _pending.set(None)


def forget_account_check() -> None:
    """The request is over: the next one on this thread starts from nothing."""
    _pending.set(None)


def _is_active(user_id: str) -> bool:
    try:
        user = User.get(*User.keys(user_id), attributes_to_get=["pk", "sk", "kind", "is_active"])
    except DoesNotExist:
        return False
    return bool(user.is_active)


def _before_call(model: Any, **_: Any) -> None:
    if model.name in _WRITES:
        confirm_account()


@lru_cache(maxsize=1)
def _watch_writes() -> None:
    before_each_call(_before_call, "account-check")


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="account-check")

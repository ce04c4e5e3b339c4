"""Each request's deadline, well inside API Gateway's 29 s.

The HTTP middleware starts it; before every DynamoDB attempt (retries included) the
models' client checks it, and past it no further attempt starts: the request answers 503
`SERVICE_UNAVAILABLE` with `Retry-After` instead of hanging until the gateway gives up
(when a write may still commit behind a 504). A booking's transaction that may have
committed is safe to retry: its `Idempotency-Key` record was written in it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from chalicelib.errors import ServiceUnavailable

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


def start(seconds: float) -> Token[float | None]:
    return _deadline.set(time.monotonic() + seconds)


def reset(token: Token[float | None]) -> None:
    _deadline.reset(token)


@contextmanager
def grace(seconds: float) -> Iterator[None]:
    """A deadline `seconds` from now, for a request's clean-up after its own deadline may have
    passed (putting back what it had changed); the request's own deadline again after."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check(**_: Any) -> None:
    """A botocore `before-send` hook: raise once the deadline of this request has passed.
    Threads that the request's context was not copied into have no deadline and pass."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() >= deadline:
        raise ServiceUnavailable("The database is not answering in time; retry shortly.", retry_after=2)

"""Thread pools whose threads work inside the request that handed them the work.

A thread of a plain pool does not see the context variables of the request that submitted
to it, so its DynamoDB calls would pass unseen by the request's deadline and account check
(the write gate). A `RequestPool` runs each call in a copy of the submitter's context: past
the deadline a search's lock Query answers 503 like the request's own calls, and a write
from the pool waits for the account check like one from the request's thread. One pool per
name and process: a warm Lambda container reuses its threads across requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from functools import cache
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class RequestPool:
    def __init__(self, name: str, size: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)

    def submit(self, fn: Callable[..., R], *args: object) -> Future[R]:
        """`fn(*args)` on a pool thread, in a copy of this thread's context."""
        return self._executor.submit(copy_context().run, fn, *args)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`fn` over `items` at once, results in order; the first failure is raised."""
        return [future.result() for future in [self.submit(fn, item) for item in items]]


@cache
def request_pool(name: str, size: int) -> RequestPool:
    return RequestPool(name, size)

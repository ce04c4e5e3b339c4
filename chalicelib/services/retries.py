"""The one retry policy for conditional writes that may be retried.

A write that read an item and saved it under a condition (a version, a status) is
run again from its read when the condition shows a concurrent change (`Stale`), and
when DynamoDB answers "try again shortly" (throttling, a lost transaction race).
Waits are jittered and growing. When the attempts run out, a transient failure is a
503 with Retry-After and a read that kept going stale is a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import PynamoDBException
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from chalicelib.errors import Conflict, ServiceUnavailable
from chalicelib.models.base import condition_failed, is_transient

T = TypeVar("T")
ATTEMPTS = 4


class Stale(Exception):
    """What was read changed before the write: read again and retry."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, Stale) or is_transient(exc)


def retrying(write: Callable[[], T], *, what: str) -> T:
    """Run `write` (read, decide, write under a condition) until it lands; `what` names the
    object for the 409 ("The booking changed while it was being saved")."""
    try:
        return Retrying(
            retry=retry_if_exception(_retryable),
            wait=wait_random_exponential(multiplier=0.02, max=0.5),
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
        )(write)
    except Stale as exc:
        raise Conflict(f"The {what} changed while it was being saved; try again.") from exc
    except PynamoDBException as exc:
        if is_transient(exc):
            raise ServiceUnavailable(f"The {what} service is busy; retry shortly.", retry_after=1) from exc
        raise


def stale_on_condition(write: Callable[[], T]) -> Callable[[], T]:
    """`write`, with a refused condition (a version that moved on) turned into `Stale`."""

    def attempt() -> T:
        try:
            return write()
        except PynamoDBException as exc:
            if condition_failed(exc):
                raise Stale() from exc
            raise

    return attempt

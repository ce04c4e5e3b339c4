"""Which failures mean "the storage is busy or out of reach": a 503 the client may retry."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError

from chalicelib import deadline
from chalicelib.models.base import before_each_attempt, is_transient


def storage_unavailable(exc: BaseException) -> bool:
    """Throttling, a lost transaction race or an unreachable endpoint, anywhere in the chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BotoCoreError) or is_transient(seen):
            return True
        seen = seen.__cause__ or getattr(seen, "cause", None)
    return False


def watch_deadline() -> None:
    """Have the table's client check the request's deadline before every attempt it sends."""
    before_each_attempt(deadline.check, "request-deadline")

"""Which failures mean "the storage is busy or out of reach": a 503 the client may retry."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError

from chalicelib.models.base import is_transient


def storage_unavailable(exc: BaseException) -> bool:
    """Throttling, a lost transaction race or an unreachable endpoint, anywhere in the chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BotoCoreError) or is_transient(seen):
            return True
        seen = seen.__cause__ or getattr(seen, "cause", None)
    return False

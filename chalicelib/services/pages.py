"""Cursor pagination, the one helper for every list: over one Query, or over a sorted result.

A cursor is signed and bound to its `scope` (whose list, which filter, which query),
so a cursor only resumes the list it came from; anything else is a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator

from chalicelib.domain import cursors
from chalicelib.models.base import refused_as_invalid
from chalicelib.settings import get_settings

T = TypeVar("T")
SortKey = tuple[Decimal, str]


def page(
    query: Callable[[dict[str, Any] | None], ResultIterator[Any]], kind: type[T], *, cursor: str | None, scope: str
) -> tuple[list[T], str | None]:
    """Run `query` from where `cursor` left off; its items (all of `kind`) and the next page's cursor."""
    key = get_settings().signing_key
    start = cursors.decode(cursor, scope=scope, key=key) if cursor else None
    results = query(start)
    try:
        items = [item for item in results if isinstance(item, kind)]
    except QueryError as exc:
        # A cursor of ours whose key this index does not take (an older release's list): a 400.
        if start is None or not refused_as_invalid(exc):
            raise
        raise cursors.foreign() from exc
    last = results.last_evaluated_key
    return items, cursors.encode(last, scope=scope, key=key) if last else None


def keyset_page(
    items: Iterable[T], key: Callable[[T], SortKey], *, limit: int, cursor: str | None, scope: str
) -> tuple[list[T], str | None]:
    """Keyset pagination over a result sorted by `key`: the cursor holds the last key served,
    so a page never repeats or skips an item that stays in the result between two calls."""
    secret = get_settings().signing_key
    ordered = sorted(items, key=key)
    if cursor:
        after = cursors.decode(cursor, scope=scope, key=secret)["after"]
        last = (Decimal(after[0]), after[1])
        ordered = [item for item in ordered if key(item) > last]
    served = ordered[:limit]
    if len(ordered) <= limit:
        return served, None
    value, ident = key(served[-1])
    return served, cursors.encode({"after": [str(value), ident]}, scope=scope, key=secret)

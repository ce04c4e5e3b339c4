"""Cursor pagination over one Query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.pagination import ResultIterator

from chalicelib.domain import cursors
from chalicelib.settings import get_settings

T = TypeVar("T")


def page(
    query: Callable[[dict[str, Any] | None], ResultIterator[Any]], kind: type[T], *, cursor: str | None, scope: str
) -> tuple[list[T], str | None]:
    """Run `query` from where `cursor` left off; its items (all of `kind`) and the next page's cursor.

    `scope` names the query (whose list, which filter); a cursor only resumes the
    query it came from.
    """
    key = get_settings().signing_key
    start = cursors.decode(cursor, scope=scope, key=key) if cursor else None
    results = query(start)
    items = [item for item in results if isinstance(item, kind)]
    last = results.last_evaluated_key
    return items, cursors.encode(last, scope=scope, key=key) if last else None

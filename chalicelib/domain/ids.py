"""Opaque, random, URL-safe ids.

A child's id (a room's) is its parent's id (the stay's), a dot and a random
part. Clients treat it as opaque; the service reads the stay id back out of a
room id, so that a room is found from its id alone in the stay's partition.
"""

import re
import secrets

_PART = r"[A-Za-z0-9_-]{16,64}"
_ID = re.compile(rf"^{_PART}$")
_CHILD_ID = re.compile(rf"^({_PART})\.{_PART}$")


def new_id() -> str:
    return secrets.token_urlsafe(16)


def new_child_id(parent_id: str) -> str:
    return f"{parent_id}.{new_id()}"


def is_id(value: str) -> bool:
    """True when `value` could be one of our ids: it is safe to put into a key."""
    return bool(_ID.fullmatch(value))


def parent_of(child_id: str) -> str | None:
    """The parent's id inside a child id; None when `child_id` is not one."""
    match = _CHILD_ID.fullmatch(child_id)
    return match.group(1) if match else None

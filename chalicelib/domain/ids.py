"""Opaque, random, URL-safe ids."""

import re
import secrets

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_id() -> str:
    return secrets.token_urlsafe(16)


def is_id(value: str) -> bool:
    """True when `value` could be one of our ids: it is safe to put into a key."""
    return bool(_ID.fullmatch(value))

"""The current time, in one place so that tests can move it."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)

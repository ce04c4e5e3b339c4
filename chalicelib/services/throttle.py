"""Sign-in throttling that can neither lock the owner out nor tell who has an account.

Failures are counted per (email, client address) and per client address alone, whether
the email has an account or not. `LOGIN_MAX_FAILURES` failures of one pair within
`LOGIN_FAILURE_WINDOW_SECONDS` lock that pair (429 `ACCOUNT_LOCKED`): a stranger's guesses
stop the stranger, not the owner signing in from elsewhere. `LOGIN_ADDRESS_MAX_FAILURES`
failures from one address, over any emails, lock the address (429 `RATE_LIMITED`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.errors import TooManyRequests
from chalicelib.models.base import TableItem, condition_failed
from chalicelib.models.throttle import FailureCount
from chalicelib.settings import get_settings


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def scopes(email_key: str, address: str) -> tuple[str, str]:
    """The scope of the pair and the scope of the address alone."""
    return _digest("pair", email_key, address), _digest("address", address)


def keys(email_key: str, address: str) -> list[tuple[str, str]]:
    """Their item keys, for the caller to read in the same BatchGetItem as the email claim."""
    return [FailureCount.keys(scope) for scope in scopes(email_key, address)]


def refuse_if_locked(items: list[TableItem], email_key: str, address: str, now: datetime) -> None:
    """429 with `Retry-After` when the pair or the address is locked now."""
    pair, alone = scopes(email_key, address)
    for item in items:
        if not isinstance(item, FailureCount) or item.locked_until is None or item.locked_until <= now:
            continue
        wait = max(1, int((item.locked_until - now).total_seconds()))
        if item.scope == pair:
            raise TooManyRequests("Too many failed sign-ins; try again later.", code="ACCOUNT_LOCKED", retry_after=wait)
        if item.scope == alone:
            raise TooManyRequests("Too many failed sign-ins from this address.", code="RATE_LIMITED", retry_after=wait)


def _count(scope: str, limit: int, now: datetime) -> None:
    """One more failure in the scope's window: UpdateItem ADD under `window_ends > now`; when
    the window is over (or there is none), a Put starts a new one at 1. Reaching `limit` locks."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_failure_window_seconds)
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    item = FailureCount(scope=scope)
    try:
        item.update(actions=[FailureCount.failures.add(1)], condition=FailureCount.window_ends > now)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # A new window. Two first failures at the same instant may count as one: the
        # limit is approximate by the concurrency of one client, never by more.
        item = FailureCount(scope=scope, failures=1, window_ends=now + window, expires_at=now + window + lockout)
        item.save()
    if item.failures >= limit:
        item.update(
            actions=[
                FailureCount.locked_until.set(now + lockout),
                FailureCount.failures.set(0),
                FailureCount.window_ends.remove(),
                FailureCount.expires_at.set(now + lockout),
            ]
        )


def record_failure(email_key: str, address: str, now: datetime) -> None:
    settings = get_settings()
    pair, alone = scopes(email_key, address)
    _count(pair, settings.login_max_failures, now)
    _count(alone, settings.login_address_max_failures, now)


def forget_pair(items: list[TableItem], email_key: str, address: str) -> None:
    """A good password clears the pair's failures (never the address's: a guesser with an
    account of their own must not reset the count of their guesses at others). `items` are
    what the sign-in's BatchGetItem read: with no count of the pair there, nothing to delete."""
    pair = scopes(email_key, address)[0]
    if any(isinstance(item, FailureCount) and item.scope == pair for item in items):
        FailureCount(scope=pair).delete()

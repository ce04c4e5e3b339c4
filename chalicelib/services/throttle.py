"""Sign-in throttling that can neither lock the owner out nor tell who has an account.

Attempts are counted per (email, client address) and per client address alone, whether
the email has an account or not, and *before* the password is checked: each sign-in takes
a place in its scopes' windows with a conditional write (`failures < limit`), so guesses
sent at once cannot all pass the check before any of them is counted. A success gives its
places back; a failure keeps them. The attempt that fills a window of
`LOGIN_FAILURE_WINDOW_SECONDS` and then fails locks the scope for `LOGIN_LOCKOUT_SECONDS`:
`LOGIN_MAX_FAILURES` for a pair (429 `ACCOUNT_LOCKED`; a stranger's guesses stop the
stranger, not the owner signing in from elsewhere), `LOGIN_ADDRESS_MAX_FAILURES` for an
address over any emails (429 `RATE_LIMITED`). While a full window's attempts are still in
flight, one more gets the same 429 with `Retry-After: 1`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.errors import TooManyRequests
from chalicelib.models.base import TableItem, condition_failed
from chalicelib.models.throttle import FailureCount
from chalicelib.pools import RequestPool, request_pool
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
# A place is taken in at most this many conditional writes: a write refused because another
# attempt started the window or took a place first is tried again on a consistent read.
_TRIES = 4


@dataclass(frozen=True)
class Scope:
    digest: str
    limit: int
    code: str
    detail: str


@dataclass(frozen=True)
class Place:
    """An attempt's place in a scope's window: the window and the count it made."""

    scope: Scope
    window_ends: datetime
    count: int


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def scopes(email_key: str, address: str) -> tuple[Scope, Scope]:
    """The scope of the pair and the scope of the address alone."""
    settings = get_settings()
    return (
        Scope(
            _digest("pair", email_key, address),
            settings.login_max_failures,
            "ACCOUNT_LOCKED",
            "Too many failed sign-ins; try again later.",
        ),
        Scope(
            _digest("address", address),
            settings.login_address_max_failures,
            "RATE_LIMITED",
            "Too many failed sign-ins from this address.",
        ),
    )


def keys(email_key: str, address: str) -> list[tuple[str, str]]:
    """Their item keys, for the caller to read in the same BatchGetItem as the email claim."""
    return [FailureCount.keys(scope.digest) for scope in scopes(email_key, address)]


def _refuse_if_full(scope: Scope, seen: FailureCount | None, now: datetime) -> None:
    """429 with `Retry-After` when the scope is locked (until the lock ends), or when its
    window has no place left: attempts still in flight hold them, and the one holding the
    last place locks the scope if it fails, so the answer is "again in a second"."""
    if seen is None:
        return
    if seen.locked_until is not None and seen.locked_until > now:
        wait = max(1, int((seen.locked_until - now).total_seconds()))
        raise TooManyRequests(scope.detail, code=scope.code, retry_after=wait)
    if seen.window_ends is not None and seen.window_ends > now and seen.failures >= scope.limit:
        raise TooManyRequests("Too many sign-ins at once; try again.", code=scope.code, retry_after=1)


def _read(scope: Scope) -> FailureCount | None:
    try:
        return FailureCount.get(*FailureCount.keys(scope.digest), consistent_read=True)
    except DoesNotExist:
        return None


def _take(scope: Scope, seen: FailureCount | None, now: datetime) -> Place:
    """One place in the window `seen` shows (UpdateItem ADD under the same window and
    `failures < limit`), or a new window at 1 (PutItem where no window or lock is live)."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_failure_window_seconds)
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    for _ in range(_TRIES):
        _refuse_if_full(scope, seen, now)
        try:
            if seen is not None and seen.window_ends is not None and seen.window_ends > now:
                item = FailureCount(scope=scope.digest)
                item.update(
                    actions=[FailureCount.failures.add(1)],
                    condition=(FailureCount.window_ends == seen.window_ends) & (FailureCount.failures < scope.limit),
                )
                return Place(scope, seen.window_ends, int(item.failures))
            ends = now + window
            FailureCount(scope=scope.digest, failures=1, window_ends=ends, expires_at=ends + lockout).save(
                condition=(FailureCount.window_ends.does_not_exist() | (FailureCount.window_ends <= now))
                & (FailureCount.locked_until.does_not_exist() | (FailureCount.locked_until <= now))
            )
            return Place(scope, ends, 1)
        except (UpdateError, PutError) as exc:
            if not condition_failed(exc):
                raise
        seen = _read(scope)
    raise TooManyRequests("Too many sign-ins at once; try again.", code=scope.code, retry_after=1)


def pool() -> RequestPool:
    """The sign-in's pool: the user is read beside the pair's count, and the counts settled
    beside the login's write."""
    return request_pool("sign-in", 4)


def admit(items: list[TableItem], email_key: str, address: str, now: datetime) -> tuple[Place, Place]:
    """This sign-in's places: the pair's first, then the address's, so that an attempt the
    pair refuses never holds a place of the address (and keeps a sign-in of another email
    from that address out); 429 when either scope is locked or full, and any error, leave no
    place taken. `items` are what the sign-in's BatchGetItem read."""
    counts = {item.scope: item for item in items if isinstance(item, FailureCount)}
    pair, alone = scopes(email_key, address)
    first = _take(pair, counts.get(pair.digest), now)
    try:
        return first, _take(alone, counts.get(alone.digest), now)
    except Exception:
        give_back((first,))
        raise


def _in_window(place: Place, actions: list[Action], condition: Condition) -> None:
    """UpdateItem of the place's count while it is in the place's window and `condition`
    holds; a lock or a new window since owes it nothing."""
    try:
        FailureCount(scope=place.scope.digest).update(
            actions=actions, condition=(FailureCount.window_ends == place.window_ends) & condition
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def give_back(places: tuple[Place, ...]) -> None:
    """The places no longer count: the attempt was not a guess (it failed before its password
    was checked)."""
    for place in places:  # never below zero: a good password may have cleared the window since
        _in_window(place, [FailureCount.failures.add(-1)], FailureCount.failures > 0)


def failed(places: tuple[Place, Place], now: datetime) -> None:
    """The places stay counted; the attempt that took a window's last place locks its scope
    if the window is still full (a good password since cleared it; an attempt that failed
    before its password was checked gave its place back, for another to take)."""
    lockout = timedelta(seconds=get_settings().login_lockout_seconds)
    for place in places:
        if place.count < place.scope.limit:
            continue
        _in_window(
            place,
            [
                FailureCount.locked_until.set(now + lockout),
                FailureCount.failures.set(0),
                FailureCount.window_ends.remove(),
                FailureCount.expires_at.set(now + lockout),
            ],
            FailureCount.failures >= place.scope.limit,
        )


@contextmanager
def succeeding(places: tuple[Place, Place]) -> Iterator[None]:
    """A good password clears the pair's count (to zero, in the same window: attempts in flight
    keep a window to count in) and gives the address its place back, never more: a guesser
    with an account of their own must not reset the count of their guesses at others. Both
    run on the pool while the caller starts the login, and are waited for after it; a
    failure is logged (the counts then hold one attempt too many, never too few)."""
    pair, alone = places
    settling = [
        pool().submit(_in_window, pair, [FailureCount.failures.set(0)], FailureCount.failures > 0),
        pool().submit(give_back, (alone,)),
    ]
    try:
        yield
    finally:
        for write in settling:
            try:
                write.result()
            except Exception:
                log.exception("sign-in counts not settled")

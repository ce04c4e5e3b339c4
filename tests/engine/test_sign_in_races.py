"""Sign-in throttling under guesses sent at once, on DynamoDB Local: every attempt takes its
place in the counts before its password is checked, so a burst gets no more tries than a
patient guesser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.domain.accounts import email_key
from chalicelib.errors import NotAuthenticated, TooManyRequests
from chalicelib.models.throttle import FailureCount
from chalicelib.schemas.accounts import RegisterRequest, TokenPair
from chalicelib.services import accounts, auth, throttle
from chalicelib.settings import get_settings
from tests.engine.test_races import race
from tests.factories import PASSWORD, registration, unique_email

BURST = 24
ADDRESS_LIMIT = 6


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The passwords argon2 checked, one entry per check."""
    seen: list[str] = []
    verify = auth.verify_password

    def counting(password: str, hashed: str | None) -> tuple[bool, str | None]:
        seen.append(password)
        return verify(password, hashed)

    monkeypatch.setattr(auth, "verify_password", counting)
    monkeypatch.setenv("LOGIN_ADDRESS_MAX_FAILURES", str(ADDRESS_LIMIT))
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def _account() -> str:
    body = registration()
    accounts.register(RegisterRequest(**body))
    return str(body["email"])


def _count(email: str, address: str, scope: int) -> FailureCount | None:
    digest = throttle.scopes(email_key(email), address)[scope].digest
    return next(iter(FailureCount.query(FailureCount.keys(digest)[0], consistent_read=True)), None)


def test_a_burst_of_guesses_at_one_account_gets_the_limits_tries_and_locks_the_pair(checked: list[str]) -> None:
    email, address = _account(), "203.0.113.50"
    outcomes = race([lambda: auth.login(email, "nope nope", address) for _ in range(BURST)])
    limit = get_settings().login_max_failures
    assert len(checked) == limit, "argon2 ran for more guesses than the limit allows"
    assert sum(isinstance(o, NotAuthenticated) for o in outcomes) == limit
    refused = [o for o in outcomes if isinstance(o, TooManyRequests)]
    assert len(refused) == BURST - limit and all(o.code == "ACCOUNT_LOCKED" for o in refused)
    with pytest.raises(TooManyRequests) as locked:
        auth.login(email, PASSWORD, address)  # the right password, from the guesser's address
    assert locked.value.code == "ACCOUNT_LOCKED" and int(locked.value.headers["Retry-After"]) > 1
    assert isinstance(auth.login(email, PASSWORD, "198.51.100.50"), TokenPair)  # the owner, elsewhere


def test_a_burst_across_many_emails_gets_the_address_limits_tries(checked: list[str]) -> None:
    address = "203.0.113.51"
    emails = [unique_email() for _ in range(BURST)]
    outcomes = race([lambda e=e: auth.login(e, "nope nope", address) for e in emails])
    assert len(checked) == ADDRESS_LIMIT
    assert sum(isinstance(o, NotAuthenticated) for o in outcomes) == ADDRESS_LIMIT
    assert all(o.code == "RATE_LIMITED" for o in outcomes if isinstance(o, TooManyRequests))
    # No place is left taken in a pair's count by an attempt the address refused.
    counted = [e for e in emails if getattr(_count(e, address, 0), "failures", 0)]
    assert len(counted) == ADDRESS_LIMIT
    with pytest.raises(TooManyRequests) as limited:
        auth.login(_account(), PASSWORD, address)
    assert limited.value.code == "RATE_LIMITED"


def test_sign_ins_at_once_that_succeed_give_their_places_back(checked: list[str]) -> None:
    email, address = _account(), "203.0.113.52"
    at_once = get_settings().login_max_failures - 1
    outcomes = race([lambda: auth.login(email, PASSWORD, address) for _ in range(at_once)])
    assert all(isinstance(o, TokenPair) for o in outcomes), [(type(o).__name__, str(o)[:200]) for o in outcomes]
    for scope in (0, 1):
        count = _count(email, address, scope)
        assert count is not None and count.failures == 0 and count.locked_until is None
    for _ in range(get_settings().login_max_failures - 1):  # a full window of tries is still there
        with pytest.raises(NotAuthenticated):
            auth.login(email, "nope nope", address)
    assert isinstance(auth.login(email, PASSWORD, address), TokenPair)

"""Races on a real engine: uniqueness and refresh rotation hold under concurrent calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.errors import Conflict, NotAuthenticated
from chalicelib.models.accounts import EmailClaim, PhoneClaim, User
from chalicelib.schemas.accounts import RegisterRequest
from chalicelib.services import accounts, auth
from tests.factories import PASSWORD, registration, unique_email, unique_phone

THREADS = 16


def race(calls: list[Any]) -> list[Any]:
    """Run the calls at once; each result is a value or the exception it raised."""

    def attempt(call: Any) -> Any:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(attempt, calls))


def test_concurrent_registrations_of_one_email_make_exactly_one_account() -> None:
    email = unique_email()
    bodies = [RegisterRequest(**registration(email=email.upper() if i % 2 else email)) for i in range(THREADS)]
    outcomes = race([lambda b=b: accounts.register(b) for b in bodies])
    winners = [o for o in outcomes if isinstance(o, User)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1 and all(o.code == "EMAIL_TAKEN" for o in losers)
    claim = EmailClaim.get(*EmailClaim.keys(email.lower()), consistent_read=True)
    assert claim.user_id == winners[0].id
    # The losers' phone claims were never written: their transactions did nothing.
    for body in bodies:
        if body.phone != winners[0].phone:
            assert PhoneClaim.count(PhoneClaim.keys(body.phone)[0]) == 0


def test_concurrent_registrations_of_one_phone_make_exactly_one_account() -> None:
    phone = unique_phone()
    outcomes = race([lambda: accounts.register(RegisterRequest(**registration(phone=phone))) for _ in range(THREADS)])
    assert sum(isinstance(o, User) for o in outcomes) == 1
    assert all(o.code == "PHONE_TAKEN" for o in outcomes if isinstance(o, Conflict))
    assert sum(isinstance(o, Conflict) for o in outcomes) == THREADS - 1


@pytest.fixture
def signed_in() -> str:
    body = registration()
    accounts.register(RegisterRequest(**body))
    return auth.login(body["email"], PASSWORD, "127.0.0.1").refresh


def test_concurrent_use_of_one_refresh_token_rotates_once_then_revokes(signed_in: str) -> None:
    outcomes = race([lambda: auth.refresh(signed_in) for _ in range(THREADS)])
    pairs = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, NotAuthenticated)]
    assert len(pairs) == 1 and len(refused) == THREADS - 1
    # A reuse was seen, so the login is revoked: the one fresh token is dead too.
    with pytest.raises(NotAuthenticated):
        auth.refresh(pairs[0].refresh)


def test_sequential_rotation_keeps_working(signed_in: str) -> None:
    token = signed_in
    for _ in range(5):
        token = auth.refresh(token).refresh
    with pytest.raises(NotAuthenticated):
        auth.refresh(signed_in)

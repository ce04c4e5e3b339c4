"""The booking engine under real concurrency, on DynamoDB Local."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.bookings import nights_of, today_in
from chalicelib.domain.ids import new_id
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict
from chalicelib.models.accounts import Provider, User
from chalicelib.models.bookings import Booking, NightLock, nights_pk
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest
from chalicelib.schemas.bookings import BookingCreate
from chalicelib.schemas.listings import RoomCreate, StayCreate
from chalicelib.services import accounts, bookings, listings
from tests.engine.test_races import race
from tests.factories import provider_body, registration, room_body, stay_body

RACERS = 24


def guest() -> AccessClaims:
    user = accounts.register(RegisterRequest(**registration()))
    return AccessClaims(user_id=user.id, roles=("guest",), provider_id=None)


def a_provider() -> tuple[str, str]:
    """A new user made a provider: its user id and its provider id (a stay snapshots the provider)."""
    owner = accounts.register(RegisterRequest(**registration()))
    provider, _ = accounts.become_provider(owner.id, BecomeProviderRequest(**provider_body()))
    return owner.id, provider.id


@pytest.fixture
def hotel() -> tuple[AccessClaims, str, str]:
    owner_id, provider_id = a_provider()
    caller = AccessClaims(user_id=owner_id, roles=("guest", "provider"), provider_id=provider_id)
    stay = listings.create_stay(provider_id, StayCreate(**stay_body(city=f"Race {new_id()}")))
    room = listings.add_room(provider_id, stay.id, RoomCreate(**room_body(max_guest_per_room=4)))
    return caller, stay.id, room.id


def request(room_id: str, start: date, nights: int) -> BookingCreate:
    return BookingCreate(
        stay_type="hotel", room_id=room_id, check_in=start, check_out=start + timedelta(days=nights), guests=1
    )


def audit(stay_id: str) -> dict[str, list[str]]:
    """Every lock of the stay, by booking; asserts each belongs to a live booking holding exactly those nights."""
    by_booking: dict[str, list[str]] = {}
    for lock in NightLock.query(nights_pk(stay_id), consistent_read=True):
        by_booking.setdefault(lock.booking_id, []).append(lock.night)
    for booking_id, nights in by_booking.items():
        booking = Booking.get(*Booking.keys(booking_id), consistent_read=True)
        assert booking.status in ("PENDING", "CONFIRMED")
        expected = nights_of(date.fromisoformat(booking.check_in), date.fromisoformat(booking.check_out))
        assert sorted(nights) == [n.isoformat() for n in expected]
    return by_booking


def test_racing_guests_never_share_a_night(hotel) -> None:
    _, stay_id, room_id = hotel
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=40)
    rng = random.Random(7)
    guests = [guest() for _ in range(RACERS)]
    asks = [request(room_id, start + timedelta(days=rng.randrange(6)), rng.randrange(1, 4)) for _ in guests]
    outcomes = race([lambda g=g, a=a: bookings.create_booking(g, a, None) for g, a in zip(guests, asks, strict=True)])

    winners = [o for o in outcomes if isinstance(o, Booking)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) + len(refusals) == RACERS, [o for o in outcomes if isinstance(o, Exception)]
    assert winners and all(r.code == "ROOM_UNAVAILABLE" and r.extra["conflicting_nights"] for r in refusals)
    taken = [n for b in winners for n in nights_of(date.fromisoformat(b.check_in), date.fromisoformat(b.check_out))]
    assert len(taken) == len(set(taken)), "a night was sold twice"
    assert set(audit(stay_id)) == {b.id for b in winners}


def test_racing_replays_of_one_key_make_one_booking(hotel) -> None:
    _, stay_id, room_id = hotel
    caller = guest()
    ask = request(room_id, today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=60), 2)
    outcomes = race([lambda: bookings.create_booking(caller, ask, "retry-me") for _ in range(12)])
    assert all(isinstance(o, Booking) for o in outcomes), outcomes
    assert len({o.id for o in outcomes}) == 1
    assert list(audit(stay_id)) == [outcomes[0].id]
    assert User.get(*User.keys(caller.user_id), consistent_read=True).pending_bookings == 1


def test_a_cancelled_night_sells_again_at_once(hotel) -> None:
    _, _, room_id = hotel
    first, second = guest(), guest()
    ask = request(room_id, today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=80), 3)
    booking = bookings.create_booking(first, ask, None)
    with pytest.raises(Conflict):
        bookings.create_booking(second, ask, None)
    bookings.cancel_booking(first, booking.id)
    assert bookings.create_booking(second, ask, None).status == "PENDING"


def test_cancel_racing_the_timer_leaves_one_consistent_outcome(hotel, monkeypatch) -> None:
    _, stay_id, room_id = hotel
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=100)
    pairs = []
    for n in range(6):
        caller = guest()
        pairs.append(
            (caller, bookings.create_booking(caller, request(room_id, start + timedelta(days=2 * n), 1), None))
        )
    later: datetime = clock.utcnow() + timedelta(hours=25)  # every hold has run out; check-in is far ahead
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    calls = [lambda c=c, b=b: bookings.cancel_booking(c, b.id) for c, b in pairs]
    calls += [lambda: bookings.run_timers(later, budget_seconds=60) for _ in range(2)]
    race(calls)
    for caller, booking in pairs:
        final = Booking.get(*Booking.keys(booking.id), consistent_read=True)
        assert final.status == "CANCELLED" and final.cancellation_reason in ("CANCELLED_BY_GUEST", "EXPIRED")
        assert User.get(*User.keys(caller.user_id), consistent_read=True).pending_bookings == 0
    assert audit(stay_id) == {}


def test_provider_total_stays_exact_under_concurrent_answers(hotel) -> None:
    owner, _, room_id = hotel
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=150)
    made = [bookings.create_booking(guest(), request(room_id, start + timedelta(days=n), 1), None) for n in range(8)]
    calls = [lambda b=b: bookings.confirm_booking(owner, b.id) for b in made]
    calls += [lambda b=b: bookings.confirm_booking(owner, b.id) for b in made[:4]]  # double clicks
    outcomes = race(calls)
    assert sum(isinstance(o, Booking) for o in outcomes) == 8
    assert all(o.code == "INVALID_TRANSITION" for o in outcomes if isinstance(o, Conflict))
    assert Provider.get(*Provider.keys(owner.provider_id), consistent_read=True).total_bookings == 8

"""Reviews under real concurrency, on DynamoDB Local: one per booking, and exact figures."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.ratings import average
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict
from chalicelib.models.accounts import Provider
from chalicelib.models.bookings import Booking
from chalicelib.models.listings import Stay
from chalicelib.models.reviews import Review
from chalicelib.schemas.listings import RoomCreate
from chalicelib.schemas.reviews import ReviewCreate
from chalicelib.services import bookings, listings, reviews
from tests.engine.test_booking_races import guest, hotel, request  # noqa: F401 - `hotel` is a fixture
from tests.engine.test_races import race
from tests.factories import room_body

ROOMS, NIGHTS = 5, 10  # 50 completed one-night bookings


def completed_bookings(
    owner: AccessClaims, stay_id: str, first_room: str, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[AccessClaims, Booking]]:
    """One guest per room, each with a confirmed booking of every night from tomorrow for NIGHTS
    nights; then the clock moves past them all and the timer job completes them."""
    rooms = [first_room] + [
        listings.add_room(owner.provider_id or "", stay_id, RoomCreate(**room_body())).id for _ in range(ROOMS - 1)
    ]
    tomorrow = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=1)
    made = []
    for room_id in rooms:
        caller = guest()
        for night in range(NIGHTS):
            booking = bookings.create_booking(caller, request(room_id, tomorrow + timedelta(days=night), 1), None)
            made.append((caller, bookings.confirm_booking(owner, booking.id)))
    later: datetime = clock.utcnow() + timedelta(days=NIGHTS + 2)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert bookings.run_timers(later, budget_seconds=120)["completed"] >= len(made)
    return made


def test_fifty_concurrent_reviews_of_one_stay_leave_exact_figures(hotel, monkeypatch) -> None:  # noqa: F811
    owner, stay_id, room_id = hotel
    made = completed_bookings(owner, stay_id, room_id, monkeypatch)
    rng = random.Random(18)
    asks = [(c, b.id, ReviewCreate(rating=rng.randint(1, 5), title="Stayed")) for c, b in made]
    calls = [lambda a=a: reviews.create_review(*a) for a in asks]
    outcomes = race(calls)
    assert all(isinstance(o, Review) for o in outcomes), [o for o in outcomes if not isinstance(o, Review)]

    stored = list(Review.batch_get([Review.keys(b.id) for _, b in made], consistent_read=True))
    assert len(stored) == ROOMS * NIGHTS
    ratings = [r.rating for r in stored]
    stay = Stay.get(*Stay.keys(stay_id), consistent_read=True)
    provider = Provider.get(*Provider.keys(owner.provider_id or ""), consistent_read=True)
    assert (stay.rating_sum, stay.rating_count) == (sum(ratings), len(ratings))
    assert (provider.rating_sum, provider.total_reviews) == (sum(ratings), len(ratings))
    assert stay.average_rating == provider.average_rating == average(sum(ratings), len(ratings))
    listed, cursor = reviews.stay_reviews(stay_id, limit=100, cursor=None)
    assert cursor is None and {r.id for r in listed} == {r.id for r in stored}


def test_racing_reviews_of_one_booking_make_exactly_one(hotel, monkeypatch) -> None:  # noqa: F811
    owner, stay_id, room_id = hotel
    caller = guest()
    tomorrow = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=1)
    booking = bookings.create_booking(caller, request(room_id, tomorrow, 1), None)
    bookings.confirm_booking(owner, booking.id)
    later: datetime = clock.utcnow() + timedelta(days=3)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    bookings.run_timers(later, budget_seconds=120)

    outcomes = race(
        [
            lambda n=n: reviews.create_review(caller, booking.id, ReviewCreate(rating=n % 5 + 1, title="Me"))
            for n in range(8)
        ]
    )
    winners = [o for o in outcomes if isinstance(o, Review)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 7, outcomes
    assert all(o.code == "ALREADY_REVIEWED" for o in losers)
    stay = Stay.get(*Stay.keys(stay_id), consistent_read=True)
    assert (stay.rating_sum, stay.rating_count) == (winners[0].rating, 1)

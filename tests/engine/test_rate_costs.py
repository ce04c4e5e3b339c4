"""What rates cost in DynamoDB requests (counted by botocore hooks): the calendar is two
Queries whatever the span, and the rules add no request to a booking or a search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bench.meter import _READS, _WRITES, Meter
from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.listings import STAY_TYPES
from chalicelib.domain.tokens import AccessClaims
from chalicelib.models.base import TableItem
from chalicelib.schemas.listings import RoomCreate
from chalicelib.schemas.rates import RatesIn
from chalicelib.schemas.search import StaySearchQuery
from chalicelib.services import bookings, listings, rates, search
from tests.engine.test_booking_races import guest, hotel, request  # noqa: F401 - `hotel` is a fixture
from tests.factories import room_body

ROOMS = 5
Hotel = tuple[AccessClaims, str, str]


@pytest.fixture
def meter() -> Iterator[Meter]:
    meter = Meter()
    client = TableItem._get_connection().connection.client
    meter.attach(client)
    yield meter
    events = client.meta.events
    for operation in _READS + _WRITES:
        events.unregister(f"provide-client-params.dynamodb.{operation}", meter._ask_for_capacity)
    events.unregister("before-call.dynamodb", meter._before)
    events.unregister("after-call.dynamodb", meter._after)


def _full_rules() -> RatesIn:
    """100 rules: each day of the next 100 its own price and a minimum stay of 1."""
    today = today_in("Asia/Dhaka", clock.utcnow())
    days = [today + timedelta(days=n) for n in range(100)]
    return RatesIn.model_validate(
        {"rules": [{"from": d, "to": d + timedelta(days=1), "price_per_night": 1000 + n} for n, d in enumerate(days)]}
    )


def test_a_calendar_of_62_nights_is_two_queries(hotel: Hotel, meter: Meter) -> None:  # noqa: F811
    caller, stay_id, _ = hotel
    owner = caller.provider_id or ""
    stay, rooms = listings.stay_with_rooms(stay_id)
    rooms += [listings.add_room(owner, stay.id, RoomCreate(**room_body())) for _ in range(ROOMS - 1)]
    for room in rooms:
        rates.replace_rates(owner, stay.id, room.id, _full_rules())
    today = today_in("Asia/Dhaka", clock.utcnow())
    for n, room in enumerate(rooms):
        bookings.create_booking(guest(), request(room.id, today + timedelta(days=3 + n), 2), None)

    meter.reset()
    _, nights = rates.calendar(stay.id, today, today + timedelta(days=62))
    assert [c.operation for c in meter.calls] == ["Query", "Query"]
    assert len(nights) == ROOMS and all(len(days) == 62 for _, days in nights)
    assert sum(not free for _, days in nights for _, free in days) == 2 * ROOMS


def test_rules_add_no_request_to_a_booking_or_a_search(hotel: Hotel, meter: Meter) -> None:  # noqa: F811
    caller, stay_id, room_id = hotel
    rates.replace_rates(caller.provider_id or "", stay_id, room_id, _full_rules())
    today = today_in("Asia/Dhaka", clock.utcnow())

    who = guest()
    meter.reset()
    booking = bookings.create_booking(who, request(room_id, today + timedelta(days=10), 3), None)
    assert [c.operation for c in meter.calls] == ["BatchGetItem", "TransactWriteItems"]  # the stay has the provider
    assert [p.price for p in booking.nightly_prices] == [1010, 1011, 1012]

    stay = listings.stay_with_rooms(stay_id)[0]
    meter.reset()
    query = StaySearchQuery.model_validate(
        {"city": stay.city, "check_in": today + timedelta(days=20), "check_out": today + timedelta(days=22)}
    )
    cards, _ = search.search_stays(query)
    # One index page per stay type's partition of the city, then the stay reached (its
    # partition, with the rules on its rooms) and its locks: nothing per room or per night.
    assert [c.operation for c in meter.calls] == ["Query"] * (len(STAY_TYPES) + 2)
    assert [card.min_total_price for card in cards] == [1020 + 1021]

"""A rules PUT racing bookings on DynamoDB Local: every booking is priced by the rules that
were current when it committed (the booking transaction checks the room's version)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict
from chalicelib.models.bookings import Booking
from chalicelib.schemas.rates import RatesIn
from chalicelib.services import bookings, rates
from tests.engine.test_booking_races import guest, hotel, request  # noqa: F401 - `hotel` is a fixture
from tests.engine.test_races import race

BOOKINGS = 24
PUTS = 30  # at least this many; the writer goes on while bookings are in flight
MOST_PUTS = 300
MOST_TRIES = 400  # a client's retries of a stale booking; after the last PUT the next one lands


@dataclass
class Timed:
    started: float
    ended: float
    value: object


def _timed(call: Callable[[], object]) -> Timed:
    started = time.monotonic()
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the outcome is what we check
        value = exc
    return Timed(started, time.monotonic(), value)


def _price(k: int) -> Decimal:
    return Decimal(1000 + k)


def _until_booked(book: Callable[[], Booking]) -> Timed:
    """Book as a client would: a 409 for a room that kept changing is tried again. The result
    is timed from the start of the attempt that landed (or the last one)."""
    for _ in range(MOST_TRIES):
        outcome = _timed(book)
        if not (isinstance(outcome.value, Conflict) and outcome.value.code == "CONFLICT"):
            return outcome
        time.sleep(0.002)
    return outcome


def test_each_booking_is_priced_by_the_rules_current_at_its_commit(hotel: tuple[AccessClaims, str, str]) -> None:  # noqa: F811
    caller, stay_id, room_id = hotel
    first = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=5)
    span = {"from": first, "to": first + timedelta(days=BOOKINGS + 1)}
    guests = [guest() for _ in range(BOOKINGS)]
    puts: list[Timed] = []
    booking_done = threading.Event()

    def put_loop() -> None:
        for k in range(1, MOST_PUTS + 1):
            if k > PUTS and booking_done.is_set():
                return
            body = RatesIn.model_validate({"rules": [{**span, "price_per_night": _price(k)}]})
            puts.append(_timed(lambda body=body: rates.replace_rates(caller.provider_id or "", stay_id, room_id, body)))
            time.sleep(0.005)

    writer = threading.Thread(target=put_loop)
    writer.start()
    made = race(
        [
            lambda n=n: _until_booked(
                lambda: bookings.create_booking(guests[n], request(room_id, first + timedelta(n), 1), None)
            )
            for n in range(BOOKINGS)
        ]
    )
    booking_done.set()
    writer.join()

    assert all(not isinstance(p.value, Exception) for p in puts), [p.value for p in puts]
    # Versions are 1-based by PUT order: the base price (1) before the first PUT landed.
    price_to_put = {_price(k): k for k in range(1, len(puts) + 1)}
    booked = [t for t in made if isinstance(t.value, Booking)]
    assert len(booked) == BOOKINGS, [t.value for t in made if not isinstance(t.value, Booking)]
    versions = set()
    for t in booked:
        booking = t.value
        assert isinstance(booking, Booking)
        stored = Booking.get(*Booking.keys(booking.id), consistent_read=True)
        ((night, price),) = [(p.date, p.price) for p in stored.nightly_prices]
        assert stored.total_price == price
        k = price_to_put.get(price, 0)
        versions.add(k)
        # Linearizable: the PUT that priced it had started before the booking returned, and
        # the next PUT had not finished before the booking started.
        if k:
            assert puts[k - 1].started < t.ended, (k, night)
        if k < len(puts):
            assert puts[k].ended > t.started, (k, night)
    # The PUTs really did land while bookings were in flight: they were priced by several versions.
    assert len(versions) > 1, versions

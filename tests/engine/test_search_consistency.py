"""A search never shows a room as free after its booking was confirmed to the client (201)."""

from __future__ import annotations

import random
import threading
import time
from datetime import date, timedelta

from chalicelib import clock
from chalicelib.domain.bookings import nights_of, today_in
from chalicelib.domain.ids import new_id
from chalicelib.errors import Conflict
from chalicelib.models.bookings import Booking
from chalicelib.models.listings import Room
from chalicelib.schemas.listings import RoomCreate, StayCreate
from chalicelib.schemas.search import AvailabilityQuery
from chalicelib.services import bookings, listings
from chalicelib.services.search import available_rooms
from tests.engine.test_booking_races import a_provider, guest, request
from tests.factories import room_body, stay_body


def busy_city() -> tuple[str, list[Room]]:
    """Three stays of three rooms in a city of their own."""
    city = f"Busy {new_id()}"
    _, provider_id = a_provider()
    rooms = []
    for n in range(3):
        stay = listings.create_stay(provider_id, StayCreate(**stay_body(city=city, name=f"Stay {n}")))
        rooms += [listings.add_room(provider_id, stay.id, RoomCreate(**room_body())) for _ in range(3)]
    return city, rooms


def test_search_during_concurrent_bookings_never_shows_a_booked_room() -> None:
    city, rooms = busy_city()
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=200)
    window = (start, start + timedelta(days=4))
    confirmed: list[Booking] = []  # bookings whose 201 the client has already seen
    lock = threading.Lock()
    stop = time.monotonic() + 8
    violations: list[str] = []

    def booker(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            room = rng.choice(rooms)
            begin = start + timedelta(days=rng.randrange(4))
            try:
                made = bookings.create_booking(guest(), request(room.id, begin, 1), None)
            except Conflict:
                continue
            with lock:
                confirmed.append(made)

    def searcher() -> None:
        query = AvailabilityQuery(check_in=window[0], check_out=window[1], city=city, limit=100)
        while time.monotonic() < stop:
            with lock:
                seen_before = list(confirmed)
            rooms, cursor = available_rooms(query)
            assert cursor is None  # nine rooms: one page
            free = {room.id for room in rooms}
            for booking in seen_before:
                nights = nights_of(date.fromisoformat(booking.check_in), date.fromisoformat(booking.check_out))
                if booking.room_id in free and window[0] <= nights[0] < window[1]:
                    violations.append(booking.id)

    threads = [threading.Thread(target=booker, args=(n,)) for n in range(6)] + [threading.Thread(target=searcher)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert confirmed, "no booking went through: the test proved nothing"
    assert violations == []

"""Creating bookings over HTTP: a booking is PENDING, priced exactly, with the names and the
price of booking time kept, and holds a lock per night that expires some days after its night;
a taken night, a bad body, an unknown room or one not for sale is refused and writes nothing;
a guest holds at most five pending bookings, a provider may not book its own listing. The
helpers every test_bookings*.py shares (`book`, `locks`, ...) are in conftest.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import Api, sign_up_provider
from tests.integration.conftest import World, book, locks, pending_count, provider_total, table_items

# --- create ---


def test_a_booking_is_pending_priced_exactly_and_holds_a_lock_per_night(api: Api, world: World) -> None:
    booking = book(api, world, note="Late arrival")
    assert booking["status"] == "PENDING" and booking["cancellation_reason"] is None
    assert booking["nights"] == 3 and booking["guests"] == 2
    assert Decimal(str(booking["total_price"])) == Decimal("7502.25")
    assert booking["price_per_night"] == 2500.75 and booking["currency"] == "BDT"
    assert booking["guest"] == {
        "id": world.guest.id,
        "full_name": "Ayesha Rahman",
        "email": world.guest.email,
        "phone": world.guest.phone,
    }
    assert booking["provider"]["id"] == world.provider.provider_id
    assert booking["room"]["id"] == world.room["id"] and booking["room"]["max_guest_per_room"] == 3
    assert booking["stay"] == {
        "id": world.stay["id"],
        "type": "hotel",
        "name": "Hotel Shapla",
        "address": "12 Gulshan Avenue",
        "city": "Dhaka",
        "country": "BD",
    }
    assert booking["note"] == "Late arrival"
    assert locks() == [f"{world.day(n)}#{world.room['id']}" for n in (10, 11, 12)]
    assert pending_count(world.guest.id) == 1


def test_the_booking_keeps_the_price_and_names_of_booking_time(api: Api, world: World) -> None:
    booking = book(api, world)
    path = f"/api/listings/stays/{world.stay['id']}"
    api.patch(
        f"{path}/rooms/{world.room['id']}",
        {"price_per_night": 9999, "room_name": "Renamed"},
        token=world.provider.access,
    )
    api.patch(path, {"name": "New name"}, token=world.provider.access)
    seen = api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body
    assert seen["price_per_night"] == 2500.75 and seen["room"]["room_name"] == "Deluxe King 301"
    assert seen["stay"]["name"] == "Hotel Shapla"


def test_a_taken_night_is_409_naming_the_nights_and_writes_nothing(api: Api, world: World) -> None:
    book(api, world, start=10, end=13)
    before = table_items()
    reply = api.post("/api/bookings/rooms/room-booking", world.body(start=12, end=15), token=world.other_guest.access)
    assert (reply.status, reply.code) == (409, "ROOM_UNAVAILABLE")
    assert reply.body["conflicting_nights"] == [world.day(12)]
    assert table_items() == before


def test_back_to_back_stays_and_other_rooms_do_not_conflict(api: Api, world: World) -> None:
    book(api, world, start=10, end=13)
    book(api, world, who=world.other_guest, start=13, end=15)
    book(api, world, who=world.other_guest, start=10, end=13, room_id=world.other_room["id"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stay_type": "resort"}, "stay_type"),
        ({"start": -1, "end": 2}, "check_in"),
        ({"start": 5, "end": 5}, "check_out"),
        ({"start": 6, "end": 4}, "check_out"),
        ({"start": 1, "end": 32}, "check_out"),
        ({"start": 366, "end": 368}, "check_in"),
        ({"guests": 4}, "guests"),
        ({"guests": 0}, "guests"),
        ({"guests": "2"}, "guests"),
        ({"check_in": "2026-02-30"}, "check_in"),
        ({"price_per_night": 1}, "price_per_night"),
        ({"status": "CONFIRMED"}, "status"),
        ({"note": "n" * 501}, "note"),
    ],
)
def test_bad_bookings_are_400_and_write_nothing(api: Api, world: World, overrides: dict, field: str) -> None:
    start, end = overrides.pop("start", 10), overrides.pop("end", 13)
    before = table_items()
    reply = api.post("/api/bookings/rooms/room-booking", world.body(start, end, **overrides), token=world.guest.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert field in {e["field"] for e in reply.body["errors"]}
    assert table_items() == before


@pytest.mark.parametrize("room_id", ["A" * 22 + "." + "B" * 22, "no-dot-id-at-all-here", "x"])
def test_an_unknown_room_is_404(api: Api, world: World, room_id: str) -> None:
    reply = api.post("/api/bookings/rooms/room-booking", world.body(room_id=room_id), token=world.guest.access)
    assert (reply.status, reply.code) == (404, "NOT_FOUND")


def test_a_room_not_for_sale_is_409(api: Api, world: World) -> None:
    api.patch(
        f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}",
        {"is_available": False},
        token=world.provider.access,
    )
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access)
    assert (reply.status, reply.code) == (409, "ROOM_UNAVAILABLE")
    assert locks() == []


def test_booking_needs_a_token(api: Api, world: World) -> None:
    assert api.post("/api/bookings/rooms/room-booking", world.body()).status == 401


def test_a_guest_holds_at_most_five_pending_bookings(api: Api, world: World) -> None:
    made = [book(api, world, start=2 * n + 1, end=2 * n + 2) for n in range(5)]
    reply = api.post("/api/bookings/rooms/room-booking", world.body(20, 21), token=world.guest.access)
    assert (reply.status, reply.code) == (409, "PENDING_LIMIT_REACHED")
    api.post(f"/api/bookings/rooms/{made[0]['id']}/cancel", token=world.guest.access)
    book(api, world, start=20, end=21)
    assert pending_count(world.guest.id) == 5


def test_lock_items_expire_some_days_after_their_night(api: Api, world: World) -> None:
    book(api, world, start=10, end=11)
    lock = next(i for i in table_items() if i["kind"] == "NightLock")
    expires = date.fromtimestamp(int(lock["expires_at"]))
    assert expires - date.fromisoformat(world.day(10)) in (timedelta(days=2), timedelta(days=3))


def test_a_provider_cannot_book_its_own_listing(api: Api, world: World) -> None:
    """Self-dealing would inflate the public total_bookings: 403 OWN_LISTING, nothing written."""
    before = table_items()
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.provider.access)
    assert (reply.status, reply.code) == (403, "OWN_LISTING")
    assert table_items() == before
    assert provider_total(api, world) == 0


def test_another_provider_may_book_the_listing(api: Api, world: World) -> None:
    rival = sign_up_provider(api)
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=rival.access)
    assert reply.status == 201, reply.body

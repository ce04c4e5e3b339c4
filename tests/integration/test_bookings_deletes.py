"""Deleting listings that have bookings: a stay or a room with upcoming bookings cannot be
deleted until they are gone; a booking that commits while its room is being deleted stops the
delete (the room for sale again at once), no booking commits once a room's delete has begun,
a delete that fails after pausing sales resumes them, and one that cannot resume them stops
sales for the pause's lease at most."""

from __future__ import annotations

import itertools

import pytest

from tests.factories import Api
from tests.integration.conftest import Clock, World, act, book, locks, requests_to
from tests.integration.test_faults import failing_transactions, short_deadline, too_slow  # noqa: F401 - a fixture


def test_a_stay_or_room_with_upcoming_bookings_cannot_be_deleted(api: Api, world: World) -> None:
    booking = book(api, world)
    stay_path = f"/api/listings/stays/{world.stay['id']}"
    assert api.delete(stay_path, token=world.provider.access).code == "ROOM_HAS_BOOKINGS"
    assert api.delete(f"{stay_path}/rooms/{world.room['id']}", token=world.provider.access).code == "ROOM_HAS_BOOKINGS"
    assert api.delete(f"{stay_path}/rooms/{world.other_room['id']}", token=world.provider.access).status == 204
    act(api, booking, "reject", world.provider)
    assert api.delete(stay_path, token=world.provider.access).status == 204


def test_a_booking_that_commits_while_its_room_is_being_deleted_stops_the_delete(
    api: Api, world: World, monkeypatch
) -> None:
    """The booking lands between the delete's first look for bookings and its write."""
    from chalicelib.services import sales

    looks = []
    real_look = sales.has_upcoming_bookings

    def look_then_someone_books(stay, room_id=None):
        found = real_look(stay, room_id)
        if not looks:
            book(api, world, who=world.other_guest)  # commits right after the first look
        looks.append(found)
        return found

    monkeypatch.setattr(sales, "has_upcoming_bookings", look_then_someone_books)
    path = f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}"
    reply = api.delete(path, token=world.provider.access)
    assert (reply.status, reply.code) == (409, "ROOM_HAS_BOOKINGS")
    assert looks == [False, True]
    book(api, world, start=20, end=22)  # for sale again at once


def test_no_booking_commits_once_a_room_delete_has_begun(api: Api, world: World, monkeypatch) -> None:
    """A booking that read the room before the delete took it off sale fails its condition."""
    from chalicelib.services import listings
    from chalicelib.services.bookings import create as booking_service

    real_write = booking_service._write

    def write_after_the_delete(*args, **kwargs):
        monkeypatch.setattr(booking_service, "_write", real_write)
        listings.delete_room(world.provider.provider_id, world.stay["id"], world.room["id"])
        return real_write(*args, **kwargs)

    monkeypatch.setattr(booking_service, "_write", write_after_the_delete)
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access)
    assert reply.status in (404, 409), reply.body
    assert locks() == []


def _deletes(operations: list[dict]) -> bool:
    return any("Delete" in op for op in operations)


_NIGHTS = itertools.count(30, 2)


def _on_sale(api: Api, world: World) -> dict[str, bool]:
    """Each room: whether a booking of it goes through now (on a night of its own, cancelled
    at once so that it holds nothing)."""
    start = next(_NIGHTS)
    sold = {}
    for room in (world.room, world.other_room):
        reply = api.post(
            "/api/bookings/rooms/room-booking",
            world.body(start, start + 1, room_id=room["id"]),
            token=world.other_guest.access,
        )
        assert reply.status == 201 or reply.code == "ROOM_UNAVAILABLE", reply.body
        sold[room["id"]] = reply.status == 201
        if reply.status == 201:
            assert act(api, reply.body, "cancel", world.other_guest).status == 200
    return sold


@pytest.mark.parametrize("what", ["stay", "room"])
def test_a_delete_that_fails_after_pausing_sales_resumes_them(api: Api, world: World, what: str) -> None:
    """The delete's own transaction fails (a database error) after it paused the rooms' sales:
    the answer is a 503, nothing is deleted, and each room is for sale as it was before."""
    stay_path = f"/api/listings/stays/{world.stay['id']}"
    reply = api.patch(
        f"{stay_path}/rooms/{world.other_room['id']}", {"is_available": False}, token=world.provider.access
    )
    assert reply.status == 200, reply.body
    before = _on_sale(api, world)
    path = stay_path if what == "stay" else f"{stay_path}/rooms/{world.room['id']}"
    with failing_transactions(_deletes):
        reply = api.delete(path, token=world.provider.access)
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body
    assert _on_sale(api, world) == before == {world.room["id"]: True, world.other_room["id"]: False}
    assert api.delete(path, token=world.provider.access).status == 204  # and a retry goes through


@pytest.mark.usefixtures("short_deadline")
def test_a_delete_that_outlasts_the_deadline_still_resumes_sales(api: Api, world: World) -> None:
    """The database stalls on the delete's own transaction until the request's deadline has
    passed: the answer is a 503, and the rooms are for sale again all the same (resuming has
    a deadline of its own)."""
    path = f"/api/listings/stays/{world.stay['id']}"
    with failing_transactions(_deletes, fault=too_slow):
        reply = api.delete(path, token=world.provider.access)
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body
    assert _on_sale(api, world) == {world.room["id"]: True, world.other_room["id"]: True}


def test_a_delete_that_cannot_resume_sales_stops_them_for_the_lease_at_most(
    api: Api, world: World, frozen_clock: Clock
) -> None:
    """The database fails every transaction after the pause, the resume's included: the rooms
    cannot be booked until the lease ends, then they can, and the provider's `is_available`
    was never touched."""
    from chalicelib.services import sales

    paused: list[list[dict]] = []

    def after_the_pause(operations: list[dict]) -> bool:
        if paused:
            return True
        paused.append(operations)
        return False

    stay_path = f"/api/listings/stays/{world.stay['id']}"
    with failing_transactions(after_the_pause):
        reply = api.delete(stay_path, token=world.provider.access)
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body
    assert _on_sale(api, world) == {world.room["id"]: False, world.other_room["id"]: False}
    frozen_clock.advance(seconds=sales.PAUSE_SECONDS - 1)
    assert _on_sale(api, world) == {world.room["id"]: False, world.other_room["id"]: False}
    frozen_clock.advance(seconds=2)
    assert _on_sale(api, world) == {world.room["id"]: True, world.other_room["id"]: True}
    assert {room["is_available"] for room in api.get(stay_path).body["rooms"]} == {True}
    assert api.delete(stay_path, token=world.provider.access).status == 204


def test_a_rooms_look_for_bookings_is_consistent_and_reads_full_pages(api: Api, world: World) -> None:
    """Deleting a free room of a stay whose other room holds many nights: each of the delete's two
    looks is one strongly consistent Query (a lock committed a moment ago is seen), not a page
    per lock of the other room."""
    for n, start in enumerate(range(10, 40, 3)):  # 10 bookings: 5 each, a guest's most that wait
        who = world.guest if n % 2 else world.other_guest
        book(api, world, who=who, room_id=world.other_room["id"], start=start, end=start + 3)
    path = f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}"
    with requests_to("Query") as queries:
        assert api.delete(path, token=world.provider.access).status == 204
    looks = [
        q for q in queries if any(v.get("S", "").startswith("NIGHTS#") for v in q["ExpressionAttributeValues"].values())
    ]
    assert len(locks()) == 30
    assert len(looks) == 2, looks
    assert all(look.get("ConsistentRead") is True for look in looks), looks

"""Deleting listings that have bookings: a stay or a room with upcoming bookings cannot be
deleted until they are gone; a booking that commits while its room is being deleted stops the
delete (the room back on sale as it was), and no booking commits once a room's delete has
begun."""

from __future__ import annotations

from tests.factories import Api
from tests.integration.conftest import World, act, book, locks


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
    from chalicelib.services import listings

    looks = []
    real_look = listings.has_upcoming_bookings

    def look_then_someone_books(stay, room_id=None):
        found = real_look(stay, room_id)
        if not looks:
            book(api, world, who=world.other_guest)  # commits right after the first look
        looks.append(found)
        return found

    monkeypatch.setattr(listings, "has_upcoming_bookings", look_then_someone_books)
    path = f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}"
    reply = api.delete(path, token=world.provider.access)
    assert (reply.status, reply.code) == (409, "ROOM_HAS_BOOKINGS")
    assert looks == [False, True]
    room = next(
        r for r in api.get(f"/api/listings/stays/{world.stay['id']}").body["rooms"] if r["id"] == world.room["id"]
    )
    assert room["is_available"] is True  # back on sale as it was


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

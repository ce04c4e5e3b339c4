"""Bookings over HTTP: create with per-night locks, idempotency, the lifecycle, reads, timers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import boto3
import pytest
from chalice.test import Client

from chalicelib import clock
from chalicelib.settings import get_settings
from tests.factories import Api, Person, sign_up_provider
from tests.integration.conftest import World


def book(api: Api, world: World, who: Person | None = None, **kw) -> dict:
    reply = api.post("/api/bookings/rooms/room-booking", world.body(**kw), token=(who or world.guest).access)
    assert reply.status == 201, reply.body
    return reply.body


def table_items() -> list[dict]:
    return boto3.resource("dynamodb").Table(get_settings().table_name).scan(ConsistentRead=True)["Items"]


def locks() -> list[str]:
    return sorted(item["sk"] for item in table_items() if item["kind"] == "NightLock")


def pending_count(user_id: str) -> int:
    user = next(i for i in table_items() if i["pk"] == f"USER#{user_id}" and i["sk"] == "USER")
    return int(user.get("pending_bookings", 0))


def provider_total(api: Api, world: World) -> int:
    return api.get(f"/api/providers/{world.provider.provider_id}").body["total_bookings"]


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


# --- idempotency ---


def test_a_replay_with_the_same_key_returns_the_first_booking(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    before = table_items()
    again = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"]
    assert table_items() == before


def test_the_same_key_with_another_body_is_422(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "order-43"}
    api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    before = table_items()
    reply = api.post(
        "/api/bookings/rooms/room-booking", world.body(guests=1), token=world.guest.access, headers=headers
    )
    assert (reply.status, reply.code) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert table_items() == before


def test_keys_are_scoped_to_the_caller(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "same-key"}
    mine = api.post("/api/bookings/rooms/room-booking", world.body(1, 2), token=world.guest.access, headers=headers)
    theirs = api.post(
        "/api/bookings/rooms/room-booking", world.body(3, 4), token=world.other_guest.access, headers=headers
    )
    assert mine.status == theirs.status == 201 and mine.body["id"] != theirs.body["id"]


def test_a_malformed_key_is_400(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "has spaces"}
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert locks() == []


# --- lifecycle ---


def act(api: Api, booking: dict, action: str, who: Person | str):
    token = who if isinstance(who, str) else who.access
    return api.post(f"/api/bookings/rooms/{booking['id']}/{action}", token=token)


def test_confirm_moves_counters_exactly(api: Api, world: World) -> None:
    booking = book(api, world)
    reply = act(api, booking, "confirm", world.provider)
    assert reply.status == 200 and reply.body["status"] == "CONFIRMED"
    assert provider_total(api, world) == 1 and pending_count(world.guest.id) == 0
    again = act(api, booking, "confirm", world.provider)
    assert (again.status, again.code) == (409, "INVALID_TRANSITION")
    assert (act(api, booking, "reject", world.provider).code) == "INVALID_TRANSITION"
    assert provider_total(api, world) == 1


def test_who_may_answer_a_booking(api: Api, world: World) -> None:
    booking = book(api, world)
    rival = sign_up_provider(api)
    assert (act(api, booking, "confirm", world.guest).status, act(api, booking, "reject", world.guest).status) == (
        403,
        403,
    )
    assert act(api, booking, "confirm", world.admin).status == 403
    assert act(api, booking, "confirm", world.other_guest).status == 404
    assert act(api, booking, "confirm", rival).status == 404
    assert act(api, booking, "cancel", rival).status == 404
    assert act(api, booking, "cancel", world.provider).status == 403
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "PENDING"


def test_cancel_frees_the_nights_at_once(api: Api, world: World) -> None:
    booking = book(api, world)
    act(api, booking, "confirm", world.provider)
    reply = act(api, booking, "cancel", world.guest)
    assert reply.status == 200
    assert reply.body["status"] == "CANCELLED" and reply.body["cancellation_reason"] == "CANCELLED_BY_GUEST"
    assert locks() == []
    assert provider_total(api, world) == 0
    book(api, world, who=world.other_guest)
    assert (act(api, booking, "cancel", world.guest).code) == "INVALID_TRANSITION"


def test_cancel_is_refused_from_the_check_in_day(api: Api, world: World) -> None:
    booking = book(api, world, start=0, end=2)
    reply = act(api, booking, "cancel", world.guest)
    assert (reply.status, reply.code) == (409, "TOO_LATE_TO_CANCEL")
    assert len(locks()) == 2


def test_reject_frees_the_nights(api: Api, world: World) -> None:
    booking = book(api, world)
    reply = act(api, booking, "reject", world.provider)
    assert reply.body["status"] == "CANCELLED" and reply.body["cancellation_reason"] == "REJECTED_BY_PROVIDER"
    assert locks() == [] and pending_count(world.guest.id) == 0
    book(api, world, who=world.other_guest)


def test_an_unknown_booking_is_404(api: Api, world: World) -> None:
    for booking_id in ("Z" * 22, "not-an-id"):
        assert api.get(f"/api/bookings/rooms/{booking_id}", token=world.guest.access).status == 404
        assert api.post(f"/api/bookings/rooms/{booking_id}/cancel", token=world.guest.access).status == 404


# --- reads ---


def test_who_may_see_a_booking(api: Api, world: World) -> None:
    booking = book(api, world)
    path = f"/api/bookings/rooms/{booking['id']}"
    assert api.get(path, token=world.guest.access).status == 200
    assert api.get(path, token=world.provider.access).status == 200
    assert api.get(path, token=world.admin).status == 200
    assert api.get(path, token=world.other_guest.access).status == 404
    assert api.get(path, token=sign_up_provider(api).access).status == 404
    assert api.get(path).status == 401


def test_my_bookings_newest_first_by_status_and_paginated(api: Api, world: World) -> None:
    made = [book(api, world, start=n, end=n + 1) for n in (1, 3, 5)]
    act(api, made[1], "confirm", world.provider)
    book(api, world, who=world.other_guest, start=7, end=8)
    listed = api.get("/api/bookings/rooms/my", token=world.guest.access).body
    assert [b["id"] for b in listed["items"]] == [b["id"] for b in reversed(made)]
    pending = api.get("/api/bookings/rooms/my?status=PENDING", token=world.guest.access).body
    assert [b["id"] for b in pending["items"]] == [made[2]["id"], made[0]["id"]]
    first = api.get("/api/bookings/rooms/my?limit=2", token=world.guest.access).body
    rest = api.get(f"/api/bookings/rooms/my?limit=2&cursor={first['next_cursor']}", token=world.guest.access).body
    assert [b["id"] for b in first["items"] + rest["items"]] == [b["id"] for b in reversed(made)]
    borrowed = api.get(f"/api/bookings/rooms/my?cursor={first['next_cursor']}", token=world.other_guest.access)
    assert borrowed.status == 400
    other_filter = api.get(
        f"/api/bookings/rooms/my?status=PENDING&cursor={first['next_cursor']}", token=world.guest.access
    )
    assert other_filter.status == 400
    assert api.get("/api/bookings/rooms/my?status=LOST", token=world.guest.access).status == 400


def test_provider_bookings_for_the_provider_and_admins_only(api: Api, world: World) -> None:
    book(api, world)
    book(api, world, who=world.other_guest, start=20, end=21)
    path = f"/api/bookings/rooms/provider/{world.provider.provider_id}"
    assert len(api.get(path, token=world.provider.access).body["items"]) == 2
    assert len(api.get(path, token=world.admin).body["items"]) == 2
    assert api.get(path, token=world.guest.access).status == 403
    assert api.get(path, token=sign_up_provider(api).access).status == 403
    assert api.get(path + "?status=CONFIRMED", token=world.provider.access).body["items"] == []


# --- deleting listings with bookings ---


def test_a_stay_or_room_with_upcoming_bookings_cannot_be_deleted(api: Api, world: World) -> None:
    booking = book(api, world)
    stay_path = f"/api/listings/stays/{world.stay['id']}"
    assert api.delete(stay_path, token=world.provider.access).code == "ROOM_HAS_BOOKINGS"
    assert api.delete(f"{stay_path}/rooms/{world.room['id']}", token=world.provider.access).code == "ROOM_HAS_BOOKINGS"
    assert api.delete(f"{stay_path}/rooms/{world.other_room['id']}", token=world.provider.access).status == 204
    act(api, booking, "reject", world.provider)
    assert api.delete(stay_path, token=world.provider.access).status == 204


def test_lock_items_expire_some_days_after_their_night(api: Api, world: World) -> None:
    book(api, world, start=10, end=11)
    lock = next(i for i in table_items() if i["kind"] == "NightLock")
    expires = date.fromtimestamp(int(lock["expires_at"]))
    assert expires - date.fromisoformat(world.day(10)) in (timedelta(days=2), timedelta(days=3))


# --- timers ---


def run_timers(client: Client) -> dict:
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    return client.lambda_.invoke("booking_timers", event).payload


def test_timers_expire_stale_holds_and_complete_finished_stays(
    client: Client, api: Api, world: World, frozen_clock
) -> None:
    stale = book(api, world, start=10, end=12)
    stays = book(api, world, start=1, end=2, room_id=world.other_room["id"])
    act(api, stays, "confirm", world.provider)
    fresh = book(api, world, who=world.other_guest, start=30, end=31)
    confirmed_lock = f"{world.day(1)}#{world.other_room['id']}"
    assert run_timers(client) == {"completed": 0, "expired": 0, "skipped": 0, "finished": True}

    frozen_clock.advance(hours=25)  # the stale hold has run out; the fresh one too (made at the same time)
    summary = run_timers(client)
    assert summary["expired"] == 2 and summary["completed"] == 0
    seen = api.get(f"/api/bookings/rooms/{stale['id']}", token=world.guest.access).body
    assert seen["status"] == "CANCELLED" and seen["cancellation_reason"] == "EXPIRED"
    assert api.get(f"/api/bookings/rooms/{fresh['id']}", token=world.other_guest.access).body["status"] == "CANCELLED"
    assert locks() == [confirmed_lock]
    assert pending_count(world.guest.id) == 0

    frozen_clock.advance(days=2)  # past the confirmed stay's check-out at 12:00 Dhaka time
    assert run_timers(client)["completed"] == 1
    assert api.get(f"/api/bookings/rooms/{stays['id']}", token=world.guest.access).body["status"] == "COMPLETED"
    assert run_timers(client) == {"completed": 0, "expired": 0, "skipped": 0, "finished": True}
    assert provider_total(api, world) == 1


def test_a_hold_expires_at_check_in_time_if_that_comes_first(
    client: Client, api: Api, world: World, frozen_clock
) -> None:
    booking = book(api, world, start=0, end=1)
    frozen_clock.advance(hours=23)  # within the 24 h hold, but past 14:00 Dhaka on the check-in day
    run_timers(client)
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "CANCELLED"


def test_a_run_cut_short_leaves_the_rest_for_the_next(api: Api, world: World, frozen_clock) -> None:
    from chalicelib.services.bookings import run_timers as run

    for n in range(3):
        book(api, world, start=10 + n, end=11 + n)
    frozen_clock.advance(hours=25)
    assert run(clock.utcnow(), budget_seconds=0)["finished"] is False
    assert run(clock.utcnow(), budget_seconds=60) == {"completed": 0, "expired": 3, "skipped": 0, "finished": True}


def test_confirming_after_the_hold_ran_out_is_refused(api: Api, world: World, frozen_clock) -> None:
    booking = book(api, world)
    frozen_clock.advance(hours=25)
    reply = act(api, booking, "confirm", world.provider)
    assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")


# --- transient failures ---


def _lost_race() -> Exception:
    from pynamodb.exceptions import CancellationReason, VerboseClientError

    error = {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}}
    return VerboseClientError(
        error, "TransactWriteItems", cancellation_reasons=[CancellationReason("TransactionConflict")]
    )


def _flaky_transactions(monkeypatch, failures: int) -> list[int]:
    """The next `failures` TransactWriteItems calls lose a race, as DynamoDB reports it."""
    from pynamodb.connection.base import Connection

    original, calls = Connection.dispatch, []

    def dispatch(self, operation_name, operation_kwargs):
        if operation_name == "TransactWriteItems":
            calls.append(1)
            if len(calls) <= failures:
                raise _lost_race()
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return calls


def test_a_lost_transaction_race_is_retried(api: Api, world: World, monkeypatch) -> None:
    calls = _flaky_transactions(monkeypatch, failures=2)
    book(api, world)
    assert len(calls) == 3
    assert len(locks()) == 3


def test_a_race_lost_every_time_is_503_with_retry_after_and_writes_nothing(api: Api, world: World, monkeypatch) -> None:
    before = table_items()
    _flaky_transactions(monkeypatch, failures=100)
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access)
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE")
    assert int(reply.headers["Retry-After"]) >= 1
    assert table_items() == before


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

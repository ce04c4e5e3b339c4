"""A retry never books twice: a replay with the same Idempotency-Key returns the first booking
and writes nothing (even once its room is gone), the same key with another body is 422, keys
are the caller's own and a malformed one is 400; a lost transaction race is retried, and one
lost every time is a 503 with Retry-After that writes nothing."""

from __future__ import annotations

from tests.factories import Api
from tests.integration.conftest import World, act, book, locks, table_items

# --- idempotency ---


def test_a_replay_with_the_same_key_returns_the_first_booking(api: Api, world: World) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    before = table_items()
    again = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"]
    assert table_items() == before


def test_a_replay_returns_the_first_booking_even_once_its_room_is_gone(api: Api, world: World) -> None:
    """The booking was cancelled and the provider deleted the room: a replay of the request
    still answers with that booking (201, same id), not a 404 for the room."""
    headers = {"Idempotency-Key": "order-44"}
    first = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    assert first.status == 201, first.body
    act(api, first.body, "cancel", world.guest)
    room_path = f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}"
    assert api.delete(room_path, token=world.provider.access).status == 204
    again = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access, headers=headers)
    assert (again.status, again.body["id"], again.body["status"]) == (201, first.body["id"], "CANCELLED"), again.body
    fresh = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access)
    assert fresh.status == 404  # without the key it is a new booking, of a room that is gone


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

"""Prices carry at most their stay's currency's minor unit, and a currency with bookings stays put."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.services import sales
from tests.factories import Api, add_room, create_stay, room_body, sign_up_provider, stay_body
from tests.integration.conftest import World, book
from tests.integration.test_faults import failing_transactions


@pytest.mark.parametrize(
    ("currency", "fits", "too_fine"),
    [("JPY", 1000, 1000.5), ("BDT", 4500.5, 4500.505), ("KWD", 12.125, 12.1255)],
)
def test_a_room_price_has_at_most_the_currency_decimals(
    api: Api, items, currency: str, fits: float, too_fine: float
) -> None:
    provider = sign_up_provider(api)
    stay = create_stay(api, provider, currency=currency)
    room = add_room(api, provider, stay["id"], price_per_night=fits)
    assert room["price_per_night"] == fits and room["currency"] == currency
    before = items()
    for method, path in (
        ("POST", f"/api/listings/stays/{stay['id']}/rooms"),
        ("PATCH", f"/api/listings/stays/{stay['id']}/rooms/{room['id']}"),
    ):
        body = room_body(price_per_night=too_fine) if method == "POST" else {"price_per_night": too_fine}
        reply = api.call(method, path, body, token=provider.access)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
        assert [e["field"] for e in reply.body["errors"]] == ["price_per_night"]
    assert items() == before


def test_a_currency_without_a_minor_unit_is_no_stay_currency(api: Api) -> None:
    provider = sign_up_provider(api)
    reply = api.post("/api/listings/stays", stay_body(currency="XAU"), token=provider.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "currency"


def test_changing_currency_with_upcoming_bookings_is_locked(api: Api, world: World, items) -> None:
    assert api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).status == 201
    before = items()
    reply = api.patch(f"/api/listings/stays/{world.stay['id']}", {"currency": "USD"}, token=world.provider.access)
    assert (reply.status, reply.code) == (409, "CURRENCY_LOCKED"), reply.body
    assert items() == before


def test_changing_currency_keeps_room_prices_valid(api: Api, items) -> None:
    provider = sign_up_provider(api)
    stay = create_stay(api, provider, currency="BDT")
    add_room(api, provider, stay["id"], price_per_night=4500.5)
    before = items()
    reply = api.patch(f"/api/listings/stays/{stay['id']}", {"currency": "JPY"}, token=provider.access)
    assert reply.status == 400 and [e["field"] for e in reply.body["errors"]] == ["currency"], reply.body
    assert items() == before
    moved = api.patch(f"/api/listings/stays/{stay['id']}", {"currency": "KWD"}, token=provider.access)
    assert moved.status == 200 and moved.body["currency"] == "KWD"


def test_a_booking_made_while_the_currency_changes_keeps_it(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A booking that commits between the change's look for bookings and its write: the
    change is refused (409 `CURRENCY_LOCKED`), the stay keeps its currency, and its rooms
    are for sale as before."""
    looked = sales.has_upcoming_bookings
    made: list[int] = []

    def a_guest_books_after_the_look(stay, room_id=None) -> bool:
        found = looked(stay, room_id)
        if not made:  # another client, on its own thread, right after the first look
            with ThreadPoolExecutor(1) as other:
                made.append(other.submit(book, api, world).result()["total_price"])
        return found

    monkeypatch.setattr(sales, "has_upcoming_bookings", a_guest_books_after_the_look)
    stay_path = f"/api/listings/stays/{world.stay['id']}"
    reply = api.patch(stay_path, {"currency": "USD"}, token=world.provider.access)
    assert made, "the booking was not made"
    assert (reply.status, reply.code) == (409, "CURRENCY_LOCKED"), reply.body
    stay = api.get(stay_path).body
    assert stay["currency"] == "BDT"
    for room in (world.room, world.other_room):  # for sale again at once
        book(api, world, who=world.other_guest, room_id=room["id"], start=20, end=21)


def test_a_currency_change_that_fails_after_stopping_sales_puts_the_rooms_back(api: Api, world: World) -> None:
    """The transaction that writes the stay in its new currency fails (a database error): the
    answer is a 503, the stay keeps its currency, and its rooms are for sale as before."""

    def writes_the_stay(operations: list[dict]) -> bool:
        return any(op.get("Put", {}).get("Item", {}).get("kind") == {"S": "Stay"} for op in operations)

    stay_path = f"/api/listings/stays/{world.stay['id']}"
    with failing_transactions(writes_the_stay):
        reply = api.patch(stay_path, {"currency": "USD"}, token=world.provider.access)
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body
    stay = api.get(stay_path).body
    assert stay["currency"] == "BDT"
    for room in (world.room, world.other_room):  # for sale again at once
        book(api, world, room_id=room["id"], start=20, end=21)

"""The rules at work: bookings priced night by night and refused by restrictions, and the
search counting and pricing rooms for the asked dates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import Api, add_room, create_stay
from tests.integration.conftest import World
from tests.integration.test_rates import put_rules


def book(api: Api, world: World, start: int, end: int, room: dict | None = None):
    body = world.body(start, end, room_id=(room or world.room)["id"])
    return api.post("/api/bookings/rooms/room-booking", body, token=world.guest.access)


def test_a_booking_is_priced_night_by_night_and_totals_exactly(api: Api, world: World) -> None:
    put_rules(api, world, [{"from": world.day(11), "to": world.day(12), "price_per_night": "3000.10"}])
    reply = book(api, world, 10, 13)
    assert reply.status == 201, reply.body
    assert reply.body["nightly_prices"] == [
        {"date": world.day(10), "price": 2500.75},
        {"date": world.day(11), "price": 3000.1},
        {"date": world.day(12), "price": 2500.75},
    ]
    assert Decimal(str(reply.body["total_price"])) == Decimal("8001.60")
    assert reply.body["price_per_night"] == 2500.75
    assert api.get(f"/api/bookings/rooms/{reply.body['id']}", token=world.guest.access).body == reply.body


def test_rules_and_base_price_changed_later_never_reprice_a_booking(api: Api, world: World) -> None:
    made = book(api, world, 10, 12).body
    put_rules(api, world, [{"from": world.day(0), "to": world.day(30), "price_per_night": 9999, "closed": True}])
    api.patch(
        f"/api/listings/stays/{world.stay['id']}/rooms/{world.room['id']}",
        {"price_per_night": 1},
        token=world.provider.access,
    )
    again = api.get(f"/api/bookings/rooms/{made['id']}", token=world.guest.access).body
    assert (again["nightly_prices"], again["total_price"]) == (made["nightly_prices"], made["total_price"])


@pytest.mark.parametrize(
    ("rules", "stay", "violations"),
    [
        ([{"from": 11, "to": 12, "closed": True}], (10, 13), [(11, "closed", None)]),
        ([{"from": 10, "to": 11, "closed_to_arrival": True}], (10, 13), [(10, "closed_to_arrival", None)]),
        ([{"from": 13, "to": 14, "closed_to_departure": True}], (10, 13), [(13, "closed_to_departure", None)]),
        ([{"from": 10, "to": 11, "min_stay": 4}], (10, 13), [(10, "min_stay", 4)]),
        ([{"from": 10, "to": 11, "max_stay": 2}], (10, 13), [(10, "max_stay", 2)]),
    ],
)
def test_restricted_stays_are_409_with_violations_and_write_nothing(
    api: Api, world: World, items, rules: list[dict], stay: tuple[int, int], violations: list
) -> None:
    put_rules(api, world, [{**r, "from": world.day(r["from"]), "to": world.day(r["to"])} for r in rules])
    before = items()
    reply = book(api, world, *stay)
    assert (reply.status, reply.code) == (409, "STAY_RESTRICTED"), reply.body
    assert reply.body["violations"] == [
        {"date": world.day(d), "restriction": what, "limit": limit} for d, what, limit in violations
    ]
    assert items() == before


def test_restrictions_elsewhere_do_not_refuse_a_stay(api: Api, world: World) -> None:
    put_rules(
        api,
        world,
        [
            {"from": world.day(13), "to": world.day(14), "closed": True, "closed_to_arrival": True},
            {"from": world.day(11), "to": world.day(12), "closed_to_arrival": True, "closed_to_departure": True},
            {"from": world.day(11), "to": world.day(12), "min_stay": 9},
        ],
    )
    assert book(api, world, 10, 13).status == 201  # closed on the check-out day is fine


# --- the priced search ---


def search(api: Api, world: World, start: int, end: int, extra: str = "") -> dict:
    reply = api.get(
        f"/api/listings/search/stays?city=Dhaka&check_in={world.day(start)}&check_out={world.day(end)}{extra}"
    )
    assert reply.status == 200, reply.body
    return reply.body


def available(api: Api, world: World, start: int, end: int) -> dict[str, dict]:
    reply = api.get(f"/api/listings/rooms/available?city=Dhaka&check_in={world.day(start)}&check_out={world.day(end)}")
    assert reply.status == 200, reply.body
    return {room["id"]: room for room in reply.body["items"]}


def test_cards_carry_totals_for_the_dates_and_per_night_figures_rounded_half_even(api: Api, world: World) -> None:
    # Room: 2500.75, 2500.75, 2500.76 -> 7502.26 / 3 = 2500.7533 -> 2500.75; other room: 4500.50 x 3.
    put_rules(api, world, [{"from": world.day(12), "to": world.day(13), "price_per_night": "2500.76"}])
    (card,) = search(api, world, 10, 13)["items"]
    assert card["nights"] == 3
    assert (card["min_total_price"], card["max_total_price"]) == (7502.26, 13501.5)
    assert (card["min_price_per_night"], card["max_price_per_night"]) == (2500.75, 4500.5)
    assert card["available_room_count"] == 2


def test_a_room_counts_only_when_its_rules_allow_the_dates(api: Api, world: World) -> None:
    put_rules(api, world, [{"from": world.day(10), "to": world.day(11), "min_stay": 3}])
    put_rules(api, world, [{"from": world.day(11), "to": world.day(12), "closed": True}], world.other_room)
    assert search(api, world, 10, 12)["items"] == []
    assert available(api, world, 10, 12) == {}
    (card,) = search(api, world, 10, 13)["items"]
    assert card["available_room_count"] == 1
    assert set(available(api, world, 12, 14)) == {world.room["id"], world.other_room["id"]}


def test_available_rooms_carry_their_nightly_prices_and_come_cheapest_total_first(api: Api, world: World) -> None:
    # The cheaper base price is the dearer stay once a rule prices all its nights higher.
    put_rules(api, world, [{"from": world.day(0), "to": world.day(60), "price_per_night": 5000}])
    rooms = available(api, world, 10, 12)
    assert list(rooms) == [world.other_room["id"], world.room["id"]]
    room = rooms[world.room["id"]]
    assert room["total_price"] == 10000 and room["price_per_night"] == 2500.75
    assert room["nightly_prices"] == [{"date": world.day(10), "price": 5000}, {"date": world.day(11), "price": 5000}]


def test_price_filters_and_sorts_use_the_totals_per_night(api: Api, world: World) -> None:
    cheap = create_stay(api, world.provider, name="Budget Inn")
    add_room(api, world.provider, cheap["id"], price_per_night=3000)
    # Hotel room: 2000 then 2500.75 -> 2250.375 a night; it passes max_price=2300 though its base does not.
    put_rules(api, world, [{"from": world.day(10), "to": world.day(11), "price_per_night": 2000}])
    found = search(api, world, 10, 12, "&max_price=2300")["items"]
    assert [(c["name"], c["min_total_price"]) for c in found] == [("Hotel Shapla", 4500.75)]
    assert search(api, world, 10, 12, "&min_price=2250.38&max_price=2300")["items"] == []
    asc = [c["name"] for c in search(api, world, 10, 12, "&sort=price_asc")["items"]]
    desc = [c["name"] for c in search(api, world, 10, 12, "&sort=price_desc")["items"]]
    assert asc == ["Hotel Shapla", "Budget Inn"] and desc == ["Budget Inn", "Hotel Shapla"]

"""Rates over HTTP: reading and replacing a room's rules, the refusals, and the calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.settings import get_settings
from tests.factories import Api, sign_up_provider
from tests.integration.conftest import World


def rates_path(world: World, room: dict | None = None) -> str:
    return f"/api/listings/stays/{world.stay['id']}/rooms/{(room or world.room)['id']}/rates"


def put_rules(api: Api, world: World, rules: list[dict], room: dict | None = None) -> dict:
    reply = api.put(rates_path(world, room), {"rules": rules}, token=world.provider.access)
    assert reply.status == 200, reply.body
    return reply.body


def calendar(api: Api, world: World, start: int, end: int) -> dict:
    reply = api.get(f"/api/listings/stays/{world.stay['id']}/calendar?from={world.day(start)}&to={world.day(end)}")
    assert reply.status == 200, reply.body
    return reply.body


def test_a_room_without_rules_has_its_base_price(api: Api, world: World) -> None:
    reply = api.get(rates_path(world))
    assert reply.status == 200
    assert reply.body == {"room_id": world.room["id"], "currency": "BDT", "base_price_per_night": 2500.75, "rules": []}


def test_a_put_replaces_every_rule_and_a_get_reads_them_back_in_order(api: Api, world: World) -> None:
    put_rules(api, world, [{"from": world.day(0), "to": world.day(5), "closed": True}])
    rules = [
        {"from": world.day(0), "to": world.day(90), "price_per_night": 3000, "min_stay": 2},
        {"from": world.day(0), "to": world.day(90), "weekdays": [6, 5], "price_per_night": "3500.50"},
    ]
    answer = put_rules(api, world, rules)
    assert answer == api.get(rates_path(world)).body
    assert answer["rules"] == [
        {
            "from": world.day(0),
            "to": world.day(90),
            "weekdays": None,
            "price_per_night": 3000,
            "min_stay": 2,
            "max_stay": None,
            "closed_to_arrival": None,
            "closed_to_departure": None,
            "closed": None,
        },
        {
            "from": world.day(0),
            "to": world.day(90),
            "weekdays": [5, 6],
            "price_per_night": 3500.5,
            "min_stay": None,
            "max_stay": None,
            "closed_to_arrival": None,
            "closed_to_departure": None,
            "closed": None,
        },
    ]
    assert put_rules(api, world, [])["rules"] == []


def test_another_providers_put_is_not_found_and_changes_nothing(api: Api, world: World, items) -> None:
    rival = sign_up_provider(api)
    before = items()
    body = {"rules": [{"from": world.day(0), "to": world.day(5), "closed": True}]}
    reply = api.put(rates_path(world), body, token=rival.access)
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    assert items() == before


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/listings/stays/nope/rooms/nope/rates", 404), ("/api/listings/stays/{stay}/rooms/{other}x/rates", 404)],
)
def test_unknown_rooms_are_not_found(api: Api, world: World, path: str, status: int) -> None:
    path = path.format(stay=world.stay["id"], other=world.other_room["id"])
    assert api.get(path).status == status
    assert api.put(path, {"rules": []}, token=world.provider.access).status == status


def _bad_rules(world: World) -> list[tuple[list[dict], str]]:
    d = world.day
    return [
        ([{"from": d(5), "to": d(5), "closed": True}], "rules.0.to"),
        ([{"from": d(5), "to": d(2), "closed": True}], "rules.0.to"),
        ([{"from": d(0), "to": d(401), "closed": True}], "rules.0.to"),
        ([{"from": d(0), "to": d(5), "closed": True}] * 101, "rules"),
        ([{"from": d(0), "to": d(5), "weekdays": [0], "closed": True}], "rules.0.weekdays.0"),
        ([{"from": d(0), "to": d(5), "weekdays": [8], "closed": True}], "rules.0.weekdays.0"),
        ([{"from": d(0), "to": d(5), "weekdays": [], "closed": True}], "rules.0.weekdays"),
        ([{"from": d(0), "to": d(5)}], "rules.0"),
        ([{"from": d(0), "to": d(5), "weekdays": [1]}], "rules.0"),
        ([{"from": d(0), "to": d(5), "price_per_night": "10.001"}], "rules.0.price_per_night"),
        ([{"from": d(0), "to": d(5), "price_per_night": 0}], "rules.0.price_per_night"),
        ([{"from": d(0), "to": d(5), "min_stay": 4, "max_stay": 3}], "rules.0.max_stay"),
        ([{"from": d(0), "to": d(5), "min_stay": 0}], "rules.0.min_stay"),
        ([{"from": d(0), "to": d(5), "min_stay": 31}], "rules.0.min_stay"),
        ([{"from": d(0), "to": d(5), "max_stay": 31}], "rules.0.max_stay"),
        ([{"from": d(0), "to": d(5), "closed": "yes"}], "rules.0.closed"),
        ([{"from": d(0), "to": d(5), "closed": True, "stop_sell": True}], "rules.0.stop_sell"),
        ([{"from": "tomorrow", "to": d(5), "closed": True}], "rules.0.from"),
        # The dates' wire names only: their Python names are unknown fields, not second spellings.
        ([{"from": d(0), "to": d(5), "from_date": d(1), "closed": True}], "rules.0.from_date"),
        ([{"from_date": d(0), "to_date": d(5), "closed": True}], "rules.0.from_date"),
    ]


def test_bad_rules_are_400_naming_the_field_and_write_nothing(api: Api, world: World, items) -> None:
    put_rules(api, world, [{"from": world.day(0), "to": world.day(5), "min_stay": 2}])
    before = items()
    for rules, field in _bad_rules(world):
        reply = api.put(rates_path(world), {"rules": rules}, token=world.provider.access)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (rules[:1], reply.body)
        assert field in {e["field"] for e in reply.body["errors"]}, (field, reply.body)
    assert items() == before


def test_a_price_must_fit_the_stays_own_currency(api: Api, world: World, items) -> None:
    yen = sign_up_provider(api)
    stay = api.post(
        "/api/listings/stays",
        {**{k: world.stay[k] for k in ("stay_type", "name", "address", "city", "country")}, "timezone": "Asia/Tokyo"}
        | {"currency": "JPY"},
        token=yen.access,
    ).body
    room = api.post(
        f"/api/listings/stays/{stay['id']}/rooms",
        {"room_type": "twin", "room_name": "T", "price_per_night": 9000, "max_guest_per_room": 2},
        token=yen.access,
    ).body
    before = items()
    path = f"/api/listings/stays/{stay['id']}/rooms/{room['id']}/rates"
    rules = [{"from": world.day(0), "to": world.day(3), "price_per_night": 9000.5}]
    reply = api.put(path, {"rules": rules}, token=yen.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "rules.0.price_per_night"
    assert items() == before


# --- the calendar ---


def test_the_calendar_gives_each_room_and_night_its_price_availability_and_restrictions(api: Api, world: World) -> None:
    put_rules(
        api,
        world,
        [
            {"from": world.day(10), "to": world.day(20), "price_per_night": 3000, "min_stay": 2},
            {"from": world.day(12), "to": world.day(13), "closed": True, "closed_to_departure": True},
            {"from": world.day(14), "to": world.day(15), "closed_to_arrival": True, "max_stay": 5},
        ],
    )
    booked = api.post("/api/bookings/rooms/room-booking", world.body(15, 17), token=world.guest.access)
    assert booked.status == 201, booked.body
    api.patch(
        f"/api/listings/stays/{world.stay['id']}/rooms/{world.other_room['id']}",
        {"is_available": False},
        token=world.provider.access,
    )

    answer = calendar(api, world, 9, 18)
    assert (answer["stay_id"], answer["currency"], answer["from"], answer["to"]) == (
        world.stay["id"],
        "BDT",
        world.day(9),
        world.day(18),
    )
    room, other = answer["rooms"]
    assert {k: room[k] for k in ("room_id", "room_name", "room_type", "max_guest_per_room")} == {
        "room_id": world.room["id"],
        "room_name": world.room["room_name"],
        "room_type": "deluxe",
        "max_guest_per_room": 3,
    }
    nights = {n["date"]: n for n in room["nights"]}
    assert list(nights) == [world.day(d) for d in range(9, 18)]
    assert nights[world.day(9)] == {
        "date": world.day(9),
        "price": 2500.75,
        "available": True,
        "min_stay": None,
        "max_stay": None,
        "closed_to_arrival": False,
        "closed_to_departure": False,
        "closed": False,
    }
    assert nights[world.day(10)]["price"] == 3000 and nights[world.day(10)]["min_stay"] == 2
    assert nights[world.day(12)]["available"] is False and nights[world.day(12)]["closed_to_departure"] is True
    assert nights[world.day(14)]["closed_to_arrival"] is True and nights[world.day(14)]["max_stay"] == 5
    assert [nights[world.day(d)]["available"] for d in (15, 16, 17)] == [False, False, True]
    assert not any(n["available"] for n in other["nights"])  # off sale


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-2, 5, "from"), (5, 5, "to"), (5, 4, "to"), (0, 63, "to")],
)
def test_bad_calendar_spans_are_400(api: Api, world: World, start: int, end: int, field: str) -> None:
    reply = api.get(f"/api/listings/stays/{world.stay['id']}/calendar?from={world.day(start)}&to={world.day(end)}")
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert reply.body["errors"][0]["field"] == field


def test_the_calendar_starts_as_early_as_yesterday_and_spans_up_to_62_nights(api: Api, world: World) -> None:
    nights = calendar(api, world, -1, 61)["rooms"][0]["nights"]
    assert len(nights) == 62
    assert [n["available"] for n in nights[:2]] == [False, True]  # yesterday is past


def test_the_calendar_offers_no_night_a_booking_made_now_cannot_reach(api: Api, world: World) -> None:
    settings = get_settings()
    last = settings.max_advance_days + settings.max_nights - 1  # the last night of the latest longest stay
    nights = calendar(api, world, last - 1, last + 2)["rooms"][0]["nights"]
    assert [n["available"] for n in nights] == [True, True, False]
    start = world.day(settings.max_advance_days)
    end = world.day(settings.max_advance_days + settings.max_nights)
    reply = api.post(
        "/api/bookings/rooms/room-booking",
        {**world.body(), "check_in": start, "check_out": end},
        token=world.guest.access,
    )
    assert reply.status == 201, reply.body  # so the night before `last + 1` was indeed sellable


def test_the_calendar_of_an_unknown_stay_is_not_found(api: Api, world: World) -> None:
    today = today_in("Asia/Dhaka", clock.utcnow())
    span = f"from={today}&to={today + timedelta(days=3)}"
    assert api.get(f"/api/listings/stays/nope/calendar?{span}").status == 404
    assert api.get(f"/api/listings/stays/{world.stay['id']}/calendar?{span}&extra=1").status == 400


def test_a_currency_change_must_fit_the_rule_prices_too(api: Api, world: World, items) -> None:
    for room in (world.room, world.other_room):  # whole base prices, so only the rule is at fault
        api.patch(
            f"/api/listings/stays/{world.stay['id']}/rooms/{room['id']}",
            {"price_per_night": 3000},
            token=world.provider.access,
        )
    put_rules(api, world, [{"from": world.day(0), "to": world.day(5), "price_per_night": "3000.50"}])
    before = items()
    reply = api.patch(f"/api/listings/stays/{world.stay['id']}", {"currency": "JPY"}, token=world.provider.access)
    assert (reply.status, reply.body["errors"][0]["field"]) == (400, "currency"), reply.body
    assert items() == before

"""Availability and stay search: filters, arithmetic, bookings, pagination, bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from tests.factories import Api, Person, add_room, create_stay, sign_up, sign_up_provider

CARD_FIELDS = {
    "nights",
    "min_total_price",
    "max_total_price",
    "average_rating",
    "review_count",
    "id",
    "type",
    "name",
    "city",
    "country",
    "currency",
    "min_price_per_night",
    "max_price_per_night",
    "available_room_count",
    "cancellation_policy",
}
FLEXIBLE = {"name": "flexible", "tiers": [{"days_before": 1, "refund_percent": 100}]}


@dataclass
class Town:
    provider: Person
    guest: Person
    hotel: dict
    hotel_rooms: list[dict]
    homestay: dict
    homestay_room: dict
    sylhet: dict

    @staticmethod
    def day(offset: int) -> str:
        return (today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=offset)).isoformat()

    def dates(self, start: int = 10, end: int = 12) -> str:
        return f"check_in={self.day(start)}&check_out={self.day(end)}"


@pytest.fixture
def town(api: Api) -> Town:
    provider = sign_up_provider(api)
    hotel = create_stay(api, provider, name="Hotel Shapla")
    rooms = [
        add_room(api, provider, hotel["id"], room_name="Single", price_per_night=1500, max_guest_per_room=1),
        add_room(api, provider, hotel["id"], room_name="Double", price_per_night="2500.50", max_guest_per_room=2),
        add_room(api, provider, hotel["id"], room_name="Family", price_per_night=4000, max_guest_per_room=4),
    ]
    homestay = create_stay(api, provider, stay_type="homestay", name="Lake Home")
    homestay_room = add_room(api, provider, homestay["id"], price_per_night=1200, max_guest_per_room=3)
    sylhet = create_stay(api, provider, name="Tea Resort", stay_type="resort", city="Sylhet")
    add_room(api, provider, sylhet["id"], price_per_night=9000)
    return Town(provider, sign_up(api), hotel, rooms, homestay, homestay_room, sylhet)


def search(api: Api, query: str) -> dict:
    reply = api.get(f"/api/listings/search/stays?{query}")
    assert reply.status == 200, reply.body
    return reply.body


def cards(api: Api, query: str) -> dict[str, dict]:
    return {card["name"]: card for card in search(api, query)["items"]}


def book(api: Api, town: Town, room: dict, start: int, end: int, stay_type: str = "hotel") -> dict:
    body = {
        "stay_type": stay_type,
        "room_id": room["id"],
        "check_in": town.day(start),
        "check_out": town.day(end),
        "guests": 1,
    }
    reply = api.post("/api/bookings/rooms/room-booking", body, token=town.guest.access)
    assert reply.status == 201, reply.body
    return reply.body


def test_stay_cards_have_the_seed_shape_plus_the_priced_fields_and_the_right_figures(api: Api, town: Town) -> None:
    found = cards(api, f"city=Dhaka&{town.dates()}")
    assert set(found) == {"Hotel Shapla", "Lake Home"}
    hotel = found["Hotel Shapla"]
    assert set(hotel) == CARD_FIELDS
    assert hotel == {
        "id": town.hotel["id"],
        "type": "hotel",
        "name": "Hotel Shapla",
        "city": "Dhaka",
        "country": "BD",
        "currency": "BDT",
        "min_price_per_night": 1500,
        "max_price_per_night": 4000,
        "available_room_count": 3,
        "nights": 2,
        "min_total_price": 3000,
        "max_total_price": 8000,
        "cancellation_policy": FLEXIBLE,
        "average_rating": None,
        "review_count": 0,
    }


def test_city_matches_case_and_spacing_insensitively(api: Api, town: Town) -> None:
    assert set(cards(api, f"city=%20dHaKa%20&{town.dates()}")) == {"Hotel Shapla", "Lake Home"}
    assert set(cards(api, f"city=sylhet&{town.dates()}")) == {"Tea Resort"}
    assert cards(api, f"city=Chittagong&{town.dates()}") == {}


@pytest.mark.parametrize("name", ["stay_type", "room_type"])
def test_stay_type_filter_and_its_seed_alias(api: Api, town: Town, name: str) -> None:
    assert set(cards(api, f"city=Dhaka&{name}=homestay&{town.dates()}")) == {"Lake Home"}


def test_without_a_city_the_type_index_answers(api: Api, town: Town) -> None:
    assert set(cards(api, f"stay_type=resort&{town.dates()}")) == {"Tea Resort"}
    assert set(cards(api, town.dates())) == {"Hotel Shapla", "Lake Home", "Tea Resort"}


def test_guests_leave_out_rooms_too_small(api: Api, town: Town) -> None:
    found = cards(api, f"city=Dhaka&guests=3&{town.dates()}")
    assert found["Hotel Shapla"]["available_room_count"] == 1
    assert found["Hotel Shapla"]["min_price_per_night"] == 4000
    assert set(cards(api, f"city=Dhaka&guests=5&{town.dates()}")) == set()


def test_a_room_not_for_sale_is_left_out(api: Api, town: Town) -> None:
    path = f"/api/listings/stays/{town.homestay['id']}/rooms/{town.homestay_room['id']}"
    api.patch(path, {"is_available": False}, token=town.provider.access)
    assert set(cards(api, f"city=Dhaka&{town.dates()}")) == {"Hotel Shapla"}


def test_a_partly_booked_stay_counts_only_free_rooms(api: Api, town: Town) -> None:
    book(api, town, town.hotel_rooms[0], 11, 12)  # one night inside the range
    hotel = cards(api, f"city=Dhaka&{town.dates(10, 12)}")["Hotel Shapla"]
    assert hotel["available_room_count"] == 2
    assert (hotel["min_price_per_night"], hotel["max_price_per_night"]) == (2500.5, 4000)


def test_a_fully_booked_stay_is_left_out(api: Api, town: Town) -> None:
    book(api, town, town.homestay_room, 9, 11, stay_type="homestay")
    assert set(cards(api, f"city=Dhaka&{town.dates(10, 12)}")) == {"Hotel Shapla"}


def test_bookings_outside_the_range_or_back_to_back_do_not_count(api: Api, town: Town) -> None:
    book(api, town, town.homestay_room, 5, 10, stay_type="homestay")  # checks out the day we check in
    book(api, town, town.homestay_room, 12, 14, stay_type="homestay")  # checks in the day we check out
    assert cards(api, f"city=Dhaka&{town.dates(10, 12)}")["Lake Home"]["available_room_count"] == 1


def test_a_cancelled_booking_is_free_again_at_once(api: Api, town: Town) -> None:
    booking = book(api, town, town.homestay_room, 10, 12, stay_type="homestay")
    assert "Lake Home" not in cards(api, f"city=Dhaka&{town.dates()}")
    api.post(f"/api/bookings/rooms/{booking['id']}/cancel", token=town.guest.access)
    assert "Lake Home" in cards(api, f"city=Dhaka&{town.dates()}")


def test_price_filters_apply_to_room_prices(api: Api, town: Town) -> None:
    found = cards(api, f"city=Dhaka&min_price=2000&max_price=3000&{town.dates()}")
    assert set(found) == {"Hotel Shapla"}
    assert found["Hotel Shapla"]["available_room_count"] == 1
    assert found["Hotel Shapla"]["min_price_per_night"] == 2500.5


@pytest.mark.parametrize(
    ("sort", "order"), [("price_asc", ["Lake Home", "Hotel Shapla"]), ("price_desc", ["Hotel Shapla", "Lake Home"])]
)
def test_sort_by_price(api: Api, town: Town, sort: str, order: list[str]) -> None:
    assert [c["name"] for c in search(api, f"city=Dhaka&sort={sort}&{town.dates()}")["items"]] == order


def test_pagination_runs_to_the_end_without_repeats(api: Api, town: Town) -> None:
    seen, cursor = [], None
    for _ in range(5):
        query = f"limit=1&{town.dates()}" + (f"&cursor={cursor}" if cursor else "")
        body = search(api, query)
        seen += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Lake Home", "Hotel Shapla", "Tea Resort"]


def test_a_cursor_only_resumes_its_own_query(api: Api, town: Town) -> None:
    cursor = search(api, f"limit=1&{town.dates()}")["next_cursor"]
    other = api.get(f"/api/listings/search/stays?limit=1&city=Dhaka&{town.dates()}&cursor={cursor}")
    assert (other.status, other.code) == (400, "VALIDATION_ERROR")
    tampered = api.get(f"/api/listings/search/stays?limit=1&{town.dates()}&cursor={cursor[:-2]}xx")
    assert tampered.status == 400
    rooms = api.get(f"/api/listings/rooms/available?limit=1&{town.dates()}&cursor={cursor}")
    assert rooms.status == 400


def test_a_cursor_resumes_the_same_query_however_it_is_spelled(api: Api, town: Town) -> None:
    asked = f"limit=1&city=Dhaka&max_price=100000&{town.dates()}"
    first = search(api, asked)
    second = search(api, f"{asked}&cursor={first['next_cursor']}")
    for spelled in ("limit=1&city=DHAKA&max_price=100000.00", "limit=1&city=dhaka&max_price=100000&sort=price_asc"):
        again = search(api, f"{spelled}&{town.dates()}&cursor={first['next_cursor']}")
        assert again == second, spelled


@pytest.mark.parametrize(
    "query",
    [
        "city=Dhaka",
        "check_in={d10}",
        "check_in={d12}&check_out={d10}",
        "check_in={d10}&check_out={d10}",
        "check_in={past}&check_out={d10}",
        "check_in={d1}&check_out={d40}",
        "check_in={far}&check_out={farther}",
        "check_in=tomorrow&check_out={d10}",
        "check_in={d1}T00:00:00&check_out={d10}",
        "check_in={d1}&check_out=1798675200",
        "{dates}&guests=0",
        "{dates}&stay_type=villa",
        "{dates}&min_price=-1",
        "{dates}&min_price=500&max_price=100",
        "{dates}&sort=name",
        "{dates}&page=2",
        "{dates}&limit=500",
        "{dates}&stay_type=hotel&room_type=hotel",
        "{dates}&city=Dhaka&city=Sylhet",
        "{dates}&guests=2&guests=2",
    ],
)
def test_bad_searches_are_400(api: Api, town: Town, query: str) -> None:
    filled = query.format(
        d1=town.day(1),
        d10=town.day(10),
        d12=town.day(12),
        d40=town.day(40),
        past=town.day(-3),
        far=town.day(400),
        farther=town.day(401),
        dates=town.dates(),
    )
    for path in ("/api/listings/search/stays", "/api/listings/rooms/available"):
        if "price" in filled or "sort" in filled:
            path = "/api/listings/search/stays"
        reply = api.get(f"{path}?{filled}")
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (path, filled, reply.body)


def test_a_date_past_in_one_zone_but_not_another_filters_per_stay(api: Api, frozen_clock) -> None:
    provider = sign_up_provider(api)
    east = create_stay(api, provider, name="East", city="Date Line", timezone="Pacific/Kiritimati", currency="USD")
    west = create_stay(api, provider, name="West", city="Date Line", timezone="America/Los_Angeles", currency="USD")
    for stay in (east, west):
        add_room(api, provider, stay["id"])
    # 20:00 UTC: already tomorrow at UTC+14, still today at UTC-8.
    frozen_clock.now = datetime.combine(frozen_clock.now.date(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    west_today = today_in("America/Los_Angeles", frozen_clock.now)
    query = f"city=Date%20Line&check_in={west_today}&check_out={west_today + timedelta(days=1)}"
    assert [c["name"] for c in search(api, query)["items"]] == ["West"]


# --- rooms/available ---


def test_available_rooms_carry_their_stay_and_come_cheapest_first(api: Api, town: Town) -> None:
    reply = api.get(f"/api/listings/rooms/available?city=Dhaka&{town.dates()}")
    assert reply.status == 200
    items = reply.body["items"]
    assert [i["price_per_night"] for i in items] == [1200, 1500, 2500.5, 4000]
    assert items[0]["stay_type"] == "homestay"
    assert items[0]["stay"] == {
        "id": town.homestay["id"],
        "name": "Lake Home",
        "city": "Dhaka",
        "country": "BD",
        "cancellation_policy": FLEXIBLE,
    }
    assert {"room_type", "room_name", "max_guest_per_room", "amenities", "has_ac", "currency"} <= set(items[0])


def test_available_rooms_respect_bookings_guests_and_type(api: Api, town: Town) -> None:
    book(api, town, town.hotel_rooms[2], 10, 11)
    reply = api.get(f"/api/listings/rooms/available?city=Dhaka&stay_type=hotel&guests=2&{town.dates()}")
    assert [i["room_name"] for i in reply.body["items"]] == ["Double"]


def test_available_rooms_paginate(api: Api, town: Town) -> None:
    first = api.get(f"/api/listings/rooms/available?limit=2&{town.dates()}").body
    second = api.get(f"/api/listings/rooms/available?limit=2&{town.dates()}&cursor={first['next_cursor']}").body
    third = api.get(f"/api/listings/rooms/available?limit=2&{town.dates()}&cursor={second['next_cursor']}").body
    names = [i["id"] for i in first["items"] + second["items"] + third["items"]]
    assert len(names) == len(set(names)) == 5 and third["next_cursor"] is None

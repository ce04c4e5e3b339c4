"""A stay's entries in the search indexes follow its rooms, city and type in the same write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.models.base import TableItem
from chalicelib.models.listings import Stay
from chalicelib.models.search_index import floor_position, price_index_pk, rating_index_pk
from chalicelib.services import listings
from tests.factories import Api, Person, add_room


def city_index_entries(city: str) -> set[tuple[str, str]]:
    """The hotel entries of the search indexes' `city` partitions, as (index, sort key):
    stays by rating, by ceiling price, by floor price."""
    found = set()
    for index, pk in (
        (TableItem.gsi2, rating_index_pk),
        (TableItem.gsi4, price_index_pk),
        (TableItem.gsi6, price_index_pk),
    ):
        found |= {(index.Meta.index_name, item.sk) for item in index.query(pk("hotel", city))}
    return found


def type_index_entries(stay_type: str) -> list[TableItem]:
    return [
        *TableItem.gsi3.query(rating_index_pk(stay_type, None)),
        *TableItem.gsi5.query(price_index_pk(stay_type, None)),
        *TableItem.gsi7.query(price_index_pk(stay_type, None)),
    ]


def test_a_stay_is_in_the_search_indexes_once_it_has_a_room(api: Api, provider: Person, stay: dict) -> None:
    assert city_index_entries("Dhaka") == set()
    room = add_room(api, provider, stay["id"])
    assert city_index_entries("Dhaka") == {("gsi2", "STAY"), ("gsi4", "STAY"), ("gsi6", "STAY")}
    api.delete(f"/api/listings/stays/{stay['id']}/rooms/{room['id']}", token=provider.access)
    assert city_index_entries("Dhaka") == set()


def test_changing_city_moves_the_stay_in_the_city_indexes(api: Api, provider: Person, stay: dict) -> None:
    for _ in range(3):
        add_room(api, provider, stay["id"])
    in_dhaka = city_index_entries("Dhaka")
    assert in_dhaka == {("gsi2", "STAY"), ("gsi4", "STAY"), ("gsi6", "STAY")}
    reply = api.patch(f"/api/listings/stays/{stay['id']}", {"city": "  SYLHET "}, token=provider.access)
    assert reply.status == 200 and reply.body["city"] == "SYLHET"
    assert city_index_entries("Dhaka") == set()
    assert city_index_entries("sylhet") == in_dhaka
    assert {room.city for room in listings.stay_with_rooms(stay["id"])[1]} == {"SYLHET"}


def test_changing_stay_type_moves_it_in_the_type_index(api: Api, provider: Person, stay: dict) -> None:
    add_room(api, provider, stay["id"])
    api.patch(f"/api/listings/stays/{stay['id']}", {"stay_type": "resort"}, token=provider.access)
    assert type_index_entries("hotel") == []
    assert len(type_index_entries("resort")) == 3


@pytest.mark.parametrize(
    ("change", "floor", "ceiling", "guests"),
    [
        ({}, Decimal(1000), Decimal(3000), 4),
        ({"price_per_night": 500}, Decimal(500), Decimal(1000), 4),
        ({"price_per_night": 4000, "max_guest_per_room": 1}, Decimal(1000), Decimal(4000), 2),
    ],
)
def test_a_room_change_moves_its_stays_bounds_in_the_same_write(
    api: Api, provider: Person, stay: dict, change: dict, floor: Decimal, ceiling: Decimal, guests: int
) -> None:
    add_room(api, provider, stay["id"], price_per_night=1000, max_guest_per_room=2)
    last = add_room(api, provider, stay["id"], price_per_night=3000, max_guest_per_room=4)
    if change:
        path = f"/api/listings/stays/{stay['id']}/rooms/{last['id']}"
        assert api.patch(path, change, token=provider.access).status == 200
    saved = Stay.get(*Stay.keys(stay["id"]))
    assert (saved.floor_price, saved.ceiling_price, saved.max_guests) == (floor, ceiling, guests)
    by_floor = TableItem.gsi6.query(price_index_pk("hotel", "Dhaka"))
    assert [(entry.gsi6sk, entry.max_guests) for entry in by_floor] == [(floor_position(floor, stay["id"]), guests)]

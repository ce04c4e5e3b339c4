"""Optimistic locking of stays and rooms under concurrent writes, on DynamoDB Local."""

from __future__ import annotations

import pytest

from chalicelib.domain.ids import new_id
from chalicelib.errors import Conflict
from chalicelib.models.base import TableItem
from chalicelib.models.listings import Room
from chalicelib.models.search_index import price_index_pk, rating_index_pk
from chalicelib.schemas.listings import RoomCreate, StayCreate, StayPatch
from chalicelib.services import listings
from tests.engine.test_booking_races import a_provider
from tests.engine.test_races import race
from tests.factories import room_body, stay_body


@pytest.fixture
def owned_stay() -> tuple[str, str]:
    _, provider_id = a_provider()
    stay = listings.create_stay(provider_id, StayCreate(**stay_body(city=f"Town {new_id()}")))
    return provider_id, stay.id


def test_concurrent_room_adds_respect_the_room_limit(owned_stay, monkeypatch) -> None:
    provider_id, stay_id = owned_stay
    monkeypatch.setattr(listings, "MAX_ROOMS_PER_STAY", 4)
    outcomes = race([lambda: listings.add_room(provider_id, stay_id, RoomCreate(**room_body())) for _ in range(10)])
    added = [o for o in outcomes if isinstance(o, Room)]
    assert len(added) <= 4
    assert all(isinstance(o, Room | Conflict) for o in outcomes), outcomes
    stay, rooms = listings.stay_with_rooms(stay_id, consistent=True)
    assert stay.room_count == len(rooms) == len(added)


def test_rooms_added_during_a_city_change_end_up_in_the_stays_city(owned_stay) -> None:
    provider_id, stay_id = owned_stay
    listings.add_room(provider_id, stay_id, RoomCreate(**room_body()))
    old_city = listings.stay_with_rooms(stay_id)[0].city
    new_city = f"Moved {new_id()}"
    calls = [lambda: listings.add_room(provider_id, stay_id, RoomCreate(**room_body())) for _ in range(6)]
    calls.insert(3, lambda: listings.update_stay(provider_id, stay_id, StayPatch(city=new_city)))
    outcomes = race(calls)
    # Under contention the move may give up with a 409; either way nothing is half-moved.
    moved = not isinstance(outcomes[3], Conflict)
    stay, rooms = listings.stay_with_rooms(stay_id, consistent=True)
    assert stay.city == (new_city if moved else old_city)
    assert {room.city for room in rooms} == {stay.city}
    by_rating = list(TableItem.gsi2.query(rating_index_pk(stay.stay_type, stay.city)))
    by_floor = list(TableItem.gsi6.query(price_index_pk(stay.stay_type, stay.city)))
    assert [(item.sk, item.gsi2sk) for item in by_rating] == [("STAY", stay.gsi2sk)]
    assert [(item.sk, item.gsi6sk) for item in by_floor] == [("STAY", stay.gsi6sk)]
    assert stay.floor_price == min(room.price_per_night for room in rooms)
    assert stay.room_count == len(rooms) == 1 + sum(isinstance(o, Room) for o in outcomes)

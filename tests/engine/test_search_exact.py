"""The paged threshold walk gives exactly what reading the whole city would give.

Random cities on DynamoDB Local (prices with ties, rate rules that raise, lower or close
nights and set stay lengths, room sizes, rooms off sale, booked nights, ratings, stays left
ranked too high in the rating index as a crash after a review would leave them) and random
queries; every page is walked to the end, with a tiny read
budget so that pages come back short and resume from their cursor, and the cards (set,
order, figures) are compared with a brute-force evaluation of the same data.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain import rates
from chalicelib.domain.bookings import nights_of, today_in
from chalicelib.domain.ids import new_child_id, new_id
from chalicelib.domain.listings import STAY_TYPES
from chalicelib.domain.ratings import average as average_rating
from chalicelib.models.bookings import NightLock
from chalicelib.models.listings import Room, Stay
from chalicelib.models.rates import RateRule
from chalicelib.schemas.search import AvailabilityQuery, StaySearchQuery
from chalicelib.services import search, search_walk

PRICES = [Decimal(p) for p in ("900", "1000", "1000", "1250.50", "1500", "2000", "3333.33")]


@dataclass
class City:
    name: str
    stays: list[Stay]
    rooms: list[Room]
    taken: set[tuple[str, date]]  # (room id, night)


def draw_rules(rng: random.Random, start: date) -> list[RateRule]:
    """Up to three rules over the searched days: prices above and below the base, weekdays,
    stay lengths, closed nights, closed arrivals and departures."""
    drawn = []
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        first = start + timedelta(days=rng.randrange(-1, 6))
        drawn.append(
            RateRule.of(
                rates.Rule(
                    from_date=first,
                    to_date=first + timedelta(days=rng.randrange(1, 6)),
                    weekdays=rng.choice([None, None, frozenset(rng.sample(range(1, 8), 3))]),
                    price_per_night=rng.choice([None, *PRICES, Decimal("450"), Decimal("5000")]),
                    min_stay=rng.choice([None, None, None, 2]),
                    max_stay=rng.choice([None, None, None, 2]),
                    closed_to_arrival=rng.choice([None, None, None, True]),
                    closed_to_departure=rng.choice([None, None, None, True]),
                    closed=rng.choice([None] * 7 + [True]),
                )
            )
        )
    return drawn


def build_city(rng: random.Random) -> City:
    name, now = f"Exact {new_id()}", clock.utcnow()
    stays, rooms, taken = [], [], set()
    start = today_in("Asia/Dhaka", now) + timedelta(days=20)
    for n in range(rng.randrange(4, 14)):
        count = rng.choice([0, 0, 1, 2, 3, 5])
        stay = Stay(
            id=new_id(),
            provider_id="p",
            stay_type=rng.choice(STAY_TYPES),
            name=f"Stay {n}",
            description="",
            address="1 Road",
            city=name,
            country="BD",
            timezone="Asia/Dhaka",
            currency="BDT",
            check_in_time="14:00",
            check_out_time="12:00",
            rating_sum=sum(rng.randrange(1, 6) for _ in range(count)),
            rating_count=count,
            created_at=now,
            updated_at=now,
        )
        stays.append(stay)
        own = []
        for r in range(rng.randrange(1, 5)):
            room = Room(
                id=new_child_id(stay.id),
                stay_id=stay.id,
                room_type="double",
                room_name=f"Room {r}",
                price_per_night=rng.choice(PRICES),
                max_guest_per_room=rng.randrange(1, 4),
                is_available=rng.random() < 0.85,
                rules=draw_rules(rng, start),
                created_at=now,
                updated_at=now,
                **Room.copied_from(stay),
            )
            room.save()
            own.append(room)
            for day in range(6):
                if rng.random() < 0.25:
                    night = start + timedelta(days=day)
                    NightLock(stay_id=stay.id, room_id=room.id, night=night.isoformat(), booking_id=new_id()).save()
                    taken.add((room.id, night))
        rooms += own
        stay.summarize(own)
        stay.save()
        if rng.random() < 0.2:  # a review committed, its settling write never ran
            stay.update(actions=stay.unsettled_rating_actions())
    return City(name, stays, rooms, taken)


def free_rooms(city: City, check_in: date, check_out: date, guests: int, stay_type: str | None) -> list[Room]:
    nights = nights_of(check_in, check_out)
    return [
        room
        for room in city.rooms
        if room.is_available
        and room.max_guest_per_room >= guests
        and (stay_type is None or room.stay_type == stay_type)
        and not any((room.id, night) in city.taken for night in nights)
    ]


def priced(rooms: list[Room], check_in: date, check_out: date) -> list[tuple[Room, Decimal]]:
    """The rooms the rules allow for these dates, with their totals."""
    quotes = [(room, rates.quote(room, check_in, check_out)) for room in rooms]
    return [(room, quote.total) for room, quote in quotes if quote.bookable]


def expected_cards(city: City, query: StaySearchQuery) -> list[tuple[str, Decimal, Decimal, int]]:
    n = len(nights_of(query.check_in, query.check_out))
    by_stay: dict[str, list[Decimal]] = {}
    free = free_rooms(city, query.check_in, query.check_out, query.guests, query.stay_type)
    for room, total in priced(free, query.check_in, query.check_out):
        if (query.min_price is None or total >= query.min_price * n) and (
            query.max_price is None or total <= query.max_price * n
        ):
            by_stay.setdefault(room.stay_id, []).append(total)
    stays = {stay.id: stay for stay in city.stays}

    def key(stay_id: str) -> tuple[Decimal, Decimal, str]:
        cheapest = min(by_stay[stay_id])
        if query.sort == "price_desc":
            return -cheapest, Decimal(0), stay_id
        if query.sort == "rating_desc":
            stay = stays[stay_id]
            average = average_rating(stay.rating_sum, stay.rating_count)
            return (Decimal(0) if average is None else -average), cheapest, stay_id
        return cheapest, Decimal(0), stay_id

    return [(s, min(by_stay[s]), max(by_stay[s]), len(by_stay[s])) for s in sorted(by_stay, key=key)]


def walk_all(fetch: Callable[[Any], tuple[list[Any], str | None]], query_of: Callable[[str | None], Any]) -> list[Any]:
    items, cursor = [], None
    for _ in range(500):
        page, cursor = fetch(query_of(cursor))
        items += page
        if cursor is None:
            return items
    raise AssertionError("the cursor never came to an end")


@pytest.fixture
def tiny_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget of a few reads, so that nearly every page is cut short and resumed."""
    monkeypatch.setattr(search_walk, "MAX_STAYS", 3)
    monkeypatch.setattr(search_walk, "INDEX_PAGE_SIZE", 3)
    monkeypatch.setattr(search_walk, "MAX_INDEX_PAGES", 4)
    monkeypatch.setattr(search_walk, "SLACK", 1)
    monkeypatch.setattr(search_walk, "MAX_CARRY", 2)


@pytest.mark.parametrize("seed", range(8))
def test_paged_stay_search_equals_brute_force(seed: int, tiny_budget: None) -> None:
    rng = random.Random(seed)
    city = build_city(rng)
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=20)
    for _ in range(6):
        check_in = start + timedelta(days=rng.randrange(3))
        low = rng.choice([None, None, Decimal(1000)])
        high = rng.choice([None, None, Decimal(2000)])
        base = {
            "check_in": check_in,
            "check_out": check_in + timedelta(days=rng.randrange(1, 4)),
            "city": city.name.upper(),
            "stay_type": rng.choice([None, None, *STAY_TYPES]),
            "guests": rng.randrange(1, 4),
            "min_price": low,
            "max_price": high,
            "sort": rng.choice([None, "price_asc", "price_desc", "rating_desc"]),
            "limit": rng.randrange(1, 5),
        }
        if base["sort"] is None:  # not sent: the default
            del base["sort"]
        query = StaySearchQuery(**base)
        cards = walk_all(search.search_stays, lambda cursor: StaySearchQuery(**base, cursor=cursor))  # noqa: B023
        got = [(c.id, c.min_total_price, c.max_total_price, c.available_room_count) for c in cards]
        assert got == expected_cards(city, query), base


@pytest.mark.parametrize("seed", range(4))
def test_paged_available_rooms_equal_brute_force(seed: int, tiny_budget: None) -> None:
    rng = random.Random(100 + seed)
    city = build_city(rng)
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=20)
    for _ in range(4):
        check_in = start + timedelta(days=rng.randrange(3))
        base = {
            "check_in": check_in,
            "check_out": check_in + timedelta(days=rng.randrange(1, 4)),
            "city": city.name,
            "guests": rng.randrange(1, 3),
            "limit": rng.randrange(1, 4),
        }
        rooms = walk_all(search.available_rooms, lambda cursor: AvailabilityQuery(**base, cursor=cursor))  # noqa: B023
        free = free_rooms(city, base["check_in"], base["check_out"], base["guests"], None)
        expected = sorted(priced(free, base["check_in"], base["check_out"]), key=lambda pair: (pair[1], pair[0].id))
        assert [(r.id, r.total_price) for r in rooms] == [(room.id, total) for room, total in expected], base


@pytest.fixture
def dearest_first(tiny_budget: None, monkeypatch: pytest.MonkeyPatch) -> tuple[City, dict[str, Any]]:
    """A city of 13 stays (11 with a free room on the night) searched by price_desc, whose walk
    reads most of it before its first card, a few stays a request, carrying them meanwhile."""
    monkeypatch.setattr(search_walk, "MAX_CARRY", 50)
    city = build_city(random.Random(10))
    check_in = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=21)
    return city, {
        "check_in": check_in,
        "check_out": check_in + timedelta(days=1),
        "city": city.name,
        "sort": "price_desc",
    }


def test_a_carried_stay_is_read_again_only_when_it_comes_due(
    dearest_first: tuple[City, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stays the walk carries are read once when reached and once more when served, not
    again in every request."""
    city, base = dearest_first
    reads: Counter[str] = Counter()
    read_stays = search_walk.read_stays

    def counted(stay_ids: list[str], check_in: date, check_out: date) -> dict[str, Any]:
        reads.update(stay_ids)
        return read_stays(stay_ids, check_in, check_out)

    monkeypatch.setattr(search_walk, "read_stays", counted)
    query = StaySearchQuery(**base, limit=20)
    cards = walk_all(search.search_stays, lambda cursor: StaySearchQuery(**base, limit=20, cursor=cursor))
    assert [(c.id, c.min_total_price) for c in cards] == [(s, low) for s, low, _, _ in expected_cards(city, query)]
    assert len(cards) > 2 * search_walk.MAX_STAYS  # the cards came from several requests' reads
    assert max(reads.values()) <= 2, reads


def test_a_carried_stay_is_read_fresh_before_it_is_served(dearest_first: tuple[City, dict[str, Any]]) -> None:
    """Nights booked between two pages are not offered by the second, even by a stay the
    cursor carried from the first."""
    city, base = dearest_first
    first, cursor = search.search_stays(StaySearchQuery(**base, limit=2))
    assert cursor is not None and len(expected_cards(city, StaySearchQuery(**base))) > len(first)
    for room in city.rooms:
        NightLock(stay_id=room.stay_id, room_id=room.id, night=base["check_in"].isoformat(), booking_id=new_id()).save()
    rest = walk_all(search.search_stays, lambda later: StaySearchQuery(**base, limit=2, cursor=later or cursor))
    assert rest == []


def test_a_fully_booked_city_answers_short_pages_that_end(tiny_budget: None) -> None:
    rng = random.Random(7)
    city = build_city(rng)
    check_in = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=20)
    for room in city.rooms:
        NightLock(stay_id=room.stay_id, room_id=room.id, night=check_in.isoformat(), booking_id=new_id()).save()
    base = {"check_in": check_in, "check_out": check_in + timedelta(days=1), "city": city.name}
    pages, cursor = 0, None
    while True:
        cards, cursor = search.search_stays(StaySearchQuery(**base, cursor=cursor))
        pages += 1
        assert cards == []
        if cursor is None:
            break
        assert pages < 100
    assert pages > 1  # the budget cut the walk: short pages with a cursor, then the end

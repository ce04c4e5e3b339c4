"""The threshold walk against brute force, on in-memory indexes and stays, with tiny budgets.

Random cities: stays spread over a few merged partitions, results far above their index
bound (as `price_desc` has them) or close to it, several results per stay (the room search)
or one (the cards), stays too small for the guests, and a price cut-off. Every page's state
goes through the real cursor and back, and every served result must have been read by the
request that serves it (fresh).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.search.access import Entry
from chalicelib.services import search, search_walk
from chalicelib.services.search_walk import LOWEST, Found, Key, Plan, State

ZERO = Decimal(0)
NIGHT = date(2030, 1, 1), date(2030, 1, 2)
# (MAX_STAYS, INDEX_PAGE_SIZE, MAX_INDEX_PAGES, SLACK, MAX_CARRY)
BUDGETS = [(3, 3, 4, 1, 2), (2, 2, 4, 0, 1), (1, 3, 4, 0, 1), (4, 2, 6, 2, 3), (3, 3, 4, 1, 5), (3, 3, 3, 1, 2)]


class City:
    def __init__(self, rng: random.Random, *, rooms: bool) -> None:
        self.partitions = [f"P{i}" for i in range(rng.randrange(1, 4))]
        self.entries: dict[str, list[Entry]] = {p: [] for p in self.partitions}
        self.results: dict[str, list[Key]] = {}
        self.floor: dict[str, int] = {}
        self.sleeps: dict[str, int] = {}
        spread = rng.choice([5, 50, 2000])
        for n in range(rng.randrange(0, 30)):
            stay_id, floor, sleeps = f"s{n:04d}", rng.randrange(0, 1000), rng.randrange(1, 4)
            keys = set()
            for r in range(rng.choice([0, 1, 2, 3]) if rooms else 1):
                total = Decimal(floor + rng.choice([0, rng.randrange(5), rng.randrange(spread + 1)]))
                keys.add((total, ZERO, f"{stay_id}.r{r}" if rooms else stay_id))
            self.results[stay_id] = sorted(keys)
            self.floor[stay_id], self.sleeps[stay_id] = floor, sleeps
            self.entries[rng.choice(self.partitions)].append(Entry(f"{floor:06d}#{stay_id}", stay_id, sleeps))
        for entries in self.entries.values():
            entries.sort(key=lambda entry: entry.position)


def _plan(city: City, guests: int, cut: int | None) -> Plan[tuple[Key, int]]:
    def bound(position: str) -> Key:
        if not position:
            return LOWEST, LOWEST, ""
        floor, stay_id = position.split("#")
        return Decimal(int(floor)), ZERO, stay_id

    def results(read: Any) -> list[Found[tuple[Key, int]]]:
        stay_id, read_by = read
        if cut is not None and city.floor[stay_id] > cut:
            return []
        return [Found(key, stay_id, (key, read_by)) for key in city.results[stay_id]]

    return Plan(
        order="floor",
        partitions=city.partitions,
        bound=bound,
        fits=lambda entry: entry.max_guests >= guests,
        beyond=lambda position: cut is not None and bool(position) and int(position.split("#")[0]) > cut,
        results=results,
    )


def _walk_to_the_end(city: City, rng: random.Random, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Key], list[Key]]:
    guests, cut, limit = rng.randrange(1, 3), rng.choice([None, None, 300]), rng.randrange(1, 6)
    request = [0]

    def read_stays(stay_ids: list[str], check_in: date, check_out: date) -> dict[str, Any]:
        assert len(stay_ids) == len(set(stay_ids))
        return {stay_id: (stay_id, request[0]) for stay_id in stay_ids}

    def in_parallel(calls: list[tuple[str, str, str | None, int]]) -> list[list[Entry]]:
        return [
            [e for e in city.entries[pk] if after is None or e.position > after][:size] for _, pk, after, size in calls
        ]

    monkeypatch.setattr(search_walk, "read_stays", read_stays)
    monkeypatch.setattr(search_walk, "in_parallel", in_parallel)
    plan, state, served = _plan(city, guests, cut), State(), []
    for request[0] in range(2000):
        page, resumed = search_walk.run(plan, state, limit=limit, check_in=NIGHT[0], check_out=NIGHT[1])
        assert len(page) <= limit
        assert all(read_by == request[0] for _, read_by in page)  # read by the request that serves it
        served += [key for key, _ in page]
        if resumed is None:
            shown = [s for s in city.results if city.sleeps[s] >= guests and (cut is None or city.floor[s] <= cut)]
            return served, sorted(key for s in shown for key in city.results[s])
        state = search._state(search._cursor(resumed, "walk"), "walk")
    raise AssertionError("the walk never came to an end")


@pytest.mark.parametrize("rooms", [True, False], ids=["rooms", "cards"])
@pytest.mark.parametrize("budget", BUDGETS, ids=[",".join(map(str, b)) for b in BUDGETS])
def test_paging_to_the_end_serves_exactly_the_brute_force_order(
    budget: tuple[int, int, int, int, int], rooms: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in zip(
        ("MAX_STAYS", "INDEX_PAGE_SIZE", "MAX_INDEX_PAGES", "SLACK", "MAX_CARRY"), budget, strict=True
    ):
        monkeypatch.setattr(search_walk, name, value)
    for seed in range(150):
        rng = random.Random(seed)
        city = City(rng, rooms=rooms)
        served, expected = _walk_to_the_end(city, rng, monkeypatch)
        assert served == expected, seed

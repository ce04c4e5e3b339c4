"""The lock and listing access patterns: candidates from an index, then the taken nights.

Round trip 1 reads the candidate stays and rooms from one index Query (paged);
round trip 2 reads the locks of every candidate stay in the date range, one
Query per stay, all at once. Bookings outside the range and listings elsewhere
are never read, so the cost of a search follows only what it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.listings import STAY_TYPES
from chalicelib.models.base import TableItem
from chalicelib.models.bookings import NightLock, locks_between, locks_from, nights_pk
from chalicelib.models.listings import Room, Stay, city_of_type, city_pk, type_pk

# Lock queries in flight at once (the table connection's pool holds 40).
MAX_PARALLEL_QUERIES = 32


@dataclass
class Candidate:
    stay: Stay
    rooms: list[Room] = field(default_factory=list)


def _group(items: Iterable[TableItem]) -> dict[str, Candidate]:
    """Stays with their rooms; a room whose stay item is not among the items is left out."""
    stays: dict[str, Candidate] = {}
    rooms: list[Room] = []
    for item in items:
        if isinstance(item, Stay):
            stays[item.id] = Candidate(item)
        elif isinstance(item, Room):
            rooms.append(item)
    for room in rooms:
        if room.stay_id in stays:
            stays[room.stay_id].rooms.append(room)
    return stays


def stays_and_rooms_in_city(city: str, stay_type: str | None) -> dict[str, Candidate]:
    """gsi2: `CITY#<city key>`, with `begins_with(<stay type>#)` when a type is asked for."""
    condition = city_of_type(stay_type) if stay_type else None
    return _group(TableItem.gsi2.query(city_pk(city), condition))


def stays_and_rooms_of_type(stay_type: str) -> dict[str, Candidate]:
    """gsi3: `TYPE#<stay type>`, every stay and room of that type."""
    return _group(TableItem.gsi3.query(type_pk(stay_type)))


def candidates(city: str | None, stay_type: str | None) -> dict[str, Candidate]:
    """The stays (with their rooms) a search is about: by city, else by type, else every type."""
    if city:
        return stays_and_rooms_in_city(city, stay_type)
    types = [stay_type] if stay_type else list(STAY_TYPES)
    found: dict[str, Candidate] = {}
    for part in _pool().map(stays_and_rooms_of_type, types):
        found.update(part)
    return found


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """One pool per process: a warm Lambda container reuses its threads across requests."""
    return ThreadPoolExecutor(max_workers=MAX_PARALLEL_QUERIES, thread_name_prefix="search")


def _taken_in_stay(stay_id: str, check_in: date, check_out: date) -> set[tuple[str, str]]:
    """Strongly consistent Query `NIGHTS#<stay id>`, sk between the first and last night:
    a booking that committed is seen, and a cancelled one's nights are free at once."""
    condition = locks_between(check_in, check_out - timedelta(days=1))
    return {(lock.night, lock.room_id) for lock in NightLock.query(nights_pk(stay_id), condition, consistent_read=True)}


def taken_nights(stay_ids: list[str], check_in: date, check_out: date) -> dict[str, set[tuple[str, str]]]:
    """`(night, room id)` pairs taken in `[check_in, check_out)`, per stay, queried in parallel."""
    results = _pool().map(lambda stay_id: _taken_in_stay(stay_id, check_in, check_out), stay_ids)
    return dict(zip(stay_ids, results, strict=True))


def has_upcoming_bookings(stay: Stay, room_id: str | None = None) -> bool:
    """Whether any night from today on (stay's zone) is held, for the stay or one of its rooms:
    one Query on `NIGHTS#<stay id>` with `sk >= today`. Only PENDING and CONFIRMED bookings
    hold locks, so a lock is an upcoming booking."""
    locks = NightLock.query(
        nights_pk(stay.id),
        locks_from(today_in(stay.timezone, clock.utcnow())),
        filter_condition=(NightLock.room_id == room_id) if room_id else None,
        limit=1,
    )
    return any(True for _ in locks)

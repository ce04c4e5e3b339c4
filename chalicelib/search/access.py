"""The search's access patterns: one page of a search index, then the stays the walk reached.

A page of search reads the index in order one page at a time (never a whole city), and
for each stay reached its item collection (stay and rooms) and its taken nights, all the
stays of one step at once on a shared pool. Bookings outside the dates and listings
elsewhere are never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.models.base import TableItem
from chalicelib.models.bookings import NightLock, locks_between, locks_from, nights_pk
from chalicelib.models.listings import Room, Stay, stay_of, stay_pk
from chalicelib.models.search_index import is_city_partition
from chalicelib.pools import RequestPool, request_pool

# Queries in flight at once (the table connection's pool holds 40).
MAX_PARALLEL_QUERIES = 32
# Locks read per page when looking for one room's among its stay's (about 100 bytes each).
_LOCK_PAGE = 1000

Order = Literal["floor", "ceiling", "rating"]
# Per order: (index, its sort key) of the city partitions, then of the type-only ones.
_INDEXES: dict[Order, tuple[tuple[Any, Any], tuple[Any, Any]]] = {
    "rating": ((TableItem.gsi2, TableItem.gsi2sk), (TableItem.gsi3, TableItem.gsi3sk)),
    "ceiling": ((TableItem.gsi4, TableItem.gsi4sk), (TableItem.gsi5, TableItem.gsi5sk)),
    "floor": ((TableItem.gsi6, TableItem.gsi6sk), (TableItem.gsi7, TableItem.gsi7sk)),
}


@dataclass(frozen=True)
class Entry:
    """A stay's entry in a search index: its sort key there, and what the index projects."""

    position: str
    stay_id: str
    max_guests: int


@dataclass
class StayRead:
    """A stay with all its rooms and the ids of the rooms with a night taken in the dates."""

    stay: Stay
    rooms: list[Room] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)


def index_page(order: Order, pk: str, after: str | None, size: int) -> list[Entry]:
    """One Query of `size` stay entries of a search partition, from just after the sort key
    `after`: by rating (gsi2 / gsi3, `#RATED` partitions), by ceiling price (gsi4 / gsi5), by
    floor price (gsi6 / gsi7); the city partitions on the first, the type-only (`TYPE#`) ones
    on the second."""
    index, sort_key = _INDEXES[order][0 if is_city_partition(pk) else 1]
    condition = sort_key > after if after is not None else None
    return [
        Entry(getattr(item, sort_key.attr_name), stay_of(item.pk), int(item.max_guests))
        for item in index.query(pk, condition, limit=size, page_size=size)
        if isinstance(item, Stay)
    ]


def _stay_and_rooms(stay_id: str) -> tuple[Stay | None, list[Room]]:
    """Query `STAY#<stay id>`: the stay item and its rooms (rules included, once they exist)."""
    stay, rooms = None, []
    for item in TableItem.query(stay_pk(stay_id)):
        if isinstance(item, Stay):
            stay = item
        elif isinstance(item, Room):
            rooms.append(item)
    return stay, rooms


def taken_nights(stay_id: str, check_in: date, check_out: date) -> set[tuple[str, str]]:
    """`(night, room id)` pairs taken in `[check_in, check_out)`: one strongly consistent Query
    `NIGHTS#<stay id>`, sk between the first and last night, so a booking that committed is
    seen and a cancelled one's nights are free at once."""
    condition = locks_between(check_in, check_out - timedelta(days=1))
    locks = NightLock.query(nights_pk(stay_id), condition, consistent_read=True)
    return {(lock.night, lock.room_id) for lock in locks}


def _taken_in_stay(stay_id: str, check_in: date, check_out: date) -> set[str]:
    """The rooms of the stay with any night taken in `[check_in, check_out)`."""
    return {room_id for _, room_id in taken_nights(stay_id, check_in, check_out)}


def read_stays(stay_ids: list[str], check_in: date, check_out: date) -> dict[str, StayRead]:
    """The stays reached by one step of the walk: two Queries per stay, all in parallel.
    A stay deleted since its index entry was read is left out."""
    pool = _pool()
    listings = [pool.submit(_stay_and_rooms, stay_id) for stay_id in stay_ids]
    taken = [pool.submit(_taken_in_stay, stay_id, check_in, check_out) for stay_id in stay_ids]
    found = {}
    for stay_id, listing, locks in zip(stay_ids, listings, taken, strict=True):
        stay, rooms = listing.result()
        if stay is not None:
            found[stay_id] = StayRead(stay, rooms, locks.result())
    return found


def in_parallel(calls: list[tuple[Order, str, str | None, int]]) -> list[list[Entry]]:
    """Several index pages at once (one per stay type of a merged walk)."""
    return list(_pool().map(lambda call: index_page(*call), calls))


def _pool() -> RequestPool:
    return request_pool("search", MAX_PARALLEL_QUERIES)


def has_upcoming_bookings(stay: Stay, room_id: str | None = None) -> bool:
    """Whether any night from today on (stay's zone) is held, for the stay or one of its rooms:
    a strongly consistent Query on `NIGHTS#<stay id>` with `sk >= today` (so a booking that
    committed is seen), stopped at the first lock found. Only PENDING and CONFIRMED bookings
    hold locks, so a lock is an upcoming booking. For one room the filter drops the other
    rooms' locks after the read, so its pages are full ones, not one lock each."""
    locks = NightLock.query(
        nights_pk(stay.id),
        locks_from(today_in(stay.timezone, clock.utcnow())),
        consistent_read=True,
        filter_condition=(NightLock.room_id == room_id) if room_id else None,
        limit=1,
        page_size=_LOCK_PAGE if room_id else 1,
    )
    return any(True for _ in locks)

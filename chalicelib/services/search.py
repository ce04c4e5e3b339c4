"""The search use cases: which rooms are free for `[check_in, check_out)`, and the stay cards.

Validates the dates, combines the access patterns of `chalicelib.search.access`
(candidates, then taken nights), orders and pages the result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chalicelib import clock
from chalicelib.domain import bookings as rules
from chalicelib.errors import Invalid
from chalicelib.models.listings import Room, Stay
from chalicelib.schemas.search import AvailabilityQuery, AvailableRoom, StayCard, StaySearchQuery
from chalicelib.search.access import candidates, taken_nights
from chalicelib.services.pages import SortKey, keyset_page
from chalicelib.settings import get_settings

# The date line's western side (UTC-12) is the last place where a date is still today:
# a check-in before today there is in the past everywhere.
LAST_TIME_ZONE = "Etc/GMT+12"


@dataclass(frozen=True)
class FreeRoom:
    stay: Stay
    room: Room


def _check_dates(query: AvailabilityQuery, now: datetime) -> None:
    settings = get_settings()
    problems = rules.stay_problems(
        query.check_in,
        query.check_out,
        today=rules.today_in(LAST_TIME_ZONE, now),
        max_nights=settings.max_nights,
        max_advance_days=settings.max_advance_days,
    )
    if problems:
        raise Invalid("The search is not valid.", errors=problems)


def free_rooms(
    query: AvailabilityQuery, now: datetime, *, min_price: Decimal | None = None, max_price: Decimal | None = None
) -> list[FreeRoom]:
    """Rooms for sale, fitting `guests` and the price range, with none of their nights taken.

    Two round trips: the candidates (one index Query), then the taken nights of the
    stays that still have a fitting room (one consistent Query per stay, in parallel).
    A stay whose own today is after `check_in` is left out: the date is past there.
    """
    _check_dates(query, now)
    fitting: dict[str, tuple[Stay, list[Room]]] = {}
    for candidate in candidates(query.city, query.stay_type).values():
        stay = candidate.stay
        if query.check_in < rules.today_in(stay.timezone, now):
            continue
        rooms = [
            room
            for room in candidate.rooms
            if room.is_available
            and room.max_guest_per_room >= query.guests
            and (min_price is None or room.price_per_night >= min_price)
            and (max_price is None or room.price_per_night <= max_price)
        ]
        if rooms:
            fitting[stay.id] = (stay, rooms)
    taken = taken_nights(list(fitting), query.check_in, query.check_out)
    free = []
    for stay_id, (stay, rooms) in fitting.items():
        busy = {room_id for _, room_id in taken[stay_id]}
        free += [FreeRoom(stay, room) for room in rooms if room.id not in busy]
    return free


def stay_cards(free: list[FreeRoom]) -> list[StayCard]:
    by_stay: dict[str, list[FreeRoom]] = {}
    for item in free:
        by_stay.setdefault(item.stay.id, []).append(item)
    return [StayCard.of(items[0].stay, [item.room for item in items]) for items in by_stay.values()]


def _scope(kind: str, query: AvailabilityQuery) -> str:
    """What a cursor belongs to: the query, less where it is and how long a page is."""
    asked = query.model_dump(mode="json", exclude={"cursor", "limit"})
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:32]
    return f"{kind}:{digest}"


def search_stays(query: StaySearchQuery) -> tuple[list[StayCard], str | None]:
    """Stay cards with at least one free room, cheapest first or dearest first by their
    lowest free price (or by the lowest price when no sort is asked), paginated."""
    free = free_rooms(query, clock.utcnow(), min_price=query.min_price, max_price=query.max_price)
    sign = -1 if query.sort == "price_desc" else 1

    def key(card: StayCard) -> SortKey:
        return sign * card.min_price_per_night, card.id

    scope = _scope("search-stays", query)
    return keyset_page(stay_cards(free), key, limit=query.limit, cursor=query.cursor, scope=scope)


def available_rooms(query: AvailabilityQuery) -> tuple[list[AvailableRoom], str | None]:
    """Free rooms, cheapest first, paginated."""

    def key(item: FreeRoom) -> SortKey:
        return item.room.price_per_night, item.room.id

    scope = _scope("available-rooms", query)
    free, next_cursor = keyset_page(
        free_rooms(query, clock.utcnow()), key, limit=query.limit, cursor=query.cursor, scope=scope
    )
    return [AvailableRoom.of(item.stay, item.room) for item in free], next_cursor

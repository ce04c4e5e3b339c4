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
from chalicelib.domain import rates
from chalicelib.domain.money import MAX_MINOR_UNIT
from chalicelib.domain.ratings import best_first
from chalicelib.errors import Invalid
from chalicelib.models.listings import Room, Stay
from chalicelib.schemas.search import AvailabilityQuery, AvailableRoom, StayCard, StaySearchQuery
from chalicelib.search.access import candidates, taken_nights
from chalicelib.services.pages import SortKey, keyset_page
from chalicelib.settings import get_settings

# The date line's western side (UTC-12) is the last place where a date is still today:
# a check-in before today there is in the past everywhere.
LAST_TIME_ZONE = "Etc/GMT+12"
# Prices zero-padded to this width, with the finest minor unit's decimals, order as text the
# way they do as numbers (money has at most 10 digits): so a rating sort's second and third
# keys (price, stay id) fit the page's one text key.
_PRICE_WIDTH = 32


@dataclass(frozen=True)
class FreeRoom:
    stay: Stay
    room: Room
    quote: rates.Quote


def _priced(
    room: Room, query: AvailabilityQuery, min_price: Decimal | None, max_price: Decimal | None
) -> rates.Quote | None:
    """The room's quote when it is for sale, fits the guests, is bookable under its rules for the
    dates and costs between the bounds per night (total / nights, compared exactly); else None."""
    if not room.is_available or room.max_guest_per_room < query.guests:
        return None
    quote = rates.quote(room, query.check_in, query.check_out)
    if not quote.bookable:
        return None
    if min_price is not None and quote.total < min_price * quote.nights:
        return None
    if max_price is not None and quote.total > max_price * quote.nights:
        return None
    return quote


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
    """Rooms for sale, fitting `guests`, bookable under their rules and priced within the range,
    with none of their nights taken.

    Two round trips: the candidates (one index Query; the rules come on the room items),
    then the taken nights of the stays that still have a fitting room (one consistent
    Query per stay, in parallel). Pricing is pure: no read per room or per night.
    A stay whose own today is after `check_in` is left out: the date is past there.
    """
    _check_dates(query, now)
    fitting: dict[str, tuple[Stay, list[tuple[Room, rates.Quote]]]] = {}
    for candidate in candidates(query.city, query.stay_type).values():
        stay = candidate.stay
        if query.check_in < rules.today_in(stay.timezone, now):
            continue
        priced = ((room, _priced(room, query, min_price, max_price)) for room in candidate.rooms)
        rooms = [(room, quote) for room, quote in priced if quote is not None]
        if rooms:
            fitting[stay.id] = (stay, rooms)
    taken = taken_nights(list(fitting), query.check_in, query.check_out)
    free = []
    for stay_id, (stay, rooms) in fitting.items():
        busy = {room_id for _, room_id in taken[stay_id]}
        free += [FreeRoom(stay, room, quote) for room, quote in rooms if room.id not in busy]
    return free


def stay_cards(free: list[FreeRoom]) -> list[StayCard]:
    by_stay: dict[str, list[FreeRoom]] = {}
    for item in free:
        by_stay.setdefault(item.stay.id, []).append(item)
    return [StayCard.of(items[0].stay, [item.quote for item in items]) for items in by_stay.values()]


def _scope(kind: str, query: AvailabilityQuery) -> str:
    """What a cursor belongs to: the query, less where it is and how long a page is."""
    asked = query.model_dump(mode="json", exclude={"cursor", "limit"})
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:32]
    return f"{kind}:{digest}"


def search_stays(query: StaySearchQuery) -> tuple[list[StayCard], str | None]:
    """Stay cards with at least one free room, cheapest first or dearest first by their
    lowest free total for the dates (cheapest first when no sort is asked), or best rated first, paginated."""
    free = free_rooms(query, clock.utcnow(), min_price=query.min_price, max_price=query.max_price)
    sign = -1 if query.sort == "price_desc" else 1

    def key(card: StayCard) -> SortKey:
        if query.sort == "rating_desc":  # best rated first, unrated last; then cheapest, then id
            price = f"{card.min_total_price:0{_PRICE_WIDTH}.{MAX_MINOR_UNIT}f}"
            return best_first(card.average_rating), f"{price}#{card.id}"
        return sign * card.min_total_price, card.id

    scope = _scope("search-stays", query)
    return keyset_page(stay_cards(free), key, limit=query.limit, cursor=query.cursor, scope=scope)


def available_rooms(query: AvailabilityQuery) -> tuple[list[AvailableRoom], str | None]:
    """Free rooms, cheapest total for the dates first, paginated."""

    def key(item: FreeRoom) -> SortKey:
        return item.quote.total, item.room.id

    scope = _scope("available-rooms", query)
    free, next_cursor = keyset_page(
        free_rooms(query, clock.utcnow()), key, limit=query.limit, cursor=query.cursor, scope=scope
    )
    return [AvailableRoom.of(item.stay, item.room, item.quote) for item in free], next_cursor

"""The search use cases: which rooms are free for `[check_in, check_out)`, and the stay cards.

Validates the dates, then runs the threshold walk of `services/search_walk.py` over the
index of stays that matches the sort: by floor price (`price_asc`, available rooms), by
ceiling price (`price_desc`), by rating rank then floor (`rating_desc`). See the README's
search section for what a page costs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from chalicelib import clock
from chalicelib.domain import bookings as rules
from chalicelib.domain import cursors, rates
from chalicelib.domain.listings import STAY_TYPES, city_key
from chalicelib.errors import Invalid
from chalicelib.models.listings import Room, Stay
from chalicelib.models.search_index import (
    price_index_pk,
    rating_index_pk,
    rating_rank,
    read_price_position,
    read_rating_position,
)
from chalicelib.schemas.search import AvailabilityQuery, AvailableRoom, StayCard, StaySearchQuery
from chalicelib.search.access import Entry, StayRead
from chalicelib.services.search_walk import LOWEST, Found, Key, Plan, State, run
from chalicelib.settings import get_settings

# The date line's western side (UTC-12) is the last place where a date is still today:
# a check-in before today there is in the past everywhere.
LAST_TIME_ZONE = "Etc/GMT+12"
ZERO = Decimal(0)
T = TypeVar("T")


@dataclass(frozen=True)
class FreeRoom:
    stay: Stay
    room: Room
    priced: rates.Quote


def _priced(room: Room, check_in: date, check_out: date) -> rates.Quote | None:
    """The room's quote for these nights under its rules, or None when they refuse them: the one
    place the search prices a room (its stay's `floor_price` and `ceiling_price` bound every
    nightly price)."""
    quote = rates.quote(room, check_in, check_out)
    return quote if quote.bookable else None


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


def _fits(guests: int) -> Callable[[Entry], bool]:
    def fits(entry: Entry) -> bool:
        return entry.max_guests >= guests

    return fits


def _free(read: StayRead, query: AvailabilityQuery, now: datetime) -> list[FreeRoom]:
    """The stay's rooms for sale, sleeping `guests`, with no night taken, priced, in the range.
    A stay whose own today is after `check_in` has none: the date is past there."""
    stay = read.stay
    if query.check_in < rules.today_in(stay.timezone, now):
        return []
    nights = len(rules.nights_of(query.check_in, query.check_out))
    low = getattr(query, "min_price", None)
    high = getattr(query, "max_price", None)
    free = []
    for room in read.rooms:
        if not room.for_sale(now) or room.max_guest_per_room < query.guests or room.id in read.taken:
            continue
        priced = _priced(room, query.check_in, query.check_out)
        # `min_price` / `max_price` bound total / nights; compared as total vs bound x nights, exactly.
        if priced is None or (low is not None and priced.total < low * nights):
            continue
        if high is None or priced.total <= high * nights:
            free.append(FreeRoom(stay, room, priced))
    return free


def _partitions(query: AvailabilityQuery, rated: bool) -> list[str]:
    types = [query.stay_type] if query.stay_type else list(STAY_TYPES)
    pk = rating_index_pk if rated else price_index_pk
    return [pk(stay_type, query.city) for stay_type in types]


def _price_bound(nights: int, *, descending: bool) -> Callable[[str], Key]:
    """The least key (total, 0, id) of a stay's results from this position of the floor (or
    ceiling, negated) index on: nights x its price bound, ties after its stay id."""

    def bound(position: str) -> Key:
        if not position:
            return LOWEST, LOWEST, ""
        at = read_price_position(position, descending=descending)
        return (-nights * at.price if descending else nights * at.price), ZERO, at.stay_id

    return bound


def _rating_bound(nights: int) -> Callable[[str], Key]:
    """The least key (rank, total, id) from this position of the rating index on."""

    def bound(position: str) -> Key:
        if not position:
            return LOWEST, LOWEST, ""
        at = read_rating_position(position)
        return at.rank, nights * at.price, at.stay_id

    return bound


def _past_price(query: StaySearchQuery, *, descending: bool) -> Callable[[str], bool]:
    """Whether no stay from this position on has a room in the price range."""

    def beyond(position: str) -> bool:
        if not position:
            return False
        price = read_price_position(position, descending=descending).price
        if descending:
            return query.min_price is not None and price < query.min_price
        return query.max_price is not None and price > query.max_price

    return beyond


def _card_plan(query: StaySearchQuery, now: datetime) -> Plan[StayCard]:
    nights = len(rules.nights_of(query.check_in, query.check_out))
    descending, rated = query.sort == "price_desc", query.sort == "rating_desc"

    def results(read: StayRead) -> list[Found[StayCard]]:
        free = _free(read, query, now)
        if not free:
            return []
        cheapest = min(item.priced.total for item in free)
        stay = read.stay
        if rated:
            # The stay's exact rank, as the rating index writes it (the index's may be too high).
            key: Key = (Decimal(rating_rank(stay.average_rating)), cheapest, stay.id)
        else:
            key = (-cheapest if descending else cheapest, ZERO, stay.id)
        return [Found(key, stay.id, StayCard.of(stay, [item.priced for item in free]))]

    return Plan(
        order="rating" if rated else "ceiling" if descending else "floor",
        partitions=_partitions(query, rated),
        bound=_rating_bound(nights) if rated else _price_bound(nights, descending=descending),
        fits=_fits(query.guests),
        beyond=(lambda position: False) if rated else _past_price(query, descending=descending),
        results=results,
    )


def _room_plan(query: AvailabilityQuery, now: datetime) -> Plan[AvailableRoom]:
    nights = len(rules.nights_of(query.check_in, query.check_out))

    def results(read: StayRead) -> list[Found[AvailableRoom]]:
        return [
            Found(
                (item.priced.total, ZERO, item.room.id),
                read.stay.id,
                AvailableRoom.of(item.stay, item.room, item.priced),
            )
            for item in _free(read, query, now)
        ]

    return Plan(
        order="floor",
        partitions=_partitions(query, rated=False),
        bound=_price_bound(nights, descending=False),
        fits=_fits(query.guests),
        beyond=lambda position: False,
        results=results,
    )


# The walk's cursor format: a cursor of another one (an earlier release's) is a 400, not misread.
_CURSOR_FORMAT = 2


def _scope(kind: str, query: AvailabilityQuery) -> str:
    """What a cursor belongs to: what the query means (its city as the index keys it, its prices
    as numbers, so `city=DHAKA` or `max_price=100.00` resumes a page of `city=Dhaka&max_price=100`),
    less where it is and how long a page is."""
    asked = query.model_dump(mode="json", exclude={"cursor", "limit"})
    if query.city is not None:
        asked["city"] = city_key(query.city)
    for bound in ("min_price", "max_price"):
        if asked.get(bound) is not None:
            asked[bound] = str(getattr(query, bound).normalize())
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:32]
    return f"{kind}:{_CURSOR_FORMAT}:{digest}"


def _key(claim: list[str]) -> Key:
    return Decimal(claim[0]), Decimal(claim[1]), claim[2]


def _key_of(claim: list[str] | None) -> Key | None:
    return _key(claim) if claim else None


def _claim(key: Key) -> list[str]:
    return [str(key[0]), str(key[1]), key[2]]


def _claim_of(key: Key | None) -> list[str] | None:
    return _claim(key) if key else None


def _state(cursor: str | None, scope: str) -> State:
    if not cursor:
        return State()
    claims = cursors.decode(cursor, scope=scope, key=get_settings().signing_key)
    carry = [(held[0], _key(held[1:])) for held in claims["c"]]
    return State(claims.get("p"), _key_of(claims.get("a")), carry, _key_of(claims.get("l")))


def _cursor(state: State | None, scope: str) -> str | None:
    if state is None:
        return None
    carry = [[stay_id, *_claim(key)] for stay_id, key in state.carry]
    claims = {"p": state.position, "a": _claim_of(state.after), "c": carry, "l": _claim_of(state.lost)}
    return cursors.encode(claims, scope=scope, key=get_settings().signing_key)


def _walk(kind: str, query: AvailabilityQuery, plan: Callable[[datetime], Plan[T]]) -> tuple[list[T], str | None]:
    """One page of the walk `plan` for the query's dates, resumed from its cursor."""
    now = clock.utcnow()
    _check_dates(query, now)
    scope = _scope(kind, query)
    found, state = run(
        plan(now), _state(query.cursor, scope), limit=query.limit, check_in=query.check_in, check_out=query.check_out
    )
    return found, _cursor(state, scope)


def search_stays(query: StaySearchQuery) -> tuple[list[StayCard], str | None]:
    """Stay cards with at least one free room, in the asked order, one page of the walk.
    A page may hold fewer than `limit` cards while `next_cursor` is not null."""
    return _walk("search-stays", query, lambda now: _card_plan(query, now))


def available_rooms(query: AvailabilityQuery) -> tuple[list[AvailableRoom], str | None]:
    """Free rooms, cheapest total first (then by room id), one page of the walk."""
    return _walk("available-rooms", query, lambda now: _room_plan(query, now))

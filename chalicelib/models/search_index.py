"""The search indexes' keys: where a room or a stay sits in the walk that a page of search reads.

Each index partition is one city and stay type (`CITY#<city key>#<type>`) or one stay type
(`TYPE#<type>`); a search of a city alone, or of nothing, merges the three types' partitions.

- gsi2 / gsi3, rooms: sort key `<floor price>#<stay id>#<room id>`. The floor price is the
  least nightly price the room can ever have, so a room's total for any dates is at least
  nights x floor: walked in this order, the index bounds from below every room not yet read.
- gsi4 / gsi5, rooms: sort key `<ceiling complement>#<stay id>#<room id>`, the ceiling being the
  most a night can ever cost; walked forwards it is dearest first and bounds from above.
- gsi2 / gsi3, stays, partition suffixed `#RATED`: sort key `<rating rank>#<stay id>`, best
  average first and unrated last, so `rating_desc` walks stays the same way.

Prices are written fixed-width (13 integer digits, 4 decimals), so that string order is
numeric order; ids are fixed-width too, so the sort key orders as (price, stay id, room id).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.listings import city_key

_QUANTUM = Decimal("0.0001")
# Prices are below 10**13; their complement against the largest fixed-width value keeps its width.
_TOP = Decimal(10) ** 13 - _QUANTUM
# The rating rank is 100 - 10 x average (one decimal): 50 is 5.0, 90 is 1.0. Unrated stays
# rank last; UNSETTLED ranks first, above any average (see `Stay.rating_rank`).
UNRATED_RANK = "999"
UNSETTLED_RANK = "000"


_CITY = "CITY#"


def price_index_pk(stay_type: str, city: str | None) -> str:
    return f"{_CITY}{city_key(city)}#{stay_type}" if city is not None else f"TYPE#{stay_type}"


def is_city_partition(pk: str) -> bool:
    """Whether a search partition is a city's (on gsi2 / gsi4) rather than a stay type's (gsi3 / gsi5)."""
    return pk.startswith(_CITY)


def rating_index_pk(stay_type: str, city: str | None) -> str:
    return f"{price_index_pk(stay_type, city)}#RATED"


def _fixed(value: Decimal) -> str:
    return format(Decimal(value).quantize(_QUANTUM), "018.4f")


def floor_position(floor_price: Decimal, stay_id: str, room_id: str) -> str:
    return f"{_fixed(floor_price)}#{stay_id}#{room_id}"


def ceiling_position(ceiling_price: Decimal, stay_id: str, room_id: str) -> str:
    return f"{_fixed(_TOP - Decimal(ceiling_price))}#{stay_id}#{room_id}"


def rating_rank(average: Decimal | None) -> str:
    return UNRATED_RANK if average is None else f"{int(100 - average * 10):03d}"


def rating_position(rank: str, stay_id: str) -> str:
    return f"{rank}#{stay_id}"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a search index: its sort key read back as (value, stay id, room id)."""

    value: Decimal
    stay_id: str
    room_id: str


def read_price_position(sort_key: str, *, descending: bool) -> Position:
    """The nightly price bound and the ids of a price index sort key."""
    value, stay_id, room_id = sort_key.split("#")
    price = _TOP - Decimal(value) if descending else Decimal(value)
    return Position(price, stay_id, room_id)


def read_rating_position(sort_key: str) -> Position:
    """The rank (as a number, lower is better) and the stay id of a rating index sort key."""
    rank, stay_id = sort_key.split("#")
    return Position(Decimal(rank), stay_id, "")

"""The search indexes' keys: where a stay sits in the walk that a page of search reads.

Each index partition is one city and stay type (`CITY#<city key>#<type>`) or one stay type
(`TYPE#<type>`); a search of a city alone, or of nothing, merges the three types' partitions.
Only stays have entries, one per index, so a walk meets each stay once; a stay with no room
has none. The stay carries what bounds its rooms (`Stay.summarize`):

- gsi6 / gsi7, sort key `<floor>#<stay id>`: the floor is the least nightly price any of its
  rooms can ever have, so any of its rooms costs at least nights x floor for any dates;
  walked in this order, the index bounds from below every stay not yet read.
- gsi4 / gsi5, sort key `<ceiling complement>#<stay id>`: the ceiling is the most a night of
  any of its rooms can cost; walked forwards it is dearest first and bounds from above.
- gsi2 / gsi3, partition suffixed `#RATED`, sort key `<rating rank>#<floor>#<stay id>`: best
  average first, unrated last, and within a rank cheapest floor first, which is the order
  of `rating_desc` (by rating, then cheapest first), bounded the same way.

Prices are written fixed-width (13 integer digits, 4 decimals), so that string order is
numeric order; ids are fixed-width too, so a sort key orders as its values do.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.listings import city_key

_QUANTUM = Decimal("0.0001")
# Prices are below 10**13; their complement against the largest fixed-width value keeps its width.
_TOP = Decimal(10) ** 13 - _QUANTUM
# The rating rank is 100 - 10 x average (one decimal): 50 is 5.0, 90 is 1.0. Unrated stays
# rank last; UNSETTLED ranks first, above any average (see `Stay.unsettled_rating_actions`).
UNRATED_RANK = "999"
UNSETTLED_RANK = "000"


_CITY = "CITY#"


def price_index_pk(stay_type: str, city: str | None) -> str:
    return f"{_CITY}{city_key(city)}#{stay_type}" if city is not None else f"TYPE#{stay_type}"


def is_city_partition(pk: str) -> bool:
    """Whether a search partition is a city's (gsi2 / gsi4 / gsi6) or a stay type's (gsi3 / gsi5 / gsi7)."""
    return pk.startswith(_CITY)


def rating_index_pk(stay_type: str, city: str | None) -> str:
    return f"{price_index_pk(stay_type, city)}#RATED"


def _fixed(value: Decimal) -> str:
    return format(Decimal(value).quantize(_QUANTUM), "018.4f")


def floor_position(floor_price: Decimal, stay_id: str) -> str:
    return f"{_fixed(floor_price)}#{stay_id}"


def ceiling_position(ceiling_price: Decimal, stay_id: str) -> str:
    return f"{_fixed(_TOP - Decimal(ceiling_price))}#{stay_id}"


def rating_rank(average: Decimal | None) -> str:
    return UNRATED_RANK if average is None else f"{int(100 - average * 10):03d}"


def rating_position(rank: str, floor_price: Decimal, stay_id: str) -> str:
    return f"{rank}#{floor_position(floor_price, stay_id)}"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a search index read back: its rank (rating index only), its nightly price
    bound and its stay id."""

    rank: Decimal
    price: Decimal
    stay_id: str


def read_price_position(sort_key: str, *, descending: bool) -> Position:
    """The nightly price bound and the stay id of a floor or ceiling index sort key."""
    value, stay_id = sort_key.split("#")
    return Position(Decimal(0), _TOP - Decimal(value) if descending else Decimal(value), stay_id)


def read_rating_position(sort_key: str) -> Position:
    """The rank (as a number, lower is better), the floor and the stay id of a rating index sort key."""
    rank, floor, stay_id = sort_key.split("#")
    return Position(Decimal(rank), Decimal(floor), stay_id)

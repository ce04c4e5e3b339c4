"""Rates and restrictions: what a room costs and allows on each date, as pure functions.

A room has a base price and an ordered list of rules. Each rule covers the dates
`[from_date, to_date)` (on some weekdays only, or all) and sets any of a nightly price,
`min_stay`, `max_stay`, `closed_to_arrival`, `closed_to_departure` and `closed`
(stop-sell). For each date, each setting comes from the LAST rule covering the date
that sets it (a later rule is the more specific one, as in Channex's and Apaleo's
restriction updates); without one, the base price and no restriction.

`min_stay`/`max_stay` are those of the arrival date (Channex's `min_stay_arrival`);
`closed_to_departure` is looked up on the check-out date, which is not a night of the stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

SETTINGS = ("price_per_night", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "closed")
MAX_RULES = 100
MAX_RULE_DAYS = 400


@dataclass(frozen=True)
class Rule:
    from_date: date
    to_date: date
    weekdays: frozenset[int] | None = None
    price_per_night: Decimal | None = None
    min_stay: int | None = None
    max_stay: int | None = None
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None
    closed: bool | None = None

    def covers(self, day: date) -> bool:
        return self.from_date <= day < self.to_date and (self.weekdays is None or day.isoweekday() in self.weekdays)

    def overlaps(self, first: date, last: date) -> bool:
        """Whether it covers any date of `first..last` (inclusive), weekdays aside."""
        return self.from_date <= last and first < self.to_date


@dataclass(frozen=True)
class Night:
    """The settings in force on one date."""

    date: date
    price: Decimal
    min_stay: int | None = None
    max_stay: int | None = None
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    closed: bool = False


@dataclass(frozen=True)
class Violation:
    date: date
    restriction: str
    limit: int | None = None


@dataclass(frozen=True)
class Quote:
    """A stay priced under the rules: one price per night, their exact sum, and what the rules
    refuse about it (nothing when it is bookable)."""

    nightly_prices: list[tuple[date, Decimal]]
    total: Decimal
    violations: list[Violation]

    @property
    def bookable(self) -> bool:
        return not self.violations

    @property
    def nights(self) -> int:
        return len(self.nightly_prices)


class RatedRoom(Protocol):
    """What pricing needs of a room (the Room model is one)."""

    @property
    def price_per_night(self) -> Decimal: ...

    def rate_rules(self) -> list[Rule]: ...


def night(rules: Sequence[Rule], base: Decimal, day: date) -> Night:
    """The price and restrictions of `day`: each setting from the last covering rule that sets it."""
    covering = [rule for rule in rules if rule.covers(day)]

    def last(name: str) -> Any:
        return next((getattr(r, name) for r in reversed(covering) if getattr(r, name) is not None), None)

    price = last("price_per_night")
    return Night(
        day,
        base if price is None else price,
        min_stay=last("min_stay"),
        max_stay=last("max_stay"),
        closed_to_arrival=bool(last("closed_to_arrival")),
        closed_to_departure=bool(last("closed_to_departure")),
        closed=bool(last("closed")),
    )


def nights_between(rules: Sequence[Rule], base: Decimal, first: date, end: date) -> list[Night]:
    """`night` for every date of `[first, end)`, looking only at the rules that reach the span."""
    if first >= end:
        return []
    near = [rule for rule in rules if rule.overlaps(first, end - timedelta(days=1))]
    return [night(near, base, first + timedelta(days=n)) for n in range((end - first).days)]


def nightly_prices(rules: Sequence[Rule], base: Decimal, check_in: date, check_out: date) -> list[tuple[date, Decimal]]:
    return [(n.date, n.price) for n in nights_between(rules, base, check_in, check_out)]


def _violations_of(nights: list[Night], departure: Night) -> list[Violation]:
    arrival, length = nights[0], len(nights)
    found = [Violation(n.date, "closed") for n in nights if n.closed]
    if arrival.closed_to_arrival:
        found.append(Violation(arrival.date, "closed_to_arrival"))
    if departure.closed_to_departure:
        found.append(Violation(departure.date, "closed_to_departure"))
    if arrival.min_stay is not None and length < arrival.min_stay:
        found.append(Violation(arrival.date, "min_stay", arrival.min_stay))
    if arrival.max_stay is not None and length > arrival.max_stay:
        found.append(Violation(arrival.date, "max_stay", arrival.max_stay))
    return found


def violations(rules: Sequence[Rule], check_in: date, check_out: date) -> list[Violation]:
    """What the rules refuse about the stay `[check_in, check_out)`; empty when it is bookable."""
    days = nights_between(rules, Decimal(0), check_in, check_out + timedelta(days=1))
    return _violations_of(days[:-1], days[-1]) if len(days) > 1 else []


def quote(room: RatedRoom, check_in: date, check_out: date) -> Quote:
    """The room priced for `[check_in, check_out)` (with `check_in < check_out`), in one pass
    over the rules that reach those dates."""
    days = nights_between(room.rate_rules(), room.price_per_night, check_in, check_out + timedelta(days=1))
    stay, departure = days[:-1], days[-1]
    prices = [(n.date, n.price) for n in stay]
    return Quote(prices, sum((price for _, price in prices), Decimal(0)), _violations_of(stay, departure))


def floor_price(rules: Sequence[Rule], base: Decimal) -> Decimal:
    """The least nightly price the room can ever have: a lower bound for any dates."""
    return min([base, *(rule.price_per_night for rule in rules if rule.price_per_night is not None)])


def ceiling_price(rules: Sequence[Rule], base: Decimal) -> Decimal:
    """The most one night of the room can ever cost: an upper bound for any dates."""
    return max([base, *(rule.price_per_night for rule in rules if rule.price_per_night is not None)])

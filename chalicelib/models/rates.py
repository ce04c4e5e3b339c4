"""A room's rate rules, stored on the room item itself (`Room.rules`).

Living on the room, the rules come with every read of it: the booking's BatchGetItem and
the stay partition Query (the stay page, the calendar, each stay the search reaches). A
rules change saves the room under its version, which is what the booking transaction's
ConditionCheck sees, and its stay with the bounds the rules give (`Stay.summarize`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.rates import Rule
from chalicelib.models.attributes import DecimalAttribute


class NightPrice(MapAttribute[str, object]):
    """One night of a booking and its price, as the rules gave it when the booking was made."""

    date = UnicodeAttribute()
    price = DecimalAttribute()

    @classmethod
    def listed(cls, prices: list[tuple[dt.date, Decimal]]) -> list[NightPrice]:
        return [cls(date=day.isoformat(), price=price) for day, price in prices]


class RateRule(MapAttribute[str, object]):
    from_date = UnicodeAttribute()
    to_date = UnicodeAttribute()
    weekdays = ListAttribute(of=NumberAttribute, null=True)
    price_per_night = DecimalAttribute(null=True)
    min_stay = NumberAttribute(null=True)
    max_stay = NumberAttribute(null=True)
    closed_to_arrival = BooleanAttribute(null=True)
    closed_to_departure = BooleanAttribute(null=True)
    closed = BooleanAttribute(null=True)

    @classmethod
    def of(cls, rule: Rule) -> RateRule:
        return cls(
            from_date=rule.from_date.isoformat(),
            to_date=rule.to_date.isoformat(),
            weekdays=sorted(rule.weekdays) if rule.weekdays is not None else None,
            price_per_night=rule.price_per_night,
            min_stay=rule.min_stay,
            max_stay=rule.max_stay,
            closed_to_arrival=rule.closed_to_arrival,
            closed_to_departure=rule.closed_to_departure,
            closed=rule.closed,
        )

    def to_rule(self) -> Rule:
        return Rule(
            from_date=dt.date.fromisoformat(self.from_date),
            to_date=dt.date.fromisoformat(self.to_date),
            weekdays=frozenset(int(cast(float, d)) for d in self.weekdays) if self.weekdays is not None else None,
            price_per_night=self.price_per_night,
            min_stay=int(self.min_stay) if self.min_stay is not None else None,
            max_stay=int(self.max_stay) if self.max_stay is not None else None,
            closed_to_arrival=self.closed_to_arrival,
            closed_to_departure=self.closed_to_departure,
            closed=self.closed,
        )

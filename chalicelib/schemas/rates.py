"""Bodies of the rates and calendar routes."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from chalicelib.domain import rates
from chalicelib.schemas.common import Money, Out, Query, Strict
from chalicelib.schemas.listings import MoneyOut

if TYPE_CHECKING:
    from chalicelib.models.listings import Room

Weekday = Annotated[int, Field(ge=1, le=7)]
Nights = Annotated[int, Field(ge=1)]  # the upper bound, MAX_NIGHTS, is a setting: checked by the service
MAX_CALENDAR_NIGHTS = 62


class RuleIn(Strict):
    """One rule: dates `[from, to)`, optional weekdays (1 = Monday ... 7 = Sunday), and at least one setting."""

    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")
    weekdays: Annotated[list[Weekday], Field(min_length=1, max_length=7)] | None = None
    price_per_night: Money | None = None
    min_stay: Nights | None = None
    max_stay: Nights | None = None
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None
    closed: bool | None = None

    @field_validator("to_date")
    @classmethod
    def _span(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("from_date")
        if start is not None and value <= start:
            raise ValueError("must be after from")
        if start is not None and value - start > timedelta(days=rates.MAX_RULE_DAYS):
            raise ValueError(f"a rule spans at most {rates.MAX_RULE_DAYS} days")
        return value

    @field_validator("weekdays")
    @classmethod
    def _distinct(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("must not repeat a weekday")
        return value

    @field_validator("max_stay")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        least = info.data.get("min_stay")
        if value is not None and least is not None and value < least:
            raise ValueError("must not be less than min_stay")
        return value

    @model_validator(mode="after")
    def _sets_something(self) -> Self:
        if all(getattr(self, name) is None for name in rates.SETTINGS):
            raise ValueError(f"a rule sets at least one of {', '.join(rates.SETTINGS)}")
        return self

    def to_rule(self) -> rates.Rule:
        fields: dict[str, Any] = self.model_dump(exclude={"weekdays"})
        weekdays = frozenset(self.weekdays) if self.weekdays is not None else None
        return rates.Rule(weekdays=weekdays, **fields)


class RatesIn(Strict):
    rules: Annotated[list[RuleIn], Field(max_length=rates.MAX_RULES)]


class RuleOut(Out):
    model_config = ConfigDict(serialize_by_alias=True)

    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    weekdays: list[int] | None
    price_per_night: MoneyOut | None
    min_stay: int | None
    max_stay: int | None
    closed_to_arrival: bool | None
    closed_to_departure: bool | None
    closed: bool | None

    @classmethod
    def of(cls, rule: rates.Rule) -> RuleOut:
        fields = {name: getattr(rule, name) for name in ("from_date", "to_date", *rates.SETTINGS)}
        weekdays = sorted(rule.weekdays) if rule.weekdays is not None else None
        return cls(weekdays=weekdays, **fields)


class RatesOut(Out):
    room_id: str
    currency: str
    base_price_per_night: MoneyOut
    rules: list[RuleOut]

    @classmethod
    def of(cls, room: Room) -> RatesOut:
        return cls(
            room_id=room.id,
            currency=room.currency,
            base_price_per_night=room.price_per_night,
            rules=[RuleOut.of(rule) for rule in room.rate_rules()],
        )


class CalendarQuery(Query):
    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")

    @field_validator("to_date")
    @classmethod
    def _span(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("from_date")
        if start is not None and not 1 <= (value - start).days <= MAX_CALENDAR_NIGHTS:
            raise ValueError(f"must be 1 to {MAX_CALENDAR_NIGHTS} nights after from")
        return value


class CalendarNight(Out):
    date: date
    price: MoneyOut
    available: bool
    min_stay: int | None
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool
    closed: bool

    @classmethod
    def of(cls, night: rates.Night, available: bool) -> CalendarNight:
        settings = {name: getattr(night, name) for name in ("date", "price", *rates.SETTINGS[1:])}
        return cls(available=available, **settings)


class CalendarRoom(Out):
    room_id: str
    room_name: str
    room_type: str
    max_guest_per_room: int
    nights: list[CalendarNight]

    @classmethod
    def of(cls, room: Room, nights: list[tuple[rates.Night, bool]]) -> CalendarRoom:
        return cls(
            room_id=room.id,
            room_name=room.room_name,
            room_type=room.room_type,
            max_guest_per_room=room.max_guest_per_room,
            nights=[CalendarNight.of(night, available) for night, available in nights],
        )


class CalendarOut(Out):
    model_config = ConfigDict(serialize_by_alias=True)

    stay_id: str
    currency: str
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    rooms: list[CalendarRoom]


class NightlyPrice(Out):
    date: date
    price: MoneyOut

    @classmethod
    def listed(cls, prices: list[tuple[dt.date, Decimal]]) -> list[NightlyPrice]:
        return [cls(date=day, price=price) for day, price in prices]

"""Queries and answers of the availability and stay search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AliasChoices, Field, model_validator

from chalicelib.domain.money import MAX_MINOR_UNIT
from chalicelib.schemas.common import Name, Out, PageQuery
from chalicelib.schemas.listings import MoneyOut, RoomOut, StayType

if TYPE_CHECKING:
    from chalicelib.models.listings import Room, Stay

# A filter over stays in several currencies: bounded by the finest minor unit there is.
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=MAX_MINOR_UNIT, allow_inf_nan=False)]


class AvailabilityQuery(PageQuery):
    check_in: date
    check_out: date
    # The seed app called the stay type `room_type`; both names are accepted.
    stay_type: StayType | None = Field(None, validation_alias=AliasChoices("stay_type", "room_type"))
    city: Name | None = None
    guests: Annotated[int, Field(ge=1, le=50)] = 1


class StaySearchQuery(AvailabilityQuery):
    min_price: Price | None = None
    max_price: Price | None = None
    sort: Literal["price_asc", "price_desc"] | None = None

    @model_validator(mode="after")
    def _price_range(self) -> StaySearchQuery:
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise ValueError("min_price must not exceed max_price")
        return self


class StayCard(Out):
    id: str
    type: StayType
    name: str
    city: str
    country: str
    currency: str
    min_price_per_night: MoneyOut
    max_price_per_night: MoneyOut
    available_room_count: int

    @classmethod
    def of(cls, stay: Stay, free_rooms: list[Room]) -> StayCard:
        """The card of a stay with these free rooms."""
        prices = [room.price_per_night for room in free_rooms]
        return cls(
            id=stay.id,
            type=stay.stay_type,
            name=stay.name,
            city=stay.city,
            country=stay.country,
            currency=stay.currency,
            min_price_per_night=min(prices),
            max_price_per_night=max(prices),
            available_room_count=len(free_rooms),
        )


class StayBrief(Out):
    id: str
    name: str
    city: str
    country: str


class AvailableRoom(RoomOut):
    stay_type: StayType
    stay: StayBrief

    @classmethod
    def of(cls, stay: Stay, room: Room) -> AvailableRoom:
        return cls(
            **RoomOut.model_validate(room).model_dump(), stay_type=stay.stay_type, stay=StayBrief.model_validate(stay)
        )

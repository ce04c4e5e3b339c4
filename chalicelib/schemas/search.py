"""Queries and answers of the availability and stay search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AliasChoices, Field, model_validator

from chalicelib.domain import rates
from chalicelib.domain.money import MAX_MINOR_UNIT, round_to_minor_unit
from chalicelib.schemas.common import Out, PageQuery, RatingOut
from chalicelib.schemas.listings import MoneyOut, RoomOut, StayType
from chalicelib.schemas.policies import PolicyOut
from chalicelib.schemas.rates import NightlyPrice
from chalicelib.schemas.text import Name

if TYPE_CHECKING:
    from chalicelib.models.listings import Room, Stay

# A filter over stays in several currencies: bounded by the finest minor unit there is.
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=MAX_MINOR_UNIT, allow_inf_nan=False)]


SHORT_PAGES = (
    "The `next_cursor` of the previous page. One request reads at most a fixed budget, so a page "
    "may hold fewer than `limit` items (even none) while `next_cursor` is not null: follow it "
    "until it is null to see every result."
)


class AvailabilityQuery(PageQuery):
    # A search cursor also carries the few stays already read that the next page still owes.
    cursor: Annotated[str, Field(min_length=1, max_length=4096)] | None = Field(None, description=SHORT_PAGES)
    check_in: date
    check_out: date
    # The seed app called the stay type `room_type`; both names are accepted.
    stay_type: StayType | None = Field(None, validation_alias=AliasChoices("stay_type", "room_type"))
    city: Name | None = None
    guests: Annotated[int, Field(ge=1, le=50)] = 1


class StaySearchQuery(AvailabilityQuery):
    min_price: Price | None = None
    max_price: Price | None = None
    sort: Literal["price_asc", "price_desc", "rating_desc"] = "price_asc"

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
    nights: int
    min_total_price: MoneyOut
    max_total_price: MoneyOut
    cancellation_policy: PolicyOut
    average_rating: RatingOut
    review_count: int

    @classmethod
    def of(cls, stay: Stay, free_rooms: list[rates.Quote]) -> StayCard:
        """The card of a stay whose free rooms are priced so for the dates. Per night is
        total / nights, rounded half-even to the currency's minor unit."""
        totals = [quote.total for quote in free_rooms]
        nights = free_rooms[0].nights
        least, most = min(totals), max(totals)
        return cls(
            id=stay.id,
            type=stay.stay_type,
            name=stay.name,
            city=stay.city,
            country=stay.country,
            currency=stay.currency,
            min_price_per_night=round_to_minor_unit(least / nights, stay.currency),
            max_price_per_night=round_to_minor_unit(most / nights, stay.currency),
            available_room_count=len(free_rooms),
            nights=nights,
            min_total_price=least,
            max_total_price=most,
            cancellation_policy=PolicyOut.model_validate(stay.cancellation_policy),
            average_rating=stay.average_rating,
            review_count=stay.review_count,
        )


class StayBrief(Out):
    id: str
    name: str
    city: str
    country: str
    cancellation_policy: PolicyOut


class AvailableRoom(RoomOut):
    stay_type: StayType
    stay: StayBrief
    total_price: MoneyOut
    nightly_prices: list[NightlyPrice]

    @classmethod
    def of(cls, stay: Stay, room: Room, quote: rates.Quote) -> AvailableRoom:
        return cls(
            **RoomOut.model_validate(room).model_dump(),
            stay_type=stay.stay_type,
            stay=StayBrief.model_validate(stay),
            total_price=quote.total,
            nightly_prices=NightlyPrice.listed(quote.nightly_prices),
        )

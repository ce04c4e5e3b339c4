"""Bodies of the booking routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypeAliasType

from chalicelib.schemas.common import Out, PageQuery, Strict
from chalicelib.schemas.listings import MoneyOut, StayType
from chalicelib.schemas.rates import NightlyPrice

BookingStatus = TypeAliasType("BookingStatus", Literal["PENDING", "CONFIRMED", "CANCELLED", "COMPLETED"])
CancellationReason = TypeAliasType(
    "CancellationReason", Literal["CANCELLED_BY_GUEST", "REJECTED_BY_PROVIDER", "EXPIRED"]
)


class BookingCreate(Strict):
    stay_type: StayType
    room_id: Annotated[str, Field(min_length=1, max_length=200)]
    check_in: date
    check_out: date
    guests: Annotated[int, Field(ge=1, le=50)]
    note: Annotated[str, Field(max_length=500)] | None = None


class BookingListQuery(PageQuery):
    status: BookingStatus | None = None


class GuestSummary(Out):
    id: str
    full_name: str
    email: str
    phone: str | None


class ProviderSummary(Out):
    id: str
    business_name: str
    business_phone: str


class RoomSummary(Out):
    id: str
    room_name: str
    room_type: str
    price_per_night: MoneyOut
    max_guest_per_room: int


class StaySummary(Out):
    id: str
    type: StayType
    name: str
    address: str
    city: str
    country: str


class BookingDetail(Out):
    id: str
    status: BookingStatus
    check_in: date
    check_out: date
    nights: int
    guests: int
    price_per_night: MoneyOut
    nightly_prices: list[NightlyPrice]
    total_price: MoneyOut
    currency: str
    note: str | None
    created_at: datetime
    updated_at: datetime
    cancellation_reason: CancellationReason | None
    guest: GuestSummary
    provider: ProviderSummary
    room: RoomSummary
    stay: StaySummary

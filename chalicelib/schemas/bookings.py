"""Bodies of the booking routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypeAliasType

from chalicelib.schemas.common import Out, PageQuery, Strict
from chalicelib.schemas.listings import MoneyOut, StayType
from chalicelib.schemas.policies import BookingPolicyOut
from chalicelib.schemas.rates import NightlyPrice
from chalicelib.schemas.text import nfc

BookingStatus = TypeAliasType("BookingStatus", Literal["PENDING", "CONFIRMED", "CANCELLED", "COMPLETED"])
CancellationReason = TypeAliasType(
    "CancellationReason", Literal["CANCELLED_BY_GUEST", "REJECTED_BY_PROVIDER", "CANCELLED_BY_PROVIDER", "EXPIRED"]
)


class BookingCreate(Strict):
    stay_type: StayType
    room_id: Annotated[str, Field(min_length=1, max_length=200)]
    check_in: date
    check_out: date
    guests: Annotated[int, Field(ge=1, le=50)]
    note: Annotated[str, Field(max_length=500), nfc(500, lines=True)] | None = None


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
    cancellation_note: str | None = Field(description="The provider's reason, when it cancelled.")
    cancellation_policy: BookingPolicyOut | None = Field(
        description="The stay's policy when this was booked (null only on bookings made before policies)."
    )
    refund_percent: int | None
    refund_amount: MoneyOut | None = Field(description="Null until cancelled; with the fee, the total.")
    cancellation_fee: MoneyOut | None
    cancelled_at: datetime | None
    guest: GuestSummary
    provider: ProviderSummary
    room: RoomSummary
    stay: StaySummary


class CancellationQuote(Out):
    """What cancelling now refunds, and `valid_until`: the last moment (UTC) this tier holds. It is
    null when nothing ends it by the clock: past the last tier (nothing back), and while the
    booking is PENDING (refunded in full; once confirmed, the policy applies)."""

    refund_percent: int
    refund_amount: MoneyOut
    cancellation_fee: MoneyOut
    currency: str
    valid_until: datetime | None

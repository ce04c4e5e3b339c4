"""Bodies of the listing routes: stays and rooms."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints, field_validator
from pydantic_extra_types.currency_code import ISO4217
from typing_extensions import TypeAliasType

from chalicelib.domain.listings import is_time_zone
from chalicelib.domain.money import minor_unit
from chalicelib.schemas.common import CountryCode, Money, Out, RatingOut, Strict
from chalicelib.schemas.policies import PolicyBody, PolicyIn, PolicyOut
from chalicelib.schemas.text import LongText, Name, Text, nfc

# A named alias: one `StayType` component that every model refers to (see schemas/common.py).
StayType = TypeAliasType("StayType", Literal["hotel", "homestay", "resort"])
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["14:00"])]
Amenity = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), nfc(50)]
Amenities = Annotated[list[Amenity], Field(max_length=30)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), nfc(5000, lines=True)]
RoomType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), nfc(50)]


def _time_zone(name: str) -> str:
    if not is_time_zone(name):
        raise ValueError("must be an IANA time zone such as Asia/Dhaka")
    return name


def _priced_currency(code: str) -> str:
    minor_unit(code)  # ValueError for gold, SDRs and test codes: nothing is priced in them
    return code


CurrencyCode = TypeAliasType("CurrencyCode", Annotated[ISO4217, AfterValidator(_priced_currency)])
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_time_zone)]
MoneyOut = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class Patch(Strict):
    """A partial update: only the fields sent change, and none of them may be set to null."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be changed but not removed")
        return value


class StayCreate(Strict):
    stay_type: StayType
    name: Text
    description: Description = ""
    address: LongText
    city: Name
    country: CountryCode
    timezone: TimeZone
    currency: CurrencyCode
    check_in_time: ClockTime = "14:00"
    check_out_time: ClockTime = "12:00"
    cancellation_policy: PolicyIn = Field(default_factory=lambda: PolicyBody(name="flexible"))


class StayPatch(Patch):
    stay_type: StayType | None = None
    name: Text | None = None
    description: Description | None = None
    address: LongText | None = None
    city: Name | None = None
    country: CountryCode | None = None
    timezone: TimeZone | None = None
    currency: CurrencyCode | None = None
    check_in_time: ClockTime | None = None
    check_out_time: ClockTime | None = None
    cancellation_policy: PolicyIn | None = None


class RoomCreate(Strict):
    room_type: RoomType
    room_name: Name
    price_per_night: Money
    max_guest_per_room: Annotated[int, Field(ge=1, le=50)]
    amenities: Amenities = Field(default_factory=list)
    has_ac: bool = False
    has_heating: bool = False
    is_available: bool = True


class RoomPatch(Patch):
    """`is_available: false` stops selling the room."""

    room_type: RoomType | None = None
    room_name: Name | None = None
    price_per_night: Money | None = None
    max_guest_per_room: Annotated[int, Field(ge=1, le=50)] | None = None
    amenities: Amenities | None = None
    has_ac: bool | None = None
    has_heating: bool | None = None
    is_available: bool | None = None


class RoomOut(Out):
    id: str
    stay_id: str
    room_type: str
    room_name: str
    price_per_night: MoneyOut
    currency: str
    max_guest_per_room: int
    amenities: list[str]
    has_ac: bool
    has_heating: bool
    is_available: bool
    created_at: datetime
    updated_at: datetime


class StayOut(Out):
    id: str
    stay_type: StayType
    provider_id: str
    name: str
    description: str
    address: str
    city: str
    country: str
    timezone: str
    currency: str
    check_in_time: str
    check_out_time: str
    cancellation_policy: PolicyOut
    average_rating: RatingOut
    review_count: int
    created_at: datetime
    updated_at: datetime


class StayWithRooms(StayOut):
    rooms: list[RoomOut]

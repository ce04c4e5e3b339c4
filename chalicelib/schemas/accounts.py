"""Bodies of the auth, profile, provider and admin routes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from typing_extensions import TypeAliasType

from chalicelib.domain.accounts import password_problems
from chalicelib.schemas.common import CountryCode, Email, Out, PastDate, Phone, RatingOut, Strict
from chalicelib.schemas.text import MULTI_LINE, LongText, Name, Text, nfc

MAX_PREFERENCES_BYTES = 4096
MAX_PREFERENCES_DEPTH = 4

Gender = TypeAliasType("Gender", Literal["female", "male", "non_binary", "other", "prefer_not_to_say"])
DocumentType = TypeAliasType("DocumentType", Literal["national_id", "passport", "trade_license", "driving_license"])
PayoutMethod = TypeAliasType("PayoutMethod", Literal["bank_transfer", "mobile_banking", "card"])
KycStatus = TypeAliasType("KycStatus", Literal["PENDING", "VERIFIED", "REJECTED"])


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value)) > MAX_PREFERENCES_BYTES:
        raise ValueError(f"must be at most {MAX_PREFERENCES_BYTES} bytes as JSON")
    if _depth(value) > MAX_PREFERENCES_DEPTH:
        raise ValueError(f"must nest at most {MAX_PREFERENCES_DEPTH} levels deep")
    return value


Preferences = TypeAliasType(
    "Preferences", Annotated[dict[str, Any], Field(max_length=50), AfterValidator(_bounded_json), MULTI_LINE]
)
PayoutDetails = TypeAliasType(
    "PayoutDetails",
    Annotated[
        dict[Annotated[str, Field(max_length=40), nfc(40)], Annotated[str, Field(max_length=200), nfc(200)]],
        Field(max_length=10),
        MULTI_LINE,
    ],
)


# --- auth ---


class RegisterRequest(Strict):
    verbatim = frozenset({"password"})

    email: Email
    phone: Phone
    full_name: Name
    password: Annotated[str, Field(max_length=128)]

    @field_validator("password")
    @classmethod
    def _policy(cls, password: str, info: ValidationInfo) -> str:
        problems = password_problems(password, email=str(info.data.get("email", "")))
        if problems:
            raise ValueError("password " + "; ".join(problems))
        return password


class TokenRequest(Strict):
    verbatim = frozenset({"password"})

    email: Annotated[str, Field(max_length=254)]
    password: Annotated[str, Field(max_length=1024)]


class RefreshRequest(Strict):
    refresh: Annotated[str, Field(min_length=1, max_length=4096)]


class TokenPair(Out):
    access: str
    refresh: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class UserOut(Out):
    id: str
    email: str
    phone: str | None
    full_name: str
    is_active: bool
    is_staff: bool
    roles: list[str]
    created_at: datetime


# --- guest profile ---


class EmergencyContactBody(Strict):
    name: Name
    phone: Phone
    relation: Annotated[str, Field(min_length=1, max_length=50), nfc(50)]


class PassportBody(Strict):
    number: Annotated[str, Field(pattern=r"^[A-Z0-9]{5,20}$")]
    country: CountryCode
    expires_on: date


class GuestProfilePatch(Strict):
    """Only the fields sent change; `null` clears an optional one."""

    date_of_birth: PastDate | None = None
    nationality: CountryCode | None = None
    gender: Gender | None = None
    preferences: Preferences = Field(default_factory=dict)
    emergency_contacts: Annotated[list[EmergencyContactBody], Field(max_length=5)] = Field(default_factory=list)
    passport: PassportBody | None = None


class EmergencyContactOut(Out):
    name: str
    phone: str
    relation: str


class PassportOut(Out):
    number: str
    country: str
    expires_on: date


class GuestProfileOut(Out):
    user_id: str
    date_of_birth: date | None
    nationality: str | None
    gender: str | None
    preferences: Preferences
    emergency_contacts: list[EmergencyContactOut]
    passport: PassportOut | None
    updated_at: datetime


# --- provider profile ---


class BecomeProviderRequest(Strict):
    business_name: Text
    business_email: Email
    business_phone: Phone
    business_address: LongText
    document_type: DocumentType | None = None
    payout_method: PayoutMethod | None = None
    payout_details: PayoutDetails | None = None


class ProviderProfilePatch(Strict):
    """What a provider may change of their profile; KYC status and stats are not here."""

    business_name: Text | None = None
    business_email: Email | None = None
    business_phone: Phone | None = None
    business_address: LongText | None = None
    document_type: DocumentType | None = None
    payout_method: PayoutMethod | None = None
    payout_details: PayoutDetails | None = None

    @field_validator("business_name", "business_email", "business_phone", "business_address", mode="before")
    @classmethod
    def _required_fields_stay_set(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be changed but not removed")
        return value


class ProviderProfileOut(Out):
    id: str
    user_id: str
    business_name: str
    business_email: str
    business_phone: str
    business_address: str
    kyc_status: KycStatus
    kyc_note: str | None
    document_type: str | None
    payout_method: str | None
    payout_details: PayoutDetails | None
    average_rating: RatingOut
    total_reviews: int
    total_bookings: int
    created_at: datetime
    updated_at: datetime


class BecomeProviderResponse(TokenPair):
    provider_profile: ProviderProfileOut


class ProviderPublic(Out):
    id: str
    business_name: str
    average_rating: RatingOut
    total_reviews: int
    total_bookings: int


class KycRequest(Strict):
    kyc_status: KycStatus
    note: Annotated[str, Field(max_length=500), nfc(500, lines=True)] | None = None

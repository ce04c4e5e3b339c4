"""Users, their uniqueness claims, profiles and logins."""

from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.domain.accounts import roles_of
from chalicelib.domain.ratings import average
from chalicelib.models.base import TableItem


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


class User(TableItem, discriminator="User"):
    """`USER#<id>` / `USER`. Failed sign-ins are counted elsewhere (`models/throttle.py`)."""

    id = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    full_name = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    is_active = BooleanAttribute(default=True)
    is_staff = BooleanAttribute(default=False)
    is_superuser = BooleanAttribute(default=False)
    provider_id = UnicodeAttribute(null=True)
    # PENDING bookings held now; capped, and kept exact by the bookings' transactions.
    pending_bookings = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(user_id: str) -> tuple[str, str]:
        return user_pk(user_id), "USER"

    @property
    def roles(self) -> list[str]:
        return roles_of(
            is_active=self.is_active,
            has_provider_profile=self.provider_id is not None,
            is_staff=self.is_staff,
            is_superuser=self.is_superuser,
        )

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.id)


class EmailClaim(TableItem, discriminator="EmailClaim"):
    """`EMAIL#<lower-case email>`: makes an email unique and finds its user at login."""

    user_id = UnicodeAttribute()
    email_key = UnicodeAttribute()

    @staticmethod
    def keys(email_key: str) -> tuple[str, str]:
        return f"EMAIL#{email_key}", "EMAIL"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.email_key)


class PhoneClaim(TableItem, discriminator="PhoneClaim"):
    """`PHONE#<E.164>`: makes a phone number unique."""

    user_id = UnicodeAttribute()
    phone = UnicodeAttribute()

    @staticmethod
    def keys(phone: str) -> tuple[str, str]:
        return f"PHONE#{phone}", "PHONE"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.phone)


class EmergencyContact(MapAttribute[str, str]):
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    relation = UnicodeAttribute()


class Passport(MapAttribute[str, str]):
    number = UnicodeAttribute()
    country = UnicodeAttribute()
    expires_on = UnicodeAttribute()


class GuestProfile(TableItem, discriminator="GuestProfile"):
    """`USER#<id>` / `GUEST_PROFILE`, written in the registration transaction."""

    user_id = UnicodeAttribute()
    date_of_birth = UnicodeAttribute(null=True)
    nationality = UnicodeAttribute(null=True)
    gender = UnicodeAttribute(null=True)
    preferences = JSONAttribute(default=dict)
    emergency_contacts = ListAttribute(of=EmergencyContact, default=list)
    passport = Passport(null=True)
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(user_id: str) -> tuple[str, str]:
        return user_pk(user_id), "GUEST_PROFILE"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.user_id)


class Provider(TableItem, discriminator="Provider"):
    """`PROVIDER#<provider id>` / `PROVIDER`: the provider profile, found by its id in one GetItem;
    the user item holds `provider_id` to find it from the user."""

    id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    business_email = UnicodeAttribute()
    business_phone = UnicodeAttribute()
    business_address = UnicodeAttribute()
    document_type = UnicodeAttribute(null=True)
    payout_method = UnicodeAttribute(null=True)
    payout_details = JSONAttribute(null=True)
    kyc_status = UnicodeAttribute(default="PENDING")
    kyc_note = UnicodeAttribute(null=True)
    # Counters of its visible reviews, moved only by the reviews' transactions (ADD).
    rating_sum = NumberAttribute(default=0)
    total_reviews = NumberAttribute(default=0)
    total_bookings = NumberAttribute(default=0)
    # Counts changes of what the stays' snapshots copy (business name and phone).
    profile_version = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(provider_id: str) -> tuple[str, str]:
        return f"PROVIDER#{provider_id}", "PROVIDER"

    @property
    def average_rating(self) -> Decimal | None:
        return average(int(self.rating_sum), int(self.total_reviews))

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.id)


class Login(TableItem, discriminator="Login"):
    """`USER#<id>` / `LOGIN#<login id>`: one per sign-in, holding the id of the only refresh
    token that may be used next. Rotation swaps it under a condition; presenting an
    older one revokes the login."""

    user_id = UnicodeAttribute()
    login_id = UnicodeAttribute()
    token_id = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(user_id: str, login_id: str) -> tuple[str, str]:
        return user_pk(user_id), f"LOGIN#{login_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.user_id, self.login_id)

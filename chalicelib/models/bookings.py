"""Bookings, the per-night locks that make double booking impossible, and idempotency records.

- `BOOKING#<id>` / `BOOKING`: the booking with snapshots of guest, provider, room and stay
  as they were when it was made, so that reading it never needs another item.
  gsi1 `GUEST#<user id>#BOOKINGS` and gsi2 `PROVIDER#<pid>#BOOKINGS`, both by
  `<created_at>#<id>` (newest first when read backwards); the same lists narrowed to its
  status, gsi4 `GUEST#<user id>#BOOKINGS#<status>` and gsi3 `PROVIDER#<pid>#BOOKINGS#<status>`
  (keys only: a page of them is then one BatchGetItem). While it holds its nights
  (PENDING, CONFIRMED) it is in the sparse timer index, `TIMER#<shard>` / `<due instant>`.
- `NIGHTS#<stay id>` / `<night>#<room id>`: one lock per booked night, written with
  `attribute_not_exists`; all of a stay's taken nights in a date range are one Query.
- `IDEMPOTENCY#<user id>#<key>` / `IDEMPOTENCY`: written in the booking's transaction.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.domain import policies
from chalicelib.domain.bookings import holds_nights, local_instant, nights_of
from chalicelib.models.attributes import DecimalAttribute
from chalicelib.models.base import TableItem
from chalicelib.models.policies import BookingPolicyMap
from chalicelib.models.rates import NightPrice

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.domain.policies import Deadline
    from chalicelib.models.accounts import Provider, User
    from chalicelib.models.listings import Room, Stay

TIMER_SHARDS = 4


def timer_pk(shard: int) -> str:
    return f"TIMER#{shard}"


def timer_shard_of(booking_id: str) -> int:
    """The timer index shard of a booking: its id hashed, so that due bookings spread evenly."""
    return int(hashlib.sha256(booking_id.encode()).hexdigest()[:8], 16) % TIMER_SHARDS


def timer_instant(moment: datetime) -> str:
    """A sortable UTC instant, the timer index's sort key."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def due_by(moment: datetime) -> Condition:
    """Timer index sort key condition: due at or before `moment`."""
    return TableItem.timer_due <= timer_instant(moment)


def guest_bookings_pk(user_id: str) -> str:
    return f"GUEST#{user_id}#BOOKINGS"


def provider_bookings_pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}#BOOKINGS"


def by_status_pk(list_pk: str, status: str) -> str:
    """A booking list (`guest_bookings_pk`, `provider_bookings_pk`) narrowed to one status."""
    return f"{list_pk}#{status}"


def nights_pk(stay_id: str) -> str:
    return f"NIGHTS#{stay_id}"


def _lock_sk(night: str, room_id: str) -> str:
    return f"{night}#{room_id}"


def night_of_lock_sk(sk: str) -> str:
    """The night a lock's sort key names (`<night>#<room id>`)."""
    return sk.split("#", 1)[0]


def locks_between(first_night: date, last_night: date) -> Condition:
    """Sort key condition: the locks of every room for the nights `first_night..last_night`."""
    return TableItem.sk.between(first_night.isoformat(), _lock_sk(last_night.isoformat(), "\uffff"))


def locks_from(night: date) -> Condition:
    """Sort key condition: the locks of every room from `night` on."""
    return TableItem.sk >= night.isoformat()


class GuestSnapshot(MapAttribute[str, str]):
    id = UnicodeAttribute()
    full_name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)

    @classmethod
    def of(cls, user: User) -> GuestSnapshot:
        return cls(id=user.id, full_name=user.full_name, email=user.email, phone=user.phone)


class ProviderSnapshot(MapAttribute[str, str]):
    id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    business_phone = UnicodeAttribute()

    @classmethod
    def of(cls, provider: Provider) -> ProviderSnapshot:
        return cls(id=provider.id, business_name=provider.business_name, business_phone=provider.business_phone)


class RoomSnapshot(MapAttribute[str, object]):
    id = UnicodeAttribute()
    room_name = UnicodeAttribute()
    room_type = UnicodeAttribute()
    price_per_night = DecimalAttribute()
    max_guest_per_room = NumberAttribute()

    @classmethod
    def of(cls, room: Room) -> RoomSnapshot:
        return cls(**{name: getattr(room, name) for name in cls.get_attributes()})


class StaySnapshot(MapAttribute[str, str]):
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute()
    city = UnicodeAttribute()
    country = UnicodeAttribute()
    timezone = UnicodeAttribute()
    check_in_time = UnicodeAttribute()
    check_out_time = UnicodeAttribute()

    @classmethod
    def of(cls, stay: Stay) -> StaySnapshot:
        fields: dict[str, Any] = {name: getattr(stay, name) for name in cls.get_attributes() if name != "type"}
        return cls(type=stay.stay_type, **fields)


class Booking(TableItem, discriminator="Booking"):
    id = UnicodeAttribute()
    status = UnicodeAttribute()
    guest_id = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    stay_id = UnicodeAttribute()
    room_id = UnicodeAttribute()
    check_in = UnicodeAttribute()
    check_out = UnicodeAttribute()
    nights = NumberAttribute()
    guests = NumberAttribute()
    price_per_night = DecimalAttribute()
    # The price of each night under the room's rules at booking time; total_price is their sum.
    nightly_prices = ListAttribute(of=NightPrice, default=list)
    total_price = DecimalAttribute()
    currency = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    cancellation_reason = UnicodeAttribute(null=True)
    cancellation_note = UnicodeAttribute(null=True)
    # The stay's policy when it was booked (null only on bookings older than policies), and
    # what its cancellation refunded: set in the transaction that cancels it.
    cancellation_policy = BookingPolicyMap(null=True)
    refund_percent = NumberAttribute(null=True)
    refund_amount = DecimalAttribute(null=True)
    cancellation_fee = DecimalAttribute(null=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    # When the timer job acts on it: expiry while PENDING, completion while CONFIRMED.
    due_at = UTCDateTimeAttribute(null=True)
    guest = GuestSnapshot()
    provider = ProviderSnapshot()
    room = RoomSnapshot()
    stay = StaySnapshot()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(booking_id: str) -> tuple[str, str]:
        return f"BOOKING#{booking_id}", "BOOKING"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.id)
        listed = f"{self.created_at.isoformat()}#{self.id}"
        self.gsi1pk, self.gsi1sk = guest_bookings_pk(self.guest_id), listed
        self.gsi2pk, self.gsi2sk = provider_bookings_pk(self.provider_id), listed
        self.gsi3pk, self.gsi3sk = by_status_pk(provider_bookings_pk(self.provider_id), self.status), listed
        self.gsi4pk, self.gsi4sk = by_status_pk(guest_bookings_pk(self.guest_id), self.status), listed
        if holds_nights(self.status) and self.due_at is not None:
            self.timer_shard, self.timer_due = timer_pk(timer_shard_of(self.id)), timer_instant(self.due_at)
        else:
            self.timer_shard = self.timer_due = None

    def deadlines(self) -> list[Deadline]:
        """Its policy's deadlines; a booking made before policies existed has the default's."""
        if self.cancellation_policy is not None:
            return self.cancellation_policy.due()
        check_in_at = local_instant(date.fromisoformat(self.check_in), self.stay.check_in_time, self.stay.timezone)
        return policies.deadlines(policies.DEFAULT, check_in_at)

    def night_locks(self, ttl: timedelta) -> list[NightLock]:
        """The lock items of its nights; each expires (TTL) `ttl` after its night, on the stay's clock."""
        nights = nights_of(date.fromisoformat(self.check_in), date.fromisoformat(self.check_out))
        return [
            NightLock(
                stay_id=self.stay_id,
                room_id=self.room_id,
                night=night.isoformat(),
                booking_id=self.id,
                expires_at=local_instant(night + ttl, "00:00", self.stay.timezone),
            )
            for night in nights
        ]


class NightLock(TableItem, discriminator="NightLock"):
    stay_id = UnicodeAttribute()
    room_id = UnicodeAttribute()
    night = UnicodeAttribute()
    booking_id = UnicodeAttribute()

    @staticmethod
    def keys(stay_id: str, night: str, room_id: str) -> tuple[str, str]:
        return nights_pk(stay_id), _lock_sk(night, room_id)

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.stay_id, self.night, self.room_id)


class IdempotencyRecord(TableItem, discriminator="IdempotencyRecord"):
    user_id = UnicodeAttribute()
    key = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    request_hash = UnicodeAttribute()

    @staticmethod
    def keys(user_id: str, key: str) -> tuple[str, str]:
        return f"IDEMPOTENCY#{user_id}#{key}", "IDEMPOTENCY"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.user_id, self.key)

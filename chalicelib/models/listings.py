"""Stays and their rooms.

A stay and its rooms share the partition `STAY#<stay id>` (sort keys `STAY` and
`ROOM#<room id>`), so one Query reads a stay with all its rooms. Rooms copy the
stay's type, country, city and currency, which place them in the city and
stay-type indexes beside their stay; both carry a version for optimistic locking.

Index keys:
- gsi1 (a provider's stays, newest first): `PROVIDER#<pid>#STAYS` / `<created_at>#<stay id>`
- gsi2 (by city): `CITY#<city key>` / `<stay type>#<stay id>#STAY` or `...#ROOM#<room id>`
  (the search names a city, not a country, so same-named cities share a partition)
- gsi3 (by type): `TYPE#<stay type>` / `<stay id>#STAY` or `<stay id>#ROOM#<room id>`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.domain.listings import city_key
from chalicelib.models.attributes import DecimalAttribute
from chalicelib.models.base import TableItem

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition


def stay_pk(stay_id: str) -> str:
    return f"STAY#{stay_id}"


def provider_stays_pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}#STAYS"


def city_pk(city: str) -> str:
    return f"CITY#{city_key(city)}"


def type_pk(stay_type: str) -> str:
    return f"TYPE#{stay_type}"


def city_of_type(stay_type: str) -> Condition:
    """gsi2 sort key condition: a city's stays and rooms of one stay type."""
    return TableItem.gsi2sk.startswith(f"{stay_type}#")


class Stay(TableItem, discriminator="Stay"):
    id = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    stay_type = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute()
    address = UnicodeAttribute()
    city = UnicodeAttribute()
    country = UnicodeAttribute()
    timezone = UnicodeAttribute()
    currency = UnicodeAttribute()
    check_in_time = UnicodeAttribute()
    check_out_time = UnicodeAttribute()
    room_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(stay_id: str) -> tuple[str, str]:
        return stay_pk(stay_id), "STAY"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.id)
        self.gsi1pk = provider_stays_pk(self.provider_id)
        self.gsi1sk = f"{self.created_at.isoformat()}#{self.id}"
        self.gsi2pk = city_pk(self.city)
        self.gsi2sk = f"{self.stay_type}#{self.id}#STAY"
        self.gsi3pk = type_pk(self.stay_type)
        self.gsi3sk = f"{self.id}#STAY"


class Room(TableItem, discriminator="Room"):
    id = UnicodeAttribute()
    stay_id = UnicodeAttribute()
    room_type = UnicodeAttribute()
    room_name = UnicodeAttribute()
    price_per_night = DecimalAttribute()
    max_guest_per_room = NumberAttribute()
    amenities = ListAttribute(of=UnicodeAttribute, default=list)
    has_ac = BooleanAttribute(default=False)
    has_heating = BooleanAttribute(default=False)
    is_available = BooleanAttribute(default=True)
    # Copies of the stay's, so that the room sits beside it in the indexes.
    stay_type = UnicodeAttribute()
    country = UnicodeAttribute()
    city = UnicodeAttribute()
    currency = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(stay_id: str, room_id: str) -> tuple[str, str]:
        return stay_pk(stay_id), f"ROOM#{room_id}"

    @staticmethod
    def copied_from(stay: Stay) -> dict[str, Any]:
        """The stay's fields that place a room in the indexes and price it."""
        return {"stay_type": stay.stay_type, "country": stay.country, "city": stay.city, "currency": stay.currency}

    def follow(self, stay: Stay) -> None:
        for name, value in self.copied_from(stay).items():
            setattr(self, name, value)

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.stay_id, self.id)
        self.gsi2pk = city_pk(self.city)
        self.gsi2sk = f"{self.stay_type}#{self.stay_id}#ROOM#{self.id}"
        self.gsi3pk = type_pk(self.stay_type)
        self.gsi3sk = f"{self.stay_id}#ROOM#{self.id}"

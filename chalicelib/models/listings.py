"""Stays and their rooms.

A stay and its rooms share the partition `STAY#<stay id>` (sort keys `STAY` and
`ROOM#<room id>`), so one Query reads a stay with all its rooms. Rooms copy the
stay's type, country, city and currency, which place them in the city and
stay-type indexes beside their stay; both carry a version for optimistic locking.

Index keys (stays only; rooms have none):
- gsi1 (a provider's stays, newest first): `PROVIDER#<pid>#STAYS` / `<created_at>#<stay id>`
- gsi2 / gsi3 (by city and type / by type): by rating; gsi4 / gsi5 by ceiling price;
  gsi6 / gsi7 by floor price (see `models/search_index.py`). The search names a city, not
  a country, so same-named cities share a partition.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain import rates
from chalicelib.domain.ratings import average
from chalicelib.models.attributes import DecimalAttribute
from chalicelib.models.base import TableItem, condition_failed
from chalicelib.models.policies import PolicyMap
from chalicelib.models.rates import RateRule
from chalicelib.models.search_index import (
    UNSETTLED_RANK,
    ceiling_position,
    floor_position,
    price_index_pk,
    rating_index_pk,
    rating_position,
    rating_rank,
)


def stay_pk(stay_id: str) -> str:
    return f"STAY#{stay_id}"


def stay_of(pk: str) -> str:
    """The stay id a stay's or room's partition key names."""
    return pk.removeprefix(stay_pk(""))


def provider_stays_pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}#STAYS"


class StayProvider(MapAttribute[str, object]):
    """The provider as its bookings show it, kept on the stay so that booking a room reads no
    other item; refreshed when the profile changes, `version` being the profile's own counter
    (a refresh never puts back an older snapshot)."""

    id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    business_phone = UnicodeAttribute()
    version = NumberAttribute()


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
    cancellation_policy = PolicyMap(default=PolicyMap.default_policy)
    room_count = NumberAttribute(default=0)
    # None on stays made before the snapshot existed (see services/stay_providers.py).
    provider = StayProvider(null=True)
    # Counters of its visible reviews, moved only by the reviews' transactions (ADD).
    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    # Derived from its rooms by `summarize`, written with every change of a room: what bounds
    # them in the search indexes. None while it has no room (then it is in no search index).
    floor_price = DecimalAttribute(null=True)
    ceiling_price = DecimalAttribute(null=True)
    max_guests = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(stay_id: str) -> tuple[str, str]:
        return stay_pk(stay_id), "STAY"

    @property
    def average_rating(self) -> Decimal | None:
        return average(int(self.rating_sum), int(self.rating_count))

    @property
    def review_count(self) -> int:
        return int(self.rating_count)

    def summarize(self, rooms: list[Room]) -> None:
        """Bound its rooms (for sale or not, under their rules) for the search indexes: the least
        and the most a night of any can cost, and the most guests any sleeps."""
        self.floor_price = min((rates.floor_price(r.rate_rules(), r.price_per_night) for r in rooms), default=None)
        self.ceiling_price = max((rates.ceiling_price(r.rate_rules(), r.price_per_night) for r in rooms), default=None)
        self.max_guests = max((int(r.max_guest_per_room) for r in rooms), default=0)

    def _rating_position(self, rank: str) -> str:
        assert self.floor_price is not None, "a stay without rooms is in no search index"
        return rating_position(rank, self.floor_price, self.id)

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.id)
        self.gsi1pk = provider_stays_pk(self.provider_id)
        self.gsi1sk = f"{self.created_at.isoformat()}#{self.id}"
        if self.floor_price is None or self.ceiling_price is None:
            self.gsi2pk = self.gsi2sk = self.gsi3pk = self.gsi3sk = None
            self.gsi4pk = self.gsi4sk = self.gsi5pk = self.gsi5sk = None
            self.gsi6pk = self.gsi6sk = self.gsi7pk = self.gsi7sk = None
            return
        in_city, of_type = price_index_pk(self.stay_type, self.city), price_index_pk(self.stay_type, None)
        # Every full write places the stay at its exact rank, read off the counters it writes.
        by_rating = self._rating_position(rating_rank(self.average_rating))
        self.gsi2pk, self.gsi2sk = rating_index_pk(self.stay_type, self.city), by_rating
        self.gsi3pk, self.gsi3sk = rating_index_pk(self.stay_type, None), by_rating
        by_ceiling = ceiling_position(self.ceiling_price, self.id)
        self.gsi4pk, self.gsi4sk, self.gsi5pk, self.gsi5sk = in_city, by_ceiling, of_type, by_ceiling
        by_floor = floor_position(self.floor_price, self.id)
        self.gsi6pk, self.gsi6sk, self.gsi7pk, self.gsi7sk = in_city, by_floor, of_type, by_floor

    def unsettled_rating_actions(self) -> list[Action]:
        """To add to a review's own update of the counters: the stay moves to the top of the
        rating index, above any average. The index may then rank it too high but never too
        low, which keeps the `rating_desc` walk exact; `settle_rating` moves it back down."""
        if self.floor_price is None:
            return []
        position = self._rating_position(UNSETTLED_RANK)
        return [Stay.gsi2sk.set(position), Stay.gsi3sk.set(position)]

    def settle_rating(self) -> bool:
        """After a review's transaction: place the stay at the rank of the counters just read
        (consistently), on condition that the stay is still as read (its version). A review in
        between fails the condition and settles the stay itself; a crash before this leaves it
        ranked too high, which costs a few reads of a search, never a wrong order. True when
        it was written."""
        if self.floor_price is None:
            return False
        position = self._rating_position(rating_rank(self.average_rating))
        try:
            self.update(actions=[Stay.gsi2sk.set(position), Stay.gsi3sk.set(position)])
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True


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
    is_available = BooleanAttribute(default=True)  # the provider's: false stops selling
    # Set while a delete or a currency change makes sure no booking commits (`services/sales.py`):
    # a lease, so that a change that dies before clearing it stops sales for a minute at most.
    sale_paused_until = UTCDateTimeAttribute(null=True)
    # Rates and restrictions (`chalicelib.domain.rates`), on the room so that every read of it has them.
    rules = ListAttribute(of=RateRule, default=list)
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

    def for_sale(self, now: datetime) -> bool:
        return self.is_available and (self.sale_paused_until is None or self.sale_paused_until <= now)

    @staticmethod
    def copied_from(stay: Stay) -> dict[str, Any]:
        """The stay's fields that place a room in the indexes and price it."""
        return {"stay_type": stay.stay_type, "country": stay.country, "city": stay.city, "currency": stay.currency}

    def follow(self, stay: Stay) -> None:
        for name, value in self.copied_from(stay).items():
            setattr(self, name, value)

    def rate_rules(self) -> list[rates.Rule]:
        return [rule.to_rule() for rule in self.rules]

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.stay_id, self.id)

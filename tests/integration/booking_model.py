"""The in-memory model that the booking state machine (test_booking_model.py) checks the API against.

The rules as the model knows them: a 24 h hold or check-in at 14:00 Dhaka time, whichever
comes first, check-out at 12:00, a 30-day review window, the moderate cancellation tiers, and
the nightly price, closed nights and minimum stay of a room's rate rules; `Booked`, one booking
as the model sees it (status, nights, prices, refund and fee, rating); and `BookingModel`, the
machine's world (a provider's stay of two rooms, three guests, a controllable clock, a fresh
table) with what the model expects of a booking. The rules that drive the API, the checks of
each answer and the invariant are the machine's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import boto3
from chalice.test import Client
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from chalicelib import clock
from chalicelib.models.base import TableItem, create_table
from chalicelib.settings import get_settings
from tests.factories import Api, Person, add_room, create_stay, sign_up, sign_up_provider

ZONE = ZoneInfo("Asia/Dhaka")
HOLD = timedelta(hours=24)
LEAST_HOLD = timedelta(hours=1)  # a booking made near or past check-in time still gets this
REVIEW_WINDOW = timedelta(days=30)
GUESTS = 3
# The base price: half a night's price ends in a half cent, so the model checks the half-even
# rounding too.
BASE = Decimal("4500.55")
# What a model rule sets: a nightly price, a closed night, or a minimum stay on arrival.
SETTINGS = st.sampled_from([("price_per_night", 1000), ("price_per_night", 3000), ("closed", True), ("min_stay", 2)])
# The moderate preset: 5 days before check-in 100 %, 1 day before 50 %, then nothing.
TIERS = ((5, 100), (1, 50))


@dataclass
class Booked:
    id: str
    guest: int
    room: int
    check_in: date
    check_out: date
    created: datetime
    status: str = "PENDING"
    reason: str | None = None
    key: tuple[int, str] | None = None
    prices: list[tuple[str, Decimal]] | None = None
    refund: Decimal | None = None
    fee: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((price for _, price in self.prices or []), Decimal(0))

    def close(self, reason: str, refund: Decimal) -> None:
        self.status, self.reason, self.refund, self.fee = "CANCELLED", reason, refund, self.total - refund

    def refund_by_policy(self, now: datetime) -> Decimal:
        """What the guest gets back cancelling now: full while PENDING, else the first tier ahead."""
        if self.status == "PENDING":
            return self.total
        check_in_at = datetime.combine(self.check_in, datetime.min.time(), ZONE).replace(hour=14)
        percent = next((p for days, p in TIERS if now <= check_in_at - timedelta(days=days)), 0)
        return (self.total * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)

    rating: int | None = None

    @property
    def nights(self) -> list[date]:
        return [self.check_in + timedelta(days=n) for n in range((self.check_out - self.check_in).days)]

    @property
    def due(self) -> datetime:
        check_in_at = datetime.combine(self.check_in, datetime.min.time(), ZONE).replace(hour=14)
        if self.status == "CONFIRMED":
            return datetime.combine(self.check_out, datetime.min.time(), ZONE).replace(hour=12)
        return min(self.created + HOLD, max(check_in_at, self.created + LEAST_HOLD))

    @property
    def checked_out(self) -> datetime:
        return datetime.combine(self.check_out, datetime.min.time(), ZONE).replace(hour=12)


class BookingModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        dynamodb = boto3.client("dynamodb")
        if TableItem.exists():
            dynamodb.delete_table(TableName=get_settings().table_name)
        create_table()
        self.real_clock = clock.utcnow
        self.now = datetime.now(UTC)
        clock.utcnow = lambda: self.now
        from app import app

        self.client = Client(app, stage_name="test")
        self.client.__enter__()
        self.api = Api(self.client)
        self.provider: Person = sign_up_provider(self.api)
        stay = create_stay(self.api, self.provider, cancellation_policy="moderate")
        self.stay_id = stay["id"]
        room = {"max_guest_per_room": 2, "price_per_night": str(BASE)}
        self.rooms = [add_room(self.api, self.provider, stay["id"], **room)["id"] for _ in range(2)]
        self.guests = [sign_up(self.api) for _ in range(GUESTS)]
        self.start = self.today()
        self.model: dict[str, Booked] = {}
        self.rates: dict[int, list[tuple[date, date, str, object]]] = {0: [], 1: []}

    def teardown(self) -> None:
        clock.utcnow = self.real_clock
        self.client.__exit__(None, None, None)

    def today(self) -> date:
        return self.now.astimezone(ZONE).date()

    def taken(self) -> dict[tuple[date, int], str]:
        return {
            (n, b.room): b.id for b in self.model.values() if b.status in ("PENDING", "CONFIRMED") for n in b.nights
        }

    def pending(self, guest: int) -> int:
        return sum(1 for b in self.model.values() if b.guest == guest and b.status == "PENDING")

    def body(self, room: int, start: int, nights: int) -> dict:
        check_in = self.start + timedelta(days=start)
        return {
            "stay_type": "hotel",
            "room_id": self.rooms[room],
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(),
            "guests": 1,
        }

    def setting(self, room: int, night: date, name: str) -> object:
        """The last rule of the room that covers the night and sets `name`."""
        value = None
        for first, end, setting, set_to in self.rates[room]:
            if first <= night < end and setting == name:
                value = set_to
        return value

    def prices(self, room: int, check_in: date, nights: int) -> list[tuple[str, Decimal]]:
        days = [check_in + timedelta(days=n) for n in range(nights)]
        return [(d.isoformat(), Decimal(str(self.setting(room, d, "price_per_night") or BASE))) for d in days]

    def restricted(self, room: int, check_in: date, nights: int) -> bool:
        closed = any(self.setting(room, check_in + timedelta(days=n), "closed") for n in range(nights))
        least = self.setting(room, check_in, "min_stay")
        return closed or (isinstance(least, int) and nights < least)

    def expect_booking(self, guest: int, room: int, start: int, nights: int) -> tuple[int, list[str]]:
        check_in = self.start + timedelta(days=start)
        if check_in < self.today():
            return 400, []
        if self.restricted(room, check_in, nights):
            return 409, ["STAY_RESTRICTED"]
        if self.pending(guest) >= 5:
            return 409, []
        clash = sorted(
            (check_in + timedelta(days=n)).isoformat()
            for n in range(nights)
            if (check_in + timedelta(days=n), room) in self.taken()
        )
        return (409, clash) if clash else (201, [])

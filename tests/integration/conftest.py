"""Integration tier: the app through chalice's test client, on moto, a fresh table per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.models.base import TableItem, create_table
from chalicelib.services.accounts import create_admin
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, Api, Person, add_room, create_stay, sign_up, sign_up_provider


@pytest.fixture(autouse=True)
def table() -> Iterator[None]:
    with mock_aws():
        create_table()
        yield


@pytest.fixture
def client() -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="test") as test_client:
        yield test_client


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def items() -> ItemCounter:
    return ItemCounter()


class ItemCounter:
    """Reads the whole (small, test-only) table, to prove that a refused request wrote nothing."""

    def __call__(self) -> list[dict]:
        table = boto3.resource("dynamodb").Table(get_settings().table_name)
        return table.scan(ConsistentRead=True)["Items"]


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.utcnow()
        monkeypatch.setattr(clock, "utcnow", lambda: self.now)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@dataclass
class World:
    provider: Person
    stay: dict
    room: dict
    other_room: dict
    guest: Person
    other_guest: Person
    admin: str

    def day(self, offset: int) -> str:
        return (today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=offset)).isoformat()

    def body(self, start: int = 10, end: int = 13, **overrides) -> dict:
        body = {
            "stay_type": "hotel",
            "room_id": self.room["id"],
            "check_in": self.day(start),
            "check_out": self.day(end),
            "guests": 2,
        }
        return {**body, **overrides}


@pytest.fixture
def world(api: Api) -> World:
    provider = sign_up_provider(api)
    stay = create_stay(api, provider)
    room = add_room(api, provider, stay["id"], price_per_night="2500.75", max_guest_per_room=3)
    other_room = add_room(api, provider, stay["id"], room_name="Twin 2")
    create_admin("root@example.com", PASSWORD)
    admin = api.post("/api/auth/token", {"email": "root@example.com", "password": PASSWORD}).body["access"]
    return World(provider, stay, room, other_room, sign_up(api), sign_up(api), admin)


@pytest.fixture
def provider(api: Api) -> Person:
    """A provider of their own, for tests of listings."""
    return sign_up_provider(api)


@pytest.fixture
def stay(api: Api, provider: Person) -> dict:
    """A hotel of `provider`'s, without rooms."""
    return create_stay(api, provider)


@contextmanager
def requests_to(operation: str) -> Iterator[list[dict[str, Any]]]:
    """The parameters of every DynamoDB `operation` request sent while open, as the app built them."""
    sent: list[dict[str, Any]] = []
    events = TableItem._get_connection().connection.client.meta.events
    name = f"provide-client-params.dynamodb.{operation}"

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    events.register(name, record, unique_id=f"record-{operation}")
    try:
        yield sent
    finally:
        events.unregister(name, unique_id=f"record-{operation}")


# --- the booking tests' helpers (test_bookings*.py) ---


def book(api: Api, world: World, who: Person | None = None, **kw) -> dict:
    reply = api.post("/api/bookings/rooms/room-booking", world.body(**kw), token=(who or world.guest).access)
    assert reply.status == 201, reply.body
    return reply.body


def table_items() -> list[dict]:
    return boto3.resource("dynamodb").Table(get_settings().table_name).scan(ConsistentRead=True)["Items"]


def locks() -> list[str]:
    return sorted(item["sk"] for item in table_items() if item["kind"] == "NightLock")


def pending_count(user_id: str) -> int:
    user = next(i for i in table_items() if i["pk"] == f"USER#{user_id}" and i["sk"] == "USER")
    return int(user.get("pending_bookings", 0))


def provider_total(api: Api, world: World) -> int:
    return api.get(f"/api/providers/{world.provider.provider_id}").body["total_bookings"]


def act(api: Api, booking: dict, action: str, who: Person | str):
    token = who if isinstance(who, str) else who.access
    return api.post(f"/api/bookings/rooms/{booking['id']}/{action}", token=token)


# --- the security tests' cast and shared requests (test_security_*.py) ---


@dataclass
class Cast:
    world: World
    stranger: Person
    rival: Person
    booking: dict
    api: Api
    clock: Clock
    _review: dict | None = None

    def review(self) -> str:
        """The id of the guest's review of a completed stay, made when a route first asks."""
        # Imported here, not above: test_reviews imports this module.
        from tests.integration.test_reviews import REVIEW, completed

        if self._review is None:
            booking = completed(self.api, self.world, self.clock, start=20)
            self._review = self.api.post(
                f"/api/bookings/rooms/{booking['id']}/review", REVIEW, token=self.world.guest.access
            ).body
        return self._review["id"]

    webhook: dict | None = None

    def token(self, who: str) -> str | None:
        return {
            "anonymous": None,
            "other guest": self.stranger.access,
            "other provider": self.rival.access,
            "guest": self.world.guest.access,
            "owner": self.world.provider.access,
            "admin": self.world.admin,
        }[who]


@pytest.fixture
def cast(api: Api, world: World, frozen_clock: Clock) -> Cast:
    booking = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    webhook = api.post(WEBHOOKS, WEBHOOK_BODY, token=world.provider.access).body
    return Cast(world, sign_up(api), sign_up_provider(api), booking, api, frozen_clock, webhook=webhook)


WEBHOOKS = "/api/accounts/provider-profile/webhooks"
# A literal public address: nothing to resolve.
WEBHOOK_BODY = {"url": "https://93.184.216.34/in", "events": ["booking.created"]}
RULES = {"rules": [{"from": "2030-01-01", "to": "2030-01-08", "min_stay": 2}]}


def _concrete(path: str, c: Cast) -> str:
    return (
        path.replace("{provider_id}", c.world.provider.provider_id or "")
        .replace("{stay_id}", c.world.stay["id"])
        .replace("{room_id}", c.world.other_room["id"])
        .replace("{booking_id}", c.booking["id"])
        .replace("{review_id}", f"{c.booking['id']}.{c.booking['id']}")
    )

"""Integration tier: the app through chalice's test client, on moto, a fresh table per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.models.base import create_table
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

"""Integration tier: the app through chalice's test client, on moto, a fresh table per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import clock
from chalicelib.models.base import create_table
from chalicelib.settings import get_settings
from tests.factories import Api


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

"""The stream function on moto: records recorded from the table's stream become events on
the stage's EventBridge bus and webhook deliveries, sent in order per booking with retries."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import dynamodbstreams_backends

from chalicelib import clock
from chalicelib.models.webhooks import Delivery, Webhook
from chalicelib.services import deliveries, events
from chalicelib.services import webhooks as registry
from chalicelib.services.webhook_posts import Outcome
from chalicelib.settings import get_settings
from tests.factories import Api
from tests.integration.conftest import Clock, World

WEBHOOKS = "/api/accounts/provider-profile/webhooks"
BUS = "stays-test"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The stage's bus on moto; every PutEvents entry that it accepted, as EventBridge shows it."""
    bridge = boto3.client("events")
    bridge.create_event_bus(Name=BUS)
    accepted: list[dict] = []

    class Recording:
        def put_events(self, Entries: list[dict]) -> dict:
            answer = bridge.put_events(Entries=Entries)
            accepted.extend(e for e, r in zip(Entries, answer["Entries"], strict=True) if "EventId" in r)
            return answer

    with_bus = get_settings().model_copy(update={"event_bus_name": BUS})
    monkeypatch.setattr(events, "get_settings", lambda: with_bus)
    monkeypatch.setattr(events, "_events_client", Recording)

    def seen() -> list[dict]:
        assert {e["EventBusName"] for e in accepted} <= {BUS}
        return [
            {"source": e["Source"], "detail-type": e["DetailType"], "detail": json.loads(e["Detail"])} for e in accepted
        ]

    yield seen


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = get_settings().model_copy(update={"webhook_retry_delays_seconds": (0.0, 0.0)})
    monkeypatch.setattr(deliveries, "get_settings", lambda: fast)


def stream_records() -> list[dict]:
    """Everything the table's stream holds now, as the Lambda would be handed it. Read from
    moto's backend: its HTTP face of DynamoDB Streams answers only ListStreams."""
    arn = boto3.client("dynamodb").describe_table(TableName=get_settings().table_name)["Table"]["LatestStreamArn"]
    streams = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    records: list[dict] = []
    for shard in streams.describe_stream(arn)["Shards"]:
        iterator = streams.get_shard_iterator(arn, shard["ShardId"], "TRIM_HORIZON")
        records += streams.get_records(iterator.arn, 1000)["Records"]
    return json.loads(json.dumps(records, default=str))


def book_confirm_cancel(api: Api, world: World) -> str:
    booking = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    assert api.post(f"/api/bookings/rooms/{booking['id']}/confirm", token=world.provider.access).status == 200
    assert api.post(f"/api/bookings/rooms/{booking['id']}/cancel", token=world.guest.access).status == 200
    return booking["id"]


def register(api: Api, world: World, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setattr(registry, "resolver", lambda host, port: ["93.184.216.34"])
    types = ["booking.created", "booking.confirmed", "booking.cancelled"]
    return api.post(
        WEBHOOKS, {"url": "https://hooks.example.com/in", "events": types}, token=world.provider.access
    ).body


def test_each_committed_change_is_one_event_on_the_bus(client: Client, api: Api, world: World, bus) -> None:
    booking_id = book_confirm_cancel(api, world)
    answer = client.lambda_.invoke("booking_events", {"Records": stream_records()})
    assert answer.payload == {"batchItemFailures": []}
    seen = bus()
    assert [e["detail-type"] for e in seen] == ["booking.created", "booking.confirmed", "booking.cancelled"]
    assert {e["source"] for e in seen} == {"stays-api"}
    assert [e["detail"]["data"]["status"] for e in seen] == ["PENDING", "CONFIRMED", "CANCELLED"]
    assert {e["detail"]["data"]["id"] for e in seen} == {booking_id}
    assert seen[2]["detail"]["data"]["cancellation_reason"] == "CANCELLED_BY_GUEST"


def test_a_record_that_fails_stops_the_batch_there_to_be_retried_in_order(
    client: Client, api: Api, world: World, bus
) -> None:
    book_confirm_cancel(api, world)
    records = [r for r in stream_records() if r["dynamodb"].get("NewImage", {}).get("kind") == {"S": "Booking"}]
    del records[1]["dynamodb"]["NewImage"]["guest"]  # a poison image: no guest to show
    answer = client.lambda_.invoke("booking_events", {"Records": records})
    assert answer.payload == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    assert [e["detail-type"] for e in bus()] == ["booking.created"]


def _deliveries(api: Api, world: World, webhook: dict) -> list[dict]:
    reply = api.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", token=world.provider.access)
    assert reply.status == 200
    return reply.body["items"]


def test_deliveries_are_scheduled_once_and_sent_in_order_through_failures(
    client: Client, api: Api, world: World, monkeypatch: pytest.MonkeyPatch, quick_retries: None
) -> None:
    webhook = register(api, world, monkeypatch)
    book_confirm_cancel(api, world)
    records = stream_records()
    client.lambda_.invoke("booking_events", {"Records": records})
    client.lambda_.invoke("booking_events", {"Records": records})  # a batch read twice
    assert len(_deliveries(api, world, webhook)) == 3
    sent: list[tuple[str, bool]] = []

    def flaky(url: str, message_id: str, payload: str, secret: str, now: Any) -> Outcome:
        ok = len(sent) >= 2  # the receiver is down for the first two attempts
        sent.append((json.loads(payload)["type"], ok))
        return Outcome(204, None, "") if ok else Outcome(503, "HTTP 503", "down")

    monkeypatch.setattr(deliveries, "send", flaky)
    for _ in range(6):
        deliveries.run_deliveries(budget_seconds=5)
    delivered = [kind for kind, ok in sent if ok]
    assert delivered == ["booking.created", "booking.confirmed", "booking.cancelled"]
    assert sent[:2] == [("booking.created", False), ("booking.created", False)]
    log = _deliveries(api, world, webhook)
    assert {d["state"] for d in log} == {"DELIVERED"}
    assert sorted(d["attempt"] for d in log) == [1, 1, 3]


def test_an_exhausted_delivery_is_dead_in_the_log_and_no_longer_holds_back_the_next(
    client: Client, api: Api, world: World, monkeypatch: pytest.MonkeyPatch, quick_retries: None
) -> None:
    webhook = register(api, world, monkeypatch)
    book_confirm_cancel(api, world)
    client.lambda_.invoke("booking_events", {"Records": stream_records()})
    sent: list[str] = []

    def refuses_created(url: str, message_id: str, payload: str, secret: str, now: Any) -> Outcome:
        kind = json.loads(payload)["type"]
        sent.append(kind)
        return Outcome(500, "HTTP 500", "boom") if kind == "booking.created" else Outcome(200, None, "")

    monkeypatch.setattr(deliveries, "send", refuses_created)
    for _ in range(6):
        deliveries.run_deliveries(budget_seconds=5)
    assert sent == ["booking.created"] * 3 + ["booking.confirmed", "booking.cancelled"]
    states = {d["event_type"]: (d["state"], d["attempt"], d["error"]) for d in _deliveries(api, world, webhook)}
    assert states["booking.created"] == ("DEAD", 3, "HTTP 500")
    assert states["booking.cancelled"][0] == "DELIVERED"


def test_a_chain_waiting_out_a_retry_leaves_its_shard_free_and_goes_on_at_once_when_it_ends(
    client: Client, api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first event's receiver is down and its retry is an hour away: the two events behind
    it fall due with that retry instead of staying due (at the head of their timer shards, in
    every run's first page), and once the retry delivers, the rest follow in the same run."""
    hourly = get_settings().model_copy(update={"webhook_retry_delays_seconds": (3600.0, 3600.0)})
    monkeypatch.setattr(deliveries, "get_settings", lambda: hourly)
    webhook = register(api, world, monkeypatch)
    book_confirm_cancel(api, world)
    client.lambda_.invoke("booking_events", {"Records": stream_records()})
    frozen_clock = Clock(monkeypatch)  # after the booking: its events keep their own instants
    sent: list[str] = []
    down = [True]

    def receiver(url: str, message_id: str, payload: str, secret: str, now: Any) -> Outcome:
        sent.append(json.loads(payload)["type"])
        return Outcome(503, "HTTP 503", "down") if down[0] else Outcome(204, None, "")

    monkeypatch.setattr(deliveries, "send", receiver)
    deliveries.run_deliveries(budget_seconds=5)
    assert sent == ["booking.created"]
    assert deliveries._Flight().pick(8) == []  # nothing due until the retry
    assert deliveries.run_deliveries(budget_seconds=5) == {}
    down[0] = False
    frozen_clock.advance(seconds=3601)
    deliveries.run_deliveries(budget_seconds=5)
    assert sent == ["booking.created", "booking.created", "booking.confirmed", "booking.cancelled"]
    assert {d["state"] for d in _deliveries(api, world, webhook)} == {"DELIVERED"}


def _pending(provider_id: str, subject_id: str, due_in: float = 0.0) -> None:
    """A delivery to its own webhook of `provider_id`, due `due_in` seconds from now."""
    now = clock.utcnow()
    webhook = Webhook(id=f"wh_{subject_id}", provider_id=provider_id, url="https://hooks.example.com/in")
    webhook.events, webhook.secret, webhook.created_at = ["booking.created"], "whsec_" + "QUJD" * 8, now
    webhook.save()
    Delivery(
        id=f"dlv_{subject_id}",
        webhook_id=webhook.id,
        provider_id=provider_id,
        subject_id=subject_id,
        event_id=f"evt_{subject_id}",
        event_type="booking.created",
        payload=json.dumps({"id": f"evt_{subject_id}", "subject": subject_id}),
        occurred_at=now.isoformat(),
        next_attempt_at=now + timedelta(seconds=due_in),
        created_at=now,
    ).save()


def test_a_providers_slow_receivers_hold_up_neither_the_run_nor_other_providers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight deliveries of a provider whose receiver hangs, then one of another provider that
    falls due while they hang: alone, the slow provider takes 6 of the 8 workers, and the
    other provider's delivery is sent at once on one of the two kept free."""
    for n in range(8):
        _pending("slow", f"s{n}")
    _pending("quick", "q0", due_in=1.5)
    quick_sent = threading.Event()
    lock = threading.Lock()
    hanging, most_hanging, waited = [0], [0], []

    def receiver(url: str, message_id: str, payload: str, secret: str, now: Any) -> Outcome:
        if json.loads(payload)["subject"].startswith("q"):
            quick_sent.set()
            return Outcome(204, None, "")
        with lock:
            hanging[0] += 1
            most_hanging[0] = max(most_hanging[0], hanging[0])
        started = time.monotonic()
        quick_sent.wait(timeout=6)  # hangs until the other provider's delivery has gone
        waited.append(time.monotonic() - started)
        with lock:
            hanging[0] -= 1
        return Outcome(204, None, "")

    monkeypatch.setattr(deliveries, "send", receiver)
    summary = deliveries.run_deliveries(budget_seconds=20)
    assert summary == {"delivered": 9}
    assert quick_sent.is_set() and most_hanging[0] == 6
    assert max(waited[:6]) < 5, waited  # the first six hung only until the quick one went


def test_a_run_reads_each_due_delivery_about_once_however_long_its_attempts_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While attempts hang, the sender polls the index every second for what fell due since
    its last read, not for everything due again."""
    for n in range(40):
        _pending("slow", f"s{n}", due_in=-10)  # due a while: outside the index's lag, read again
    read: list[int] = []
    query = Delivery.timer.query

    def counting(*args: Any, **kwargs: Any) -> Any:
        found = list(query(*args, **kwargs))
        read.append(len(found))
        return iter(found)

    monkeypatch.setattr(Delivery.timer, "query", counting)

    def hangs(url: str, message_id: str, payload: str, secret: str, now: Any) -> Outcome:
        time.sleep(1.2)
        return Outcome(204, None, "")

    monkeypatch.setattr(deliveries, "send", hangs)
    assert deliveries.run_deliveries(budget_seconds=30) == {"delivered": 40}
    assert sum(read) == 40, read

"""Events end to end on DynamoDB Local and its stream, as `make run` runs them: bookings made,
confirmed, cancelled and rejected over HTTP, and a review, reach a provider's receiver that is
down at first, each event once (after deduplicating on `webhook-id`), signed, and in order per
booking."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from standardwebhooks import Webhook

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.tokens import AccessClaims
from chalicelib.schemas.reviews import ReviewCreate
from chalicelib.schemas.webhooks import WebhookCreate
from chalicelib.services import bookings, deliveries, reviews, webhooks
from chalicelib.settings import get_settings
from scripts.local_stream import StreamPoller, start_workers
from tests.engine.test_booking_races import guest, hotel, request  # noqa: F401 - hotel is a fixture
from tests.factories import PASSWORD, provider_body, registration, room_body, stay_body
from tests.receiver import receiving

FAILURES = 3


class Receiver:
    """Answers 503 to the first FAILURES requests, then 204; keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append((headers, body))
            return 503 if len(self.received) <= FAILURES else 204


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()
    with receiving(lambda headers, body: (state.answer(headers, body), {}, b"")) as url:
        yield state, url


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local stream poller and sender, with retries a fraction of a second apart."""
    quick = get_settings().model_copy(update={"webhook_retry_delays_seconds": (0.2,) * 6})
    monkeypatch.setattr(deliveries, "get_settings", lambda: quick)
    stop = threading.Event()
    threads = start_workers(StreamPoller(start="LATEST"), stop, timer_seconds=None)
    yield
    stop.set()
    for thread in threads:
        thread.join(timeout=30)


def _token(base: str, body: dict) -> str:
    assert requests.post(f"{base}/api/auth/register", json=body, timeout=30).status_code == 201
    login = {"email": body["email"], "password": PASSWORD}
    return requests.post(f"{base}/api/auth/token", json=login, timeout=30).json()["access"]


def _call(method: str, url: str, token: str, body: dict | None = None, expect: int = 200) -> dict:
    reply = requests.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert reply.status_code == expect, reply.text
    return reply.json() if reply.content else {}


def test_a_receiver_down_at_first_gets_every_event_once_signed_and_in_order(
    live_api: str, receiver: tuple[Receiver, str], workers: None
) -> None:
    state, url = receiver
    provider = _call(
        "POST", f"{live_api}/api/accounts/become-provider", _token(live_api, registration()), provider_body(), 201
    )
    owner = provider["access"]
    kinds = ["booking.created", "booking.confirmed", "booking.cancelled", "booking.rejected"]
    hook = _call(
        "POST", f"{live_api}/api/accounts/provider-profile/webhooks", owner, {"url": url, "events": kinds}, 201
    )
    stay = _call("POST", f"{live_api}/api/listings/stays", owner, stay_body(), 201)
    room = _call("POST", f"{live_api}/api/listings/stays/{stay['id']}/rooms", owner, room_body(), 201)
    guest = _token(live_api, registration())
    start = date.today() + timedelta(days=20)

    def book(offset: int) -> str:
        body = {
            "stay_type": stay["stay_type"],
            "room_id": room["id"],
            "check_in": (start + timedelta(days=offset)).isoformat(),
            "check_out": (start + timedelta(days=offset + 2)).isoformat(),
            "guests": 1,
        }
        return _call("POST", f"{live_api}/api/bookings/rooms/room-booking", guest, body, 201)["id"]

    first, second = book(0), book(5)
    _call("POST", f"{live_api}/api/bookings/rooms/{first}/confirm", owner)
    _call("POST", f"{live_api}/api/bookings/rooms/{second}/reject", owner)
    _call("POST", f"{live_api}/api/bookings/rooms/{first}/cancel", guest)

    deadline = time.monotonic() + 90
    while len({h["webhook-id"] for h, _ in state.received[FAILURES:]}) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)

    signer = Webhook(hook["secret"])
    delivered: dict[str, dict] = {}
    order: dict[str, list[str]] = {first: [], second: []}
    for headers, body in state.received[FAILURES:]:
        event = signer.verify(body, headers)
        assert event["id"] == headers["webhook-id"]
        if event["id"] not in delivered:
            delivered[event["id"]] = event
            order[event["data"]["id"]].append(event["type"])
    assert order == {
        first: ["booking.created", "booking.confirmed", "booking.cancelled"],
        second: ["booking.created", "booking.rejected"],
    }
    # The failed attempts were retries of events later delivered, under the same webhook-id.
    assert {h["webhook-id"] for h, _ in state.received[:FAILURES]} <= set(delivered)
    log = _call("GET", f"{live_api}/api/accounts/provider-profile/webhooks/{hook['id']}/deliveries", owner)
    assert sorted(d["state"] for d in log["items"]) == ["DELIVERED"] * 5
    assert sum(d["attempt"] for d in log["items"]) == 5 + FAILURES


def test_a_new_review_reaches_the_providers_webhook_as_review_created(
    receiver: tuple[Receiver, str],
    workers: None,
    hotel: tuple[AccessClaims, str, str],  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A guest's review of a completed stay, written by the reviews service, comes out of the
    table's stream as a signed `review.created` with the review, after the receiver's failures."""
    state, url = receiver
    owner, _, room_id = hotel
    hook = webhooks.register(owner.provider_id or "", WebhookCreate(url=url, events=["review.created"]))
    stay_guest = guest()
    start = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=3)
    booking = bookings.create_booking(stay_guest, request(room_id, start, 2), None)
    bookings.confirm_booking(owner, booking.id)
    ahead = timedelta(days=6)  # past its check-out; a clock that still runs, for the retries
    bookings.run_timers(clock.utcnow() + ahead, budget_seconds=60)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime.now(UTC) + ahead)
    review = reviews.create_review(stay_guest, booking.id, ReviewCreate(rating=4, title="Quiet and clean"))

    deadline = time.monotonic() + 60
    while len(state.received) <= FAILURES and time.monotonic() < deadline:
        time.sleep(0.2)
    headers, body = state.received[-1]
    # Signed at the shifted clock's time, which the library's own verify() would call too new:
    # the library signs again, as of the sent timestamp, and the signature must be among those sent.
    sent_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    assert Webhook(hook.secret).sign(headers["webhook-id"], sent_at, body.decode()) in headers["webhook-signature"]
    event = json.loads(body)
    assert event["type"] == "review.created" and event["id"] == headers["webhook-id"]
    assert (event["data"]["id"], event["data"]["booking_id"], event["data"]["rating"]) == (review.id, booking.id, 4)
    # Every attempt carried the one event, under the same webhook-id.
    assert {h["webhook-id"] for h, _ in state.received} == {event["id"]}

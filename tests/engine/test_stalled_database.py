"""A stalled database: DynamoDB Local stopped (SIGSTOP) under the local server while clients
book, cancel and search, then resumed. Every request answers within the deadline, the only
5xx is 503, and after the clients retry their 503s with the same Idempotency-Key, every 201
a client saw is a booking in the table and no other booking is."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import requests

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.models.bookings import Booking, provider_bookings_pk
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest
from chalicelib.schemas.listings import RoomCreate, StayCreate
from chalicelib.services import accounts, auth, listings
from scripts import dynamodb_local
from tests.engine import conftest
from tests.factories import provider_body, registration, room_body, stay_body

DEADLINE, CONNECT, READ, RETRIES = 3.0, 1.0, 1.0, 2
# Past the deadline no new attempt starts, on the request's thread or the search's pool; one
# already sent may take its timeouts.
ANSWER_WITHIN = DEADLINE + READ + CONNECT + 2.0
STALL, CLIENTS = 8.0, 6


@pytest.fixture(scope="module")
def impatient_api() -> Iterator[str]:
    """The local server with short DynamoDB timeouts and deadline (the settings a stage sets)."""
    port = dynamodb_local.free_port()
    env = dict(
        os.environ,
        REQUEST_DEADLINE_SECONDS=str(DEADLINE),
        DYNAMODB_CONNECT_TIMEOUT_SECONDS=str(CONNECT),
        DYNAMODB_READ_TIMEOUT_SECONDS=str(READ),
        DYNAMODB_MAX_RETRY_ATTEMPTS=str(RETRIES),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts.local_server", "--port", str(port), "--stage", "test"],
        cwd=dynamodb_local.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()
    while not dynamodb_local.port_in_use(port):
        assert server.poll() is None and time.monotonic() < started + 60, "the local server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    dynamodb_local.stop(server)


@dataclass
class Seen:
    lock: threading.Lock = field(default_factory=threading.Lock)
    slowest: float = 0.0
    statuses: list[int] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    unanswered: list[tuple[str, dict, str]] = field(default_factory=list)  # token, body, key of 503s

    def timed(self, send: object, *args: object, **kwargs: object) -> requests.Response:
        started = time.monotonic()
        reply = send(*args, timeout=30, **kwargs)  # type: ignore[operator]
        with self.lock:
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.statuses.append(reply.status_code)
        return reply


def _client(base: str, token: str, rooms: list[str], seen: Seen, seed: int, until: float) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    first = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=40)
    mine: list[str] = []
    n = 0
    while time.monotonic() < until:
        n += 1
        check_in = first + timedelta(days=rng.randrange(60))
        dates = {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=1)).isoformat()}
        if mine and rng.random() < 0.2:
            seen.timed(session.post, f"{base}/api/bookings/rooms/{mine.pop()}/cancel")
        elif rng.random() < 0.3:
            seen.timed(session.get, f"{base}/api/listings/search/stays", params={"city": "Stall Town", **dates})
        else:
            body = {"stay_type": "hotel", "room_id": rng.choice(rooms), "guests": 1, **dates}
            key = f"stall-{seed}-{n}"
            reply = seen.timed(
                session.post, f"{base}/api/bookings/rooms/room-booking", json=body, headers={"Idempotency-Key": key}
            )
            with seen.lock:
                if reply.status_code == 201:
                    seen.created.add(reply.json()["id"])
                    mine.append(reply.json()["id"])
                elif reply.status_code == 503:
                    seen.unanswered.append((token, body, key))


def test_a_stalled_database_answers_503_in_time_and_retries_book_once(impatient_api: str) -> None:
    database = conftest._server
    assert database is not None
    owner = accounts.register(RegisterRequest(**registration()))
    provider, _ = accounts.become_provider(owner.id, BecomeProviderRequest(**provider_body()))
    stay = listings.create_stay(provider.id, StayCreate(**stay_body(city="Stall Town")))
    rooms = [listings.add_room(provider.id, stay.id, RoomCreate(**room_body())).id for _ in range(3)]
    guests = [accounts.register(RegisterRequest(**registration())) for _ in range(CLIENTS)]
    tokens = [auth.start_login(g).access for g in guests]
    seen = Seen()
    until = time.monotonic() + 2 + STALL + 3
    threads = [
        threading.Thread(target=_client, args=(impatient_api, t, rooms, seen, n, until)) for n, t in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    time.sleep(2)
    os.kill(database.pid, signal.SIGSTOP)
    try:
        time.sleep(STALL)
    finally:
        os.kill(database.pid, signal.SIGCONT)
    for thread in threads:
        thread.join()

    assert 503 in seen.statuses, "the stall was not felt"
    assert {s for s in seen.statuses if s >= 500} == {503}
    assert seen.slowest < ANSWER_WITHIN, f"a request took {seen.slowest:.1f} s"
    # The clients retry what got no answer; a booking that committed behind a 503 is returned, not made again.
    for token, body, key in seen.unanswered:
        reply = requests.post(
            f"{impatient_api}/api/bookings/rooms/room-booking",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=30,
        )
        assert reply.status_code in (201, 409), reply.text
        if reply.status_code == 201:
            seen.created.add(reply.json()["id"])
    stored = {b.id for b in Booking.gsi2.query(provider_bookings_pk(provider.id))}
    assert stored == seen.created, "a 201 without a booking, or a booking no client was told of"
    print(f"\nstall: {len(seen.statuses)} requests, 503s {seen.statuses.count(503)}, slowest {seen.slowest:.1f} s")

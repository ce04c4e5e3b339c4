"""Load over HTTP: 50 clients book, retry, cancel, confirm and provider-cancel at once on
`chalice local`; then an audit of the table proves the booking invariants held, and that
every cancelled booking's refund and fee add up and match its policy.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from chalicelib import clock
from chalicelib.domain import policies
from chalicelib.domain.bookings import holds_nights, local_instant, nights_of, today_in
from chalicelib.models.bookings import Booking, NightLock, nights_pk, provider_bookings_pk
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest
from chalicelib.schemas.listings import RoomCreate, StayCreate
from chalicelib.services import accounts, auth, listings
from tests.factories import provider_body, registration, room_body, stay_body

CLIENTS = 50
SECONDS = 15
ROOMS = 3
# Check-ins are 30-39 days ahead: the first tier has passed for some and not for others.
POLICY = {
    "name": "custom",
    "tiers": [{"days_before": 35, "refund_percent": 100}, {"days_before": 20, "refund_percent": 33}],
}


@dataclass
class Ledger:
    """What the clients saw."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    created: dict[str, dict] = field(default_factory=dict)  # booking id -> request body
    server_errors: list[str] = field(default_factory=list)
    replays: int = 0

    def saw(self, reply: requests.Response) -> None:
        with self.lock:
            self.statuses[reply.status_code] += 1
            if reply.status_code >= 500:
                self.server_errors.append(reply.text)


def _token(user_id: str) -> str:
    return auth.start_login(accounts.get_user(user_id)).access


def _guest_loop(base: str, token: str, room_ids: list[str], first_night: date, ledger: Ledger, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    mine: list[str] = []
    deadline = time.monotonic() + SECONDS
    n = 0
    while time.monotonic() < deadline:
        n += 1
        if mine and rng.random() < 0.25:
            reply = session.post(f"{base}/api/bookings/rooms/{mine.pop(rng.randrange(len(mine)))}/cancel", timeout=60)
            ledger.saw(reply)
            continue
        start = first_night + timedelta(days=rng.randrange(10))
        body = {
            "stay_type": "hotel",
            "room_id": rng.choice(room_ids),
            "check_in": start.isoformat(),
            "check_out": (start + timedelta(days=rng.randrange(1, 4))).isoformat(),
            "guests": 1,
        }
        key = {"Idempotency-Key": f"client-{seed}-{n}"}
        reply = session.post(f"{base}/api/bookings/rooms/room-booking", json=body, headers=key, timeout=60)
        ledger.saw(reply)
        if reply.status_code == 201:
            booking_id = reply.json()["id"]
            with ledger.lock:
                ledger.created[booking_id] = body
            mine.append(booking_id)
            if rng.random() < 0.3:  # a client that lost the answer retries the same request
                again = session.post(f"{base}/api/bookings/rooms/room-booking", json=body, headers=key, timeout=60)
                ledger.saw(again)
                assert again.status_code == 201 and again.json()["id"] == booking_id, again.text
                with ledger.lock:
                    ledger.replays += 1


def _provider_loop(base: str, token: str, provider_id: str, ledger: Ledger) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    deadline = time.monotonic() + SECONDS
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        listed = session.get(f"{base}/api/bookings/rooms/provider/{provider_id}?status=PENDING&limit=10", timeout=60)
        ledger.saw(listed)
        for booking in listed.json().get("items", [])[:3]:
            ledger.saw(session.post(f"{base}/api/bookings/rooms/{booking['id']}/confirm", timeout=60))
        if rounds % 3 == 0:  # now and then the provider cancels a confirmed booking itself
            confirmed = session.get(f"{base}/api/bookings/rooms/provider/{provider_id}?status=CONFIRMED", timeout=60)
            ledger.saw(confirmed)
            for booking in confirmed.json().get("items", [])[:1]:
                body = {"reason": "The room is under repair."}
                ledger.saw(
                    session.post(f"{base}/api/bookings/rooms/{booking['id']}/provider-cancel", json=body, timeout=60)
                )
        time.sleep(0.05)


def _audit_refunds(bookings: Iterable[Booking]) -> None:
    """Every booking holds the stay's policy with deadlines from its check-in; every cancelled
    one a refund and a fee that add up to its total, at its policy's percent for the moment
    it was cancelled (or 100 %: cancelled while PENDING, or by the provider)."""
    policy = policies.custom([policies.Tier(t["days_before"], t["refund_percent"]) for t in POLICY["tiers"]])
    cancelled = Counter()
    for booking in bookings:
        check_in_at = local_instant(date.fromisoformat(booking.check_in), "14:00", "Asia/Dhaka")
        assert booking.deadlines() == policies.deadlines(policy, check_in_at)
        if booking.status != "CANCELLED":
            assert booking.refund_amount is None and booking.cancellation_fee is None
            continue
        assert booking.cancelled_at is not None
        assert booking.refund_amount + booking.cancellation_fee == booking.total_price
        by_policy, _ = policies.refund_percent_at(booking.deadlines(), booking.cancelled_at)
        allowed = {100, by_policy} if booking.cancellation_reason == "CANCELLED_BY_GUEST" else {100}
        assert booking.refund_percent in allowed, (booking.cancellation_reason, booking.refund_percent)
        expected = policies.split(booking.total_price, booking.refund_percent, booking.currency)
        assert (booking.refund_amount, booking.cancellation_fee) == expected
        cancelled[(booking.cancellation_reason, booking.refund_percent)] += 1
    print(f"\nrefunds: {dict(cancelled)}")


def test_fifty_clients_never_break_the_booking_invariants(live_api: str) -> None:
    owner = accounts.register(RegisterRequest(**registration()))
    provider, _ = accounts.become_provider(owner.id, BecomeProviderRequest(**provider_body()))
    stay = listings.create_stay(
        provider.id, StayCreate.model_validate(stay_body(city="Load Town", cancellation_policy=POLICY))
    )
    room_ids = [listings.add_room(provider.id, stay.id, RoomCreate(**room_body())).id for _ in range(ROOMS)]
    guests = [accounts.register(RegisterRequest(**registration())).id for _ in range(CLIENTS - 2)]
    first_night = today_in("Asia/Dhaka", clock.utcnow()) + timedelta(days=30)
    ledger = Ledger()

    threads = [
        threading.Thread(target=_guest_loop, args=(live_api, _token(g), room_ids, first_night, ledger, n))
        for n, g in enumerate(guests)
    ]
    threads += [
        threading.Thread(target=_provider_loop, args=(live_api, _token(owner.id), provider.id, ledger))
        for _ in range(2)
    ]
    started = time.monotonic()
    for thread in threads:
        # A ramp-up, as load tools do: `chalice local` listens with a backlog of 5, and a
        # burst of 50 connects overflows it.
        thread.start()
        time.sleep(0.02)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    # The audit reads the table itself.
    stored = {b.id: b for b in Booking.gsi2.query(provider_bookings_pk(provider.id))}
    locks = list(NightLock.query(nights_pk(stay.id), consistent_read=True))
    held = {b.id: b for b in stored.values() if holds_nights(b.status)}
    by_booking: dict[str, set[tuple[str, str]]] = {}
    for lock in locks:
        by_booking.setdefault(lock.booking_id, set()).add((lock.night, lock.room_id))

    assert ledger.server_errors == []
    assert set(stored) == set(ledger.created), "a 201 without a booking, or a booking without a 201"
    assert len({(lock.night, lock.room_id) for lock in locks}) == len(locks)  # keys: a night is locked once
    assert set(by_booking) == set(held), "a lock of a freed booking, or a live booking without locks"
    for booking_id, booking in held.items():
        nights = nights_of(date.fromisoformat(booking.check_in), date.fromisoformat(booking.check_out))
        assert by_booking[booking_id] == {(n.isoformat(), booking.room_id) for n in nights}
    for booking in stored.values():  # priced night by night, the total their exact sum
        assert len(booking.nightly_prices) == booking.nights
        assert booking.total_price == sum(p.price for p in booking.nightly_prices)
    sold = [(n, b.room_id) for b in held.values() for n in by_booking[b.id]]
    assert len(sold) == len(set(sold)), "a night sold twice"
    _audit_refunds(stored.values())

    total = sum(ledger.statuses.values())
    print(
        f"\nload: {CLIENTS} clients, {elapsed:.1f} s, {total} requests ({total / elapsed:.0f}/s), "
        f"statuses {dict(sorted(ledger.statuses.items()))}, bookings {len(stored)} "
        f"({Counter(b.status for b in stored.values())}), replays {ledger.replays}, locks {len(locks)}"
    )

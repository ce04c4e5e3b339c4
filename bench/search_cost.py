"""Search cost against unrelated data: `python -m bench.search_cost` (or `make bench`).

On DynamoDB Local, a stay search in a city of STAYS x ROOMS for NIGHTS nights is
measured through the endpoint in-process, first with a baseline table, then with
SCALE times more stays in other cities and SCALE times more bookings outside the
date range. It prints the DynamoDB requests, read capacity units, sequential steps
and latency of both, and their ratios; it exits 1 when the scaled search costs more
than 1.05 times the baseline in requests or read units.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

from bench import dynamodb

dynamodb.start()

from chalice.test import Client  # noqa: E402

from app import app  # noqa: E402
from bench.meter import Meter  # noqa: E402
from chalicelib import clock  # noqa: E402
from chalicelib.domain.bookings import today_in  # noqa: E402
from chalicelib.domain.ids import new_child_id, new_id  # noqa: E402
from chalicelib.domain.tokens import AccessClaims  # noqa: E402
from chalicelib.errors import Conflict  # noqa: E402
from chalicelib.models.base import TableItem, create_table  # noqa: E402
from chalicelib.models.listings import Room, Stay  # noqa: E402
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest  # noqa: E402
from chalicelib.schemas.bookings import BookingCreate  # noqa: E402
from chalicelib.search.access import MAX_PARALLEL_QUERIES  # noqa: E402
from chalicelib.services import accounts, bookings  # noqa: E402

TARGET_CITY = "Dhaka"
WINDOW_START = 30  # days from today


def seed_stays(provider_id: str, city: str, stays: int, rooms: int, rng: random.Random) -> list[Room]:
    made: list[Room] = []
    now = clock.utcnow()
    with TableItem.batch_write() as batch:
        for n in range(stays):
            stay = Stay(
                id=new_id(),
                provider_id=provider_id,
                stay_type=rng.choice(["hotel", "homestay", "resort"]),
                name=f"{city} stay {n}",
                description="",
                address="1 Road",
                city=city,
                country="BD",
                timezone="Asia/Dhaka",
                currency="BDT",
                check_in_time="14:00",
                check_out_time="12:00",
                room_count=rooms,
                rating_count=(count := rng.randrange(0, 8)),
                rating_sum=sum(rng.randrange(1, 6) for _ in range(count)),
                created_at=now,
                updated_at=now,
                version=1,
            )
            own = []
            for r in range(rooms):
                room = Room(
                    id=new_child_id(stay.id),
                    stay_id=stay.id,
                    room_type="double",
                    room_name=f"Room {r}",
                    price_per_night=rng.randrange(1000, 9000),
                    max_guest_per_room=rng.randrange(1, 5),
                    created_at=now,
                    updated_at=now,
                    version=1,
                    **Room.copied_from(stay),
                )
                batch.save(room)
                own.append(room)
            stay.summarize(own)
            batch.save(stay)
            made += own
    return made


def book(guest: AccessClaims, rooms: list[Room], count: int, days: range, rng: random.Random) -> int:
    today = today_in("Asia/Dhaka", clock.utcnow())
    made = 0
    while made < count:
        room = rng.choice(rooms)
        start = today + timedelta(days=rng.choice(days))
        body = BookingCreate.model_validate(
            {
                "stay_type": room.stay_type,
                "room_id": room.id,
                "check_in": start,
                "check_out": start + timedelta(days=rng.randrange(1, 4)),
                "guests": 1,
            }
        )
        try:
            bookings.create_booking(guest, body, None)
        except Conflict:
            continue
        made += 1
    return made


def measure(client: Client, meter: Meter, query: str, runs: int) -> dict[str, float]:
    for _ in range(3):
        client.http.get(f"/api/listings/search/stays?{query}")
    requests, units, steps, observed, latencies = [], [], [], [], []
    for _ in range(runs):
        meter.reset()
        started = time.perf_counter()
        reply = client.http.get(f"/api/listings/search/stays?{query}")
        latencies.append((time.perf_counter() - started) * 1000)
        assert reply.status_code == 200, reply.body
        requests.append(len(meter.calls))
        units.append(meter.read_units)
        index_pages = sum(1 for c in meter.calls if c.index)
        lock_queries = len(meter.calls) - index_pages
        # Each step of the walk reads its index pages, then its stays (two Queries each) on the
        # pool at once: at least one wave per step, one per MAX_PARALLEL_QUERIES queries.
        steps.append(index_pages + -(-lock_queries // MAX_PARALLEL_QUERIES))
        observed.append(meter.observed_steps())
    latencies.sort()
    return {
        "requests": statistics.median(requests),
        "read_units": statistics.median(units),
        "steps": max(steps),
        "observed_steps": statistics.median(observed),
        "max_parallel": meter.max_in_flight,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stays", type=int, default=20)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--nights", type=int, default=7)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=40, help="baseline bookings outside the range, per side")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(20261123)
    create_table()

    owner = accounts.register(
        RegisterRequest(
            email="bench-owner@example.com",
            phone="+8801711000000",
            full_name="Bench Owner",
            password="bench owner passphrase",
        )
    )
    provider, _ = accounts.become_provider(
        owner.id,
        BecomeProviderRequest(
            business_name="Bench",
            business_email="b@example.com",
            business_phone="+8801811000000",
            business_address="Bench Road",
        ),
    )
    user = accounts.register(
        RegisterRequest(
            email="bench-guest@example.com",
            phone="+8801711000001",
            full_name="Bench Guest",
            password="bench guest passphrase",
        )
    )
    guest = AccessClaims(user_id=user.id, roles=("guest",), provider_id=None)

    target = seed_stays(provider.id, TARGET_CITY, args.stays, args.rooms, rng)
    elsewhere = seed_stays(provider.id, "Elsewhere 0", args.stays, args.rooms, rng)
    window = range(WINDOW_START, WINDOW_START + args.nights)
    outside = range(WINDOW_START + args.nights + 1, 300)
    book(guest, target, args.stays, window, rng)  # the same inside bookings in both runs
    book(guest, target, args.bookings, outside, rng)
    book(guest, elsewhere, args.bookings, outside, rng)

    today = today_in("Asia/Dhaka", clock.utcnow())
    check_in = today + timedelta(days=WINDOW_START)
    query = f"city={TARGET_CITY}&check_in={check_in}&check_out={check_in + timedelta(days=args.nights)}&limit=100"
    meter = Meter()
    meter.attach(TableItem._get_connection().connection.client)
    with Client(app, stage_name="test") as client:
        baseline = measure(client, meter, query, args.runs)
        for n in range(1, args.scale):
            elsewhere += seed_stays(provider.id, f"Elsewhere {n}", args.stays, args.rooms, rng)
        book(guest, target, args.bookings * (args.scale - 1), outside, rng)
        book(guest, elsewhere, args.bookings * (args.scale - 1), outside, rng)
        scaled = measure(client, meter, query, args.runs)

    print("## Search against unrelated data\n")
    print(
        f"A stay search in a city of {args.stays} stays x {args.rooms} rooms over {args.nights} nights, "
        f"{args.runs} runs each: a baseline table, then {args.scale}x more stays in other cities and "
        f"{args.scale}x more bookings outside the dates. Requests, read units and steps must not grow "
        "(ratio <= 1.05).\n"
    )
    print(f"| | baseline | x{args.scale} data | ratio |")
    print("|---|---|---|---|")
    failed = False
    for name in ("requests", "read_units", "steps", "observed_steps", "max_parallel", "p50_ms", "p95_ms"):
        ratio = scaled[name] / baseline[name] if baseline[name] else 1.0
        print(f"| {name.replace('_', ' ')} | {baseline[name]:.1f} | {scaled[name]:.1f} | {ratio:.2f} |")
        if name in ("requests", "read_units") and ratio > 1.05:
            failed = True
    print(
        "\n*steps*: index pages plus waves of lock queries (all handed to the pool at once); "
        "*observed steps*: calls grouped by overlap in time. "
        + ("FAIL" if failed else "OK: the cost does not grow with unrelated data.")
        + "\n"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Reads that must not grow with unrelated data: `python -m bench.scaling [--scale N]`.

- the timer job's reads with 100 due bookings among 100, and among 100 x SCALE bookings;
- a guest's list of 10 bookings beside 10 x SCALE bookings of other guests;
- a provider's list of its 10 PENDING bookings beside 10 x SCALE newer COMPLETED ones of its own.

Bookings are written straight into the table (BatchWriteItem) to build the data fast;
what is measured goes through the app. Both halves of a row have the same shape: the
due bookings are spread evenly over the timer shards (their ids are drawn until each
shard has its share), so a count differs only if the design reads what it should not.
Exits 1 when a ratio exceeds 1.05, or the timer job reads more pages than its shards
and due bookings call for.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from bench import dynamodb

dynamodb.start()

from chalice.test import Client  # noqa: E402

from app import app  # noqa: E402
from bench.meter import Meter  # noqa: E402
from chalicelib import clock  # noqa: E402
from chalicelib.domain.ids import new_id  # noqa: E402
from chalicelib.models.base import TableItem, create_table  # noqa: E402
from chalicelib.models.bookings import (  # noqa: E402
    TIMER_SHARDS,
    Booking,
    GuestSnapshot,
    ProviderSnapshot,
    RoomSnapshot,
    StaySnapshot,
    timer_shard_of,
)
from chalicelib.services.bookings import run_timers  # noqa: E402
from tests.factories import Api, sign_up, sign_up_provider  # noqa: E402

LIMIT = 1.05
DUE = 100
# The timer job's page size (services/bookings.py, `run_timers`).
TIMER_PAGE = 25


def evenly_sharded_ids(count: int) -> list[str]:
    """`count` booking ids, as many in each timer shard (the last shards take any remainder)."""
    quota = [
        count // TIMER_SHARDS + (1 if s >= TIMER_SHARDS - count % TIMER_SHARDS else 0) for s in range(TIMER_SHARDS)
    ]
    ids: list[str] = []
    while len(ids) < count:
        candidate = new_id()
        shard = timer_shard_of(candidate)
        if quota[shard]:
            quota[shard] -= 1
            ids.append(candidate)
    return ids


def timer_pages(due: int) -> int:
    """The Queries the design allows: per shard, its due bookings' pages and one more that
    finds the rest empty (a full page always has a next page to ask for)."""
    per_shard = [len(range(s, due, TIMER_SHARDS)) for s in range(TIMER_SHARDS)]
    return sum(n // TIMER_PAGE + 1 for n in per_shard)


def write_bookings(
    count: int,
    *,
    guest_id: str,
    due_in: timedelta,
    status: str = "PENDING",
    provider_id: str = "bench-provider",
    made_in: timedelta = timedelta(0),
) -> None:
    """`count` bookings (PENDING unless said) of `provider_id` falling due `due_in` from now
    (negative: already due), spread evenly over the timer shards, made `made_in` from now
    and a minute apart."""
    now = clock.utcnow()
    with TableItem.batch_write() as batch:
        for n, booking_id in enumerate(evenly_sharded_ids(count)):
            stay_id = new_id()
            batch.save(
                Booking(
                    id=booking_id,
                    status=status,
                    guest_id=guest_id,
                    provider_id=provider_id,
                    stay_id=stay_id,
                    room_id=f"{stay_id}.{new_id()}",
                    check_in="2027-01-01",
                    check_out="2027-01-02",
                    nights=1,
                    guests=1,
                    price_per_night=100,
                    total_price=100,
                    currency="BDT",
                    due_at=now + due_in,
                    guest=GuestSnapshot(id=guest_id, full_name="G", email="g@example.com"),
                    provider=ProviderSnapshot(id=provider_id, business_name="B", business_phone="+8801811000000"),
                    room=RoomSnapshot(id="r", room_name="R", room_type="t", price_per_night=100, max_guest_per_room=2),
                    stay=StaySnapshot(
                        id=stay_id,
                        type="hotel",
                        name="S",
                        address="A",
                        city="C",
                        country="BD",
                        timezone="Asia/Dhaka",
                        check_in_time="14:00",
                        check_out_time="12:00",
                    ),
                    created_at=now + made_in - timedelta(minutes=n),
                    updated_at=now,
                    version=1,
                )
            )


def timer_reads(meter: Meter) -> tuple[int, float]:
    meter.reset()
    summary = run_timers(clock.utcnow(), budget_seconds=600)
    assert summary["expired"] == DUE, summary
    queries = [c for c in meter.calls if c.operation == "Query"]
    return len(queries), sum(c.read_units for c in queries)


def list_reads(api: Api, meter: Meter, path: str, token: str) -> tuple[int, float]:
    meter.reset()
    reply = api.get(path, token=token)
    assert reply.status == 200 and len(reply.body["items"]) == 10, reply.body
    return len(meter.calls), meter.read_units


def row(name: str, base: tuple[int, float], scaled: tuple[int, float]) -> bool:
    ratios = [s / b if b else 1.0 for b, s in zip(base, scaled, strict=True)]
    ok = all(r <= LIMIT for r in ratios)
    print(
        f"| {name} | {base[0]} / {base[1]:.1f} | {scaled[0]} / {scaled[1]:.1f} | "
        f"{ratios[0]:.2f} / {ratios[1]:.2f} | {'ok' if ok else 'FAIL'} |"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100, help="how many times more unrelated bookings")
    args = parser.parse_args()
    create_table()
    meter = Meter()
    meter.attach(TableItem._get_connection().connection.client)
    print(
        f"## Scaling\n\nRequests / read units, baseline beside {args.scale}x unrelated data; "
        f"each ratio must stay at or under {LIMIT}.\n"
    )
    print("| what | baseline | with unrelated data | ratio | |")
    print("|---|---|---|---|---|")

    write_bookings(DUE, guest_id="due-guest", due_in=-timedelta(hours=1))
    base = timer_reads(meter)
    write_bookings(DUE, guest_id="due-guest", due_in=-timedelta(hours=1))
    write_bookings(DUE * args.scale - DUE, guest_id="later-guest", due_in=timedelta(days=30))
    scaled = timer_reads(meter)
    ok = row(f"timer job: {DUE} due among {DUE} / among {DUE * args.scale}", base, scaled)
    pages_ok = max(base[0], scaled[0]) <= timer_pages(DUE)
    ok &= pages_ok

    with Client(app, stage_name="test") as client:
        api = Api(client)
        guest = sign_up(api)
        write_bookings(10, guest_id=guest.id, due_in=timedelta(days=30))
        mine = "/api/bookings/rooms/my?limit=20"
        base = list_reads(api, meter, mine, guest.access)
        for n in range(args.scale):
            write_bookings(10, guest_id=f"other-{n}", due_in=timedelta(days=30))
        ok &= row(
            f"a guest's 10 bookings beside {10 * args.scale} of others",
            base,
            list_reads(api, meter, mine, guest.access),
        )
        provider = sign_up_provider(api)
        theirs = f"/api/bookings/rooms/provider/{provider.provider_id}?status=PENDING&limit=20"
        theirs_id, later = provider.provider_id or "", timedelta(days=30)
        write_bookings(10, guest_id="their-guest", due_in=later, provider_id=theirs_id)
        base = list_reads(api, meter, theirs, provider.access)
        write_bookings(
            10 * args.scale,
            guest_id="their-guest",
            due_in=later,
            provider_id=theirs_id,
            status="COMPLETED",
            made_in=later,
        )
        ok &= row(
            f"a provider's 10 PENDING bookings beside {10 * args.scale} newer COMPLETED",
            base,
            list_reads(api, meter, theirs, provider.access),
        )
    print(
        f"\nThe timer job read {scaled[0]} pages for {DUE} due bookings over {TIMER_SHARDS} shards of pages of "
        f"{TIMER_PAGE}; the design allows {timer_pages(DUE)} (per shard, its pages and one that finds the "
        f"rest empty): {'ok' if pages_ok else 'FAIL'}.\n"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

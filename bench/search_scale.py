"""Search cost against the size of the city: `python -m bench.search_scale` (or `make bench`).

On DynamoDB Local, the first page of 20 cards (or 20 rooms) of each sort in a city of SMALL
stays and in one of LARGE stays (x ROOMS rooms each, the same share of rooms booked in the
dates, ratings drawn alike), through the endpoint in-process. A call whose read budget runs
out answers a short page with a cursor: the page of 20 is then what the calls that follow the
cursor until 20 have come cost together. It prints the calls, requests, read units and p50
latency of both cities and their ratios, then the requests per call of walking a fully booked
LARGE city to its end. Exits 1 when a ratio of requests or read units is above 1.5, a p50
ratio above 2, or a call of the fully booked walk reads more than one request's budget.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import quote

from bench.search_cost import seed_stays  # starts DynamoDB Local first  # isort: skip
from chalice.test import Client

from app import app
from bench.meter import Meter
from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.domain.ids import new_id
from chalicelib.models.base import TableItem, create_table
from chalicelib.models.bookings import NightLock
from chalicelib.models.listings import Room
from chalicelib.services.search_walk import INDEX_PAGE_SIZE, MAX_INDEX_PAGES, MAX_STAYS

SORTS = {
    "stays, price_asc": "/api/listings/search/stays?sort=price_asc",
    "stays, price_desc": "/api/listings/search/stays?sort=price_desc",
    "stays, rating_desc": "/api/listings/search/stays?sort=rating_desc",
    "rooms/available": "/api/listings/rooms/available?",
}
BUDGET = MAX_INDEX_PAGES + 2 * MAX_STAYS


def lock(rooms: list[Room], nights: list[str]) -> None:
    with NightLock.batch_write() as batch:
        for room in rooms:
            for night in nights:
                batch.save(NightLock(stay_id=room.stay_id, room_id=room.id, night=night, booking_id=new_id()))


def first_page(client: Client, meter: Meter, path: str, want: int = 20) -> tuple[int, int, int, float, float]:
    """Items, calls, requests, read units and ms until `want` items have come, following the cursor."""
    calls = requests = items = 0
    units = elapsed = 0.0
    cursor: str | None = None
    while items < want:
        meter.reset()
        started = time.perf_counter()
        reply = client.http.get(path + (f"&cursor={quote(cursor)}" if cursor else ""))
        elapsed += (time.perf_counter() - started) * 1000
        assert reply.status_code == 200, reply.body
        calls, requests, units = calls + 1, requests + len(meter.calls), units + meter.read_units
        items += len(reply.json_body["items"])
        cursor = reply.json_body["next_cursor"]
        if cursor is None:
            break
    return items, calls, requests, units, elapsed


def measure(client: Client, meter: Meter, path: str, runs: int) -> dict[str, float]:
    for _ in range(2):
        client.http.get(path)
    pages = [first_page(client, meter, path) for _ in range(runs)]
    items, calls, requests, units, elapsed = (statistics.median(column) for column in zip(*pages, strict=True))
    return {"items": items, "calls": calls, "requests": requests, "read_units": units, "p50_ms": elapsed}


def walk_to_the_end(client: Client, meter: Meter, path: str) -> tuple[int, int, int, float]:
    """Calls, items and the most requests of one call, walking every page; and ms per call."""
    calls = items = most = 0
    cursor: str | None = None
    started = time.perf_counter()
    while True:
        meter.reset()
        reply = client.http.get(path + (f"&cursor={quote(cursor)}" if cursor else ""))
        assert reply.status_code == 200, reply.body
        calls, most = calls + 1, max(most, len(meter.calls))
        items += len(reply.json_body["items"])
        cursor = reply.json_body["next_cursor"]
        if cursor is None or calls > 10_000:
            return calls, items, most, (time.perf_counter() - started) * 1000 / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--booked", type=float, default=0.3, help="share of rooms booked in the dates")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(20261124)
    create_table()
    today = today_in("Asia/Dhaka", clock.utcnow())
    check_in = today + timedelta(days=30)
    nights = [(check_in + timedelta(days=n)).isoformat() for n in range(2)]
    cities = {}
    for name, stays in (("Small Town", args.small), ("Large City", args.large)):
        rooms = seed_stays("bench-provider", name, stays, args.rooms, rng)
        lock([room for room in rooms if rng.random() < args.booked], nights[:1])
        cities[name] = rooms
    dates = f"check_in={check_in}&check_out={check_in + timedelta(days=2)}&limit=20"
    meter = Meter()
    meter.attach(TableItem._get_connection().connection.client)
    failed = False
    print("## Search against the size of the city\n")
    print(
        f"The first 20 cards of each sort in a city of {args.small} stays and of {args.large} stays "
        f"(x {args.rooms} rooms, {args.booked:.0%} of rooms booked in the dates), {args.runs} runs each, "
        "medians. Requests and read units may grow at most 1.5x, p50 at most 2x. A call answers at "
        "most its read budget; when that runs out first the page is short, and the 20 cards are what "
        "the calls that follow its cursor until 20 have come cost together.\n"
    )
    sizes = f"{args.small} / {args.large}"
    print(
        f"| 20 cards of | items {sizes} | calls {sizes} | requests {sizes} | RRU {sizes} | p50 ms {sizes} "
        "| ratios req / RRU / p50 |"
    )
    print("|---|---|---|---|---|---|---|")
    with Client(app, stage_name="test") as client:
        for label, path in SORTS.items():
            small, large = (measure(client, meter, f"{path}&city={quote(c)}&{dates}", args.runs) for c in cities)
            ratios = {k: large[k] / small[k] if small[k] else 1.0 for k in ("requests", "read_units", "p50_ms")}
            bad = ratios["requests"] > 1.5 or ratios["read_units"] > 1.5 or ratios["p50_ms"] > 2
            failed |= bad
            print(
                f"| {label} | {small['items']:.0f} / {large['items']:.0f} "
                f"| {small['calls']:.0f} / {large['calls']:.0f} "
                f"| {small['requests']:.0f} / {large['requests']:.0f} "
                f"| {small['read_units']:.1f} / {large['read_units']:.1f} "
                f"| {small['p50_ms']:.0f} / {large['p50_ms']:.0f} "
                f"| {ratios['requests']:.2f} / {ratios['read_units']:.2f} / {ratios['p50_ms']:.2f}"
                f"{' FAIL' if bad else ''} |"
            )
        lock(cities["Large City"], nights[1:])
        one_night = f"check_in={nights[1]}&check_out={check_in + timedelta(days=2)}&limit=20"
        full = f"/api/listings/search/stays?city={quote('Large City')}&{one_night}"
        calls, items, most, per_call = walk_to_the_end(client, meter, full)
    print()
    bad = most > BUDGET or items != 0
    failed |= bad
    print(
        f"A fully booked city of {args.large} stays: {calls} calls to walk to the end, {items} cards, "
        f"at most {most} DynamoDB requests per call (budget {BUDGET}: {MAX_INDEX_PAGES} index pages of "
        f"{INDEX_PAGE_SIZE}, {MAX_STAYS} stays x 2 Queries), {per_call:.0f} ms per call."
        + (" FAIL" if bad else " OK.")
        + "\n"
    )
    print(
        "*items*: cards (rooms) that came, 20 unless the city has fewer; *calls*: requests to the API "
        "that it took, following `next_cursor`.\n"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

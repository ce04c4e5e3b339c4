"""Every endpoint of the API: what it asks of DynamoDB and how long it takes, in-process.

    python -m bench.endpoints [--runs N] [--stays N]

For each operation, through chalice's test client on DynamoDB Local: the DynamoDB
requests made and the sequential steps they took (counted by botocore hooks), read
and write capacity units, p50 / p95 latency, and our own overhead (the time outside
DynamoDB calls), beside the minimum the design allows. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench import dynamodb

dynamodb.start()

from chalice.test import Client  # noqa: E402

from app import app  # noqa: E402
from bench.meter import Call, Meter  # noqa: E402
from chalicelib import clock  # noqa: E402
from chalicelib.domain.bookings import today_in  # noqa: E402
from chalicelib.handlers import routes  # noqa: E402
from chalicelib.handlers.http import OPERATIONS  # noqa: E402
from chalicelib.models.base import TableItem, create_table  # noqa: E402
from chalicelib.services.accounts import create_admin  # noqa: E402
from tests.factories import (  # noqa: E402
    PASSWORD,
    Api,
    Person,
    add_room,
    create_stay,
    provider_body,
    registration,
    room_body,
    sign_up,
    sign_up_provider,
    stay_body,
)

Request = tuple[str, str, Any, str | None, dict[str, str]]


@dataclass
class Endpoint:
    method: str
    path: str
    minimum: str
    make: Callable[[], Request]
    expect: int
    # The minimum's sequential DynamoDB steps: more is a design regression (exit 1).
    steps: int
    # A bearer route's account check (services/caller.py) is one GetItem more, beside its first
    # read; a route that writes first must wait for it, one step more.
    writes_first: bool = False


_ACCOUNT_CHECK = {
    False: "; + the account check: off the user item if read, else a GetItem beside the first read",
    True: "; + the account check (GetItem) before the write, 1 step more",
}


def dynamodb_seconds(calls: list[Call]) -> float:
    """Wall time covered by DynamoDB calls (overlapping calls counted once)."""
    total, end = 0.0, 0.0
    for call in sorted(calls, key=lambda c: c.started):
        start = max(call.started, end)
        if call.ended > start:
            total += call.ended - start
        end = max(end, call.ended)
    return total


class World:
    def __init__(self, api: Api, stays: int) -> None:
        self.api = api
        self.provider = sign_up_provider(api)
        self.stays = [create_stay(api, self.provider, name=f"Stay {n}") for n in range(stays)]
        self.rooms = [
            add_room(api, self.provider, s["id"], room_name=f"Room {r}") for s in self.stays for r in range(5)
        ]
        self.guest = sign_up(api)
        create_admin("bench-admin@example.com", PASSWORD)
        self.admin = api.post("/api/auth/token", {"email": "bench-admin@example.com", "password": PASSWORD}).body[
            "access"
        ]
        self.today = today_in("Asia/Dhaka", clock.utcnow())
        self.next_day = 10

    def booking_body(self, room: dict | None = None) -> dict:
        """A booking of two free nights: each call moves on, so none conflicts with another."""
        self.next_day += 2
        check_in = self.today + timedelta(days=self.next_day % 360 + 1)
        return {
            "stay_type": "hotel",
            "room_id": (room or self.rooms[0])["id"],
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": 1,
        }

    def booking(self, guest: Person | None = None) -> str:
        reply = self.api.post(
            "/api/bookings/rooms/room-booking", self.booking_body(self.rooms[1]), token=(guest or self.guest).access
        )
        assert reply.status == 201, reply.body
        return str(reply.body["id"])

    def rates(self) -> dict:
        """Weekend and season prices and a minimum stay, as a provider would set them."""
        start = self.today + timedelta(days=1)
        return {
            "rules": [
                {"from": str(start), "to": str(start + timedelta(days=90)), "price_per_night": 5000, "min_stay": 2},
                {
                    "from": str(start),
                    "to": str(start + timedelta(days=365)),
                    "weekdays": [5, 6],
                    "price_per_night": 6000,
                },
            ]
        }

    def month(self) -> str:
        return f"from={self.today}&to={self.today + timedelta(days=31)}"

    def dates(self) -> str:
        check_in = self.today + timedelta(days=40)
        return f"check_in={check_in}&check_out={check_in + timedelta(days=7)}"


def endpoints(w: World) -> list[Endpoint]:
    p, g = w.provider, w.guest
    stay_id, room_id = w.stays[0]["id"], w.rooms[0]["id"]

    def fresh_guest() -> Person:
        return sign_up(w.api)

    def fresh_stay() -> str:
        stay = create_stay(w.api, p)
        add_room(w.api, p, stay["id"])
        return str(stay["id"])

    def fresh_room() -> str:
        return str(add_room(w.api, p, stay_id)["id"])

    def new_login() -> str:
        return str(w.api.post("/api/auth/token", {"email": g.email, "password": PASSWORD}).body["refresh"])

    return [
        Endpoint("GET", "/api/health", "1 GetItem", lambda: ("GET", "/api/health", None, None, {}), 200, 1),
        Endpoint("GET", "/api/openapi.json", "none", lambda: ("GET", "/api/openapi.json", None, None, {}), 200, 0),
        Endpoint(
            "POST",
            "/api/auth/register",
            "1 TransactWriteItems",
            lambda: ("POST", "/api/auth/register", registration(), None, {}),
            201,
            1,
        ),
        Endpoint(
            "POST",
            "/api/auth/token",
            "2 GetItem (email, user), 1 PutItem (login)",
            lambda: ("POST", "/api/auth/token", {"email": g.email, "password": PASSWORD}, None, {}),
            200,
            3,
        ),
        Endpoint(
            "POST",
            "/api/auth/token/refresh",
            "1 UpdateItem (rotate), 1 GetItem (roles)",
            lambda: ("POST", "/api/auth/token/refresh", {"refresh": new_login()}, None, {}),
            200,
            2,
        ),
        Endpoint(
            "POST",
            "/api/auth/logout",
            "1 UpdateItem",
            lambda: ("POST", "/api/auth/logout", {"refresh": new_login()}, g.access, {}),
            204,
            1,
            writes_first=True,
        ),
        Endpoint("GET", "/api/auth/me", "1 GetItem", lambda: ("GET", "/api/auth/me", None, g.access, {}), 200, 1),
        Endpoint(
            "GET",
            "/api/accounts/guest-profile",
            "1 GetItem",
            lambda: ("GET", "/api/accounts/guest-profile", None, g.access, {}),
            200,
            1,
        ),
        Endpoint(
            "PATCH",
            "/api/accounts/guest-profile",
            "1 UpdateItem",
            lambda: ("PATCH", "/api/accounts/guest-profile", {"nationality": "BD"}, g.access, {}),
            200,
            1,
            writes_first=True,
        ),
        Endpoint(
            "POST",
            "/api/accounts/become-provider",
            "1 TransactWriteItems, then a login (GetItem, PutItem)",
            lambda: ("POST", "/api/accounts/become-provider", provider_body(), fresh_guest().access, {}),
            201,
            3,
            writes_first=True,
        ),
        Endpoint(
            "GET",
            "/api/accounts/provider-profile",
            "1 GetItem",
            lambda: ("GET", "/api/accounts/provider-profile", None, p.access, {}),
            200,
            1,
        ),
        Endpoint(
            "PATCH",
            "/api/accounts/provider-profile",
            "1 UpdateItem; a new name or phone: then 1 Query (its stays), 1 UpdateItem per stay in parallel",
            lambda: ("PATCH", "/api/accounts/provider-profile", {"business_name": "Renamed"}, p.access, {}),
            200,
            3,
            writes_first=True,
        ),
        Endpoint(
            "GET",
            "/api/providers/{provider_id}",
            "1 GetItem",
            lambda: ("GET", f"/api/providers/{p.provider_id}", None, None, {}),
            200,
            1,
        ),
        Endpoint(
            "POST",
            "/api/admin/providers/{provider_id}/kyc",
            "1 UpdateItem",
            lambda: ("POST", f"/api/admin/providers/{p.provider_id}/kyc", {"kyc_status": "VERIFIED"}, w.admin, {}),
            200,
            1,
            writes_first=True,
        ),
        Endpoint(
            "POST",
            "/api/listings/stays",
            "1 GetItem (provider), 1 TransactWriteItems (stay, profile check)",
            lambda: ("POST", "/api/listings/stays", stay_body(), p.access, {}),
            201,
            2,
        ),
        Endpoint(
            "GET",
            "/api/listings/stays/{stay_id}",
            "1 Query",
            lambda: ("GET", f"/api/listings/stays/{stay_id}", None, None, {}),
            200,
            1,
        ),
        Endpoint(
            "PATCH",
            "/api/listings/stays/{stay_id}",
            "1 Query, 1 PutItem",
            lambda: ("PATCH", f"/api/listings/stays/{stay_id}", {"name": "Renamed"}, p.access, {}),
            200,
            2,
        ),
        Endpoint(
            "DELETE",
            "/api/listings/stays/{stay_id}",
            "1 Query (stay), 1 Query (locks), TransactWriteItems (off sale), 1 Query (locks), TransactWriteItems",
            lambda: ("DELETE", f"/api/listings/stays/{fresh_stay()}", None, p.access, {}),
            204,
            5,
        ),
        Endpoint(
            "GET",
            "/api/listings/my-stays",
            "1 Query",
            lambda: ("GET", "/api/listings/my-stays", None, p.access, {}),
            200,
            1,
        ),
        Endpoint(
            "POST",
            "/api/listings/stays/{stay_id}/rooms",
            "1 Query, 1 TransactWriteItems",
            lambda: ("POST", f"/api/listings/stays/{fresh_stay()}/rooms", room_body(), p.access, {}),
            201,
            2,
        ),
        Endpoint(
            "PATCH",
            "/api/listings/stays/{stay_id}/rooms/{room_id}",
            "1 Query, 1 TransactWriteItems (room, stay's bounds)",
            lambda: ("PATCH", f"/api/listings/stays/{stay_id}/rooms/{room_id}", {"room_name": "R"}, p.access, {}),
            200,
            2,
        ),
        Endpoint(
            "DELETE",
            "/api/listings/stays/{stay_id}/rooms/{room_id}",
            "1 Query (stay), 1 Query (locks), TransactWriteItems (off sale), 1 Query (locks), TransactWriteItems",
            lambda: ("DELETE", f"/api/listings/stays/{stay_id}/rooms/{fresh_room()}", None, p.access, {}),
            204,
            5,
        ),
        Endpoint(
            "GET",
            "/api/listings/stays/{stay_id}/rooms/{room_id}/rates",
            "1 GetItem",
            lambda: ("GET", f"/api/listings/stays/{stay_id}/rooms/{room_id}/rates", None, None, {}),
            200,
            1,
        ),
        Endpoint(
            "PUT",
            "/api/listings/stays/{stay_id}/rooms/{room_id}/rates",
            "1 Query, 1 TransactWriteItems (room, stay's bounds)",
            lambda: ("PUT", f"/api/listings/stays/{stay_id}/rooms/{room_id}/rates", w.rates(), p.access, {}),
            200,
            2,
        ),
        Endpoint(
            "GET",
            "/api/listings/stays/{stay_id}/calendar",
            "1 Query (stay, rooms, rules), 1 Query (locks): 2 steps",
            lambda: ("GET", f"/api/listings/stays/{stay_id}/calendar?{w.month()}", None, None, {}),
            200,
            2,
        ),
        Endpoint(
            "GET",
            "/api/listings/rooms/available",
            "index pages, then 2 Queries per stay reached, in parallel",
            lambda: ("GET", f"/api/listings/rooms/available?city=Dhaka&{w.dates()}", None, None, {}),
            200,
            2,
        ),
        Endpoint(
            "GET",
            "/api/listings/search/stays",
            "index pages, then 2 Queries per stay reached, in parallel",
            lambda: ("GET", f"/api/listings/search/stays?city=Dhaka&{w.dates()}", None, None, {}),
            200,
            2,
        ),
        Endpoint(
            "POST",
            "/api/bookings/rooms/room-booking",
            "1 read, 1 TransactWriteItems",
            lambda: (
                "POST",
                "/api/bookings/rooms/room-booking",
                w.booking_body(),
                fresh_guest().access,
                {"Idempotency-Key": f"bench-{time.monotonic_ns()}"},
            ),
            201,
            2,
        ),
        Endpoint(
            "GET",
            "/api/bookings/rooms/my",
            "1 Query",
            lambda: ("GET", "/api/bookings/rooms/my", None, g.access, {}),
            200,
            1,
        ),
        Endpoint(
            "GET",
            "/api/bookings/rooms/provider/{provider_id}",
            "1 Query",
            lambda: ("GET", f"/api/bookings/rooms/provider/{p.provider_id}", None, p.access, {}),
            200,
            1,
        ),
        Endpoint(
            "GET",
            "/api/bookings/rooms/{booking_id}",
            "1 GetItem",
            lambda: ("GET", f"/api/bookings/rooms/{w.booking()}", None, g.access, {}),
            200,
            1,
        ),
        Endpoint(
            "POST",
            "/api/bookings/rooms/{booking_id}/cancel",
            "1 GetItem, 1 TransactWriteItems",
            lambda: ("POST", f"/api/bookings/rooms/{w.booking()}/cancel", None, g.access, {}),
            200,
            2,
        ),
        Endpoint(
            "POST",
            "/api/bookings/rooms/{booking_id}/confirm",
            "1 GetItem, 1 TransactWriteItems",
            lambda: ("POST", f"/api/bookings/rooms/{w.booking(fresh_guest())}/confirm", None, p.access, {}),
            200,
            2,
        ),
        Endpoint(
            "POST",
            "/api/bookings/rooms/{booking_id}/reject",
            "1 GetItem, 1 TransactWriteItems",
            lambda: ("POST", f"/api/bookings/rooms/{w.booking(fresh_guest())}/reject", None, p.access, {}),
            200,
            2,
        ),
    ]


def measure(api: Api, meter: Meter, endpoint: Endpoint, runs: int) -> dict[str, float]:
    rows: list[dict[str, float]] = []
    for _ in range(runs):
        method, path, body, token, headers = endpoint.make()
        meter.reset()
        started = time.perf_counter()
        reply = api.call(method, path, body, token=token, headers=headers)
        elapsed = time.perf_counter() - started
        assert reply.status == endpoint.expect, (endpoint.path, reply.body)
        rows.append(
            {
                "requests": len(meter.calls),
                "steps": meter.observed_steps(),
                "rru": meter.read_units,
                "wru": meter.estimated_write_units,
                "ms": elapsed * 1000,
                "own_ms": (elapsed - dynamodb_seconds(meter.calls)) * 1000,
            }
        )
    latencies = sorted(r["ms"] for r in rows)
    return {
        **{k: statistics.median(r[k] for r in rows) for k in ("requests", "steps", "rru", "wru", "own_ms")},
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="measured calls per endpoint")
    parser.add_argument("--stays", type=int, default=20, help="stays of 5 rooms in the searched city")
    args = parser.parse_args()
    create_table()
    meter = Meter()
    meter.attach(TableItem._get_connection().connection.client)
    with Client(app, stage_name="test") as client:
        api = Api(client)
        world = World(api, args.stays)
        print(
            f"## Per endpoint\n\n{args.runs} calls each, in-process through chalice's test client, on DynamoDB "
            f"Local; a city of {args.stays} stays x 5 rooms. Medians, except p95.\n"
        )
        print("| endpoint | DynamoDB requests | sequential steps | RRU | WRU | p50 ms | p95 ms | own ms | minimum |")
        print("|---|---|---|---|---|---|---|---|---|")
        over = []
        routes.load_all()
        bearer = {(op.method, op.path) for op in OPERATIONS if op.auth != "none"}
        for endpoint in endpoints(world):
            m = measure(api, meter, endpoint, args.runs)
            checked = (endpoint.method, endpoint.path) in bearer
            requests, steps = endpoint.steps + checked, endpoint.steps + (checked and endpoint.writes_first)
            # A sequential endpoint's requests are its steps (and the account check); parallel
            # ones are bounded by bench.search_cost (the search) or by their pool (32 at once).
            if "parallel" not in endpoint.minimum and (m["requests"] > requests or m["steps"] > steps):
                over.append(f"`{endpoint.method} {endpoint.path}`")
            minimum = endpoint.minimum + (_ACCOUNT_CHECK[endpoint.writes_first] if checked else "")
            print(
                f"| `{endpoint.method} {endpoint.path}` | {m['requests']:.0f} | {m['steps']:.0f} | {m['rru']:.1f} "
                f"| {m['wru']:.1f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['own_ms']:.1f} | {minimum} |"
            )
    print(
        "\nRRU are DynamoDB Local's figures; WRU are computed from the items written by AWS's sizing "
        "rules (DynamoDB Local reports a flat figure for transactions). *Own ms* is the time outside "
        "DynamoDB calls: our code, pydantic, PyJWT, argon2 at a test cost, and Chalice."
    )
    print(
        "\nEvery sequential endpoint made at most the requests and steps of its minimum.\n"
        if not over
        else f"\nFAIL: more requests or steps than the minimum: {', '.join(over)}.\n"
    )
    print(
        "Two minimums are one step more than a bare write because of the provider snapshot that "
        "lets a booking be made in 2 steps: creating a stay reads the provider and checks in its "
        "transaction that the profile did not change meanwhile; a profile PATCH of the business "
        "name or phone then queries the provider's stays and updates each (1 write unit per KB of "
        "each stay), in parallel. Both are rare beside bookings. Deleting a stay or a room is 5 steps "
        "by design: it looks for bookings from today on (a refusal then touches nothing), takes the "
        "rooms off sale (a booking in flight then fails its version check), looks again, and only "
        "then deletes.\n"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

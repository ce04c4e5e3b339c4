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

from bench import dynamodb

dynamodb.start()

from chalice.test import Client  # noqa: E402

from app import app  # noqa: E402
from bench.endpoint_table import endpoints  # noqa: E402
from bench.endpoint_world import Endpoint, World  # noqa: E402
from bench.meter import Call, Meter  # noqa: E402
from chalicelib.handlers import routes  # noqa: E402
from chalicelib.handlers.http import OPERATIONS  # noqa: E402
from chalicelib.models.base import TableItem, create_table  # noqa: E402
from tests.factories import Api  # noqa: E402

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
            checked = (endpoint.method, endpoint.path.split("?")[0]) in bearer  # a row may add a query
            requests = (endpoint.requests or endpoint.steps) + checked
            steps = endpoint.steps + (checked and endpoint.writes_first)
            # A sequential endpoint's requests are its steps (and the account check); one with
            # a known count at once is held to that count; other parallel ones are bounded by
            # bench.search_cost (the search) or by their pool (32 at once).
            if endpoint.requests is not None:
                regressed = m["requests"] > requests
            else:
                sequential = "parallel" not in endpoint.minimum
                regressed = sequential and (m["requests"] > requests or m["steps"] > steps)
            if regressed:
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
        "\nEvery sequential endpoint made at most the requests and steps of its minimum, and every one "
        "with requests at once at most their count.\n"
        if not over
        else f"\nFAIL: more requests or steps than the minimum: {', '.join(over)}.\n"
    )
    print(
        "Two minimums are one step more than a bare write because of the provider snapshot that "
        "lets a booking be made in 2 steps: creating a stay reads the provider and checks in its "
        "transaction that the profile did not change meanwhile; a profile PATCH of the business "
        "name or phone then queries the provider's stays and updates each (1 write unit per KB of "
        "each stay), in parallel. Both are rare beside bookings. Deleting a stay or a room is 5 steps "
        "by design: it looks for bookings from today on (a refusal then touches nothing), pauses the "
        "rooms' sales (a booking in flight then fails its version check), looks again, and only "
        "then deletes.\n"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

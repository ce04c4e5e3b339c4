"""Bookings per second over HTTP: `python -m bench.throughput [--bookings N]`.

`chalice local` serves the app on DynamoDB Local; 1, 4 and 16 clients book different
rooms (no conflicts), then 16 clients race for the same nights of one room. Prints
bookings per second, outcomes, and the CPU the API server and DynamoDB Local used.
Beside them, the reference: boto3 alone sending DynamoDB Local the booking's own requests
(its BatchGetItem and its transaction, the same keys and items as a booking the API made)
from 16 clients, in three rounds each right after one of the API's at 16 clients, once both
paths have warmed DynamoDB Local; the ratio is of the medians. The transaction alone too.
Exits 1 only when a night of the contended room was sold twice or not accounted for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import dynamodb

dynamodb.start()

import boto3  # noqa: E402
import requests  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from chalicelib import clock  # noqa: E402
from chalicelib.domain.bookings import today_in  # noqa: E402
from chalicelib.models.base import create_table  # noqa: E402
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest  # noqa: E402
from chalicelib.schemas.listings import RoomCreate, StayCreate  # noqa: E402
from chalicelib.services import accounts, auth, listings  # noqa: E402
from chalicelib.settings import get_settings  # noqa: E402
from scripts import dynamodb_local  # noqa: E402
from tests.factories import provider_body, registration, room_body, stay_body  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def java_pid() -> int:
    out = subprocess.run(["pgrep", "-f", "DynamoDBLocal.jar"], capture_output=True, text=True).stdout.split()
    return int(out[-1])


def serve() -> tuple[subprocess.Popen[bytes], str]:
    port = dynamodb_local.free_port()
    chalice = str(Path(sys.executable).parent / "chalice")
    server = subprocess.Popen(
        [chalice, "local", "--no-autoreload", "--host", "127.0.0.1", "--port", str(port), "--stage", "test"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not dynamodb_local.port_in_use(port):
        time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def run(base: str, jobs: list[list[dict]], token: str) -> tuple[float, Counter[int]]:
    """Each job is one client's bookings, sent one after the other; all clients at once."""
    outcomes: Counter[int] = Counter()
    lock = threading.Lock()

    def client(bodies: list[dict]) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for body in bodies:
            status = session.post(f"{base}/api/bookings/rooms/room-booking", json=body, timeout=60).status_code
            with lock:
                outcomes[status] += 1

    threads = [threading.Thread(target=client, args=(bodies,)) for bodies in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, outcomes


def one_night(room_id: str, day: date) -> dict:
    return {
        "stay_type": "hotel",
        "room_id": room_id,
        "check_in": str(day),
        "check_out": str(day + timedelta(days=1)),
        "guests": 1,
    }


def scan_kind(kind: str) -> list[dict[str, Any]]:
    settings = get_settings()
    table = boto3.resource("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.aws_region)
    items: list[dict[str, Any]] = []
    scan: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.Table(settings.table_name).scan(**scan)
        items += [i for i in page["Items"] if i.get("kind") == kind]
        if "LastEvaluatedKey" not in page:
            return items
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def row(label: str, base: str, jobs: list[list[dict]], token: str, server: int, db: int) -> tuple[Counter[int], float]:
    """Run the clients, print their row of the table, give back the outcomes and the seconds."""
    api_cpu, db_cpu = cpu_seconds(server), cpu_seconds(db)
    elapsed, outcomes = run(base, jobs, token)
    api_cpu, db_cpu = cpu_seconds(server) - api_cpu, cpu_seconds(db) - db_cpu
    other = sum(outcomes.values()) - outcomes[201] - outcomes[409]
    print(
        f"| {len(jobs)} | {label} | {outcomes[201] / elapsed:.1f} | {outcomes[201]} | {outcomes[409]} | {other} | "
        f"{100 * api_cpu / elapsed:.0f}% | {100 * db_cpu / elapsed:.0f}% |"
    )
    return outcomes, elapsed


def raw_bookings(per_client: list[int], template: dict[str, Any], read: bool, run: str) -> tuple[float, int, int]:
    """The booking's DynamoDB requests from boto3 alone, each client on its own keys: with
    `read`, its strongly consistent BatchGetItem (stay, room, guest) and then its
    TransactWriteItems, as the API sends them; without, the transaction alone. A lost race
    (TransactionConflict) is retried, as the API does. Gives back the seconds, the
    transactions committed and the retries. `run` keeps each run's keys its own."""
    settings = get_settings()
    client = boto3.client(
        "dynamodb",
        endpoint_url=settings.dynamodb_endpoint,
        region_name=settings.aws_region,
        config=Config(max_pool_connections=32, retries={"max_attempts": 1}),
    )
    counts = Counter[str]()
    lock = threading.Lock()

    def items(client_no: int, n: int) -> list[dict[str, Any]]:
        tag = f"raw-{run}-{client_no}-{n}"
        booking = {**template["booking"], "pk": {"S": f"BOOKING#{tag}"}}
        night = {**template["lock"], "pk": {"S": f"NIGHTS#{tag}"}}
        new = {"TableName": settings.table_name, "ConditionExpression": "attribute_not_exists(pk)"}
        return [
            {"ConditionCheck": {**template["room"], "ConditionExpression": "attribute_exists(pk)"}},
            {"Put": {**new, "Item": booking}},
            {"Put": {**new, "Item": night}},
            {
                "Update": {
                    **template["user"],
                    "UpdateExpression": "ADD pending_bookings :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]

    def run_client(client_no: int, count: int) -> None:
        for n in range(count):
            if read:
                client.batch_get_item(RequestItems=template["read"])
            while True:
                try:
                    client.transact_write_items(TransactItems=items(client_no, n))
                    break
                except ClientError as exc:
                    reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
                    if "TransactionConflict" not in reasons:
                        raise
                    with lock:
                        counts["retries"] += 1
                    time.sleep(0.01)
            with lock:
                counts["committed"] += 1

    threads = [threading.Thread(target=run_client, args=(c, n)) for c, n in enumerate(per_client)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, counts["committed"], counts["retries"]


def booking_template(guest_id: str) -> dict[str, Any]:
    """A booking, a night lock, the room and the guest as the API wrote them: keys and items."""
    settings = get_settings()
    table = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.aws_region)
    found: dict[str, Any] = {}
    for page in table.get_paginator("scan").paginate(TableName=settings.table_name):
        for item in page["Items"]:
            found.setdefault(item["kind"]["S"], item)
    key = {"TableName": settings.table_name}
    room = {"pk": found["Room"]["pk"], "sk": found["Room"]["sk"]}
    user = {"pk": {"S": f"USER#{guest_id}"}, "sk": {"S": "USER"}}
    stay = {"pk": found["Stay"]["pk"], "sk": found["Stay"]["sk"]}
    return {
        "booking": found["Booking"],
        "lock": found["NightLock"],
        "room": {**key, "Key": room},
        "user": {**key, "Key": user},
        "read": {settings.table_name: {"Keys": [stay, room, user], "ConsistentRead": True}},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=96, help="bookings per level")
    args = parser.parse_args()
    create_table()
    owner = accounts.register(RegisterRequest(**registration()))
    provider, _ = accounts.become_provider(owner.id, BecomeProviderRequest(**provider_body()))
    stay = listings.create_stay(provider.id, StayCreate(**stay_body()))
    rooms = [listings.add_room(provider.id, stay.id, RoomCreate(**room_body())).id for _ in range(17)]
    guest = accounts.register(RegisterRequest(**registration()))
    token = auth.start_login(guest).access
    today = today_in("Asia/Dhaka", clock.utcnow())
    server, base = serve()
    db = java_pid()
    print("## Throughput over HTTP\n")
    print(
        f"`chalice local` (one process, threads) on DynamoDB Local, {args.bookings} bookings per row, "
        "each of 1 night.\n"
    )
    print("| clients | rooms | bookings/s | 201 | 409 | other | API server CPU | DynamoDB Local CPU |")
    print("|---|---|---|---|---|---|---|---|")
    per_client = [args.bookings // 16] * 16
    api_rates: list[float] = []
    raw_rates: list[float] = []
    template: dict[str, Any] = {}
    try:
        offset = 1
        for clients in (1, 4, 16, 16, 16):
            per = args.bookings // clients
            jobs = [
                [one_night(rooms[c], today + timedelta(days=offset + n)) for n in range(per)] for c in range(clients)
            ]
            offset += per + 1
            if clients == 16:
                if not template:  # DynamoDB Local's JIT warmed on the raw path as on the API's
                    template = booking_template(guest.id)
                    raw_bookings(per_client, template, read=True, run="warm-up")
                outcomes, elapsed = row(f"16 different, round {len(api_rates) + 1}", base, jobs, token, server.pid, db)
                api_rates.append(outcomes[201] / elapsed)
                seconds, committed, _ = raw_bookings(per_client, template, read=True, run=f"round-{len(api_rates)}")
                raw_rates.append(committed / seconds)
            else:
                row(f"{clients} different", base, jobs, token, server.pid, db)
        rounds = args.bookings // 16
        jobs = [[one_night(rooms[16], today + timedelta(days=200 + r)) for r in range(rounds)] for _ in range(16)]
        contended, _ = row(f"1 contended, {rounds} nights", base, jobs, token, server.pid, db)
    finally:
        dynamodb_local.stop(server)
    # Every night went to exactly one client; the others were told 409 (or, their retries
    # spent on lost transaction races, 503): none sold twice, none lost.
    nights_sold = len({lock["sk"] for lock in scan_kind("NightLock") if lock["sk"] >= str(today + timedelta(days=200))})
    ok = contended[201] == nights_sold <= rounds and sum(contended.values()) == 16 * rounds
    ok &= contended[201] + contended[409] + contended[503] == 16 * rounds
    print(
        f"\nOn the contended room each of {rounds} nights was sold at most once, every sale a 201 "
        f"({contended[201]} sold, {contended[409]} refused, {contended[503]} busy): {'yes' if ok else 'NO'}. "
        "CPU is per process, 100% = one core of the machine's 2.\n"
    )
    bare_seconds, bare, _ = raw_bookings(per_client, template, read=False, run="bare")
    print("### Reference: the booking's DynamoDB requests alone\n")
    print(
        f"boto3 alone, 16 clients, {sum(per_client)} bookings' worth of DynamoDB requests on DynamoDB Local: "
        "the booking's strongly consistent BatchGetItem (stay, room, guest), then its TransactWriteItems "
        "(room check, booking, night lock, guest counter), the same keys and items as a booking the API "
        "made. Each round runs right after the API's round at 16 clients above, on a DynamoDB Local "
        "warmed on both paths beforehand, and the ratio is of the medians. What the API adds is the HTTP "
        "server, our code, and their CPU beside DynamoDB Local's on the same 2 cores. The transaction "
        "alone is shown too.\n"
    )
    print("| round | API bookings/s | raw bookings/s | ratio |")
    print("|---|---|---|---|")
    for n, (api, raw) in enumerate(zip(api_rates, raw_rates, strict=True), start=1):
        print(f"| {n} | {api:.1f} | {raw:.1f} | {api / raw:.2f} |")
    ratio = statistics.median(api_rates) / statistics.median(raw_rates)
    print(f"| median | {statistics.median(api_rates):.1f} | {statistics.median(raw_rates):.1f} | {ratio:.2f} |")
    print(
        f"\nRatio API / raw booking {ratio:.2f}: goal >= 0.5 {'met' if ratio >= 0.5 else 'NOT met'}. "
        f"The transaction alone from boto3: {bare / bare_seconds:.1f} per second.\n"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

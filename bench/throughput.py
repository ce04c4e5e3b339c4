"""Bookings per second over HTTP: `python -m bench.throughput [--bookings N]`.

`chalice local` serves the app on DynamoDB Local; 1, 4 and 16 clients book different
rooms (no conflicts), then 16 clients race for the same nights of one room. Prints
bookings per second, outcomes, and the CPU the API server and DynamoDB Local used.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from bench import dynamodb

dynamodb.start()

import requests  # noqa: E402

from chalicelib import clock  # noqa: E402
from chalicelib.domain.bookings import today_in  # noqa: E402
from chalicelib.models.base import create_table  # noqa: E402
from chalicelib.schemas.accounts import BecomeProviderRequest, RegisterRequest  # noqa: E402
from chalicelib.schemas.listings import RoomCreate, StayCreate  # noqa: E402
from chalicelib.services import accounts, auth, listings  # noqa: E402
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


def row(label: str, base: str, jobs: list[list[dict]], token: str, server: int, db: int) -> Counter[int]:
    """Run the clients, print their row of the table, give back the outcomes."""
    api_cpu, db_cpu = cpu_seconds(server), cpu_seconds(db)
    elapsed, outcomes = run(base, jobs, token)
    api_cpu, db_cpu = cpu_seconds(server) - api_cpu, cpu_seconds(db) - db_cpu
    other = sum(outcomes.values()) - outcomes[201] - outcomes[409]
    print(
        f"| {len(jobs)} | {label} | {outcomes[201] / elapsed:.1f} | {outcomes[201]} | {outcomes[409]} | {other} | "
        f"{100 * api_cpu / elapsed:.0f}% | {100 * db_cpu / elapsed:.0f}% |"
    )
    return outcomes


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
    try:
        offset = 1
        for clients in (1, 4, 16):
            per_client = args.bookings // clients
            jobs = [
                [one_night(rooms[c], today + timedelta(days=offset + n)) for n in range(per_client)]
                for c in range(clients)
            ]
            offset += per_client + 1
            row(f"{clients} different", base, jobs, token, server.pid, db)
        rounds = args.bookings // 16
        jobs = [[one_night(rooms[16], today + timedelta(days=200 + r)) for r in range(rounds)] for _ in range(16)]
        outcomes = row(f"1 contended, {rounds} nights", base, jobs, token, server.pid, db)
    finally:
        dynamodb_local.stop(server)
    ok = outcomes[201] == rounds and outcomes[409] == 15 * rounds
    print(
        f"\nOn the contended room every night was sold exactly once: {'yes' if ok else 'NO'}. CPU is per "
        "process, 100% = one core of the machine's 2.\n"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

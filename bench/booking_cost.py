"""What creating, confirming and cancelling a booking asks of DynamoDB: `python -m bench.booking_cost`.

Through the endpoints in-process on DynamoDB Local, counted by botocore hooks
(`bench.meter`): requests, sequential steps, read and write capacity units, for a
booking of 1, 3 and 7 nights. DynamoDB Local reports 2.0 units for any transaction,
so write units are also estimated by AWS's sizing rules from the items sent.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

from bench import dynamodb

dynamodb.start()
os.environ.update(PASSWORD_HASH_TIME_COST="1", PASSWORD_HASH_MEMORY_KIB="1024", PASSWORD_HASH_PARALLELISM="1")

from chalice.test import Client  # noqa: E402

from app import app  # noqa: E402
from bench.meter import Meter  # noqa: E402
from chalicelib import clock  # noqa: E402
from chalicelib.domain.bookings import today_in  # noqa: E402
from chalicelib.models.base import TableItem, create_table  # noqa: E402
from tests.factories import Api, add_room, create_stay, sign_up, sign_up_provider  # noqa: E402


def main() -> int:
    create_table()
    meter = Meter()
    meter.attach(TableItem._get_connection().connection.client)
    with Client(app, stage_name="test") as client:
        api = Api(client)
        provider = sign_up_provider(api)
        stay = create_stay(api, provider)
        room = add_room(api, provider, stay["id"])
        guest = sign_up(api)
        today = today_in("Asia/Dhaka", clock.utcnow())
        print(f"{'operation':34}{'requests':>9}{'steps':>7}{'RRU':>7}{'WRU':>7}{'WRU (AWS rules)':>17}")
        for n, nights in enumerate((1, 3, 7)):
            check_in = today + timedelta(days=10 + 10 * n)
            body = {
                "stay_type": "hotel",
                "room_id": room["id"],
                "check_in": check_in.isoformat(),
                "check_out": (check_in + timedelta(days=nights)).isoformat(),
                "guests": 1,
            }
            steps = [
                (f"create, {nights} nights, with key", "POST", "/api/bookings/rooms/room-booking", guest, body),
            ]
            for label, method, path, who, sent in steps:
                meter.reset()
                reply = api.call(method, path, sent, token=who.access, headers={"Idempotency-Key": f"k{n}"})
                assert reply.status == 201, reply.body
                booking_id = reply.body["id"]
                print(
                    f"{label:34}{len(meter.calls):>9}{meter.observed_steps():>7}"
                    f"{meter.read_units:>7.1f}{meter.write_units:>7.1f}{meter.estimated_write_units:>17.1f}"
                )
            for label, action, who in (("confirm", "confirm", provider), ("cancel", "cancel", guest)):
                meter.reset()
                reply = api.post(f"/api/bookings/rooms/{booking_id}/{action}", token=who.access)
                assert reply.status == 200, reply.body
                print(
                    f"{f'{label}, {nights} nights':34}{len(meter.calls):>9}{meter.observed_steps():>7}"
                    f"{meter.read_units:>7.1f}{meter.write_units:>7.1f}{meter.estimated_write_units:>17.1f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

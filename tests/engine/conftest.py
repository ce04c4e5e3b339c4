"""Engine tier: the models on Amazon DynamoDB Local, which this conftest starts and stops.

DynamoDB Local runs in memory on a free port for the whole session; the table is
created once and every test makes its own unique data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from scripts import dynamodb_local

_server: subprocess.Popen[bytes] | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _server
    port = dynamodb_local.free_port()
    log = Path(tempfile.gettempdir()) / f"dynamodb-local-{port}.log"
    _server = dynamodb_local.start(port, db_path=None, log_path=log)
    os.environ["DYNAMODB_ENDPOINT"] = f"http://127.0.0.1:{port}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server is not None:
        dynamodb_local.stop(_server)


@pytest.fixture(scope="session", autouse=True)
def table() -> Iterator[None]:
    from chalicelib.models.base import create_table

    create_table()
    yield


@pytest.fixture
def dynamodb():
    return boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"])


@pytest.fixture(scope="session")
def live_api(table: None) -> Iterator[str]:
    """The app as `make run` serves it (`scripts/local_server.py`), on a free port, on this session's DynamoDB Local."""
    port = dynamodb_local.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts.local_server", "--host", "127.0.0.1", "--port", str(port), "--stage", "test"],
        cwd=dynamodb_local.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not dynamodb_local.port_in_use(port):
        assert server.poll() is None and time.monotonic() < deadline, "chalice local did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    dynamodb_local.stop(server)

"""Engine tier: the models on Amazon DynamoDB Local, which this conftest starts and stops.

DynamoDB Local runs in memory on a free port for the whole session; the table is
created once and every test makes its own unique data.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
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
def dynamodb():  # noqa: ANN201 - boto3 client types are not installed
    return boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"])

"""The local stream poller of `make run` on DynamoDB Local's stream: a record that keeps
failing is retried, then dead-lettered, and the shard goes on after it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chalicelib.settings import get_settings
from scripts import local_stream
from scripts.local_stream import StreamPoller


def _poll_until(poller: StreamPoller, done, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        poller.poll()
        time.sleep(0.2)


def test_a_poison_record_is_retried_then_dead_lettered_and_the_next_goes_through(
    dynamodb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_stream, "RECORD_ATTEMPTS", 2)
    checkpoint, dead = tmp_path / "checkpoint.json", tmp_path / "dead.jsonl"
    poller = StreamPoller(start="LATEST", checkpoint=checkpoint, dead_letters=dead)
    poller.poll()  # take the iterators now, before the writes
    table = get_settings().table_name
    # A booking item no model can read: building its event fails every time.
    poison = {"pk": {"S": "BOOKING#poison"}, "sk": {"S": "BOOKING"}, "kind": {"S": "Booking"}}
    dynamodb.put_item(TableName=table, Item=poison)
    _poll_until(poller, dead.exists)
    letters = [json.loads(line) for line in dead.read_text().splitlines()]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in letters] == ["BOOKING#poison"]
    after = dict(json.loads(checkpoint.read_text()))
    dynamodb.put_item(TableName=table, Item={**poison, "kind": {"S": "NoEvent"}, "pk": {"S": "OTHER#after"}})
    _poll_until(poller, lambda: json.loads(checkpoint.read_text()) != after)
    assert json.loads(checkpoint.read_text()) != after
    assert len(dead.read_text().splitlines()) == 1
    for key in ("BOOKING#poison", "OTHER#after"):  # leave the shared table as other tests expect it
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": key}, "sk": {"S": "BOOKING"}})

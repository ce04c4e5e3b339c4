"""What AWS runs beside the API, run locally: the stream function, the sender and the timer job.

`make run` starts this as its third process (`python -m scripts.local_stream`). It reads
DynamoDB Local's stream of the table shard by shard, in order, and hands the records to
the same `process_records` as the Lambda on the stream; sends due webhook deliveries
every second; and runs the timer job every TIMER_RATE_MINUTES (fractions allowed, for a
demo). There is no EventBridge here: events go as JSON lines to EVENTS_FILE.

A record that keeps failing is retried a few times, with growing waits (its shard waits
with it, to keep the order), then written to the dead-letter file and passed over, so
that it never blocks its shard forever (on AWS: the SQS queue on the event source's
failure destination).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import boto3

from chalicelib import clock
from chalicelib.logs import configure_logging
from chalicelib.services import deliveries, events
from chalicelib.services.bookings import run_timers
from chalicelib.settings import get_settings

log = logging.getLogger("local_stream")
RECORD_ATTEMPTS = 5


class StreamPoller:
    """Reads the table's stream as Lambda would: each shard in order, a child after its parent."""

    def __init__(self, *, start: str, checkpoint: Path | None = None, dead_letters: Path | None = None) -> None:
        settings = get_settings()
        endpoint, region = settings.dynamodb_endpoint, settings.aws_region
        self._dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self._streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name=region)
        self._table = settings.table_name
        self._start = start  # TRIM_HORIZON or LATEST, for shards without a checkpoint
        self._checkpoint = checkpoint
        self._dead_letters = dead_letters
        self._done: dict[str, str] = json.loads(checkpoint.read_text()) if checkpoint and checkpoint.exists() else {}
        self._iterators: dict[str, str | None] = {}
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, str] = {}  # shard: the failed record to read again
        self._not_before: dict[str, float] = {}  # shard: when to try its failed record again
        self._closed: set[str] = set()
        self.stream_arn = self._stream_arn()
        # Shards that exist now start at `start`; shards born later are read from their start.
        self._known = {shard["ShardId"] for shard in self._shards()}

    def _stream_arn(self) -> str:
        table = self._dynamodb.describe_table(TableName=self._table)["Table"]
        if "LatestStreamArn" not in table:  # a table made before the stream was declared
            spec = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            table = self._dynamodb.update_table(TableName=self._table, StreamSpecification=spec)["TableDescription"]
        return str(table["LatestStreamArn"])

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: dict[str, str] = {}
        while True:
            answer = self._streams.describe_stream(StreamArn=self.stream_arn, **start)["StreamDescription"]
            shards += answer["Shards"]
            if not answer.get("LastEvaluatedShardId"):
                return shards
            start = {"ExclusiveStartShardId": answer["LastEvaluatedShardId"]}

    def _iterator(self, shard_id: str) -> str | None:
        if shard_id not in self._iterators:
            kwargs: dict[str, str] = {
                "ShardIteratorType": "TRIM_HORIZON" if shard_id not in self._known else self._start
            }
            if shard_id in self._retry_at:
                kwargs = {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": self._retry_at[shard_id]}
            elif shard_id in self._done:
                kwargs = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._done[shard_id]}
            answer = self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **kwargs)
            self._iterators[shard_id] = answer["ShardIterator"]
        return self._iterators[shard_id]

    def _advance(self, shard_id: str, sequence: str) -> None:
        self._done[shard_id] = sequence
        if self._checkpoint is not None:
            self._checkpoint.write_text(json.dumps(self._done))

    def _dead_letter(self, record: dict[str, Any]) -> None:
        log.error("stream record dead-lettered", extra={"event_id": record.get("eventID")})
        if self._dead_letters is not None:
            with self._dead_letters.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, default=str) + "\n")

    def _read(self, shard_id: str) -> None:
        if time.monotonic() < self._not_before.get(shard_id, 0.0):
            return
        iterator = self._iterator(shard_id)
        if iterator is None:
            self._closed.add(shard_id)
            return
        answer = self._streams.get_records(ShardIterator=iterator, Limit=100)
        records = answer["Records"]
        failed = events.process_records(records)
        if not failed:
            self._retry_at.pop(shard_id, None)
            self._iterators[shard_id] = answer.get("NextShardIterator")
            if records:
                self._advance(shard_id, records[-1]["dynamodb"]["SequenceNumber"])
            return
        # Done up to the failed record; read again from it next time, or pass it over.
        position = next(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] == failed[0])
        if position:
            self._advance(shard_id, records[position - 1]["dynamodb"]["SequenceNumber"])
        self._failures[failed[0]] = self._failures.get(failed[0], 0) + 1
        self._retry_at[shard_id] = failed[0]
        # Growing waits (1, 2, 4, 8 s): a blip of the database is not a poison record.
        self._not_before[shard_id] = time.monotonic() + 2 ** (self._failures[failed[0]] - 1)
        if self._failures[failed[0]] >= RECORD_ATTEMPTS:
            self._dead_letter(records[position])
            self._advance(shard_id, failed[0])
            del self._retry_at[shard_id]
        self._iterators.pop(shard_id)

    def poll(self) -> None:
        """One pass over every open shard whose parent is drained."""
        shards = self._shards()
        ids = {shard["ShardId"] for shard in shards}
        for shard in shards:
            parent = shard.get("ParentShardId")
            if shard["ShardId"] in self._closed or (parent in ids and parent not in self._closed):
                continue
            self._read(shard["ShardId"])


def _every(seconds: float, job: Callable[[], Any], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            job()
        except Exception:  # a failed pass is logged and tried again next time
            log.exception("local job failed")
        stop.wait(seconds)


def start_workers(
    poller: StreamPoller, stop: threading.Event, *, timer_seconds: float | None
) -> list[threading.Thread]:
    """Threads for the stream, the deliveries and (when `timer_seconds`) the timer job."""
    jobs: list[tuple[float, Callable[[], Any]]] = [
        (0.5, poller.poll),
        (1.0, lambda: deliveries.run_deliveries(budget_seconds=5.0)),
    ]
    if timer_seconds is not None:
        jobs.append((timer_seconds, lambda: run_timers(clock.utcnow(), budget_seconds=30.0)))
    threads = [threading.Thread(target=_every, args=(s, j, stop), daemon=True) for s, j in jobs]
    for thread in threads:
        thread.start()
    return threads


def main() -> int:
    settings = get_settings()
    configure_logging(settings.log_level)
    data = Path(settings.events_file or ".data/events.jsonl").parent
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    poller = StreamPoller(
        start="TRIM_HORIZON",
        checkpoint=data / "stream-checkpoint.json",
        dead_letters=data / "stream-dead-letters.jsonl",
    )
    timer_seconds = settings.timer_rate_minutes * 60
    print(
        f"events: reading the table's stream; no EventBridge locally, events are JSON lines in {settings.events_file}; "
        f"webhook deliveries every 1 s; timer job every {timer_seconds:g} s",
        flush=True,
    )
    threads = start_workers(poller, stop, timer_seconds=timer_seconds)
    stop.wait()
    for thread in threads:
        thread.join(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())

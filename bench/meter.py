"""Counts what the app asks of DynamoDB, through botocore's event hooks (never by hand).

Attached to a botocore client, a `Meter` asks every call for its consumed capacity
(`ReturnConsumedCapacity=TOTAL`) and records, per call: the operation, whether it
used an index, read and write capacity units, and when it was in flight, so that
overlapping (parallel) calls can be told from sequential ones.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

_READS = ("Query", "GetItem", "BatchGetItem", "TransactGetItems")
_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


@dataclass
class Call:
    operation: str
    index: str | None
    read_units: float = 0.0
    write_units: float = 0.0
    # What AWS would bill the write by its sizing rules (DynamoDB Local reports 2.0 for any
    # transaction): 1 unit per started KB of a put item, 1 for a small update, delete or
    # condition check, twice that inside a transaction.
    estimated_write_units: float = 0.0
    started: float = 0.0
    attempts: int = 0
    ended: float = 0.0


def _value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return len(content) // 2 + 1
    if kind == "BOOL" or kind == "NULL":
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) for k, v in content.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in content)
    return len(str(content))


def item_size(item: dict[str, Any]) -> int:
    """An item's size in bytes by DynamoDB's rules: names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _write_units(operation: str, params: dict[str, Any]) -> float:
    if operation == "PutItem":
        return float(-(-item_size(params["Item"]) // 1024))
    if operation in ("UpdateItem", "DeleteItem"):
        return 1.0
    if operation == "TransactWriteItems":
        units = 0
        for entry in params["TransactItems"]:
            put = entry.get("Put")
            units += -(-item_size(put["Item"]) // 1024) if put else 1
        return 2.0 * units
    return 0.0


@dataclass
class Meter:
    calls: list[Call] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    def attach(self, client: Any) -> None:
        events = client.meta.events
        for operation in _READS + _WRITES:
            events.register(f"provide-client-params.dynamodb.{operation}", self._ask_for_capacity)
        events.register("before-call.dynamodb", self._before)
        # A call starts when it is sent: a hook may hold it back first (the account check).
        events.register("before-send.dynamodb", self._sent)
        events.register("after-call.dynamodb", self._after)

    def reset(self) -> None:
        with self._lock:
            self.calls, self.max_in_flight = [], 0

    def _ask_for_capacity(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        self._local.index = params.get("IndexName")
        self._local.estimate = _write_units(model.name, params)

    def _before(self, model: Any, **_: Any) -> None:
        index, self._local.index = getattr(self._local, "index", None), None
        estimate, self._local.estimate = getattr(self._local, "estimate", 0.0), 0.0
        self._local.call = Call(model.name, index, estimated_write_units=estimate, started=time.perf_counter())
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _sent(self, **_: Any) -> None:
        call: Call | None = getattr(self._local, "call", None)
        if call is not None:
            if call.attempts == 0:
                call.started = time.perf_counter()
            call.attempts += 1

    def _after(self, parsed: dict[str, Any], **_: Any) -> None:
        call: Call = self._local.call
        call.ended = time.perf_counter()
        consumed = parsed.get("ConsumedCapacity")
        for part in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            if "ReadCapacityUnits" in part or "WriteCapacityUnits" in part:
                call.read_units += float(part.get("ReadCapacityUnits", 0.0))
                call.write_units += float(part.get("WriteCapacityUnits", 0.0))
            elif call.operation in _WRITES:  # only the total is given: a write's is write units
                call.write_units += float(part.get("CapacityUnits", 0.0))
            else:
                call.read_units += float(part.get("CapacityUnits", 0.0))
        with self._lock:
            self._in_flight -= 1
            self.calls.append(call)

    @property
    def read_units(self) -> float:
        return sum(c.read_units for c in self.calls)

    @property
    def write_units(self) -> float:
        return sum(c.write_units for c in self.calls)

    @property
    def estimated_write_units(self) -> float:
        return sum(c.estimated_write_units for c in self.calls)

    def observed_steps(self) -> int:
        """Calls grouped into steps that ran one after the other, as seen: a call that
        starts before every call of the current step has ended joins that step. On a
        slow local engine, a pool thread that finishes early and takes a second query
        makes this one higher than on AWS."""
        steps, step_end = 0, -1.0
        for call in sorted(self.calls, key=lambda c: c.started):
            if call.started >= step_end:
                steps += 1
                step_end = call.ended
            else:
                step_end = max(step_end, call.ended)
        return steps

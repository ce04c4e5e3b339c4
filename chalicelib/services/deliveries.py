"""Sending scheduled deliveries, retried with growing delays (the POST itself: `webhook_posts`).

A delivery is due when its `next_attempt_at` has come (the sparse timer index,
`DELIVERIES#<shard>` with `timer_due <= now`). Each attempt is claimed first (a
versioned save that also pushes `next_attempt_at` past the attempt's timeout), so two
senders never send the same attempt, and one that dies mid-way leaves it due again.
A booking's events reach a webhook in order: a delivery waits while an earlier one of
the same chain (`DELIVERY#<webhook>#<booking>`) is still PENDING, due again when that one
is and at once when it ends, so a chain waiting out its retries does not hold the head of
its timer shard. After the last retry a delivery is DEAD: it stays in the log with its
last error (the dead-letter place). Workers take due deliveries as they come free, a
provider a bounded share of them, so a provider's hanging receivers delay only it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib import clock
from chalicelib.models.base import TableItem, condition_failed
from chalicelib.models.webhooks import (
    DEAD,
    DELIVERED,
    DELIVERY_SHARDS,
    PENDING,
    Delivery,
    Webhook,
    delivery_shard_pk,
    timer_stamp,
)
from chalicelib.services.webhook_posts import Outcome, send
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
_WORKERS = 8
_BATCH = 50
# A provider's share of the workers while another's deliveries wait, and while none do: its
# hanging receivers hold up at most these, and two workers stay free for whoever is next.
_PER_PROVIDER = 2
_ALONE = _WORKERS - 2
# How far back a read looks again for a write that the index showed late.
_INDEX_LAG = timedelta(seconds=2)
# While attempts are in flight, how often a free worker looks for deliveries due since.
_POLL_SECONDS = 1.0
# The least a delivery waits behind an earlier one of its chain (`_wait_behind`).
_WAIT_AT_LEAST = timedelta(seconds=1)


def _pending_beside(delivery: Delivery, *, before: bool) -> Delivery | None:
    """The chain's nearest PENDING delivery before (or after) this one: one strongly consistent
    Query of the chain (one booking's events to one webhook, a handful), so a delivery just
    scheduled is not missed."""
    side = TableItem.sk < delivery.sk if before else TableItem.sk > delivery.sk
    found = Delivery.query(
        delivery.pk,
        side,
        scan_index_forward=not before,
        filter_condition=Delivery.state == PENDING,
        consistent_read=True,
    )
    return next(iter(found), None)


def _wait_behind(delivery: Delivery, blocker: Delivery, now: datetime) -> str:
    """A delivery held back by an earlier one of its chain falls due when that one does, and at
    once when it ends (`_wake_next`), so a chain waiting out a long retry does not fill the
    head of its timer shard and starve the deliveries behind it. Once the wait is written the
    blocker is read again: one that ended meanwhile may have looked for waiters before this
    one was written, so this one wakes itself."""
    # Never due now: the blocker, read before its own attempt claimed it, may look due now.
    delivery.next_attempt_at = max(blocker.next_attempt_at or now, now + _WAIT_AT_LEAST)
    delivery.waiting_on = blocker.sk
    try:
        delivery.save()  # under its version: a concurrent claim or wake wins
    except PynamoDBException as exc:
        if condition_failed(exc):
            return "skipped"
        raise
    try:
        ended = Delivery.get(blocker.pk, blocker.sk, consistent_read=True).state != PENDING
    except Delivery.DoesNotExist:
        ended = True
    if ended:
        _wake(delivery, now)
    return "waiting"


def _wake(waiting: Delivery, now: datetime) -> bool:
    """Due now and no longer waiting, under the version read; False when that moved on."""
    waiting.next_attempt_at, waiting.waiting_on = now, None
    try:
        waiting.save()
    except PynamoDBException as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def _wake_next(delivery: Delivery, now: datetime) -> None:
    """The chain's next PENDING delivery, if it was set to wait behind this one that has just
    ended, due now (never one claimed since: its lease stands)."""
    for _ in range(3):  # a version that moved on is read again
        waiting = _pending_beside(delivery, before=False)
        if waiting is None or waiting.waiting_on != delivery.sk or _wake(waiting, now):
            return


def _finish(delivery: Delivery, outcome: Outcome, now: datetime) -> None:
    delays = get_settings().webhook_retry_delays_seconds
    delivery.status_code, delivery.error, delivery.response_excerpt = (
        outcome.status_code,
        outcome.error,
        outcome.excerpt,
    )
    if outcome.ok:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, now, None
    elif delivery.attempt > len(delays):
        delivery.state, delivery.next_attempt_at = DEAD, None
        log.warning("delivery dead", extra={"delivery_id": delivery.id, "error": outcome.error})
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delays[int(delivery.attempt) - 1])
    delivery.save()
    if delivery.state != PENDING:
        _wake_next(delivery, now)


def attempt(delivery: Delivery) -> str:
    """Claim, send and record one attempt; what happened, for the run's summary."""
    now = clock.utcnow()
    blocker = _pending_beside(delivery, before=True)
    if blocker is not None:
        return _wait_behind(delivery, blocker, now)
    try:
        # Strongly consistent: a miss would dead-letter the delivery for good.
        webhook = Webhook.get(*Webhook.keys(delivery.provider_id, delivery.webhook_id), consistent_read=True)
    except Webhook.DoesNotExist:
        webhook = None
    delivery.attempt += 1
    # The claim: a lease past the attempt's timeout, under the version read.
    delivery.next_attempt_at = now + timedelta(seconds=get_settings().webhook_timeout_seconds + 60)
    delivery.waiting_on = None
    try:
        delivery.save()
    except PynamoDBException as exc:
        if condition_failed(exc):
            return "skipped"
        raise
    if webhook is None:
        delivery.attempt = len(get_settings().webhook_retry_delays_seconds) + 1
        outcome = Outcome(None, "webhook deleted", None)
    else:
        try:
            outcome = send(webhook.url, delivery.event_id, delivery.payload, webhook.secret, now)
        except Exception as exc:  # a claimed attempt is always recorded
            log.exception("delivery attempt failed", extra={"delivery_id": delivery.id})
            outcome = Outcome(None, type(exc).__name__, None)
    _finish(delivery, outcome, clock.utcnow())
    return delivery.state.lower() if delivery.state != PENDING else "retrying"


Key = tuple[str, str]


class _Flight:
    """The attempts in flight, and the due deliveries read but not started (kept in the order
    read). Each timer shard is read on from where the last read stopped, so a run reads each
    due delivery about once, not once per poll."""

    def __init__(self) -> None:
        self.running: dict[Future[str], Delivery] = {}
        self.queued: dict[Key, Delivery] = {}
        self._marks: dict[int, str] = {}  # per shard, the `timer_due` read up to
        self._read_at = float("-inf")
        self._more = False  # a shard's last read stopped at its limit
        self.ended_since_read = False  # an attempt ended: it may have woken or retried one

    def pick(self, room: int) -> list[Delivery]:
        """Up to `room` deliveries to start now: a provider's at most `_PER_PROVIDER` in flight
        while another provider's wait, `_ALONE` while none do."""
        short = len(self._startable()) < room
        idle = not self.running and self.ended_since_read
        if time.monotonic() - self._read_at >= _POLL_SECONDS or (short and (self._more or idle)):
            self._read()
        startable = self._startable()
        shares = Counter(d.provider_id for d in self.running.values())
        picked: list[Delivery] = []
        for share in (_PER_PROVIDER, _ALONE):
            for delivery in startable:
                if len(picked) == room or shares[delivery.provider_id] >= share or delivery in picked:
                    continue
                shares[delivery.provider_id] += 1
                picked.append(delivery)
        for delivery in picked:
            del self.queued[(delivery.pk, delivery.sk)]
        return picked

    def _startable(self) -> list[Delivery]:
        busy = {(d.pk, d.sk) for d in self.running.values()}
        return [d for key, d in self.queued.items() if key not in busy]

    def _read(self) -> None:
        """What fell due in each shard since its mark, up to `_BATCH` items a shard; a fresher
        copy of a queued delivery replaces it. A shard read to its end is marked a little before
        now, so a write the index showed late is read the next time."""
        now = clock.utcnow()
        self._read_at, self._more, self.ended_since_read = time.monotonic(), False, False
        upto = timer_stamp(now)
        for shard in range(DELIVERY_SHARDS):
            mark = self._marks.get(shard)
            due = TableItem.timer_due.between(mark, upto) if mark else TableItem.timer_due <= upto
            read = 0
            for delivery in Delivery.timer.query(delivery_shard_pk(shard), due, limit=_BATCH):
                if isinstance(delivery, Delivery):
                    self.queued[(delivery.pk, delivery.sk)] = delivery
                read += 1
                last = delivery.timer_due
            if read == _BATCH:
                self._marks[shard], self._more = last, True
            else:
                self._marks[shard] = timer_stamp(now - _INDEX_LAG)


def run_deliveries(*, budget_seconds: float) -> dict[str, Any]:
    """Send what is due until nothing is or the budget is spent. A worker takes the next due
    delivery as soon as it is free, and a provider's share of the workers is bounded (`pick`),
    so one provider's hanging receivers do not delay other providers' deliveries."""
    deadline = time.monotonic() + budget_seconds
    summary: Counter[str] = Counter()
    flight = _Flight()
    with ThreadPoolExecutor(_WORKERS) as pool:
        while True:
            if time.monotonic() < deadline:
                for delivery in flight.pick(_WORKERS - len(flight.running)):
                    flight.running[pool.submit(attempt, delivery)] = delivery
            if not flight.running:
                break
            # Woken by an attempt that ends, or to look for what fell due meanwhile.
            done, _ = wait(flight.running, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                del flight.running[future]
                summary[future.result()] += 1
                flight.ended_since_read = True
    if summary:
        log.info("deliveries", extra=dict(summary))
    return dict(summary)

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
provider at most `_PER_PROVIDER` of them, so a provider's hanging receivers delay only it.
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
)
from chalicelib.services.webhook_posts import Outcome, send
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
_WORKERS = 8
_BATCH = 50
# A provider's share of the workers: its slow receivers hold up at most these.
_PER_PROVIDER = 2
# How many due deliveries a read looks past in a shard for ones it may start.
_LOOK_AHEAD = 200
# While attempts are in flight, how often a free worker looks for deliveries due since.
_POLL_SECONDS = 1.0
# The least a delivery waits behind an earlier one of its chain (`_wait_behind`).
_WAIT_AT_LEAST = timedelta(seconds=1)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
        outcome = send(webhook.url, delivery.event_id, delivery.payload, webhook.secret, now)
    _finish(delivery, outcome, clock.utcnow())
    return delivery.state.lower() if delivery.state != PENDING else "retrying"


class _Flight:
    """The attempts in flight and the due deliveries read but not started yet."""

    def __init__(self) -> None:
        self.running: dict[Future[str], Delivery] = {}
        self.queued: list[Delivery] = []

    def _may_start(self, delivery: Delivery, starting: list[Delivery]) -> bool:
        """Not in flight, and its provider's share of the workers not taken."""
        ahead = [*self.running.values(), *starting]
        if any((d.pk, d.sk) == (delivery.pk, delivery.sk) for d in ahead):
            return False
        return sum(d.provider_id == delivery.provider_id for d in ahead) < _PER_PROVIDER

    def pick(self, room: int) -> list[Delivery]:
        """Up to `room` deliveries that may start now: from those read before, then, when too
        few of them may, from the index read again."""
        picked: list[Delivery] = []
        for fresh in (False, True):
            if fresh:
                self.queued = self._read_due(picked)
            for delivery in list(self.queued):
                if len(picked) < room and self._may_start(delivery, picked):
                    picked.append(delivery)
                    self.queued.remove(delivery)
            if len(picked) == room:
                break
        return picked

    def _read_due(self, starting: list[Delivery]) -> list[Delivery]:
        """Due deliveries, oldest first in each timer shard: up to `_BATCH` of a shard that may
        start, looking past at most `_LOOK_AHEAD` that may not (a provider's backlog at the head
        of a shard does not hide the deliveries behind it)."""
        due: list[Delivery] = []
        for shard in range(DELIVERY_SHARDS):
            found = Delivery.timer.query(
                delivery_shard_pk(shard), TableItem.timer_due <= _stamp(clock.utcnow()), page_size=_BATCH
            )
            taken = passed = 0
            for delivery in found:
                if not isinstance(delivery, Delivery):
                    continue
                if self._may_start(delivery, starting):
                    due.append(delivery)
                    taken += 1
                else:
                    passed += 1
                if taken == _BATCH or passed == _LOOK_AHEAD:
                    break
        return due


def run_deliveries(*, budget_seconds: float) -> dict[str, Any]:
    """Send what is due until nothing is or the budget is spent. A worker takes the next due
    delivery as soon as it is free, and a provider has at most `_PER_PROVIDER` attempts in
    flight, so one provider's slow receivers do not delay other providers' deliveries."""
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
    if summary:
        log.info("deliveries", extra=dict(summary))
    return dict(summary)

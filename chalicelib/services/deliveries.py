"""Sending scheduled deliveries: signed, to a checked address, retried with growing delays.

A delivery is due when its `next_attempt_at` has come (the sparse timer index,
`DELIVERIES#<shard>` with `timer_due <= now`). Each attempt is claimed first (a
versioned save that also pushes `next_attempt_at` past the attempt's timeout), so two
senders never send the same attempt, and one that dies mid-way leaves it due again.
A booking's events reach a webhook in order: a delivery waits while an earlier one of
the same chain (`DELIVERY#<webhook>#<booking>`) is still PENDING, due again when that one
is and at once when it ends, so a chain waiting out its retries does not hold the head of
its timer shard. After the last retry
a delivery is DEAD: it stays in the log with its last error (the dead-letter place).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import urllib3
from pynamodb.exceptions import PynamoDBException
from standardwebhooks.webhooks import Webhook as Signer

from chalicelib import clock
from chalicelib.domain import webhook_urls
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
from chalicelib.services import webhooks as registry
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
EXCERPT_BYTES = 256
_WORKERS = 8
_BATCH = 50
# The least a delivery waits behind an earlier one of its chain (`_wait_behind`).
_WAIT_AT_LEAST = timedelta(seconds=1)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def send(url: str, message_id: str, payload: str, secret: str, now: datetime) -> Outcome:
    """One signed POST, to the address that was checked (no second lookup), without
    following redirects, within the timeout; only a short excerpt of the answer is kept."""
    settings = get_settings()
    allow_local = settings.allows_local_webhooks
    try:
        target = webhook_urls.parse(url, allow_local=allow_local)
        address = webhook_urls.resolve(target, allow_local=allow_local, resolver=registry.resolver)
    except webhook_urls.UnsafeUrl as exc:
        return Outcome(None, f"refused: {exc}", None)
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "host": target.host if target.port == default_port else f"{target.host}:{target.port}",
        "content-type": "application/json",
        "user-agent": "stays-api-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, now, payload),
    }
    timeout = urllib3.Timeout(total=settings.webhook_timeout_seconds)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            "POST", target.path, body=payload.encode(), headers=headers, redirect=False, preload_content=False
        )
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        response.release_conn()
        return Outcome(response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}", excerpt)
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}", None)
    finally:
        pool.close()


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


def _due(now: datetime) -> list[Delivery]:
    due: list[Delivery] = []
    for shard in range(DELIVERY_SHARDS):
        found = Delivery.timer.query(delivery_shard_pk(shard), TableItem.timer_due <= _stamp(now), limit=_BATCH)
        due.extend(d for d in found if isinstance(d, Delivery))
    return due


def run_deliveries(*, budget_seconds: float) -> dict[str, Any]:
    """Send what is due, a few at a time, until nothing is due or the budget is spent."""
    deadline = time.monotonic() + budget_seconds
    summary: dict[str, Any] = {}
    with ThreadPoolExecutor(_WORKERS) as pool:
        while time.monotonic() < deadline:
            due = _due(clock.utcnow())
            results = list(pool.map(attempt, due))
            for result in results:
                summary[result] = summary.get(result, 0) + 1
            # A skipped one lost a race and is read again; a waiting one is no longer due.
            if not due or all(r == "waiting" for r in results):
                break
    if summary:
        log.info("deliveries", extra=summary)
    return summary

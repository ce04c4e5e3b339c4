"""The scheduled job: complete what has checked out, expire what was left unanswered."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain import bookings as rules
from chalicelib.models.base import condition_failed, is_transient
from chalicelib.models.bookings import TIMER_SHARDS, Booking, due_by, timer_pk
from chalicelib.services.bookings.lifecycle import close_booking

log = logging.getLogger(__name__)


def run_timers(now: datetime, *, budget_seconds: float) -> dict[str, Any]:
    """Complete CONFIRMED bookings whose check-out has passed and expire PENDING ones whose
    hold or check-in time has come, reading only what is due: per shard, one Query on the
    sparse timer index, `TIMER#<shard>` with `timer_due <= now`.

    Each change is conditioned on the version read, so a concurrent run or a guest's
    cancel simply wins and this run counts a skip. A run cut short by its budget leaves
    the rest in the index for the next run, which resumes there.
    """
    deadline = time.monotonic() + budget_seconds
    summary = {"completed": 0, "expired": 0, "skipped": 0, "finished": True}
    for shard in range(TIMER_SHARDS):
        due = Booking.timer.query(timer_pk(shard), due_by(now), page_size=25)
        for booking in due:
            if not isinstance(booking, Booking):
                continue
            if time.monotonic() > deadline:
                summary["finished"] = False
                log.info("timers", extra=summary)
                return summary
            try:
                if booking.status == rules.PENDING:
                    close_booking(booking, rules.EXPIRED, now)
                    summary["expired"] += 1
                elif booking.status == rules.CONFIRMED:
                    booking.status, booking.updated_at = rules.COMPLETED, now
                    booking.save()
                    summary["completed"] += 1
            except PynamoDBException as exc:
                if not (condition_failed(exc) or is_transient(exc)):
                    raise
                summary["skipped"] += 1
    log.info("timers", extra=summary)
    return summary

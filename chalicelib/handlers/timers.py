"""The scheduled function: completes finished bookings and expires stale holds."""

from __future__ import annotations

import math
import os
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

bp = Blueprint(__name__)
# Stop taking new bookings this long before Lambda's own timeout, to finish the one at hand.
_MARGIN_SECONDS = 10.0


def rate_minutes() -> int:
    """`Settings.timer_rate_minutes` (a test holds them equal), read without loading the settings:
    the rate matters only when `chalice package` writes the schedule, and this module is
    imported by every cold start of the API (through app.py). EventBridge rates are whole
    minutes; a fraction (a `make run` demo setting) rounds up."""
    return math.ceil(float(os.environ.get("TIMER_RATE_MINUTES", "15")))


@bp.schedule(Rate(rate_minutes(), unit=Rate.MINUTES), name="booking_timers")
def booking_timers(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib import clock, observability
    from chalicelib.handlers.http import start
    from chalicelib.services import bookings

    start()
    # Chalice types the context as a dict; on Lambda and in its test client it is a LambdaContext.
    context: Any = event.context
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 60.0
    with observability.traced("booking_timers"):
        summary = bookings.run_timers(clock.utcnow(), budget_seconds=max(1.0, remaining - _MARGIN_SECONDS))
    observability.record_timers(summary)
    return summary

"""The scheduled function: completes finished bookings and expires stale holds."""

from __future__ import annotations

import math
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib import clock
from chalicelib.services import bookings
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
# Stop taking new bookings this long before Lambda's own timeout, to finish the one at hand.
_MARGIN_SECONDS = 10.0


# EventBridge rates are whole minutes; a fraction (a `make run` demo setting) rounds up.
@bp.schedule(Rate(math.ceil(get_settings().timer_rate_minutes), unit=Rate.MINUTES), name="booking_timers")
def booking_timers(event: CloudWatchEvent) -> dict[str, Any]:
    # Chalice types the context as a dict; on Lambda and in its test client it is a LambdaContext.
    context: Any = event.context
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 60.0
    return bookings.run_timers(clock.utcnow(), budget_seconds=max(1.0, remaining - _MARGIN_SECONDS))

"""The functions behind events: the table's stream to EventBridge and deliveries, and the sender."""

from __future__ import annotations

import os
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent, DynamoDBEvent

bp = Blueprint(__name__)
_MARGIN_SECONDS = 15.0
# Read from the environment, not the settings: they matter only when `chalice package`
# writes the template (the merge template replaces the placeholder with the table's own
# stream), and this module is imported by every cold start of the API (through app.py);
# the services load on the first event.
_STREAM_ARN = os.environ.get(
    "TABLE_STREAM_ARN", "arn:aws:dynamodb:us-east-1:000000000000:table/stays/stream/placeholder"
)
_WEBHOOK_RATE_MINUTES = int(os.environ.get("WEBHOOK_RATE_MINUTES", "1"))


@bp.on_dynamodb_record(stream_arn=_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON", name="booking_events")
def booking_events(event: DynamoDBEvent) -> dict[str, Any]:
    from chalicelib.services import events

    # Partial batch response: Lambda retries from the first failed record, in order.
    failed = events.process_records(event.to_dict()["Records"])
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


@bp.schedule(Rate(_WEBHOOK_RATE_MINUTES, unit=Rate.MINUTES), name="webhook_deliveries")
def webhook_deliveries(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.services import deliveries

    context: Any = event.context
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 60.0
    return deliveries.run_deliveries(budget_seconds=max(1.0, remaining - _MARGIN_SECONDS))

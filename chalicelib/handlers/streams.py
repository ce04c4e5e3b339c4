"""The functions behind events: the table's stream to EventBridge and deliveries, and the sender."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent, DynamoDBEvent

from chalicelib.services import deliveries, events
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
_settings = get_settings()
_MARGIN_SECONDS = 15.0


@bp.on_dynamodb_record(
    stream_arn=_settings.table_stream_arn, batch_size=100, starting_position="TRIM_HORIZON", name="booking_events"
)
def booking_events(event: DynamoDBEvent) -> dict[str, Any]:
    # Partial batch response: Lambda retries from the first failed record, in order.
    failed = events.process_records(event.to_dict()["Records"])
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


@bp.schedule(Rate(_settings.webhook_rate_minutes, unit=Rate.MINUTES), name="webhook_deliveries")
def webhook_deliveries(event: CloudWatchEvent) -> dict[str, Any]:
    context: Any = event.context
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 60.0
    return deliveries.run_deliveries(budget_seconds=max(1.0, remaining - _MARGIN_SECONDS))

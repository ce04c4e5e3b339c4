"""Events from the table's stream: built from a record's images, published to the stage's
bus, and scheduled as webhook deliveries (items in the table, sent by `deliveries`).

One function serves both the Lambda on the stream (`handlers/streams.py`) and the local
poller of `make run` (`scripts/local_stream.py`): both hand it the stream's records in
order. Everything it writes is keyed by the event id, which the change itself determines,
so a batch read twice publishes the same ids and schedules nothing twice.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib import clock
from chalicelib.domain import events as rules
from chalicelib.models.base import condition_failed
from chalicelib.models.bookings import Booking
from chalicelib.models.reviews import Review
from chalicelib.models.webhooks import Delivery
from chalicelib.schemas.bookings import BookingDetail
from chalicelib.schemas.reviews import ReviewOut
from chalicelib.services.webhooks import webhooks
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
SOURCE = "stays-api"
_file_lock = threading.Lock()


def rfc3339(moment: datetime) -> str:
    """UTC to the microsecond: sortable as text, so it also orders a booking's deliveries."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    occurred_at: datetime
    data: dict[str, Any]
    # Whose webhooks receive it, and which chain it is ordered in (a booking's events in order).
    provider_id: str
    subject_id: str

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "occurred_at": rfc3339(self.occurred_at), "data": self.data}

    def json(self) -> str:
        return json.dumps(self.body(), separators=(",", ":"), sort_keys=True)


def _booking_event(event_type: str, image: rules.Image) -> Event:
    booking = Booking.from_raw_data(image)
    if not isinstance(booking, Booking):
        raise TypeError("a Booking image did not read as a Booking")
    data = BookingDetail.model_validate(booking).model_dump(mode="json")
    return Event(
        rules.event_id(event_type, booking.id, str(booking.version)),
        event_type,
        booking.updated_at,
        data,
        booking.provider_id,
        booking.id,
    )


def _review_event(event_type: str, image: rules.Image) -> Event:
    review = Review.from_raw_data(image)
    if not isinstance(review, Review):
        raise TypeError("a Review image did not read as a Review")
    data = ReviewOut.model_validate(review).model_dump(mode="json")
    return Event(
        rules.event_id(event_type, review.id, None), event_type, review.created_at, data, review.provider_id, review.id
    )


BUILDERS: dict[str, Callable[[str, rules.Image], Event]] = {
    rules.BOOKING_KIND: _booking_event,
    rules.REVIEW_KIND: _review_event,
}


def build_event(record: dict[str, Any]) -> Event | None:
    """The event a stream record is, or None when the change is none (a lock, a login, ...)."""
    images = record.get("dynamodb", {})
    old, new = images.get("OldImage"), images.get("NewImage")
    event_type = rules.event_type(old, new)
    if event_type is None or new is None:
        return None
    return BUILDERS[new["kind"]["S"]](event_type, new)


def publish(event: Event) -> None:
    """To the stage's EventBridge bus; without one (`make run`), a JSON line in EVENTS_FILE."""
    settings = get_settings()
    if settings.event_bus_name:
        entry = {
            "Source": SOURCE,
            "DetailType": event.type,
            "Detail": event.json(),
            "EventBusName": settings.event_bus_name,
        }
        answer = _events_client().put_events(Entries=[entry])
        if answer.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused event {event.id}: {answer['Entries']}")
    elif settings.events_file:
        with _file_lock, Path(settings.events_file).open("a", encoding="utf-8") as out:
            out.write(event.json() + "\n")
    log.info("event", extra={"event_id": event.id, "event_type": event.type})


def _events_client() -> Any:
    import boto3  # only the stream function needs it

    return boto3.client("events", region_name=get_settings().aws_region)


def schedule(event: Event) -> int:
    """A delivery item per webhook of the provider subscribed to the event, due now.
    Written with `attribute_not_exists`: a record read twice schedules nothing twice."""
    now = clock.utcnow()
    scheduled = 0
    for webhook in webhooks(event.provider_id):
        if event.type not in webhook.events:
            continue
        delivery = Delivery(
            id=Delivery.delivery_id(webhook.id, event.id),
            webhook_id=webhook.id,
            provider_id=event.provider_id,
            subject_id=event.subject_id,
            event_id=event.id,
            event_type=event.type,
            payload=event.json(),
            occurred_at=rfc3339(event.occurred_at),
            next_attempt_at=now,
            created_at=now,
        )
        try:
            delivery.save(condition=Delivery.pk.does_not_exist())
            scheduled += 1
        except PutError as exc:
            if not condition_failed(exc):
                raise
    return scheduled


def process_records(records: list[dict[str, Any]]) -> list[str]:
    """Handle the records in order; on the first that fails, stop and return its sequence
    number (Lambda's `batchItemFailures`): the batch is retried from there, in order."""
    for record in records:
        try:
            event = build_event(record)
            if event is not None:
                publish(event)
                schedule(event)
        except Exception:
            log.exception("stream record failed", extra={"event_id": record.get("eventID")})
            return [str(record.get("dynamodb", {}).get("SequenceNumber", ""))]
    return []

"""Which event a committed change is: read off the item's old and new images, nothing else.

Events are derived from the table's stream (new and old images), never emitted by the
handlers, so a write that commits is an event and one that fails is none. The images
here are DynamoDB's attribute-value maps (`{"status": {"S": "PENDING"}}`), as the stream
delivers them; only the few attributes that tell a transition apart are read.
"""

from __future__ import annotations

import hashlib
from typing import Any

BOOKING_CREATED = "booking.created"
BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_REJECTED = "booking.rejected"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_EXPIRED = "booking.expired"
BOOKING_COMPLETED = "booking.completed"
REVIEW_CREATED = "review.created"
EVENT_TYPES = (
    BOOKING_CREATED,
    BOOKING_CONFIRMED,
    BOOKING_REJECTED,
    BOOKING_CANCELLED,
    BOOKING_EXPIRED,
    BOOKING_COMPLETED,
    REVIEW_CREATED,
)
# The `kind` discriminators of the items whose changes are events.
BOOKING_KIND = "Booking"
REVIEW_KIND = "Review"
EVENT_KINDS = (BOOKING_KIND, REVIEW_KIND)

Image = dict[str, dict[str, Any]]


def _text(image: Image | None, name: str) -> str | None:
    if image is None:
        return None
    value = image.get(name, {}).get("S")
    return str(value) if value is not None else None


def _cancelled_type(reason: str | None) -> str:
    if reason == "REJECTED_BY_PROVIDER":
        return BOOKING_REJECTED
    if reason == "EXPIRED":
        return BOOKING_EXPIRED
    return BOOKING_CANCELLED


def _booking_event(old: Image | None, new: Image) -> str | None:
    status, was = _text(new, "status"), _text(old, "status")
    if old is None:
        return BOOKING_CREATED
    if status == was:
        return None  # a save that did not move the booking (e.g. only its timer moved)
    if status == "CONFIRMED":
        return BOOKING_CONFIRMED
    if status == "CANCELLED":
        return _cancelled_type(_text(new, "cancellation_reason"))
    if status == "COMPLETED":
        return BOOKING_COMPLETED
    return None


def event_type(old: Image | None, new: Image | None) -> str | None:
    """The event a change from `old` to `new` is (None for an insert or a removal), or None."""
    if new is None:
        return None  # removals (TTL, deletes) are no events
    kind = _text(new, "kind")
    if kind == BOOKING_KIND:
        return _booking_event(old, new)
    if kind == REVIEW_KIND and old is None:
        return REVIEW_CREATED
    return None


def event_id(event_type: str, subject_id: str, version: str | None) -> str:
    """The same change gives the same id: a stream batch read twice publishes the same event,
    which receivers (and our own delivery items) deduplicate on."""
    digest = hashlib.sha256(f"{event_type}|{subject_id}|{version or ''}".encode()).hexdigest()
    return f"evt_{digest[:32]}"

"""Bodies of the webhook routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator
from typing_extensions import TypeAliasType

from chalicelib.schemas.common import Out, Strict

EventType = TypeAliasType(
    "EventType",
    Literal[
        "booking.created",
        "booking.confirmed",
        "booking.rejected",
        "booking.cancelled",
        "booking.expired",
        "booking.completed",
        "review.created",
    ],
)
DeliveryState = TypeAliasType("DeliveryState", Literal["PENDING", "DELIVERED", "DEAD"])


class WebhookCreate(Strict):
    url: Annotated[
        str,
        Field(
            min_length=1,
            max_length=2000,
            description="https:// on a public host; ASCII without spaces (percent-encode others, a name in xn-- form)",
            # Documented, and checked with the address (a 400 that says why), not by pydantic.
            json_schema_extra={"pattern": "^[!-~]+$"},
        ),
    ]
    events: Annotated[list[EventType], Field(min_length=1, max_length=7)]

    @field_validator("events")
    @classmethod
    def _distinct(cls, events: list[str]) -> list[str]:
        if len(set(events)) != len(events):
            raise ValueError("must not repeat an event type")
        return events


class WebhookOut(Out):
    id: str
    url: str
    events: list[EventType]
    created_at: datetime


class WebhookCreated(WebhookOut):
    """The only answer that shows the secret: keep it; it verifies every delivery."""

    secret: str


class DeliveryOut(Out):
    id: str
    event_id: str
    event_type: EventType
    state: DeliveryState
    attempt: int
    status_code: int | None
    error: str | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime

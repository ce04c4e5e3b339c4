"""Cancellation policies on the wire: a preset name or custom tiers in, `{name, tiers}` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag, field_validator

from chalicelib.domain import policies
from chalicelib.schemas.common import Out, Strict

PresetName = Literal["flexible", "moderate", "strict", "non_refundable"]
PolicyName = Literal["flexible", "moderate", "strict", "non_refundable", "custom"]
DaysBefore = Annotated[int, Field(ge=policies.MIN_DAYS, le=policies.MAX_DAYS)]
Percent = Annotated[int, Field(ge=policies.MIN_PERCENT, le=policies.MAX_PERCENT)]


class TierIn(Strict):
    """Cancelled at least `days_before` x 24 h before the check-in time, `refund_percent` back."""

    days_before: DaysBefore
    refund_percent: Percent


class CustomPolicyIn(Strict):
    """1-5 tiers, `days_before` strictly decreasing, `refund_percent` not increasing."""

    name: Literal["custom"]
    tiers: Annotated[list[TierIn], Field(min_length=1, max_length=policies.MAX_TIERS)]

    @field_validator("tiers")
    @classmethod
    def _in_order(cls, tiers: list[TierIn]) -> list[TierIn]:
        policies.custom([policies.Tier(t.days_before, t.refund_percent) for t in tiers])
        return tiers


def _kind(value: Any) -> str:
    return "preset" if isinstance(value, str) else "custom"


PolicyIn = Annotated[
    Annotated[PresetName, Tag("preset")] | Annotated[CustomPolicyIn, Tag("custom")],
    Discriminator(_kind),
    Field(
        description=(
            'A preset, or `{"name": "custom", "tiers": [...]}`. Presets: `flexible` (1 day: 100 %), '
            "`moderate` (5 days: 100 %; 1 day: 50 %), `strict` (14 days: 100 %; 7 days: 50 %), "
            "`non_refundable` (none)."
        )
    ),
]


def policy_of(value: str | CustomPolicyIn) -> policies.Policy:
    """The domain policy a request names."""
    if isinstance(value, str):
        return policies.PRESETS[value]
    return policies.custom([policies.Tier(t.days_before, t.refund_percent) for t in value.tiers])


class TierOut(Out):
    days_before: int
    refund_percent: int


class PolicyOut(Out):
    """What a guest gets back on cancelling. A tier: cancelled at least `days_before` x 24 h
    before the check-in time (the stay's zone), `refund_percent` of `total_price` comes back;
    the first tier that still applies wins; after the last one, nothing. A preset is shown
    with its tiers. A PENDING booking, and any its provider cancels, refunds 100 %."""

    name: PolicyName
    tiers: list[TierOut]


class DeadlineOut(Out):
    """Cancelled at or before `until` (UTC), `refund_percent` of the total comes back."""

    until: datetime
    refund_percent: int


class BookingPolicyOut(PolicyOut):
    """The stay's policy when the booking was made, with each tier's last moment."""

    deadlines: list[DeadlineOut]


class ProviderCancel(Strict):
    """Why the provider cancels; the guest sees it on the booking."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

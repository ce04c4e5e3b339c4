"""Cancellation policies on the wire: a preset name or custom tiers in, `{name, tiers}` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator
from typing_extensions import TypeAliasType

from chalicelib.domain import policies
from chalicelib.schemas.common import Out, Strict
from chalicelib.schemas.text import nfc

# Named once each, so that the document and the generated clients have one enum of each.
PresetName = TypeAliasType("PresetName", Literal["flexible", "moderate", "strict", "non_refundable"])
PolicyName = TypeAliasType("PolicyName", Literal["flexible", "moderate", "strict", "non_refundable", "custom"])
DaysBefore = Annotated[int, Field(ge=policies.MIN_DAYS, le=policies.MAX_DAYS)]
Percent = Annotated[int, Field(ge=policies.MIN_PERCENT, le=policies.MAX_PERCENT)]


class TierIn(Strict):
    """Cancelled at least `days_before` x 24 h before the check-in time, `refund_percent` back."""

    days_before: DaysBefore
    refund_percent: Percent


class PolicyBody(Strict):
    """A preset by name (its tiers may be left out), or `custom` with 1-5 tiers:
    `days_before` strictly decreasing, `refund_percent` not increasing."""

    name: PolicyName
    tiers: Annotated[list[TierIn], Field(max_length=policies.MAX_TIERS)] | None = None

    @model_validator(mode="after")
    def _tiers_fit_the_name(self) -> PolicyBody:
        if self.name != policies.CUSTOM:
            if self.tiers is not None and self._tiers() != list(policies.PRESETS[self.name].tiers):
                raise ValueError(f"the tiers of {self.name} are its own; name the policy custom to set tiers")
            return self
        policies.custom(self._tiers())  # ValueError naming what is wrong with them
        return self

    def _tiers(self) -> list[policies.Tier]:
        return [policies.Tier(t.days_before, t.refund_percent) for t in self.tiers or []]

    def policy(self) -> policies.Policy:
        """The domain policy this names."""
        if self.name != policies.CUSTOM:
            return policies.PRESETS[self.name]
        return policies.custom(self._tiers())


def _preset_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


# What a client may send: named, so that generated clients have one type for it on create and PATCH.
PolicyChoice = TypeAliasType("PolicyChoice", PresetName | PolicyBody)
PolicyIn = Annotated[
    PolicyBody,
    BeforeValidator(_preset_shorthand, json_schema_input_type=PolicyChoice),
    Field(
        description=(
            'A preset\'s name, or `{"name": "custom", "tiers": [...]}`; a new stay\'s is `flexible`. '
            "Presets: `flexible` (1 day: 100 %), `moderate` (5 days: 100 %; 1 day: 50 %), `strict` (14 days: 100 %; "
            "7 days: 50 %), `non_refundable` (none)."
        )
    ),
]


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

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), nfc(500, lines=True)]

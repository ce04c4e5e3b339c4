"""Cancellation policies: what a guest gets back, by how long before check-in they cancel.

A tier means: cancelled at least `days_before` x 24 h before the check-in time (on the
stay's clock), the guest gets `refund_percent` of the total back; the first tier that
still applies wins; after the last one, nothing. Deadlines are absolute instants in UTC,
computed once from the check-in instant, so a DST change or the date line between now
and check-in moves nothing: 24 h are 24 h, whatever the wall clock does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from chalicelib.domain.bookings import CANCELLED_BY_GUEST, CONFIRMED
from chalicelib.domain.money import round_to_minor_unit

CUSTOM = "custom"
MAX_TIERS = 5
MIN_DAYS, MAX_DAYS = 1, 365
MIN_PERCENT, MAX_PERCENT = 0, 100
FULL_REFUND = 100


@dataclass(frozen=True)
class Tier:
    days_before: int
    refund_percent: int


@dataclass(frozen=True)
class Policy:
    name: str
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Deadline:
    """Cancelled at or before `until` (UTC), the guest gets `refund_percent` back."""

    until: datetime
    refund_percent: int


@dataclass(frozen=True)
class Quote:
    """The refund for cancelling at one moment; `valid_until` is when that tier ends (None: never)."""

    refund_percent: int
    refund_amount: Decimal
    cancellation_fee: Decimal
    currency: str
    valid_until: datetime | None


PRESETS: dict[str, Policy] = {
    "flexible": Policy("flexible", (Tier(1, 100),)),
    "moderate": Policy("moderate", (Tier(5, 100), Tier(1, 50))),
    "strict": Policy("strict", (Tier(14, 100), Tier(7, 50))),
    "non_refundable": Policy("non_refundable", ()),
}
DEFAULT = PRESETS["flexible"]


def tier_problems(tiers: list[Tier]) -> list[str]:
    """What is wrong with custom tiers; empty when they are a valid policy."""
    if not 1 <= len(tiers) <= MAX_TIERS:
        return [f"a custom policy has 1 to {MAX_TIERS} tiers"]
    problems = []
    for n, tier in enumerate(tiers):
        if not MIN_DAYS <= tier.days_before <= MAX_DAYS:
            problems.append(f"tier {n + 1}: days_before must be {MIN_DAYS} to {MAX_DAYS}")
        if not MIN_PERCENT <= tier.refund_percent <= MAX_PERCENT:
            problems.append(f"tier {n + 1}: refund_percent must be {MIN_PERCENT} to {MAX_PERCENT}")
    for n, (earlier, later) in enumerate(pairwise(tiers), start=2):
        if later.days_before >= earlier.days_before:
            problems.append(f"tier {n}: days_before must be less than the tier before it")
        if later.refund_percent > earlier.refund_percent:
            problems.append(f"tier {n}: refund_percent must not exceed the tier before it")
    return problems


def custom(tiers: list[Tier]) -> Policy:
    """A custom policy; ValueError naming what is wrong with its tiers."""
    problems = tier_problems(tiers)
    if problems:
        raise ValueError("; ".join(problems))
    return Policy(CUSTOM, tuple(tiers))


def deadlines(policy: Policy, check_in_at: datetime) -> list[Deadline]:
    """Each tier's last moment, in UTC: `days_before` x 24 h before the check-in instant."""
    start = check_in_at.astimezone(UTC)
    return [Deadline(start - timedelta(days=tier.days_before), tier.refund_percent) for tier in policy.tiers]


def refund_percent_at(due: list[Deadline], moment: datetime) -> tuple[int, datetime | None]:
    """The refund percent for cancelling at `moment`, and until when it holds (None: to the end)."""
    for deadline in due:
        if moment <= deadline.until:
            return deadline.refund_percent, deadline.until
    return 0, None


def split(total: Decimal, percent: int, currency: str) -> tuple[Decimal, Decimal]:
    """(refund, fee): the refund rounded half-even to the minor unit, the fee what is left,
    so that the two always add up to `total` exactly."""
    refund = round_to_minor_unit(total * percent / FULL_REFUND, currency)
    return refund, total - refund


def quote(total: Decimal, currency: str, due: list[Deadline], moment: datetime) -> Quote:
    """What cancelling a confirmed booking at `moment` refunds under its deadlines."""
    percent, valid_until = refund_percent_at(due, moment)
    refund, fee = split(total, percent, currency)
    return Quote(percent, refund, fee, currency, valid_until)


def refunds_by_policy(status: str, reason: str) -> bool:
    """Only a CONFIRMED booking its guest cancels refunds by the policy; a PENDING one (cancelled,
    rejected, expired) and any the provider cancels refund in full."""
    return status == CONFIRMED and reason == CANCELLED_BY_GUEST


def settle(status: str, reason: str, total: Decimal, currency: str, due: list[Deadline], moment: datetime) -> Quote:
    """What closing a booking of `status` for `reason` at `moment` refunds."""
    if refunds_by_policy(status, reason):
        return quote(total, currency, due, moment)
    return full_refund(total, currency)


def full_refund(total: Decimal, currency: str) -> Quote:
    """A PENDING booking cancelled, rejected or expired, or any cancelled by its provider."""
    refund, fee = split(total, FULL_REFUND, currency)
    return Quote(FULL_REFUND, refund, fee, currency, None)

"""Pure booking rules: nights, price, the stay's clock, the status machine.

Dates belong to the stay's time zone: "today", "before check-in" and "check-out
has passed" are computed there, never in the server's zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PENDING, CONFIRMED, CANCELLED, COMPLETED = "PENDING", "CONFIRMED", "CANCELLED", "COMPLETED"
STATUSES = (PENDING, CONFIRMED, CANCELLED, COMPLETED)
# The statuses that hold their nights, and so may still be cancelled.
HOLDING = (PENDING, CONFIRMED)
CANCELLED_BY_GUEST, REJECTED_BY_PROVIDER, EXPIRED = "CANCELLED_BY_GUEST", "REJECTED_BY_PROVIDER", "EXPIRED"
CANCELLED_BY_PROVIDER = "CANCELLED_BY_PROVIDER"
# DynamoDB caps a transaction at 100 items; a booking writes one lock per night plus at
# most four other items (room check, booking, guest counter, idempotency record).
TRANSACTION_LIMIT = 100
FIXED_ITEMS = 4
# So the longest stay a setting may allow still fits in one transaction.
MAX_NIGHTS_LIMIT = TRANSACTION_LIMIT - FIXED_ITEMS

_TRANSITIONS = {
    PENDING: frozenset({CONFIRMED, CANCELLED}),
    CONFIRMED: frozenset({CANCELLED, COMPLETED}),
    CANCELLED: frozenset(),
    COMPLETED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in _TRANSITIONS[current]


def holds_nights(status: str) -> bool:
    """PENDING and CONFIRMED bookings hold their nights; the others have freed them."""
    return status in HOLDING


def nights_of(check_in: date, check_out: date) -> list[date]:
    """The nights `[check_in, check_out)`: a night is named by the date it starts."""
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def local_instant(day: date, clock_time: str, zone: str) -> datetime:
    """`day` at `clock_time` (HH:MM) on the stay's clock, as an aware datetime."""
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(zone))


def stay_problems(
    check_in: date, check_out: date, *, today: date, max_nights: int, max_advance_days: int
) -> list[dict[str, str]]:
    """What is wrong with the dates of a stay, as field errors; empty when they are fine."""
    if check_in >= check_out:
        return [{"field": "check_out", "message": "must be after check_in"}]
    problems = []
    if check_in < today:
        problems.append({"field": "check_in", "message": f"must not be before today ({today}) in the stay's time zone"})
    if check_in > today + timedelta(days=max_advance_days):
        problems.append({"field": "check_in", "message": f"must be at most {max_advance_days} days ahead"})
    if (check_out - check_in).days > max_nights:
        problems.append({"field": "check_out", "message": f"a stay is at most {max_nights} nights"})
    return problems


def pending_due(created_at: datetime, check_in_at: datetime, hold: timedelta, least: timedelta) -> datetime:
    """A PENDING booking expires when the hold runs out or check-in time comes, whichever is
    first, but never less than `least` after it was made: one made late on its check-in day
    (tonight's room at 18:00, check-in from 14:00) leaves its provider `least` to answer, where
    a hold that ended before it began could be neither confirmed nor cancelled."""
    return min(created_at + hold, max(check_in_at, created_at + least))

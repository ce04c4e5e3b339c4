"""Pure review rules: who may review which booking and until when, what the public sees."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain.bookings import COMPLETED, local_instant


def review_deadline(check_out: date, check_out_time: str, zone: str, window_days: int) -> datetime:
    """A stay may be reviewed until `window_days` after its check-out time, on the stay's clock."""
    return local_instant(check_out, check_out_time, zone) + timedelta(days=window_days)


def is_reviewable(status: str, deadline: datetime, now: datetime) -> bool:
    """Only a stay that took place (COMPLETED) is reviewed, and only while its window is open."""
    return status == COMPLETED and now <= deadline


def first_name(full_name: str) -> str:
    """The only part of a reviewer's name that is shown."""
    parts = full_name.split()
    return parts[0] if parts else ""


def stayed_in(check_in: str) -> str:
    """`YYYY-MM` of the check-in date (an ISO date)."""
    return check_in[:7]

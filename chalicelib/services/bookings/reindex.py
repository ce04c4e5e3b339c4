"""Index keys for bookings written before their lists by status existed (gsi3 / gsi4).

A booking derives its index keys on every write, so only items that no write has touched
since lack them. `reindex_bookings` scans the bookings once and saves each such one under
its version (a stream MODIFY with the same status, so no event); one changed meanwhile was
rewritten with its keys by that change and is left alone.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from chalicelib.models.base import condition_failed
from chalicelib.models.bookings import Booking


def reindex_bookings() -> int:
    """Save every booking whose stored status-list keys are not the ones it derives; how many."""
    saved = 0
    for booking in Booking.scan():
        stored = (booking.gsi3pk, booking.gsi4pk)
        booking.derive_keys()
        if (booking.gsi3pk, booking.gsi4pk) == stored:
            continue
        try:
            booking.save()
            saved += 1
        except PutError as exc:
            if not condition_failed(exc):
                raise
    return saved

"""`python -m scripts.reindex_bookings`: index keys for bookings written before their lists
by status existed (gsi3 / gsi4), once, after upgrading a table that holds such bookings.

A booking derives its index keys on every write, so only items that no write has touched
since lack them. This scans the bookings once (an operator's migration with their own
credentials: no deployed function scans) and saves each such one under its version (a
stream MODIFY with the same status, so no event); one changed meanwhile was rewritten with
its keys by that change and is left alone. It works on the table the environment names
(`TABLE_NAME`, `DYNAMODB_ENDPOINT`, as for `python -m chalicelib.cli`).
"""

from __future__ import annotations

import sys

from pynamodb.exceptions import PutError

from chalicelib.models.base import condition_failed
from chalicelib.models.bookings import Booking
from chalicelib.settings import get_settings


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


def main() -> int:
    print(f"{reindex_bookings()} bookings reindexed in table {get_settings().table_name!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

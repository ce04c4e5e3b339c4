"""Pausing a stay's sales while a change makes sure no booking of its rooms is, or can still be,
committed (a delete, a new currency), and resuming them when the change does not go through.

A pause is a lease on the rooms (`Room.sale_paused_until`), apart from the provider's own
`is_available`: a change that fails resumes sales at once, and one that cannot (the database
is down, the process dies) stops them for `PAUSE_SECONDS` at most. No request outlives its
lease: each stops its DynamoDB calls at `REQUEST_DEADLINE_SECONDS` (at most 15), and the API's
Lambda at 29 s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib import clock, deadline
from chalicelib.errors import Conflict, NotFound
from chalicelib.models.base import transaction
from chalicelib.models.listings import Room, Stay
from chalicelib.search.access import has_upcoming_bookings

log = logging.getLogger(__name__)
PAUSE_SECONDS = 60
# How long resuming sales may take past a request's deadline (API Gateway waits 29 s).
RESUME_SECONDS = 5.0


def _has_bookings(what: str) -> Conflict:
    return Conflict(
        f"The {what} has PENDING or CONFIRMED bookings from today on; cancel or reject them first, "
        "or set is_available to false to stop selling.",
        code="ROOM_HAS_BOOKINGS",
    )


@dataclass
class Pause:
    """The leases one change holds on its rooms' sales: one per attempt (a failed attempt's
    pause may have been written all the same)."""

    leases: list[datetime] = field(default_factory=list)

    def stop(
        self, stay: Stay, rooms: list[Room], room_id: str | None = None, *, refusal: Conflict | None = None
    ) -> None:
        """Make sure no booking of these rooms is, or can still be, committed; else 409 (`refusal`,
        by default `ROOM_HAS_BOOKINGS`), after which `paused_sales` resumes their sales.

        A booking's transaction checks the room's version as it was read. Pausing the rooms'
        sales bumps their versions, so a booking still in flight fails from then on, and one
        that reads them afterwards is refused; a booking that committed before has its locks in
        place, which the second look finds.
        """
        refused = refusal or _has_bookings("room" if room_id else "stay")
        if has_upcoming_bookings(stay, room_id):
            raise refused
        until = clock.utcnow() + timedelta(seconds=PAUSE_SECONDS)
        self.leases.append(until)
        with transaction() as tx:
            for room in rooms:
                room.sale_paused_until = until
                tx.save(room)
        if has_upcoming_bookings(stay, room_id):
            raise refused


@contextmanager
def paused_sales(rooms_now: Callable[[], list[Room]]) -> Iterator[Pause]:
    """A `Pause` for one change. If the change raises, the rooms still under its leases
    (`rooms_now`, read consistently) are for sale again at once, in one transaction, and the
    change's error goes on; a failure to resume is logged, and the lease runs out."""
    pause = Pause()
    try:
        yield pause
    except Exception:
        if pause.leases:
            _resume(rooms_now, pause.leases)
        raise


def _resume(rooms_now: Callable[[], list[Room]], leases: list[datetime]) -> None:
    """Under a deadline of its own: the change may have failed because the request's ran out.
    A room paused since by another change keeps that change's lease."""
    try:
        with deadline.grace(RESUME_SECONDS):
            paused = [room for room in _rooms_or_none(rooms_now) if room.sale_paused_until in leases]
            if not paused:
                return
            with transaction() as tx:
                for room in paused:
                    room.sale_paused_until = None
                    tx.save(room)
    except Exception:
        log.exception("sales paused until the lease ends", extra={"until": max(leases).isoformat()})


def _rooms_or_none(rooms_now: Callable[[], list[Room]]) -> list[Room]:
    """The rooms as they are now; none when the stay is gone (its delete went through)."""
    try:
        return rooms_now()
    except NotFound:
        return []

"""Taking a stay's rooms off sale while a change makes sure no booking of them is, or can still
be, committed (a delete, a new currency), and putting them back as they were when the change
does not go through: refused, or failed after they went off sale."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from chalicelib import deadline
from chalicelib.errors import Conflict, NotFound
from chalicelib.models.base import transaction
from chalicelib.models.listings import Room, Stay
from chalicelib.search.access import has_upcoming_bookings

log = logging.getLogger(__name__)
# How long putting rooms back on sale may take past a request's deadline (API Gateway waits 29 s).
PUT_BACK_SECONDS = 5.0


def _has_bookings(what: str) -> Conflict:
    return Conflict(
        f"The {what} has PENDING or CONFIRMED bookings from today on; cancel or reject them first, "
        "or set is_available to false to stop selling.",
        code="ROOM_HAS_BOOKINGS",
    )


@dataclass
class Pause:
    """The rooms a change took off sale, each with its `is_available` from before the change's
    first attempt (a retry reads them already off sale)."""

    on_sale: dict[str, bool] = field(default_factory=dict)

    def stop(
        self, stay: Stay, rooms: list[Room], room_id: str | None = None, *, refusal: Conflict | None = None
    ) -> None:
        """Make sure no booking of these rooms is, or can still be, committed; else 409 (`refusal`,
        by default `ROOM_HAS_BOOKINGS`), after which `paused_sales` puts the rooms back on sale.

        A booking's transaction checks the room's version as it was read. Saving the rooms
        as not for sale bumps their versions, so a booking still in flight fails from then on;
        a booking that committed before has its locks in place, which the second look finds.
        """
        refused = refusal or _has_bookings("room" if room_id else "stay")
        if has_upcoming_bookings(stay, room_id):
            raise refused
        for room in rooms:
            self.on_sale.setdefault(room.id, room.is_available)
        with transaction() as tx:
            for room in rooms:
                room.is_available = False
                tx.save(room)
        if has_upcoming_bookings(stay, room_id):
            raise refused

    def was_on_sale(self, room: Room) -> bool:
        return self.on_sale.get(room.id, room.is_available)


@contextmanager
def paused_sales(rooms_now: Callable[[], list[Room]]) -> Iterator[Pause]:
    """A `Pause` for one change (all its attempts). If the change raises, the rooms it took off
    sale and that still exist (`rooms_now`, read consistently) are put back as they were, in one
    transaction, and the change's error goes on; a failure to put them back is logged."""
    pause = Pause()
    try:
        yield pause
    except Exception:
        if pause.on_sale:
            _put_back(rooms_now, pause.on_sale)
        raise


def _put_back(rooms_now: Callable[[], list[Room]], on_sale: dict[str, bool]) -> None:
    """Under a deadline of its own: the change may have failed because the request's ran out."""
    try:
        with deadline.grace(PUT_BACK_SECONDS):
            rooms = _rooms_or_none(rooms_now)
            changed = [room for room in rooms if room.id in on_sale and room.is_available != on_sale[room.id]]
            if not changed:
                return
            with transaction() as tx:
                for room in changed:
                    room.is_available = on_sale[room.id]
                    tx.save(room)
    except Exception:
        log.exception("rooms left off sale", extra={"rooms": sorted(on_sale)})


def _rooms_or_none(rooms_now: Callable[[], list[Room]]) -> list[Room]:
    """The rooms as they are now; none when the stay is gone (its delete went through)."""
    try:
        return rooms_now()
    except NotFound:
        return []

"""Reading bookings: one by id, a guest's list, a provider's list."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import access
from chalicelib.domain.ids import is_id
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import NotFound
from chalicelib.models.bookings import Booking, guest_bookings_pk, provider_bookings_pk
from chalicelib.services.pages import page


def get_booking(caller: AccessClaims, booking_id: str, *, consistent: bool = False) -> Booking:
    """GetItem `BOOKING#<id>`; only its guest, its provider and admins may see it, others get 404."""
    if not is_id(booking_id):
        raise NotFound("No such booking.")
    try:
        booking = Booking.get(*Booking.keys(booking_id), consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such booking.") from exc
    if not access.may_see_booking(caller, booking.guest_id, booking.provider_id):
        raise NotFound("No such booking.")
    return booking


def _listed(
    index: Any, partition: str, scope: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """One Query on a booking list index, newest first, filtered by status, one page."""
    return page(
        lambda start: index.query(
            partition,
            scan_index_forward=False,
            filter_condition=(Booking.status == status) if status else None,
            limit=limit,
            last_evaluated_key=start,
        ),
        Booking,
        cursor=cursor,
        scope=f"{scope}:{status}",
    )


def guest_bookings(
    user_id: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """One Query on gsi1, `GUEST#<user id>#BOOKINGS`, newest first, filtered by status."""
    scope = f"guest-bookings:{user_id}"
    return _listed(Booking.gsi1, guest_bookings_pk(user_id), scope, status=status, limit=limit, cursor=cursor)


def provider_bookings(
    caller: AccessClaims, provider_id: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """One Query on gsi2, `PROVIDER#<pid>#BOOKINGS`, newest first; for that provider and admins."""
    access.require_provider_list(caller, provider_id)
    scope = f"provider-bookings:{provider_id}"
    return _listed(Booking.gsi2, provider_bookings_pk(provider_id), scope, status=status, limit=limit, cursor=cursor)

"""What cancelling costs: the guest's quote before cancelling, and the provider's own cancel.

Both go by the policy the booking was made under (its snapshot with absolute deadlines),
never by the stay's policy today.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib import clock
from chalicelib.domain import access, policies
from chalicelib.domain import bookings as rules
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import NotFound
from chalicelib.models.bookings import Booking
from chalicelib.services.bookings.lifecycle import close_booking, guarded, require_cancellable
from chalicelib.services.bookings.reads import get_booking


def cancellation_quote(caller: AccessClaims, booking_id: str) -> policies.Quote:
    """GetItem `BOOKING#<id>`: what the guest would get back by cancelling now, and until when
    that holds; the same 409s as the cancel itself. Only its guest may ask; others get 404."""
    booking = get_booking(caller, booking_id, consistent=True)
    if not access.is_guest(caller, booking.guest_id):
        raise NotFound("No such booking.")
    now = clock.utcnow()
    require_cancellable(booking, now)
    due = booking.deadlines()
    return policies.settle(booking.status, rules.CANCELLED_BY_GUEST, booking.total_price, booking.currency, due, now)


def provider_cancel_booking(caller: AccessClaims, booking_id: str, reason: str) -> Booking:
    """The provider cancels a CONFIRMED booking before its check-in day: refunded in full, its
    nights freed, the provider's `total_bookings` one lower, in one transaction. Anyone but
    its provider gets 404."""

    def act(booking: Booking, now: datetime) -> None:
        if not access.is_provider(caller, booking.provider_id):
            raise NotFound("No such booking.")
        require_cancellable(booking, now, allowed=(rules.CONFIRMED,))
        close_booking(booking, rules.CANCELLED_BY_PROVIDER, now, note=reason)

    return guarded(caller, booking_id, act)

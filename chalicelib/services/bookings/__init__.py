"""Bookings: made exactly once, moved through their lifecycle, listed, and timed out.

The invariant "a room night is sold once" is held by DynamoDB, not by reads:
every booked night is a lock item written with `attribute_not_exists` in the
booking's own transaction, and every change of a booking is conditioned on the
version that was read. One module per use case:

- `create`: booking a room (idempotent, one read step and one transaction);
- `lifecycle`: the guest's cancel, the provider's confirm and reject;
- `cancellation`: the guest's refund quote, the provider's cancel;
- `reads`: one booking, a guest's list, a provider's list (each also by status);
- `timers`: the scheduled completion and expiry.
"""

from chalicelib.services.bookings.cancellation import cancellation_quote, provider_cancel_booking
from chalicelib.services.bookings.create import create_booking
from chalicelib.services.bookings.lifecycle import cancel_booking, confirm_booking, reject_booking
from chalicelib.services.bookings.reads import get_booking, guest_bookings, provider_bookings
from chalicelib.services.bookings.timers import run_timers

__all__ = [
    "cancel_booking",
    "cancellation_quote",
    "confirm_booking",
    "create_booking",
    "get_booking",
    "guest_bookings",
    "provider_bookings",
    "provider_cancel_booking",
    "reject_booking",
    "run_timers",
]

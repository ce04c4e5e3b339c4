"""A booking's answers: the guest cancels, the provider confirms or rejects.

Each is one transaction on the booking as it was read (its version), with the
counters that move with it; a concurrent change makes it read again and retry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import bookings as rules
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict
from chalicelib.models.accounts import Provider, User
from chalicelib.models.base import transaction
from chalicelib.models.bookings import Booking, NightLock
from chalicelib.services.bookings.reads import get_booking
from chalicelib.services.retries import retrying, stale_on_condition
from chalicelib.settings import get_settings


def close_booking(booking: Booking, reason: str, now: datetime) -> None:
    """PENDING or CONFIRMED to CANCELLED in one transaction: the booking under its version,
    its nights' locks deleted if they are still its own, the counters moved with it."""
    was = booking.status
    booking.status, booking.cancellation_reason, booking.updated_at = rules.CANCELLED, reason, now
    with transaction() as tx:
        tx.save(booking)
        for lock in booking.night_locks(timedelta(days=get_settings().lock_ttl_days)):
            # A lock TTL already removed (a long-stopped timer job) is no reason to fail.
            tx.delete(lock, condition=NightLock.pk.does_not_exist() | (NightLock.booking_id == booking.id))
        if was == rules.PENDING:
            tx.update(User(id=booking.guest_id), actions=[User.pending_bookings.add(-1)])
        else:
            tx.update(Provider(id=booking.provider_id), actions=[Provider.total_bookings.add(-1)])


def _guarded(caller: AccessClaims, booking_id: str, act: Callable[[Booking, datetime], None]) -> Booking:
    """Read the booking, act on it, and run again from the read if it changed meanwhile."""

    def attempt() -> Booking:
        booking = get_booking(caller, booking_id, consistent=True)
        act(booking, clock.utcnow())
        return booking

    return retrying(stale_on_condition(attempt), what="booking")


def _invalid_transition(booking: Booking, target: str) -> Conflict:
    return Conflict(f"A {booking.status} booking cannot become {target}.", code="INVALID_TRANSITION")


def cancel_booking(caller: AccessClaims, booking_id: str) -> Booking:
    """The guest cancels a PENDING or CONFIRMED booking, strictly before the check-in day
    in the stay's time zone; its nights are sellable again at once."""

    def act(booking: Booking, now: datetime) -> None:
        access.require_booking_guest(caller, booking.guest_id)
        if not rules.can_move(booking.status, rules.CANCELLED):
            raise _invalid_transition(booking, rules.CANCELLED)
        if rules.today_in(booking.stay.timezone, now) >= date.fromisoformat(booking.check_in):
            raise Conflict("A booking can be cancelled until the day before check-in.", code="TOO_LATE_TO_CANCEL")
        close_booking(booking, rules.CANCELLED_BY_GUEST, now)

    return _guarded(caller, booking_id, act)


def confirm_booking(caller: AccessClaims, booking_id: str) -> Booking:
    """The provider confirms a PENDING booking whose hold has not run out. One transaction:
    the booking (now due at check-out), the guest's pending count, the provider's total."""

    def act(booking: Booking, now: datetime) -> None:
        access.require_booking_provider(caller, booking.provider_id)
        if not rules.can_move(booking.status, rules.CONFIRMED):
            raise _invalid_transition(booking, rules.CONFIRMED)
        if booking.due_at is not None and booking.due_at <= now:
            raise Conflict("The hold on this booking has run out.", code="INVALID_TRANSITION")
        booking.status, booking.updated_at = rules.CONFIRMED, now
        booking.due_at = rules.local_instant(
            date.fromisoformat(booking.check_out), booking.stay.check_out_time, booking.stay.timezone
        )
        with transaction() as tx:
            tx.save(booking)
            tx.update(User(id=booking.guest_id), actions=[User.pending_bookings.add(-1)])
            tx.update(Provider(id=booking.provider_id), actions=[Provider.total_bookings.add(1)])

    return _guarded(caller, booking_id, act)


def reject_booking(caller: AccessClaims, booking_id: str) -> Booking:
    """The provider turns down a PENDING booking; its nights are sellable again at once."""

    def act(booking: Booking, now: datetime) -> None:
        access.require_booking_provider(caller, booking.provider_id)
        if booking.status != rules.PENDING:
            raise _invalid_transition(booking, rules.CANCELLED)
        close_booking(booking, rules.REJECTED_BY_PROVIDER, now)

    return _guarded(caller, booking_id, act)

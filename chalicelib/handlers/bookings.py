"""/api/bookings/rooms: book, read, list, and the guest's and provider's answers."""

from __future__ import annotations

from chalicelib.domain.tokens import AccessClaims
from chalicelib.handlers.http import ApiBlueprint, header
from chalicelib.schemas.bookings import BookingCreate, BookingDetail, BookingListQuery, CancellationQuote
from chalicelib.schemas.common import Page
from chalicelib.schemas.policies import ProviderCancel
from chalicelib.services import bookings

bp = ApiBlueprint(__name__)


@bp.operation(
    "POST",
    "/api/bookings/rooms/room-booking",
    auth="user",
    body=BookingCreate,
    response=BookingDetail,
    status=201,
    problems={
        403: ("OWN_LISTING",),
        404: ("NOT_FOUND",),
        409: ("ROOM_UNAVAILABLE", "STAY_RESTRICTED", "PENDING_LIMIT_REACHED", "CONFLICT"),
        422: ("IDEMPOTENCY_KEY_REUSED",),
    },
    headers={"Idempotency-Key": "1-128 of A-Z a-z 0-9 _ . : -; a repeat with the same body returns the first booking"},
)
def create_booking(caller: AccessClaims, body: BookingCreate) -> BookingDetail:
    """Book a room; send `Idempotency-Key` to make retries safe."""
    return BookingDetail.model_validate(bookings.create_booking(caller, body, header("Idempotency-Key")))


@bp.operation("GET", "/api/bookings/rooms/my", auth="user", query=BookingListQuery, response=Page[BookingDetail])
def my_bookings(caller: AccessClaims, query: BookingListQuery) -> Page[BookingDetail]:
    """The caller's bookings, newest first."""
    listed = bookings.guest_bookings(caller.user_id, status=query.status, limit=query.limit, cursor=query.cursor)
    return Page[BookingDetail].of(*listed)


@bp.operation(
    "GET",
    "/api/bookings/rooms/provider/{provider_id}",
    auth="user",
    query=BookingListQuery,
    response=Page[BookingDetail],
    problems={403: ("FORBIDDEN",)},
)
def provider_bookings(caller: AccessClaims, provider_id: str, query: BookingListQuery) -> Page[BookingDetail]:
    """A provider's bookings, newest first; for that provider and admins."""
    listed = bookings.provider_bookings(
        caller, provider_id, status=query.status, limit=query.limit, cursor=query.cursor
    )
    return Page[BookingDetail].of(*listed)


@bp.operation("GET", "/api/bookings/rooms/{booking_id}", auth="user", response=BookingDetail)
def get_booking(caller: AccessClaims, booking_id: str) -> BookingDetail:
    """A booking, for its guest, its provider and admins."""
    return BookingDetail.model_validate(bookings.get_booking(caller, booking_id))


@bp.operation(
    "POST",
    "/api/bookings/rooms/{booking_id}/cancel",
    auth="user",
    response=BookingDetail,
    problems={403: ("FORBIDDEN",), 409: ("INVALID_TRANSITION", "TOO_LATE_TO_CANCEL", "CONFLICT")},
)
def cancel_booking(caller: AccessClaims, booking_id: str) -> BookingDetail:
    """The guest cancels, before the check-in day."""
    return BookingDetail.model_validate(bookings.cancel_booking(caller, booking_id))


@bp.operation(
    "POST",
    "/api/bookings/rooms/{booking_id}/confirm",
    auth="user",
    response=BookingDetail,
    problems={403: ("FORBIDDEN",), 409: ("INVALID_TRANSITION", "CONFLICT")},
)
def confirm_booking(caller: AccessClaims, booking_id: str) -> BookingDetail:
    """The provider confirms a PENDING booking within its hold (24 h or to check-in time, at least 1 h)."""
    return BookingDetail.model_validate(bookings.confirm_booking(caller, booking_id))


@bp.operation(
    "POST",
    "/api/bookings/rooms/{booking_id}/reject",
    auth="user",
    response=BookingDetail,
    problems={403: ("FORBIDDEN",), 409: ("INVALID_TRANSITION", "CONFLICT")},
)
def reject_booking(caller: AccessClaims, booking_id: str) -> BookingDetail:
    """The provider turns a PENDING booking down."""
    return BookingDetail.model_validate(bookings.reject_booking(caller, booking_id))


@bp.operation(
    "GET",
    "/api/bookings/rooms/{booking_id}/cancellation",
    auth="user",
    response=CancellationQuote,
    problems={409: ("INVALID_TRANSITION", "TOO_LATE_TO_CANCEL")},
)
def cancellation_quote(caller: AccessClaims, booking_id: str) -> CancellationQuote:
    """For its guest: what cancelling now refunds under the booking's policy, and until when."""
    return CancellationQuote.model_validate(bookings.cancellation_quote(caller, booking_id))


@bp.operation(
    "POST",
    "/api/bookings/rooms/{booking_id}/provider-cancel",
    auth="user",
    body=ProviderCancel,
    response=BookingDetail,
    problems={409: ("INVALID_TRANSITION", "TOO_LATE_TO_CANCEL", "CONFLICT")},
)
def provider_cancel(caller: AccessClaims, booking_id: str, body: ProviderCancel) -> BookingDetail:
    """Its provider cancels a CONFIRMED booking before check-in day, with a reason; full refund."""
    return BookingDetail.model_validate(bookings.provider_cancel_booking(caller, booking_id, body.reason))

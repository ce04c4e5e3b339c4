"""Reading bookings: one by id, a guest's list, a provider's list."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import access
from chalicelib.domain.ids import is_id
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import NotFound
from chalicelib.models.accounts import Provider
from chalicelib.models.bookings import Booking, by_status_pk, guest_bookings_pk, provider_bookings_pk
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
    whole: Any, by_status: Any, list_pk: str, scope: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """One page of a booking list, newest first: one Query on the list's index `whole`; with a
    status, one Query on its own partition of `by_status` (keys only) and one BatchGetItem, so
    a page costs the same however many bookings of other statuses the list holds."""
    # A status's scope is not `{scope}:{status}`: that signed gsi1 / gsi2 keys before these lists.
    index, pk, scope = (
        (whole, list_pk, f"{scope}:None")
        if status is None
        else (by_status, by_status_pk(list_pk, status), f"{scope}:by-status:{status}")
    )
    found, after = page(
        lambda start: index.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start),
        Booking,
        cursor=cursor,
        scope=scope,
    )
    return (found if status is None else _in_full(found, status)), after


def _in_full(entries: list[Booking], status: str) -> list[Booking]:
    """The bookings behind index entries, in their order, read in one strongly consistent
    BatchGetItem; one whose status has moved on since the index was written is left out."""
    if not entries:
        return []
    keys = [(entry.pk, entry.sk) for entry in entries]
    found = {(booking.pk, booking.sk): booking for booking in Booking.batch_get(keys, consistent_read=True)}
    return [booking for key in keys if (booking := found.get(key)) is not None and booking.status == status]


def guest_bookings(
    user_id: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """A guest's bookings (gsi1; with a status, gsi4), newest first (see `_listed`)."""
    scope = f"guest-bookings:{user_id}"
    pk = guest_bookings_pk(user_id)
    return _listed(Booking.gsi1, Booking.gsi4, pk, scope, status=status, limit=limit, cursor=cursor)


def _provider_exists(provider_id: str) -> None:
    """GetItem `PROVIDER#<pid>` (keys only): an admin asking for an unknown provider gets 404, not an empty list."""
    try:
        if is_id(provider_id):
            Provider.get(*Provider.keys(provider_id), attributes_to_get=["pk", "kind"])
            return
    except DoesNotExist:
        pass
    raise NotFound("No such provider.")


def provider_bookings(
    caller: AccessClaims, provider_id: str, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Booking], str | None]:
    """A provider's bookings (gsi2; with a status, gsi3), newest first (see `_listed`); for that
    provider and admins."""
    access.require_provider_list(caller, provider_id)
    if not access.is_provider(caller, provider_id):
        _provider_exists(provider_id)
    scope = f"provider-bookings:{provider_id}"
    pk = provider_bookings_pk(provider_id)
    return _listed(Booking.gsi2, Booking.gsi3, pk, scope, status=status, limit=limit, cursor=cursor)

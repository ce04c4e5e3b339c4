"""Booking a room: one strongly consistent read step, then one transaction.

The transaction writes the booking, a lock per night and the idempotency record,
each under `attribute_not_exists`, checks that the room is still for sale as it was
read, and moves the guest's pending counter under its limit.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock
from chalicelib.domain import access, rates
from chalicelib.domain import bookings as rules
from chalicelib.domain.ids import new_id, parent_of
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict, Invalid, NotFound, Unprocessable
from chalicelib.models.accounts import User
from chalicelib.models.base import TableItem, condition_failed, failed_conditions, transaction
from chalicelib.models.bookings import (
    Booking,
    GuestSnapshot,
    IdempotencyRecord,
    NightLock,
    ProviderSnapshot,
    RoomSnapshot,
    StaySnapshot,
    night_of_lock_sk,
    nights_pk,
)
from chalicelib.models.listings import Room, Stay
from chalicelib.models.policies import BookingPolicyMap
from chalicelib.models.rates import NightPrice
from chalicelib.schemas.bookings import BookingCreate
from chalicelib.schemas.common import Violation
from chalicelib.services.retries import Stale, retrying
from chalicelib.services.stay_providers import booking_snapshot
from chalicelib.settings import get_settings

ALL_OLD = "ALL_OLD"
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def _request_hash(body: BookingCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Booking:
    if record.request_hash != request_hash:
        raise Unprocessable("This Idempotency-Key was used for another request.", code="IDEMPOTENCY_KEY_REUSED")
    return Booking.get(*Booking.keys(record.booking_id), consistent_read=True)


def _check(body: BookingCreate, stay: Stay, room: Room, user: User, now: datetime) -> rates.Quote:
    """The rules a booking request must meet before anything is written; the stay priced."""
    settings = get_settings()
    access.require_not_own_listing(user.provider_id, stay.provider_id)
    problems = []
    if body.stay_type != stay.stay_type:
        problems.append({"field": "stay_type", "message": f"the room belongs to a {stay.stay_type}"})
    problems += rules.stay_problems(
        body.check_in,
        body.check_out,
        today=rules.today_in(stay.timezone, now),
        max_nights=settings.max_nights,
        max_advance_days=settings.max_advance_days,
    )
    if body.guests > room.max_guest_per_room:
        problems.append({"field": "guests", "message": f"the room sleeps at most {int(room.max_guest_per_room)}"})
    if problems:
        raise Invalid("The booking is not valid.", errors=problems)
    if not room.for_sale(now):
        raise Conflict("The room is not for sale.", code="ROOM_UNAVAILABLE", conflicting_nights=[])
    quote = rates.quote(room, body.check_in, body.check_out)
    if not quote.bookable:
        raise Conflict(
            "The room's rules do not allow these dates.",
            code="STAY_RESTRICTED",
            violations=[Violation.model_validate(v).model_dump(mode="json") for v in quote.violations],
        )
    if user.pending_bookings >= settings.max_pending_per_guest:
        raise _pending_limit()
    return quote


def _pending_limit() -> Conflict:
    limit = get_settings().max_pending_per_guest
    return Conflict(
        f"You hold {limit} bookings that await their provider; wait for an answer or cancel one.",
        code="PENDING_LIMIT_REACHED",
    )


def _new_booking(
    body: BookingCreate,
    stay: Stay,
    room: Room,
    quote: rates.Quote,
    user: User,
    provider: ProviderSnapshot,
    now: datetime,
) -> Booking:
    settings = get_settings()
    check_in_at = rules.local_instant(body.check_in, stay.check_in_time, stay.timezone)
    return Booking(
        id=new_id(),
        status=rules.PENDING,
        guest_id=user.id,
        provider_id=stay.provider_id,
        stay_id=stay.id,
        room_id=room.id,
        check_in=body.check_in.isoformat(),
        check_out=body.check_out.isoformat(),
        nights=quote.nights,
        guests=body.guests,
        price_per_night=room.price_per_night,
        nightly_prices=NightPrice.listed(quote.nightly_prices),
        total_price=quote.total,
        currency=room.currency,
        note=body.note,
        due_at=rules.pending_due(
            now,
            check_in_at,
            timedelta(hours=settings.pending_hold_hours),
            timedelta(minutes=settings.pending_least_hold_minutes),
        ),
        cancellation_policy=BookingPolicyMap.snapshot(stay.cancellation_policy.policy(), check_in_at),
        guest=GuestSnapshot.of(user),
        provider=provider,
        room=RoomSnapshot.of(room),
        stay=StaySnapshot.of(stay),
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class _Listing:
    stay: Stay
    room: Room
    user: User


def _read(user_id: str, body: BookingCreate, key: str | None) -> IdempotencyRecord | _Listing:
    """One BatchGetItem, strongly consistent: stay, room, guest and the idempotency record.
    The record when there is one (a replay answers with its booking whatever became of the
    room since), else what the booking needs."""
    stay_id = parent_of(body.room_id)
    if stay_id is None:
        raise NotFound("No such room.")
    wanted = [Stay.keys(stay_id), Room.keys(stay_id, body.room_id), User.keys(user_id)]
    if key is not None:
        wanted.append(IdempotencyRecord.keys(user_id, key))
    found = {(item.pk, item.sk): item for item in TableItem.batch_get(wanted, consistent_read=True)}
    stay, room, user, *rest = (found.get(k) for k in wanted)
    record = rest[0] if rest and isinstance(rest[0], IdempotencyRecord) else None
    if record is not None:
        return record
    if not isinstance(stay, Stay) or not isinstance(room, Room):
        raise NotFound("No such room.")
    if not isinstance(user, User):
        raise NotFound("No such user.")
    return _Listing(stay, room, user)


def _write(booking: Booking, room: Room, user: User, record: IdempotencyRecord | None) -> None:
    """The booking's one transaction. A token per attempt: should botocore resend this very
    request after a timeout, DynamoDB answers the resend without applying it twice."""
    settings = get_settings()
    with transaction(str(uuid.uuid4())) as tx:
        # The room must still be for sale at the price, rules and size that were read: a rules
        # PUT since the read bumped the version, and the booking is priced again (Stale).
        tx.condition_check(
            Room,
            room.pk,
            room.sk,
            condition=(Room.is_available == True) & (Room.version == room.version),  # noqa: E712
        )
        tx.save(booking, condition=Booking.pk.does_not_exist())
        # These conditions, not a read beforehand, are what make double booking impossible.
        for lock in booking.night_locks(timedelta(days=settings.lock_ttl_days)):
            tx.save(lock, condition=NightLock.pk.does_not_exist(), return_values=ALL_OLD)
        if record is not None:
            tx.save(record, condition=IdempotencyRecord.pk.does_not_exist(), return_values=ALL_OLD)
        tx.update(
            user,
            actions=[User.pending_bookings.add(1)],
            condition=User.pending_bookings.does_not_exist() | (User.pending_bookings < settings.max_pending_per_guest),
            return_values=ALL_OLD,
        )


def _refusal(exc: TransactWriteError, booking: Booking, user: User) -> Exception:
    """What a booking transaction cancelled by a condition means for the client."""
    failed = failed_conditions(exc)
    taken = sorted(night_of_lock_sk(sk) for pk, sk in failed if pk == nights_pk(booking.stay_id))
    if taken:
        return Conflict(
            "The room is already booked for some of these nights.", code="ROOM_UNAVAILABLE", conflicting_nights=taken
        )
    if any(pk == user.pk for pk, _ in failed):
        return _pending_limit()
    # The room changed since it was read (price, size, availability): read it again.
    return Stale()


def _create(user_id: str, body: BookingCreate, key: str | None, request_hash: str) -> Booking:
    read = _read(user_id, body, key)
    if isinstance(read, IdempotencyRecord):
        return _replay(read, request_hash)
    stay, room, user = read.stay, read.room, read.user
    record: IdempotencyRecord | None = None
    now = clock.utcnow()
    quote = _check(body, stay, room, user, now)
    # The stay's snapshot: no read of the provider (a GetItem only for stays older than it).
    booking = _new_booking(body, stay, room, quote, user, booking_snapshot(stay), now)
    if key is not None:
        ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
        record = IdempotencyRecord(
            user_id=user_id, key=key, booking_id=booking.id, request_hash=request_hash, expires_at=now + ttl
        )
    try:
        _write(booking, room, user, record)
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        if record is not None and (record.pk, record.sk) in failed_conditions(exc):
            # A concurrent request with the same key won: answer as its replay.
            return _replay(IdempotencyRecord.get(record.pk, record.sk, consistent_read=True), request_hash)
        raise _refusal(exc, booking, user) from exc
    return booking


def create_booking(caller: AccessClaims, body: BookingCreate, idempotency_key: str | None) -> Booking:
    """Book a room for `[check_in, check_out)`: a BatchGetItem (stay, room, guest, idempotency
    record; the stay carries its provider's snapshot), then one TransactWriteItems of the
    booking, a lock per night, the guest's pending counter and the idempotency record, each
    under its condition.

    The same `Idempotency-Key` with the same body returns the first booking; with another
    body it is a 422. A lost race for a night is a 409 naming the nights.
    """
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise Invalid(
            "The Idempotency-Key header is not valid.",
            errors=[{"field": "Idempotency-Key", "message": "must be 1-128 of A-Z a-z 0-9 _ . : -"}],
        )
    request_hash = _request_hash(body)
    return retrying(lambda: _create(caller.user_id, body, idempotency_key, request_hash), what="booking")

"""Bookings: made exactly once, moved through their lifecycle, listed, and timed out.

The invariant "a room night is sold once" is held by DynamoDB, not by reads:
every booked night is a lock item written with `attribute_not_exists` in the
booking's own transaction, and every change of a booking is conditioned on the
version that was read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from chalicelib import clock
from chalicelib.domain import bookings as rules
from chalicelib.domain.accounts import ROLE_ADMIN
from chalicelib.domain.ids import is_id, new_id, parent_of
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict, Forbidden, Invalid, NotFound, ServiceUnavailable, Unprocessable
from chalicelib.models.accounts import Provider, User
from chalicelib.models.base import TableItem, condition_failed, failed_conditions, is_transient, transaction
from chalicelib.models.bookings import (
    TIMER_SHARDS,
    Booking,
    GuestSnapshot,
    IdempotencyRecord,
    NightLock,
    ProviderSnapshot,
    RoomSnapshot,
    StaySnapshot,
    guest_bookings_pk,
    nights_pk,
    provider_bookings_pk,
    timer_instant,
    timer_pk,
)
from chalicelib.models.listings import Room, Stay
from chalicelib.schemas.bookings import BookingCreate
from chalicelib.services.pages import page
from chalicelib.services.stay_providers import booking_snapshot
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
ALL_OLD = "ALL_OLD"
ATTEMPTS = 4
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


class _Stale(Exception):
    """What was read changed before the write: read again and retry."""


def _retrying(write: Callable[[], T]) -> T:
    """Retry `write` with jittered backoff on a lost transaction race, throttling or a stale read.

    When the attempts run out, a transient failure is a 503 (with Retry-After) and a
    read that kept going stale is a 409.
    """
    try:
        return Retrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, _Stale) or is_transient(exc)),
            wait=wait_random_exponential(multiplier=0.02, max=0.5),
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
        )(write)
    except _Stale as exc:
        raise Conflict("The booking changed while it was being saved; try again.") from exc
    except PynamoDBException as exc:
        if is_transient(exc):
            raise ServiceUnavailable("The booking service is busy; retry shortly.", retry_after=1) from exc
        raise


# --- create ---


def _request_hash(body: BookingCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Booking:
    if record.request_hash != request_hash:
        raise Unprocessable("This Idempotency-Key was used for another request.", code="IDEMPOTENCY_KEY_REUSED")
    return Booking.get(*Booking.keys(record.booking_id), consistent_read=True)


def _check(body: BookingCreate, stay: Stay, room: Room, user: User, now: datetime) -> None:
    """The rules a booking request must meet before anything is written."""
    settings = get_settings()
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
    if not room.is_available:
        raise Conflict("The room is not for sale.", code="ROOM_UNAVAILABLE", conflicting_nights=[])
    if user.pending_bookings >= settings.max_pending_per_guest:
        raise _pending_limit()


def _pending_limit() -> Conflict:
    limit = get_settings().max_pending_per_guest
    return Conflict(
        f"You hold {limit} bookings that await their provider; wait for an answer or cancel one.",
        code="PENDING_LIMIT_REACHED",
    )


def _new_booking(
    body: BookingCreate, stay: Stay, room: Room, user: User, provider: ProviderSnapshot, now: datetime
) -> Booking:
    settings = get_settings()
    nights = rules.nights_of(body.check_in, body.check_out)
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
        nights=len(nights),
        guests=body.guests,
        price_per_night=room.price_per_night,
        total_price=rules.total_price(room.price_per_night, len(nights)),
        currency=room.currency,
        note=body.note,
        due_at=rules.pending_due(now, check_in_at, timedelta(hours=settings.pending_hold_hours)),
        guest=GuestSnapshot(id=user.id, full_name=user.full_name, email=user.email, phone=user.phone),
        provider=provider,
        room=RoomSnapshot(
            id=room.id,
            room_name=room.room_name,
            room_type=room.room_type,
            price_per_night=room.price_per_night,
            max_guest_per_room=room.max_guest_per_room,
        ),
        stay=StaySnapshot(
            id=stay.id,
            type=stay.stay_type,
            name=stay.name,
            address=stay.address,
            city=stay.city,
            country=stay.country,
            timezone=stay.timezone,
            check_in_time=stay.check_in_time,
            check_out_time=stay.check_out_time,
        ),
        created_at=now,
        updated_at=now,
    )


def _locks(booking: Booking) -> list[NightLock]:
    ttl = timedelta(days=get_settings().lock_ttl_days)
    nights = rules.nights_of(date.fromisoformat(booking.check_in), date.fromisoformat(booking.check_out))
    return [
        NightLock(
            stay_id=booking.stay_id,
            room_id=booking.room_id,
            night=night.isoformat(),
            booking_id=booking.id,
            expires_at=rules.local_instant(night + ttl, "00:00", booking.stay.timezone),
        )
        for night in nights
    ]


def _read(user_id: str, body: BookingCreate, key: str | None) -> tuple[IdempotencyRecord | None, Stay, Room, User]:
    """One BatchGetItem, strongly consistent: stay, room, guest and the idempotency record."""
    stay_id = parent_of(body.room_id)
    if stay_id is None:
        raise NotFound("No such room.")
    wanted = [Stay.keys(stay_id), Room.keys(stay_id, body.room_id), User.keys(user_id)]
    if key is not None:
        wanted.append(IdempotencyRecord.keys(user_id, key))
    found = {(item.pk, item.sk): item for item in TableItem.batch_get(wanted, consistent_read=True)}
    stay, room, user, *rest = (found.get(k) for k in wanted)
    if not isinstance(stay, Stay) or not isinstance(room, Room):
        raise NotFound("No such room.")
    if not isinstance(user, User):
        raise NotFound("No such user.")
    record = rest[0] if rest and isinstance(rest[0], IdempotencyRecord) else None
    return record, stay, room, user


def _write(booking: Booking, room: Room, user: User, record: IdempotencyRecord | None) -> None:
    """The booking's one transaction. A token per attempt: should botocore resend this very
    request after a timeout, DynamoDB answers the resend without applying it twice."""
    limit = get_settings().max_pending_per_guest
    with transaction(str(uuid.uuid4())) as tx:
        # The room must still be for sale at the price and size that were read.
        tx.condition_check(
            Room,
            room.pk,
            room.sk,
            condition=(Room.is_available == True) & (Room.version == room.version),  # noqa: E712
        )
        tx.save(booking, condition=Booking.pk.does_not_exist())
        # These conditions, not a read beforehand, are what make double booking impossible.
        for lock in _locks(booking):
            tx.save(lock, condition=NightLock.pk.does_not_exist(), return_values=ALL_OLD)
        if record is not None:
            tx.save(record, condition=IdempotencyRecord.pk.does_not_exist(), return_values=ALL_OLD)
        tx.update(
            user,
            actions=[User.pending_bookings.add(1)],
            condition=User.pending_bookings.does_not_exist() | (User.pending_bookings < limit),
            return_values=ALL_OLD,
        )


def _refusal(exc: TransactWriteError, booking: Booking, user: User) -> Exception:
    """What a booking transaction cancelled by a condition means for the client."""
    failed = failed_conditions(exc)
    taken = sorted(sk.split("#", 1)[0] for pk, sk in failed if pk == nights_pk(booking.stay_id))
    if taken:
        return Conflict(
            "The room is already booked for some of these nights.", code="ROOM_UNAVAILABLE", conflicting_nights=taken
        )
    if any(pk == user.pk for pk, _ in failed):
        return _pending_limit()
    # The room changed since it was read (price, size, availability): read it again.
    return _Stale()


def _create(user_id: str, body: BookingCreate, key: str | None, request_hash: str) -> Booking:
    record, stay, room, user = _read(user_id, body, key)
    if record is not None:
        return _replay(record, request_hash)
    now = clock.utcnow()
    _check(body, stay, room, user, now)
    # The stay's snapshot: no read of the provider (a GetItem only for stays older than it).
    booking = _new_booking(body, stay, room, user, booking_snapshot(stay), now)
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
    booking, a lock per night, the guest's pending counter and the idempotency record, each under its condition.

    The same `Idempotency-Key` with the same body returns the first booking; with another
    body it is a 422. A lost race for a night is a 409 naming the nights.
    """
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise Invalid(
            "The Idempotency-Key header is not valid.",
            errors=[{"field": "Idempotency-Key", "message": "must be 1-128 of A-Z a-z 0-9 _ . : -"}],
        )
    request_hash = _request_hash(body)
    return _retrying(lambda: _create(caller.user_id, body, idempotency_key, request_hash))


# --- reads ---


def _may_see(caller: AccessClaims, booking: Booking) -> bool:
    return (
        caller.user_id == booking.guest_id
        or (caller.provider_id is not None and caller.provider_id == booking.provider_id)
        or ROLE_ADMIN in caller.roles
    )


def get_booking(caller: AccessClaims, booking_id: str, *, consistent: bool = False) -> Booking:
    """GetItem `BOOKING#<id>`; only its guest, its provider and admins may see it, others get 404."""
    if not is_id(booking_id):
        raise NotFound("No such booking.")
    try:
        booking = Booking.get(*Booking.keys(booking_id), consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such booking.") from exc
    if not _may_see(caller, booking):
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
    if caller.provider_id != provider_id and ROLE_ADMIN not in caller.roles:
        raise Forbidden("Only that provider and admins may list its bookings.")
    scope = f"provider-bookings:{provider_id}"
    return _listed(Booking.gsi2, provider_bookings_pk(provider_id), scope, status=status, limit=limit, cursor=cursor)


# --- lifecycle ---


def _close(booking: Booking, reason: str, now: datetime) -> None:
    """PENDING or CONFIRMED to CANCELLED in one transaction: the booking under its version,
    its nights' locks deleted if they are still its own, the counters moved with it."""
    was = booking.status
    booking.status, booking.cancellation_reason, booking.updated_at = rules.CANCELLED, reason, now
    with transaction() as tx:
        tx.save(booking)
        for lock in _locks(booking):
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
        try:
            act(booking, clock.utcnow())
        except PynamoDBException as exc:
            if condition_failed(exc):
                raise _Stale() from exc
            raise
        return booking

    return _retrying(attempt)


def _invalid_transition(booking: Booking, target: str) -> Conflict:
    return Conflict(f"A {booking.status} booking cannot become {target}.", code="INVALID_TRANSITION")


def cancel_booking(caller: AccessClaims, booking_id: str) -> Booking:
    """The guest cancels a PENDING or CONFIRMED booking, strictly before the check-in day
    in the stay's time zone; its nights are sellable again at once."""

    def act(booking: Booking, now: datetime) -> None:
        if booking.guest_id != caller.user_id:
            raise Forbidden("Only the guest may cancel a booking.")
        if not rules.can_move(booking.status, rules.CANCELLED):
            raise _invalid_transition(booking, rules.CANCELLED)
        if rules.today_in(booking.stay.timezone, now) >= date.fromisoformat(booking.check_in):
            raise Conflict("A booking can be cancelled until the day before check-in.", code="TOO_LATE_TO_CANCEL")
        _close(booking, rules.CANCELLED_BY_GUEST, now)

    return _guarded(caller, booking_id, act)


def _provider_only(caller: AccessClaims, booking: Booking) -> None:
    if caller.provider_id != booking.provider_id:
        raise Forbidden("Only the booking's provider may answer it.")


def confirm_booking(caller: AccessClaims, booking_id: str) -> Booking:
    """The provider confirms a PENDING booking whose hold has not run out. One transaction:
    the booking (now due at check-out), the guest's pending count, the provider's total."""

    def act(booking: Booking, now: datetime) -> None:
        _provider_only(caller, booking)
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
        _provider_only(caller, booking)
        if booking.status != rules.PENDING:
            raise _invalid_transition(booking, rules.CANCELLED)
        _close(booking, rules.REJECTED_BY_PROVIDER, now)

    return _guarded(caller, booking_id, act)


# --- timers ---


def run_timers(now: datetime, *, budget_seconds: float) -> dict[str, Any]:
    """Complete CONFIRMED bookings whose check-out has passed and expire PENDING ones whose
    hold or check-in time has come, reading only what is due: per shard, one Query on the
    sparse timer index, `TIMER#<shard>` with `timer_due <= now`.

    Each change is conditioned on the version read, so a concurrent run or a guest's
    cancel simply wins and this run counts a skip. A run cut short by its budget leaves
    the rest in the index for the next run, which resumes there.
    """
    deadline = time.monotonic() + budget_seconds
    summary = {"completed": 0, "expired": 0, "skipped": 0, "finished": True}
    for shard in range(TIMER_SHARDS):
        due = Booking.timer.query(timer_pk(shard), TableItem.timer_due <= timer_instant(now), page_size=25)
        for booking in due:
            if not isinstance(booking, Booking):
                continue
            if time.monotonic() > deadline:
                summary["finished"] = False
                log.info("timers", extra=summary)
                return summary
            try:
                if booking.status == rules.PENDING:
                    _close(booking, rules.EXPIRED, now)
                    summary["expired"] += 1
                elif booking.status == rules.CONFIRMED:
                    booking.status, booking.updated_at = rules.COMPLETED, now
                    booking.save()
                    summary["completed"] += 1
            except PynamoDBException as exc:
                if not (condition_failed(exc) or is_transient(exc)):
                    raise
                summary["skipped"] += 1
    log.info("timers", extra=summary)
    return summary


def has_upcoming_bookings(stay: Stay, room_id: str | None = None) -> bool:
    """Whether any night from today on (stay's zone) is held, for the stay or one of its rooms:
    one Query on `NIGHTS#<stay id>` with `sk >= today`. Only PENDING and CONFIRMED bookings
    hold locks, so a lock is an upcoming booking."""
    today = rules.today_in(stay.timezone, clock.utcnow()).isoformat()
    locks = NightLock.query(
        nights_pk(stay.id),
        TableItem.sk >= today,
        filter_condition=(NightLock.room_id == room_id) if room_id else None,
        limit=1,
    )
    return any(True for _ in locks)

"""Providers manage stays and rooms; anyone reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain.ids import is_id, new_child_id, new_id, parent_of
from chalicelib.domain.listings import MAX_ROOMS_PER_STAY
from chalicelib.domain.money import check_amount
from chalicelib.errors import Conflict, NotFound
from chalicelib.models.accounts import Provider
from chalicelib.models.base import TableItem, transaction
from chalicelib.models.listings import Room, Stay, provider_stays_pk, stay_pk
from chalicelib.models.policies import PolicyMap
from chalicelib.schemas.listings import RoomCreate, RoomPatch, StayCreate, StayPatch
from chalicelib.services import stay_providers
from chalicelib.services.pages import page
from chalicelib.services.retries import retrying, stale_on_condition
from chalicelib.services.sales import Pause, paused_sales

T = TypeVar("T")
# Fields of a stay that its rooms copy (index keys, currency): changing one rewrites the rooms.
_ROOMS_FOLLOW = frozenset({"stay_type", "country", "city", "currency"})


def _optimistic(write: Callable[[], T]) -> T:
    """Run a read-modify-write again when a version condition shows a concurrent change."""
    return retrying(stale_on_condition(write), what="stay")


def stay_with_rooms(stay_id: str, *, consistent: bool = False) -> tuple[Stay, list[Room]]:
    """One Query on the partition `STAY#<id>`: the stay item and all its room items."""
    if not is_id(stay_id):
        raise NotFound("No such stay.")
    stay, rooms = None, []
    for item in TableItem.query(stay_pk(stay_id), consistent_read=consistent):
        if isinstance(item, Stay):
            stay = item
        elif isinstance(item, Room):
            rooms.append(item)
    if stay is None:
        raise NotFound("No such stay.")
    return stay, sorted(rooms, key=lambda r: r.created_at)


def _owned(provider_id: str, stay_id: str) -> tuple[Stay, list[Room]]:
    """The stay and its rooms, read consistently; another provider's stay is not found."""
    stay, rooms = stay_with_rooms(stay_id, consistent=True)
    if not access.owns(provider_id, stay.provider_id):
        raise NotFound("No such stay.")
    return stay, rooms


def create_stay(provider_id: str, body: StayCreate) -> Stay:
    """GetItem the provider, then one transaction: the Put of `STAY#<new id>`/`STAY` with the
    provider's snapshot and its cancellation policy, and a check that the profile did not change
    since it was read (see services/stay_providers.py). Its index keys place it in the provider,
    city and type indexes."""

    def write() -> Stay:
        try:
            provider = Provider.get(*Provider.keys(provider_id), consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound("No such provider.") from exc
        now = clock.utcnow()
        stay = Stay(
            id=new_id(),
            provider_id=provider_id,
            provider=stay_providers.snapshot_of(provider),
            created_at=now,
            updated_at=now,
            cancellation_policy=PolicyMap.of(body.cancellation_policy.policy()),
            **body.model_dump(exclude={"cancellation_policy"}),
        )
        with transaction() as tx:
            tx.condition_check(Provider, provider.pk, provider.sk, condition=stay_providers.current_version(provider))
            tx.save(stay, condition=Stay.pk.does_not_exist())
        return stay

    return _optimistic(write)


def provider_stays(provider_id: str, *, limit: int, cursor: str | None) -> tuple[list[Stay], str | None]:
    """One Query on gsi1, `PROVIDER#<pid>#STAYS`, newest first."""
    return page(
        lambda start: Stay.gsi1.query(
            provider_stays_pk(provider_id), scan_index_forward=False, limit=limit, last_evaluated_key=start
        ),
        Stay,
        cursor=cursor,
        scope=f"my-stays:{provider_id}",
    )


def update_stay(provider_id: str, stay_id: str, patch: StayPatch) -> Stay:
    """Save the stay under its version; when a field its rooms copy changes, save them too,
    in the same transaction, so that the stay never sits in one city and its rooms in another.
    A new currency first pauses the rooms' sales (`services/sales.py`), so that no booking can
    be priced in the old one meanwhile, and resumes them in that transaction."""

    def write(pause: Pause) -> Stay:
        stay, rooms = _owned(provider_id, stay_id)
        changes = patch.model_dump(include=patch.model_fields_set)
        if patch.cancellation_policy is not None:
            changes["cancellation_policy"] = PolicyMap.of(patch.cancellation_policy.policy())
        if changes.get("currency", stay.currency) != stay.currency and rooms:
            _check_amounts(rooms, changes["currency"])
            pause.stop(stay, rooms, refusal=_currency_locked())
        for name, value in changes.items():
            setattr(stay, name, value)
        stay.updated_at = clock.utcnow()
        if _ROOMS_FOLLOW.isdisjoint(changes) or not rooms:
            stay.save()
            return stay
        with transaction() as tx:
            tx.save(stay)
            for room in rooms:
                room.follow(stay)
                room.sale_paused_until = None
                tx.save(room)
        return stay

    return _pausing_sales(stay_id, write)


def _pausing_sales(stay_id: str, write: Callable[[Pause], T]) -> T:
    """`write` run optimistically (`_optimistic`), the stay's rooms for sale again if it does not
    go through (`paused_sales`)."""
    with paused_sales(lambda: stay_with_rooms(stay_id, consistent=True)[1]) as pause:
        return _optimistic(lambda: write(pause))


def _currency_locked() -> Conflict:
    return Conflict("The stay has upcoming bookings in its currency.", code="CURRENCY_LOCKED")


def _check_amounts(rooms: list[Room], currency: str) -> None:
    """Every room's price and rule prices must be amounts of the new currency (else 400)."""
    for room in rooms:
        check_amount(room.price_per_night, currency, "currency")
        for rule in room.rate_rules():
            check_amount(rule.price_per_night, currency, "currency")


def delete_stay(provider_id: str, stay_id: str) -> None:
    """Delete the stay and all its rooms in one transaction, each under its version; refused
    (409) while any of its nights from today on is booked (see `services/sales.py`)."""

    def write(pause: Pause) -> None:
        stay, rooms = _owned(provider_id, stay_id)
        if rooms:
            pause.stop(stay, rooms)
        with transaction() as tx:
            tx.delete(stay)
            for room in rooms:
                tx.delete(room)

    _pausing_sales(stay_id, write)


def save_rooms(stay: Stay, rooms: list[Room], *, saved: Room | None = None, deleted: Room | None = None) -> None:
    """One transaction: `saved` put or `deleted` removed, and the stay saved with its count and
    its search bounds (`Stay.summarize`) as its rooms are after that, each under its version,
    so the stay's index entries are never behind its rooms."""
    changed = {room.id for room in (saved, deleted) if room is not None}
    after = [room for room in rooms if room.id not in changed] + ([saved] if saved is not None else [])
    stay.summarize(after)
    stay.room_count = len(after)
    with transaction() as tx:
        if saved is not None:
            tx.save(saved)  # under its version: absent for a new room, unchanged for one read
        if deleted is not None:
            tx.delete(deleted)
        tx.save(stay)


def add_room(provider_id: str, stay_id: str, body: RoomCreate) -> Room:
    """Put the room and save the stay (see `save_rooms`). The stay's version condition means
    the room copies the stay's current city, type and currency, and the count caps rooms at
    `MAX_ROOMS_PER_STAY`."""

    def write() -> Room:
        stay, rooms = _owned(provider_id, stay_id)
        check_amount(body.price_per_night, stay.currency, "price_per_night")
        if stay.room_count >= MAX_ROOMS_PER_STAY:
            raise Conflict(f"A stay has at most {MAX_ROOMS_PER_STAY} rooms.", code="ROOM_LIMIT_REACHED")
        now = clock.utcnow()
        room = Room(
            id=new_child_id(stay.id),
            stay_id=stay.id,
            created_at=now,
            updated_at=now,
            **body.model_dump(),
            **Room.copied_from(stay),
        )
        save_rooms(stay, rooms, saved=room)
        return room

    return _optimistic(write)


def owned_room(provider_id: str, stay_id: str, room_id: str) -> tuple[Stay, list[Room], Room]:
    """The stay, all its rooms and the one asked for, read consistently."""
    if parent_of(room_id) != stay_id:
        raise NotFound("No such room.")
    stay, rooms = _owned(provider_id, stay_id)
    room = next((r for r in rooms if r.id == room_id), None)
    if room is None:
        raise NotFound("No such room.")
    return stay, rooms, room


def update_room(provider_id: str, stay_id: str, room_id: str, patch: RoomPatch) -> Room:
    """Save the room with the fields sent, and the stay (see `save_rooms`)."""

    def write() -> Room:
        stay, rooms, room = owned_room(provider_id, stay_id, room_id)
        check_amount(patch.price_per_night, stay.currency, "price_per_night")
        for name, value in patch.model_dump(include=patch.model_fields_set).items():
            setattr(room, name, value)
        room.updated_at = clock.utcnow()
        save_rooms(stay, rooms, saved=room)
        return room

    return _optimistic(write)


def delete_room(provider_id: str, stay_id: str, room_id: str) -> None:
    """Delete the room and save the stay (see `save_rooms`); refused (409) while any of its
    nights from today on is booked (see `services/sales.py`)."""

    def write(pause: Pause) -> None:
        stay, rooms, room = owned_room(provider_id, stay_id, room_id)
        pause.stop(stay, [room], room.id)
        save_rooms(stay, rooms, deleted=room)

    _pausing_sales(stay_id, write)

"""A room's rates and restrictions, and a stay's calendar of prices and free nights."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.domain import rates
from chalicelib.domain.bookings import today_in
from chalicelib.domain.ids import parent_of
from chalicelib.domain.money import check_amount
from chalicelib.errors import Invalid, NotFound
from chalicelib.models.listings import Room, Stay
from chalicelib.models.rates import RateRule
from chalicelib.schemas.rates import RatesIn
from chalicelib.search.access import taken_nights
from chalicelib.services.listings import owned_room, save_rooms, stay_with_rooms
from chalicelib.services.retries import retrying, stale_on_condition
from chalicelib.settings import get_settings


def room_rates(stay_id: str, room_id: str) -> Room:
    """One GetItem, `STAY#<stay id>` / `ROOM#<room id>`: the rules live on the room."""
    if parent_of(room_id) != stay_id:
        raise NotFound("No such room.")
    try:
        return Room.get(*Room.keys(stay_id, room_id))
    except DoesNotExist as exc:
        raise NotFound("No such room.") from exc


def _check(body: RatesIn, currency: str) -> list[rates.Rule]:
    """What the body's shape cannot say: prices in the currency's minor unit, stays of at
    most MAX_NIGHTS (a setting). 400 naming the first field at fault."""
    max_nights = get_settings().max_nights
    for n, rule in enumerate(body.rules):
        check_amount(rule.price_per_night, currency, f"rules.{n}.price_per_night")
        for name in ("min_stay", "max_stay"):
            value = getattr(rule, name)
            if value is not None and value > max_nights:
                message = f"must be at most {max_nights} (MAX_NIGHTS)"
                raise Invalid("The request is not valid.", errors=[{"field": f"rules.{n}.{name}", "message": message}])
    return [rule.to_rule() for rule in body.rules]


def replace_rates(provider_id: str, stay_id: str, room_id: str, body: RatesIn) -> Room:
    """Replace all of the room's rules: a consistent read of the stay's partition, then the
    room and the stay saved under their versions (`save_rooms`: the stay's search bounds
    follow the rules). A booking that read the room before this lands fails its
    ConditionCheck on that version and is priced again under these rules."""

    def write() -> Room:
        stay, rooms, room = owned_room(provider_id, stay_id, room_id)
        room.rules = [RateRule.of(rule) for rule in _check(body, stay.currency)]
        room.updated_at = clock.utcnow()
        save_rooms(stay, rooms, saved=room)
        return room

    return retrying(stale_on_condition(write), what="room")


def _check_span(stay: Stay, first: date) -> None:
    yesterday = today_in(stay.timezone, clock.utcnow()) - timedelta(days=1)
    if first < yesterday:
        message = f"must not be before yesterday ({yesterday}) in the stay's time zone"
        raise Invalid("The request is not valid.", errors=[{"field": "from", "message": message}])


def _sellable_nights(stay: Stay, now: datetime) -> tuple[date, date]:
    """The first and last night a booking made now can hold: from today (stay's zone) to the
    last night of the longest stay that starts on the last day a booking may start."""
    settings = get_settings()
    today = today_in(stay.timezone, now)
    return today, today + timedelta(days=settings.max_advance_days + settings.max_nights - 1)


def calendar(stay_id: str, first: date, end: date) -> tuple[Stay, list[tuple[Room, list[tuple[rates.Night, bool]]]]]:
    """Each room's nights of `[first, end)`: evaluated settings and whether it can be sold (not
    a night already past, nor one beyond what a booking made now could reach).

    Two round trips whatever the span: the Query of the partition `STAY#<id>` (the stay,
    its rooms and their rules), then the consistent Query of `NIGHTS#<id>` between the
    first and the last night (every room's locks)."""
    stay, rooms = stay_with_rooms(stay_id)
    _check_span(stay, first)
    taken = taken_nights(stay.id, first, end)
    now = clock.utcnow()
    soonest, latest = _sellable_nights(stay, now)
    days = []
    for room in rooms:
        nights = rates.nights_between(room.rate_rules(), room.price_per_night, first, end)
        free = [
            soonest <= n.date <= latest
            and room.for_sale(now)
            and not n.closed
            and (n.date.isoformat(), room.id) not in taken
            for n in nights
        ]
        days.append((room, list(zip(nights, free, strict=True))))
    return stay, days

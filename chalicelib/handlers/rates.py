"""/api/listings/.../rates and /api/listings/stays/{stay_id}/calendar."""

from __future__ import annotations

from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.rates import (
    CalendarOut,
    CalendarQuery,
    CalendarRoom,
    RatesIn,
    RatesOut,
)
from chalicelib.services import rates

bp = ApiBlueprint(__name__)
RATES = "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"


@bp.operation("GET", RATES, response=RatesOut)
def get_rates(stay_id: str, room_id: str) -> RatesOut:
    """A room's base price and its rate and restriction rules, in order (the last one wins)."""
    return RatesOut.of(rates.room_rates(stay_id, room_id))


@bp.operation("PUT", RATES, auth="provider", body=RatesIn, response=RatesOut, problems={409: ("CONFLICT",)})
def put_rates(owner: str, stay_id: str, room_id: str, body: RatesIn) -> RatesOut:
    """Replace all of a room's rules (0-100); bookings already made keep their prices."""
    return RatesOut.of(rates.replace_rates(owner, stay_id, room_id, body))


@bp.operation("GET", "/api/listings/stays/{stay_id}/calendar", query=CalendarQuery, response=CalendarOut)
def get_calendar(stay_id: str, query: CalendarQuery) -> CalendarOut:
    """Per room and night of `[from, to)`: the price, whether it can be booked now, the restrictions."""
    stay, rooms = rates.calendar(stay_id, query.from_date, query.to_date)
    return CalendarOut(
        stay_id=stay.id,
        currency=stay.currency,
        from_date=query.from_date,
        to_date=query.to_date,
        rooms=[CalendarRoom.of(room, nights) for room, nights in rooms],
    )

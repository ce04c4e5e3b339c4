"""/api/listings/rooms/available and /api/listings/search/stays."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.listings import Page, RoomOut
from chalicelib.schemas.search import AvailabilityQuery, AvailableRoom, StayBrief, StayCard, StaySearchQuery
from chalicelib.search import availability

bp = ApiBlueprint(__name__)


@bp.operation("GET", "/api/listings/rooms/available", query=AvailabilityQuery, response=Page[AvailableRoom])
def rooms_available(query: AvailabilityQuery) -> Page[AvailableRoom]:
    """Rooms free for every night of `[check_in, check_out)`, cheapest first."""
    free, next_cursor = availability.available_rooms(query, clock.utcnow())
    items = [
        AvailableRoom(
            **RoomOut.model_validate(item.room).model_dump(),
            stay_type=item.stay.stay_type,
            stay=StayBrief.model_validate(item.stay),
        )
        for item in free
    ]
    return Page[AvailableRoom](items=items, next_cursor=next_cursor)


@bp.operation("GET", "/api/listings/search/stays", query=StaySearchQuery, response=Page[StayCard])
def search_stays(query: StaySearchQuery) -> Page[StayCard]:
    """Stays with free rooms for `[check_in, check_out)`, as cards with their price range."""
    cards, next_cursor = availability.search_stays(query, clock.utcnow())
    return Page[StayCard](items=cards, next_cursor=next_cursor)

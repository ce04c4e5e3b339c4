"""/api/listings/rooms/available and /api/listings/search/stays."""

from __future__ import annotations

from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import Page
from chalicelib.schemas.search import AvailabilityQuery, AvailableRoom, StayCard, StaySearchQuery
from chalicelib.services import search

bp = ApiBlueprint(__name__)


@bp.operation("GET", "/api/listings/rooms/available", query=AvailabilityQuery, response=Page[AvailableRoom])
def rooms_available(query: AvailabilityQuery) -> Page[AvailableRoom]:
    """Rooms free for every night of `[check_in, check_out)`, cheapest first; a page may be short."""
    return Page[AvailableRoom].of(*search.available_rooms(query))


@bp.operation("GET", "/api/listings/search/stays", query=StaySearchQuery, response=Page[StayCard])
def search_stays(query: StaySearchQuery) -> Page[StayCard]:
    """Stays with free rooms for `[check_in, check_out)`, as priced cards; a page may be short."""
    return Page[StayCard].of(*search.search_stays(query))

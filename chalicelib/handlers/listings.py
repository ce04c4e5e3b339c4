"""/api/listings: stays and rooms."""

from __future__ import annotations

from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import Page, PageQuery
from chalicelib.schemas.listings import (
    RoomCreate,
    RoomOut,
    RoomPatch,
    StayCreate,
    StayOut,
    StayPatch,
    StayWithRooms,
)
from chalicelib.services import listings

bp = ApiBlueprint(__name__)


@bp.operation("POST", "/api/listings/stays", auth="provider", body=StayCreate, response=StayOut, status=201)
def create_stay(owner: str, body: StayCreate) -> StayOut:
    """List a new hotel, homestay or resort."""
    return StayOut.model_validate(listings.create_stay(owner, body))


@bp.operation("GET", "/api/listings/stays/{stay_id}", response=StayWithRooms)
def get_stay(stay_id: str) -> StayWithRooms:
    """A stay with all its rooms."""
    stay, rooms = listings.stay_with_rooms(stay_id)
    return StayWithRooms.model_validate(
        {**StayOut.model_validate(stay).model_dump(), "rooms": [RoomOut.model_validate(r) for r in rooms]}
    )


@bp.operation(
    "PATCH",
    "/api/listings/stays/{stay_id}",
    auth="provider",
    body=StayPatch,
    response=StayOut,
    problems={409: ("CURRENCY_LOCKED", "CONFLICT")},
)
def patch_stay(owner: str, stay_id: str, body: StayPatch) -> StayOut:
    """Change the fields sent of one's own stay."""
    return StayOut.model_validate(listings.update_stay(owner, stay_id, body))


@bp.operation(
    "DELETE",
    "/api/listings/stays/{stay_id}",
    auth="provider",
    status=204,
    problems={409: ("ROOM_HAS_BOOKINGS", "CONFLICT")},
)
def delete_stay(owner: str, stay_id: str) -> None:
    """Delete one's own stay with its rooms."""
    listings.delete_stay(owner, stay_id)


@bp.operation("GET", "/api/listings/my-stays", auth="provider", query=PageQuery, response=Page[StayOut])
def my_stays(owner: str, query: PageQuery) -> Page[StayOut]:
    """The caller's stays, newest first."""
    stays, next_cursor = listings.provider_stays(owner, limit=query.limit, cursor=query.cursor)
    return Page[StayOut].of(stays, next_cursor)


@bp.operation(
    "POST",
    "/api/listings/stays/{stay_id}/rooms",
    auth="provider",
    body=RoomCreate,
    response=RoomOut,
    status=201,
    problems={409: ("ROOM_LIMIT_REACHED", "CONFLICT")},
)
def add_room(owner: str, stay_id: str, body: RoomCreate) -> RoomOut:
    """Add a room to one's own stay."""
    return RoomOut.model_validate(listings.add_room(owner, stay_id, body))


@bp.operation(
    "PATCH",
    "/api/listings/stays/{stay_id}/rooms/{room_id}",
    auth="provider",
    body=RoomPatch,
    response=RoomOut,
    problems={409: ("CONFLICT",)},
)
def patch_room(owner: str, stay_id: str, room_id: str, body: RoomPatch) -> RoomOut:
    """Change the fields sent of a room; `is_available: false` stops selling it."""
    return RoomOut.model_validate(listings.update_room(owner, stay_id, room_id, body))


@bp.operation(
    "DELETE",
    "/api/listings/stays/{stay_id}/rooms/{room_id}",
    auth="provider",
    status=204,
    problems={409: ("ROOM_HAS_BOOKINGS", "CONFLICT")},
)
def delete_room(owner: str, stay_id: str, room_id: str) -> None:
    """Delete a room of one's own stay."""
    listings.delete_room(owner, stay_id, room_id)

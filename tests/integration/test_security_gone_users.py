"""Tokens outlive their users: a token whose user was deleted or made inactive is 401
TOKEN_INVALID on every route that takes a bearer token, and a valid write by such a user (a
write first, or a read then a transaction) or a gone guest's booking writes nothing."""

from __future__ import annotations

import pytest

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers.http import OPERATIONS
from chalicelib.handlers.routes import load_all
from tests.factories import Api, stay_body
from tests.integration.conftest import Cast, World, _concrete

# --- tokens outlive their users: every route that takes a bearer token asks whether the user still is ---


def _bearer_routes(c: Cast) -> list[tuple[str, str]]:
    load_all()  # every operation declared, not only those of the routes already served
    routes = []
    for op in OPERATIONS:
        if op.auth == "none":
            continue
        path = _concrete(op.path, c).replace("{booking_id}", c.booking["id"])
        routes.append((op.method, path.replace("{webhook_id}", "x").replace("{review_id}", "x")))
    return routes


@pytest.mark.parametrize("gone", ["deleted", "inactive"])
def test_a_token_whose_user_is_gone_is_invalid_on_every_route(api: Api, cast: Cast, items, gone: str) -> None:
    from chalicelib.models.accounts import User

    user = User.get(*User.keys(cast.world.provider.id))
    if gone == "deleted":
        user.delete()
    else:
        user.update(actions=[User.is_active.set(False)])
    before = items()
    routes = _bearer_routes(cast)
    assert ("GET", "/api/auth/me") in routes
    for method, path in routes:
        reply = api.call(method, path, {}, token=cast.world.provider.access)
        assert (reply.status, reply.code) == (401, "TOKEN_INVALID"), (method, path, reply.body)
    assert items() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/accounts/provider-profile", {"business_name": "Renamed"}),  # a write first
        ("POST", "/api/listings/stays", stay_body()),  # a read, then a transaction
    ],
)
def test_a_gone_users_valid_write_is_401_and_writes_nothing(
    api: Api, cast: Cast, items, method: str, path: str, body: dict
) -> None:
    from chalicelib.models.accounts import User

    User.get(*User.keys(cast.world.provider.id)).update(actions=[User.is_active.set(False)])
    before = items()
    reply = api.call(method, path, body, token=cast.world.provider.access)
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID"), reply.body
    assert items() == before


def test_a_gone_guests_booking_is_401_and_writes_nothing(api: Api, world: World, items) -> None:
    """The booking's own BatchGetItem reads the guest's user item: the check rides on it."""
    from chalicelib.models.accounts import User

    User.get(*User.keys(world.guest.id)).update(actions=[User.is_active.set(False)])
    before = items()
    reply = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access)
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID"), reply.body
    assert items() == before

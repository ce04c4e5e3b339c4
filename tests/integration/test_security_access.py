"""Who may do what: every route that takes an id, called by anonymous, another guest, another
provider, the owner and an admin, gets what API.md says each gets (404 where the caller may not
see, 403 where the role is wrong), and the matrix covers every such route; an admin asking for
an unknown provider's bookings gets 404. The cast (`Cast`, the `cast` fixture) is in
conftest.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers import routes
from chalicelib.handlers.http import OPERATIONS
from tests.factories import Api, room_body
from tests.integration.conftest import RULES, WEBHOOKS, Cast
from tests.integration.test_reviews import REVIEW


def _stay(c: Cast) -> str:
    return f"/api/listings/stays/{c.world.stay['id']}"


def _room(c: Cast) -> str:
    return f"{_stay(c)}/rooms/{c.world.other_room['id']}"


def _booking(c: Cast) -> str:
    return f"/api/bookings/rooms/{c.booking['id']}"


ROUTES: dict[str, tuple[str, Callable[[Cast], str], dict | None]] = {
    "public provider": ("GET", lambda c: f"/api/providers/{c.world.provider.provider_id}", None),
    "kyc": ("POST", lambda c: f"/api/admin/providers/{c.world.provider.provider_id}/kyc", {"kyc_status": "VERIFIED"}),
    "read stay": ("GET", _stay, None),
    "change stay": ("PATCH", _stay, {"name": "Taken over"}),
    "delete stay": ("DELETE", lambda c: f"/api/listings/stays/{c.world.stay['id']}", None),
    "add room": ("POST", lambda c: f"{_stay(c)}/rooms", room_body()),
    "change room": ("PATCH", _room, {"price_per_night": 1}),
    "delete room": ("DELETE", _room, None),
    "read rates": ("GET", lambda c: f"{_room(c)}/rates", None),
    "change rates": ("PUT", lambda c: f"{_room(c)}/rates", RULES),
    "calendar": ("GET", lambda c: f"{_stay(c)}/calendar?from={c.world.day(0)}&to={c.world.day(31)}", None),
    "provider bookings": ("GET", lambda c: f"/api/bookings/rooms/provider/{c.world.provider.provider_id}", None),
    "read booking": ("GET", _booking, None),
    "cancel": ("POST", lambda c: f"{_booking(c)}/cancel", None),
    "confirm": ("POST", lambda c: f"{_booking(c)}/confirm", None),
    "reject": ("POST", lambda c: f"{_booking(c)}/reject", None),
    "cancellation quote": ("GET", lambda c: f"{_booking(c)}/cancellation", None),
    "provider cancel": ("POST", lambda c: f"{_booking(c)}/provider-cancel", {"reason": "The roof leaks."}),
    "review": ("POST", lambda c: f"{_booking(c)}/review", REVIEW),
    "stay reviews": ("GET", lambda c: f"{_stay(c)}/reviews", None),
    "reply": ("POST", lambda c: f"/api/reviews/{c.review()}/reply", {"body": "Thank you"}),
    "hide": ("POST", lambda c: f"/api/admin/reviews/{c.review()}/hide", {"reason": "Off topic"}),
    "delete webhook": ("DELETE", lambda c: f"{WEBHOOKS}/{c.webhook['id']}", None),
    "webhook deliveries": ("GET", lambda c: f"{WEBHOOKS}/{c.webhook['id']}/deliveries", None),
}
CALLERS = ("anonymous", "other guest", "other provider", "guest", "owner", "admin")
# What API.md says each caller gets. The stay has a booking, so deleting it is a 409 for its owner.
EXPECTED: dict[str, tuple[int, ...]] = {
    "public provider": (200, 200, 200, 200, 200, 200),
    "kyc": (401, 403, 403, 403, 403, 200),
    "read stay": (200, 200, 200, 200, 200, 200),
    "change stay": (401, 403, 404, 403, 200, 403),
    "delete stay": (401, 403, 404, 403, 409, 403),
    "add room": (401, 403, 404, 403, 201, 403),
    "change room": (401, 403, 404, 403, 200, 403),
    "delete room": (401, 403, 404, 403, 204, 403),
    "read rates": (200, 200, 200, 200, 200, 200),
    "change rates": (401, 403, 404, 403, 200, 403),
    "calendar": (200, 200, 200, 200, 200, 200),
    "provider bookings": (401, 403, 403, 403, 200, 200),
    "read booking": (401, 404, 404, 200, 200, 200),
    "cancel": (401, 404, 404, 200, 403, 403),
    "confirm": (401, 404, 404, 403, 200, 403),
    "reject": (401, 404, 404, 403, 200, 403),
    # The booking is PENDING: its provider may not cancel it (that is a reject), hence 409.
    "cancellation quote": (401, 404, 404, 200, 404, 404),
    "provider cancel": (401, 404, 404, 404, 409, 404),
    # The booking is PENDING: its guest is told it is not reviewable yet; for anyone else it is not theirs.
    "review": (401, 404, 404, 409, 404, 404),
    "stay reviews": (200, 200, 200, 200, 200, 200),
    "reply": (401, 404, 404, 404, 200, 404),
    "hide": (401, 403, 403, 403, 403, 200),
    # Webhooks are a provider's own: anyone not a provider is refused, another provider's is unknown.
    "delete webhook": (401, 403, 404, 403, 204, 403),
    "webhook deliveries": (401, 403, 404, 403, 200, 403),
}


def test_the_matrix_covers_every_route_that_takes_an_id() -> None:
    routes.load_all()  # every operation declared, not only those of the routes already served
    with_ids = {(op.method, op.path) for op in OPERATIONS if "{" in op.path and "docs" not in op.path}
    assert len(with_ids) == len(ROUTES)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_gets_what_the_contract_says(api: Api, cast: Cast, route: str, caller: str) -> None:
    method, path, body = ROUTES[route]
    reply = api.call(method, path(cast), body, token=cast.token(caller))
    expected = EXPECTED[route][CALLERS.index(caller)]
    assert reply.status == expected, (route, caller, reply.body)
    if expected == 404:
        assert reply.code == "NOT_FOUND" and "booking" not in str(reply.body.get("errors", ""))


def test_an_admin_asking_for_an_unknown_providers_bookings_gets_404(api: Api, cast: Cast) -> None:
    for provider_id in ("AAAAAAAAAAAAAAAAAAAAAA", "not an id"):
        reply = api.get(f"/api/bookings/rooms/provider/{provider_id}", token=cast.world.admin)
        assert (reply.status, reply.code) == (404, "NOT_FOUND"), reply.body

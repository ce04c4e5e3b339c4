"""Who may do what: every route that takes an id, called by anonymous, another guest, another
provider, the owner and an admin; and mass assignment on every write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers.http import OPERATIONS
from tests.factories import Api, Person, provider_body, registration, room_body, sign_up, sign_up_provider, stay_body
from tests.integration.conftest import World


@dataclass
class Cast:
    world: World
    stranger: Person
    rival: Person
    booking: dict
    webhook: dict

    def token(self, who: str) -> str | None:
        return {
            "anonymous": None,
            "other guest": self.stranger.access,
            "other provider": self.rival.access,
            "guest": self.world.guest.access,
            "owner": self.world.provider.access,
            "admin": self.world.admin,
        }[who]


@pytest.fixture
def cast(api: Api, world: World) -> Cast:
    booking = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    webhook = api.post(WEBHOOKS, WEBHOOK_BODY, token=world.provider.access).body
    return Cast(world, sign_up(api), sign_up_provider(api), booking, webhook)


WEBHOOKS = "/api/accounts/provider-profile/webhooks"
# A literal public address: nothing to resolve.
WEBHOOK_BODY = {"url": "https://93.184.216.34/in", "events": ["booking.created"]}


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
    "provider bookings": ("GET", lambda c: f"/api/bookings/rooms/provider/{c.world.provider.provider_id}", None),
    "read booking": ("GET", _booking, None),
    "cancel": ("POST", lambda c: f"{_booking(c)}/cancel", None),
    "confirm": ("POST", lambda c: f"{_booking(c)}/confirm", None),
    "reject": ("POST", lambda c: f"{_booking(c)}/reject", None),
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
    "provider bookings": (401, 403, 403, 403, 200, 200),
    "read booking": (401, 404, 404, 200, 200, 200),
    "cancel": (401, 404, 404, 200, 403, 403),
    "confirm": (401, 404, 404, 403, 200, 403),
    "reject": (401, 404, 404, 403, 200, 403),
    # Webhooks are a provider's own: anyone not a provider is refused, another provider's is unknown.
    "delete webhook": (401, 403, 404, 403, 204, 403),
    "webhook deliveries": (401, 403, 404, 403, 200, 403),
}


def test_the_matrix_covers_every_route_that_takes_an_id() -> None:
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


# --- mass assignment: every write refuses fields it does not take ---

PRIVILEGED = {
    "is_staff": True,
    "is_superuser": True,
    "roles": ["admin"],
    "id": "chosen-by-client",
    "provider_id": "someone-else",
    "user_id": "someone-else",
    "status": "CONFIRMED",
    "kyc_status": "VERIFIED",
    "total_bookings": 999,
}


def _valid_bodies(c: Cast) -> dict[tuple[str, str], dict]:
    w = c.world
    return {
        ("POST", "/api/auth/register"): registration(),
        ("POST", "/api/auth/token"): {"email": w.guest.email, "password": "x"},
        ("POST", "/api/auth/token/refresh"): {"refresh": w.guest.refresh},
        ("POST", "/api/auth/logout"): {"refresh": w.guest.refresh},
        ("PATCH", "/api/accounts/guest-profile"): {"gender": "female"},
        ("POST", "/api/accounts/become-provider"): provider_body(),
        ("PATCH", "/api/accounts/provider-profile"): {"business_name": "Fine"},
        ("POST", "/api/admin/providers/{provider_id}/kyc"): {"kyc_status": "VERIFIED"},
        ("POST", "/api/listings/stays"): stay_body(),
        ("PATCH", "/api/listings/stays/{stay_id}"): {"name": "Fine"},
        ("POST", "/api/listings/stays/{stay_id}/rooms"): room_body(),
        ("PATCH", "/api/listings/stays/{stay_id}/rooms/{room_id}"): {"room_name": "Fine"},
        ("POST", "/api/bookings/rooms/room-booking"): w.body(30, 31),
        ("POST", WEBHOOKS): WEBHOOK_BODY,
    }


def _concrete(path: str, c: Cast) -> str:
    return (
        path.replace("{provider_id}", c.world.provider.provider_id or "")
        .replace("{stay_id}", c.world.stay["id"])
        .replace("{room_id}", c.world.other_room["id"])
    )


def test_every_write_with_a_body_refuses_privileged_fields(api: Api, cast: Cast, items) -> None:
    bodies = _valid_bodies(cast)
    writes = {(op.method, op.path) for op in OPERATIONS if op.body is not None}
    assert writes == set(bodies), "a write without a mass-assignment case"
    tokens = {"PATCH": cast.world.provider.access, "POST": cast.world.provider.access}
    before = items()
    for (method, path), body in bodies.items():
        token = cast.world.admin if "kyc" in path else tokens[method]
        if path.startswith("/api/accounts/guest") or path.startswith("/api/bookings") or "become" in path:
            token = cast.stranger.access
        for field, value in PRIVILEGED.items():
            if field in body:
                continue
            reply = api.call(method, _concrete(path, cast), {**body, field: value}, token=token)
            assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (path, field, reply.body)
            assert {"field": field, "message": "unknown field"} in reply.body["errors"]
    assert items() == before

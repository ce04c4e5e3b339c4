"""Who may do what: every route that takes an id, called by anonymous, another guest, another
provider, the owner and an admin; and mass assignment on every write."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers import routes
from chalicelib.handlers.http import OPERATIONS
from tests.factories import Api, Person, provider_body, registration, room_body, sign_up, sign_up_provider, stay_body
from tests.integration.conftest import Clock, World
from tests.integration.test_reviews import REVIEW, completed


@dataclass
class Cast:
    world: World
    stranger: Person
    rival: Person
    booking: dict
    api: Api
    clock: Clock
    _review: dict | None = None

    def review(self) -> str:
        """The id of the guest's review of a completed stay, made when a route first asks."""
        if self._review is None:
            booking = completed(self.api, self.world, self.clock, start=20)
            self._review = self.api.post(
                f"/api/bookings/rooms/{booking['id']}/review", REVIEW, token=self.world.guest.access
            ).body
        return self._review["id"]

    webhook: dict | None = None

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
def cast(api: Api, world: World, frozen_clock: Clock) -> Cast:
    booking = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    webhook = api.post(WEBHOOKS, WEBHOOK_BODY, token=world.provider.access).body
    return Cast(world, sign_up(api), sign_up_provider(api), booking, api, frozen_clock, webhook=webhook)


WEBHOOKS = "/api/accounts/provider-profile/webhooks"
# A literal public address: nothing to resolve.
WEBHOOK_BODY = {"url": "https://93.184.216.34/in", "events": ["booking.created"]}


def _stay(c: Cast) -> str:
    return f"/api/listings/stays/{c.world.stay['id']}"


def _room(c: Cast) -> str:
    return f"{_stay(c)}/rooms/{c.world.other_room['id']}"


def _booking(c: Cast) -> str:
    return f"/api/bookings/rooms/{c.booking['id']}"


RULES = {"rules": [{"from": "2030-01-01", "to": "2030-01-08", "min_stay": 2}]}
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
        ("PUT", "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"): RULES,
        ("POST", "/api/bookings/rooms/room-booking"): w.body(30, 31),
        ("POST", "/api/bookings/rooms/{booking_id}/provider-cancel"): {"reason": "Fine"},
        ("POST", "/api/bookings/rooms/{booking_id}/review"): REVIEW,
        ("POST", "/api/reviews/{review_id}/reply"): {"body": "Thank you"},
        ("POST", "/api/admin/reviews/{review_id}/hide"): {"reason": "Off topic"},
        ("POST", WEBHOOKS): WEBHOOK_BODY,
    }


def _concrete(path: str, c: Cast) -> str:
    return (
        path.replace("{provider_id}", c.world.provider.provider_id or "")
        .replace("{stay_id}", c.world.stay["id"])
        .replace("{room_id}", c.world.other_room["id"])
        .replace("{booking_id}", c.booking["id"])
        .replace("{review_id}", f"{c.booking['id']}.{c.booking['id']}")
    )


def test_every_write_with_a_body_refuses_privileged_fields(api: Api, cast: Cast, items) -> None:
    bodies = _valid_bodies(cast)
    writes = {(op.method, op.path) for op in OPERATIONS if op.body is not None}
    assert writes == set(bodies), "a write without a mass-assignment case"
    tokens = {method: cast.world.provider.access for method in ("PATCH", "POST", "PUT")}
    before = items()
    for (method, path), body in bodies.items():
        token = cast.world.admin if "/admin/" in path else tokens[method]
        if path.startswith("/api/accounts/guest") or path.startswith("/api/bookings") or "become" in path:
            token = cast.stranger.access
        for field, value in PRIVILEGED.items():
            if field in body:
                continue
            reply = api.call(method, _concrete(path, cast), {**body, field: value}, token=token)
            assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (path, field, reply.body)
            assert {"field": field, "message": "unknown field"} in reply.body["errors"]
    assert items() == before


# --- text and numbers: every string of every write refuses control characters; no body takes NaN ---


def _writes(c: Cast) -> list[tuple[str, str, dict, str | None]]:
    """Each write with a valid body and the token that may send it."""
    writes = []
    for (method, path), body in _valid_bodies(c).items():
        token = c.world.admin if path.startswith("/api/admin") else c.world.provider.access
        if path.startswith("/api/accounts/guest") or path.startswith("/api/bookings") or "become" in path:
            token = c.stranger.access
        writes.append((method, _concrete(path, c), body, token))
    writes.append(("PATCH", "/api/accounts/guest-profile", {"preferences": {"diet": "halal"}}, c.stranger.access))
    writes.append(
        ("POST", "/api/bookings/rooms/room-booking", {**c.world.body(40, 41), "note": "x"}, c.stranger.access)
    )
    return writes


def _strings(body: dict) -> list[tuple[str, list[str]]]:
    """Paths (as the error names them) to every string in a body, nested ones included."""
    found: list[tuple[str, list[str]]] = []

    def walk(value: object, path: list[str]) -> None:
        if isinstance(value, str):
            found.append((".".join(path), path))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, str(index)])

    walk(body, [])
    return found


def _replaced(body: dict, path: list[str], value: object) -> dict:
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[int(path[-1]) if isinstance(target, list) else path[-1]] = value
    return copy


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\r"])
def test_every_string_of_every_write_refuses_control_characters(api: Api, cast: Cast, items, control: str) -> None:
    before = items()
    checked = 0
    for method, path, body, token in _writes(cast):
        for field, where in _strings(body):
            if field in ("refresh", "room_id", "stay_type", "kyc_status", "gender"):
                continue  # tokens, ids and enumerations refuse anything but their own values anyway
            value = _replaced(body, where, f"ab{control}c")
            reply = api.call(method, path, value, token=token)
            assert reply.status == 400, (path, field, reply.body)
            assert any(e["field"].split(".")[0] == where[0] for e in reply.body["errors"]), (path, field, reply.body)
            checked += 1
    assert checked >= 25
    assert items() == before


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_no_body_takes_a_non_finite_number(api: Api, cast: Cast, items, number: str) -> None:
    before = items()
    for method, path, body, token in _writes(cast):
        for field in body:
            raw = json.dumps({**body, field: "__NUMBER__"}).replace('"__NUMBER__"', number).encode()
            reply = api.call(method, path, raw=raw, token=token)
            assert reply.status == 400, (path, field, reply.body)
    reply = api.call(
        "PATCH",
        "/api/accounts/guest-profile",
        raw=f'{{"preferences": {{"budget": {number}}}}}'.encode(),
        token=cast.stranger.access,
    )
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before


# --- tokens outlive their users: every route that takes a bearer token asks whether the user still is ---


def _bearer_routes(c: Cast) -> list[tuple[str, str]]:
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


def test_an_admin_asking_for_an_unknown_providers_bookings_gets_404(api: Api, cast: Cast) -> None:
    for provider_id in ("AAAAAAAAAAAAAAAAAAAAAA", "not an id"):
        reply = api.get(f"/api/bookings/rooms/provider/{provider_id}", token=cast.world.admin)
        assert (reply.status, reply.code) == (404, "NOT_FOUND"), reply.body

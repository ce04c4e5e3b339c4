"""Mass assignment, text and numbers on every write: each write that takes a body refuses the
privileged fields it does not take, every string of every write refuses control characters, and
no body takes a non-finite number; a refused request writes nothing."""

from __future__ import annotations

import json

import pytest

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers.http import OPERATIONS
from chalicelib.handlers.routes import load_all
from tests.factories import Api, provider_body, registration, room_body, stay_body
from tests.integration.conftest import RULES, WEBHOOK_BODY, WEBHOOKS, Cast, _concrete
from tests.integration.test_reviews import REVIEW

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


def test_every_write_with_a_body_refuses_privileged_fields(api: Api, cast: Cast, items) -> None:
    bodies = _valid_bodies(cast)
    load_all()  # every operation declared, not only those of the routes already served
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


def test_a_write_that_takes_no_body_refuses_any_field(api: Api, cast: Cast, items) -> None:
    """Cancel, confirm, reject and the deletes take nothing (or `{}`): a reason sent is unknown."""
    load_all()
    writes = {(op.method, op.path) for op in OPERATIONS if op.body is None and op.method not in ("GET", "HEAD")}
    assert len(writes) >= 6
    before = items()
    for method, path in sorted(writes):
        concrete = _concrete(path, cast).replace("{webhook_id}", "x")
        token = cast.world.guest.access if path.endswith("/cancel") else cast.world.provider.access
        for body in ({"reason": "changed plans"}, [], "cancel"):
            reply = api.call(method, concrete, body, token=token)
            assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (path, body, reply.body)
        assert {"field": "reason", "message": "unknown field"} in api.call(
            method, concrete, {"reason": "x"}, token=token
        ).body["errors"]
    assert items() == before
    cancelled = api.post(f"/api/bookings/rooms/{cast.booking['id']}/cancel", {}, token=cast.world.guest.access)
    assert cancelled.status == 200 and cancelled.body["status"] == "CANCELLED", cancelled.body


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


# A 400-digit integer overflows a double as 1e309 does (5,000 digits are more than Python reads as
# an int); 1e-400 underflows it to 0.
NO_DOUBLE = ["NaN", "Infinity", "-Infinity", "1e309", "1" * 400, "9" * 5000, "-1e-400", "1.5e-400"]


@pytest.mark.parametrize("number", NO_DOUBLE)
def test_no_body_takes_a_number_no_double_holds(api: Api, cast: Cast, items, number: str) -> None:
    before = items()
    for method, path, body, token in _writes(cast):
        for field in body:
            raw = json.dumps({**body, field: "__NUMBER__"}).replace('"__NUMBER__"', number).encode()
            reply = api.call(method, path, raw=raw, token=token)
            assert reply.status == 400, (path, field, reply.body)
            assert "sys." not in json.dumps(reply.body), reply.body  # no internals, such as Python's int limit
    reply = api.call(
        "PATCH",
        "/api/accounts/guest-profile",
        raw=f'{{"preferences": {{"budget": {number}}}}}'.encode(),
        token=cast.stranger.access,
    )
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before


def test_no_body_takes_a_key_twice(api: Api, cast: Cast, items) -> None:
    """A parser keeps one of the two values and another layer may read the other: refused."""
    before = items()
    for method, path, body, token in _writes(cast):
        field, value = next(iter(body.items()))
        raw = json.dumps(body)[:-1] + f", {json.dumps(field)}: {json.dumps(value)}}}"
        reply = api.call(method, path, raw=raw.encode(), token=token)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (path, reply.body)
        assert "given twice" in reply.body["errors"][0]["message"], reply.body
    nested = '{"preferences": {"diet": "halal", "diet": "vegan"}}'
    reply = api.call("PATCH", "/api/accounts/guest-profile", raw=nested.encode(), token=cast.stranger.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before

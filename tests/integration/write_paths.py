"""One request per write operation of the API, for test_faults.py: each operation as
openapi.json names it (method, path template), and a request to it that succeeds when
nothing fails, with what that request needs made first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import clock
from chalicelib.services import bookings
from tests.factories import (
    PASSWORD,
    Api,
    Reply,
    add_room,
    create_stay,
    provider_body,
    registration,
    room_body,
    sign_up,
    stay_body,
)
from tests.integration.conftest import RULES, WEBHOOK_BODY, WEBHOOKS, Clock, World

BOOKING = "/api/bookings/rooms/{booking_id}"
STAY = "/api/listings/stays/{stay_id}"
ROOM = STAY + "/rooms/{room_id}"

ROUTES: dict[str, tuple[str, str]] = {
    "register": ("POST", "/api/auth/register"),
    "sign in": ("POST", "/api/auth/token"),
    "refresh": ("POST", "/api/auth/token/refresh"),
    "logout": ("POST", "/api/auth/logout"),
    "guest profile": ("PATCH", "/api/accounts/guest-profile"),
    "become provider": ("POST", "/api/accounts/become-provider"),
    "provider profile": ("PATCH", "/api/accounts/provider-profile"),
    "kyc": ("POST", "/api/admin/providers/{provider_id}/kyc"),
    "create stay": ("POST", "/api/listings/stays"),
    "change stay": ("PATCH", STAY),
    "delete stay": ("DELETE", STAY),
    "add room": ("POST", STAY + "/rooms"),
    "change room": ("PATCH", ROOM),
    "delete room": ("DELETE", ROOM),
    "rates": ("PUT", ROOM + "/rates"),
    "book": ("POST", "/api/bookings/rooms/room-booking"),
    "confirm": ("POST", BOOKING + "/confirm"),
    "reject": ("POST", BOOKING + "/reject"),
    "cancel": ("POST", BOOKING + "/cancel"),
    "provider cancel": ("POST", BOOKING + "/provider-cancel"),
    "review": ("POST", BOOKING + "/review"),
    "reply": ("POST", "/api/reviews/{review_id}/reply"),
    "hide review": ("POST", "/api/admin/reviews/{review_id}/hide"),
    "add webhook": ("POST", WEBHOOKS),
    "delete webhook": ("DELETE", WEBHOOKS + "/{webhook_id}"),
}

REVIEW = {"rating": 4, "title": "Lovely and quiet", "body": "The rooftop was wonderful."}


def _made(reply: Reply, status: int = 201) -> dict:
    assert reply.status == status, reply.body
    return reply.body


def _completed(api: Api, w: World, clock_: Clock) -> tuple[dict, dict]:
    """Two one-night stays of the guest's (tomorrow, the day after), confirmed, lived
    through and completed by the timer job: the clock is two days past their check-outs."""
    made = [_made(api.post(ROUTES["book"][1], w.body(n, n + 1), token=w.guest.access)) for n in (1, 2)]
    for booking in made:
        _made(api.post(f"/api/bookings/rooms/{booking['id']}/confirm", token=w.provider.access), 200)
    clock_.advance(days=4)
    bookings.run_timers(clock.utcnow(), budget_seconds=60)
    return made[0], made[1]


def write_paths(api: Api, w: World, clock_: Clock) -> dict[str, Callable[[], Reply]]:
    """A request for each name of ROUTES. Moves the clock on (for the reviews), so every
    token is made before: PyJWT refuses a token issued (`iat`) in the future."""
    fresh = sign_up(api)
    reviewed, reviewable = _completed(api, w, clock_)
    review = _made(api.post(f"/api/bookings/rooms/{reviewed['id']}/review", REVIEW, token=w.guest.access))
    booking = _made(api.post(ROUTES["book"][1], w.body(20, 21), token=w.guest.access))
    confirmable = _made(api.post(ROUTES["book"][1], w.body(22, 23), token=w.guest.access))
    confirmed = _made(api.post(ROUTES["book"][1], w.body(24, 25), token=w.guest.access))
    _made(api.post(f"/api/bookings/rooms/{confirmed['id']}/confirm", token=w.provider.access), 200)
    spare = create_stay(api, w.provider, name="Hotel Kodom")  # no bookings: it may be deleted
    add_room(api, w.provider, spare["id"])
    webhook = _made(api.post(WEBHOOKS, WEBHOOK_BODY, token=w.provider.access))
    stay, room = {"stay_id": w.stay["id"]}, {"stay_id": w.stay["id"], "room_id": w.other_room["id"]}
    provider, guest = w.provider.access, w.guest.access
    # name: (token, body, the path's ids)
    calls: dict[str, tuple[str | None, Any, dict[str, str]]] = {
        "register": (None, registration(), {}),
        "sign in": (None, {"email": w.guest.email, "password": PASSWORD}, {}),
        "refresh": (None, {"refresh": w.other_guest.refresh}, {}),
        "logout": (w.other_guest.access, {"refresh": w.other_guest.refresh}, {}),
        "guest profile": (guest, {"gender": "other"}, {}),
        "become provider": (fresh.access, provider_body(), {}),
        "provider profile": (provider, {"business_name": "X"}, {}),
        "kyc": (w.admin, {"kyc_status": "VERIFIED"}, {"provider_id": w.provider.provider_id or ""}),
        "create stay": (provider, stay_body(), {}),
        "change stay": (provider, {"city": "Sylhet"}, stay),
        "delete stay": (provider, None, {"stay_id": spare["id"]}),
        "add room": (provider, room_body(), stay),
        "change room": (provider, {"price_per_night": 1}, room),
        "delete room": (provider, None, room),
        "rates": (provider, RULES, room),
        "book": (w.other_guest.access, w.body(30, 33), {}),
        "confirm": (provider, None, {"booking_id": confirmable["id"]}),
        "reject": (provider, None, {"booking_id": booking["id"]}),
        "cancel": (guest, None, {"booking_id": confirmable["id"]}),
        "provider cancel": (provider, {"reason": "The roof leaks."}, {"booking_id": confirmed["id"]}),
        "review": (guest, REVIEW, {"booking_id": reviewable["id"]}),
        "reply": (provider, {"body": "Thank you"}, {"review_id": review["id"]}),
        "hide review": (w.admin, {"reason": "Off topic"}, {"review_id": review["id"]}),
        "add webhook": (provider, WEBHOOK_BODY, {}),
        "delete webhook": (provider, None, {"webhook_id": webhook["id"]}),
    }
    assert set(calls) == set(ROUTES)
    return {name: _request(api, name, token, body, ids) for name, (token, body, ids) in calls.items()}


def _request(api: Api, name: str, token: str | None, body: Any, ids: dict[str, str]) -> Callable[[], Reply]:
    method, template = ROUTES[name]
    path = template.format(**ids)
    return lambda: api.call(method, path, body, token=token)

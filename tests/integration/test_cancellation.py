"""Cancellation policies over HTTP: on stays, snapshotted on bookings, quoted, and paid exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from chalice.test import Client

from tests.factories import Api, sign_up_provider, stay_body
from tests.integration.conftest import World

DHAKA = ZoneInfo("Asia/Dhaka")
TOTAL = Decimal("7502.25")  # three nights at 2500.75 BDT: world.body()'s default


def money(value: object) -> Decimal:
    return Decimal(str(value))


def set_policy(api: Api, world: World, policy: object) -> dict:
    reply = api.patch(
        f"/api/listings/stays/{world.stay['id']}", {"cancellation_policy": policy}, token=world.provider.access
    )
    assert reply.status == 200, reply.body
    return reply.body


def confirmed(api: Api, world: World, **kw) -> dict:
    made = api.post("/api/bookings/rooms/room-booking", world.body(**kw), token=world.guest.access)
    assert made.status == 201, made.body
    reply = api.post(f"/api/bookings/rooms/{made.body['id']}/confirm", token=world.provider.access)
    assert reply.status == 200, reply.body
    return reply.body


def quote(api: Api, booking: dict, token: str) -> tuple[int, dict]:
    reply = api.get(f"/api/bookings/rooms/{booking['id']}/cancellation", token=token)
    return reply.status, reply.body


def check_in_at(booking: dict) -> datetime:
    return datetime.combine(date.fromisoformat(booking["check_in"]), datetime.min.time(), DHAKA).replace(hour=14)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- on the stay ---


def test_a_stay_is_flexible_unless_told_and_shows_its_tiers_everywhere(api: Api, world: World) -> None:
    flexible = {"name": "flexible", "tiers": [{"days_before": 1, "refund_percent": 100}]}
    assert world.stay["cancellation_policy"] == flexible
    strict = set_policy(api, world, "strict")["cancellation_policy"]
    assert strict == {
        "name": "strict",
        "tiers": [{"days_before": 14, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}],
    }
    assert api.get(f"/api/listings/stays/{world.stay['id']}").body["cancellation_policy"] == strict
    dates = f"check_in={world.day(10)}&check_out={world.day(12)}"
    (card,) = api.get(f"/api/listings/search/stays?city=Dhaka&{dates}").body["items"]
    assert card["cancellation_policy"] == strict
    rooms = api.get(f"/api/listings/rooms/available?city=Dhaka&{dates}").body["items"]
    assert {room["stay"]["cancellation_policy"]["name"] for room in rooms} == {"strict"}


def test_a_stay_may_be_listed_with_a_preset_or_custom_tiers(api: Api, world: World) -> None:
    tiers = [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 25}]
    moderate = {
        "name": "moderate",
        "tiers": [{"days_before": 5, "refund_percent": 100}, {"days_before": 1, "refund_percent": 50}],
    }
    for policy, shown in [
        ("non_refundable", {"name": "non_refundable", "tiers": []}),
        (
            {"name": "strict"},
            {
                "name": "strict",
                "tiers": [{"days_before": 14, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}],
            },
        ),
        (moderate, moderate),  # what a GET shows may be sent back as it is
        ({"name": "custom", "tiers": tiers}, {"name": "custom", "tiers": tiers}),
    ]:
        body = stay_body(cancellation_policy=policy)
        reply = api.post("/api/listings/stays", body, token=world.provider.access)
        assert reply.status == 201, reply.body
        assert reply.body["cancellation_policy"] == shown


def _custom(*tiers: tuple[int, int]) -> dict:
    return {"name": "custom", "tiers": [{"days_before": d, "refund_percent": p} for d, p in tiers]}


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ("lenient", "cancellation_policy.name"),
        ({"name": "lenient"}, "cancellation_policy.name"),
        ({"name": "flexible", "tiers": [{"days_before": 2, "refund_percent": 100}]}, "cancellation_policy"),
        ({"name": "custom"}, "cancellation_policy"),
        (_custom(), "cancellation_policy"),
        (_custom(*[(30 - n, 100) for n in range(6)]), "cancellation_policy.tiers"),
        (_custom((0, 100)), "cancellation_policy.tiers.0.days_before"),
        (_custom((366, 100)), "cancellation_policy.tiers.0.days_before"),
        (_custom((5, 101)), "cancellation_policy.tiers.0.refund_percent"),
        (_custom((5, -1)), "cancellation_policy.tiers.0.refund_percent"),
        (_custom((5, 50), (5, 40)), "cancellation_policy"),  # days not strictly decreasing
        (_custom((5, 50), (7, 40)), "cancellation_policy"),
        (_custom((7, 50), (5, 80)), "cancellation_policy"),  # refund going up
        (_custom((7, 50.5)), "cancellation_policy.tiers.0.refund_percent"),
        (
            {"name": "custom", "tiers": [{"days_before": 3, "refund_percent": 50, "fee": 1}]},
            "cancellation_policy.tiers.0.fee",
        ),
        (5, "cancellation_policy"),
    ],
)
def test_a_bad_policy_is_400_naming_it_and_writes_nothing(
    api: Api, world: World, items, policy: object, field: str
) -> None:
    before = items()
    for method, path, body in [
        ("POST", "/api/listings/stays", stay_body(cancellation_policy=policy)),
        ("PATCH", f"/api/listings/stays/{world.stay['id']}", {"cancellation_policy": policy}),
    ]:
        reply = api.call(method, path, body, token=world.provider.access)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
        assert field in {e["field"] for e in reply.body["errors"]}, reply.body
    assert items() == before


# --- on the booking ---


def test_a_booking_keeps_the_policy_it_was_made_under_with_utc_deadlines(api: Api, world: World) -> None:
    set_policy(api, world, "moderate")
    booking = confirmed(api, world)
    start = check_in_at(booking)
    assert booking["cancellation_policy"] == {
        "name": "moderate",
        "tiers": [{"days_before": 5, "refund_percent": 100}, {"days_before": 1, "refund_percent": 50}],
        "deadlines": [
            {"until": iso(start - timedelta(days=5)), "refund_percent": 100},
            {"until": iso(start - timedelta(days=1)), "refund_percent": 50},
        ],
    }
    assert (booking["refund_amount"], booking["cancellation_fee"], booking["cancelled_at"]) == (None, None, None)
    set_policy(api, world, "non_refundable")
    again = api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body
    assert again["cancellation_policy"] == booking["cancellation_policy"]
    status, answer = quote(api, booking, world.guest.access)
    assert (status, answer["refund_percent"]) == (200, 100)


def test_the_quote_follows_the_tiers_and_the_cancel_pays_it(api: Api, world: World, frozen_clock) -> None:
    set_policy(api, world, "moderate")
    booking = confirmed(api, world)
    first, second = (d["until"] for d in booking["cancellation_policy"]["deadlines"])
    status, answer = quote(api, booking, world.guest.access)
    assert (status, answer) == (
        200,
        {
            "refund_percent": 100,
            "refund_amount": 7502.25,
            "cancellation_fee": 0.0,
            "currency": "BDT",
            "valid_until": first,
        },
    )
    frozen_clock.now = datetime.fromisoformat(first) + timedelta(seconds=1)
    _, answer = quote(api, booking, world.guest.access)
    # Half of 7502.25 is 3751.125: half-even to 3751.12, and the fee is the rest.
    assert answer == {
        "refund_percent": 50,
        "refund_amount": 3751.12,
        "cancellation_fee": 3751.13,
        "currency": "BDT",
        "valid_until": second,
    }
    frozen_clock.now = datetime.fromisoformat(second) + timedelta(seconds=1)
    _, answer = quote(api, booking, world.guest.access)
    assert (answer["refund_percent"], answer["refund_amount"], answer["valid_until"]) == (0, 0.0, None)
    frozen_clock.now = datetime.fromisoformat(first) + timedelta(seconds=1)
    cancelled = api.post(f"/api/bookings/rooms/{booking['id']}/cancel", token=world.guest.access).body
    assert cancelled["status"] == "CANCELLED" and cancelled["cancellation_reason"] == "CANCELLED_BY_GUEST"
    assert (cancelled["refund_percent"], money(cancelled["refund_amount"]), money(cancelled["cancellation_fee"])) == (
        50,
        Decimal("3751.12"),
        Decimal("3751.13"),
    )
    assert money(cancelled["refund_amount"]) + money(cancelled["cancellation_fee"]) == TOTAL
    assert datetime.fromisoformat(cancelled["cancelled_at"]) == frozen_clock.now


def test_a_pending_booking_refunds_in_full_whatever_the_policy(api: Api, world: World) -> None:
    set_policy(api, world, "non_refundable")
    made = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    status, answer = quote(api, made, world.guest.access)
    assert (status, answer["refund_percent"], answer["valid_until"]) == (200, 100, None)
    cancelled = api.post(f"/api/bookings/rooms/{made['id']}/cancel", token=world.guest.access).body
    assert (money(cancelled["refund_amount"]), money(cancelled["cancellation_fee"])) == (TOTAL, 0)


def test_a_confirmed_non_refundable_booking_refunds_nothing(api: Api, world: World) -> None:
    set_policy(api, world, "non_refundable")
    booking = confirmed(api, world)
    cancelled = api.post(f"/api/bookings/rooms/{booking['id']}/cancel", token=world.guest.access).body
    assert (cancelled["refund_percent"], money(cancelled["refund_amount"])) == (0, 0)
    assert money(cancelled["cancellation_fee"]) == TOTAL


def test_rejected_and_expired_bookings_refund_in_full(client: Client, api: Api, world: World, frozen_clock) -> None:
    set_policy(api, world, "non_refundable")
    rejected = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    rejected = api.post(f"/api/bookings/rooms/{rejected['id']}/reject", token=world.provider.access).body
    expiring = api.post("/api/bookings/rooms/room-booking", world.body(20, 22), token=world.guest.access).body
    frozen_clock.advance(hours=25)
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    assert client.lambda_.invoke("booking_timers", event).payload["expired"] == 1
    expired = api.get(f"/api/bookings/rooms/{expiring['id']}", token=world.guest.access).body
    for booking, reason in [(rejected, "REJECTED_BY_PROVIDER"), (expired, "EXPIRED")]:
        assert booking["cancellation_reason"] == reason
        assert (booking["refund_percent"], booking["cancellation_fee"]) == (100, 0)
        assert money(booking["refund_amount"]) == money(booking["total_price"])
        assert booking["cancelled_at"] is not None


def test_quote_and_cancel_are_409_from_the_check_in_day_and_once_cancelled(
    api: Api, world: World, frozen_clock
) -> None:
    booking = confirmed(api, world, start=1, end=2)
    frozen_clock.now = check_in_at(booking).replace(hour=0, minute=0).astimezone(UTC)
    assert quote(api, booking, world.guest.access)[1]["code"] == "TOO_LATE_TO_CANCEL"
    frozen_clock.now -= timedelta(seconds=1)  # the last moment of the day before
    assert quote(api, booking, world.guest.access)[1]["refund_percent"] == 0
    api.post(f"/api/bookings/rooms/{booking['id']}/cancel", token=world.guest.access)
    status, answer = quote(api, booking, world.guest.access)
    assert (status, answer["code"]) == (409, "INVALID_TRANSITION")


def test_only_its_guest_gets_a_quote(api: Api, world: World) -> None:
    booking = confirmed(api, world)
    for token in (world.other_guest.access, world.provider.access, world.admin):
        assert quote(api, booking, token)[0] == 404


# --- the provider cancels ---


def test_the_provider_cancels_a_confirmed_booking_with_a_full_refund(api: Api, world: World, items) -> None:
    set_policy(api, world, "non_refundable")
    booking = confirmed(api, world)
    assert api.get(f"/api/providers/{world.provider.provider_id}").body["total_bookings"] == 1
    reply = api.post(
        f"/api/bookings/rooms/{booking['id']}/provider-cancel",
        {"reason": "  A burst pipe floods the floor.  "},
        token=world.provider.access,
    )
    assert reply.status == 200, reply.body
    seen = api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body
    assert seen["status"] == "CANCELLED" and seen["cancellation_reason"] == "CANCELLED_BY_PROVIDER"
    assert seen["cancellation_note"] == "A burst pipe floods the floor."
    assert (seen["refund_percent"], money(seen["refund_amount"]), seen["cancellation_fee"]) == (100, TOTAL, 0)
    assert api.get(f"/api/providers/{world.provider.provider_id}").body["total_bookings"] == 0
    assert not [i for i in items() if i["kind"] == "NightLock"]
    again = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.other_guest.access)
    assert again.status == 201, again.body


def test_the_provider_cannot_cancel_a_pending_or_a_started_booking(api: Api, world: World, frozen_clock) -> None:
    path = "/api/bookings/rooms/{}/provider-cancel"
    pending = api.post("/api/bookings/rooms/room-booking", world.body(), token=world.guest.access).body
    reply = api.post(path.format(pending["id"]), {"reason": "No"}, token=world.provider.access)
    assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")
    booking = confirmed(api, world, start=1, end=2)
    frozen_clock.now = check_in_at(booking).astimezone(UTC)
    reply = api.post(path.format(booking["id"]), {"reason": "No"}, token=world.provider.access)
    assert (reply.status, reply.code) == (409, "TOO_LATE_TO_CANCEL")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": 5}])
def test_a_provider_cancel_without_a_good_reason_is_400_and_writes_nothing(
    api: Api, world: World, items, body: dict
) -> None:
    booking = confirmed(api, world)
    before = items()
    reply = api.post(f"/api/bookings/rooms/{booking['id']}/provider-cancel", body, token=world.provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before


def test_only_its_provider_may_cancel_it(api: Api, world: World) -> None:
    booking = confirmed(api, world)
    rival = sign_up_provider(api)
    for token in (rival.access, world.guest.access, world.other_guest.access, world.admin):
        reply = api.post(f"/api/bookings/rooms/{booking['id']}/provider-cancel", {"reason": "Mine"}, token=token)
        assert reply.status == 404, reply.body
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "CONFIRMED"

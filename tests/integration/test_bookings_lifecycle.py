"""A booking's lifecycle over HTTP: confirm, reject and cancel move its status, locks and the
exact counters, and only the right caller may answer it; who may see it, a guest's and a
provider's lists (newest first, by status, paginated); and the timer job, which expires stale
holds (at check-in time if that comes first), completes finished stays, leaves what a cut-short
run did not reach for the next, and makes a hold that ran out unconfirmable."""

from __future__ import annotations

from datetime import UTC, timedelta

from chalice.test import Client

from chalicelib import clock
from chalicelib.domain import cursors
from chalicelib.domain.bookings import local_instant, today_in
from chalicelib.domain.ids import new_id
from chalicelib.models.bookings import Booking
from chalicelib.settings import get_settings
from tests.factories import Api, sign_up_provider
from tests.integration.conftest import World, act, book, locks, pending_count, provider_total, requests_to

# --- lifecycle ---


def test_confirm_moves_counters_exactly(api: Api, world: World) -> None:
    booking = book(api, world)
    reply = act(api, booking, "confirm", world.provider)
    assert reply.status == 200 and reply.body["status"] == "CONFIRMED"
    assert provider_total(api, world) == 1 and pending_count(world.guest.id) == 0
    again = act(api, booking, "confirm", world.provider)
    assert (again.status, again.code) == (409, "INVALID_TRANSITION")
    assert (act(api, booking, "reject", world.provider).code) == "INVALID_TRANSITION"
    assert provider_total(api, world) == 1


def test_who_may_answer_a_booking(api: Api, world: World) -> None:
    booking = book(api, world)
    rival = sign_up_provider(api)
    assert (act(api, booking, "confirm", world.guest).status, act(api, booking, "reject", world.guest).status) == (
        403,
        403,
    )
    assert act(api, booking, "confirm", world.admin).status == 403
    assert act(api, booking, "confirm", world.other_guest).status == 404
    assert act(api, booking, "confirm", rival).status == 404
    assert act(api, booking, "cancel", rival).status == 404
    assert act(api, booking, "cancel", world.provider).status == 403
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "PENDING"


def test_cancel_frees_the_nights_at_once(api: Api, world: World) -> None:
    booking = book(api, world)
    act(api, booking, "confirm", world.provider)
    reply = act(api, booking, "cancel", world.guest)
    assert reply.status == 200
    assert reply.body["status"] == "CANCELLED" and reply.body["cancellation_reason"] == "CANCELLED_BY_GUEST"
    assert locks() == []
    assert provider_total(api, world) == 0
    book(api, world, who=world.other_guest)
    assert (act(api, booking, "cancel", world.guest).code) == "INVALID_TRANSITION"


def test_cancel_is_refused_from_the_check_in_day(api: Api, world: World) -> None:
    booking = book(api, world, start=0, end=2)
    reply = act(api, booking, "cancel", world.guest)
    assert (reply.status, reply.code) == (409, "TOO_LATE_TO_CANCEL")
    assert len(locks()) == 2


def test_reject_frees_the_nights(api: Api, world: World) -> None:
    booking = book(api, world)
    reply = act(api, booking, "reject", world.provider)
    assert reply.body["status"] == "CANCELLED" and reply.body["cancellation_reason"] == "REJECTED_BY_PROVIDER"
    assert locks() == [] and pending_count(world.guest.id) == 0
    book(api, world, who=world.other_guest)


def test_an_unknown_booking_is_404(api: Api, world: World) -> None:
    for booking_id in ("Z" * 22, "not-an-id"):
        assert api.get(f"/api/bookings/rooms/{booking_id}", token=world.guest.access).status == 404
        assert api.post(f"/api/bookings/rooms/{booking_id}/cancel", token=world.guest.access).status == 404


# --- reads ---


def test_who_may_see_a_booking(api: Api, world: World) -> None:
    booking = book(api, world)
    path = f"/api/bookings/rooms/{booking['id']}"
    assert api.get(path, token=world.guest.access).status == 200
    assert api.get(path, token=world.provider.access).status == 200
    assert api.get(path, token=world.admin).status == 200
    assert api.get(path, token=world.other_guest.access).status == 404
    assert api.get(path, token=sign_up_provider(api).access).status == 404
    assert api.get(path).status == 401


def test_my_bookings_newest_first_by_status_and_paginated(api: Api, world: World) -> None:
    made = [book(api, world, start=n, end=n + 1) for n in (1, 3, 5)]
    act(api, made[1], "confirm", world.provider)
    book(api, world, who=world.other_guest, start=7, end=8)
    listed = api.get("/api/bookings/rooms/my", token=world.guest.access).body
    assert [b["id"] for b in listed["items"]] == [b["id"] for b in reversed(made)]
    pending = api.get("/api/bookings/rooms/my?status=PENDING", token=world.guest.access).body
    assert [b["id"] for b in pending["items"]] == [made[2]["id"], made[0]["id"]]
    first = api.get("/api/bookings/rooms/my?limit=2", token=world.guest.access).body
    rest = api.get(f"/api/bookings/rooms/my?limit=2&cursor={first['next_cursor']}", token=world.guest.access).body
    assert [b["id"] for b in first["items"] + rest["items"]] == [b["id"] for b in reversed(made)]
    borrowed = api.get(f"/api/bookings/rooms/my?cursor={first['next_cursor']}", token=world.other_guest.access)
    assert borrowed.status == 400
    other_filter = api.get(
        f"/api/bookings/rooms/my?status=PENDING&cursor={first['next_cursor']}", token=world.guest.access
    )
    assert other_filter.status == 400
    assert api.get("/api/bookings/rooms/my?status=LOST", token=world.guest.access).status == 400


def test_provider_bookings_for_the_provider_and_admins_only(api: Api, world: World) -> None:
    book(api, world)
    book(api, world, who=world.other_guest, start=20, end=21)
    path = f"/api/bookings/rooms/provider/{world.provider.provider_id}"
    assert len(api.get(path, token=world.provider.access).body["items"]) == 2
    assert len(api.get(path, token=world.admin).body["items"]) == 2
    assert api.get(path, token=world.guest.access).status == 403
    assert api.get(path, token=sign_up_provider(api).access).status == 403
    assert api.get(path + "?status=CONFIRMED", token=world.provider.access).body["items"] == []


def test_a_list_by_status_costs_one_page_however_many_bookings_of_other_statuses(api: Api, world: World) -> None:
    """Two PENDING bookings under 45 newer COMPLETED ones: the guest's and the provider's lists
    of PENDING are each one Query and one BatchGetItem (not a Query per 20 bookings passed),
    newest first, and page with their cursor."""
    pending = [book(api, world, start=n, end=n + 1) for n in (1, 3)]
    fields = dict(Booking.get(*Booking.keys(pending[0]["id"])).attribute_values)
    fields.pop("version")
    for n in range(45):
        fields.update(id=new_id(), status="COMPLETED", created_at=clock.utcnow() + timedelta(minutes=n + 1))
        Booking(**fields).save()
    lists = ("/api/bookings/rooms/my", f"/api/bookings/rooms/provider/{world.provider.provider_id}")
    tokens = (world.guest.access, world.provider.access)
    for path, token in zip(lists, tokens, strict=True):
        with requests_to("Query") as queries, requests_to("BatchGetItem") as batches:
            listed = api.get(f"{path}?status=PENDING", token=token).body
        assert [b["id"] for b in listed["items"]] == [pending[1]["id"], pending[0]["id"]]
        assert (len(queries), len(batches)) == (1, 1), (queries, batches)
    first = api.get(f"{lists[1]}?status=PENDING&limit=1", token=tokens[1]).body
    rest = api.get(f"{lists[1]}?status=PENDING&limit=1&cursor={first['next_cursor']}", token=tokens[1]).body
    assert [b["id"] for b in first["items"] + rest["items"]] == [pending[1]["id"], pending[0]["id"]]
    completed = api.get(f"{lists[1]}?status=COMPLETED&limit=100", token=tokens[1]).body
    assert len(completed["items"]) == 45 and completed["next_cursor"] is None
    # A cursor signed by the release before the lists by status (a gsi2 key under that scope)
    # is refused as foreign, never handed to the new index.
    old = cursors.encode(
        {"pk": {"S": "x"}, "sk": {"S": "y"}, "gsi2pk": {"S": "z"}, "gsi2sk": {"S": "w"}},
        scope=f"provider-bookings:{world.provider.provider_id}:PENDING",
        key=get_settings().signing_key,
    )
    assert api.get(f"{lists[1]}?status=PENDING&cursor={old}", token=tokens[1]).status == 400


# --- timers ---


def run_timers(client: Client) -> dict:
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    return client.lambda_.invoke("booking_timers", event).payload


def test_timers_expire_stale_holds_and_complete_finished_stays(
    client: Client, api: Api, world: World, frozen_clock
) -> None:
    stale = book(api, world, start=10, end=12)
    stays = book(api, world, start=1, end=2, room_id=world.other_room["id"])
    act(api, stays, "confirm", world.provider)
    fresh = book(api, world, who=world.other_guest, start=30, end=31)
    confirmed_lock = f"{world.day(1)}#{world.other_room['id']}"
    assert run_timers(client) == {"completed": 0, "expired": 0, "skipped": 0, "finished": True}

    frozen_clock.advance(hours=25)  # the stale hold has run out; the fresh one too (made at the same time)
    summary = run_timers(client)
    assert summary["expired"] == 2 and summary["completed"] == 0
    seen = api.get(f"/api/bookings/rooms/{stale['id']}", token=world.guest.access).body
    assert seen["status"] == "CANCELLED" and seen["cancellation_reason"] == "EXPIRED"
    assert api.get(f"/api/bookings/rooms/{fresh['id']}", token=world.other_guest.access).body["status"] == "CANCELLED"
    assert locks() == [confirmed_lock]
    assert pending_count(world.guest.id) == 0

    frozen_clock.advance(days=2)  # past the confirmed stay's check-out at 12:00 Dhaka time
    assert run_timers(client)["completed"] == 1
    assert api.get(f"/api/bookings/rooms/{stays['id']}", token=world.guest.access).body["status"] == "COMPLETED"
    assert run_timers(client) == {"completed": 0, "expired": 0, "skipped": 0, "finished": True}
    assert provider_total(api, world) == 1


def test_a_hold_expires_at_check_in_time_if_that_comes_first(
    client: Client, api: Api, world: World, frozen_clock
) -> None:
    booking = book(api, world, start=0, end=1)
    frozen_clock.advance(hours=23)  # within the 24 h hold, but past 14:00 Dhaka on the check-in day
    run_timers(client)
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "CANCELLED"


def test_a_booking_made_after_check_in_time_leaves_its_provider_the_least_hold(
    client: Client, api: Api, world: World, frozen_clock
) -> None:
    today = today_in("Asia/Dhaka", clock.utcnow())
    frozen_clock.now = local_instant(today, "18:00", "Asia/Dhaka").astimezone(UTC)  # 4 h past check-in time
    late = book(api, world, start=0, end=1)
    unanswered = book(api, world, start=0, end=1, room_id=world.other_room["id"])
    frozen_clock.advance(minutes=59)
    assert run_timers(client)["expired"] == 0
    assert act(api, late, "confirm", world.provider).body["status"] == "CONFIRMED"
    frozen_clock.advance(minutes=2)  # the least hold (60 min) has run out
    assert (act(api, unanswered, "confirm", world.provider).code) == "INVALID_TRANSITION"
    assert run_timers(client)["expired"] == 1
    assert api.get(f"/api/bookings/rooms/{unanswered['id']}", token=world.guest.access).body["status"] == "CANCELLED"


def test_a_run_cut_short_leaves_the_rest_for_the_next(api: Api, world: World, frozen_clock) -> None:
    from chalicelib.services.bookings import run_timers as run

    for n in range(3):
        book(api, world, start=10 + n, end=11 + n)
    frozen_clock.advance(hours=25)
    assert run(clock.utcnow(), budget_seconds=0)["finished"] is False
    assert run(clock.utcnow(), budget_seconds=60) == {"completed": 0, "expired": 3, "skipped": 0, "finished": True}


def test_confirming_after_the_hold_ran_out_is_refused(api: Api, world: World, frozen_clock) -> None:
    booking = book(api, world)
    frozen_clock.advance(hours=25)
    reply = act(api, booking, "confirm", world.provider)
    assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")

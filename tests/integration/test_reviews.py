"""Reviews over HTTP: one per completed booking, the public list, replies, hiding, and the figures."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import PutError

from chalicelib import clock
from chalicelib.models.bookings import Booking
from chalicelib.models.listings import Stay
from chalicelib.services import bookings
from tests.factories import Api, Person, add_room, create_stay, sign_up_provider
from tests.integration.conftest import Clock, World
from tests.integration.test_faults import Faults, faults, lost_race  # noqa: F401 - `faults` is a fixture

REVIEW = {"rating": 4, "title": "Lovely and quiet", "body": "The rooftop was\nwonderful."}


def completed(api: Api, world: World, clock_: Clock, who: Person | None = None, start: int = 1) -> dict:
    """A stay of one night from `start` days ahead, confirmed, lived through and completed by the timer job."""
    guest = who or world.guest
    booking = api.post("/api/bookings/rooms/room-booking", world.body(start, start + 1), token=guest.access).body
    assert api.post(f"/api/bookings/rooms/{booking['id']}/confirm", token=world.provider.access).status == 200
    clock_.advance(days=start + 2)
    bookings.run_timers(clock.utcnow(), budget_seconds=60)
    return booking


def review(api: Api, booking: dict, who: Person, body: dict | None = None):
    return api.post(f"/api/bookings/rooms/{booking['id']}/review", body or REVIEW, token=who.access)


def figures(api: Api, world: World) -> tuple:
    stay = api.get(f"/api/listings/stays/{world.stay['id']}").body
    public = api.get(f"/api/providers/{world.provider.provider_id}").body
    profile = api.get("/api/accounts/provider-profile", token=world.provider.access).body
    assert (public["average_rating"], public["total_reviews"]) == (profile["average_rating"], profile["total_reviews"])
    return stay["average_rating"], stay["review_count"], public["average_rating"], public["total_reviews"]


def test_a_guest_reviews_a_completed_stay_and_every_figure_moves(api: Api, world: World, frozen_clock) -> None:
    assert figures(api, world) == (None, 0, None, 0)
    booking = completed(api, world, frozen_clock)
    reply = review(api, booking, world.guest)
    assert reply.status == 201, reply.body
    assert reply.body["booking_id"] == booking["id"] and reply.body["stay_id"] == world.stay["id"]
    assert reply.body["room_id"] == world.room["id"] and reply.body["guest_name"] == "Ayesha"
    assert reply.body["stayed_in"] == booking["check_in"][:7]
    assert (reply.body["rating"], reply.body["reply"], reply.body["hidden"]) == (4, None, False)
    assert figures(api, world) == (4.0, 1, 4.0, 1)

    second = completed(api, world, frozen_clock)
    assert review(api, second, world.guest, {"rating": 5, "title": "Even better"}).status == 201
    assert figures(api, world) == (4.5, 2, 4.5, 2)


def test_a_booking_is_reviewed_once(api: Api, world: World, frozen_clock, items) -> None:
    booking = completed(api, world, frozen_clock)
    assert review(api, booking, world.guest).status == 201
    before = items()
    again = review(api, booking, world.guest, {"rating": 1, "title": "Changed my mind"})
    assert (again.status, again.code) == (409, "ALREADY_REVIEWED")
    assert items() == before and figures(api, world) == (4.0, 1, 4.0, 1)


def test_a_review_whose_rating_settle_fails_is_still_created_once(
    api: Api,
    world: World,
    frozen_clock,
    faults: Faults,  # noqa: F811 - the fixture
) -> None:
    """The update that places the stay in the rating index after the review's transaction
    meets a transaction conflict, every time: the review is created (201, counted once), and
    its transaction is not sent again (which would answer 409 ALREADY_REVIEWED)."""
    booking = completed(api, world, frozen_clock)
    faults.arm(lost_race, operations=("UpdateItem",))
    reply = review(api, booking, world.guest)
    assert reply.status == 201, reply.body
    assert faults.failed and figures(api, world) == (4.0, 1, 4.0, 1)


def test_only_a_completed_stay_within_the_window_is_reviewable(api: Api, world: World, frozen_clock) -> None:
    pending = api.post("/api/bookings/rooms/room-booking", world.body(20, 21), token=world.guest.access).body
    reply = review(api, pending, world.guest)
    assert (reply.status, reply.code) == (409, "NOT_REVIEWABLE")
    late, early = completed(api, world, frozen_clock), completed(api, world, frozen_clock, world.other_guest)
    frozen_clock.advance(days=28)  # `late` checked out 31 days ago and more, `early` about 29
    assert review(api, early, world.other_guest).status == 201
    reply = review(api, late, world.guest)
    assert (reply.status, reply.code) == (409, "NOT_REVIEWABLE")


def test_no_one_reviews_a_booking_that_is_not_theirs(api: Api, world: World, frozen_clock, items) -> None:
    booking = completed(api, world, frozen_clock)
    before = items()
    for who in (world.other_guest, world.provider):
        reply = review(api, booking, who)
        assert (reply.status, reply.code) == (404, "NOT_FOUND")
    assert review(api, {"id": "no-such-booking-anywhere"}, world.guest).status == 404
    assert items() == before


def test_a_provider_cannot_review_their_own_stay(api: Api, world: World, frozen_clock) -> None:
    booking = completed(api, world, frozen_clock)
    # Given a booking of the provider's own stay (made before bookings of one's own listing were refused).
    Booking.get(*Booking.keys(booking["id"])).update(actions=[Booking.guest_id.set(world.provider.id)])
    reply = review(api, booking, world.provider)
    assert (reply.status, reply.code) == (403, "OWN_LISTING")


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0, "title": "x"},
        {"rating": 6, "title": "x"},
        {"rating": 3.5, "title": "x"},
        {"rating": "5", "title": "x"},
        {"rating": 5, "title": ""},
        {"rating": 5, "title": "x" * 121},
        {"rating": 5, "title": "x", "body": "x" * 4001},
        {"rating": 5, "title": "ring\x07"},
        {"rating": 5},
        {"rating": 5, "title": "x", "stars": 5},
    ],
)
def test_a_bad_review_is_a_400_and_writes_nothing(api: Api, world: World, frozen_clock, items, body) -> None:
    booking = completed(api, world, frozen_clock)
    before = items()
    reply = review(api, booking, world.guest, body)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before


def test_a_stays_reviews_are_public_newest_first_and_paginated(api: Api, world: World, frozen_clock) -> None:
    first = completed(api, world, frozen_clock)
    second = completed(api, world, frozen_clock, world.other_guest)
    review(api, first, world.guest, {"rating": 3, "title": "First"})
    frozen_clock.advance(minutes=5)
    review(api, second, world.other_guest, {"rating": 5, "title": "Second"})
    path = f"/api/listings/stays/{world.stay['id']}/reviews"
    page = api.get(f"{path}?limit=1")
    assert page.status == 200 and [r["title"] for r in page.body["items"]] == ["Second"]
    rest = api.get(f"{path}?limit=1&cursor={page.body['next_cursor']}").body
    assert [r["title"] for r in rest["items"]] == ["First"]
    assert all(r["guest_name"] == "Ayesha" for r in page.body["items"] + rest["items"])
    tampered = api.get(f"{path}?cursor={page.body['next_cursor']}x")
    assert (tampered.status, tampered.code) == (400, "VALIDATION_ERROR")
    assert api.get("/api/listings/stays/no-such-stay-anywhere-at-all/reviews").status == 404


def test_the_provider_replies_once_and_no_one_else_can(api: Api, world: World, frozen_clock) -> None:
    rival = sign_up_provider(api)  # signed in before the clock moves: tokens are issued by the clock
    made = review(api, completed(api, world, frozen_clock), world.guest).body
    path = f"/api/reviews/{made['id']}/reply"
    for who in (world.guest, rival):
        assert api.post(path, {"body": "Thanks"}, token=who.access).status == 404
    answered = api.post(path, {"body": "Thank you,\ncome again!"}, token=world.provider.access)
    assert answered.status == 200 and answered.body["reply"]["body"] == "Thank you,\ncome again!"
    again = api.post(path, {"body": "Really, thanks"}, token=world.provider.access)
    assert (again.status, again.code) == (409, "ALREADY_REPLIED")
    listed = api.get(f"/api/listings/stays/{world.stay['id']}/reviews").body["items"]
    assert listed[0]["reply"]["body"] == "Thank you,\ncome again!"
    assert api.post("/api/reviews/not-a-review/reply", {"body": "x"}, token=world.provider.access).status == 404
    bad = api.post(path, {"body": ""}, token=world.provider.access)
    assert (bad.status, bad.code) == (400, "VALIDATION_ERROR")


def test_hiding_takes_a_review_out_of_the_list_and_every_figure_once(api: Api, world: World, frozen_clock) -> None:
    kept = review(api, completed(api, world, frozen_clock), world.guest, {"rating": 5, "title": "Kept"}).body
    made = review(api, completed(api, world, frozen_clock), world.guest, {"rating": 2, "title": "Rude"}).body
    assert figures(api, world) == (3.5, 2, 3.5, 2)
    path = f"/api/admin/reviews/{made['id']}/hide"
    hidden = api.post(path, {"reason": "Abusive language"}, token=world.admin)
    assert hidden.status == 200 and hidden.body["hidden"] is True
    assert figures(api, world) == (5.0, 1, 5.0, 1)
    listed = api.get(f"/api/listings/stays/{world.stay['id']}/reviews").body["items"]
    assert [r["id"] for r in listed] == [kept["id"]]
    again = api.post(path, {"reason": "Still abusive"}, token=world.admin)
    assert again.status == 200 and again.body["hidden"] is True
    assert figures(api, world) == (5.0, 1, 5.0, 1)
    assert api.post(path, {"reason": ""}, token=world.admin).status == 400


def test_a_stay_saved_from_a_read_before_a_review_cannot_write_old_counters_back(
    api: Api, world: World, frozen_clock
) -> None:
    booking = completed(api, world, frozen_clock)
    stale = Stay.get(*Stay.keys(world.stay["id"]), consistent_read=True)
    assert review(api, booking, world.guest).status == 201
    stale.name = "Renamed from an old read"
    with pytest.raises(PutError):
        stale.save()
    assert figures(api, world)[:2] == (4.0, 1)


def test_search_cards_show_ratings_and_sort_best_rated_then_cheapest(api: Api, world: World) -> None:
    # Given stays in one city with these counters (the review transactions' ADDs are tested above).
    city = "Rating Town"
    rated = {"Top": (9, 2, 3000), "Top cheaper": (9, 2, 1000), "Fair": (3, 1, 500), "Fair twin": (3, 1, 500)}
    ids = {}
    for name, (total, count, price) in {**rated, "New": (0, 0, 100)}.items():
        stay = create_stay(api, world.provider, name=name, city=city)
        add_room(api, world.provider, stay["id"], price_per_night=price)
        Stay.get(*Stay.keys(stay["id"])).update(actions=[Stay.rating_sum.set(total), Stay.rating_count.set(count)])
        ids[name] = stay["id"]
    dates = f"check_in={world.day(5)}&check_out={world.day(6)}"
    fair = sorted(["Fair", "Fair twin"], key=lambda n: ids[n])  # same rating, same price: by stay id
    expected = ["Top cheaper", "Top", *fair, "New"]
    body = api.get(f"/api/listings/search/stays?city={city}&sort=rating_desc&{dates}").body
    assert [c["name"] for c in body["items"]] == expected
    shown = {c["name"]: (c["average_rating"], c["review_count"]) for c in body["items"]}
    assert shown == {
        "Top": (4.5, 2),
        "Top cheaper": (4.5, 2),
        "Fair": (3.0, 1),
        "Fair twin": (3.0, 1),
        "New": (None, 0),
    }

    seen, cursor = [], None
    for _ in range(len(expected) + 1):
        query = f"city={city}&sort=rating_desc&limit=2&{dates}" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/api/listings/search/stays?{query}").body
        seen += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected

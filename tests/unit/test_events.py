"""Which event a change is, built from the stream's old and new images alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain import events as rules
from chalicelib.models.bookings import Booking, GuestSnapshot, ProviderSnapshot, RoomSnapshot, StaySnapshot
from chalicelib.services.events import build_event

MOMENT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def booking(**changes: Any) -> Booking:
    fields: dict[str, Any] = dict(
        id="b" * 22,
        status="PENDING",
        guest_id="g" * 22,
        provider_id="p" * 22,
        stay_id="s" * 22,
        room_id="s" * 22 + ".r",
        check_in="2026-12-01",
        check_out="2026-12-03",
        nights=2,
        guests=2,
        price_per_night=Decimal("120.50"),
        total_price=Decimal("241.00"),
        currency="EUR",
        guest=GuestSnapshot(id="g" * 22, full_name="Ayesha Rahman", email="a@example.com", phone=None),
        provider=ProviderSnapshot(id="p" * 22, business_name="Sea Inn", business_phone="+8801700000000"),
        room=RoomSnapshot(
            id="s" * 22 + ".r",
            room_name="101",
            room_type="deluxe",
            price_per_night=Decimal("120.50"),
            max_guest_per_room=2,
        ),
        stay=StaySnapshot(
            id="s" * 22,
            type="hotel",
            name="Sea Inn",
            address="1 Beach Rd",
            city="Cox's Bazar",
            country="BD",
            timezone="Asia/Dhaka",
            check_in_time="14:00",
            check_out_time="12:00",
        ),
        created_at=MOMENT,
        updated_at=MOMENT,
        version=1,
    )
    fields.update(changes)
    return Booking(**fields)


def image(item: Booking) -> rules.Image:
    return item.serialize()


def record(old: rules.Image | None, new: rules.Image | None) -> dict[str, Any]:
    images: dict[str, Any] = {"SequenceNumber": "1"}
    if old is not None:
        images["OldImage"] = old
    if new is not None:
        images["NewImage"] = new
    return {"eventID": "1", "eventName": "MODIFY" if old else "INSERT", "dynamodb": images}


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, {}, rules.BOOKING_CREATED),
        ({}, {"status": "CONFIRMED"}, rules.BOOKING_CONFIRMED),
        ({}, {"status": "CANCELLED", "cancellation_reason": "REJECTED_BY_PROVIDER"}, rules.BOOKING_REJECTED),
        ({}, {"status": "CANCELLED", "cancellation_reason": "CANCELLED_BY_GUEST"}, rules.BOOKING_CANCELLED),
        (
            {"status": "CONFIRMED"},
            {"status": "CANCELLED", "cancellation_reason": "CANCELLED_BY_PROVIDER"},
            rules.BOOKING_CANCELLED,
        ),
        ({}, {"status": "CANCELLED", "cancellation_reason": "EXPIRED"}, rules.BOOKING_EXPIRED),
        ({"status": "CONFIRMED"}, {"status": "COMPLETED"}, rules.BOOKING_COMPLETED),
        ({}, {"note": "late arrival"}, None),
    ],
)
def test_each_status_transition_is_its_event(before: dict | None, after: dict, expected: str | None) -> None:
    old = None if before is None else image(booking(**before))
    assert rules.event_type(old, image(booking(**after))) == expected


def test_a_removal_and_an_item_that_is_no_booking_are_no_events() -> None:
    assert rules.event_type(image(booking()), None) is None
    assert rules.event_type(None, {"kind": {"S": "NightLock"}, "pk": {"S": "NIGHTS#x"}}) is None


def test_the_event_carries_the_booking_detail_after_the_change_and_whose_it_is() -> None:
    old = image(booking())
    new = image(booking(status="CONFIRMED", version=2, updated_at=MOMENT.replace(hour=10)))
    event = build_event(record(old, new))
    assert event is not None
    body = event.body()
    assert body["type"] == "booking.confirmed" and body["occurred_at"] == "2026-11-23T10:30:00.000000Z"
    assert body["data"]["status"] == "CONFIRMED" and body["data"]["total_price"] == 241.0
    assert body["data"]["stay"]["name"] == "Sea Inn" and body["data"]["guest"]["full_name"] == "Ayesha Rahman"
    assert (event.provider_id, event.subject_id) == ("p" * 22, "b" * 22)


def test_the_same_change_read_twice_is_the_same_event_id_and_another_change_another() -> None:
    old, new = image(booking()), image(booking(status="CONFIRMED", version=2))
    first, again = build_event(record(old, new)), build_event(record(old, new))
    created = build_event(record(None, old))
    assert first is not None and again is not None and created is not None
    assert first.id == again.id != created.id


def review_image(**changes: Any) -> rules.Image:
    item: rules.Image = {
        "pk": {"S": "STAY#" + "s" * 22},
        "sk": {"S": "REVIEW#" + "v" * 22},
        "kind": {"S": "Review"},
        "id": {"S": "v" * 22},
        "stay_id": {"S": "s" * 22},
        "provider_id": {"S": "p" * 22},
        "room_id": {"S": "s" * 22 + ".r"},
        "booking_id": {"S": "b" * 22},
        "rating": {"N": "5"},
        "title": {"S": "Lovely"},
        "body": {"S": "Would stay again."},
        "guest_name": {"S": "Ayesha"},
        "stayed_in": {"S": "2026-12"},
        "created_at": {"S": "2026-12-05T08:00:00.000000+0000"},
        "hidden": {"BOOL": False},
    }
    item.update(changes)
    return item


def test_a_new_review_is_review_created_with_the_review_and_its_provider() -> None:
    event = build_event(record(None, review_image()))
    assert event is not None and event.type == "review.created" and event.provider_id == "p" * 22
    assert event.data["rating"] == 5 and event.data["title"] == "Lovely" and event.data["reply"] is None
    assert event.body()["occurred_at"] == "2026-12-05T08:00:00.000000Z"


def test_a_changed_review_is_no_event() -> None:
    assert build_event(record(review_image(), review_image(hidden={"BOOL": True}))) is None

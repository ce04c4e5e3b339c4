"""A hypothesis state machine drives the booking API against an in-memory model of the rules.

Guests book, replay with an idempotency key, ask what cancelling would refund, cancel and
review; the provider confirms, rejects, cancels and replaces a room's rates (prices, closed
nights, a minimum stay); the clock moves and the timer job runs. After every step the table
must agree with the model: the same statuses, refunds and fees, exactly the nights of live
bookings locked, exact pending counters and provider total, each booking's nightly prices
those of the rules when it was made, and the stay's and the provider's rating counters equal
to the reviews the model accepted. The model, its constants and the machine's world
(`BookingModel`) are in booking_model.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, invariant, rule

from chalicelib.settings import get_settings
from tests.factories import Reply
from tests.integration.booking_model import GUESTS, REVIEW_WINDOW, SETTINGS, Booked, BookingModel


class BookingMachine(BookingModel):
    booked = Bundle("booked")
    keyed = Bundle("keyed")

    @rule(
        target=booked,
        guest=st.integers(0, GUESTS - 1),
        room=st.integers(0, 1),
        start=st.integers(0, 6),
        nights=st.integers(1, 3),
    )
    def book(self, guest: int, room: int, start: int, nights: int) -> str:
        expected, clash = self.expect_booking(guest, room, start, nights)
        reply = self.api.post(
            "/api/bookings/rooms/room-booking", self.body(room, start, nights), token=self.guests[guest].access
        )
        assert reply.status == expected, (expected, reply.body)
        if clash == ["STAY_RESTRICTED"]:
            assert reply.code == "STAY_RESTRICTED" and reply.body["violations"], reply.body
        elif expected == 409 and clash:
            assert reply.body["conflicting_nights"] == clash
        if reply.status != 201:
            return ""
        check_in = self.start + timedelta(days=start)
        prices = self.prices(room, check_in, nights)
        assert [(p["date"], Decimal(str(p["price"]))) for p in reply.body["nightly_prices"]] == prices
        assert Decimal(str(reply.body["total_price"])) == sum(p for _, p in prices)
        booking = Booked(
            reply.body["id"], guest, room, check_in, check_in + timedelta(days=nights), self.now, prices=prices
        )
        self.model[booking.id] = booking
        return booking.id

    @rule(
        target=keyed,
        guest=st.integers(0, GUESTS - 1),
        room=st.integers(0, 1),
        start=st.integers(0, 6),
        key=st.text("abcdef0123", min_size=4, max_size=8),
    )
    def book_with_key(self, guest: int, room: int, start: int, key: str) -> tuple[int, dict, str, str]:
        body = self.body(room, start, 1)
        expected, _ = self.expect_booking(guest, room, start, 1)
        headers = {"Idempotency-Key": key}
        reply = self.api.post(
            "/api/bookings/rooms/room-booking", body, token=self.guests[guest].access, headers=headers
        )
        earlier = next((b for b in self.model.values() if b.key == (guest, key)), None)
        if earlier is not None:  # this guest used the key before: the first booking again, or a 422
            same = (earlier.room, earlier.check_in.isoformat()) == (room, body["check_in"])
            assert reply.status == (201 if same else 422), reply.body
            assert not same or reply.body["id"] == earlier.id
            return guest, body, key, earlier.id if same else ""
        assert reply.status == expected, (expected, reply.body)
        if reply.status != 201:
            return guest, body, key, ""
        check_in = date.fromisoformat(body["check_in"])
        booking = Booked(
            reply.body["id"],
            guest,
            room,
            check_in,
            check_in + timedelta(days=1),
            self.now,
            key=(guest, key),
            prices=self.prices(room, check_in, 1),
        )
        self.model[booking.id] = booking
        return guest, body, key, booking.id

    @rule(request=keyed)
    def replay(self, request: tuple[int, dict, str, str]) -> None:
        guest, body, key, booking_id = request
        if not booking_id:
            return
        before = len(self.model)
        reply = self.api.post(
            "/api/bookings/rooms/room-booking", body, token=self.guests[guest].access, headers={"Idempotency-Key": key}
        )
        assert (reply.status, reply.body["id"]) == (201, booking_id)
        assert len(self.model) == before

    def cancel_answered(self, reply: Reply, booking: Booked, allowed: tuple[str, ...]) -> bool:
        """Whether a cancel (or its quote) had to succeed; when not, that it was the right 409."""
        if booking.status not in allowed:
            assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")
        elif self.today() >= booking.check_in:
            assert (reply.status, reply.code) == (409, "TOO_LATE_TO_CANCEL")
        else:
            assert reply.status == 200, reply.body
            return True
        return False

    @rule(booking_id=consumes(booked))
    def cancel(self, booking_id: str) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        reply = self.api.post(f"/api/bookings/rooms/{booking_id}/cancel", token=self.guests[booking.guest].access)
        if self.cancel_answered(reply, booking, ("PENDING", "CONFIRMED")):
            booking.close("CANCELLED_BY_GUEST", booking.refund_by_policy(self.now))

    @rule(booking_id=booked)
    def quote(self, booking_id: str) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        reply = self.api.get(f"/api/bookings/rooms/{booking_id}/cancellation", token=self.guests[booking.guest].access)
        if self.cancel_answered(reply, booking, ("PENDING", "CONFIRMED")):
            refund = booking.refund_by_policy(self.now)
            assert Decimal(str(reply.body["refund_amount"])) == refund, reply.body
            assert Decimal(str(reply.body["cancellation_fee"])) == booking.total - refund

    @rule(booking_id=booked)
    def provider_cancels(self, booking_id: str) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        reply = self.api.post(
            f"/api/bookings/rooms/{booking_id}/provider-cancel", {"reason": "Overbooked"}, token=self.provider.access
        )
        if self.cancel_answered(reply, booking, ("CONFIRMED",)):
            booking.close("CANCELLED_BY_PROVIDER", booking.total)

    @rule(booking_id=booked)
    def confirm(self, booking_id: str) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        reply = self.api.post(f"/api/bookings/rooms/{booking_id}/confirm", token=self.provider.access)
        if booking.status == "PENDING" and self.now < booking.due:
            assert reply.status == 200, reply.body
            booking.status = "CONFIRMED"
        else:
            assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")

    @rule(booking_id=booked)
    def reject(self, booking_id: str) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        reply = self.api.post(f"/api/bookings/rooms/{booking_id}/reject", token=self.provider.access)
        if booking.status == "PENDING":
            assert reply.status == 200, reply.body
            booking.close("REJECTED_BY_PROVIDER", booking.total)
        else:
            assert (reply.status, reply.code) == (409, "INVALID_TRANSITION")

    @rule(
        room=st.integers(0, 1),
        rules=st.lists(st.tuples(st.integers(0, 8), st.integers(1, 4), SETTINGS), max_size=3),
    )
    def set_rates(self, room: int, rules: list[tuple[int, int, tuple[str, object]]]) -> None:
        stored = [
            (self.start + timedelta(days=s), self.start + timedelta(days=s + n), name, value)
            for s, n, (name, value) in rules
        ]
        body = {"rules": [{"from": f.isoformat(), "to": t.isoformat(), name: value} for f, t, name, value in stored]}
        path = f"/api/listings/stays/{self.stay_id}/rooms/{self.rooms[room]}/rates"
        reply = self.api.call("PUT", path, body, token=self.provider.access)
        assert reply.status == 200, reply.body
        self.rates[room] = stored

    @rule(booking_id=booked, rating=st.integers(1, 5))
    def review(self, booking_id: str, rating: int) -> None:
        if not booking_id:
            return
        booking = self.model[booking_id]
        body = {"rating": rating, "title": f"{rating} stars"}
        reply = self.api.post(f"/api/bookings/rooms/{booking_id}/review", body, token=self.guests[booking.guest].access)
        if booking.status != "COMPLETED" or self.now > booking.checked_out + REVIEW_WINDOW:
            assert (reply.status, reply.code) == (409, "NOT_REVIEWABLE"), reply.body
        elif booking.rating is not None:
            assert (reply.status, reply.code) == (409, "ALREADY_REVIEWED"), reply.body
        else:
            assert reply.status == 201, reply.body
            booking.rating = rating

    @rule(hours=st.sampled_from([1, 6, 13, 24]))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def timers_run(self) -> None:
        event = self.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        summary = self.client.lambda_.invoke("booking_timers", event).payload
        expired = completed = 0
        for booking in self.model.values():
            if booking.status in ("PENDING", "CONFIRMED") and booking.due <= self.now:
                if booking.status == "PENDING":
                    booking.close("EXPIRED", booking.total)
                    expired += 1
                else:
                    booking.status = "COMPLETED"
                    completed += 1
        assert (summary["expired"], summary["completed"]) == (expired, completed)

    @invariant()
    def the_table_agrees_with_the_model(self) -> None:
        items = boto3.resource("dynamodb").Table(get_settings().table_name).scan(ConsistentRead=True)["Items"]
        stored = {i["id"]: i for i in items if i["kind"] == "Booking"}
        assert {
            k: (b["status"], b.get("cancellation_reason"), b.get("refund_amount"), b.get("cancellation_fee"))
            for k, b in stored.items()
        } == {k: (b.status, b.reason, b.refund, b.fee) for k, b in self.model.items()}
        locks = {(i["night"], i["room_id"]): i["booking_id"] for i in items if i["kind"] == "NightLock"}
        assert locks == {(n.isoformat(), self.rooms[room]): bid for (n, room), bid in self.taken().items()}
        users = {i["id"]: i for i in items if i["kind"] == "User"}
        for n, guest in enumerate(self.guests):
            assert int(users[guest.id].get("pending_bookings", 0)) == self.pending(n)
        prices = {k: [(p["date"], p["price"]) for p in b["nightly_prices"]] for k, b in stored.items()}
        assert prices == {k: b.prices for k, b in self.model.items()}  # never repriced
        provider = next(i for i in items if i["kind"] == "Provider")
        live = sum(1 for b in self.model.values() if b.status in ("CONFIRMED", "COMPLETED"))
        assert int(provider["total_bookings"]) == live
        ratings = [b.rating for b in self.model.values() if b.rating is not None]
        stay = next(i for i in items if i["kind"] == "Stay")
        assert (int(stay.get("rating_sum", 0)), int(stay.get("rating_count", 0))) == (sum(ratings), len(ratings))
        counted = (int(provider.get("rating_sum", 0)), int(provider.get("total_reviews", 0)))
        assert counted == (sum(ratings), len(ratings))
        assert sum(1 for i in items if i["kind"] == "Review") == len(ratings)


BookingMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_the_booking_rules_hold_in_any_order = BookingMachine.TestCase

"""The endpoint benchmark's world, and the shape of a row of its table.

What every measured call of `bench.endpoints` runs against: a provider with a city of stays
of 5 rooms each, a guest and an admin, made through the API before anything is measured; the
bodies a call sends (two free nights to book, a season of rates, a month, a week's dates) and
the fresh items a call uses up (a guest, a stay, a room, a login). `Endpoint` is one row of the
table in `bench.endpoint_table`: the request, its expected status and the minimum the design
allows. Imported by `bench.endpoints` once it has started DynamoDB Local.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.bookings import today_in
from chalicelib.services.accounts import create_admin
from tests.factories import PASSWORD, Api, Person, add_room, create_stay, sign_up, sign_up_provider

Request = tuple[str, str, Any, str | None, dict[str, str]]


@dataclass
class Endpoint:
    method: str
    path: str
    minimum: str
    make: Callable[[], Request]
    expect: int
    # The minimum's sequential DynamoDB steps: more is a design regression (exit 1).
    steps: int
    # A bearer route's account check (services/caller.py) is one GetItem more, beside its first
    # read; a route that writes first must wait for it, one step more.
    writes_first: bool = False
    # When some of the minimum's requests run at once: how many there are. They are checked;
    # the steps are not (a pool thread that starts late shows as one step more).
    requests: int | None = None


class World:
    def __init__(self, api: Api, stays: int) -> None:
        self.api = api
        self.provider = sign_up_provider(api)
        self.stays = [create_stay(api, self.provider, name=f"Stay {n}") for n in range(stays)]
        self.rooms = [
            add_room(api, self.provider, s["id"], room_name=f"Room {r}") for s in self.stays for r in range(5)
        ]
        self.guest = sign_up(api)
        create_admin("bench-admin@example.com", PASSWORD)
        self.admin = api.post("/api/auth/token", {"email": "bench-admin@example.com", "password": PASSWORD}).body[
            "access"
        ]
        self.today = today_in("Asia/Dhaka", clock.utcnow())
        self.next_day = 10

    def booking_body(self, room: dict | None = None) -> dict:
        """A booking of two free nights: each call moves on, so none conflicts with another."""
        self.next_day += 2
        check_in = self.today + timedelta(days=self.next_day % 360 + 1)
        return {
            "stay_type": "hotel",
            "room_id": (room or self.rooms[0])["id"],
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": 1,
        }

    def booking(self, guest: Person | None = None) -> str:
        reply = self.api.post(
            "/api/bookings/rooms/room-booking", self.booking_body(self.rooms[1]), token=(guest or self.guest).access
        )
        assert reply.status == 201, reply.body
        return str(reply.body["id"])

    def rates(self) -> dict:
        """Weekend and season prices and a minimum stay, as a provider would set them."""
        start = self.today + timedelta(days=1)
        return {
            "rules": [
                {"from": str(start), "to": str(start + timedelta(days=90)), "price_per_night": 5000, "min_stay": 2},
                {
                    "from": str(start),
                    "to": str(start + timedelta(days=365)),
                    "weekdays": [5, 6],
                    "price_per_night": 6000,
                },
            ]
        }

    def month(self) -> str:
        return f"from={self.today}&to={self.today + timedelta(days=31)}"

    def dates(self) -> str:
        check_in = self.today + timedelta(days=40)
        return f"check_in={check_in}&check_out={check_in + timedelta(days=7)}"

    def fresh_guest(self) -> Person:
        return sign_up(self.api)

    def fresh_stay(self) -> str:
        stay = create_stay(self.api, self.provider)
        add_room(self.api, self.provider, stay["id"])
        return str(stay["id"])

    def fresh_room(self) -> str:
        return str(add_room(self.api, self.provider, self.stays[0]["id"])["id"])

    def new_login(self) -> str:
        return str(self.api.post("/api/auth/token", {"email": self.guest.email, "password": PASSWORD}).body["refresh"])

"""Demo data for the local table: `make seed` while `make run` is running.

Three providers with verified KYC, stays of all three kinds in five cities and three
time zones under every cancellation policy, rooms at varied prices with weekend and
high-season rates and a minimum stay in the season, guests with bookings in every status
(cancelled by the guest and by the provider, with their refunds), and reviews (some answered
by their provider) of the stays that are over, so that the cards show ratings. Run it
again and it only prints the logins: the data is there already.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.domain.accounts import email_key
from chalicelib.domain.bookings import today_in
from chalicelib.domain.ids import parent_of
from chalicelib.domain.money import round_to_minor_unit
from chalicelib.domain.tokens import AccessClaims
from chalicelib.models.accounts import EmailClaim
from chalicelib.models.base import create_table
from chalicelib.schemas.accounts import BecomeProviderRequest, KycRequest, RegisterRequest
from chalicelib.schemas.bookings import BookingCreate
from chalicelib.schemas.listings import RoomCreate, StayCreate
from chalicelib.schemas.rates import RatesIn
from chalicelib.schemas.reviews import ReplyCreate, ReviewCreate
from chalicelib.services import accounts, bookings, listings, rates, reviews

PASSWORD = "demo password 2026"
PROVIDERS: list[dict[str, Any]] = [
    {
        "email": "shapla@demo.example",
        "phone": "+8801710000001",
        "business": "Shapla Hospitality",
        "stays": [
            (
                "hotel",
                "Hotel Shapla",
                "Dhaka",
                "BD",
                "Asia/Dhaka",
                "BDT",
                [("deluxe", 4500), ("twin", 3200), ("suite", 9800)],
            ),
            (
                "resort",
                "Sea Pearl Resort",
                "Cox's Bazar",
                "BD",
                "Asia/Dhaka",
                "BDT",
                [("sea view", 12000), ("garden", 8500)],
            ),
            ("homestay", "Tea Garden Home", "Sylhet", "BD", "Asia/Dhaka", "BDT", [("family", 2500)]),
        ],
    },
    {
        "email": "pacific@demo.example",
        "phone": "+14155550101",
        "business": "Pacific Stays",
        "stays": [
            (
                "hotel",
                "Bayview Hotel",
                "San Francisco",
                "US",
                "America/Los_Angeles",
                "USD",
                [("king", 289), ("queen", 239)],
            ),
            ("homestay", "Mission Loft", "San Francisco", "US", "America/Los_Angeles", "USD", [("loft", 165)]),
        ],
    },
    {
        "email": "alpine@demo.example",
        "phone": "+41791234567",
        "business": "Alpine Retreats",
        "stays": [
            ("resort", "Matterhorn Lodge", "Zermatt", "CH", "Europe/Zurich", "CHF", [("chalet", 640), ("double", 410)]),
        ],
    },
]
# Every preset, and custom tiers, so each way of refunding is there to try.
POLICIES: dict[str, Any] = {
    "Hotel Shapla": "moderate",
    "Sea Pearl Resort": "strict",
    "Tea Garden Home": "flexible",
    "Bayview Hotel": "non_refundable",
    "Mission Loft": {
        "name": "custom",
        "tiers": [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 25}],
    },
    "Matterhorn Lodge": "strict",
}
GUESTS = [
    ("ayesha@demo.example", "+8801710000101", "Ayesha Rahman"),
    ("leo@demo.example", "+14155550199", "Leo Martin"),
]
# Past stays, reviewed once the timer job has completed them:
# (guest, provider, room of that provider, rating, title, the provider's reply or None).
REVIEWS: list[tuple[int, int, int, int, str, str | None]] = [
    (0, 0, 0, 5, "Spotless rooms, kind staff", "Thank you, Ayesha! We hope to see you again."),
    (1, 0, 1, 4, "Great location in Gulshan", None),
    (1, 0, 3, 5, "Waking up to the sea", "We are glad you enjoyed the view."),
    (0, 0, 5, 4, "A peaceful tea garden", None),
    (1, 1, 0, 3, "Good, but a noisy street", "Sorry about the noise: the street side has new windows now."),
    (0, 2, 0, 5, "The Matterhorn from bed", None),
]


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Past bookings are made as they would have been: with the clock back then."""
    real = clock.utcnow
    clock.utcnow = lambda: moment
    try:
        yield
    finally:
        clock.utcnow = real


def _exists(email: str) -> bool:
    try:
        EmailClaim.get(*EmailClaim.keys(email_key(email)))
    except DoesNotExist:
        return False
    return True


def _provider(spec: dict[str, Any]) -> tuple[AccessClaims, list[str]]:
    user = accounts.register(
        RegisterRequest(email=spec["email"], phone=spec["phone"], full_name=spec["business"], password=PASSWORD)
    )
    provider, _ = accounts.become_provider(
        user.id,
        BecomeProviderRequest(
            business_name=spec["business"],
            business_email=spec["email"],
            business_phone=spec["phone"],
            business_address=f"{spec['business']} head office",
            payout_method="bank_transfer",
        ),
    )
    accounts.set_kyc(provider.id, KycRequest(kyc_status="VERIFIED", note="demo data"))
    room_ids = []
    for stay_type, name, city, country, zone, currency, rooms in spec["stays"]:
        stay = listings.create_stay(
            provider.id,
            StayCreate.model_validate(
                {
                    "stay_type": stay_type,
                    "name": name,
                    "description": f"{name}, a demo {stay_type} in {city}.",
                    "address": f"1 Demo Road, {city}",
                    "city": city,
                    "country": country,
                    "timezone": zone,
                    "currency": currency,
                    "cancellation_policy": POLICIES[name],
                }
            ),
        )
        for n, (room_type, price) in enumerate(rooms):
            body = {
                "room_type": room_type,
                "room_name": f"{room_type.title()} {101 + n}",
                "price_per_night": price,
                "max_guest_per_room": 2 + n % 3,
                "amenities": ["wifi", "breakfast"] if n % 2 == 0 else ["wifi"],
                "has_ac": zone != "Europe/Zurich",
                "has_heating": zone == "Europe/Zurich",
            }
            room = listings.add_room(provider.id, stay.id, RoomCreate.model_validate(body))
            rates.replace_rates(provider.id, stay.id, room.id, _demo_rates(room.price_per_night, zone, currency))
            room_ids.append(room.id)
    claims = AccessClaims(user_id=user.id, roles=("guest", "provider"), provider_id=provider.id)
    return claims, room_ids


def _demo_rates(base: Decimal, zone: str, currency: str) -> RatesIn:
    """A high season from day 30 to day 120 (15 % more, at least 2 nights) and weekend prices
    (Friday and Saturday nights 25 % more) for a year: the last rule wins on its nights."""
    today = today_in(zone, clock.utcnow())

    def price(factor: str) -> Decimal:
        return round_to_minor_unit(base * Decimal(factor), currency)

    season = {"from": today + timedelta(days=30), "to": today + timedelta(days=120)}
    year = {"from": today, "to": today + timedelta(days=365)}
    return RatesIn.model_validate(
        {
            "rules": [
                {**season, "price_per_night": price("1.15"), "min_stay": 2},
                {**year, "weekdays": [5, 6], "price_per_night": price("1.25")},
            ]
        }
    )


def _guest(email: str, phone: str, name: str) -> AccessClaims:
    user = accounts.register(RegisterRequest(email=email, phone=phone, full_name=name, password=PASSWORD))
    return AccessClaims(user_id=user.id, roles=("guest",), provider_id=None)


def _book(guest: AccessClaims, room_id: str, start: int, nights: int) -> str:
    """Book `nights` nights from `start` days after the stay's today."""
    stay, _ = listings.stay_with_rooms(parent_of(room_id) or "")
    check_in = today_in(stay.timezone, clock.utcnow()) + timedelta(days=start)
    body = {
        "stay_type": stay.stay_type,
        "room_id": room_id,
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "guests": 1,
    }
    return bookings.create_booking(guest, BookingCreate.model_validate(body), None).id


def _review(
    guest: AccessClaims, owner: AccessClaims, booking_id: str, rating: int, title: str, reply: str | None
) -> None:
    body = f"{title}. We would stay again." if rating >= 4 else f"{title}. Fine for a night or two."
    review = reviews.create_review(guest, booking_id, ReviewCreate(rating=rating, title=title, body=body))
    if reply is not None:
        reviews.reply_to_review(owner, review.id, ReplyCreate(body=reply))


def seed() -> None:
    providers = [_provider(spec) for spec in PROVIDERS]
    (owner, rooms), (_, pacific_rooms), _ = providers
    guests = [_guest(*g) for g in GUESTS]
    ayesha, leo = guests
    now = clock.utcnow()
    lived = []
    with clock_at(now - timedelta(days=10)):  # stays that are over: COMPLETED by the timer job
        for guest, provider, room, _, _, _ in REVIEWS:
            claims, their_rooms = providers[provider]
            booking_id = _book(guests[guest], their_rooms[room], 2, 3)
            bookings.confirm_booking(claims, booking_id)
            lived.append(booking_id)
    with clock_at(now - timedelta(days=2)):  # a hold the provider never answered: EXPIRED
        _book(leo, rooms[1], 20, 2)
    bookings.run_timers(now, budget_seconds=60)
    for booking_id, (guest, provider, _, rating, title, reply) in zip(lived, REVIEWS, strict=True):
        _review(guests[guest], providers[provider][0], booking_id, rating, title, reply)
    bookings.confirm_booking(owner, _book(ayesha, rooms[3], 14, 4))  # CONFIRMED
    _book(ayesha, rooms[5], 30, 2)  # PENDING
    bookings.cancel_booking(leo, _book(leo, rooms[0], 40, 3))  # CANCELLED by the guest, while PENDING
    late = _book(ayesha, rooms[1], 3, 2)  # CONFIRMED, cancelled 3 days ahead: moderate refunds half
    bookings.confirm_booking(owner, late)
    bookings.cancel_booking(ayesha, late)
    repair = _book(leo, rooms[3], 21, 2)  # CONFIRMED, then CANCELLED by the provider: full refund
    bookings.confirm_booking(owner, repair)
    bookings.provider_cancel_booking(owner, repair, "The hotel's lift is under repair that week.")
    bookings.reject_booking(owner, _book(leo, rooms[2], 9, 1))  # REJECTED by the provider
    _book(leo, pacific_rooms[0], 7, 3)  # PENDING, in another time zone


def main() -> int:
    create_table()
    if _exists(PROVIDERS[0]["email"]):
        print("demo data is there already")
    else:
        seed()
        print("demo data written")
    print(f"\nsign in with any of these, password {PASSWORD!r}:")
    for spec in PROVIDERS:
        print(f"  provider  {spec['email']}")
    for email, _, _ in GUESTS:
        print(f"  guest     {email}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

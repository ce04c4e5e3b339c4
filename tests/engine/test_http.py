"""Over real HTTP: `chalice local` on DynamoDB Local, as `make run` serves it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.factories import PASSWORD, registration


def sign_up(base: str) -> tuple[str, str]:
    body = registration()
    user = requests.post(f"{base}/api/auth/register", json=body, timeout=30)
    assert user.status_code == 201, user.text
    token = requests.post(f"{base}/api/auth/token", json={"email": body["email"], "password": PASSWORD}, timeout=30)
    return user.json()["id"], token.json()["access"]


def test_concurrent_requests_never_see_each_others_caller(live_api: str) -> None:
    people = [sign_up(live_api) for _ in range(8)]

    def who_am_i(person: tuple[str, str]) -> tuple[str, str]:
        reply = requests.get(f"{live_api}/api/auth/me", headers={"Authorization": f"Bearer {person[1]}"}, timeout=30)
        return person[0], reply.json()["id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(who_am_i, people * 10))
    assert all(expected == seen for expected, seen in answers)


def test_health_and_problem_documents_over_http(live_api: str) -> None:
    health = requests.get(f"{live_api}/api/health", headers={"X-Request-Id": "probe-1"}, timeout=30)
    assert health.json() == {"status": "ok"} and health.headers["X-Request-Id"] == "probe-1"
    refused = requests.post(f"{live_api}/api/auth/register", data="{", timeout=30)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "VALIDATION_ERROR"


def test_a_provider_lists_three_kinds_of_stay_over_http(live_api: str) -> None:
    from tests.factories import provider_body, room_body, stay_body

    _, guest_token = sign_up(live_api)
    made = requests.post(
        f"{live_api}/api/accounts/become-provider",
        json=provider_body(),
        headers={"Authorization": f"Bearer {guest_token}"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    owner = {"Authorization": f"Bearer {made.json()['access']}"}
    stay_ids = []
    for kind in ("hotel", "homestay", "resort"):
        stay = requests.post(
            f"{live_api}/api/listings/stays", json=stay_body(stay_type=kind), headers=owner, timeout=30
        )
        assert stay.status_code == 201, stay.text
        stay_ids.append(stay.json()["id"])
    for n in range(5):
        room = requests.post(
            f"{live_api}/api/listings/stays/{stay_ids[0]}/rooms",
            json=room_body(room_name=f"Room {n}", price_per_night=f"{2500 + n}.50"),
            headers=owner,
            timeout=30,
        )
        assert room.status_code == 201, room.text
    hotel = requests.get(f"{live_api}/api/listings/stays/{stay_ids[0]}", timeout=30).json()
    assert [r["price_per_night"] for r in hotel["rooms"]] == [2500.5, 2501.5, 2502.5, 2503.5, 2504.5]
    mine = requests.get(f"{live_api}/api/listings/my-stays", headers=owner, timeout=30).json()
    assert [s["id"] for s in mine["items"]] == list(reversed(stay_ids))


def test_the_booking_journey_over_http(live_api: str) -> None:
    from datetime import date, timedelta

    from tests.factories import provider_body, room_body, stay_body

    def call(method: str, path: str, token: str | None = None, **kw: object) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, f"{live_api}{path}", headers=headers, timeout=30, **kw)

    _, owner = sign_up(live_api)
    owner = call("POST", "/api/accounts/become-provider", owner, json=provider_body()).json()["access"]
    stay = call("POST", "/api/listings/stays", owner, json=stay_body(timezone="UTC")).json()
    room = call("POST", f"/api/listings/stays/{stay['id']}/rooms", owner, json=room_body()).json()
    (_, first), (_, second) = sign_up(live_api), sign_up(live_api)
    start = date.today() + timedelta(days=20)
    ask = {
        "stay_type": "hotel",
        "room_id": room["id"],
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=2)).isoformat(),
        "guests": 2,
    }

    booked = call("POST", "/api/bookings/rooms/room-booking", first, json=ask)
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["id"]
    assert call("POST", f"/api/bookings/rooms/{booking_id}/confirm", owner).json()["status"] == "CONFIRMED"
    refused = call("POST", "/api/bookings/rooms/room-booking", second, json=ask)
    assert refused.status_code == 409
    assert refused.json()["conflicting_nights"] == [start.isoformat(), (start + timedelta(days=1)).isoformat()]
    assert call("POST", f"/api/bookings/rooms/{booking_id}/cancel", first).json()["status"] == "CANCELLED"
    assert call("POST", "/api/bookings/rooms/room-booking", second, json=ask).status_code == 201
    mine = call("GET", "/api/bookings/rooms/my", first).json()
    assert [b["id"] for b in mine["items"]] == [booking_id]

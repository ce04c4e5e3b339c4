"""Stays and rooms: create, read, change, delete; ownership; strict input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import Api, Person, add_room, create_stay, room_body, sign_up, sign_up_provider, stay_body


def test_a_provider_builds_a_hotel_homestay_and_resort_that_a_stranger_reads(api: Api, provider: Person) -> None:
    hotel = create_stay(api, provider)
    rooms = [add_room(api, provider, hotel["id"], room_name=f"Room {n}", price_per_night=3000 + n) for n in range(5)]
    homestay = create_stay(api, provider, stay_type="homestay", name="Tea Garden Home", city="Sylhet")
    resort = create_stay(api, provider, stay_type="resort", name="Sea Pearl", city="Cox's Bazar")

    seen = api.get(f"/api/listings/stays/{hotel['id']}")
    assert seen.status == 200
    assert [r["id"] for r in seen.body["rooms"]] == [r["id"] for r in rooms]
    assert seen.body["rooms"][2]["price_per_night"] == 3002
    assert seen.body["provider_id"] == provider.provider_id
    for other, kind in ((homestay, "homestay"), (resort, "resort")):
        reply = api.get(f"/api/listings/stays/{other['id']}")
        assert reply.body["stay_type"] == kind and reply.body["rooms"] == []


def test_a_new_stay_has_the_default_check_times(stay: dict) -> None:
    assert (stay["check_in_time"], stay["check_out_time"]) == ("14:00", "12:00")
    assert stay["timezone"] == "Asia/Dhaka" and stay["currency"] == "BDT"


def test_a_room_carries_its_stays_currency_and_an_exact_price(api: Api, provider: Person, stay: dict) -> None:
    room = add_room(api, provider, stay["id"], price_per_night="1234.56")
    assert room["price_per_night"] == 1234.56 and room["currency"] == "BDT"
    assert room["stay_id"] == stay["id"]
    assert room["amenities"] == ["wifi", "breakfast"]


def test_a_price_may_be_as_high_as_the_document_says(api: Api, provider: Person) -> None:
    from chalicelib.handlers.openapi import document

    bound = document()["components"]["schemas"]["RoomCreate"]["properties"]["price_per_night"]["exclusiveMaximum"]
    for currency, price in (("JPY", bound - 1), ("KWD", bound - Decimal("0.001")), ("VND", 4_500_000)):
        made = api.post("/api/listings/stays", stay_body(currency=currency), token=provider.access)
        room = add_room(api, provider, made.body["id"], price_per_night=str(price))
        assert Decimal(str(room["price_per_night"])) == price, room
    path = f"/api/listings/stays/{made.body['id']}/rooms"
    reply = api.post(path, room_body(price_per_night=bound), token=provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body


def test_unknown_stay_is_404(api: Api) -> None:
    for stay_id in ("A" * 22, "not#an#id"):
        assert api.get(f"/api/listings/stays/{stay_id}").status == 404


@pytest.mark.parametrize(
    "override",
    [
        {"stay_type": "motel"},
        {"country": "XX"},
        {"timezone": "Mars/Olympus"},
        {"timezone": "UTC+6"},
        {"currency": "ABC"},
        {"check_in_time": "25:00"},
        {"check_out_time": "9:00"},
        {"name": ""},
        {"name": "n" * 201},
        {"description": "d" * 5001},
        {"city": None},
        {"provider_id": "someone-else"},
        {"id": "chosen"},
        {"rating": 5},
    ],
)
def test_bad_stays_are_400_and_write_nothing(api: Api, provider: Person, items, override: dict) -> None:
    before = len(items())
    reply = api.post("/api/listings/stays", stay_body(**override), token=provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert len(items()) == before


@pytest.mark.parametrize(
    "override",
    [
        {"price_per_night": 0},
        {"price_per_night": -10},
        {"price_per_night": 10.005},
        {"price_per_night": 123456789012},
        {"price_per_night": 10_000_000_000},
        {"price_per_night": "cheap"},
        {"price_per_night": " 5 "},
        {"price_per_night": "+5"},
        {"price_per_night": "1e3"},
        {"price_per_night": "\u0661\u0662"},  # Arabic-Indic 12, which Decimal() reads
        {"price_per_night": None},
        {"price_per_night": [{}, {}, {}]},
        {"price_per_night": True},
        {"max_guest_per_room": 0},
        {"max_guest_per_room": 51},
        {"max_guest_per_room": "2"},
        {"max_guest_per_room": 2.5},
        {"amenities": ["wifi"] * 31},
        {"amenities": ["x" * 51]},
        {"amenities": "wifi"},
        {"has_ac": "yes"},
        {"is_available": 1},
        {"room_type": ""},
        {"stay_id": "elsewhere"},
        {"currency": "USD"},
    ],
)
def test_bad_rooms_are_400_and_write_nothing(api: Api, provider: Person, stay: dict, items, override: dict) -> None:
    before = items()
    reply = api.post(f"/api/listings/stays/{stay['id']}/rooms", room_body(**override), token=provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert items() == before


def test_a_room_needs_only_its_core_fields(api: Api, provider: Person, stay: dict) -> None:
    body = {"room_type": "twin", "room_name": "Twin 2", "price_per_night": 800, "max_guest_per_room": 2}
    reply = api.post(f"/api/listings/stays/{stay['id']}/rooms", body, token=provider.access)
    assert reply.status == 201
    assert (reply.body["amenities"], reply.body["has_ac"], reply.body["is_available"]) == ([], False, True)


# --- ownership ---


def test_another_provider_gets_404_and_changes_nothing(api: Api, provider: Person, stay: dict) -> None:
    room = add_room(api, provider, stay["id"])
    rival = sign_up_provider(api)
    before = api.get(f"/api/listings/stays/{stay['id']}").body
    stay_path = f"/api/listings/stays/{stay['id']}"
    room_path = f"{stay_path}/rooms/{room['id']}"
    attempts = [
        api.patch(stay_path, {"name": "Mine now"}, token=rival.access),
        api.delete(stay_path, token=rival.access),
        api.post(f"{stay_path}/rooms", room_body(), token=rival.access),
        api.patch(room_path, {"price_per_night": 1}, token=rival.access),
        api.delete(room_path, token=rival.access),
    ]
    assert [(a.status, a.code) for a in attempts] == [(404, "NOT_FOUND")] * 5
    assert api.get(stay_path).body == before


def test_a_guest_gets_403_and_an_anonymous_caller_401(api: Api, provider: Person, stay: dict) -> None:
    guest = sign_up(api)
    path = f"/api/listings/stays/{stay['id']}"
    for reply in (
        api.post("/api/listings/stays", stay_body(), token=guest.access),
        api.patch(path, {"name": "x"}, token=guest.access),
        api.delete(path, token=guest.access),
        api.get("/api/listings/my-stays", token=guest.access),
    ):
        assert (reply.status, reply.code) == (403, "NOT_A_PROVIDER")
    assert api.patch(path, {"name": "x"}).status == 401
    assert api.delete(path).status == 401


def test_a_room_addressed_under_another_stay_is_404(api: Api, provider: Person, stay: dict) -> None:
    other = create_stay(api, provider, name="Second")
    room = add_room(api, provider, stay["id"])
    reply = api.patch(
        f"/api/listings/stays/{other['id']}/rooms/{room['id']}", {"room_name": "x"}, token=provider.access
    )
    assert reply.status == 404
    assert api.delete(f"/api/listings/stays/{stay['id']}/rooms/{'Z' * 22}", token=provider.access).status == 404


# --- changes ---


def test_patch_stay_changes_what_is_sent(api: Api, provider: Person, stay: dict) -> None:
    reply = api.patch(
        f"/api/listings/stays/{stay['id']}",
        {"name": "Hotel Shapla Grand", "check_in_time": "13:00"},
        token=provider.access,
    )
    assert reply.status == 200
    assert reply.body["name"] == "Hotel Shapla Grand" and reply.body["check_in_time"] == "13:00"
    assert reply.body["address"] == stay["address"]


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"stay_type": "villa"}, {"provider_id": "x"}, {"timezone": "Nowhere/City"}, {"room_count": 9}],
)
def test_bad_stay_patches_are_400_and_change_nothing(api: Api, provider: Person, stay: dict, body: dict) -> None:
    before = api.get(f"/api/listings/stays/{stay['id']}").body
    reply = api.patch(f"/api/listings/stays/{stay['id']}", body, token=provider.access)
    assert reply.status == 400
    assert api.get(f"/api/listings/stays/{stay['id']}").body == before


def test_changing_currency_reprices_rooms_in_the_new_currency(api: Api, provider: Person, stay: dict) -> None:
    add_room(api, provider, stay["id"])
    api.patch(f"/api/listings/stays/{stay['id']}", {"currency": "USD"}, token=provider.access)
    assert api.get(f"/api/listings/stays/{stay['id']}").body["rooms"][0]["currency"] == "USD"


def test_patch_room_and_stop_selling_it(api: Api, provider: Person, stay: dict) -> None:
    room = add_room(api, provider, stay["id"])
    path = f"/api/listings/stays/{stay['id']}/rooms/{room['id']}"
    reply = api.patch(path, {"is_available": False, "price_per_night": 5000}, token=provider.access)
    assert reply.status == 200
    assert reply.body["is_available"] is False and reply.body["price_per_night"] == 5000
    assert reply.body["room_name"] == room["room_name"]
    assert api.patch(path, {"is_available": None}, token=provider.access).status == 400


def test_delete_room(api: Api, provider: Person, stay: dict) -> None:
    keep, drop = add_room(api, provider, stay["id"]), add_room(api, provider, stay["id"])
    assert api.delete(f"/api/listings/stays/{stay['id']}/rooms/{drop['id']}", token=provider.access).status == 204
    assert [r["id"] for r in api.get(f"/api/listings/stays/{stay['id']}").body["rooms"]] == [keep["id"]]


def test_delete_stay_deletes_its_rooms(api: Api, provider: Person, stay: dict, items) -> None:
    for _ in range(3):
        add_room(api, provider, stay["id"])
    assert api.delete(f"/api/listings/stays/{stay['id']}", token=provider.access).status == 204
    assert api.get(f"/api/listings/stays/{stay['id']}").status == 404
    assert [i for i in items() if i["pk"] == f"STAY#{stay['id']}"] == []


def test_a_stay_holds_at_most_the_room_limit(api: Api, provider: Person, stay: dict, monkeypatch) -> None:
    from chalicelib.services import listings

    monkeypatch.setattr(listings, "MAX_ROOMS_PER_STAY", 2)
    add_room(api, provider, stay["id"])
    add_room(api, provider, stay["id"])
    reply = api.post(f"/api/listings/stays/{stay['id']}/rooms", room_body(), token=provider.access)
    assert (reply.status, reply.code) == (409, "ROOM_LIMIT_REACHED")
    assert len(api.get(f"/api/listings/stays/{stay['id']}").body["rooms"]) == 2


# --- the provider's list ---


def test_my_stays_pages_newest_first_to_the_end(api: Api, provider: Person) -> None:
    made = [create_stay(api, provider, name=f"Stay {n}")["id"] for n in range(5)]
    create_stay(api, sign_up_provider(api))  # someone else's
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(f"/api/listings/my-stays{query}", token=provider.access)
        assert reply.status == 200
        seen += [s["id"] for s in reply.body["items"]]
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert pages in (3, 4)


def test_a_tampered_or_foreign_cursor_is_400(api: Api, provider: Person) -> None:
    for n in range(3):
        create_stay(api, provider, name=f"Stay {n}")
    cursor = api.get("/api/listings/my-stays?limit=1", token=provider.access).body["next_cursor"]
    tampered = cursor[:-3] + ("abc" if not cursor.endswith("abc") else "xyz")
    reply = api.get(f"/api/listings/my-stays?cursor={tampered}", token=provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    rival = sign_up_provider(api)
    foreign = api.get(f"/api/listings/my-stays?cursor={cursor}", token=rival.access)
    assert (foreign.status, foreign.code) == (400, "VALIDATION_ERROR")


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=ten", "?page=2", "?cursor="])
def test_bad_list_queries_are_400(api: Api, provider: Person, query: str) -> None:
    assert api.get(f"/api/listings/my-stays{query}", token=provider.access).status == 400

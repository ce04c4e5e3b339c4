"""Text is stored NFC-normalized; long text keeps tabs and line breaks, short text is one line;
a city matches whatever normal form it is written in."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from urllib.parse import quote

from tests.factories import Api, add_room, create_stay, sign_up_provider, stay_body

NFC = "Z\u00fcrich"
NFD = unicodedata.normalize("NFD", NFC)


def test_text_is_stored_nfc_and_an_nfd_city_finds_it(api: Api) -> None:
    provider = sign_up_provider(api)
    stay = create_stay(api, provider, name=f"Hotel {NFD}", city=NFD, country="CH", timezone="Europe/Zurich")
    add_room(api, provider, stay["id"])
    assert stay["name"] == f"Hotel {NFC}" and stay["city"] == NFC
    check_in = date.today() + timedelta(days=20)
    dates = f"check_in={check_in}&check_out={check_in + timedelta(days=1)}"
    for spelling in (NFC, NFD, NFD.upper()):
        found = api.get(f"/api/listings/search/stays?city={quote(spelling)}&{dates}")
        assert found.status == 200 and [c["id"] for c in found.body["items"]] == [stay["id"]], spelling


def test_long_text_keeps_tabs_and_line_breaks_but_short_text_is_one_line(api: Api, items) -> None:
    provider = sign_up_provider(api)
    stay = create_stay(api, provider, description="Lake view.\n\tRooftop bar.", address="12 Gulshan Ave\nDhaka")
    assert stay["description"] == "Lake view.\n\tRooftop bar." and stay["address"] == "12 Gulshan Ave\nDhaka"
    before = items()
    for field in ("name", "city"):
        reply = api.post("/api/listings/stays", stay_body(**{field: "Two\nlines"}), token=provider.access)
        assert reply.status == 400 and reply.body["errors"][0]["field"] == field, reply.body
    assert items() == before


def test_text_without_a_text_type_is_one_line_too(api: Api, items) -> None:
    """One line is the default, not a type's choice: a URL, an id or a token with a tab or a
    line break is a 400 (a webhook at `/hooks/o\nk` was stored so and called at `/hooks/ok`)."""
    provider = sign_up_provider(api)
    before = items()
    hook = {"url": "https://hooks.example.com/o\nk", "events": ["booking.created"]}
    reply = api.post("/api/accounts/provider-profile/webhooks", hook, token=provider.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "url", reply.body
    reply = api.post("/api/bookings/rooms/room-booking", {"room_id": "a\tb"}, token=provider.access)
    assert reply.status == 400 and "room_id" in {e["field"] for e in reply.body["errors"]}, reply.body
    assert items() == before


def test_deep_preferences_are_refused(api: Api, items) -> None:
    person = sign_up_provider(api)
    before = items()
    deep: dict = {"a": "b"}
    for _ in range(6):
        deep = {"x": deep}
    reply = api.patch("/api/accounts/guest-profile", {"preferences": deep}, token=person.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "preferences", reply.body
    raw = b'{"preferences": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    reply = api.patch("/api/accounts/guest-profile", raw=raw, token=person.access)
    assert reply.status == 400, reply.body
    assert items() == before


def test_a_length_is_that_of_the_stored_nfc_text(api: Api, items) -> None:
    """200 decomposed "é" are 400 code points sent and 200 stored: a stay name (200) fits."""
    e = unicodedata.normalize("NFD", "\u00e9")
    provider = sign_up_provider(api)
    stay = create_stay(api, provider, name=e * 200)
    assert stay["name"] == "\u00e9" * 200
    before = items()
    reply = api.post("/api/listings/stays", stay_body(name=e * 201), token=provider.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "name", reply.body
    assert items() == before

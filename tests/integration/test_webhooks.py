"""Webhook routes on moto: registered with the secret shown once, listed without it, at most
five, deleted, and refused when they point anywhere private."""

from __future__ import annotations

import pytest

from chalicelib.services import webhooks as registry
from tests.factories import Api, sign_up_provider
from tests.integration.conftest import World

WEBHOOKS = "/api/accounts/provider-profile/webhooks"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "resolver", lambda host, port: ["93.184.216.34"])


def body(**overrides: object) -> dict:
    return {"url": "https://hooks.example.com/in", "events": ["booking.created", "booking.cancelled"], **overrides}


def test_registering_shows_the_secret_once_and_the_list_never(api: Api, world: World) -> None:
    token = world.provider.access
    created = api.post(WEBHOOKS, body(), token=token)
    assert created.status == 201, created.body
    assert created.body["secret"].startswith("whsec_") and created.body["events"] == [
        "booking.created",
        "booking.cancelled",
    ]
    listed = api.get(WEBHOOKS, token=token)
    assert listed.status == 200 and [w["id"] for w in listed.body["items"]] == [created.body["id"]]
    assert "secret" not in listed.body["items"][0] and created.body["secret"] not in str(listed.body)


def test_a_provider_has_at_most_five_and_a_deleted_one_frees_its_place(api: Api, world: World, items) -> None:
    token = world.provider.access
    ids = [api.post(WEBHOOKS, body(), token=token).body["id"] for _ in range(5)]
    before = items()
    refused = api.post(WEBHOOKS, body(), token=token)
    assert (refused.status, refused.code) == (409, "WEBHOOK_LIMIT_REACHED")
    assert len(items()) == len(before)
    assert api.delete(f"{WEBHOOKS}/{ids[0]}", token=token).status == 204
    assert api.delete(f"{WEBHOOKS}/{ids[0]}", token=token).status == 404
    assert api.post(WEBHOOKS, body(), token=token).status == 201
    assert len(api.get(WEBHOOKS, token=token).body["items"]) == 5


def test_the_list_is_paged_like_every_list(api: Api, world: World) -> None:
    token = world.provider.access
    made = {api.post(WEBHOOKS, body(), token=token).body["id"] for _ in range(3)}
    seen, cursor, pages = [], None, 0
    while True:
        reply = api.get(WEBHOOKS + "?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=token)
        assert reply.status == 200 and len(reply.body["items"]) <= 2, reply.body
        seen += [w["id"] for w in reply.body["items"]]
        cursor, pages = reply.body["next_cursor"], pages + 1
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and pages >= 2
    for bad in ("limit=0", "limit=101", "cursor=garbage"):
        reply = api.get(f"{WEBHOOKS}?{bad}", token=token)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), (bad, reply.body)
    first = api.get(WEBHOOKS + "?limit=1", token=token).body["next_cursor"]
    rival = sign_up_provider(api)
    assert api.get(f"{WEBHOOKS}?cursor={first}", token=rival.access).status == 400  # bound to its list


def test_another_providers_webhook_is_unknown(api: Api, world: World) -> None:
    mine = api.post(WEBHOOKS, body(), token=world.provider.access).body["id"]
    rival = sign_up_provider(api)
    assert api.get(WEBHOOKS, token=rival.access).body["items"] == []
    assert api.delete(f"{WEBHOOKS}/{mine}", token=rival.access).code == "NOT_FOUND"
    assert api.get(f"{WEBHOOKS}/{mine}/deliveries", token=rival.access).status == 404
    assert api.get(f"{WEBHOOKS}/{mine}/deliveries", token=world.provider.access).body == {
        "items": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "http://hooks.example.com/in"}, "url"),
        ({"url": "https://[fd00:ec2::254]/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["booking.created", "booking.created"]}, "events"),
        ({"events": ["booking.exploded"]}, "events.0"),
        ({"secret": "mine"}, "secret"),
    ],
)
def test_bad_registrations_are_400_and_write_nothing(
    api: Api, world: World, items, overrides: dict, field: str
) -> None:
    before = items()
    reply = api.post(WEBHOOKS, body(**overrides), token=world.provider.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR"), reply.body
    assert field in {e["field"] for e in reply.body["errors"]}
    assert len(items()) == len(before)


def test_a_name_resolving_to_a_private_address_is_refused(api: Api, world: World, monkeypatch) -> None:
    monkeypatch.setattr(registry, "resolver", lambda host, port: ["10.0.0.7"])
    reply = api.post(WEBHOOKS, body(), token=world.provider.access)
    assert reply.status == 400 and reply.body["errors"][0]["field"] == "url"

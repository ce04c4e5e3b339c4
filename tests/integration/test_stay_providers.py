"""The provider snapshot on stays: set at creation, refreshed by a profile PATCH, never rolled back."""

from __future__ import annotations

import boto3
import pytest

from chalicelib.models.accounts import Provider
from chalicelib.models.listings import Stay, StayProvider
from chalicelib.services import listings, stay_providers
from chalicelib.settings import get_settings
from tests.factories import Api, create_stay
from tests.integration.conftest import World, book


def stay_item(stay_id: str) -> Stay:
    return Stay.get(*Stay.keys(stay_id), consistent_read=True)


def test_a_new_stay_carries_its_providers_snapshot(api: Api, world: World) -> None:
    snapshot = stay_item(world.stay["id"]).provider
    assert snapshot is not None
    assert (snapshot.id, snapshot.business_name, snapshot.business_phone, snapshot.version) == (
        world.provider.provider_id,
        "Sea Breeze Resorts",
        "+8801812345678",
        0,
    )


def test_a_profile_patch_refreshes_every_stay_and_later_bookings_show_it(api: Api, world: World) -> None:
    before = book(api, world)
    second = create_stay(api, world.provider, name="Second")
    patch = {"business_name": "Sea Breeze Hotels", "business_phone": "+8801712345678"}
    assert api.patch("/api/accounts/provider-profile", patch, token=world.provider.access).status == 200
    for stay_id in (world.stay["id"], second["id"]):
        snapshot = stay_item(stay_id).provider
        assert snapshot is not None and snapshot.business_name == "Sea Breeze Hotels" and snapshot.version == 1
    after = book(api, world, start=20, end=21)
    assert after["provider"] == {"id": world.provider.provider_id, **patch}
    # A booking keeps the provider as it was when it was made.
    shown = api.get(f"/api/bookings/rooms/{before['id']}", token=world.guest.access).body
    assert shown["provider"]["business_name"] == "Sea Breeze Resorts"


def test_a_patch_of_other_fields_leaves_the_stays_alone(api: Api, world: World) -> None:
    version = stay_item(world.stay["id"]).version
    reply = api.patch("/api/accounts/provider-profile", {"business_address": "Elsewhere"}, token=world.provider.access)
    assert reply.status == 200
    assert stay_item(world.stay["id"]).version == version


def test_an_older_snapshot_never_replaces_a_newer_one(api: Api, world: World) -> None:
    api.patch("/api/accounts/provider-profile", {"business_name": "Newer"}, token=world.provider.access)
    api.patch("/api/accounts/provider-profile", {"business_name": "Newest"}, token=world.provider.access)
    stay = stay_item(world.stay["id"])
    # A slow refresh of the first PATCH lands last.
    late = StayProvider(
        id=world.provider.provider_id, business_name="Newer", business_phone="+8801812345678", version=1
    )
    stay_providers._refresh(stay, late)
    snapshot = stay_item(world.stay["id"]).provider
    assert snapshot is not None and (snapshot.business_name, snapshot.version) == ("Newest", 2)


def test_a_refresh_makes_a_stay_patch_that_read_before_it_read_again(api: Api, world: World) -> None:
    stale = stay_item(world.stay["id"])
    api.patch("/api/accounts/provider-profile", {"business_name": "Renamed"}, token=world.provider.access)
    stale.name = "Lost update"
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        stale.save()
    reply = api.patch(f"/api/listings/stays/{world.stay['id']}", {"name": "Kept"}, token=world.provider.access)
    assert reply.status == 200
    stay = stay_item(world.stay["id"])
    assert stay.name == "Kept" and stay.provider is not None and stay.provider.business_name == "Renamed"


def test_a_stay_created_while_the_profile_changes_is_built_again(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_get = Provider.get
    reads = []

    def get_then_rename(*args: object, **kwargs: object) -> Provider:
        provider = real_get(*args, **kwargs)  # type: ignore[arg-type]
        if not reads:  # the profile changes right after the first read
            api.patch("/api/accounts/provider-profile", {"business_name": "Renamed"}, token=world.provider.access)
        reads.append(provider.business_name)
        return provider

    monkeypatch.setattr(Provider, "get", get_then_rename)
    stay = create_stay(api, world.provider, name="Raced")
    assert reads == ["Sea Breeze Resorts", "Renamed"]
    snapshot = stay_item(stay["id"]).provider
    assert snapshot is not None and (snapshot.business_name, snapshot.version) == ("Renamed", 1)
    assert listings.stay_with_rooms(stay["id"])[0].provider is not None


def test_a_stay_from_before_the_snapshot_still_books_and_the_next_patch_fills_it(api: Api, world: World) -> None:
    table = boto3.resource("dynamodb").Table(get_settings().table_name)
    table.update_item(Key={"pk": f"STAY#{world.stay['id']}", "sk": "STAY"}, UpdateExpression="REMOVE provider")
    assert stay_item(world.stay["id"]).provider is None
    booking = book(api, world)
    assert booking["provider"]["business_name"] == "Sea Breeze Resorts"
    api.patch("/api/accounts/provider-profile", {"business_phone": "+8801712345678"}, token=world.provider.access)
    snapshot = stay_item(world.stay["id"]).provider
    assert snapshot is not None and snapshot.business_phone == "+8801712345678"

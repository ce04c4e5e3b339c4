"""python -m chalicelib.cli: create-table, create-admin and reindex."""

import boto3

from chalicelib.cli import main
from chalicelib.models.bookings import Booking
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, Api, sign_up
from tests.integration.conftest import World, book


def test_create_table_is_idempotent(capsys) -> None:
    assert main(["create-table"]) == 0
    assert "exists already" in capsys.readouterr().out


def test_create_admin_creates_an_admin_who_can_sign_in(api: Api, capsys) -> None:
    assert main(["create-admin", "--email", "Root@Example.com", "--password", PASSWORD]) == 0
    assert "created" in capsys.readouterr().out
    tokens = api.post("/api/auth/token", {"email": "root@example.com", "password": PASSWORD}).body
    me = api.get("/api/auth/me", token=tokens["access"]).body
    assert me["roles"] == ["guest", "admin"] and me["is_staff"] is True and me["phone"] is None


def test_create_admin_promotes_an_existing_account_keeping_its_password(api: Api, capsys) -> None:
    person = sign_up(api)
    assert main(["create-admin", "--email", person.email, "--password", "something else entirely"]) == 0
    assert "promoted" in capsys.readouterr().out
    tokens = api.post("/api/auth/token", {"email": person.email, "password": PASSWORD}).body
    assert "admin" in api.get("/api/auth/me", token=tokens["access"]).body["roles"]


def test_create_admin_refuses_a_weak_password_or_bad_email(capsys) -> None:
    assert main(["create-admin", "--email", "root@example.com", "--password", "short"]) == 2
    assert main(["create-admin", "--email", "not-an-email", "--password", PASSWORD]) == 2


def test_reindex_puts_older_bookings_in_their_lists_by_status(api: Api, world: World, capsys) -> None:
    """A booking as an older version wrote it (no status-list keys) is missing from the list by
    status until `reindex` saves it; a second run has nothing to do."""
    booking = book(api, world)
    table = boto3.resource("dynamodb").Table(get_settings().table_name)
    pk, sk = Booking.keys(booking["id"])
    table.update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="REMOVE gsi3pk, gsi3sk, gsi4pk, gsi4sk")
    path = "/api/bookings/rooms/my?status=PENDING"

    def listed() -> list[str]:
        return [item["id"] for item in api.get(path, token=world.guest.access).body["items"]]

    assert listed() == []
    assert main(["reindex"]) == 0
    assert "1 bookings reindexed" in capsys.readouterr().out
    assert listed() == [booking["id"]]
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "PENDING"
    assert main(["reindex"]) == 0
    assert "0 bookings reindexed" in capsys.readouterr().out

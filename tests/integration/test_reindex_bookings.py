"""python -m scripts.reindex_bookings: bookings written before their lists by status get them."""

import boto3

from chalicelib.models.bookings import Booking
from chalicelib.settings import get_settings
from scripts.reindex_bookings import main
from tests.factories import Api
from tests.integration.conftest import World, book


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
    assert main() == 0
    assert "1 bookings reindexed" in capsys.readouterr().out
    assert listed() == [booking["id"]]
    assert api.get(f"/api/bookings/rooms/{booking['id']}", token=world.guest.access).body["status"] == "PENDING"
    assert main() == 0
    assert "0 bookings reindexed" in capsys.readouterr().out

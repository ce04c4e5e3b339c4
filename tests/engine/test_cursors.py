"""On DynamoDB Local: a well-signed cursor whose key the list's index does not take (one an
older release signed for another index under the same scope) is a 400, not DynamoDB's
ValidationException as a 500. (moto fails inside itself on such a key, so this is here.)"""

from __future__ import annotations

import pytest

from chalicelib.domain import cursors
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Invalid
from chalicelib.services.bookings import provider_bookings
from chalicelib.settings import get_settings
from tests.engine.test_booking_races import hotel  # noqa: F401 - `hotel` is a fixture


def test_a_cursor_with_another_indexs_key_is_a_400(hotel: tuple[AccessClaims, str, str]) -> None:  # noqa: F811
    caller, _, _ = hotel
    owner = caller.provider_id or ""
    other_index = {"pk": {"S": "BOOKING#x"}, "sk": {"S": "BOOKING"}, "gsi2pk": {"S": "y"}, "gsi2sk": {"S": "z"}}
    cursor = cursors.encode(
        other_index, scope=f"provider-bookings:{owner}:by-status:PENDING", key=get_settings().signing_key
    )
    with pytest.raises(Invalid, match="another query"):
        provider_bookings(caller, owner, status="PENDING", limit=20, cursor=cursor)

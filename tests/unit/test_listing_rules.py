"""City keys, time zones, child ids and cursors."""

import pytest

from chalicelib.domain import cursors
from chalicelib.domain.ids import is_id, new_child_id, new_id, parent_of
from chalicelib.domain.listings import city_key, is_time_zone
from chalicelib.errors import Invalid


@pytest.mark.parametrize("spelling", ["Cox's Bazar", "cox's bazar", "  COX'S   BAZAR ", "Cox's\tBazar"])
def test_city_key_ignores_case_and_spacing(spelling: str) -> None:
    assert city_key(spelling) == "cox's bazar"


@pytest.mark.parametrize(("name", "real"), [("Asia/Dhaka", True), ("America/Los_Angeles", True), ("Mars/Base", False)])
def test_time_zones_are_iana_names(name: str, real: bool) -> None:
    assert is_time_zone(name) is real


def test_a_child_id_names_its_parent() -> None:
    parent = new_id()
    child = new_child_id(parent)
    assert parent_of(child) == parent
    assert not is_id(child)
    assert parent_of(parent) is None and parent_of("a.b") is None and parent_of(f"{parent}.x#y") is None


KEY = "cursor-key-" * 4


def test_a_cursor_resumes_only_its_own_query() -> None:
    token = cursors.encode({"pk": {"S": "STAY#1"}}, scope="my-stays:p1", key=KEY)
    assert cursors.decode(token, scope="my-stays:p1", key=KEY) == {"pk": {"S": "STAY#1"}}
    with pytest.raises(Invalid):
        cursors.decode(token, scope="my-stays:p2", key=KEY)


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: t.replace(".", "", 1), lambda t: "garbage"])
def test_a_tampered_cursor_is_invalid(mangle) -> None:
    token = cursors.encode({"pk": {"S": "x"}}, scope="s", key=KEY)
    with pytest.raises(Invalid):
        cursors.decode(mangle(token), scope="s", key=KEY)


def test_a_cursor_signed_with_another_key_is_invalid() -> None:
    token = cursors.encode({"pk": {"S": "x"}}, scope="s", key="another-key-" * 4)
    with pytest.raises(Invalid):
        cursors.decode(token, scope="s", key=KEY)

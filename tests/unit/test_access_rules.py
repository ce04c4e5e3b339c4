"""Who may do what: the pure authorization rules every guard and service asks."""

from __future__ import annotations

import pytest

from chalicelib.domain import access
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Forbidden

GUEST = AccessClaims(user_id="u1", roles=("guest",), provider_id=None)
PROVIDER = AccessClaims(user_id="u2", roles=("guest", "provider"), provider_id="p2")
ADMIN = AccessClaims(user_id="u3", roles=("guest", "admin"), provider_id=None)
# A token that names a provider id without the role is not a provider.
HALF = AccessClaims(user_id="u4", roles=("guest",), provider_id="p4")


def test_provider_id_of_a_provider_is_its_provider_id() -> None:
    assert access.provider_id_of(PROVIDER) == "p2"


@pytest.mark.parametrize("caller", [GUEST, ADMIN, HALF])
def test_anyone_else_is_not_a_provider(caller: AccessClaims) -> None:
    with pytest.raises(Forbidden) as refused:
        access.provider_id_of(caller)
    assert refused.value.code == "NOT_A_PROVIDER"


def test_only_admins_pass_the_admin_guard() -> None:
    access.require_admin(ADMIN)
    for caller in (GUEST, PROVIDER):
        with pytest.raises(Forbidden):
            access.require_admin(caller)


@pytest.mark.parametrize(
    ("caller", "sees"),
    [(GUEST, True), (PROVIDER, True), (ADMIN, True), (HALF, False)],
)
def test_a_booking_is_seen_by_its_guest_its_provider_and_admins(caller: AccessClaims, sees: bool) -> None:
    assert access.may_see_booking(caller, guest_id="u1", provider_id="p2") is sees


def test_a_provider_list_is_for_that_provider_and_admins() -> None:
    access.require_provider_list(PROVIDER, "p2")
    access.require_provider_list(ADMIN, "p2")
    for caller, provider_id in ((PROVIDER, "p9"), (GUEST, "p2")):
        with pytest.raises(Forbidden):
            access.require_provider_list(caller, provider_id)


def test_only_the_guest_cancels_and_only_the_provider_answers() -> None:
    access.require_booking_guest(GUEST, "u1")
    access.require_booking_provider(PROVIDER, "p2")
    with pytest.raises(Forbidden):
        access.require_booking_guest(PROVIDER, "u1")
    with pytest.raises(Forbidden):
        access.require_booking_provider(HALF, "p4")  # the id without the role
    with pytest.raises(Forbidden):
        access.require_booking_provider(ADMIN, "p2")


def test_ownership_is_the_same_provider() -> None:
    assert access.owns("p2", "p2")
    assert not access.owns("p2", "p3")


def test_a_provider_may_not_book_its_own_listing() -> None:
    access.require_not_own_listing(None, "p2")
    access.require_not_own_listing("p3", "p2")
    with pytest.raises(Forbidden) as refused:
        access.require_not_own_listing("p2", "p2")
    assert refused.value.code == "OWN_LISTING"

"""Who may do what to which object: the one place for authorization, as pure functions.

The route guards (`auth=` on an operation) ask `provider_id_of` and `require_admin`;
the services ask the object rules once they have read the object. Whatever a
caller may not see is reported as not found by the services, never as forbidden,
so that nobody learns it exists.
"""

from __future__ import annotations

from chalicelib.domain.accounts import ROLE_ADMIN, ROLE_PROVIDER
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Forbidden


def is_admin(caller: AccessClaims) -> bool:
    return ROLE_ADMIN in caller.roles


def provider_id_of(caller: AccessClaims) -> str:
    """The caller's provider id; 403 `NOT_A_PROVIDER` when the caller is none."""
    if ROLE_PROVIDER not in caller.roles or caller.provider_id is None:
        raise Forbidden("Only providers may do this; become a provider first.", code="NOT_A_PROVIDER")
    return caller.provider_id


def require_admin(caller: AccessClaims) -> None:
    if not is_admin(caller):
        raise Forbidden("Only admins may do this.")


def owns(provider_id: str, owner_id: str) -> bool:
    """Whether the provider `provider_id` owns a stay, room or booking of `owner_id`."""
    return provider_id == owner_id


def is_guest(caller: AccessClaims, guest_id: str) -> bool:
    return caller.user_id == guest_id


def is_provider(caller: AccessClaims, provider_id: str) -> bool:
    """The caller is that provider: the role and the id, as the token states them."""
    return ROLE_PROVIDER in caller.roles and caller.provider_id == provider_id


def may_see_booking(caller: AccessClaims, guest_id: str, provider_id: str) -> bool:
    """A booking is seen by its guest, its provider and admins."""
    return is_guest(caller, guest_id) or is_provider(caller, provider_id) or is_admin(caller)


def require_provider_list(caller: AccessClaims, provider_id: str) -> None:
    """A provider's bookings are listed for that provider and admins; others get 403."""
    if not (is_provider(caller, provider_id) or is_admin(caller)):
        raise Forbidden("Only that provider and admins may list its bookings.")


def require_not_own_listing(user_provider_id: str | None, stay_provider_id: str) -> None:
    """A provider may not book (nor so review) a stay of its own: 403 `OWN_LISTING`. Asked of
    the stored user, not the token, so that a token older than the provider profile counts too."""
    if user_provider_id is not None and owns(user_provider_id, stay_provider_id):
        raise Forbidden("A provider cannot book its own listing.", code="OWN_LISTING")


def require_booking_guest(caller: AccessClaims, guest_id: str) -> None:
    if not is_guest(caller, guest_id):
        raise Forbidden("Only the guest may cancel a booking.")


def require_booking_provider(caller: AccessClaims, provider_id: str) -> None:
    if not is_provider(caller, provider_id):
        raise Forbidden("Only the booking's provider may answer it.")

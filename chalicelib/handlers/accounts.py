"""Guest and provider profiles, the public provider summary and the admin KYC decision."""

from __future__ import annotations

from chalicelib.domain.tokens import AccessClaims
from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.accounts import (
    BecomeProviderRequest,
    BecomeProviderResponse,
    GuestProfileOut,
    GuestProfilePatch,
    KycRequest,
    ProviderProfileOut,
    ProviderProfilePatch,
    ProviderPublic,
)
from chalicelib.services import accounts

bp = ApiBlueprint(__name__)


@bp.operation("GET", "/api/accounts/guest-profile", auth="user", response=GuestProfileOut)
def get_guest_profile(caller: AccessClaims) -> GuestProfileOut:
    """The caller's guest profile."""
    return GuestProfileOut.model_validate(accounts.guest_profile(caller.user_id))


@bp.operation("PATCH", "/api/accounts/guest-profile", auth="user", body=GuestProfilePatch, response=GuestProfileOut)
def patch_guest_profile(caller: AccessClaims, body: GuestProfilePatch) -> GuestProfileOut:
    """Change the fields sent of the caller's guest profile."""
    return GuestProfileOut.model_validate(accounts.update_guest_profile(caller.user_id, body))


@bp.operation(
    "POST",
    "/api/accounts/become-provider",
    auth="user",
    body=BecomeProviderRequest,
    response=BecomeProviderResponse,
    status=201,
    problems={409: ("ALREADY_PROVIDER",)},
)
def become_provider(caller: AccessClaims, body: BecomeProviderRequest) -> BecomeProviderResponse:
    """Open a provider profile; the answer carries tokens with the provider role."""
    provider, tokens = accounts.become_provider(caller.user_id, body)
    return BecomeProviderResponse(provider_profile=ProviderProfileOut.model_validate(provider), **tokens.model_dump())


@bp.operation("GET", "/api/accounts/provider-profile", auth="provider", response=ProviderProfileOut)
def get_provider_profile(owner: str) -> ProviderProfileOut:
    """The caller's provider profile."""
    return ProviderProfileOut.model_validate(accounts.provider(owner))


@bp.operation(
    "PATCH", "/api/accounts/provider-profile", auth="provider", body=ProviderProfilePatch, response=ProviderProfileOut
)
def patch_provider_profile(owner: str, body: ProviderProfilePatch) -> ProviderProfileOut:
    """Change business, contact and payout fields; KYC status and stats are not the provider's to set."""
    return ProviderProfileOut.model_validate(accounts.update_provider_profile(owner, body))


@bp.operation("GET", "/api/providers/{provider_id}", response=ProviderPublic)
def public_provider(provider_id: str) -> ProviderPublic:
    """A provider's public summary."""
    return ProviderPublic.model_validate(accounts.provider(provider_id))


@bp.operation(
    "POST", "/api/admin/providers/{provider_id}/kyc", auth="admin", body=KycRequest, response=ProviderProfileOut
)
def set_kyc(caller: AccessClaims, provider_id: str, body: KycRequest) -> ProviderProfileOut:
    """Record an admin's KYC decision on a provider."""
    return ProviderProfileOut.model_validate(accounts.set_kyc(provider_id, body))

"""/api/auth: register, sign in, rotate, sign out, who am I."""

from __future__ import annotations

from chalicelib.domain.tokens import AccessClaims
from chalicelib.handlers.http import ApiBlueprint, source_ip
from chalicelib.schemas.accounts import RefreshRequest, RegisterRequest, TokenPair, TokenRequest, UserOut
from chalicelib.services import accounts, auth

bp = ApiBlueprint(__name__)


@bp.operation(
    "POST",
    "/api/auth/register",
    body=RegisterRequest,
    response=UserOut,
    status=201,
    problems={409: ("EMAIL_TAKEN", "PHONE_TAKEN")},
)
def register(body: RegisterRequest) -> UserOut:
    """Create an account (a guest); email and phone must be unused."""
    return UserOut.model_validate(accounts.register(body))


@bp.operation(
    "POST",
    "/api/auth/token",
    body=TokenRequest,
    response=TokenPair,
    problems={401: ("INVALID_CREDENTIALS",), 429: ("ACCOUNT_LOCKED", "RATE_LIMITED")},
)
def sign_in(body: TokenRequest) -> TokenPair:
    """Sign in with email and password; repeated failures from one address pause it for a while."""
    return auth.login(body.email, body.password, source_ip())


@bp.operation(
    "POST",
    "/api/auth/token/refresh",
    body=RefreshRequest,
    response=TokenPair,
    problems={401: ("TOKEN_EXPIRED", "TOKEN_INVALID")},
)
def refresh_tokens(body: RefreshRequest) -> TokenPair:
    """Trade a refresh token for a new pair; a refresh token works once."""
    return auth.refresh(body.refresh)


@bp.operation("POST", "/api/auth/logout", auth="user", body=RefreshRequest, status=204)
def logout(caller: AccessClaims, body: RefreshRequest) -> None:
    """Revoke the login of the given refresh token."""
    auth.logout(caller, body.refresh)


@bp.operation("GET", "/api/auth/me", auth="user", response=UserOut)
def get_me(caller: AccessClaims) -> UserOut:
    """The caller's account and roles."""
    return UserOut.model_validate(accounts.get_user(caller.user_id))

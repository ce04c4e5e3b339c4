"""Sign-in, token rotation, sign-out and the caller behind a bearer token."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import tokens
from chalicelib.domain.accounts import email_key
from chalicelib.domain.ids import new_id
from chalicelib.errors import NotAuthenticated, TooManyRequests
from chalicelib.models.accounts import EmailClaim, Login, User
from chalicelib.models.base import condition_failed
from chalicelib.schemas.accounts import TokenPair
from chalicelib.services.passwords import verify_password
from chalicelib.settings import get_settings


def _issue(user: User, login: Login, now: datetime) -> TokenPair:
    settings = get_settings()
    access_ttl = timedelta(seconds=settings.access_token_ttl_seconds)
    refresh_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)
    access = tokens.encode_access(
        tokens.AccessClaims(user_id=user.id, roles=tuple(user.roles), provider_id=user.provider_id),
        key=settings.signing_key,
        issuer=settings.jwt_issuer,
        now=now,
        ttl=access_ttl,
    )
    refresh = tokens.encode_refresh(
        tokens.RefreshClaims(user_id=user.id, login_id=login.login_id, token_id=login.token_id),
        key=settings.signing_key,
        issuer=settings.jwt_issuer,
        now=now,
        ttl=refresh_ttl,
    )
    return TokenPair(access=access, refresh=refresh, expires_in=settings.access_token_ttl_seconds)


def start_login(user: User) -> TokenPair:
    """A new login (Put `USER#id`/`LOGIN#lid`) and its first token pair."""
    now = clock.utcnow()
    login = Login(
        user_id=user.id,
        login_id=new_id(),
        token_id=new_id(),
        created_at=now,
        expires_at=now + timedelta(seconds=get_settings().refresh_token_ttl_seconds),
    )
    login.save(condition=Login.pk.does_not_exist())
    return _issue(user, login, now)


def _user_by_email(email: str) -> User | None:
    """GetItem `EMAIL#<email>`, then GetItem `USER#<id>`."""
    try:
        claim = EmailClaim.get(*EmailClaim.keys(email_key(email)))
        return User.get(*User.keys(claim.user_id))
    except DoesNotExist:
        return None


def _locked_for(user: User, now: datetime) -> int:
    """Seconds until a locked account may try again; 0 when it is not locked."""
    if user.locked_until is None or user.locked_until <= now:
        return 0
    return max(1, int((user.locked_until - now).total_seconds()))


def _record_failure(user: User, now: datetime) -> None:
    settings = get_settings()
    window = timedelta(seconds=settings.login_failure_window_seconds)
    if user.failed_since is None or now - user.failed_since > window:
        user.update(actions=[User.failed_logins.set(1), User.failed_since.set(now)])
    else:
        user.update(actions=[User.failed_logins.add(1)])
    if user.failed_logins >= settings.login_max_failures:
        user.update(
            actions=[
                User.locked_until.set(now + timedelta(seconds=settings.login_lockout_seconds)),
                User.failed_logins.set(0),
                User.failed_since.remove(),
            ]
        )


def login(email: str, password: str) -> TokenPair:
    """Check the password (argon2id) and start a login.

    A wrong password and an unknown email get the same answer after the same
    work. `LOGIN_MAX_FAILURES` failures within the window lock the account for
    `LOGIN_LOCKOUT_SECONDS` (429 `ACCOUNT_LOCKED`), whatever password comes next.
    """
    now = clock.utcnow()
    user = _user_by_email(email)
    if user is not None and (wait := _locked_for(user, now)):
        raise TooManyRequests("Too many failed sign-ins; try again later.", code="ACCOUNT_LOCKED", retry_after=wait)
    matches, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not matches or not user.is_active:
        if user is not None:
            _record_failure(user, now)
        raise NotAuthenticated("The email or password is wrong.", code="INVALID_CREDENTIALS")
    if user.failed_logins or user.locked_until or new_hash:
        actions: list[Action] = [User.failed_logins.set(0), User.failed_since.remove(), User.locked_until.remove()]
        if new_hash:
            actions.append(User.password_hash.set(new_hash))
        user.update(actions=actions)
    return start_login(user)


def _revoke(user_id: str, login_id: str) -> None:
    try:
        Login(user_id=user_id, login_id=login_id).update(actions=[Login.revoked.set(True)], condition=Login.pk.exists())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def refresh(refresh_token: str) -> TokenPair:
    """Rotate: swap the login's current token id under a condition on the presented one.

    UpdateItem `USER#id`/`LOGIN#lid` if `token_id = <presented> AND revoked = false`.
    When that fails, the token was already used (or the login is gone or revoked):
    whoever holds it may have stolen it, so the whole login is revoked.
    """
    settings = get_settings()
    claims = tokens.decode_refresh(refresh_token, key=settings.signing_key, issuer=settings.jwt_issuer)
    now = clock.utcnow()
    login = Login(user_id=claims.user_id, login_id=claims.login_id)
    try:
        login.update(
            actions=[
                Login.token_id.set(new_id()),
                Login.expires_at.set(now + timedelta(seconds=settings.refresh_token_ttl_seconds)),
            ],
            condition=(Login.token_id == claims.token_id) & (Login.revoked == False),  # noqa: E712
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        _revoke(claims.user_id, claims.login_id)
        raise NotAuthenticated(
            "This refresh token was already used or revoked; sign in again.", code="TOKEN_INVALID"
        ) from exc
    try:
        user = User.get(*User.keys(claims.user_id))
    except DoesNotExist:
        user = None
    if user is None or not user.is_active:
        _revoke(claims.user_id, claims.login_id)
        raise NotAuthenticated("The account is not active.", code="TOKEN_INVALID")
    return _issue(user, login, now)


def logout(caller: tokens.AccessClaims, refresh_token: str) -> None:
    """Revoke the login that `refresh_token` belongs to; it must be the caller's."""
    settings = get_settings()
    claims = tokens.decode_refresh(refresh_token, key=settings.signing_key, issuer=settings.jwt_issuer)
    if claims.user_id != caller.user_id:
        raise NotAuthenticated("The refresh token is not the caller's.", code="TOKEN_INVALID")
    _revoke(claims.user_id, claims.login_id)


def caller_from_header(authorization: str | None) -> tokens.AccessClaims:
    """The verified claims of `Authorization: Bearer <access token>`."""
    if not authorization:
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("This call needs `Authorization: Bearer <access token>`.")
    settings = get_settings()
    claims = tokens.decode_access(token.strip(), key=settings.signing_key, issuer=settings.jwt_issuer)
    _check_active(claims.user_id)
    return claims


def _check_active(user_id: str) -> None:
    """A signed token outlives its user: GetItem `USER#<id>` (eventually consistent, only
    `is_active`: 0.5 read units) on every authenticated request, 401 `TOKEN_INVALID` for a
    user deleted or made inactive since the token was issued."""
    try:
        user = User.get(*User.keys(user_id), attributes_to_get=["pk", "sk", "kind", "is_active"])
    except DoesNotExist:
        user = None
    if user is None or not user.is_active:
        raise NotAuthenticated("The account of this token no longer exists or is not active.", code="TOKEN_INVALID")

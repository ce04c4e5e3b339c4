"""Sign-in, token rotation, sign-out and the caller behind a bearer token."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib import clock
from chalicelib.domain import tokens
from chalicelib.domain.accounts import email_key
from chalicelib.domain.ids import new_id
from chalicelib.errors import NotAuthenticated
from chalicelib.models.accounts import EmailClaim, Login, User
from chalicelib.models.base import TableItem, condition_failed
from chalicelib.schemas.accounts import TokenPair
from chalicelib.services import throttle
from chalicelib.services.passwords import verify_password
from chalicelib.settings import get_settings

# Read in place of a user for an email without an account: the same reads either way.
_DECOY_USER = "no-such-user"


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


def new_login(user_id: str, now: datetime) -> Login:
    """A login not saved yet (`USER#id`/`LOGIN#lid`): saved alone by `start_login`, or in the
    transaction of the change whose answer carries its first tokens (`first_tokens`)."""
    return Login(
        user_id=user_id,
        login_id=new_id(),
        token_id=new_id(),
        created_at=now,
        expires_at=now + timedelta(seconds=get_settings().refresh_token_ttl_seconds),
    )


def first_tokens(user: User, login: Login) -> TokenPair:
    return _issue(user, login, login.created_at)


def start_login(user: User) -> TokenPair:
    """A new login and its first token pair."""
    login = new_login(user.id, clock.utcnow())
    login.save(condition=Login.pk.does_not_exist())
    return first_tokens(user, login)


def _user(claim: EmailClaim | None) -> User | None:
    try:
        return User.get(*User.keys(claim.user_id if claim else _DECOY_USER))
    except DoesNotExist:
        return None


def login(email: str, password: str, address: str) -> TokenPair:
    """Check the password (argon2id) and start a login; `address` is the client's source IP.

    One strongly consistent BatchGetItem reads the email claim and the counts of (email,
    address) and of the address. Then the attempt takes its place in the pair's count and
    the address's (`chalicelib.services.throttle`) while GetItem reads `USER#<id>` (of a
    decoy id for an unknown email, so that both take the same reads); an error before the
    password is checked gives the places back. A wrong password and an unknown email get
    the same answer after the same work and are counted alike.
    """
    now = clock.utcnow()
    key = email_key(email)
    # Strongly consistent: a lock written a moment ago by another sign-in must be seen.
    found = list(TableItem.batch_get([EmailClaim.keys(key), *throttle.keys(key, address)], consistent_read=True))
    claim = next((item for item in found if isinstance(item, EmailClaim)), None)
    reading = throttle.pool().submit(_user, claim)
    places = throttle.admit(found, key, address, now)
    try:
        user = reading.result()
        matches, new_hash = verify_password(password, user.password_hash if user else None)
    except Exception:
        throttle.give_back(places)
        raise
    if user is None or not matches or not user.is_active:
        throttle.failed(places, now)
        raise NotAuthenticated("The email or password is wrong.", code="INVALID_CREDENTIALS")
    with throttle.succeeding(places):
        if new_hash:
            user.update(actions=[User.password_hash.set(new_hash)])
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

"""JWT access and refresh tokens: claims in, claims out, nothing stored.

HS256 is pinned on both sides, so a token claiming `alg: none` or another
algorithm is refused. Every token carries `exp`, `iat`, `sub`, `jti` and
`token_use`, and each decoder accepts only its own kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from chalicelib.domain.ids import new_id
from chalicelib.errors import NotAuthenticated

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
_REQUIRED = ["exp", "iat", "sub", "jti", "iss", "token_use"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    roles: tuple[str, ...]
    provider_id: str | None


@dataclass(frozen=True)
class RefreshClaims:
    user_id: str
    login_id: str
    token_id: str


def _encode(claims: dict[str, Any], *, kind: str, key: str, issuer: str, now: datetime, ttl: timedelta) -> str:
    payload = {
        **claims,
        "iss": issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "token_use": kind,
    }
    payload.setdefault("jti", new_id())
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def encode_access(claims: AccessClaims, *, key: str, issuer: str, now: datetime, ttl: timedelta) -> str:
    body: dict[str, Any] = {"sub": claims.user_id, "roles": list(claims.roles)}
    if claims.provider_id:
        body["pid"] = claims.provider_id
    return _encode(body, kind=ACCESS, key=key, issuer=issuer, now=now, ttl=ttl)


def encode_refresh(claims: RefreshClaims, *, key: str, issuer: str, now: datetime, ttl: timedelta) -> str:
    body = {"sub": claims.user_id, "sid": claims.login_id, "jti": claims.token_id}
    return _encode(body, kind=REFRESH, key=key, issuer=issuer, now=now, ttl=ttl)


def _decode(token: str, *, kind: str, key: str, issuer: str) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": _REQUIRED},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("The token has expired.", code="TOKEN_EXPIRED") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("The token is not valid.", code="TOKEN_INVALID") from exc
    if payload.get("token_use") != kind:
        raise NotAuthenticated(f"This takes the {kind} token, not another.", code="TOKEN_INVALID")
    return payload


def decode_access(token: str, *, key: str, issuer: str) -> AccessClaims:
    payload = _decode(token, kind=ACCESS, key=key, issuer=issuer)
    roles = payload.get("roles")
    provider_id = payload.get("pid")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise NotAuthenticated("The token is not valid.", code="TOKEN_INVALID")
    if provider_id is not None and not isinstance(provider_id, str):
        raise NotAuthenticated("The token is not valid.", code="TOKEN_INVALID")
    return AccessClaims(user_id=str(payload["sub"]), roles=tuple(roles), provider_id=provider_id)


def decode_refresh(token: str, *, key: str, issuer: str) -> RefreshClaims:
    payload = _decode(token, kind=REFRESH, key=key, issuer=issuer)
    login_id = payload.get("sid")
    if not isinstance(login_id, str):
        raise NotAuthenticated("The token is not valid.", code="TOKEN_INVALID")
    return RefreshClaims(user_id=str(payload["sub"]), login_id=login_id, token_id=str(payload["jti"]))

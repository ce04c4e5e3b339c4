"""Token claims: what goes in comes out, and each decoder takes only its own kind."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.domain import tokens
from chalicelib.errors import NotAuthenticated

KEY = "k" * 48
NOW = datetime.now(UTC)
TTL = timedelta(minutes=15)


def access(**kw) -> str:
    claims = tokens.AccessClaims(user_id="u1", roles=("guest", "provider"), provider_id="p1")
    return tokens.encode_access(claims, key=KEY, issuer="stays-api", now=kw.get("now", NOW), ttl=TTL)


def refresh() -> str:
    claims = tokens.RefreshClaims(user_id="u1", login_id="l1", token_id="t1")
    return tokens.encode_refresh(claims, key=KEY, issuer="stays-api", now=NOW, ttl=TTL)


def test_access_claims_round_trip() -> None:
    claims = tokens.decode_access(access(), key=KEY, issuer="stays-api")
    assert claims == tokens.AccessClaims(user_id="u1", roles=("guest", "provider"), provider_id="p1")


def test_access_token_carries_the_required_registered_claims() -> None:
    payload = jwt.decode(access(), KEY, algorithms=["HS256"], issuer="stays-api")
    assert {"exp", "iat", "sub", "jti", "iss", "token_use"} <= set(payload)
    assert payload["exp"] - payload["iat"] == 900
    assert payload["token_use"] == "access"


def test_each_token_gets_its_own_jti() -> None:
    first = jwt.decode(access(), options={"verify_signature": False})["jti"]
    second = jwt.decode(access(), options={"verify_signature": False})["jti"]
    assert first != second


def test_refresh_claims_round_trip() -> None:
    claims = tokens.decode_refresh(refresh(), key=KEY, issuer="stays-api")
    assert claims == tokens.RefreshClaims(user_id="u1", login_id="l1", token_id="t1")


def test_kinds_are_not_interchangeable() -> None:
    with pytest.raises(NotAuthenticated) as as_access:
        tokens.decode_access(refresh(), key=KEY, issuer="stays-api")
    with pytest.raises(NotAuthenticated) as as_refresh:
        tokens.decode_refresh(access(), key=KEY, issuer="stays-api")
    assert as_access.value.code == as_refresh.value.code == "TOKEN_INVALID"


def test_expired_is_told_apart_from_invalid() -> None:
    with pytest.raises(NotAuthenticated) as expired:
        tokens.decode_access(access(now=NOW - timedelta(hours=1)), key=KEY, issuer="stays-api")
    assert expired.value.code == "TOKEN_EXPIRED"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: jwt.encode(jwt.decode(t, options={"verify_signature": False}), None, algorithm="none"),
        lambda t: jwt.encode(jwt.decode(t, options={"verify_signature": False}), "o" * 48, algorithm="HS256"),
    ],
    ids=["bad-signature", "alg-none", "other-key"],
)
def test_tampering_is_refused(mutate) -> None:
    with pytest.raises(NotAuthenticated) as refused:
        tokens.decode_access(mutate(access()), key=KEY, issuer="stays-api")
    assert refused.value.code == "TOKEN_INVALID"


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti", "iss", "token_use"])
def test_every_required_claim_is_required(missing: str) -> None:
    payload = jwt.decode(access(), KEY, algorithms=["HS256"], issuer="stays-api")
    del payload[missing]
    with pytest.raises(NotAuthenticated):
        tokens.decode_access(jwt.encode(payload, KEY, algorithm="HS256"), key=KEY, issuer="stays-api")


def test_another_issuer_is_refused() -> None:
    with pytest.raises(NotAuthenticated):
        tokens.decode_access(access(), key=KEY, issuer="someone-else")

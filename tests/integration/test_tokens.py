"""Sign-in, rotation with reuse detection, sign-out and token checks at the edge (throttling is in
test_sign_in_throttle.py)."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.settings import get_settings
from tests.factories import PASSWORD, Api, sign_up

SECRET = get_settings().signing_key


def forge(claims: dict, *, key: str = SECRET, algorithm: str = "HS256") -> str:
    now = datetime.now(UTC)
    base = {
        "sub": "someone",
        "iss": "stays-api",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=2)).timestamp()),  # outlives a slow suite
        "jti": "j" * 22,
        "token_use": "access",
        "roles": ["guest", "admin"],
    }
    return jwt.encode({**base, **claims}, key, algorithm=algorithm)


def test_sign_in_returns_a_bearer_pair(api: Api) -> None:
    person = sign_up(api)
    reply = api.post("/api/auth/token", {"email": person.email.upper(), "password": PASSWORD})
    assert reply.status == 200
    assert reply.body["token_type"] == "Bearer"
    assert reply.body["expires_in"] == 900
    claims = jwt.decode(reply.body["access"], SECRET, algorithms=["HS256"], issuer="stays-api")
    assert claims["sub"] == person.id and claims["roles"] == ["guest"] and claims["token_use"] == "access"
    assert claims["exp"] - claims["iat"] == 900


def test_refresh_rotates_and_a_reused_token_revokes_the_login(api: Api) -> None:
    person = sign_up(api)
    first = api.post("/api/auth/token/refresh", {"refresh": person.refresh})
    assert first.status == 200
    assert first.body["refresh"] != person.refresh and first.body["access"]
    reused = api.post("/api/auth/token/refresh", {"refresh": person.refresh})
    assert (reused.status, reused.code) == (401, "TOKEN_INVALID")
    # The whole login is gone: even the newest refresh token no longer works.
    assert api.post("/api/auth/token/refresh", {"refresh": first.body["refresh"]}).status == 401


def test_other_logins_survive_a_revoked_one(api: Api) -> None:
    person = sign_up(api)
    other = api.post("/api/auth/token", {"email": person.email, "password": PASSWORD}).body["refresh"]
    api.post("/api/auth/token/refresh", {"refresh": person.refresh})
    api.post("/api/auth/token/refresh", {"refresh": person.refresh})
    assert api.post("/api/auth/token/refresh", {"refresh": other}).status == 200


def test_logout_revokes_the_login(api: Api) -> None:
    person = sign_up(api)
    assert api.post("/api/auth/logout", {"refresh": person.refresh}, token=person.access).status == 204
    assert api.post("/api/auth/token/refresh", {"refresh": person.refresh}).status == 401


def test_logout_with_someone_elses_refresh_token_is_refused(api: Api) -> None:
    me, other = sign_up(api), sign_up(api)
    reply = api.post("/api/auth/logout", {"refresh": other.refresh}, token=me.access)
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID")
    assert api.post("/api/auth/token/refresh", {"refresh": other.refresh}).status == 200


def test_me_shows_the_account_and_roles(api: Api) -> None:
    person = sign_up(api)
    reply = api.get("/api/auth/me", token=person.access)
    assert reply.status == 200
    assert reply.body["id"] == person.id and reply.body["roles"] == ["guest"]


def test_no_token_is_401_not_authenticated(api: Api) -> None:
    reply = api.get("/api/auth/me")
    assert (reply.status, reply.code) == (401, "NOT_AUTHENTICATED")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer    ", "token abc"])
def test_malformed_authorization_is_401(api: Api, header: str) -> None:
    reply = api.get("/api/auth/me", headers={"Authorization": header})
    assert (reply.status, reply.code) == (401, "NOT_AUTHENTICATED")


def test_refresh_token_is_refused_as_access_token(api: Api) -> None:
    person = sign_up(api)
    reply = api.get("/api/auth/me", token=person.refresh)
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID")


def test_access_token_is_refused_as_refresh_token(api: Api) -> None:
    person = sign_up(api)
    reply = api.post("/api/auth/token/refresh", {"refresh": person.access})
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID")


def test_expired_access_token_is_401_token_expired(api: Api) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = forge({"iat": int(past.timestamp()), "exp": int((past + timedelta(minutes=15)).timestamp())})
    reply = api.get("/api/auth/me", token=token)
    assert (reply.status, reply.code) == (401, "TOKEN_EXPIRED")


@pytest.mark.parametrize(
    "token",
    [
        forge({}, key="another-key-another-key-another-key-!!"),
        forge({}, algorithm="HS512"),
        jwt.encode({"sub": "x", "token_use": "access", "roles": ["admin"]}, None, algorithm="none"),
        forge({"iss": "someone-else"}),
        forge({"jti": None}),
        forge({"token_use": None}),
        forge({"roles": "admin"}),
        "not.a.jwt",
    ],
    ids=["other-key", "other-alg", "alg-none", "other-issuer", "no-jti", "no-kind", "roles-not-list", "garbage"],
)
def test_forged_tokens_are_401_token_invalid(api: Api, token: str) -> None:
    reply = api.post("/api/admin/providers/" + "p" * 22 + "/kyc", {"kyc_status": "VERIFIED"}, token=token)
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID")


def test_tampered_claims_break_the_signature(api: Api) -> None:
    person = sign_up(api)
    header, _payload, signature = person.access.split(".")
    claims = jwt.decode(person.access, options={"verify_signature": False})
    claims["roles"] = ["guest", "admin"]
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    reply = api.get("/api/auth/me", token=f"{header}.{forged_payload}.{signature}")
    assert (reply.status, reply.code) == (401, "TOKEN_INVALID")


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "x", "extra": 1}, {"refresh": 5}])
def test_bad_refresh_bodies_are_400(api: Api, body: dict) -> None:
    assert api.post("/api/auth/token/refresh", body).status == 400


def test_token_body_is_strict(api: Api) -> None:
    reply = api.post("/api/auth/token", {"email": "a@example.com", "password": "x", "remember": True})
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")

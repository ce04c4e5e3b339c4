"""Sign-in, lockout, rotation with reuse detection, sign-out and token checks at the edge."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib import clock
from chalicelib.domain.accounts import email_key
from chalicelib.services import throttle
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, Api, sign_up
from tests.integration.conftest import table_items

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


def test_wrong_password_and_unknown_email_get_the_same_answer(api: Api) -> None:
    person = sign_up(api)
    wrong = api.post("/api/auth/token", {"email": person.email, "password": "not the password"})
    unknown = api.post("/api/auth/token", {"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert wrong.code == "INVALID_CREDENTIALS"


STRANGER, OWNER = "203.0.113.7", "198.51.100.20"


def _sign_in(api: Api, address: str, email: str, password: str):
    return api.call_from(address, "POST", "/api/auth/token", {"email": email, "password": password})


def test_repeated_failures_pause_that_email_from_that_address_until_the_lock_ends(api: Api, frozen_clock) -> None:
    person = sign_up(api)
    for _ in range(5):
        assert _sign_in(api, STRANGER, person.email, "nope nope").status == 401
    locked = _sign_in(api, STRANGER, person.email, PASSWORD)
    assert (locked.status, locked.body["code"]) == (429, "ACCOUNT_LOCKED")
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    frozen_clock.advance(seconds=901)
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 200


def test_a_strangers_failures_do_not_lock_the_owner_out(api: Api) -> None:
    person = sign_up(api)
    for _ in range(8):
        assert _sign_in(api, STRANGER, person.email, "nope nope").status in (401, 429)
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 429
    assert _sign_in(api, OWNER, person.email, PASSWORD).status == 200


def test_an_unknown_email_is_counted_and_answered_like_a_known_one(api: Api, items) -> None:
    person = sign_up(api)
    replies = {}
    for email in (person.email, "nobody-here@example.com"):
        replies[email] = [_sign_in(api, STRANGER, email, "nope nope") for _ in range(6)]
    known, unknown = replies.values()
    assert [(r.status, r.body["code"]) for r in known] == [(r.status, r.body["code"]) for r in unknown]
    assert [r.status for r in known] == [401] * 5 + [429]
    assert {k: v for k, v in known[-1].body.items() if k != "detail"} == {
        k: v for k, v in unknown[-1].body.items() if k != "detail"
    }
    stored = str(items())
    assert "nobody-here" not in stored, "an email without an account is not kept in the table"


def test_one_address_failing_across_many_emails_is_rate_limited(api: Api, monkeypatch) -> None:
    monkeypatch.setenv("LOGIN_ADDRESS_MAX_FAILURES", "6")
    get_settings.cache_clear()
    person = sign_up(api)
    for n in range(6):
        assert _sign_in(api, STRANGER, f"guess{n}@example.com", "nope nope").status == 401
    limited = _sign_in(api, STRANGER, person.email, PASSWORD)
    assert (limited.status, limited.body["code"]) == (429, "RATE_LIMITED") and int(limited.headers["Retry-After"]) > 0
    assert _sign_in(api, OWNER, person.email, PASSWORD).status == 200
    get_settings.cache_clear()


def test_failures_spread_beyond_the_window_do_not_lock(api: Api, frozen_clock) -> None:
    person = sign_up(api)
    for _ in range(4):
        _sign_in(api, STRANGER, person.email, "nope nope")
    frozen_clock.advance(seconds=901)
    for _ in range(4):
        assert _sign_in(api, STRANGER, person.email, "nope nope").status == 401
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 200


def test_a_success_clears_earlier_failures(api: Api) -> None:
    person = sign_up(api)
    for _ in range(4):
        _sign_in(api, STRANGER, person.email, "nope nope")
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 200
    for _ in range(4):
        assert _sign_in(api, STRANGER, person.email, "nope nope").status == 401


def test_the_address_is_the_connections_never_a_header(api: Api) -> None:
    person = sign_up(api)
    for n in range(5):
        spoofed = {"X-Forwarded-For": f"10.0.0.{n}", "X-Real-Ip": f"10.0.1.{n}"}
        api.post("/api/auth/token", {"email": person.email, "password": "nope nope"}, headers=spoofed)
    locked = api.post(
        "/api/auth/token", {"email": person.email, "password": PASSWORD}, headers={"X-Forwarded-For": "10.9.9.9"}
    )
    assert (locked.status, locked.code) == (429, "ACCOUNT_LOCKED")


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


def test_an_unknown_email_costs_the_same_reads_and_hashing_as_a_known_one(api: Api, monkeypatch) -> None:
    from chalicelib.models.base import TableItem
    from chalicelib.services import auth, passwords

    person = sign_up(api)
    work: list[str] = []
    hasher = passwords._hasher()
    monkeypatch.setattr(passwords, "_hasher", lambda: _Counting(hasher, work))
    events = TableItem._get_connection().connection.client.meta.events
    events.register("before-call.dynamodb", lambda model, **_: work.append(model.name), unique_id="count-calls")
    try:
        seen = []
        for email, address in ((person.email, "192.0.2.1"), ("nobody-here@example.com", "192.0.2.2")):
            work.clear()
            with pytest.raises(Exception):  # noqa: B017 - both are the same 401
                auth.login(email, "nope nope", address)
            seen.append(list(work))
    finally:
        events.unregister("before-call.dynamodb", unique_id="count-calls")
    known, unknown = seen
    # The same calls (some at once, in any order), and the hash after every read.
    assert sorted(known) == sorted(unknown) and known[-1] == unknown[-1] == "argon2", (known, unknown)


class _Counting:
    def __init__(self, hasher, work: list[str]) -> None:
        self._hasher, self._work = hasher, work

    def verify(self, password: str, hash: str) -> bool:
        self._work.append("argon2")
        return self._hasher.verify(password, hash)

    def verify_and_update(self, password: str, hash: str):
        self._work.append("argon2")
        return self._hasher.verify_and_update(password, hash)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)


def test_a_failure_that_filled_a_window_a_good_password_cleared_locks_nothing(api: Api, monkeypatch) -> None:
    """A guess that took the window's last place fails after the owner's good password (from
    the same address) cleared the window: no lock."""
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "1")
    get_settings.cache_clear()
    person = sign_up(api)
    now = clock.utcnow()
    guess = throttle.admit([], email_key(person.email), STRANGER, now)  # the last place: 1 of 1
    with throttle.succeeding(guess):  # the owner's sign-in, done meanwhile
        pass
    throttle.failed(guess, now)
    key = throttle.keys(email_key(person.email), STRANGER)[0]
    (count,) = [i for i in table_items() if (i["pk"], i["sk"]) == key]
    assert (count["failures"], "locked_until" in count) == (0, False)
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 200
    get_settings.cache_clear()


def _pair_count(email: str, address: str) -> int:
    key = throttle.keys(email_key(email), address)[0]
    return sum(int(i.get("failures", 0)) for i in table_items() if (i["pk"], i["sk"]) == key)


def test_an_error_before_the_password_is_checked_gives_the_places_back(api: Api, monkeypatch) -> None:
    """The user read fails (a 503): the attempt was no guess, so its places do not count, and
    with a limit of one the owner's next sign-in goes through."""
    from chalicelib.errors import ServiceUnavailable
    from chalicelib.services import auth

    monkeypatch.setenv("LOGIN_MAX_FAILURES", "1")
    get_settings.cache_clear()
    person = sign_up(api)
    real_user = auth._user

    def unreadable(claim):
        monkeypatch.setattr(auth, "_user", real_user)
        raise ServiceUnavailable("The database is busy.", retry_after=1)

    monkeypatch.setattr(auth, "_user", unreadable)
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 503
    assert _pair_count(person.email, STRANGER) == 0
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 200
    get_settings.cache_clear()


def test_a_pair_refusal_takes_no_place_of_the_address(api: Api, monkeypatch) -> None:
    """Guesses the pair refuses (its window full) never try for the address's places, so that
    a burst of them cannot crowd out, even for a moment, a sign-in of another account."""
    person = sign_up(api)
    real_take, tried = throttle._take, []

    def taking(scope, seen, now):
        tried.append(scope.code)
        return real_take(scope, seen, now)

    monkeypatch.setattr(throttle, "_take", taking)
    replies = [_sign_in(api, STRANGER, person.email, "nope nope").status for _ in range(8)]
    assert replies == [401] * 5 + [429] * 3
    assert tried.count("ACCOUNT_LOCKED") == 8 and tried.count("RATE_LIMITED") == 5


def test_an_error_taking_the_addresss_place_gives_the_pairs_back(api: Api, monkeypatch) -> None:
    from chalicelib.errors import ServiceUnavailable

    person = sign_up(api)
    real_take = throttle._take

    def address_fails(scope, seen, now):
        if scope.code == "RATE_LIMITED":
            raise ServiceUnavailable("The database is busy.", retry_after=1)
        return real_take(scope, seen, now)

    monkeypatch.setattr(throttle, "_take", address_fails)
    assert _sign_in(api, STRANGER, person.email, PASSWORD).status == 503
    assert _pair_count(person.email, STRANGER) == 0

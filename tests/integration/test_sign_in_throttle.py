"""Sign-in throttling: failures counted per email and address pair and per address, locks,
resets on success, and the same answer and work for an unknown email as for a known one."""

import pytest

from chalicelib import clock
from chalicelib.domain.accounts import email_key
from chalicelib.services import throttle
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, Api, sign_up
from tests.integration.conftest import table_items


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

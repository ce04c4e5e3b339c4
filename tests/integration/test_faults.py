"""Faults injected at the DynamoDB client (a botocore `before-call` hook) on every write path.

Throttling, a lost transaction race, a timeout and an internal error each reach the
client as a problem document (503 with Retry-After: retrying helps), and the table
holds the whole change or none of it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

from chalicelib.models.base import TableItem
from chalicelib.settings import get_settings
from tests.factories import Api, provider_body, registration, sign_up
from tests.integration.conftest import Clock, World
from tests.integration.write_paths import ROUTES, write_paths

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


class _Status:
    def __init__(self, code: int) -> None:
        self.status_code, self.headers, self.content, self.text = code, {}, b"", ""


def throttled(**_: Any) -> tuple[_Status, dict]:
    return _Status(400), {"Error": {"Code": "ThrottlingException", "Message": "injected"}}


def lost_race(model: Any, **_: Any) -> tuple[_Status, dict]:
    """A transaction cancelled by a concurrent one; a single write refused for a transaction in flight."""
    if model.name == "TransactWriteItems":
        return _Status(400), {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": [{"Code": "TransactionConflict", "Message": "injected"}],
        }
    return _Status(400), {"Error": {"Code": "TransactionConflictException", "Message": "injected"}}


def internal_error(**_: Any) -> tuple[_Status, dict]:
    return _Status(500), {"Error": {"Code": "InternalServerError", "Message": "injected"}}


def timed_out(**_: Any) -> None:
    raise ReadTimeoutError(endpoint_url="https://dynamodb.injected")


# The test shortens the request deadline to this; a database this slow lets it pass.
DEADLINE = 1.0


def too_slow(**_: Any) -> None:
    time.sleep(DEADLINE + 0.05)  # then botocore's before-send finds the request out of time


FAULTS = {
    "throttled": throttled,
    "lost_race": lost_race,
    "internal_error": internal_error,
    "timed_out": timed_out,
    "past_the_deadline": too_slow,
}


@dataclass
class Faults:
    """Fails every write (or the operations named) while armed; counts what it failed."""

    fault: Callable[..., Any] | None = None
    operations: tuple[str, ...] = WRITES
    after: int = 0
    failed: list[str] = field(default_factory=list)
    _seen: int = 0

    def __call__(self, model: Any, **kwargs: Any) -> Any:
        if self.fault is None or model.name not in self.operations:
            return None
        self._seen += 1
        if self._seen <= self.after:
            return None
        self.failed.append(model.name)
        return self.fault(model=model, **kwargs)

    def arm(self, fault: Callable[..., Any], operations: tuple[str, ...] = WRITES, after: int = 0) -> None:
        self.fault, self.operations, self.after, self._seen = fault, operations, after, 0


@pytest.fixture
def faults() -> Iterator[Faults]:
    injector = Faults()
    events = TableItem._get_connection().connection.client.meta.events
    events.register_first("before-call.dynamodb", injector, unique_id="fault-injector")
    yield injector
    events.unregister("before-call.dynamodb", unique_id="fault-injector")


@contextmanager
def failing_transactions(
    matches: Callable[[list[dict]], bool], fault: Callable[..., Any] = internal_error
) -> Iterator[None]:
    """While open, each TransactWriteItems whose operations (`{"Put": ...}`, `{"Delete": ...}`)
    `matches` meets `fault` (an internal error unless said); every other request goes through."""

    def fail(model: Any, params: dict[str, Any], **kwargs: Any) -> Any:
        if model.name == "TransactWriteItems" and matches(json.loads(params["body"])["TransactItems"]):
            return fault(model=model, **kwargs)  # before-call sees the serialized request
        return None

    events = TableItem._get_connection().connection.client.meta.events
    events.register_first("before-call.dynamodb", fail, unique_id="failing-transactions")
    try:
        yield
    finally:
        events.unregister("before-call.dynamodb", unique_id="failing-transactions")


def snapshot() -> list[dict]:
    table = boto3.resource("dynamodb").Table(get_settings().table_name)
    return sorted(table.scan(ConsistentRead=True)["Items"], key=lambda i: (i["pk"], i["sk"]))


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("REQUEST_DEADLINE_SECONDS", str(DEADLINE))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()  # before monkeypatch restores the environment; read again after


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_write_path_answers_503_and_changes_nothing(
    api: Api, world: World, frozen_clock: Clock, faults: Faults, fault: str, short_deadline: None
) -> None:
    paths = write_paths(api, world, frozen_clock)
    for name, request in paths.items():
        before = snapshot()
        faults.arm(FAULTS[fault])
        started = time.monotonic()
        reply = request()
        faults.fault = None
        # Past the deadline no further attempt starts: one slow call, not one per retry.
        assert time.monotonic() - started < DEADLINE + 3, name
        assert faults.failed, f"{name}: no write was attempted"
        assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), (name, reply.body)
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert int(reply.headers["Retry-After"]) >= 1
        assert snapshot() == before, f"{name}: a failed request changed the table"
        faults.failed.clear()


def test_the_write_paths_are_every_write_operation_of_the_api(api: Api) -> None:
    """A write route added without an entry in write_paths.ROUTES fails here."""
    document = api.get("/api/openapi.json").body
    writes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert set(ROUTES.values()) == writes
    assert len(ROUTES) == len(writes), "two names for one operation"


@pytest.mark.parametrize("name", list(ROUTES))
def test_each_write_path_succeeds_and_writes_when_nothing_fails(
    api: Api, world: World, frozen_clock: Clock, name: str
) -> None:
    """So that a 503 under a fault is the fault's, not a request refused before it wrote."""
    request = write_paths(api, world, frozen_clock)[name]
    before = snapshot()
    reply = request()
    assert 200 <= reply.status < 300, (name, reply.status, reply.body)
    assert snapshot() != before, f"{name}: the request wrote nothing"


def test_a_fault_mid_registration_leaves_no_half_account(api: Api, faults: Faults) -> None:
    """Registration is one transaction: a failure leaves no user without claims, or the reverse."""
    before = snapshot()
    faults.arm(timed_out, operations=("TransactWriteItems",))
    body = registration()
    assert api.post("/api/auth/register", body).status == 503
    assert snapshot() == before
    faults.fault = None
    assert api.post("/api/auth/register", body).status == 201


def test_the_timer_job_killed_mid_page_finishes_on_its_next_run_without_doing_anything_twice(
    client,
    api: Api,
    world: World,
    faults: Faults,
    frozen_clock,
) -> None:
    from chalicelib.services.bookings import run_timers

    made = [
        api.post("/api/bookings/rooms/room-booking", world.body(10 + 2 * n, 11 + 2 * n), token=world.guest.access)
        for n in range(4)
    ]
    assert all(m.status == 201 for m in made)
    frozen_clock.advance(hours=25)
    faults.arm(timed_out, operations=("TransactWriteItems",), after=2)
    with pytest.raises(Exception):  # noqa: B017 - the run dies as a Lambda killed mid-page would
        run_timers(frozen_clock.now, budget_seconds=60)
    faults.fault = None
    summary = run_timers(frozen_clock.now, budget_seconds=60)
    assert summary == {"completed": 0, "expired": 2, "skipped": 0, "finished": True}
    statuses = [api.get(f"/api/bookings/rooms/{m.body['id']}", token=world.guest.access).body for m in made]
    assert {(s["status"], s["cancellation_reason"]) for s in statuses} == {("CANCELLED", "EXPIRED")}
    user = next(i for i in snapshot() if i["pk"] == f"USER#{world.guest.id}" and i["sk"] == "USER")
    assert user["pending_bookings"] == 0
    assert not [i for i in snapshot() if i["kind"] == "NightLock"]


def on_pool(name: str, fault: Callable[..., Any]) -> Callable[..., Any]:
    """`fault` for calls made on the threads of the pool `name`; other calls pass."""

    def injected(**kwargs: Any) -> Any:
        return fault(**kwargs) if threading.current_thread().name.startswith(name) else None

    return injected


@pytest.mark.parametrize("path", ["search/stays", "rooms/available"])
def test_a_search_whose_pool_outlasts_the_deadline_answers_503(
    api: Api, world: World, faults: Faults, short_deadline: None, path: str
) -> None:
    """The pool's lock and listing Queries run under the request's deadline, not beside it."""
    faults.arm(on_pool("search", too_slow), operations=("Query",))
    reply = api.get(f"/api/listings/{path}?city=Dhaka&check_in={world.day(10)}&check_out={world.day(12)}")
    assert faults.failed, "no Query ran on the search's pool"
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body
    assert int(reply.headers["Retry-After"]) >= 1


def test_an_account_check_that_outlasts_the_deadline_answers_503(
    api: Api, world: World, faults: Faults, short_deadline: None
) -> None:
    """The account check's GetItem runs on its pool under the request's deadline: a read
    whose own calls were quick still waits for the check, and answers 503, not late."""
    faults.arm(on_pool("account-check", too_slow), operations=("GetItem",))
    reply = api.get("/api/accounts/guest-profile", token=world.guest.access)
    assert faults.failed, "no account check ran on its pool"
    assert (reply.status, reply.code) == (503, "SERVICE_UNAVAILABLE"), reply.body


def test_becoming_a_provider_writes_once_so_a_failed_write_after_it_cannot_half_make_it(
    api: Api, world: World, faults: Faults
) -> None:
    """The new login is saved in the change's own transaction. It was a PutItem after it: a
    failure there answered 503 over a committed change, and the retry was 409 ALREADY_PROVIDER."""
    fresh = sign_up(api)
    faults.arm(throttled, after=1)  # the first write goes through, any later one fails
    reply = api.post("/api/accounts/become-provider", provider_body(), token=fresh.access)
    assert reply.status == 201 and not faults.failed, (reply.status, faults.failed)
    faults.fault = None
    assert "provider" in api.get("/api/auth/me", token=reply.body["access"]).body["roles"]
    assert api.post("/api/auth/token/refresh", {"refresh": reply.body["refresh"]}).status == 200

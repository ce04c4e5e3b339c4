"""Production figures: EMF metrics per route and outcome, the timer summary; off unless enabled."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from chalice import Response

from chalicelib import observability
from chalicelib.settings import Settings


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings = Settings(metrics_enabled=True, metrics_namespace="StaysTest")
    monkeypatch.setattr("chalicelib.settings.get_settings", lambda: settings)
    observability._metrics.cache_clear()
    yield
    observability._metrics.cache_clear()


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_problem_is_counted_by_its_code_and_success_as_ok() -> None:
    assert observability.outcome_of(Response(body={"code": "STAY_RESTRICTED"}, status_code=409)) == "STAY_RESTRICTED"
    assert observability.outcome_of(Response(body={"id": "b"}, status_code=201)) == "OK"
    assert observability.outcome_of(Response(body="", status_code=502)) == "ERROR"


def test_a_request_is_one_emf_record_of_its_route_and_outcome(metrics_on: None, capsys) -> None:
    observability.record_request("POST /api/bookings/rooms/room-booking", "ROOM_UNAVAILABLE", 12.5)
    (record,) = emitted(capsys)
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "StaysTest"
    assert directive["Dimensions"][0] >= ["route", "outcome"]
    assert record["route"] == "POST /api/bookings/rooms/room-booking" and record["outcome"] == "ROOM_UNAVAILABLE"
    assert record["Requests"] == [1.0] and record["Latency"] == [12.5]
    # The next request starts from clean dimensions.
    observability.record_request("GET /api/health", "OK", 1.0)
    (second,) = emitted(capsys)
    assert second["route"] == "GET /api/health" and second["outcome"] == "OK"


def test_the_timer_summary_is_published(metrics_on: None, capsys) -> None:
    observability.record_timers({"completed": 2, "expired": 3, "skipped": 1, "finished": False})
    (record,) = emitted(capsys)
    assert (record["TimerCompleted"], record["TimerExpired"], record["TimerSkipped"]) == ([2.0], [3.0], [1.0])
    assert record["TimerUnfinished"] == [1.0]


def test_disabled_by_default_and_then_never_imported(capsys) -> None:
    observability._metrics.cache_clear()
    observability._tracer.cache_clear()
    for module in [m for m in sys.modules if m.startswith("aws_lambda_powertools")]:
        del sys.modules[module]
    observability.record_request("GET /api/health", "OK", 1.0)
    with observability.traced("GET /api/health"):
        pass
    assert capsys.readouterr().out == ""
    assert not any(m.startswith("aws_lambda_powertools") for m in sys.modules)

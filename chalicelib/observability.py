"""Production figures, with Powertools for AWS Lambda: Metrics (CloudWatch EMF) and Tracer (X-Ray).

Both are switched on by settings (`METRICS_ENABLED`, `TRACING_ENABLED`; the stage's
config turns them on where it deploys) and imported only then, on first use: neither
is on a cold start's import path, and a local run or a test loads neither.

- Every request: the metrics `Requests` (count) and `Latency` (ms) with the dimensions
  `route` (method and path template) and `outcome`: `OK`, or the problem document's
  `code`. So bookings made are `POST /api/bookings/rooms/room-booking` / `OK`, refused
  by a conflict `ROOM_UNAVAILABLE`, by a restriction `STAY_RESTRICTED`, and any new code
  is counted with no change here. EMF is a JSON line on stdout: CloudWatch Logs turns it
  into metrics, so it needs no permission beyond writing logs.
- The timer job: `TimerCompleted`, `TimerExpired`, `TimerSkipped` and `TimerUnfinished`.
- With tracing on, each request is an X-Ray subsegment `## <route>` annotated with its
  route; Tracer patches botocore, so every DynamoDB call shows within it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics
    from aws_lambda_powertools.tracing import Tracer
    from chalice import Response


@lru_cache(maxsize=1)
def _metrics() -> Metrics | None:
    from chalicelib.settings import get_settings

    settings = get_settings()
    if not settings.metrics_enabled:
        return None
    from aws_lambda_powertools.metrics import Metrics

    return Metrics(namespace=settings.metrics_namespace, service=settings.service_name)


@lru_cache(maxsize=1)
def _tracer() -> Tracer | None:
    from chalicelib.settings import get_settings

    settings = get_settings()
    if not settings.tracing_enabled:
        return None
    from aws_lambda_powertools.tracing import Tracer

    return Tracer(service=settings.service_name)


def outcome_of(response: Response) -> str:
    """`OK`, or the stable `code` of the problem document answered."""
    body: Any = response.body
    if response.status_code < 400:
        return "OK"
    return str(body.get("code", "ERROR")) if isinstance(body, dict) else "ERROR"


@contextmanager
def traced(route: str) -> Iterator[None]:
    """An X-Ray subsegment around a request's handling when tracing is on."""
    tracer = _tracer()
    if tracer is None:
        yield
        return
    with tracer.provider.in_subsegment(f"## {route}") as subsegment:
        subsegment.put_annotation("route", route)
        yield


def record_request(route: str, outcome: str, duration_ms: float) -> None:
    metrics = _metrics()
    if metrics is None:
        return
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_dimension("route", route)
    metrics.add_dimension("outcome", outcome)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=duration_ms)
    metrics.flush_metrics()


def record_timers(summary: dict[str, Any]) -> None:
    metrics = _metrics()
    if metrics is None:
        return
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_dimension("route", "booking_timers")
    for name in ("completed", "expired", "skipped"):
        metrics.add_metric(name=f"Timer{name.title()}", unit=MetricUnit.Count, value=summary[name])
    metrics.add_metric(name="TimerUnfinished", unit=MetricUnit.Count, value=0 if summary["finished"] else 1)
    metrics.flush_metrics()

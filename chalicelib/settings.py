"""Every setting of the service, read from the environment in one place."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chalicelib.domain.bookings import MAX_NIGHTS_LIMIT

LOCAL_STAGES = frozenset({"local", "test"})
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    stage: Literal["local", "test", "dev", "staging", "prod"] = "local"
    table_name: str = "stays"
    aws_region: str = Field("us-east-1", validation_alias="AWS_DEFAULT_REGION")
    # Set for DynamoDB Local; unset on AWS, where boto3 finds the regional endpoint.
    dynamodb_endpoint: str | None = None

    jwt_secret: SecretStr | None = None
    # On AWS: the name of an SSM SecureString holding the secret, read once per container.
    jwt_secret_parameter: str | None = None
    jwt_issuer: str = "stays-api"
    access_token_ttl_seconds: int = Field(900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=3600)

    login_max_failures: int = Field(5, ge=1)
    login_failure_window_seconds: int = Field(900, ge=1)
    login_lockout_seconds: int = Field(900, ge=1)
    login_address_max_failures: int = Field(50, ge=1)

    # argon2id cost; the defaults are pwdlib's recommended parameters.
    password_hash_time_cost: int = Field(3, ge=1)
    password_hash_memory_kib: int = Field(65536, ge=8)
    password_hash_parallelism: int = Field(4, ge=1)

    # Bookings: a stay is at most MAX_NIGHTS nights (a transaction holds a lock per night,
    # and DynamoDB caps transactions at 100 items), booked at most MAX_ADVANCE_DAYS ahead.
    max_nights: int = Field(30, ge=1, le=MAX_NIGHTS_LIMIT)
    max_advance_days: int = Field(365, ge=1)
    max_pending_per_guest: int = Field(5, ge=1)
    pending_hold_hours: int = Field(24, ge=1)
    # ... or at check-in time, but never less than this after the booking (one made late on the day).
    pending_least_hold_minutes: int = Field(60, ge=1)
    idempotency_ttl_hours: int = Field(24, ge=1)
    # Lock items of past nights are removed by DynamoDB's TTL this long after the night.
    lock_ttl_days: int = Field(3, ge=1)
    # On AWS a whole number of minutes (an EventBridge rate); `make run` also takes fractions (0.1 = 6 s).
    timer_rate_minutes: float = Field(15, gt=0)

    # Events: the stage's EventBridge bus (set by the deployment template); without one, as
    # under `make run`, events are appended as JSON lines to EVENTS_FILE.
    event_bus_name: str | None = None
    events_file: str | None = None
    # Webhook retries: the delays after the first attempt (Standard Webhooks' schedule,
    # 8 attempts over about 27 hours). A delivery whose last attempt fails is DEAD.
    webhook_retry_delays_seconds: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
    webhook_timeout_seconds: float = Field(10, gt=0, le=10)
    # A completed stay may be reviewed until this many days after its check-out time.
    review_window_days: int = Field(30, ge=1)

    # DynamoDB client: botocore's timeouts and retries ("standard" mode, this many retries
    # after the first attempt). With the deadline they bound a request's time well inside
    # API Gateway's 29 s: past the deadline no further attempt starts (503, Retry-After), so
    # an answer comes at most one attempt (connect + read timeout) after it.
    dynamodb_connect_timeout_seconds: float = Field(2, gt=0, le=10)
    dynamodb_read_timeout_seconds: float = Field(5, gt=0, le=10)
    dynamodb_max_retry_attempts: int = Field(2, ge=0, le=5)
    request_deadline_seconds: float = Field(12, gt=0, le=15)

    log_level: str = "INFO"
    # Production figures (chalicelib/observability.py): Powertools Metrics as CloudWatch EMF
    # through the logs, and Tracer for X-Ray (which the stage must also enable, `xray`).
    metrics_enabled: bool = False
    metrics_namespace: str = "StaysApi"
    tracing_enabled: bool = False
    service_name: str = "stays-api"

    @model_validator(mode="after")
    def _secret_outside_local(self) -> Settings:
        if self.jwt_secret is None:
            if self.jwt_secret_parameter is None and self.stage not in LOCAL_STAGES:
                raise ValueError(f"JWT_SECRET or JWT_SECRET_PARAMETER must be set in stage {self.stage!r}")
        else:
            _check_secret(self.jwt_secret.get_secret_value())
        return self

    @property
    def allows_local_webhooks(self) -> bool:
        """`make run` and the tests may send to http://127.0.0.1 and http://localhost."""
        return self.stage in LOCAL_STAGES

    @property
    def signing_key(self) -> str:
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.jwt_secret_parameter is not None:
            return _parameter_secret(self.jwt_secret_parameter, self.aws_region)
        return _process_secret()


def _check_secret(secret: str) -> str:
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
    return secret


@lru_cache(maxsize=1)
def _parameter_secret(name: str, region: str) -> str:
    """The secret from SSM Parameter Store (SecureString), fetched on first use per container."""
    import boto3  # only deployed stages pay for this import, and only once

    ssm = boto3.client("ssm", region_name=region)
    return _check_secret(ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])


@lru_cache(maxsize=1)
def _process_secret() -> str:
    """Local stage without JWT_SECRET: a random key for this process's lifetime only."""
    return secrets.token_urlsafe(48)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

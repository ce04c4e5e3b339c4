"""On AWS the JWT secret comes from SSM Parameter Store, read once per container."""

import boto3
import pytest
from pydantic import ValidationError

from chalicelib import settings as settings_module
from chalicelib.settings import Settings

SECRET = "s" * 48


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    settings_module._parameter_secret.cache_clear()


def test_the_secret_is_read_from_ssm_once(monkeypatch) -> None:
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/stays-api/prod/jwt-secret", Type="SecureString", Value=SECRET)
    monkeypatch.delenv("JWT_SECRET")
    settings = Settings(stage="prod", jwt_secret_parameter="/stays-api/prod/jwt-secret")
    assert settings.signing_key == SECRET
    ssm.put_parameter(Name="/stays-api/prod/jwt-secret", Type="SecureString", Value="t" * 48, Overwrite=True)
    assert settings.signing_key == SECRET  # cached for the container's life


def test_a_short_secret_in_ssm_is_refused(monkeypatch) -> None:
    boto3.client("ssm").put_parameter(Name="/short", Type="SecureString", Value="short")
    monkeypatch.delenv("JWT_SECRET")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        _ = Settings(stage="prod", jwt_secret_parameter="/short").signing_key


def test_a_deployed_stage_needs_a_secret_or_a_parameter(monkeypatch) -> None:
    monkeypatch.delenv("JWT_SECRET")
    with pytest.raises(ValidationError, match="JWT_SECRET_PARAMETER"):
        Settings(stage="dev")

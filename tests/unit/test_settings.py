"""The secret rules: required outside local stages, and long enough."""

import pytest
from pydantic import ValidationError

from chalicelib.settings import Settings


def test_prod_refuses_to_start_without_a_secret(monkeypatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="must be set"):
        Settings(stage="prod")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(stage="prod", jwt_secret="too-short")


def test_local_stage_without_a_secret_signs_with_a_random_key(monkeypatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    settings = Settings(stage="local")
    assert len(settings.signing_key) >= 32
    assert settings.signing_key == Settings(stage="local").signing_key


def test_a_given_secret_is_used() -> None:
    assert Settings(stage="prod", jwt_secret="s" * 40).signing_key == "s" * 40

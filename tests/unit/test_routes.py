"""The route table that a cold start registers matches what the handler modules declare."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chalicelib.handlers import routes, timers
from chalicelib.handlers.http import ENDPOINTS
from chalicelib.settings import Settings


def test_the_table_lists_every_declared_route_with_its_module() -> None:
    routes.load_all()
    declared = {(method, path): endpoint.__module__ for (method, path), endpoint in ENDPOINTS.items()}
    listed = {route: f"chalicelib.handlers.{module}" for module, table in routes.ROUTES.items() for route in table}
    assert listed == declared


def test_importing_the_app_loads_no_handler_module_nor_pydantic() -> None:
    code = (
        "import sys, app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pynamodb', 'jwt', 'argon2', 'phonenumbers', 'pydantic_settings') "
        "or m.startswith(('chalicelib.handlers.', 'chalicelib.services', 'chalicelib.models', 'chalicelib.schemas'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    light = [
        "chalicelib.handlers.http",
        "chalicelib.handlers.problems",
        "chalicelib.handlers.routes",
        "chalicelib.handlers.streams",
        "chalicelib.handlers.timers",
    ]
    assert out.strip() == str(light)


@pytest.mark.parametrize("value", [None, "5", "60"])
def test_the_schedule_reads_the_rate_as_the_settings_do(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("TIMER_RATE_MINUTES", raising=False)
    else:
        monkeypatch.setenv("TIMER_RATE_MINUTES", value)
    assert timers.rate_minutes() == Settings().timer_rate_minutes

"""Schemathesis against `openapi.json` and the running app: every operation, valid and invalid
data; no server error, and every status and response body as the document says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.services.accounts import create_admin
from tests.factories import PASSWORD, provider_body, registration

# What the contract promises: no server error, only documented statuses, content types and
# headers, and bodies that match their schemas. (Schemathesis's "positive data accepted" check
# is left out: it knows only the schema, not rules such as a valid phone number or a past date.)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value.keys(), *(t for v in value.values() for t in _texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def control_characters_are_refused(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """API.md: a control character in any text of a body or query is a 400, never stored."""
    sent = _texts(case.body if isinstance(case.body, dict | list) else None) + _texts(case.query or {})
    if any(_CONTROL.search(text) for text in sent) and 200 <= response.status_code < 300:
        raise AssertionError(f"{case.operation.label} accepted a control character: {response.status_code}")
    return None


CHECKS = [
    not_a_server_error,
    control_characters_are_refused,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
DOCUMENT = Path(__file__).resolve().parents[2] / "openapi.json"
# Methods an operation does not declare are sent too, and must get a 405 problem; not TRACE,
# OPTIONS or QUERY, which `chalice local`'s HTTP server answers itself (501) before the app.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"unexpected-methods": ["get", "put", "post", "delete", "patch"]}}}
)
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)


@pytest.fixture(scope="session")
def everyone(live_api: str) -> dict[str, str]:
    """One account that is a guest, a provider and an admin, so that every operation can succeed."""
    body = registration()
    assert requests.post(f"{live_api}/api/auth/register", json=body, timeout=30).status_code == 201
    token = requests.post(
        f"{live_api}/api/auth/token", json={"email": body["email"], "password": PASSWORD}, timeout=30
    ).json()["access"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        requests.post(
            f"{live_api}/api/accounts/become-provider", json=provider_body(), headers=headers, timeout=30
        ).status_code
        == 201
    )
    create_admin(body["email"], PASSWORD)
    token = requests.post(
        f"{live_api}/api/auth/token", json={"email": body["email"], "password": PASSWORD}, timeout=30
    ).json()["access"]
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case: schemathesis.Case, live_api: str, everyone: dict[str, str]) -> None:
    case.call_and_validate(base_url=live_api, headers=everyone, checks=CHECKS)

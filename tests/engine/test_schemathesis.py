"""Schemathesis against `openapi.json` and the running app: every operation, valid and invalid
data; no server error, and every status and response body as the document says."""

from __future__ import annotations

from pathlib import Path

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
CHECKS = [
    not_a_server_error,
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

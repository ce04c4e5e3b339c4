"""The OpenAPI document: valid 3.1, committed as generated, with problem codes per operation.

The rules that keep generated clients clean, for every route present and future, are in
test_openapi_rules.py."""

import json
from pathlib import Path

from openapi_spec_validator import validate

from scripts.write_openapi import TARGET, rendered


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert Path(TARGET).read_text() == rendered(), "openapi.json is stale: run `make openapi`"


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(json.loads(rendered()))


def test_each_operation_lists_its_problem_codes() -> None:
    paths = json.loads(rendered())["paths"]
    booking = paths["/api/bookings/rooms/room-booking"]["post"]["responses"]
    codes = {status: r["x-problem-codes"] for status, r in booking.items() if status != "201"}
    assert codes["409"] == ["ROOM_UNAVAILABLE", "STAY_RESTRICTED", "PENDING_LIMIT_REACHED", "CONFLICT"]
    assert codes["422"] == ["IDEMPOTENCY_KEY_REUSED"]
    assert codes["401"] == ["NOT_AUTHENTICATED", "TOKEN_EXPIRED", "TOKEN_INVALID"]
    assert codes["403"] == ["OWN_LISTING"]
    assert set(codes) == {"400", "401", "403", "404", "409", "422", "500", "503"}
    cancel = paths["/api/bookings/rooms/{booking_id}/cancel"]["post"]["responses"]
    assert cancel["400"]["x-problem-codes"] == ["VALIDATION_ERROR"]  # a body with fields, on a write that takes none
    params = paths["/api/bookings/rooms/room-booking"]["post"]["parameters"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= params[0].items()
    search = paths["/api/listings/search/stays"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"check_in", "check_out", "stay_type", "city", "cursor"}
    assert "security" not in search and paths["/api/auth/me"]["get"]["security"] == [{"bearerAuth": []}]

"""Validation errors are trimmed to field and message: no input, no internals."""

import json

from pydantic import ValidationError

from chalicelib.handlers.problems import field_errors
from chalicelib.schemas.accounts import RegisterRequest


def test_field_errors_name_fields_and_hide_input() -> None:
    try:
        RegisterRequest.model_validate({"email": "x", "phone": "1", "full_name": "A", "password": "hunter2", "z": 1})
    except ValidationError as exc:
        errors = field_errors(exc, "body")
    fields = {e["field"] for e in errors}
    assert fields == {"email", "phone", "password", "z"}
    assert all(set(e) == {"field", "message"} for e in errors)
    assert "hunter2" not in str(errors)
    assert {"field": "z", "message": "unknown field"} in errors


def test_invalid_json_is_reported_on_the_body() -> None:
    try:
        RegisterRequest.model_validate_json(b"{")
    except ValidationError as exc:
        assert field_errors(exc, "body") == [{"field": "body", "message": "is not valid JSON"}]


def test_a_validator_failing_outside_pydantic_is_still_a_400() -> None:
    """pydantic's lax Decimal hands a list to Decimal(), which raises a bare ValueError."""
    from decimal import Decimal
    from typing import Annotated

    import pytest
    from pydantic import Field

    from chalicelib.errors import Invalid
    from chalicelib.handlers.problems import parse
    from chalicelib.schemas.common import Strict

    class Lax(Strict):
        amount: Annotated[Decimal, Field(strict=False)]

    with pytest.raises(Invalid) as refused:
        parse(Lax, raw=b'{"amount": [{}, {}, {}]}')
    assert refused.value.extra["errors"] == [{"field": "body", "message": "is not valid"}]


def test_a_field_read_by_its_wire_name_refuses_its_python_name_at_any_depth() -> None:
    """pydantic's `extra="forbid"` lets `from_date` (the Python name of `from`) through, dropped."""
    import pytest

    from chalicelib.errors import Invalid
    from chalicelib.handlers.problems import parse
    from chalicelib.schemas.rates import CalendarQuery, RatesIn
    from chalicelib.schemas.search import StaySearchQuery

    rule = {"from": "2026-12-03", "to": "2026-12-08", "closed": True}
    assert parse(RatesIn, raw=json.dumps({"rules": [rule, rule]}).encode())
    with pytest.raises(Invalid) as refused:
        parse(RatesIn, raw=json.dumps({"rules": [rule, {**rule, "from_date": "2026-12-04"}]}).encode())
    assert refused.value.extra["errors"] == [{"field": "rules.1.from_date", "message": "unknown field"}]
    dates = {"check_in": "2026-12-20", "check_out": "2026-12-21"}
    for name in ("stay_type", "room_type"):  # both are wire names of one field
        assert parse(StaySearchQuery, query={**dates, name: "hotel"})
    with pytest.raises(Invalid) as refused:  # pydantic refuses a query's Python name itself: said once
        parse(CalendarQuery, query={"from": "2026-12-01", "to": "2026-12-05", "from_date": "x"})
    assert refused.value.extra["errors"] == [{"field": "from_date", "message": "unknown field"}]


def test_text_far_over_its_bound_is_refused_before_it_is_normalized() -> None:
    """NFC takes time quadratic in a run of combining marks: 120,000 of them in a name (100) are
    refused by their count alone; a name sent decomposed within the bound is measured stored."""
    import pytest

    from chalicelib.errors import Invalid
    from chalicelib.handlers.problems import parse
    from chalicelib.schemas.accounts import RegisterRequest

    person = {"email": "a@example.com", "phone": "+8801711111111", "password": "a long pass phrase 7"}
    with pytest.raises(Invalid) as refused:
        parse(RegisterRequest, raw=json.dumps({**person, "full_name": "a" + "\u0301\u0316" * 60000}).encode())
    assert refused.value.extra["errors"] == [{"field": "full_name", "message": "must be at most 100 characters"}]
    decomposed = "e\u0302\u0323" * 100  # 300 code points, 100 letters stored
    assert parse(RegisterRequest, raw=json.dumps({**person, "full_name": decomposed}).encode())


def test_a_body_that_is_not_utf8_is_named_so_without_codec_internals() -> None:
    import pytest

    from chalicelib.errors import Invalid
    from chalicelib.handlers.problems import parse
    from chalicelib.schemas.bookings import BookingCreate

    with pytest.raises(Invalid) as refused:
        parse(BookingCreate, raw=b'{"note": "caf\xe9"}')
    assert refused.value.extra["errors"] == [{"field": "body", "message": "is not UTF-8"}]


def test_digits_past_a_doubles_precision_are_the_same_double_not_an_error() -> None:
    """%.17g writes 0.1 as 0.10000000000000001: a client sends what its formatter writes."""
    from chalicelib.handlers.problems import _strict_json

    assert _strict_json('{"a": 0.10000000000000001, "b": 3500.6999999999998, "c": 4.9E-324}') == {
        "a": 0.1,
        "b": 3500.7,
        "c": 5e-324,
    }

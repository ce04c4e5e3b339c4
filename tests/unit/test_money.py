"""Money in the currency's minor unit: ISO 4217 data, the precision check, half-even rounding."""

from decimal import Decimal

import pytest

from chalicelib.domain.money import check_amount, has_minor_unit_precision, minor_unit, round_to_minor_unit
from chalicelib.errors import Invalid


@pytest.mark.parametrize(("currency", "places"), [("JPY", 0), ("BDT", 2), ("KWD", 3), ("usd", 2), ("CLF", 4)])
def test_minor_unit_comes_from_iso_4217(currency: str, places: int) -> None:
    assert minor_unit(currency) == places


@pytest.mark.parametrize("code", ["XAU", "XXX", "ABC", ""])
def test_a_code_without_a_minor_unit_is_refused(code: str) -> None:
    with pytest.raises(ValueError):
        minor_unit(code)


@pytest.mark.parametrize(
    ("amount", "currency", "fits"),
    [
        ("1000", "JPY", True),
        ("1000.0", "JPY", True),  # trailing zeros add no precision
        ("1000.5", "JPY", False),
        ("4500.50", "BDT", True),
        ("4500.505", "BDT", False),
        ("1.125", "KWD", True),
        ("1.1255", "KWD", False),
        ("1E+3", "JPY", True),
        ("NaN", "BDT", False),
        ("Infinity", "BDT", False),
    ],
)
def test_precision_is_the_minor_unit(amount: str, currency: str, fits: bool) -> None:
    assert has_minor_unit_precision(Decimal(amount), currency) is fits


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.345", "BDT", "2.34"),
        ("2.355", "BDT", "2.36"),
        ("0.5", "JPY", "0"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "2"),
        ("1.23450", "KWD", "1.234"),
        ("1.2355", "KWD", "1.236"),
        ("7", "BDT", "7.00"),
    ],
)
def test_rounding_is_half_even_to_the_minor_unit(amount: str, currency: str, rounded: str) -> None:
    result = round_to_minor_unit(Decimal(amount), currency)
    assert result == Decimal(rounded)
    assert str(result) == rounded  # exactly the unit's places, never more or fewer


def test_check_amount_names_the_field() -> None:
    check_amount(Decimal("1000"), "JPY", "price_per_night")
    check_amount(None, "JPY", "price_per_night")
    with pytest.raises(Invalid) as caught:
        check_amount(Decimal("1000.5"), "JPY", "price_per_night")
    assert caught.value.extra["errors"] == [{"field": "price_per_night", "message": "JPY amounts are whole"}]

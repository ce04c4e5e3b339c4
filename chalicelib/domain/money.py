"""Money in a currency's minor unit (ISO 4217 data from the `iso4217` package).

Amounts are `Decimal`. An amount a client sends may carry at most the currency's
minor-unit decimals (JPY 0, BDT 2, KWD 3); an amount we compute (totals, refunds,
fees, nightly prices) is rounded half-even to that unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from iso4217 import Currency

from chalicelib.errors import Invalid

# The most decimals any priced currency has (CLF, UYW: 4): the bound where no currency is known.
MAX_MINOR_UNIT = max(c.exponent for c in Currency if c.exponent is not None)


@cache
def minor_unit(currency: str) -> int:
    """Decimals of the currency's minor unit; ValueError for an unknown code or one without
    a minor unit (gold, SDRs, test codes: nothing a room is priced in)."""
    try:
        exponent = Currency(currency.upper()).exponent
    except ValueError:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency") from None
    if exponent is None:
        raise ValueError(f"{currency} has no minor unit")
    return exponent


def has_minor_unit_precision(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimals than the currency's minor unit (1.50 is 2, 1.5 too)."""
    if not amount.is_finite():
        return False
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite, so never 'n', 'N' or 'F'
    return -exponent <= minor_unit(currency)


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-even to the currency's minor unit (2.345 BDT is 2.34, 2.355 is 2.36)."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_EVEN)


def check_amount(amount: Decimal | None, currency: str, field: str) -> None:
    """400 naming `field` when a client's amount has more decimals than `currency` allows."""
    if amount is not None and not has_minor_unit_precision(amount, currency):
        places = minor_unit(currency)
        message = f"{currency} amounts are whole"
        if places:
            message = f"{currency} amounts have at most {places} decimal places"
        raise Invalid("The request is not valid.", errors=[{"field": field, "message": message}])

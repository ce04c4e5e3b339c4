"""Ratings shown from counters: a sum and a count kept by the reviews' own transactions.

Nothing stores an average: it is derived on every read, so adding a review (or
hiding one) is a pure `ADD` to the sum and the count, exact under any concurrency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

ONE_DECIMAL = Decimal("0.1")
# Ranks an average for "best rated first": a higher rating is a lower rank; no rating ranks last.
_UNRATED_RANK = Decimal(1)


def average(rating_sum: int | Decimal, count: int | Decimal) -> Decimal | None:
    """`rating_sum / count` rounded half-even to one decimal; None when nothing is counted."""
    if count <= 0:
        return None
    return (Decimal(rating_sum) / Decimal(count)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_EVEN)


def best_first(rating: Decimal | None) -> Decimal:
    """A sort key that puts the best average first and stays without reviews after all others."""
    return _UNRATED_RANK if rating is None else -rating

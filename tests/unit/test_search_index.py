"""The search indexes' sort keys order as the walk needs, and the rating rank is exact."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.ratings import average as average_rating
from chalicelib.models.search_index import (
    UNRATED_RANK,
    UNSETTLED_RANK,
    ceiling_position,
    floor_position,
    rating_position,
    rating_rank,
    read_price_position,
    read_rating_position,
)

STAY = "A" * 22
PRICES = [Decimal("9.5"), Decimal("1000"), Decimal("999.999"), Decimal("0"), Decimal("12345678.1234")]


def test_floor_keys_sort_as_prices_and_ceiling_keys_sort_dearest_first() -> None:
    by_floor = sorted(PRICES, key=lambda p: floor_position(p, STAY))
    by_ceiling = sorted(PRICES, key=lambda p: ceiling_position(p, STAY))
    assert by_floor == sorted(PRICES) and by_ceiling == sorted(PRICES, reverse=True)


def test_rating_keys_sort_by_rank_then_floor_then_stay() -> None:
    entries = [(rank, price, stay) for rank in ("050", "061", UNRATED_RANK) for price in PRICES for stay in ("B", "A")]
    by_key = sorted(entries, key=lambda e: rating_position(e[0], e[1], e[2] * 22))
    assert by_key == sorted(entries, key=lambda e: (int(e[0]), e[1], e[2]))


def test_a_position_reads_back_its_price_and_ids() -> None:
    at = read_price_position(ceiling_position(Decimal("2500.50"), STAY), descending=True)
    assert (at.price, at.stay_id) == (Decimal("2500.50"), STAY)
    at = read_rating_position(rating_position("061", Decimal("80.25"), STAY))
    assert (at.rank, at.price, at.stay_id) == (Decimal(61), Decimal("80.25"), STAY)


def test_average_is_half_even_to_one_decimal_and_none_without_reviews() -> None:
    assert average_rating(0, 0) is None
    assert average_rating(9, 2) == Decimal("4.5")
    assert average_rating(29, 8) == Decimal("3.6")  # 3.625
    assert average_rating(5, 4) == Decimal("1.2")  # 1.25, half-even


def test_rating_ranks_best_first_unrated_last_and_unsettled_above_all() -> None:
    ranks = [rating_rank(Decimal("4.9")), rating_rank(Decimal("5.0")), rating_rank(None), rating_rank(Decimal("1.0"))]
    assert sorted(ranks) == [
        rating_rank(Decimal("5.0")),
        rating_rank(Decimal("4.9")),
        rating_rank(Decimal("1.0")),
        UNRATED_RANK,
    ]
    assert min(ranks) > UNSETTLED_RANK

"""The search indexes' sort keys order as the walk needs, and the rating rank is exact."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.ratings import average as average_rating
from chalicelib.models.search_index import (
    UNRATED_RANK,
    UNSETTLED_RANK,
    ceiling_position,
    floor_position,
    rating_rank,
    read_price_position,
)

STAY, ROOM = "A" * 22, "A" * 22 + ".B"


def test_floor_keys_sort_as_prices_and_ceiling_keys_sort_dearest_first() -> None:
    prices = [Decimal("9.5"), Decimal("1000"), Decimal("999.999"), Decimal("0"), Decimal("12345678.1234")]
    by_floor = sorted(prices, key=lambda p: floor_position(p, STAY, ROOM))
    by_ceiling = sorted(prices, key=lambda p: ceiling_position(p, STAY, ROOM))
    assert by_floor == sorted(prices) and by_ceiling == sorted(prices, reverse=True)


def test_a_position_reads_back_its_price_and_ids() -> None:
    at = read_price_position(ceiling_position(Decimal("2500.50"), STAY, ROOM), descending=True)
    assert (at.value, at.stay_id, at.room_id) == (Decimal("2500.50"), STAY, ROOM)


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

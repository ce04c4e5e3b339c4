"""Review rules without AWS: averages from counters, the review window, names, the text rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.domain.ratings import average, best_first
from chalicelib.domain.reviews import first_name, is_reviewable, review_deadline, stayed_in
from chalicelib.schemas.reviews import HideRequest, ReplyCreate, ReviewCreate


@pytest.mark.parametrize(
    ("total", "count", "shown"),
    [
        (0, 0, None),
        (5, 1, Decimal("5.0")),
        (9, 2, Decimal("4.5")),
        (13, 3, Decimal("4.3")),  # 4.333...
        (29, 6, Decimal("4.8")),  # 4.8333...
        (Decimal("4.25") * 4, 4, Decimal("4.2")),  # exactly 4.25: half-even rounds to the even digit
        (Decimal("4.35") * 20, 20, Decimal("4.4")),  # exactly 4.35: up to the even digit
    ],
)
def test_an_average_is_the_sum_over_the_count_to_one_decimal_half_even(total, count, shown) -> None:
    assert average(total, count) == shown


def test_best_first_orders_higher_ratings_first_and_unrated_last() -> None:
    ratings = [Decimal("3.5"), None, Decimal("5.0"), Decimal("1.0"), Decimal("4.9")]
    assert sorted(ratings, key=best_first) == [Decimal("5.0"), Decimal("4.9"), Decimal("3.5"), Decimal("1.0"), None]


def test_a_stay_is_reviewable_when_completed_and_until_the_window_closes() -> None:
    deadline = review_deadline(date(2026, 3, 10), "12:00", "Asia/Dhaka", 30)
    assert deadline == datetime(2026, 4, 9, 6, 0, tzinfo=UTC)  # 12:00 in Dhaka is 06:00 UTC
    assert is_reviewable("COMPLETED", deadline, deadline)
    assert not is_reviewable("COMPLETED", deadline, deadline + timedelta(seconds=1))
    for status in ("PENDING", "CONFIRMED", "CANCELLED"):
        assert not is_reviewable(status, deadline, deadline - timedelta(days=10))


def test_only_the_first_name_and_the_month_are_shown() -> None:
    assert first_name("Ayesha  Rahman") == "Ayesha"
    assert first_name("Leo") == "Leo"
    assert stayed_in("2026-03-07") == "2026-03"


def test_text_is_nfc_and_stripped_and_refuses_control_characters() -> None:
    review = ReviewCreate.model_validate({"rating": 4, "title": "  Cafe\u0301 ", "body": "line one\n\tline two"})
    assert (review.title, review.body) == ("Caf\u00e9", "line one\n\tline two")
    # At the ends too: they are refused before the type strips its ends.
    for bad in ("a\x00b", "a\x1bb", "a\x7fb", "a\nb", "a\tb", "Lovely\r", "Lovely\n", "\tLovely", "\x0bLovely"):
        with pytest.raises(ValidationError):
            ReviewCreate.model_validate({"rating": 4, "title": bad})
    for bad in ("a\x00b", "a\rb", "a\x7fb", "x\r", "x\x0b"):
        with pytest.raises(ValidationError):
            ReviewCreate.model_validate({"rating": 4, "title": "ok", "body": bad})


GOOD = {"rating": 4, "title": "Lovely", "body": "Quiet rooms."}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", 0),
        ("rating", 6),
        ("rating", 4.5),
        ("rating", 4.0),
        ("rating", "4"),
        ("rating", True),
        ("rating", None),
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 121),
        ("title", "bell\x07"),
        ("title", "two\nlines"),
        ("body", "x" * 4001),
        ("body", "nul\x00"),
    ],
)
def test_a_bad_review_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ReviewCreate.model_validate_json(json.dumps({**GOOD, field: value}))
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_good_review_keeps_its_cleaned_text_and_may_have_no_body() -> None:
    review = ReviewCreate.model_validate_json('{"rating": 5, "title": " Cafe\\u0301 ", "body": "a\\nb"}')
    assert (review.rating, review.title, review.body) == (5, "Caf\u00e9", "a\nb")
    assert ReviewCreate.model_validate_json('{"rating": 1, "title": "x"}').body == ""
    assert ReviewCreate.model_validate_json(json.dumps({**GOOD, "title": "x" * 120})).title == "x" * 120


@pytest.mark.parametrize("body", ["", " ", "x" * 4001, "esc\x1b"])
def test_a_bad_reply_is_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        ReplyCreate.model_validate({"body": body})


@pytest.mark.parametrize("reason", ["", "x" * 501, "tab\there"])
def test_a_bad_hiding_reason_is_refused(reason: str) -> None:
    with pytest.raises(ValidationError):
        HideRequest.model_validate({"reason": reason})

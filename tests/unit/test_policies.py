"""Cancellation policies: presets, tier validation, deadlines in UTC, the refund and its split."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import policies
from chalicelib.domain.bookings import CANCELLED_BY_GUEST, CANCELLED_BY_PROVIDER, CONFIRMED, EXPIRED, PENDING
from chalicelib.domain.bookings import local_instant as at
from chalicelib.domain.money import has_minor_unit_precision, minor_unit, round_to_minor_unit
from chalicelib.domain.policies import Deadline, Tier
from chalicelib.models.bookings import Booking, StaySnapshot
from chalicelib.models.policies import BookingPolicyMap


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_presets_are_the_contracts_tiers() -> None:
    assert {name: [(t.days_before, t.refund_percent) for t in p.tiers] for name, p in policies.PRESETS.items()} == {
        "flexible": [(1, 100)],
        "moderate": [(5, 100), (1, 50)],
        "strict": [(14, 100), (7, 50)],
        "non_refundable": [],
    }
    assert policies.DEFAULT.name == "flexible"
    for preset in policies.PRESETS.values():
        assert preset.tiers == () or policies.tier_problems(list(preset.tiers)) == []


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        ([], "1 to 5 tiers"),
        ([Tier(10 - n, 100) for n in range(6)], "1 to 5 tiers"),
        ([Tier(0, 100)], "days_before must be 1 to 365"),
        ([Tier(366, 100)], "days_before must be 1 to 365"),
        ([Tier(3, 101)], "refund_percent must be 0 to 100"),
        ([Tier(3, -1)], "refund_percent must be 0 to 100"),
        ([Tier(3, 100), Tier(3, 50)], "tier 2: days_before must be less"),
        ([Tier(3, 100), Tier(7, 50)], "tier 2: days_before must be less"),
        ([Tier(7, 50), Tier(3, 80)], "tier 2: refund_percent must not exceed"),
    ],
)
def test_bad_tiers_are_named(tiers: list[Tier], problem: str) -> None:
    problems = policies.tier_problems(tiers)
    assert any(problem in p for p in problems), problems
    with pytest.raises(ValueError, match=problem):
        policies.custom(tiers)


def test_good_custom_tiers_make_a_custom_policy() -> None:
    tiers = [Tier(365, 100), Tier(30, 100), Tier(10, 40), Tier(2, 40), Tier(1, 0)]
    assert policies.custom(tiers) == policies.Policy("custom", tuple(tiers))


def test_deadlines_are_whole_days_of_24_hours_before_check_in_in_utc() -> None:
    check_in = at(date(2026, 11, 23), "14:00", "Asia/Dhaka")  # 08:00 UTC
    assert policies.deadlines(policies.PRESETS["moderate"], check_in) == [
        Deadline(utc("2026-11-18T08:00:00"), 100),
        Deadline(utc("2026-11-22T08:00:00"), 50),
    ]
    assert policies.deadlines(policies.PRESETS["non_refundable"], check_in) == []


def test_a_deadline_across_the_spring_forward_is_exact_to_the_minute() -> None:
    # New York moves to EDT at 02:00 on 2026-03-08: check-in 14:00 EDT is 18:00 UTC, and
    # 24 h before it is 13:00 EST on the 7th (18:00 UTC), not 14:00 wall clock (19:00 UTC).
    check_in = at(date(2026, 3, 8), "14:30", "America/New_York")
    (flexible,) = policies.deadlines(policies.PRESETS["flexible"], check_in)
    assert flexible.until == utc("2026-03-07T18:30:00")
    assert check_in - flexible.until == timedelta(hours=24)


def test_a_deadline_across_the_fall_back_is_exact_to_the_minute() -> None:
    # London returns to GMT at 02:00 on 2026-10-25: the wall clock has 25 hours that day.
    check_in = at(date(2026, 10, 25), "15:45", "Europe/London")
    (flexible,) = policies.deadlines(policies.PRESETS["flexible"], check_in)
    assert flexible.until == utc("2026-10-24T15:45:00")  # 16:45 BST on the 24th


def test_a_deadline_across_the_date_line_is_exact_to_the_minute() -> None:
    # Samoa skipped 2011-12-30 to move west of the date line (UTC-10 to UTC+14): 24 h before
    # 14:00 on the 31st is 14:00 on the 29th on its wall clock.
    check_in = at(date(2011, 12, 31), "14:00", "Pacific/Apia")
    (flexible,) = policies.deadlines(policies.PRESETS["flexible"], check_in)
    assert flexible.until == utc("2011-12-30T00:00:00")
    assert flexible.until.astimezone(check_in.tzinfo).isoformat() == "2011-12-29T14:00:00-10:00"


def test_the_same_wall_clock_either_side_of_the_date_line_is_a_day_apart() -> None:
    east = policies.deadlines(policies.PRESETS["strict"], at(date(2026, 6, 10), "14:00", "Pacific/Kiritimati"))
    west = policies.deadlines(policies.PRESETS["strict"], at(date(2026, 6, 10), "14:00", "Pacific/Pago_Pago"))
    assert [d.until for d in east] == [utc("2026-05-27T00:00:00"), utc("2026-06-03T00:00:00")]
    assert [d.until for d in west] == [utc("2026-05-28T01:00:00"), utc("2026-06-04T01:00:00")]


def test_the_first_tier_that_still_applies_wins_and_says_until_when() -> None:
    due = policies.deadlines(policies.PRESETS["moderate"], utc("2026-11-23T08:00:00"))
    assert policies.refund_percent_at(due, utc("2026-11-01T00:00:00")) == (100, utc("2026-11-18T08:00:00"))
    assert policies.refund_percent_at(due, utc("2026-11-18T08:00:00")) == (100, utc("2026-11-18T08:00:00"))
    assert policies.refund_percent_at(due, utc("2026-11-18T08:00:01")) == (50, utc("2026-11-22T08:00:00"))
    assert policies.refund_percent_at(due, utc("2026-11-22T08:00:01")) == (0, None)
    assert policies.refund_percent_at([], utc("2026-11-01T00:00:00")) == (0, None)


@pytest.mark.parametrize(
    ("total", "currency", "percent", "refund", "fee"),
    [
        ("5", "JPY", 50, "2", "3"),  # 2.5 rounds to the even 2
        ("7", "JPY", 50, "4", "3"),  # 3.5 rounds to the even 4
        ("0.05", "BDT", 50, "0.02", "0.03"),
        ("0.005", "KWD", 50, "0.002", "0.003"),
        ("4500.50", "BDT", 33, "1485.16", "3015.34"),  # 1485.165 to the even 1485.16
        ("100", "JPY", 0, "0", "100"),
        ("100", "JPY", 100, "100", "0"),
    ],
)
def test_the_refund_rounds_half_even_and_the_fee_is_the_rest(
    total: str, currency: str, percent: int, refund: str, fee: str
) -> None:
    assert policies.split(Decimal(total), percent, currency) == (Decimal(refund), Decimal(fee))


def test_only_a_confirmed_booking_its_guest_cancels_goes_by_the_policy() -> None:
    assert policies.refunds_by_policy(CONFIRMED, CANCELLED_BY_GUEST)
    assert not policies.refunds_by_policy(PENDING, CANCELLED_BY_GUEST)
    assert not policies.refunds_by_policy(CONFIRMED, CANCELLED_BY_PROVIDER)
    assert not policies.refunds_by_policy(PENDING, EXPIRED)
    late = utc("2026-12-01T00:00:00")
    assert policies.settle(CONFIRMED, CANCELLED_BY_GUEST, Decimal(10), "JPY", [], late).refund_amount == 0
    assert policies.settle(CONFIRMED, CANCELLED_BY_PROVIDER, Decimal(10), "JPY", [], late).refund_amount == 10


# --- properties over random totals, tiers and times, in currencies of 0, 2 and 3 decimals ---

CURRENCIES = st.sampled_from(["JPY", "BDT", "KWD"])


@st.composite
def tiers(draw: st.DrawFn) -> list[Tier]:
    days = sorted(draw(st.sets(st.integers(1, 365), min_size=1, max_size=5)), reverse=True)
    percents = sorted(draw(st.lists(st.integers(0, 100), min_size=len(days), max_size=len(days))), reverse=True)
    return [Tier(d, p) for d, p in zip(days, percents, strict=True)]


def amounts(currency: str) -> st.SearchStrategy[Decimal]:
    return st.integers(1, 10**10).map(lambda units: Decimal(units).scaleb(-minor_unit(currency)))


MOMENTS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
CHECK_INS = st.datetimes(datetime(2026, 6, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@settings(deadline=None)  # the machine is shared: time per example says nothing here
@given(currency=CURRENCIES, data=st.data(), percent=st.integers(0, 100))
def test_refund_and_fee_always_add_up_in_the_minor_unit(currency: str, data: st.DataObject, percent: int) -> None:
    total = data.draw(amounts(currency))
    refund, fee = policies.split(total, percent, currency)
    assert refund + fee == total
    assert Decimal(0) <= refund <= total and fee >= 0
    assert has_minor_unit_precision(refund, currency) and has_minor_unit_precision(fee, currency)
    assert refund == round_to_minor_unit(total * percent / 100, currency)


@settings(deadline=None)
@given(currency=CURRENCIES, data=st.data(), tiers=tiers(), check_in=CHECK_INS, moment=MOMENTS)
def test_a_quote_is_the_first_tier_whose_deadline_is_ahead(
    currency: str, data: st.DataObject, tiers: list[Tier], check_in: datetime, moment: datetime
) -> None:
    total = data.draw(amounts(currency))
    policy = policies.custom(tiers)
    due = policies.deadlines(policy, check_in)
    quote = policies.quote(total, currency, due, moment)
    applying = [tier for tier in tiers if moment <= check_in - timedelta(days=tier.days_before)]
    assert quote.refund_percent == (applying[0].refund_percent if applying else 0)
    assert quote.refund_amount + quote.cancellation_fee == total
    assert quote.valid_until is None or moment <= quote.valid_until
    # Waiting never gets more back.
    later = policies.quote(total, currency, due, moment + timedelta(hours=1))
    assert later.refund_amount <= quote.refund_amount


def test_a_booking_made_before_policies_has_the_default_deadlines() -> None:
    stay = StaySnapshot(
        id="s",
        type="hotel",
        name="n",
        address="a",
        city="c",
        country="BD",
        timezone="Asia/Dhaka",
        check_in_time="14:00",
        check_out_time="12:00",
    )
    made_at = utc("2026-11-01T00:00:00")
    older = Booking(id="b", guest_id="g", provider_id="p", check_in="2026-11-23", stay=stay, created_at=made_at)
    assert older.deadlines() == [Deadline(utc("2026-11-22T08:00:00"), 100)]
    made = Booking(id="c", guest_id="g", provider_id="p", check_in="2026-11-23", stay=stay, created_at=made_at)
    made.cancellation_policy = BookingPolicyMap.snapshot(
        policies.PRESETS["strict"], at(date(2026, 11, 23), "14:00", "Asia/Dhaka")
    )
    assert made.deadlines() == [Deadline(utc("2026-11-09T08:00:00"), 100), Deadline(utc("2026-11-16T08:00:00"), 50)]

"""Nights, price, the stay's clock and the status machine."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import bookings as rules


def test_nights_are_named_by_the_date_they_start() -> None:
    assert rules.nights_of(date(2026, 12, 30), date(2027, 1, 2)) == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
    ]
    assert rules.nights_of(date(2026, 5, 1), date(2026, 5, 1)) == []


# 18:30 UTC on 23 Nov is already 24 Nov in Dhaka (UTC+6) and still 23 Nov in Los Angeles (UTC-8).
EVENING_UTC = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
# 07:30 UTC on 24 Nov is 24 Nov in Dhaka and still 23 Nov (23:30) in Los Angeles.
MORNING_UTC = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "today"),
    [
        (EVENING_UTC, "Asia/Dhaka", date(2026, 11, 24)),
        (EVENING_UTC, "America/Los_Angeles", date(2026, 11, 23)),
        (MORNING_UTC, "Asia/Dhaka", date(2026, 11, 24)),
        (MORNING_UTC, "America/Los_Angeles", date(2026, 11, 23)),
        (datetime(2026, 11, 23, 23, 59, tzinfo=UTC), "UTC", date(2026, 11, 23)),
    ],
)
def test_today_is_the_stays_today(now: datetime, zone: str, today: date) -> None:
    assert rules.today_in(zone, now) == today


def test_a_check_in_date_can_be_past_in_one_zone_and_not_another() -> None:
    check_in = date(2026, 11, 23)
    dhaka = rules.stay_problems(
        check_in,
        check_in + timedelta(days=1),
        today=rules.today_in("Asia/Dhaka", EVENING_UTC),
        max_nights=30,
        max_advance_days=365,
    )
    la = rules.stay_problems(
        check_in,
        check_in + timedelta(days=1),
        today=rules.today_in("America/Los_Angeles", EVENING_UTC),
        max_nights=30,
        max_advance_days=365,
    )
    assert [p["field"] for p in dhaka] == ["check_in"] and la == []


def test_local_instants_follow_the_zone_and_daylight_saving() -> None:
    dhaka = rules.local_instant(date(2026, 11, 24), "14:00", "Asia/Dhaka")
    assert dhaka.astimezone(UTC) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    summer = rules.local_instant(date(2026, 7, 1), "12:00", "America/Los_Angeles")
    winter = rules.local_instant(date(2026, 12, 1), "12:00", "America/Los_Angeles")
    assert summer.astimezone(UTC).hour == 19 and winter.astimezone(UTC).hour == 20


@pytest.mark.parametrize(
    ("check_in", "check_out", "field"),
    [
        (date(2026, 12, 5), date(2026, 12, 5), "check_out"),
        (date(2026, 12, 5), date(2026, 12, 1), "check_out"),
        (date(2026, 11, 22), date(2026, 11, 25), "check_in"),
        (date(2026, 12, 1), date(2027, 1, 1), "check_out"),
        (date(2027, 12, 1), date(2027, 12, 2), "check_in"),
    ],
)
def test_stay_problems_name_the_field(check_in: date, check_out: date, field: str) -> None:
    problems = rules.stay_problems(check_in, check_out, today=date(2026, 11, 23), max_nights=30, max_advance_days=365)
    assert [p["field"] for p in problems] == [field]


def test_thirty_nights_from_today_is_fine() -> None:
    today = date(2026, 11, 23)
    assert (
        rules.stay_problems(today, today + timedelta(days=30), today=today, max_nights=30, max_advance_days=365) == []
    )


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("PENDING", "CONFIRMED", True),
        ("PENDING", "CANCELLED", True),
        ("PENDING", "COMPLETED", False),
        ("CONFIRMED", "CANCELLED", True),
        ("CONFIRMED", "COMPLETED", True),
        ("CONFIRMED", "PENDING", False),
        ("CANCELLED", "CONFIRMED", False),
        ("COMPLETED", "CANCELLED", False),
    ],
)
def test_the_status_machine(current: str, target: str, allowed: bool) -> None:
    assert rules.can_move(current, target) is allowed


def test_only_pending_and_confirmed_hold_nights() -> None:
    assert [s for s in rules.STATUSES if rules.holds_nights(s)] == ["PENDING", "CONFIRMED"]


def test_a_hold_ends_at_check_in_if_that_comes_first() -> None:
    created, hold, least = datetime(2026, 11, 23, 0, 0, tzinfo=UTC), timedelta(hours=24), timedelta(hours=1)
    soon = created + timedelta(hours=5)
    assert rules.pending_due(created, soon, hold, least) == soon
    assert rules.pending_due(created, created + timedelta(days=9), hold, least) == created + hold


def test_a_hold_lasts_the_least_hold_when_check_in_time_is_near_or_past() -> None:
    created, hold, least = datetime(2026, 11, 23, 12, 0, tzinfo=UTC), timedelta(hours=24), timedelta(hours=1)
    for check_in_at in (created - timedelta(hours=4), created, created + timedelta(minutes=10)):
        assert rules.pending_due(created, check_in_at, hold, least) == created + least
    short = timedelta(minutes=30)  # a hold shorter than the least hold still ends first
    assert rules.pending_due(created, created - timedelta(hours=4), short, least) == created + short

"""Rates and restrictions: the per-date evaluation, the stay's price and its refusals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import rates
from chalicelib.domain.rates import Rule, Violation

BASE = Decimal("100.00")
MON = date(2026, 12, 7)  # a Monday


def day(offset: int) -> date:
    return MON + timedelta(days=offset)


class Priced:
    def __init__(self, rules: list[Rule], base: Decimal = BASE) -> None:
        self.rules, self.price_per_night = rules, base

    def rate_rules(self) -> list[Rule]:
        return self.rules


def test_without_rules_every_night_is_the_base_price_and_unrestricted() -> None:
    quote = rates.quote(Priced([]), day(0), day(3))
    assert quote.nightly_prices == [(day(0), BASE), (day(1), BASE), (day(2), BASE)]
    assert quote.total == Decimal("300.00") and quote.bookable and quote.nights == 3


def test_the_last_rule_that_sets_a_field_wins_and_others_fall_through() -> None:
    season = Rule(day(0), day(30), price_per_night=Decimal("150.00"), min_stay=3)
    promo = Rule(day(2), day(4), price_per_night=Decimal("90.00"))
    assert rates.night([season, promo], BASE, day(2)) == rates.Night(day(2), Decimal("90.00"), min_stay=3)
    assert rates.night([promo, season], BASE, day(2)).price == Decimal("150.00")
    assert rates.night([season, promo], BASE, day(30)) == rates.Night(day(30), BASE)


def test_a_later_false_lifts_an_earlier_closure() -> None:
    rules = [Rule(day(0), day(10), closed=True), Rule(day(3), day(4), closed=False)]
    assert [n.closed for n in rates.nights_between(rules, BASE, day(2), day(5))] == [True, False, True]


def test_weekday_rules_price_only_their_weekdays_across_a_range() -> None:
    weekend = Rule(day(0), day(14), weekdays=frozenset({5, 6}), price_per_night=Decimal("130.00"))
    quote = rates.quote(Priced([weekend]), day(3), day(10))  # Thursday to the next Thursday
    prices = dict(quote.nightly_prices)
    assert prices[day(4)] == prices[day(5)] == Decimal("130.00")  # Friday, Saturday
    assert prices[day(3)] == prices[day(6)] == BASE  # Thursday, Sunday
    assert quote.total == 5 * BASE + 2 * Decimal("130.00")


def test_the_total_is_the_exact_sum_of_nights() -> None:
    rules = [
        Rule(day(0), day(1), price_per_night=Decimal("0.10")),
        Rule(day(1), day(3), price_per_night=Decimal("0.20")),
    ]
    assert rates.quote(Priced(rules, Decimal("0.30")), day(0), day(4)).total == Decimal("0.80")


def test_closed_to_arrival_counts_on_the_check_in_day_only() -> None:
    rules = [Rule(day(2), day(3), closed_to_arrival=True)]
    assert rates.violations(rules, day(2), day(4)) == [Violation(day(2), "closed_to_arrival")]
    assert rates.violations(rules, day(1), day(4)) == []


def test_closed_to_departure_counts_on_the_check_out_day_only() -> None:
    rules = [Rule(day(4), day(5), closed_to_departure=True)]
    assert rates.violations(rules, day(2), day(4)) == [Violation(day(4), "closed_to_departure")]
    assert rates.violations(rules, day(2), day(5)) == []
    assert rates.violations(rules, day(4), day(6)) == []


def test_a_closed_night_refuses_the_stay_but_a_closed_check_out_day_does_not() -> None:
    rules = [Rule(day(3), day(4), closed=True)]
    assert rates.violations(rules, day(1), day(5)) == [Violation(day(3), "closed")]
    assert rates.violations(rules, day(1), day(3)) == []


def test_min_and_max_stay_are_those_of_the_arrival_date() -> None:
    rules = [Rule(day(0), day(1), min_stay=3), Rule(day(1), day(2), max_stay=1)]
    assert rates.violations(rules, day(0), day(2)) == [Violation(day(0), "min_stay", 3)]
    assert rates.violations(rules, day(0), day(3)) == []
    assert rates.violations(rules, day(1), day(3)) == [Violation(day(1), "max_stay", 1)]
    assert rates.violations(rules, day(2), day(3)) == []  # day 2 has neither


def test_the_floor_price_is_the_least_of_base_and_rule_prices() -> None:
    rules = [Rule(day(0), day(5), price_per_night=Decimal("80")), Rule(day(0), day(5), min_stay=2)]
    assert rates.floor_price(rules, BASE) == Decimal("80")
    assert rates.floor_price([Rule(day(0), day(5), price_per_night=Decimal("120"))], BASE) == BASE


# --- properties: the evaluation agrees with the plain reading of the rule ---


def naive_setting(rules: list[Rule], on: date, name: str) -> object:
    """Read the list front to back; each covering rule that sets the field overwrites it."""
    value = None
    for rule in rules:
        in_range = rule.from_date <= on < rule.to_date
        on_weekday = rule.weekdays is None or on.isoweekday() in rule.weekdays
        if in_range and on_weekday and getattr(rule, name) is not None:
            value = getattr(rule, name)
    return value


def naive_violations(rules: list[Rule], check_in: date, check_out: date) -> set[Violation]:
    length = (check_out - check_in).days
    found = set()
    for n in range(length):
        if naive_setting(rules, check_in + timedelta(days=n), "closed"):
            found.add(Violation(check_in + timedelta(days=n), "closed"))
    if naive_setting(rules, check_in, "closed_to_arrival"):
        found.add(Violation(check_in, "closed_to_arrival"))
    if naive_setting(rules, check_out, "closed_to_departure"):
        found.add(Violation(check_out, "closed_to_departure"))
    least, most = naive_setting(rules, check_in, "min_stay"), naive_setting(rules, check_in, "max_stay")
    if isinstance(least, int) and length < least:
        found.add(Violation(check_in, "min_stay", least))
    if isinstance(most, int) and length > most:
        found.add(Violation(check_in, "max_stay", most))
    return found


@st.composite
def a_rule(draw: st.DrawFn) -> Rule:
    start = draw(st.integers(0, 40))
    maybe_bool = st.none() | st.booleans()
    return Rule(
        from_date=day(start),
        to_date=day(start + draw(st.integers(1, 20))),
        weekdays=draw(st.none() | st.frozensets(st.integers(1, 7), min_size=1)),
        price_per_night=draw(st.none() | st.decimals("0.01", "999.99", places=2)),
        min_stay=draw(st.none() | st.integers(1, 10)),
        max_stay=draw(st.none() | st.integers(1, 10)),
        closed_to_arrival=draw(maybe_bool),
        closed_to_departure=draw(maybe_bool),
        closed=draw(maybe_bool),
    )


rule_lists = st.lists(a_rule(), max_size=12)
stays = st.tuples(st.integers(-3, 50), st.integers(1, 12))


@given(rule_lists, stays)
def test_every_night_is_priced_as_the_naive_reading_says(rules: list[Rule], stay: tuple[int, int]) -> None:
    check_in, check_out = day(stay[0]), day(stay[0] + stay[1])
    quote = rates.quote(Priced(rules), check_in, check_out)
    expected = []
    for n in range(stay[1]):
        price = naive_setting(rules, check_in + timedelta(days=n), "price_per_night")
        expected.append((check_in + timedelta(days=n), BASE if price is None else price))
    assert quote.nightly_prices == expected
    assert quote.total == sum((p for _, p in expected), Decimal(0))
    assert quote.nightly_prices == rates.nightly_prices(rules, BASE, check_in, check_out)


@given(rule_lists, stays)
def test_the_refusals_are_those_of_the_naive_reading(rules: list[Rule], stay: tuple[int, int]) -> None:
    check_in, check_out = day(stay[0]), day(stay[0] + stay[1])
    found = rates.violations(rules, check_in, check_out)
    assert set(found) == naive_violations(rules, check_in, check_out)
    assert len(found) == len(set(found))
    assert rates.quote(Priced(rules), check_in, check_out).violations == found


@given(rule_lists, st.integers(-3, 60))
def test_each_date_has_the_settings_of_the_naive_reading(rules: list[Rule], offset: int) -> None:
    on = day(offset)
    evaluated = rates.night(rules, BASE, on)
    assert evaluated.min_stay == naive_setting(rules, on, "min_stay")
    assert evaluated.max_stay == naive_setting(rules, on, "max_stay")
    for name in ("closed", "closed_to_arrival", "closed_to_departure"):
        assert getattr(evaluated, name) is bool(naive_setting(rules, on, name))


@given(rule_lists, stays)
def test_no_night_costs_less_than_the_floor_price(rules: list[Rule], stay: tuple[int, int]) -> None:
    floor = rates.floor_price(rules, BASE)
    prices = rates.nightly_prices(rules, BASE, day(stay[0]), day(stay[0] + stay[1]))
    assert all(price >= floor for _, price in prices)

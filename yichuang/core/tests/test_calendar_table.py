"""The pure working-day arithmetic (`WorkdayTable`), without a database.

The national table here is built from the `chinesecalendar` package exactly as the seed
migration stores it; the property tests compare the bisect arithmetic with a day-by-day count.
"""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yichuang.core.calendar import (
    EXCEPTION_KINDS,
    EXTRA_OFF,
    HOLIDAY,
    MAKEUP,
    WEEKEND,
    WORKING_KINDS,
    WorkdayTable,
    package_schedule,
)

D = datetime.date
ANNOUNCED = range(2004, 2027)


@pytest.fixture(scope="module")
def national():
    return WorkdayTable(package_schedule(), ANNOUNCED)


def test_acceptance_day_is_never_counted(national):
    # Accepted on a Monday: one working day ends on Tuesday, not on the Monday itself.
    assert national.add_workdays(D(2026, 3, 2), 1).date == D(2026, 3, 3)
    # Accepted on a Saturday (an online application): the Saturday is not counted either.
    assert national.add_workdays(D(2026, 3, 7), 1).date == D(2026, 3, 9)
    # Accepted on a make-up working Saturday: still not counted.
    assert national.add_workdays(D(2026, 10, 10), 1).date == D(2026, 10, 12)


def test_makeup_saturday_counts_as_workday(national):
    # The 2026 National Day arrangement makes Saturday 10 October a working day.
    assert D(2026, 10, 10).weekday() == 5
    assert national.is_workday(D(2026, 10, 10))
    assert national.add_workdays(D(2026, 10, 9), 1).date == D(2026, 10, 10)
    assert national.day_info(D(2026, 10, 10)).kind == MAKEUP


def test_national_day_is_skipped(national):
    deadline = national.add_workdays(D(2026, 9, 30), 5)
    # 10-01…10-07 off; 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13 counted.
    assert deadline.date == D(2026, 10, 13)
    assert deadline.confirmed
    skipped = {day.date: day.reason for day in deadline.skipped}
    assert [d for d in skipped if skipped[d] == "国庆节"] == [D(2026, 10, d) for d in range(1, 8)]
    assert skipped[D(2026, 10, 11)] == "周末"
    assert len(skipped) == 8
    assert [day.date for day in deadline.special_workdays] == [D(2026, 10, 10)]
    assert list(deadline.counted_days()) == [D(2026, 10, d) for d in (8, 9, 10, 12, 13)]


def test_explanation_says_what_counted_and_what_was_skipped(national):
    text = national.add_workdays(D(2026, 9, 30), 5).explain()
    assert "2026年9月30日 当天不计入" in text
    assert "2026年10月1日至10月7日（国庆节）" in text
    assert "2026年10月10日（国庆节调休上班）" in text
    assert "期限届满日：2026年10月13日" in text
    assert "待确认" not in text


def test_zero_days_ends_on_the_acceptance_day(national):
    deadline = national.add_workdays(D(2026, 10, 3), 0)
    assert deadline.date == D(2026, 10, 3)
    assert deadline.confirmed and deadline.skipped == ()
    assert national.workdays_between(D(2026, 10, 3), deadline.date) == 0


def test_negative_days_are_refused_with_a_message(national):
    with pytest.raises(ValueError, match="不能为负数"):
        national.add_workdays(D(2026, 10, 3), -1)


def test_unannounced_year_falls_back_to_weekdays_and_is_unconfirmed(national):
    # 2027 is not in the package: Friday 2027-01-01 is an ordinary working day for now.
    deadline = national.add_workdays(D(2026, 12, 30), 3)
    assert deadline.date == D(2027, 1, 4)  # 12-31, 01-01, (weekend), 01-04
    assert not deadline.confirmed
    assert deadline.unconfirmed_years == (2027,)
    assert "2027年的节假日安排尚未公布" in deadline.explain()
    assert not national.day_info(D(2027, 1, 1)).confirmed
    # Far outside every known year: still an answer, never an error.
    far = national.add_workdays(D(2090, 6, 1), 10)
    assert far.date == D(2090, 6, 15) and far.unconfirmed_years == (2090,)


def test_deadline_inside_an_announced_year_is_confirmed_even_if_acceptance_was_earlier(national):
    # Only the days relied on matter: the acceptance day itself is never relied on.
    table = WorkdayTable({}, [2027])
    assert table.add_workdays(D(2026, 12, 31), 1).confirmed


def test_a_datetime_is_refused_so_a_utc_date_is_never_used_by_mistake(national):
    with pytest.raises(TypeError):
        national.add_workdays(datetime.datetime(2026, 10, 1, 23, 0), 1)


# -- properties -------------------------------------------------------------------------

day_kinds = st.sampled_from(EXCEPTION_KINDS)
exceptions = st.dictionaries(
    st.dates(min_value=D(2019, 1, 1), max_value=D(2023, 12, 31)),
    st.tuples(day_kinds, st.sampled_from(["", "春节", "检修"])),
    max_size=60,
)
known = st.sets(st.integers(2017, 2025), max_size=9)
# Starts before, inside and after the span of the exceptions, to exercise all three formulas.
starts = st.dates(min_value=D(2016, 1, 1), max_value=D(2027, 12, 31))
counts = st.integers(min_value=0, max_value=700)


def works_naively(day: datetime.date, rules) -> bool:
    if day in rules:
        return rules[day][0] in WORKING_KINDS
    return day.weekday() < 5


def add_naively(start: datetime.date, n: int, rules) -> datetime.date:
    day, left = start, n
    while left:
        day += datetime.timedelta(days=1)
        if works_naively(day, rules):
            left -= 1
    return day


@settings(max_examples=300, deadline=None)
@given(exceptions, known, starts, counts)
def test_add_workdays_matches_a_day_by_day_count(rules, years, start, n):
    table = WorkdayTable(rules, years)
    deadline = table.add_workdays(start, n)
    assert deadline.date == add_naively(start, n, rules)
    naive_skipped = []
    day = start
    while day < deadline.date:
        day += datetime.timedelta(days=1)
        if not works_naively(day, rules):
            naive_skipped.append(day)
    assert [s.date for s in deadline.skipped] == naive_skipped
    # The days relied on are those after the acceptance day up to the due date.
    first_relied = start + datetime.timedelta(days=1)
    relied_years = set(range(first_relied.year, deadline.date.year + 1)) if n else set()
    assert set(deadline.unconfirmed_years) == relied_years - set(years)
    assert deadline.confirmed == (not deadline.unconfirmed_years)


@settings(max_examples=300, deadline=None)
@given(exceptions, known, starts, counts)
def test_workdays_between_round_trips_add_workdays(rules, years, start, n):
    table = WorkdayTable(rules, years)
    assert table.workdays_between(start, table.add_workdays(start, n).date) == n


@settings(max_examples=300, deadline=None)
@given(exceptions, known, starts, st.integers(min_value=1, max_value=700))
def test_deadline_is_always_a_working_day(rules, years, start, n):
    table = WorkdayTable(rules, years)
    due = table.add_workdays(start, n).date
    assert table.is_workday(due)
    assert works_naively(due, rules)


@settings(max_examples=300, deadline=None)
@given(exceptions, known, starts, counts)
def test_deadline_moves_strictly_later_as_days_grow(rules, years, start, n):
    table = WorkdayTable(rules, years)
    assert table.add_workdays(start, n + 1).date > table.add_workdays(start, n).date


@settings(max_examples=300, deadline=None)
@given(exceptions, known, starts, starts)
def test_workdays_between_counts_the_days_after_start_up_to_end(rules, years, a, b):
    table = WorkdayTable(rules, years)
    first, last = min(a, b), max(a, b)
    naive = sum(
        works_naively(first + datetime.timedelta(days=k), rules) for k in range(1, (last - first).days + 1)
    )
    assert table.workdays_between(first, last) == naive
    assert table.workdays_between(last, first) == -naive


@settings(max_examples=200, deadline=None)
@given(exceptions, st.dates(min_value=D(2016, 1, 1), max_value=D(2027, 12, 31)))
def test_is_workday_follows_the_stored_day_or_monday_to_friday(rules, day):
    table = WorkdayTable(rules, [])
    assert table.is_workday(day) == works_naively(day, rules)
    info = table.day_info(day)
    if day in rules:
        assert info.kind == rules[day][0]
    else:
        assert info.kind == (WEEKEND if day.weekday() >= 5 else "weekday")


def test_package_schedule_names_holidays_in_chinese():
    schedule = package_schedule()
    assert schedule[D(2026, 10, 1)] == (HOLIDAY, "国庆节")
    assert schedule[D(2026, 10, 10)] == (MAKEUP, "国庆节")
    assert {kind for kind, _name in schedule.values()} == {HOLIDAY, MAKEUP}
    assert EXTRA_OFF not in WORKING_KINDS

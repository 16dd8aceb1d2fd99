"""BusinessCalendar against numpy's busday functions, and the docs/rules.md calendar examples."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.core.calendar import COMPANY_DAY_OFF, BusinessCalendar, CalendarConfig, CalendarError
from esp_cli.errors import EspError

ONE_DAY = timedelta(days=1)
FIRST, LAST = date(2020, 1, 1), date(2035, 12, 31)


@cache
def us_holidays() -> frozenset[date]:
    # Wider than the dates drawn: offsets from the edges land in the neighbouring years.
    return frozenset(holidays.country_holidays("US", years=range(2017, 2039)).keys())


def numpy_holidays(extra: frozenset[date], working: frozenset[date]) -> np.ndarray:
    closed = (us_holidays() | extra) - working
    return np.array(sorted(closed), dtype="datetime64[D]")


def d64(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def py(d: np.datetime64) -> date:
    result = d.astype(object)
    assert isinstance(result, date)
    return result


US = BusinessCalendar()

dates = st.dates(min_value=FIRST, max_value=LAST)
# Dates near US holidays, so the interesting days are drawn often, not once in a blue moon.
near_holidays = st.builds(
    lambda h, k: h + timedelta(days=k),
    st.sampled_from(sorted(d for d in us_holidays() if FIRST <= d <= LAST)),
    st.integers(-6, 6),
)
any_date = st.one_of(dates, near_holidays)
offsets = st.integers(-30, 30)


def numpy_elapsed(a: date, b: date, hol: np.ndarray) -> int:
    """docs/rules.md's elapsed(a, b) = busday_count(a + 1, b + 1) for b >= a.

    Backwards, numpy's busday_count counts the window (b + 1, a + 1] rather than (b, a], so
    "due Monday, seen the Friday before" would be -2; the calendar is antisymmetric instead
    (-1: one business day to go), and that is what is checked here.
    """
    if b < a:
        return -numpy_elapsed(b, a, hol)
    return int(np.busday_count(d64(a + ONE_DAY), d64(b + ONE_DAY), holidays=hol))


def check_against_numpy(
    cal: BusinessCalendar, hol: np.ndarray, pairs: list[tuple[date, date]], ns: list[int]
) -> None:
    for (a, b), n in zip(pairs, ns, strict=True):
        assert cal.is_business_day(a) == bool(np.is_busday(d64(a), holidays=hol)), a
        assert cal.elapsed(a, b) == numpy_elapsed(a, b, hol), (a, b)
        assert cal.add(a, n) == py(np.busday_offset(d64(a), n, roll="backward", holidays=hol))
        assert cal.clock_day(a, n) == py(np.busday_offset(d64(a), n, roll="forward", holidays=hol))
        assert cal.first_business_day_on_or_after(a) == py(
            np.busday_offset(d64(a), 0, roll="forward", holidays=hol)
        )
        assert cal.next_business_day(a) == py(
            np.busday_offset(d64(a + ONE_DAY), 0, roll="forward", holidays=hol)
        )


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(any_date, any_date), min_size=10, max_size=10),
    ns=st.lists(offsets, min_size=10, max_size=10),
)
def test_us_calendar_matches_numpy(pairs: list[tuple[date, date]], ns: list[int]) -> None:
    check_against_numpy(US, numpy_holidays(frozenset(), frozenset()), pairs, ns)


@settings(max_examples=150, deadline=None)
@given(
    extra=st.frozensets(any_date, max_size=12),
    working=st.frozensets(any_date, max_size=6),
    worked_holidays=st.frozensets(
        st.sampled_from(sorted(d for d in us_holidays() if FIRST <= d <= LAST)), max_size=6
    ),
    pairs=st.lists(st.tuples(any_date, any_date), min_size=10, max_size=10),
    ns=st.lists(offsets, min_size=10, max_size=10),
)
def test_configured_calendar_matches_numpy(
    extra: frozenset[date],
    working: frozenset[date],
    worked_holidays: frozenset[date],
    pairs: list[tuple[date, date]],
    ns: list[int],
) -> None:
    # A fresh calendar per example also exercises loading the years in a random order.
    working = working | worked_holidays
    cal = BusinessCalendar(
        CalendarConfig(extra_days_off=tuple(extra), working_holidays=tuple(working))
    )
    check_against_numpy(cal, numpy_holidays(extra, working), pairs, ns)


@settings(max_examples=200, deadline=None)
@given(a=any_date, b=any_date)
def test_holidays_between_lists_the_closed_weekdays(a: date, b: date) -> None:
    listed = US.holidays_between(a, b)
    expected = sorted(d for d in us_holidays() if a <= d <= b and d.weekday() < 5)
    assert [d for d, _ in listed] == expected
    assert all(name for _, name in listed)


@settings(max_examples=200, deadline=None)
@given(a=any_date, n=st.integers(0, 40))
def test_add_is_the_first_day_with_n_business_days_passed(a: date, n: int) -> None:
    # docs/rules.md's definition, checked directly: elapsed reaches n on add(a, n), not before.
    due = US.add(a, n)
    assert US.elapsed(a, due) >= n
    assert US.elapsed(a, due - ONE_DAY) < n or due - ONE_DAY <= a


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 11, 11), "Veterans Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 1, 1), "New Year's Day"),
        # Observed dates: Christmas 2027 and New Year 2028 fall on Saturdays.
        (date(2027, 12, 24), "Christmas Day (observed)"),
        (date(2027, 12, 31), "New Year's Day (observed)"),
    ],
)
def test_domain_holidays_are_not_business_days(day: date, name: str) -> None:
    cal = BusinessCalendar()
    assert day.weekday() < 5
    assert not cal.is_business_day(day)
    assert cal.holidays_between(day, day) == [(day, name)]


def test_domain_examples() -> None:
    cal = BusinessCalendar()
    # Veterans Day Wed 11-11 is skipped: requested Mon 11-09 -> 10-day point Tue 11-24.
    assert cal.add(date(2026, 11, 9), 10) == date(2026, 11, 24)
    assert cal.elapsed(date(2026, 11, 9), date(2026, 11, 23)) == 9
    assert cal.elapsed(date(2026, 11, 9), date(2026, 11, 24)) == 10
    # Start Fri 11-20: clock day 2 is Tue 11-24, day 3 Wed 11-25; Thanksgiving 11-26 skipped.
    assert cal.clock_day(date(2026, 11, 20), 2) == date(2026, 11, 24)
    assert cal.clock_day(date(2026, 11, 20), 3) == date(2026, 11, 25)
    assert cal.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    # Start Sat 11-21: the clock begins Mon 11-23; day 3 is Fri 11-27.
    assert cal.first_business_day_on_or_after(date(2026, 11, 21)) == date(2026, 11, 23)
    assert cal.clock_day(date(2026, 11, 21), 3) == date(2026, 11, 27)
    # Christmas (Fri) and New Year (Fri): the next business day after Thu 12-24 is Mon 12-28.
    assert cal.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert cal.next_business_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_elapsed_is_negative_backwards() -> None:
    cal = BusinessCalendar()
    assert cal.elapsed(date(2026, 11, 30), date(2026, 11, 20)) == -5
    assert cal.elapsed(date(2026, 11, 20), date(2026, 11, 20)) == 0
    # Due Monday, seen the Friday before: one business day to go.
    assert cal.elapsed(date(2026, 11, 30), date(2026, 11, 27)) == -1


def test_years_are_loaded_for_any_date_asked_about() -> None:
    cal = BusinessCalendar()
    assert not cal.is_business_day(date(2026, 11, 26))
    # Far outside the first years loaded: still a real holiday, not an empty year.
    assert not cal.is_business_day(date(2040, 11, 22))  # Thanksgiving 2040
    assert not cal.is_business_day(date(1999, 11, 25))  # Thanksgiving 1999
    # A result in an unloaded year is computed with that year's holidays too.
    late = BusinessCalendar()
    assert late.is_business_day(date(2035, 12, 28))
    wide = numpy_holidays(frozenset(), frozenset())
    assert late.add(date(2035, 12, 28), 400) == py(
        np.busday_offset(d64(date(2035, 12, 28)), 400, roll="backward", holidays=wide)
    )


def test_company_days_off_and_worked_holidays() -> None:
    day_off = date(2026, 11, 27)  # the Friday after Thanksgiving
    worked = date(2026, 11, 11)  # Veterans Day
    cal = BusinessCalendar(CalendarConfig(extra_days_off=(day_off,), working_holidays=(worked,)))
    assert not cal.is_business_day(day_off)
    assert cal.is_business_day(worked)
    assert cal.holidays_between(date(2026, 11, 1), date(2026, 11, 30)) == [
        (date(2026, 11, 26), "Thanksgiving Day"),
        (day_off, COMPANY_DAY_OFF),
    ]
    # Without Veterans Day off the 10-day point comes a day sooner.
    assert cal.add(date(2026, 11, 9), 10) == date(2026, 11, 23)


def test_subdivision_is_used_and_forgiving_about_case() -> None:
    cal = BusinessCalendar(CalendarConfig(country="us", subdivision="ca"))
    assert not cal.is_business_day(date(2026, 3, 31))  # Cesar Chavez Day, California only
    assert BusinessCalendar().is_business_day(date(2026, 3, 31))


def test_unknown_country_says_what_and_how_to_fix() -> None:
    with pytest.raises(ValueError, match='"XX"') as caught:
        BusinessCalendar(CalendarConfig(country="XX"))
    assert isinstance(caught.value, CalendarError)
    assert isinstance(caught.value, EspError)
    assert '[calendar] country = "US"' in str(caught.value)


def test_unknown_subdivision_says_what_and_how_to_fix() -> None:
    with pytest.raises(CalendarError, match='"Atlantis"') as caught:
        BusinessCalendar(CalendarConfig(country="US", subdivision="Atlantis"))
    assert '[calendar] country = "US"' in str(caught.value)
    assert "CA" in str(caught.value)


JUL_4 = date(2026, 7, 4)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # A Saturday in both lists: never worked; the workdays entry gets its own line.
        (
            CalendarConfig(working_holidays=(JUL_4,), extra_days_off=(JUL_4,)),
            [
                ("company_workdays", "2026-07-04 is a Saturday (Independence Day), never a "
                 "business day; the holiday is observed on Fri 07/03/2026 — did you mean that "
                 "day?"),
                ("company_days_off",
                 "2026-07-04 is a Saturday, not a business day already: it closes nothing"),
            ],
        ),
        # The observed day listed too: the weekend entry is redundant, no "did you mean".
        (
            CalendarConfig(working_holidays=(date(2026, 7, 3), date(2026, 7, 4))),
            [("company_workdays", "2026-07-04 is a Saturday (Independence Day), never a business "
              "day; Fri 07/03/2026 (Independence Day (observed)) is in company_workdays already: "
              "the entry is redundant")],
        ),
        (
            CalendarConfig(working_holidays=(date(2027, 12, 31), date(2028, 1, 1))),
            [("company_workdays", "2028-01-01 is a Saturday (New Year's Day), never a business "
              "day; Fri 12/31/2027 (New Year's Day (observed)) is in company_workdays already: "
              "the entry is redundant")],
        ),
        # Boxing Day's own observed day, not Christmas Day's (Mon 12/27/2027).
        (
            CalendarConfig(country="GB", working_holidays=(date(2027, 12, 26),)),
            [("company_workdays", "2027-12-26 is a Sunday (Boxing Day), never a business day; "
              "the holiday is observed on Tue 12/28/2027 — did you mean that day?")],
        ),
    ],
)  # fmt: skip
def test_a_calendar_entry_that_changes_nothing_names_what_it_probably_meant(
    config: CalendarConfig, expected: list[tuple[str, str]]
) -> None:
    assert BusinessCalendar(config).idle_entries() == expected

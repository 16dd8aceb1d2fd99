"""One day/month order per file (textdates.py), decided from all its dates, and zoned
timestamps on the team's day: property tests against the dates that were written."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from esp_cli.core.textdates import MONTH_FIRST, DateOrder, date_order, read_day
from esp_cli.core.values import Unreadable

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def written(draw: st.DrawFn, day_first: bool) -> tuple[list[str], list[date]]:
    """A file's dates as one PC writes them: one order, one separator, a year of two or four
    digits, sometimes a time after."""
    days = draw(st.lists(DAYS, min_size=1, max_size=12))
    sep = draw(st.sampled_from("/.-"))
    year = draw(st.sampled_from(["%Y", "%y"]))
    time = draw(st.sampled_from(["", " 17:05", " 9:30:15"]))
    pattern = sep.join(["%d", "%m", year] if day_first else ["%m", "%d", year])
    return [d.strftime(pattern) + time for d in days], days


@given(st.booleans(), st.data())
def test_a_file_is_read_in_the_order_it_was_written(day_first: bool, data: st.DataObject) -> None:
    texts, days = data.draw(written(day_first))
    decides = any(d.day > 12 for d in days)
    order = date_order(texts)
    dotted = texts[0][2] == "."  # no US program writes dots: day first
    if decides:
        assert order.day_first is day_first
    else:
        assert order.day_first is dotted  # nothing decides: day first if dotted, else month
    if decides or day_first is dotted:
        assert [read_day(t, order) for t in texts] == days


@given(st.data())
def test_a_file_with_both_orders_guesses_nothing(data: st.DataObject) -> None:
    dmy, dmy_days = data.draw(written(True))
    mdy, mdy_days = data.draw(written(False))
    assume(any(d.day > 12 for d in dmy_days) and any(d.day > 12 for d in mdy_days))
    order = date_order(dmy + mdy)
    assert order.day_first is None
    for text, day in [*zip(dmy, dmy_days, strict=True), *zip(mdy, mdy_days, strict=True)]:
        if day.day != day.month and day.day <= 12:
            with pytest.raises(Unreadable, match="day first or month first"):
                read_day(text, order)
        else:
            assert read_day(text, order) == day


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31)),
       st.sampled_from(["UTC", "America/New_York", "Asia/Manila", "Pacific/Honolulu"]),
       st.sampled_from(["America/New_York", "America/Los_Angeles", "Europe/Madrid"]))  # fmt: skip
def test_a_zoned_timestamp_counts_for_the_teams_day(moment: datetime, zone: str, team: str) -> None:
    aware = moment.replace(microsecond=0, tzinfo=ZoneInfo(zone))
    text = aware.isoformat().replace("+00:00", "Z")
    assert read_day(text, MONTH_FIRST, ZoneInfo(team)) == aware.astimezone(ZoneInfo(team)).date()


@pytest.mark.parametrize(
    ("values", "day_first"),
    [
        (["24.11.2026", "05.11.2026"], True),
        (["05.11.2026", "24.11.2026 17:00"], True),
        (["11/05/2026", "11/24/2026"], False),
        (["05/11/2026", "06/11/2026"], False),  # nothing decides: month first (docs/rules.md)
        (["2026-11-24", "Nov 5, 2026", None, 46350.5, datetime(2026, 11, 5)], False),
        (["24/11/2026", "11/25/2026"], None),
    ],
)
def test_date_order(values: list[object], day_first: bool | None) -> None:
    assert date_order(values).day_first is day_first


def test_the_refusal_names_both_kinds() -> None:
    order = DateOrder(None, "24/11/2026", "11/25/2026")
    with pytest.raises(Unreadable, match=r"'24/11/2026'.*'11/25/2026'.*YYYY-MM-DD"):
        read_day("05/11/2026", order)
    assert read_day("05/05/2026", order) == date(2026, 5, 5)  # the same either way

"""Cell values as the team types them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esp_cli.core import values
from esp_cli.core.columns import alias_table, match_header, normalise_header
from esp_cli.core.values import (
    ErrorValue,
    Unreadable,
    display_name,
    name_key,
    parse_date,
    parse_datetime,
    parse_number,
    parse_yes_no,
    text_of,
    typed_text,
)
from tests.support.processes import python_prints

NOV23 = date(2026, 11, 23)


@pytest.mark.parametrize(
    "raw",
    [
        NOV23,
        datetime(2026, 11, 23, 14, 5),
        46349,
        46349.6,
        "46349",
        "11/23/2026",
        "11/23/26",
        "2026-11-23",
        "Nov 23, 2026",
        "November 23, 2026",
        " 11/23/2026 ",
        "11/23/2026 2:30 PM",
        "2026-11-23T09:00:00",
    ],
)
def test_dates_typed_every_way(raw: object) -> None:
    assert parse_date(raw) == NOV23


def _by_the_formats(text: str) -> date | None:
    """The date strptime reads with the first of esp's formats that fits and gives a
    plausible year, else None."""
    for fmt in (*values._TEXT_DATE_FORMATS, *values._TEXT_DATETIME_FORMATS):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1990 <= day.year <= 2100:
            return day
    return None


_SHAPES = (
    "{m}/{d}/{Y}",
    "{mm}/{dd}/{Y}",
    "{m}/{d}/{y}",
    "{Y}-{mm}-{dd}",
    "{Y}-{m}-{d}",
    "{m}-{d}-{Y}",
    "{b} {d}, {Y}",
    "{d} {b} {Y}",
    "{m}/{d}/{Y} {h}:30",
    "{Y}-{mm}-{dd}T{h}:30",
    "{m}/{d}/{Y}x",
    "{m}/{d}/{Y}{y}",
)


@given(
    month=st.integers(0, 19),
    day=st.integers(0, 39),
    year=st.integers(0, 9999),
    hour=st.integers(0, 29),
    shape=st.sampled_from(_SHAPES),
)
def test_a_text_date_is_read_as_the_first_format_that_fits_reads_it(
    month: int, day: int, year: int, hour: int, shape: str
) -> None:
    text = shape.format(
        m=month,
        d=day,
        mm=f"{month:02d}",
        dd=f"{day:02d}",
        Y=f"{year:04d}",
        y=f"{year % 100:02d}",
        b=("Jan", "Nov", "Sept", "nov", "MAY")[month % 5],
        h=hour,
    )
    expected = _by_the_formats(text)
    if expected is not None:
        assert parse_date(text) == expected


@pytest.mark.parametrize("raw", ["1/5/1900", "01/05/1900", "1/5/2200", "2101-01-01"])
def test_a_text_date_of_an_implausible_year_says_what_is_expected(raw: str) -> None:
    with pytest.raises(Unreadable, match="is not a date \\(expected e.g. 11/23/2026\\)"):
        parse_date(raw)


def test_1904_serials() -> None:
    assert parse_date(44887, date1904=True) == NOV23


@pytest.mark.parametrize(
    "raw",
    ["TBD", "11/31/2026", "13/01/2026", True, 5, "9999-12-31", "12/31/10000", float("nan"),
     float("inf")],
)  # fmt: skip
def test_unreadable_dates_raise(raw: object) -> None:
    with pytest.raises(Unreadable):
        parse_date(raw)
    with pytest.raises(Unreadable):
        values.parse_datetime(raw)


@pytest.mark.parametrize(
    "raw", [datetime(1899, 12, 30), date(1900, 1, 1), datetime(1901, 1, 1, 9, 30), date(2150, 1, 1)]
)
def test_a_date_and_time_of_an_implausible_year_cannot_be_read(raw: date) -> None:
    """A serial 1 or 367 typed in a date-and-time column (01/01/1900, 01/01/1901) is a slip,
    as it is in a date column."""
    with pytest.raises(Unreadable, match="is not a plausible date"):
        parse_datetime(raw)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (time(0, 0), "00:00 (a time) is not a date"),
        (timedelta(hours=26, minutes=30), "26:30 (a duration) is not a date"),
        (datetime(1899, 12, 30), "12/30/1899 00:00 is not a plausible date (year 1899)"),
        (date(1900, 1, 1), "01/01/1900 is not a plausible date (year 1900)"),
        (float("nan"), "NaN is not an Excel date serial"),
        (-5.0, "-5 is not an Excel date serial"),
        (float("-inf"), "-inf is not an Excel date serial"),
        (True, "TRUE is not a date"),
        ("TBD", "'TBD' is not a date (expected e.g. 11/23/2026)"),
    ],
)
def test_a_cell_that_is_no_date_is_shown_as_a_person_sees_it(raw: object, shown: str) -> None:
    """Never a Python repr (`datetime.time(0, 0)`): what the cell shows, or holds."""
    with pytest.raises(Unreadable) as caught:
        parse_date(raw)
    assert str(caught.value) == shown
    with pytest.raises(Unreadable) as caught:
        parse_datetime(raw)
    assert str(caught.value) == shown + (" and time" if shown.endswith("not a date") else "")


@pytest.mark.parametrize("raw", [time(9, 0), date(2026, 11, 23), -1.5, float("nan")])
def test_other_readers_show_the_cell_as_a_person_sees_it(raw: object) -> None:
    for read in (parse_yes_no, parse_number):
        try:
            read(raw)
        except Unreadable as exc:
            assert "datetime." not in str(exc) and "nan" not in str(exc)


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_a_number_that_is_none_cannot_be_read(raw: float) -> None:
    """What a program other than Excel may write (`<v>NaN</v>`, `<v>1e400</v>`)."""
    with pytest.raises(Unreadable):
        values.parse_number(raw)


# -- text dates the format list misses: dateutil's reading, only when the text decides it


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11/23/2026 3:00:00 PM", datetime(2026, 11, 23, 15, 0)),
        ("23-Nov-2026", datetime(2026, 11, 23)),
        ("Nov. 23, 2026", datetime(2026, 11, 23)),
        ("Monday, November 23, 2026", datetime(2026, 11, 23)),
        ("11/23/2026 3:00:00 PM EST", datetime(2026, 11, 23, 15, 0)),  # the zone is ignored
        ("2026-11-23T15:00:00Z", datetime(2026, 11, 23, 15, 0)),
        ("11.23.26", datetime(2026, 11, 23)),
        ("2026/11/23 8:05", datetime(2026, 11, 23, 8, 5)),
    ],
)
def test_text_dates_the_formats_miss_are_read(raw: str, expected: datetime) -> None:
    assert parse_date(raw) == expected.date()
    assert parse_datetime(raw) == expected  # with its time


@pytest.mark.parametrize(
    "raw",
    [
        "Monday",  # no day, month or year of its own
        "2026",
        "8 hours",
        "Nov 2026",  # no day
        "Nov 23",  # no year
        "11/23",
        "1 2 3",  # no separator, no month name
        "20261123",
        "13/01/2026",  # a 13th month, not a day-first date
        "2026/13/01",
        "11/23/2150 3:00:00 PM",  # implausible year
        "next Monday",
        "Q4 2026",
        "N/A",
    ],
)
def test_text_dates_that_are_not_certain_stay_unreadable(raw: str) -> None:
    with pytest.raises(Unreadable, match="is not a date"):
        parse_date(raw)
    with pytest.raises(Unreadable, match="is not a date"):
        parse_datetime(raw)


Form = Callable[[datetime], str]
_TEXT_FORMS: tuple[Form, ...] = (
    lambda d: f"{d:%d-%b-%Y}",
    lambda d: f"{d:%b}. {d.day}, {d:%Y}",
    lambda d: f"{d:%A, %B} {d.day}, {d:%Y}",
    lambda d: f"{d.month}/{d.day}/{d:%Y} {d.hour % 12 or 12}:{d:%M:%S %p}",
)
_PARTIAL_FORMS: tuple[Form, ...] = (
    lambda d: f"{d:%A}",
    lambda d: f"{d:%b %Y}",
    lambda d: f"{d:%B} {d.day}",
    lambda d: f"{d.day} {d:%b}",
    lambda d: f"{d:%Y}",
)
_PLAUSIBLE = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31, 23, 59))


@given(_PLAUSIBLE, st.sampled_from(_TEXT_FORMS))
def test_any_date_written_out_in_full_is_read(when: datetime, form: Form) -> None:
    text = form(when)
    assert parse_date(text) == when.date(), text


@given(_PLAUSIBLE, st.sampled_from(_PARTIAL_FORMS))
def test_a_date_missing_its_day_month_or_year_is_refused(when: datetime, form: Form) -> None:
    text = form(when)
    with pytest.raises(Unreadable):
        parse_date(text)


def test_text_without_a_number_never_loads_dateutil() -> None:
    """`TBD` or `Pending` in a date column is common: it costs no import of dateutil."""
    code = (
        "import sys\n"
        "from esp_cli.core.values import Unreadable, parse_date\n"
        "for text in ('TBD', 'Pending', 'N/A', 'Monday'):\n"
        "    try:\n"
        "        parse_date(text)\n"
        "    except Unreadable:\n"
        "        pass\n"
        "print('dateutil' in sys.modules)\n"
    )
    assert python_prints(code) == "False\n"


def test_the_dates_typed_most_are_read_without_loading_strptime() -> None:
    """11/23/2026, 11/23/26, 2026-11-23 and Nov 23, 2026 are read as strptime reads them
    without it: its first use imports and compiles its tables for a command's first date."""
    code = (
        "import sys\n"
        "from esp_cli.core.values import parse_date\n"
        "days = [parse_date(t) for t in ('11/23/2026', '11/23/26', '2026-11-23', 'Nov 23, 2026',"
        " 'nov 3, 2026')]\n"
        "print([d.isoformat() for d in days], '_strptime' in sys.modules)\n"
    )
    days = "['2026-11-23', '2026-11-23', '2026-11-23', '2026-11-23', '2026-11-03']"
    assert python_prints(code) == f"{days} False\n"


def test_blank_is_none() -> None:
    assert parse_date(None) is None and parse_date("  ") is None


def test_datetime() -> None:
    assert parse_datetime("11/23/2026 2:30 PM") == datetime(2026, 11, 23, 14, 30)
    assert parse_datetime(46349.5) == datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Yes", True),
        ("Y", True),
        ("yes ", True),
        (True, True),
        ("x", True),
        ("Complete", True),
        ("TRUE", True),
        (1, True),
        ("No", False),
        ("N", False),
        (False, False),
        ("no", False),
        (None, None),
        ("", None),
    ],
)
def test_yes_no_variants(raw: object, expected: bool | None) -> None:
    assert parse_yes_no(raw) is expected


def test_yes_no_unreadable() -> None:
    with pytest.raises(Unreadable, match="not Yes or No"):
        parse_yes_no("maybe")


def test_numbers() -> None:
    assert parse_number("6.5 hrs") == 6.5
    assert parse_number("7:30") == 7.5
    assert parse_number(9) == 9.0


def test_names_in_either_order() -> None:
    assert display_name("Price,  Devon ") == "Devon Price"
    assert name_key("PRICE, DEVON") == name_key("devon  price") == "devon price"
    assert name_key("O'Neil, Pat") == name_key("Pat ONeil")


def test_text_of_ids_and_spaces() -> None:
    assert text_of(10234.0) == "10234"
    assert text_of("  N123  ") == "N123"


@pytest.mark.parametrize(
    "header,key",
    [
        ("Agent ID", "agent_id"),
        ("Employee ID", "agent_id"),
        ("Emp ID", "agent_id"),
        ("Date of N Number Request", "n_number_requested"),
        ("N Number Request Date", "n_number_requested"),
        ("Date Requested", "n_number_requested"),
        ("Request Date", "n_number_requested"),
        ("N Number", "n_number"),
        ("N#", "n_number"),
        ("NNumber", "n_number"),
        ("Agent Name", "agent_name"),
        ("Name", "agent_name"),
        ("Employee Name", "agent_name"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Class", "class"),
        ("Class ID", "class"),
        ("Class Name", "class"),
        ("Wave", "class"),
        ("All TBTs Complete?", "tbts_complete"),
        ("  all tbts  complete ", "tbts_complete"),
        ("Call Cert Complete", "call_cert_complete"),
    ],
)
def test_header_aliases(header: str, key: str) -> None:
    assert match_header(header, alias_table()) == key


def test_configured_alias_wins() -> None:
    table = alias_table({"Agent ID": ["Associate #"]})
    assert match_header("Associate #", table) == "agent_id"
    assert normalise_header("Date of N Number Request?") == "date of n number request"


@given(
    st.text(
        alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u200baZ9-é"),
        max_size=20,
    )
)
def test_an_id_is_compared_without_any_unicode_space_in_capitals(raw: str) -> None:
    import re

    assert values.id_key(raw) == re.sub(r"\s+", "", raw).upper()


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        ("my password expired", True),
        ("x", True),
        (2.5, True),
        (datetime(2026, 11, 24), True),
        ("", False),
        (" 12 ", False),
        ("-1", False),
        (3, False),
        (3.0, False),
        (True, False),
        ("#N/A", False),
        (ErrorValue("#REF!"), False),
    ],
)
def test_typed_text_is_words_not_row_numbers_nor_errors(value: object, typed: bool) -> None:
    assert typed_text(value) is typed

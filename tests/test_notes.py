"""The two note formats: format, parse, append once, keep earlier lines."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from esp_cli.core.notes import NoteKind, appended, format_line, latest, parse_line

DAY = date(2026, 11, 24)


def test_formats() -> None:
    assert format_line(NoteKind.NOTES, DAY, "Jordan  Reyes", "Called  agent") == (
        "11/24/2026 - Jordan Reyes - Called agent"
    )
    assert format_line(NoteKind.TBT, DAY, "Sam Lead", "On module 3") == (
        "Sam Lead - 11/24/2026 - On module 3"
    )


def test_parse_both_and_reject_others() -> None:
    assert parse_line(NoteKind.NOTES, "11/24/26 - Jo - a - b") is not None
    got = parse_line(NoteKind.TBT, "Sam Lead – 11/24/2026 – done")
    assert got is not None and got.author == "Sam Lead" and got.day == DAY
    assert parse_line(NoteKind.NOTES, "Sam Lead - 11/24/2026 - done") is None
    assert parse_line(NoteKind.NOTES, "called him") is None


def test_append_keeps_earlier_lines_and_never_twice() -> None:
    cell = "11/20/2026 - Jo - first  \n11/21/2026 - Jo - second"
    line = "11/24/2026 - Jo - third"
    new = appended(cell, line)
    assert new == cell + "\n" + line
    assert appended(new, line) is None
    assert appended(new, "11/24/2026 - jo -  third") is None
    assert appended(None, line) == line


def test_latest_by_date() -> None:
    cell = "11/22/2026 - Jo - b\n11/20/2026 - Jo - a\nnot a note"
    got = latest(NoteKind.NOTES, cell)
    assert got is not None and got.text == "b"


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)


@given(_DIGITS.filter(lambda t: len(t) <= 2), _DIGITS.filter(lambda t: len(t) <= 2), _DIGITS)
def test_a_line_s_date_reads_as_strptime_reads_it(month: str, day: str, year: str) -> None:
    """A note line's MM/DD/YYYY or MM/DD/YY reads as datetime.strptime reads it (%Y, then
    %y: 69-99 the 1900s), and a date that is no day (02/30, 13/01, 00/10) as none."""
    text = f"{month}/{day}/{year}"
    expected = None
    for fmt in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            expected = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    line = parse_line(NoteKind.NOTES, f"{text} - Jordan Reyes - Called.")
    assert (line.day if line is not None else None) == expected

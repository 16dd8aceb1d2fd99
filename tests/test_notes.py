"""The two note formats: format, parse, append once, keep earlier lines."""

from __future__ import annotations

from datetime import date

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

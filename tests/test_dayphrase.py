"""The days people type (core.dayphrase), with today pinned: every form docs/basics.md
lists, the year a month/day falls in around New Year, and each date option taking them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.dayphrase import NotADay, parse_day_phrase

TUE = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("2026-11-20", TUE, date(2026, 11, 20)),
        ("11/20/2026", TUE, date(2026, 11, 20)),
        ("11/20/26", TUE, date(2026, 11, 20)),
        ("today", TUE, TUE),
        (" Today ", TUE, TUE),
        ("yesterday", TUE, date(2026, 11, 23)),
        ("tomorrow", TUE, date(2026, 11, 25)),
        ("11/20", TUE, date(2026, 11, 20)),
        # A month/day is the most recent one up to today: the days typed have happened.
        ("1/4", TUE, date(2026, 1, 4)),
        ("6/1", TUE, date(2026, 6, 1)),
        ("11/24", TUE, TUE),
        ("11/25", TUE, date(2025, 11, 25)),
        ("12/30", date(2027, 1, 3), date(2026, 12, 30)),
        ("1/2", date(2027, 1, 3), date(2027, 1, 2)),
        # 02/29 in a year without one: the last leap year's.
        ("2/29", date(2026, 12, 5), date(2024, 2, 29)),
        ("2/29", date(2028, 2, 28), date(2024, 2, 29)),
        ("2/29", date(2028, 3, 1), date(2028, 2, 29)),
        # A weekday: the most recent one, today included; "last" goes before today.
        ("monday", TUE, date(2026, 11, 23)),
        ("mon", TUE, date(2026, 11, 23)),
        ("tuesday", TUE, TUE),
        ("last tuesday", TUE, date(2026, 11, 17)),
        ("wed", TUE, date(2026, 11, 18)),
        ("Thurs", TUE, date(2026, 11, 19)),
        ("sunday", TUE, date(2026, 11, 22)),
    ],
)
def test_the_days_people_type(text: str, today: date, expected: date) -> None:
    assert parse_day_phrase(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("1/4", TUE, date(2027, 1, 4)),  # 41 days ahead: nearer than last January
        ("6/1", TUE, date(2026, 6, 1)),  # this year's, under six months away
        ("12/30", date(2027, 1, 3), date(2026, 12, 30)),  # four days ago, not a year ahead
        ("1/2", date(2027, 1, 3), date(2027, 1, 2)),
        ("2/29", date(2028, 1, 10), date(2028, 2, 29)),
        # The nearest leap year's, either way: 2028's (449 days) before 2024's (1010).
        ("2/29", date(2026, 12, 5), date(2028, 2, 29)),
        ("2/29", date(2025, 1, 5), date(2024, 2, 29)),
    ],
)
def test_where_a_later_day_makes_sense_a_month_day_is_the_nearest(
    text: str, today: date, expected: date
) -> None:
    assert parse_day_phrase(text, today, future=True) == expected


@pytest.mark.parametrize("text", ["", "t", "tu", "someday", "13/4", "2/30", "2026-02-30", "11/24/"])
def test_what_is_not_a_day_is_refused(text: str) -> None:
    with pytest.raises(NotADay):
        parse_day_phrase(text, TUE)


@pytest.mark.parametrize(
    ("typed", "as_of"),
    [("yesterday", "2026-11-23"), ("11/20", "2026-11-20"), ("friday", "2026-11-20")],
)
def test_as_of_takes_the_days_people_type(sample: Path, typed: str, as_of: str) -> None:
    # Noon UTC: 11/24 in the sample's [calendar] timezone (New York) too.
    with time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False):
        got = CliRunner().invoke(app, ["explain", "Marcus Lee", "--as-of", typed, "-f", "json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["as_of"] == as_of


def test_a_date_option_says_every_form_it_takes(sample: Path) -> None:
    got = CliRunner().invoke(app, ["escalations", "--as-of", "someday"])
    assert got.exit_code == 2
    assert "'someday' is not a date" in got.stderr
    assert "MM/DD" in got.stderr and "yesterday" in got.stderr


SAT = date(2026, 12, 5)  # a Saturday, twelve days after the sample's day


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["escalations", "--as-of", "6/1", "--today"], "As of Mon 06/01/2026"),
        (["explain", "Marcus Lee", "--as-of", "6/1", "-f", "json"], '"as_of": "2026-06-01"'),
        (["report", "eod", "--date", "6/1", "-f", "json"], '"date": "2026-06-01"'),
        (["history", "--since", "6/1", "--cells"], "since Mon 06/01/2026"),
        (["advise", "--due", "--as-of", "6/1", "-n", "-f", "json"], '"as_of": "2026-06-01"'),
    ],
)
def test_a_past_day_option_reads_a_month_day_as_the_latest_one(
    sample: Path, args: list[str], shown: str
) -> None:
    """On 12/05/2026, `6/1` is 06/01/2026, not 06/01/2027 (a replay of a day to come, or a
    history since a day that has not come, would show nothing true)."""
    with time_machine.travel(SAT, tick=False):
        got = CliRunner().invoke(app, args)
    assert got.exit_code == 0, got.output
    assert shown in got.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["record-step", "Marcus Lee", "coaching", "--date", "11/24", "-n"],
        ["note", "add", "Marcus Lee", "Called", "--date", "11/24", "-n"],
        ["access", "set", "Marcus Lee", "Password Reset", "--date", "11/24", "-n"],
        ["access", "set", "Marcus Lee", "Password Reset", "--spoc-called", "11/24", "-n"],
    ],
)
def test_a_writer_takes_a_month_day_as_a_day_that_has_happened(
    sample: Path, args: list[str]
) -> None:
    """On 12/05/2026, `--date 11/24` is 11/24/2026; `12/6` is last year's, never refused as a
    day to come."""
    with time_machine.travel(SAT, tick=False):
        got = CliRunner().invoke(app, [*args, "-f", "json"])
        later = CliRunner().invoke(
            app, [*[a if a != "11/24" else "12/6" for a in args], "-f", "json"]
        )
    assert got.exit_code == 0, got.output
    assert "11/24/2026" in got.stdout or "2026-11-24" in got.stdout, got.stdout
    # (a coaching on 12/06/2025 is refused as too early for Marcus, never as after today)
    assert "after today" not in later.output and "2027" not in later.output, later.output


def test_a_document_may_be_for_a_day_ahead(sample: Path) -> None:
    """The day a document is made for may be tomorrow's: there a month/day is the nearest."""
    with time_machine.travel(date(2026, 12, 30), tick=False):
        got = CliRunner().invoke(
            app,
            [
                "document",
                "Marcus Lee",
                "coaching",
                "--date",
                "1/4",
                "-n",
                "-o",
                "docs",
                "-f",
                "json",
            ],
        )
    assert got.exit_code == 0, got.output
    assert "2027-01-04" in got.stdout


def test_the_rounds_spoc_key_takes_a_month_day_as_a_day_that_has_happened() -> None:
    """`/i INC0049311 12/1` on 12/05/2026: SPOC was called on 12/01/2026, and `12/6` is
    last year's (SPOC cannot have been called on a day to come)."""
    from esp_cli.core.answers import read_spoc, typed_day

    assert read_spoc("INC0049311 12/1", SAT, typed_day).called == date(2026, 12, 1)
    assert read_spoc("INC0049311 12/6", SAT, typed_day).called == date(2025, 12, 6)


def test_a_kpi_period_may_end_ahead_but_starts_on_a_day_that_has_happened(sample: Path) -> None:
    """On 12/05/2026, `report kpi --from 11/2 --to 12/31` is 11/02/2026 to 12/31/2026."""
    with time_machine.travel(SAT, tick=False):
        got = CliRunner().invoke(
            app, ["report", "kpi", "--from", "11/2", "--to", "12/31", "-f", "json"]
        )
    assert got.exit_code == 0, got.output
    period = json.loads(got.stdout)
    assert "2026-11-02" in json.dumps(period) and "2026-12-31" in json.dumps(period)

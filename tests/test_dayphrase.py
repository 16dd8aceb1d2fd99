"""The days people type (core.dayphrase), with today pinned: every form docs/basics.md
lists, the year a month/day falls in around New Year, and each date option taking them."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.dayphrase import NotADay, parse_day_phrase
from tests.support.paths import SAMPLE_DATA

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
        ("1/4", TUE, date(2027, 1, 4)),  # 41 days ahead: nearer than last January
        ("6/1", TUE, date(2026, 6, 1)),  # this year's, under six months away
        # On 01/03/2027, 12/30 is four days ago, not a date a year ahead.
        ("12/30", date(2027, 1, 3), date(2026, 12, 30)),
        ("1/2", date(2027, 1, 3), date(2027, 1, 2)),
        ("2/29", date(2028, 1, 10), date(2028, 2, 29)),
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


@pytest.mark.parametrize("text", ["", "t", "tu", "someday", "13/4", "2/30", "2026-02-30", "11/24/"])
def test_what_is_not_a_day_is_refused(text: str) -> None:
    with pytest.raises(NotADay):
        parse_day_phrase(text, TUE)


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("typed", "as_of"),
    [("yesterday", "2026-11-23"), ("11/20", "2026-11-20"), ("friday", "2026-11-20")],
)
def test_as_of_takes_the_days_people_type(sample: Path, typed: str, as_of: str) -> None:
    with time_machine.travel(date(2026, 11, 24), tick=False):
        got = CliRunner().invoke(app, ["explain", "Marcus Lee", "--as-of", typed, "-f", "json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["as_of"] == as_of


def test_a_date_option_says_every_form_it_takes(sample: Path) -> None:
    got = CliRunner().invoke(app, ["escalations", "--as-of", "someday"])
    assert got.exit_code == 2
    assert "'someday' is not a date" in got.stderr
    assert "MM/DD" in got.stderr and "yesterday" in got.stderr

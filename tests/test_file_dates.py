"""A report or notes file whose dates are all of days 1 to 12: dotted dates and a `;` file
are European, so day first; a timestamp ending in UTC or GMT counts for the team's day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esp_cli.core.textdates import date_order, read_day
from tests import factories
from tests.test_self_reports import AGENTS, import_json, run


@pytest.fixture
def config(tmp_path: Path) -> Path:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    path = tmp_path / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n'
        '[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # Dotted: no US program writes a date with dots.
        ("Timestamp,Agent Name,Update\r\n05.11.2026 17:02,Sam Lee,Done\r\n", "2026-11-05"),
        ("Timestamp;Agent Name;Update\r\n05.11.2026 17:02;Sam Lee;Done\r\n", "2026-11-05"),
        # Slashes in a `;` file: French, Spanish or Italian Excel.
        ("Timestamp;Agent Name;Update\r\n05/11/2026 17:02;Sam Lee;Done\r\n", "2026-11-05"),
        ("sep=;\r\nTimestamp;Agent Name;Update\r\n05/11/2026;Sam Lee;Done\r\n", "2026-11-05"),
        # A US file stays month first.
        ("Timestamp,Agent Name,Update\r\n05/11/2026 17:02,Sam Lee,Done\r\n", "2026-05-11"),
        # A value that can only be month first decides, whatever the delimiter.
        ("Timestamp;Agent Name;Update\r\n11/24/2026;Sam Lee;A\r\n05/11/2026;Sam Lee;B\r\n", None),
    ],
)
def test_a_european_report_file_is_day_first(
    tmp_path: Path, config: Path, text: str, day: str | None
) -> None:
    path = tmp_path / "report.csv"
    path.write_text(text, encoding="utf-8")
    dates = sorted(i["date"] for i in import_json(config, path)["imported"])
    assert dates == ([day] if day else ["2026-05-11", "2026-11-24"])


def test_note_import_reads_a_dotted_file_day_first(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "notes-de.csv"
    path.write_text(
        "sep=;\r\nagent;note;date\r\nSam Lee;Anruf, keine Antwort;03.11.2026\r\n"
        "Devon Price;Coaching geplant;04.11.2026\r\n",
        encoding="utf-8",
    )
    res = run("note", "import", str(path), "--config", str(config), "-f", "json", "--dry-run")
    assert res.exit_code == 0, res.output
    lines = {n["agent"]: n["line"] for n in json.loads(res.stdout)["notes"]}
    assert lines == {
        "Sam Lee": "11/03/2026 - Jordan Reyes - Anruf, keine Antwort",
        "Devon Price": "11/04/2026 - Jordan Reyes - Coaching geplant",
    }


def test_the_order_of_dotted_dates_alone() -> None:
    assert date_order(["05.11.2026", "04.11.2026 9:00"]).day_first is True
    assert date_order(["05/11/2026", "04/11/2026"]).day_first is False
    assert date_order(["05/11/2026"], day_first=True).day_first is True
    assert date_order(["05/11/2026", "11/24/2026"], day_first=True).day_first is False


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-25 03:30:00 UTC",
        "2026-11-25T03:30:00 UTC",
        "2026-11-25 03:30 GMT",
        "2026-11-25T03:30:00+0000",
        "2026-11-25 03:30:00Z",
    ],
)
def test_a_utc_timestamp_in_any_spelling_is_the_teams_day(value: str) -> None:
    from zoneinfo import ZoneInfo

    assert f"{read_day(value, tz=ZoneInfo('America/New_York'))}" == "2026-11-24"


def test_a_csv_with_a_utc_suffix_is_filed_on_the_teams_day(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n2026-11-25 03:30:00 UTC,Sam Lee,Late evening\r\n",
        encoding="utf-8",
    )
    assert [i["date"] for i in import_json(config, path)["imported"]] == ["2026-11-24"]

"""The day of the search typed in Searched by Course Number in place of Yes: searched from
that day on, not before it. A day replayed before it reads not searched yet (esp explain
--as-of), today's reading stays yes, and a day after today (a year or month typed wrong) is
not searched yet either, said at its cell by every command that reads it."""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esp_cli.core import columns
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig
from esp_cli.core.rules import AgentFacts, as_of, explain
from tests.support.paths import SAMPLE_DATA

from .test_exact_headers import run

DAY = date(2026, 11, 20)


@pytest.fixture
def located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with a screenshot for each Cannot Locate TBT agent (Amira Hassan, row 49;
    Tamara Wells, row 77)."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DATA, folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    (folder / "shots").mkdir()
    for name in ("Amira Hassan", "Tamara Wells"):
        (folder / "shots" / f"{name} course number.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def _type(folder: Path, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    assert (ws["U4"].value, ws["B49"].value) == ("Searched by Course Number", "Amira Hassan")
    ws["U49"] = value
    wb.save(folder / "ESP Tracker.xlsx")


def _u49(folder: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(folder / "ESP Tracker.xlsx").worksheets[0]["U49"].value


def test_the_day_searched_is_read_as_that_day_and_searched_from_it_on() -> None:
    read_searched = columns.read_searched
    for typed in (datetime(2026, 11, 20), "11/20/2026", "Nov 20, 2026"):
        assert read_searched(typed) == DAY, typed
    assert read_searched(40118) is True and read_searched("Yes") is True
    searched_on = columns.searched_on
    assert searched_on(DAY, DAY) is True and searched_on(DAY, date(2026, 11, 19)) is False
    assert searched_on(True, date(2000, 1, 1)) is True and searched_on(None, DAY) is None


def test_the_rules_read_a_day_of_the_search_after_the_day_as_not_searched_yet() -> None:
    facts = AgentFacts(
        esp_start=date(2026, 11, 16), citrix_access="Cannot Locate TBT", searched_course=DAY
    )
    then, notes = as_of(facts, date(2026, 11, 19))
    assert then.searched_course is False
    assert notes == ("Searched by Course Number 11/20/2026 is after 11/19/2026: not searched yet.",)
    assert as_of(facts, DAY) == (facts, ())
    cal = BusinessCalendar(CalendarConfig())
    for day, word in ((date(2026, 11, 19), "no"), (DAY, "yes"), (date(2026, 11, 24), "yes")):
        lines = explain(facts, day, datetime.combine(day, datetime.max.time()), cal)
        assert any(f"Searched by Course Number is {word}." in line for line in lines), lines


@pytest.mark.parametrize("typed", [datetime(2026, 11, 20), "11/20/2026"], ids=["date", "text"])
def test_explain_as_of_a_day_before_the_day_searched_says_not_searched_yet(
    located: Path, typed: Any
) -> None:
    _type(located, typed)
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-19")
    assert res.exit_code == 0, res.output
    assert "Searched by Course Number is no." in res.stdout, res.stdout
    assert "Searched by Course Number 11/20/2026 is after 11/19/2026: not searched yet." in (
        res.stdout
    )
    assert "Inconsistent" not in res.stdout  # recorded later: expected on a day replayed
    (row,) = [line for line in res.stdout.splitlines() if "'ESP Tracker'!U49" in line]
    assert "not yet (the day searched)" in row, row
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-19", "-f", "json")
    (cell,) = [c for c in json.loads(res.stdout)["cells"] if c["cell"] == "'ESP Tracker'!U49"]
    assert cell["value"] is False, cell
    # On the day of the search, and today: searched.
    for day in ("2026-11-20", "2026-11-24"):
        res = run("explain", "Amira Hassan", "--as-of", day)
        assert "Searched by Course Number is yes." in res.stdout, res.stdout
        assert "not searched yet" not in res.stdout, res.stdout


def test_a_day_of_the_search_after_today_is_not_searched_yet_and_said_at_its_cell(
    located: Path,
) -> None:
    ahead = date.today() + timedelta(days=40)
    _type(located, datetime.combine(ahead, datetime.min.time()))
    shown = f"{ahead:%m/%d/%Y}"
    res = run("explain", "Amira Hassan")
    assert res.exit_code == 0, res.output
    assert "Searched by Course Number is no." in res.stdout, res.stdout
    assert f"Inconsistent: Searched by Course Number {shown} is after" in res.stdout, res.stdout
    res = run("doctor", "-f", "json")
    found = [f for f in json.loads(res.stdout)["findings"] if f["cell"] == "'ESP Tracker'!U49"]
    assert [f["rule"] for f in found] == ["ESP006"], found
    assert f"Searched by Course Number {shown}, after today" in found[0]["message"], found
    res = run("report", "locate", "--screenshots", "shots", "--dry-run", "-f", "json")
    assert res.exit_code == 0, res.output
    assert (
        f"'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number) holds {shown}, a day "
        "after today" in res.stderr
    ), res.stderr
    cases = {c["agent"]: c["searched_before"] for c in json.loads(res.stdout)["cases"]}
    assert cases["Amira Hassan"] is False, cases
    assert "U49 (Amira Hassan, Searched by Course Number):" not in res.stderr  # kept
    res = run("report", "locate", "--screenshots", "shots")
    assert res.exit_code == 0, res.output
    assert _u49(located) == datetime.combine(ahead, datetime.min.time())
    # Asked to say searched, esp access set writes Yes over it (said before → after).
    res = run("access", "set", "Amira Hassan", "locate", "--searched", "-n")
    assert res.exit_code == 0, res.output
    (row,) = [line for line in res.stdout.splitlines() if "!U49" in line]
    assert f"{shown} → Yes" in row, res.stdout


def test_doctor_says_not_searched_yet_of_searched_by_course_number_only(located: Path) -> None:
    """A SPOC Called Date after today is no day of a search: esp doctor says nothing of a
    search at its cell."""
    ahead = datetime.combine(date.today() + timedelta(days=40), datetime.min.time())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(located / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    assert ws["R4"].value == "SPOC Called Date"
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 17).value in ("Password Reset", "Learning Hub Issue"):
            ws.cell(r, 18).value = ahead
    wb.save(located / "ESP Tracker.xlsx")
    res = run("doctor", "-f", "json")
    said = [f["message"] for f in json.loads(res.stdout)["findings"]]
    assert not [m for m in said if "searched" in m], said

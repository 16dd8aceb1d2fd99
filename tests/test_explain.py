"""esp explain AGENT: the dates, counts and skipped days behind one agent's result."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import escalation_tracker as et
from tests.support.packages import copy_with_parts, zip_parts
from tests.support.paths import SAMPLE_DATA


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    def agent(cls: str, name: str, typed: str, agent_id: str, start: date | str) -> et.Agent:
        return et.Agent(
            cls,
            name,
            typed,
            agent_id,
            start,
            "No",
            None,
            datetime(2026, 11, 24, 9),
            9.0,
            "Password Reset",
            date(2026, 11, 9),
            None,
            None,
            None,
            [None, None, None, None],
        )

    return et.build(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent("AET-1", "Devon Price", "Price, Devon", "E100", date(2026, 11, 20)),
            agent("AET-1", "Sam Lee", "Sam Lee", "E101", date(2026, 11, 21)),
            agent("AET-2", "Sam Lee", "Lee, Sam", "E201", "11/31/2026"),
        ],
    )


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["explain", *args])


def test_explain_shows_dates_counts_skipped_holidays_and_cells(tracker: Path) -> None:
    res = run("devon price", "-t", str(tracker), "--as-of", "2026-11-25")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.startswith("Devon Price — class AET-1, ESP Tracker!row 4 (ID E100,")
    assert (
        "Target, 2 business days after the clock start: Tue 11/24/2026, skipping 2 weekend days."
        in out
    )
    assert "Coaching: not recorded; due Wed 11/25/2026" in out
    assert "it would be due Fri 11/27/2026, skipping Thu 11/26/2026 Thanksgiving" in out
    assert "10 business days have passed on Tue 11/24/2026" in out  # Veterans Day skipped
    assert "Call Cert started 11/24/2026 09:00" in out and "over the 4-hour timebox" in out
    assert "Stage: Coaching due." in out
    # The raw cells, where they are and how they were read.
    assert "'ESP Tracker'!G4" in out and "11/20/2026" in out
    assert "Computed columns: Escalation Stage 'Coaching due'" in out


def test_explain_a_saturday_start(tracker: Path) -> None:
    res = run("E101", "-t", str(tracker), "--as-of", "2026-11-25")
    assert res.exit_code == 0, res.output
    assert "ESP Start Date Sat 11/21/2026 is not a business day (a weekend)" in res.stdout
    assert (
        "due Fri 11/27/2026 (3 business days after the clock start, skipping Thu 11/26/2026 "
        "Thanksgiving" in res.stdout
    )


def test_an_ambiguous_name_lists_the_candidates(tracker: Path) -> None:
    res = run("sam lee", "-t", str(tracker))
    assert res.exit_code == 3
    assert res.stdout == ""
    assert "'sam lee' matches 2 agents" in res.stderr
    assert "Sam Lee — class AET-1, ESP Tracker!row 5" in res.stderr
    assert "Sam Lee — class AET-2, ESP Tracker!row 6" in res.stderr
    narrowed = run("sam lee", "--class", "AET-2", "-t", str(tracker), "--as-of", "2026-11-25")
    assert narrowed.exit_code == 0, narrowed.output
    assert "Escalation ladder not evaluated: ESP Start Date cannot be read" in narrowed.stdout
    assert "cannot be read" in narrowed.stdout and "11/31/2026" in narrowed.stdout


def test_explain_json(tracker: Path) -> None:
    res = run("E100", "-t", str(tracker), "--as-of", "2026-11-25", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["agent"], data["class"], data["sheet"], data["row"]) == (
        "Devon Price",
        "AET-1",
        "ESP Tracker",
        4,
    )
    assert data["as_of"] == "2026-11-25" and data["timeboxes_measured_at"] == "2026-11-25T23:59"
    assert any("Thanksgiving" in line for line in data["explanation"])
    assert {a["action"] for a in data["actions"]} >= {"coaching", "call_spoc", "advise_spoc"}
    cells = {c["column"]: c for c in data["cells"]}
    assert cells["ESP Start Date"]["cell"] == "'ESP Tracker'!G4"
    assert cells["ESP Start Date"]["value"] == "2026-11-20"
    assert cells["Agent Name"]["raw"] == "Price, Devon"
    assert cells["Searched by Course Number"]["cell"] is None  # not a column in this sheet


def test_explain_refuses_csv(tracker: Path) -> None:
    res = run("E100", "-t", str(tracker), "-f", "csv")
    assert res.exit_code == 2 and "'csv' is not one of 'table', 'json'" in res.stderr


@pytest.mark.parametrize("typed", [b"NaN", b"inf", b"1e400"])
def test_explain_json_is_json_whatever_number_a_cell_holds(tmp_path: Path, typed: bytes) -> None:
    """A program other than Excel may write `<v>NaN</v>` (TBT Hours of Tyrone Jackson, N25):
    the cell cannot be read, and the JSON says so with null, never NaN or Infinity."""
    path = Path(shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "ESP Tracker.xlsx"))
    sheet = "xl/worksheets/sheet1.xml"
    data = zip_parts(path)[sheet]
    edited = data.replace(b'<c r="N25"><v>7</v>', b'<c r="N25"><v>' + typed + b"</v>")
    assert edited != data
    copy = tmp_path / "copy.xlsx"
    copy_with_parts(path, copy, {sheet: edited})
    copy.replace(path)
    res = run("Tyrone Jackson", "-t", str(path), "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout, parse_constant=_not_json)
    hours = next(c for c in data["cells"] if c["cell"] == "'ESP Tracker'!N25")
    assert hours["value"] is None and hours["unreadable"] is True
    # As typed, as esp's messages show the cell elsewhere (`NaN is not a number`).
    shown = {b"NaN": "NaN", b"inf": "inf", b"1e400": "inf"}[typed]
    assert hours["raw"] == shown
    table = run("Tyrone Jackson", "-t", str(path), "--as-of", "2026-11-24")
    (row,) = [line for line in table.stdout.splitlines() if "'ESP Tracker'!N25" in line]
    assert row.split("│")[3].strip() == shown and "cannot be read" in row


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


@pytest.mark.parametrize("typed", [b"NaN", b"1"])
def test_a_call_cert_start_that_is_no_date_is_unreadable_not_12_30_1899(
    tmp_path: Path, typed: bytes
) -> None:
    """Tyrone Jackson's Call Cert Start (K25, a date-and-time cell) holding NaN (read by
    calamine as 12/30/1899) or a serial 1 (01/01/1900): the cell cannot be read, and no
    timebox is counted from it."""
    from tests.test_doctor import sample_holding

    path = sample_holding(tmp_path, K25=typed)
    res = run("Tyrone Jackson", "-t", str(path), "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout, parse_constant=_not_json)
    start = next(c for c in data["cells"] if c["cell"] == "'ESP Tracker'!K25")
    assert start["value"] is None and start["unreadable"] is True
    assert not any("1899" in line or "1900" in line for line in data["explanation"])


def _explained(tmp_path: Path, extra: dict[str, object]) -> str:
    """esp explain's words for an agent with a SPOC issue, on a sheet with the tracker's
    columns but the SPOC Called Date, Call Cert Start and TBT Hours (`extra` added)."""
    from tests.factories import TRACKER_HEADERS, tracker

    agent: dict[str, object] = {
        "Class": "AET-1",
        "Agent Name": "Devon Price",
        "Agent ID": "E100",
        "Date of N Number Request": date(2026, 11, 9),
        "ESP Start Date": date(2026, 11, 20),
        "Call Cert Complete?": "No",
        "All TBTs Complete?": "No",
        "Citrix TBT Access": "Password Reset",
        **extra,
    }
    path = tracker(tmp_path / "ESP Tracker.xlsx", [agent], headers=[*TRACKER_HEADERS, *extra])
    res = run("devon price", "-t", str(path), "--as-of", "2026-11-25")
    assert res.exit_code == 0, res.output
    return str(res.stdout)


def test_a_column_the_sheet_lacks_is_said_missing_not_empty(tmp_path: Path) -> None:
    """No SPOC Called Date column: explain says the sheet has none and how to add or map
    it, not that the cell is empty; so for every column the rules read."""
    out = _explained(tmp_path, {})
    assert "SPOC Called Date empty" not in out
    assert (
        "SPOC Called Date: no such column on sheet 'ESP Tracker' (add it, or map the team's "
        "header to it in esp.toml [columns]): call SPOC"
    ) in out
    assert "Call Cert Start: no such column on sheet 'ESP Tracker'" in out
    assert "TBT Hours: no such column on sheet 'ESP Tracker'" in out


def test_a_date_column_asked_as_a_question_is_named(tmp_path: Path) -> None:
    """'SPOC Called?' holding Yes is no SPOC Called Date: explain names it, and never reads
    its Yes as a day it cannot read."""
    out = _explained(tmp_path, {"SPOC Called?": "Yes"})
    assert "cannot be read" not in out
    assert (
        "SPOC Called Date: no such column on sheet 'ESP Tracker' ('SPOC Called?' in "
        "'ESP Tracker'!M2 asks a yes or a no, not a day; add the column, or map the "
        "team's header to it in esp.toml [columns])"
    ) in out


def test_a_step_recorded_after_the_day_replayed_is_not_yet_then_not_inconsistent(
    tmp_path: Path,
) -> None:
    path = et.build(
        tmp_path / "ESP Tracker.xlsx",
        [
            et.Agent(
                "AET-1",
                "Ethan Brooks",
                "Ethan Brooks",
                "E100",
                date(2026, 11, 16),
                "No",
                None,
                datetime(2026, 11, 16, 9),
                6.0,
                None,
                date(2026, 11, 2),
                None,
                None,
                None,
                [date(2026, 11, 19), date(2026, 11, 23), None, None],
            )
        ],
    )
    res = run("Ethan Brooks", "-t", str(path), "--as-of", "2026-11-20")
    assert res.exit_code == 0, res.output
    assert "Inconsistent" not in res.stdout
    said = "Written CAP: recorded 11/23/2026, after Fri 11/20: not yet then; due Fri 11/20/2026"
    assert said in res.stdout
    assert "gaps or contradictions" not in res.stderr

"""esp note import: many notes from a file in one write; twice adds nothing."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

# factories.TRACKER_HEADERS under one title row: Notes is K, TBT Notes L; agents from row 3.
NOTES, TBT_NOTES = "K", "L"
STAMP: str  # set for each test by _dated_today
AGENTS = [
    {"Class": "AET-1", "Agent Name": f"Agent {chr(65 + i)} Person", "Agent ID": f"E{100 + i}"}
    for i in range(20)
] + [
    {"Class": "AET-2", "Agent Name": "Sam Lee", "Agent ID": "E200"},
    {"Class": "AET-3", "Agent Name": "Sam Lee", "Agent ID": "E201"},
]
AGENTS[0]["Notes"] = "11/20/2026 - Jordan Reyes - Started TBTs."


@pytest.fixture(autouse=True)
def _dated_today(today: date) -> None:
    """STAMP: the test's own day (conftest's `today`), not the day the module was
    imported, which a suite running across midnight leaves behind."""
    global STAMP
    STAMP = f"{today:%m/%d/%Y}"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:  # as Excel saves it
        csv.writer(fh).writerows(rows)
    return path


def run(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(
        app, ["note", "import", *args, "--tracker", str(tracker), "--by", "Priya Natarajan"]
    )


def cells(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def backups(tracker: Path) -> list[Path]:
    return sorted((tracker.parent / "esp-backups").glob("*.xlsx"))


def twenty_rows() -> list[list[str]]:
    rows = [["Agent", "Note", "Column", "By", "Date"]]
    for i in range(20):
        column = "TBT Notes" if i % 2 else ""
        by = "Tom Alvarez" if i == 3 else ""
        day = "11/23/2026" if i == 4 else ""
        # By name (either order), by ID: as people type them.
        who = f"Person, Agent {chr(65 + i)}" if i % 3 == 0 else f"E{100 + i}"
        rows.append([who, f"Status {i}", column, by, day])
    return rows


def test_twenty_rows_are_one_write_and_importing_again_adds_nothing(
    tracker: Path, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "notes.csv", twenty_rows())
    before = cells(tracker)
    res = run(tracker, str(source), "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["added"], data["already_there"], data["not_applied"]) == (20, 0, 0)
    assert len(data["changes"]) == 20
    assert len(backups(tracker)) == 1
    got = cells(tracker)
    assert got[f"{NOTES}3"] == (
        f"11/20/2026 - Jordan Reyes - Started TBTs.\n{STAMP} - Priya Natarajan - Status 0"
    )
    assert got[f"{TBT_NOTES}4"] == f"Priya Natarajan - {STAMP} - Status 1"
    assert got[f"{TBT_NOTES}6"] == f"Tom Alvarez - {STAMP} - Status 3"
    assert got[f"{NOTES}7"] == "11/23/2026 - Priya Natarajan - Status 4"
    changed = {k for k in got if got[k] != before.get(k)}
    assert len(changed) == 20
    again = run(tracker, str(source), "--format", "json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert (data["added"], data["already_there"], data["changes"]) == (0, 20, [])
    assert cells(tracker) == got
    assert len(backups(tracker)) == 1
    assert "already says so; nothing written" in again.stderr


def test_rows_that_match_no_one_agent_are_listed_and_the_rest_applied(
    tracker: Path, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "notes.csv",
        [
            ["agent", "note", "column", "date"],
            ["Agent A Persn", "typo", "", ""],
            ["Sam Lee", "which one?", "", ""],
            ["E101", "fine", "", ""],
            ["E102", "bad column", "Comments", ""],
            ["E103", "tomorrow", "", "2099-01-01"],
            ["E104", "", "", ""],
        ],
    )
    res = run(tracker, str(source))
    assert res.exit_code == 5, res.output
    assert "Agent A Person" in res.stdout  # the typo's suggestion
    assert "matches 2 agents" in res.stdout and "AET-3" in res.stdout
    assert "neither Notes nor TBT Notes" in res.stdout
    assert "in the future" in res.stdout and "no note given" in res.stdout
    assert "5 row(s) not applied" in res.stderr
    assert cells(tracker)[f"{NOTES}4"] == f"{STAMP} - Priya Natarajan - fine"
    assert len(backups(tracker)) == 1


def test_xlsx_source_dry_run_and_csv_output(tracker: Path, tmp_path: Path) -> None:
    source = factories.make_workbook(
        tmp_path / "notes.xlsx",
        {
            "Lists": [["nothing here"]],
            "Notes": [
                ["Today's notes"],
                ["Agent Name", "Update", "Kind", "Date"],
                ["E105", "From a workbook", "tbt", date(2026, 11, 23)],
            ],
        },
    )
    before = cells(tracker)
    dry = run(tracker, str(source), "--dry-run", "--format", "csv")
    assert dry.exit_code == 0, dry.output
    rows = list(csv.DictReader(dry.stdout.splitlines()))
    assert rows[0]["status"] == "added" and rows[0]["row"] == "3"
    assert rows[0]["line"] == "Priya Natarajan - 11/23/2026 - From a workbook"
    assert "Dry run" in dry.stderr
    assert cells(tracker) == before and backups(tracker) == []


def test_a_file_without_agent_and_note_headers_is_refused(tracker: Path, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "x.csv", [["who", "what"], ["E100", "hi"]])
    res = run(tracker, str(source))
    assert res.exit_code == 3
    assert "no header row with an agent and a note column" in res.stderr


def test_a_row_holding_a_control_character_is_not_applied_and_the_rest_are(
    tracker: Path, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "notes.csv",
        [
            ["agent", "note", "by"],
            ["E101", "Citrix error: \x1b[0m failed", ""],
            ["E102", "fine", ""],
            ["E103", "signed oddly", "Tom\x07 Alvarez"],
        ],
    )
    res = run(tracker, str(source), "--format", "json")
    assert res.exit_code == 5, res.output
    data = json.loads(res.stdout)
    reasons = {n["row"]: n["reason"] for n in data["notes"]}
    assert "U+001B (escape)" in reasons[2] and "notes.csv" in reasons[2]
    assert "U+0007 (BEL)" in reasons[4]
    assert cells(tracker)[f"{NOTES}5"] == f"{STAMP} - Priya Natarajan - fine"
    assert f"{NOTES}4" not in cells(tracker)

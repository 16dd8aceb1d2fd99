"""Workbooks shaped the way teams and other programs make them: a table that starts in
column B, data in a column without a header, numbers shown zero-padded. Every command
reads each cell by its own address and writes only where it means to."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.services.sync import sync_nnumbers
from esp_cli.tracker import read_table
from esp_cli.xlsx.workbook import Workbook
from tests import factories

EARLIER = "11/20/2026 - Jordan Reyes - Started TBTs."
TBT_EARLIER = "Priya Natarajan - 11/21/2026 - On module 2"
AGENT = {
    "Class": "AET-1",
    "Agent Name": "Devon Price",
    "Agent ID": "E100",
    "Email": "devon@x.com",
    "Notes": EARLIER,
    "TBT Notes": TBT_EARLIER,
}


def esp(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> Any:
    res = esp(*args)
    assert res.exit_code == 0, res.output
    return res


def shifted_tracker(path: Path, margin: int = 1) -> Path:
    """factories.tracker's table, `margin` empty columns to the right."""
    pad: list[Any] = [None] * margin
    rows = [
        [*pad, "ESP Tracker"],
        [*pad, *factories.TRACKER_HEADERS],
        [*pad, *(AGENT.get(h) for h in factories.TRACKER_HEADERS)],
    ]
    return factories.make_workbook(path, {"ESP Tracker": rows})


def sheet_cells(path: Path, sheet: str = "ESP Tracker") -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


# -- a table that starts in column B ------------------------------------------------------


def test_a_table_starting_in_column_b_is_read_by_address(tmp_path: Path) -> None:
    path = shifted_tracker(tmp_path / "ESP Tracker.xlsx")
    table = read_table(Workbook.open(path), keys=("notes", "tbt_notes", "n_number"))
    (row,) = list(table.rows())
    assert row.get("agent_id") == "E100"
    assert row.get("notes") == EARLIER
    assert row.get("tbt_notes") == TBT_EARLIER
    assert table.sheets[0].col("notes") == 12  # L: K of the factory, one to the right


def test_note_add_in_a_table_starting_in_column_b_keeps_the_earlier_line(tmp_path: Path) -> None:
    path = shifted_tracker(tmp_path / "ESP Tracker.xlsx")
    before = sheet_cells(path)
    res = ok("note", "add", "E100", "Called SPOC", "--by", "Jo", "--date", "2026-11-24", "-t", str(path))
    assert "1 earlier line(s) kept" in res.stdout
    after = sheet_cells(path)
    assert after["L3"] == EARLIER + "\n11/24/2026 - Jo - Called SPOC"
    assert {k: v for k, v in after.items() if k != "L3"} == {
        k: v for k, v in before.items() if k != "L3"
    }


def test_sync_fills_a_master_whose_column_a_is_empty(tmp_path: Path) -> None:
    esp_path = factories.tracker(
        tmp_path / "ESP.xlsx",
        [{"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100"}],
    )
    master = factories.make_workbook(
        tmp_path / "Master.xlsx",
        {
            "Master": [
                [None, "Wave", "Employee Name", "Emp ID", "N#", "Date Requested"],
                [None, "AET-1", "Price, Devon", "E100", "N9", date(2026, 11, 9)],
            ]
        },
    )
    result = sync_nnumbers(esp_path, master, Config())
    assert not result.unmatched
    ws = openpyxl.load_workbook(esp_path)["ESP Tracker"]
    assert ws["E3"].value == "N9"
    got = ws["F3"].value
    assert (got.date() if isinstance(got, datetime) else got) == date(2026, 11, 9)


def test_undo_in_a_table_starting_in_column_b_sees_no_false_conflict(tmp_path: Path) -> None:
    path = shifted_tracker(tmp_path / "ESP Tracker.xlsx")
    before = sheet_cells(path)
    ok("note", "add", "E100", "Called SPOC", "--by", "Jo", "-t", str(path))
    res = ok("undo", "-t", str(path))
    assert "Put back 1 cell(s)" in res.stdout
    assert sheet_cells(path) == before


def test_an_empty_sheet_beside_the_tracker_is_read_as_empty(tmp_path: Path) -> None:
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", [AGENT])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Blank")
    wb.save(path)
    table = read_table(Workbook.open(path), keys=("notes",))
    assert [r.get("notes") for r in table.rows()] == [EARLIER]


def test_the_json_of_a_note_in_a_shifted_table_names_the_right_cell(tmp_path: Path) -> None:
    path = shifted_tracker(tmp_path / "ESP Tracker.xlsx", margin=2)
    res = ok("note", "add", "E100", "Called", "--by", "Jo", "--format", "json", "-t", str(path))
    data = json.loads(res.stdout)
    assert data["cell"].endswith("!M3")
    assert sheet_cells(path)["M3"].startswith(EARLIER + "\n")


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESP_TRACKER", raising=False)


@pytest.mark.parametrize("first", ["A1", "C1", "A4", "D5"])
def test_a_few_columns_read_the_same_cells_as_the_whole_sheet(tmp_path: Path, first: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    top = ws[first]
    for dr in range(3):
        for dc in range(4):
            ws.cell(top.row + dr, top.column + dc, f"{dr}:{dc}" if (dr + dc) % 3 else None)
    wb.save(tmp_path / "s.xlsx")
    book = Workbook.open(tmp_path / "s.xlsx")
    info = book.sheets[0]
    whole = book.values(info, cache=False)
    cols = {top.column + 1, top.column + 3}
    some = book.values(info, columns=cols, cache=False)
    for r in range(1, top.row + 4):
        for c in range(1, top.column + 5):
            assert some.get(r, c) == (whole.get(r, c) if c in cols else None), (r, c)
    assert whole.last_col == some.last_col == top.column + 3

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
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook
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
    res = ok(
        "note", "add", "E100", "Called SPOC", "--by", "Jo", "--date", "2026-11-24", "-t", str(path)
    )
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


# -- where a column esp adds goes ---------------------------------------------------------

NO_TBT_NOTES = factories.headers(*(k for k in factories.TRACKER_KEYS if k != "tbt_notes"))  # A..K


def tracker_without_tbt_notes(path: Path, extra: dict[str, Any] | None = None) -> Path:
    """Notes is the last header (K); `extra` cells ("L3": value) are typed beside it."""
    factories.tracker(path, [AGENT], headers=NO_TBT_NOTES)
    if extra:
        wb = openpyxl.load_workbook(path)
        for ref, value in extra.items():
            wb["ESP Tracker"][ref] = value
        wb.save(path)
    return path


def test_a_column_without_a_header_is_never_overwritten(tmp_path: Path) -> None:
    path = tracker_without_tbt_notes(tmp_path / "ESP Tracker.xlsx", {"L3": "keep me"})
    dry = ok(
        "note", "add", "E100", "On module 3", "--tbt", "--by", "Priya", "--dry-run", "-t", str(path)
    )
    assert "Would add column ESP Tracker!M 'TBT Notes'" in dry.stderr
    assert "L holds data without a header (L3)" in dry.stderr
    res = ok("note", "add", "E100", "On module 3", "--tbt", "--by", "Priya", "-t", str(path))
    assert "Added column ESP Tracker!M 'TBT Notes'" in res.stderr
    after = sheet_cells(path)
    assert after["L3"] == "keep me"
    assert after["M2"] == "TBT Notes" and after["M3"].endswith("On module 3")


def test_a_value_above_the_header_row_holds_its_column(tmp_path: Path) -> None:
    path = tracker_without_tbt_notes(tmp_path / "ESP Tracker.xlsx", {"L1": "Updated daily"})
    ok("note", "add", "E100", "On module 3", "--tbt", "--by", "Priya", "-t", str(path))
    after = sheet_cells(path)
    assert after["L1"] == "Updated daily" and "L2" not in after
    assert after["M2"] == "TBT Notes"


def test_an_empty_column_right_of_the_headers_is_used_as_before(tmp_path: Path) -> None:
    path = tracker_without_tbt_notes(tmp_path / "ESP Tracker.xlsx", {"P9": "far away"})
    res = ok("note", "add", "E100", "On module 3", "--tbt", "--by", "Priya", "-t", str(path))
    assert "Added column ESP Tracker!L 'TBT Notes'." in res.stderr
    assert sheet_cells(path)["L2"] == "TBT Notes"


@pytest.mark.parametrize(
    ("structure", "why"),
    [
        ("merge", "inside the merged cells L3:L4"),
        ("validation", "data validation (L3:L40)"),
        ("table", "part of the Excel table"),
    ],
)
def test_merged_cells_tables_and_validations_hold_their_column(
    tmp_path: Path, structure: str, why: str
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table as XLTable

    path = tracker_without_tbt_notes(tmp_path / "ESP Tracker.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    if structure == "merge":
        ws.merge_cells("L3:L4")
    elif structure == "validation":
        dv = DataValidation(type="list", formula1='"A,B"')
        dv.add("L3:L40")
        ws.add_data_validation(dv)
    else:
        ws["L6"], ws["M6"], ws["L7"], ws["M7"] = "Key", "Value", "a", 1
        ws.add_table(XLTable(displayName="Lookup", ref="L6:M7"))
    wb.save(path)
    res = ok("note", "add", "E100", "On module 3", "--tbt", "--by", "Priya", "-t", str(path))
    assert why in res.stderr
    added = "N" if structure == "table" else "M"
    assert f"Added column ESP Tracker!{added} 'TBT Notes'" in res.stderr
    assert sheet_cells(path)[f"{added}2"] == "TBT Notes"


def test_escalations_write_adds_its_columns_after_unlabelled_data(tmp_path: Path) -> None:
    path = tracker_without_tbt_notes(tmp_path / "ESP Tracker.xlsx", {"L3": 42, "M5": "x"})
    res = ok("escalations", "--write", "--write-past", "--as-of", "2026-11-24", "-t", str(path))
    after = sheet_cells(path)
    assert after["L3"] == 42 and after["M5"] == "x"
    added = {k: v for k, v in after.items() if k[1:] == "2" and k[0] > "K"}
    assert set(added.values()) >= {"Escalation Stage", "Next Action"}
    assert min(added) == "N2"  # after L and M, which hold data
    assert "M holds data without a header (M5)" in res.stderr  # M sets the place


# -- numbers shown zero-padded ------------------------------------------------------------


def padded_tracker(path: Path) -> Path:
    """Agent ID typed as 42 and N Number as 48290, shown `0042` and `0048290`."""
    factories.tracker(
        path,
        [{"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": 42, "N Number": 48290}],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    ws["C3"].number_format = "0000"
    ws["E3"].number_format = "0000000"
    wb.save(path)
    return path


def test_numbers_shown_zero_padded_are_read_as_shown(tmp_path: Path) -> None:
    path = padded_tracker(tmp_path / "ESP Tracker.xlsx")
    (row,) = list(read_table(Workbook.open(path), keys=("n_number",)).rows())
    assert row.get("agent_id") == "0042"
    assert row.get("n_number") == "0048290"
    res = ok("note", "add", "0042", "Called", "--by", "Jo", "--format", "json", "-t", str(path))
    assert json.loads(res.stdout)["cell"] == "'ESP Tracker'!K3"


def test_sync_compares_and_writes_ids_as_shown(tmp_path: Path) -> None:
    path = padded_tracker(tmp_path / "ESP Tracker.xlsx")
    master = factories.master(
        tmp_path / "Master.xlsx",
        [("AET-1", "Devon Price", 42, None, 48291, date(2026, 11, 9))],
    )
    wb = openpyxl.load_workbook(master)
    wb["Master"]["C2"].number_format = "0000"
    wb["Master"]["E2"].number_format = "0000000"
    wb.save(master)
    result = sync_nnumbers(path, master, Config(), dry_run=True)
    assert not result.unmatched
    (conflict,) = [c for c in result.conflicts if c.column == "N Number"]
    assert (conflict.tracker, conflict.master) == ("0048290", "0048291")


def test_a_master_n_number_shown_padded_is_written_as_shown(tmp_path: Path) -> None:
    path = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100"}],
    )
    master = factories.master(
        tmp_path / "Master.xlsx", [("AET-1", "Devon Price", "E100", None, 48290, None)]
    )
    wb = openpyxl.load_workbook(master)
    wb["Master"]["E2"].number_format = '"N"0000000'
    wb.save(master)
    sync_nnumbers(path, master, Config())
    assert openpyxl.load_workbook(path)["ESP Tracker"]["E3"].value == "N0048290"


# -- rows of different lengths --------------------------------------------------------------


def test_a_column_of_rows_of_different_lengths_reads_blank_past_a_short_row() -> None:
    """The rows read are as wide as the used area, and a column is picked from them all at
    once; a shorter row (put back for an error cell past the used area) reads as blank."""
    from esp_cli.workbook.tracker import _column

    rows: list[list[Any]] = [["h1", "h2", "h3"], ["a", "b", "c"], ["d"], ["e", "f", "g"]]
    assert _column(rows, 1, 2) == ["c", None, "g"]
    assert _column(rows, 1, 0) == ["a", "d", "e"]
    assert _column([["a", "b"], ["c", "d"]], 0, 1) == ["b", "d"]


def test_the_columns_read_are_picked_at_once_each_a_list_of_its_own() -> None:
    """read_table picks its columns in one pass over the rows: each column asked for is as
    _column gives it (blank past a short row), and a list of its own, as a caller may
    change its cells (a merged range's value shown down it)."""
    from esp_cli.workbook.tracker import _Columns

    rows: list[list[Any]] = [["h1", "h2", "h3"], ["a", "b", "c"], ["d", "e", "f"]]
    of = _Columns(rows, 1, {1, 3})
    shown = of(3)
    shown[1] = "changed"
    assert of(3) == ["c", "f"] and of(1) == ["a", "d"]
    assert of(2) == ["b", "e"]  # not among those picked: read on its own
    short = _Columns([["h1", "h2", "h3"], ["a", "b", "c"], ["d"]], 1, {1, 3})
    assert short(3) == ["c", None] and short(1) == ["a", "d"]


def group_labelled_tracker(path: Path) -> Path:
    """A header of two rows, as teams group their columns: labels merged over each group
    ('Agent', 'Certification', 'Team Lead') above the headers, the agent's own column headed
    only 'Name' under 'Agent', and a Team Lead's 'Name' and 'Email' at the end."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    own = factories.headers("agent_id", "email", "esp_start", "notes")
    headers = [*factories.headers("class"), "Name", *own, "Name", "Email"]
    ws.append(["ESP Tracker"])
    ws.append(["Agent", None, None, None, "Certification", None, "Team Lead", None])
    ws.append(headers)
    ws.append(["AET-1", "Devon Price", "E100", "devon@x.com", date(2026, 11, 16), EARLIER,
               "Dana Whitfield", "dana@x.com"])  # fmt: skip
    ws.append(["AET-1", "Rosa Diaz", "E101", "rosa@x.com", date(2026, 11, 16), None,
               "Dana Whitfield", "dana@x.com"])  # fmt: skip
    ws.merge_cells("A2:D2")
    ws.merge_cells("E2:F2")
    ws.merge_cells("G2:H2")
    wb.save(path)
    return path


def test_a_two_row_header_with_group_labels_reads_the_agents_own_columns(
    tmp_path: Path,
) -> None:
    path = group_labelled_tracker(tmp_path / "t.xlsx")
    table = read_table(Workbook.open(path))
    rows = list(table.rows())
    assert [(r.row, r.name, r.text("email")) for r in rows] == [
        (4, "Devon Price", "devon@x.com"),
        (5, "Rosa Diaz", "rosa@x.com"),
    ]
    ok("note", "add", "Rosa Diaz", "Called SPOC.", "--by", "Jordan Reyes", "--tracker", str(path))
    cells = sheet_cells(path)
    assert cells["F5"].endswith("Called SPOC.") and cells["F4"] == EARLIER
    assert (cells["G5"], cells["H5"]) == ("Dana Whitfield", "dana@x.com")

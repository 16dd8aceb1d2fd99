"""A yes/no column (Call Cert Complete?, All TBTs Complete?) is never read from a header
whose cells hold counts or dates when another header naming it holds Yes and No: a
per-agent `TBTs Complete` count or a class summary's count beside the team's `All TBTs
Complete (Y/N)`, in one block of headers or the other way round. A header esp.toml maps is
still read, and no write puts Yes or No into a column whose cells hold counts or dates."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core import columns
from esp_cli.errors import MissingColumnsError
from esp_cli.workbook.session import ChangePlan
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests.support.paths import SAMPLE_DATA

from .test_exact_headers import OWN, book, run

# The team's tracker (OWN: Class, Employee Name, E-mail Address, ESP Start Date, Call Cert
# Complete?, All TBTs Complete (Y/N), Notes) with Maria not complete, Kevin and Ana complete.
COMPLETE = [False, True, True]


def _with(extra: list[list[Any]], left: bool = False) -> list[list[Any]]:
    """The team's tracker with these columns typed right against it (no empty column
    between), or left of it."""
    return [[*x, *row] if left else [*row, *x] for row, x in zip(OWN, extra, strict=True)]


def _read(path: Path, aliases: dict[str, list[str]] | None = None) -> Any:
    (sheet,) = read_table(Workbook.open(path), aliases, keys=None).sheets
    return sheet


def test_what_a_columns_first_cells_hold() -> None:
    Holds = columns.Holds
    assert columns.cells_hold(["Yes", "No", None, "Y", True]).holds is Holds.ANSWERS
    assert columns.cells_hold([2, 5, 5, "Yes"]) == (Holds.COUNTS, 0)
    assert columns.cells_hold(["", "3", 4]) == (Holds.COUNTS, 1)
    assert columns.cells_hold([None, "11/20/2026", "11/21/2026"]) == (Holds.DATES, 1)
    # 0 and 1 may be No and Yes: no count; nothing filled says nothing.
    assert columns.cells_hold([0, 1, 1, 0]).holds is Holds.NOTHING
    assert columns.cells_hold([None, ""]).holds is Holds.NOTHING
    assert columns.cells_hold(["Pat", "Jo", 2]).holds is Holds.NOTHING


def test_a_count_column_in_the_trackers_own_block_is_not_its_completion_flag(
    tmp_path: Path,
) -> None:
    """A per-agent helper 'TBTs Complete' (how many of the TBTs are done) right against
    the team's 'All TBTs Complete (Y/N)': the team's column is read."""
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Complete"], [2], [5], [5]])})
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 6
    assert [r.get("tbts_complete") for r in sheet.rows] == COMPLETE
    assert sheet.duplicate_headers == [("tbts_complete", 6, 8)]


def test_a_class_summary_typed_against_the_tracker_is_not_its_completion_flag(
    tmp_path: Path,
) -> None:
    """A class summary ('Agents', 'TBTs Complete': a count on the class's first row) typed
    right against the tracker, no empty column between."""
    summary = [["Agents", "TBTs Complete"], [3, 2], [None, None], [None, None]]
    path = book(tmp_path / "T.xlsx", {"T": _with(summary)})
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 6
    assert [r.get("tbts_complete") for r in sheet.rows] == COMPLETE


def test_a_count_column_left_of_the_teams_yes_no_column_is_set_aside(tmp_path: Path) -> None:
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Complete"], [2], [5], [5]], left=True)})
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 7
    assert [r.get("tbts_complete") for r in sheet.rows] == COMPLETE
    assert sheet.duplicate_headers == [("tbts_complete", 7, 1)]


def test_a_date_column_named_as_the_flag_is_set_aside_for_the_yes_no_one(tmp_path: Path) -> None:
    """'Call Certs Complete' holding the day each was done, right of the team's 'Call Cert
    Completed?' holding Yes/No: the question is read."""
    rows = [
        ["Class", "Agent Name", "ESP Start Date", "Call Cert Completed?", "Call Certs Complete"]
        + ["All TBTs Complete?"],
        ["A", "Ana", "11/16/2026", "No", None, "No"],
        ["A", "Ben", "11/16/2026", "Yes", "11/20/2026", "No"],
        ["A", "Cy", "11/16/2026", "Yes", "11/21/2026", "No"],
    ]
    sheet = _read(book(tmp_path / "T.xlsx", {"T": rows}))
    assert sheet.columns["call_cert_complete"] == 4
    assert [r.get("call_cert_complete") for r in sheet.rows] == COMPLETE


def test_two_yes_no_columns_keep_the_order_they_had(tmp_path: Path) -> None:
    """Both hold Yes and No: the more exact header ('TBTs Complete', a variant) is read, as
    before, over the '(Y/N)' question."""
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Complete"], ["Yes"], ["No"], ["No"]])})
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 8
    assert [r.get("tbts_complete") for r in sheet.rows] == [True, False, False]


def test_a_count_column_esp_toml_maps_is_still_read(tmp_path: Path) -> None:
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Done"], [2], [5], [5]])})
    sheet = _read(path, {"All TBTs Complete?": ["TBTs Done"]})
    assert sheet.columns["tbts_complete"] == 8
    assert sheet.duplicate_headers == [("tbts_complete", 8, 6)]


def test_a_write_never_puts_yes_into_a_column_of_counts(tmp_path: Path) -> None:
    """The only header naming the column holds counts: a write of its flag is refused,
    one line naming the cells and the fix; nothing is planned."""
    counts = ["TBTs Complete", 2, 5, 5]
    rows = [[*row[:5], n, row[6]] for row, n in zip(OWN, counts, strict=True)]
    path = book(tmp_path / "T.xlsx", {"T": rows})
    wb = Workbook.open(path)
    table = read_table(wb, keys=None)
    plan = ChangePlan(wb, table)
    with pytest.raises(MissingColumnsError) as caught:
        plan.set(table.sheets[0].rows[0], "tbts_complete", "Yes")
    # A change that waited beside the tracker is checked cell by cell: it waits on.
    with pytest.raises(MissingColumnsError):
        plan.check("T", 2, 6, "Y")
    plan.check("T", 2, 6, 3)
    assert str(caught.value) == (
        "T!F1 (TBTs Complete): its cells hold numbers (T!F2: 2), not Yes or No, so esp "
        "writes no Yes or No into the All TBTs Complete? column there; nothing was written. "
        "Fix: map the sheet's Yes/No column for it in esp.toml ([columns] \"All TBTs "
        'Complete?" = ["its header"]), or rename \'TBTs Complete\' to say what it holds '
        "(e.g. 'TBTs Complete Count')."
    )
    assert plan.changes == []


def test_a_write_never_puts_yes_into_a_mapped_column_of_counts(tmp_path: Path) -> None:
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Done"], [2], [5], [5]])})
    wb = Workbook.open(path)
    table = read_table(wb, {"All TBTs Complete?": ["TBTs Done"]}, keys=None)
    with pytest.raises(MissingColumnsError, match=r"T!H1 \(TBTs Done\): its cells hold numbers"):
        ChangePlan(wb, table).set(table.sheets[0].rows[0], "tbts_complete", "Yes")


# -- the sample tracker with a per-agent count beside the team's question ----------------------


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with its All TBTs Complete? typed 'All TBTs Complete (Y/N)' and a helper
    'TBTs Complete' (how many of the five TBTs each agent has done) after the computed
    columns, in the tracker's own block of headers."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DATA, folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    path = folder / "ESP Tracker.xlsx"
    assert run("escalations", "--write").exit_code == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the drop-downs' extension list
        wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws["O4"].value == "All TBTs Complete?" and ws["AE4"].value == "Next Action Due"
    ws["O4"] = "All TBTs Complete (Y/N)"
    ws["AF4"] = "TBTs Complete"
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 2).value:
            ws.cell(r, 32).value = 5 if ws.cell(r, 15).value in ("Yes", "Y") else 2
    wb.save(path)
    return folder


def test_complete_agents_stay_complete_beside_a_count_column(counted: Path) -> None:
    sheet = _read(counted / "ESP Tracker.xlsx")
    assert sheet.columns["tbts_complete"] == 15
    assert sheet.duplicate_headers == [("tbts_complete", 15, 32)]
    assert sum(r.get("tbts_complete") is True for r in sheet.rows) > 30
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "All TBTs Complete? cannot be read" not in res.stdout


def test_tbt_proofs_flags_the_teams_column_not_the_count(counted: Path) -> None:
    proofs = counted / "p2"
    proofs.mkdir()
    pdf = (counted / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Derek Simmons TBT.pdf").write_bytes(pdf + b"%m\n")
    res = run("tbt", "proofs", "p2", "--by", "Jordan Reyes")
    assert res.exit_code == 0, res.output
    assert "!AF" not in res.stdout, res.stdout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(counted / "ESP Tracker.xlsx").worksheets[0]
    (derek,) = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == "Derek Simmons"]
    assert (ws.cell(derek, 15).value, ws.cell(derek, 32).value) == ("Yes", 2)


def test_tbt_proofs_refuses_to_flag_a_mapped_count_column(counted: Path) -> None:
    """The team mapped its count column as the flag: the count is read (a mapping is the
    team's word), but `tbt proofs` writes no Yes over it and says which cell and the fix."""
    toml = counted / "esp.toml"
    toml.write_text(toml.read_text() + '\n[columns]\n"All TBTs Complete?" = ["TBTs Complete"]\n')
    proofs = counted / "p2"
    proofs.mkdir()
    pdf = (counted / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Derek Simmons TBT.pdf").write_bytes(pdf + b"%m\n")
    before = (counted / "ESP Tracker.xlsx").read_bytes()
    res = run("tbt", "proofs", "p2", "--by", "Jordan Reyes")
    assert res.exit_code == 3, res.output
    assert "'ESP Tracker'!AF4 (TBTs Complete): its cells hold numbers ('ESP Tracker'!AF5: 5)" in (
        res.stderr
    )
    assert '[columns] "All TBTs Complete?" = ["All TBTs Complete (Y/N)"]' in res.stderr
    assert (counted / "ESP Tracker.xlsx").read_bytes() == before
    assert not (counted / "TBT Tracking Sheet.xlsx").exists()


def test_a_refused_flag_leaves_the_tracking_sheet_as_it_was(counted: Path) -> None:
    proofs = counted / "p2"
    proofs.mkdir()
    pdf = (counted / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Derek Simmons TBT.pdf").write_bytes(pdf + b"%1\n")
    assert run("tbt", "proofs", "p2", "--by", "Jordan Reyes").exit_code == 0
    toml = counted / "esp.toml"
    toml.write_text(toml.read_text() + '\n[columns]\n"All TBTs Complete?" = ["TBTs Complete"]\n')
    (proofs / "Monique Dubois TBT.pdf").write_bytes(pdf + b"%2\n")
    books = [counted / "ESP Tracker.xlsx", counted / "TBT Tracking Sheet.xlsx"]
    before = [path.read_bytes() for path in books]
    res = run("tbt", "proofs", "p2", "--by", "Jordan Reyes")
    assert res.exit_code == 3, res.output
    assert [path.read_bytes() for path in books] == before


def test_a_round_refuses_tbts_done_as_typed_over_a_count_column(counted: Path) -> None:
    toml = counted / "esp.toml"
    toml.write_text(toml.read_text() + '\n[columns]\n"All TBTs Complete?" = ["TBTs Complete"]\n')
    before = (counted / "ESP Tracker.xlsx").read_bytes()
    res = CliRunner().invoke(
        app,
        ["round", "--class", "AET-1102", "--by", "Jordan Reyes", "--yes", "--date", "2026-11-24"],
        input="/t\nq\n",
    )
    assert res.exit_code == 0, res.output
    assert "'ESP Tracker'!AF4 (TBTs Complete): its cells hold numbers" in res.output
    assert "All TBTs complete 11/24/2026" not in res.output
    assert (counted / "ESP Tracker.xlsx").read_bytes() == before

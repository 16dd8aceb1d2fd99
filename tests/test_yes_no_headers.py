"""A yes/no column (Call Cert Complete?, All TBTs Complete?) is never read from a header
whose cells hold counts or dates when another header naming it holds Yes and No: a
per-agent `TBTs Complete` count or a class summary's count beside the team's `All TBTs
Complete (Y/N)`, in one block of headers or the other way round. A header esp.toml maps is
still read, and no write puts Yes or No into a column whose cells hold counts or dates."""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core import columns
from esp_cli.errors import MissingColumnsError, UnsafeWriteError
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
    # 0 and 1 are No and Yes, as esp reads them everywhere, unless two cells or more hold
    # other numbers (a count of TBTs done: its 0s and 1s are counts too).
    assert columns.cells_hold([0, 1, 1, 0]).holds is Holds.ANSWERS
    assert columns.cells_hold([0, 0, 1, 0, 3, 5]) == (Holds.COUNTS, 4)
    assert columns.cells_hold([1, 0, 0, 2]).holds is Holds.ANSWERS  # one stray number
    assert columns.cells_hold([None, ""]).holds is Holds.NOTHING
    assert columns.cells_hold(["Pat", "Jo", 2]).holds is Holds.TEXT


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


def test_a_header_naming_a_count_ranks_below_the_question(tmp_path: Path) -> None:
    """Both hold Yes and No: 'TBTs Complete' (how many are, plural without All) ranks below
    every other header naming the flag, the '(Y/N)' question too, whatever its cells."""
    path = book(tmp_path / "T.xlsx", {"T": _with([["TBTs Complete"], ["Yes"], ["No"], ["No"]])})
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 6
    assert sheet.duplicate_headers == [("tbts_complete", 6, 8)]


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
        "Fix: rename 'TBTs Complete' to say what it holds (e.g. 'TBTs Complete Count') and "
        "add an 'All TBTs Complete?' column of Yes and No beside it (or map the header of the "
        'sheet\'s Yes/No column to it in esp.toml: [columns] "All TBTs Complete?" = ["…"]).'
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


def _prove(folder: Path, agent: str) -> Any:
    """`esp tbt proofs` run on a transcript of `agent`'s alone."""
    proofs = folder / "pf"
    proofs.mkdir()
    pdf = (folder / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / f"{agent} TBT.pdf").write_bytes(pdf.replace(b"Hector Vargas", agent.encode()))
    return run("tbt", "proofs", "pf", "--by", "Jordan Reyes")


def _cells(folder: Path, agent: str, *cols: int) -> tuple[Any, ...]:
    """The agent's cells of these columns in the tracker as saved."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(folder / "ESP Tracker.xlsx").worksheets[0]
    (row,) = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == agent]
    return tuple(ws.cell(row, c).value for c in cols)


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


# -- what the agents' cells hold, down the whole sheet -----------------------------------------


def _class(flags: list[Any], counts: list[Any], header: str = "TBTs Complete") -> list[list[Any]]:
    """A sheet of one agent a row: the team's 'All TBTs Complete (Y/N)' holding `flags`, a
    per-agent count `header` beside it holding `counts`."""
    rows: list[list[Any]] = [["Class", "Agent Name", "ESP Start Date", "Call Cert Complete?"]]
    rows[0] += ["All TBTs Complete (Y/N)", header]
    for i, (flag, count) in enumerate(zip(flags, counts, strict=True)):
        rows.append(["AET-1", f"Agent {i:02d}", "11/16/2026", "Yes", flag, count])
    return rows


def test_what_the_cells_hold_counts_typed_as_text_and_codes() -> None:
    Holds = columns.Holds
    for count in ("6 of 8", "7/8", "3 / 8", "5 TBTs", "75%", "4 out of 8"):
        assert columns.cells_hold([count, count]).holds is Holds.COUNTS, count
    assert columns.cells_hold(["CRS-4471", "CRS-4471 / TBT Basics"]).holds is Holds.TEXT
    assert columns.cells_hold([None, columns.UNCALCULATED]).holds is Holds.FORMULAS
    assert columns.cells_hold([None, float("nan"), float("nan")]) == (Holds.COUNTS, 1)
    # One stray cell decides nothing of the column: two do.
    assert not columns.tally([None, 4471, "Yes"][:2]).decided
    assert columns.tally(["3", 4, None]).decided


def test_a_count_column_whose_first_rows_are_0_is_not_the_flag(tmp_path: Path) -> None:
    """The newest class on top has done no TBT yet: its counts are 0 down the first 30
    rows, the counts of the classes below run 2 to 7."""
    flags = ["No"] * 30 + ["Yes", "No"] * 10
    counts = [0] * 30 + [5, 2] * 10
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(flags, counts)}))
    assert sheet.columns["tbts_complete"] == 5
    assert sum(r.get("tbts_complete") is True for r in sheet.rows) == 10
    assert sheet.not_answers == {}


def test_a_count_column_blank_in_the_first_rows_is_not_the_flag(tmp_path: Path) -> None:
    """Both columns blank in the first rows (a class with nothing done), and a count of 1:
    the team's Y/N column is read all the same, so the 1 makes no one complete."""
    flags = [None] * 30 + ["Yes", "No"] * 10
    counts = [None] * 30 + [5, 1] * 10
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(flags, counts, "All TBTs Complete")}))
    assert sheet.columns["tbts_complete"] == 5
    assert [r.get("tbts_complete") for r in sheet.rows[30:32]] == [True, False]


def test_agents_below_row_30_are_judged_by_their_own_cells(tmp_path: Path) -> None:
    """A sheet whose agents start below row 30 (old classes cleared, not deleted)."""
    rows = _class(["Yes", "No"] * 10, [5, 3] * 10)
    sheet = _read(book(tmp_path / "T.xlsx", {"T": [rows[0], *[[]] * 40, *rows[1:]]}))
    assert sheet.columns["tbts_complete"] == 5
    assert sheet.rows[0].row == 42 and sheet.rows[0].get("tbts_complete") is True


def test_a_yes_no_column_typed_1_and_0_beats_a_count_column(tmp_path: Path) -> None:
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class([1, 0, 0, 1], [5, 2, 3, 5])}))
    assert sheet.columns["tbts_complete"] == 5
    assert [r.get("tbts_complete") for r in sheet.rows] == [True, False, False, True]


def test_a_yes_no_column_blank_until_done_beats_a_count_column(tmp_path: Path) -> None:
    """All TBTs Complete (Y/N) left blank until the agent completes, a new class on top:
    its first 30 rows blank, Yes below; the count column full."""
    flags = [None] * 30 + ["Yes", None] * 10
    counts = [n % 4 for n in range(30)] + [5, 3] * 10
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(flags, counts)}))
    assert sheet.columns["tbts_complete"] == 5
    assert sheet.duplicate_headers == [("tbts_complete", 5, 6)]


@pytest.mark.parametrize("typed", ["{n}/8", "{n} of 8"])
def test_a_count_typed_as_a_fraction_is_no_flag(tmp_path: Path, typed: str) -> None:
    counts = [typed.format(n=n % 8 + 1) for n in range(20)]
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(["Yes", "No"] * 10, counts)}))
    assert sheet.columns["tbts_complete"] == 5
    assert sheet.rows[0].get("tbts_complete") is True


def test_a_column_of_counts_is_not_read_as_the_flag(tmp_path: Path) -> None:
    """The only header naming All TBTs Complete? holds counts: a count of 1 is no Yes, 8 no
    cell to retype: each agent's flag cannot be read, said once at the header."""
    counts = ["TBTs Complete", 1, 3, 8]
    rows = [[*row[:5], n, row[6]] for row, n in zip(OWN, counts, strict=True)]
    sheet = _read(book(tmp_path / "T.xlsx", {"T": rows}))
    assert sheet.columns["tbts_complete"] == 6
    assert [r.get("tbts_complete") for r in sheet.rows] == [None, None, None]
    assert all("tbts_complete" in r.unreadable for r in sheet.rows)
    assert sheet.not_answers["tbts_complete"][1:] == (3, "3")


def test_esp_explains_and_doctor_says_a_count_column_is_no_flag(counted: Path) -> None:
    toml = counted / "esp.toml"
    toml.write_text(toml.read_text() + '\n[columns]\n"All TBTs Complete?" = ["TBTs Complete"]\n')
    res = run("explain", "Derek Simmons")
    assert res.exit_code == 0, res.output
    assert "All TBTs Complete? cannot be read" in res.stdout
    assert (
        "'ESP Tracker'!AF4 (TBTs Complete): its cells hold numbers ('ESP Tracker'!AF5: 5), "
        "not Yes or No, so esp reads no All TBTs Complete? from it" in res.stderr
    )
    res = run("doctor", "--format", "json")
    found = [f for f in json.loads(res.stdout)["findings"] if f["cell"].endswith("!AF4")]
    assert [f["rule"] for f in found] == ["ESP001"], found
    assert '[columns] "All TBTs Complete?" = ["All TBTs Complete (Y/N)"]' in found[0]["fix"]
    assert not [f for f in json.loads(res.stdout)["findings"] if "!AF" in f["cell"][:-1]][1:]


def test_formulas_without_results_beat_a_count_column(counted: Path) -> None:
    """All TBTs Complete (Y/N) made of formulas saved by a program (no results in the
    file): the count beside it is not read in their place."""
    path = counted / "ESP Tracker.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 2).value:
            ws.cell(r, 15).value = f'=IF(AF{r}>=5,"Yes","No")'
    wb.save(path)
    sheet = _read(path)
    assert sheet.columns["tbts_complete"] == 15
    assert sheet.not_answers == {}


# -- no Yes or No over a cell holding something else --------------------------------------------


def test_no_yes_is_written_over_a_cell_holding_something_else(tmp_path: Path) -> None:
    rows = [list(r) for r in OWN]
    rows[1][5] = "see Notes"
    path = book(tmp_path / "T.xlsx", {"T": rows})
    wb = Workbook.open(path)
    table = read_table(wb, keys=None)
    assert table.sheets[0].not_answers == {}
    plan = ChangePlan(wb, table)
    with pytest.raises(UnsafeWriteError) as caught:
        plan.set(table.sheets[0].rows[0], "tbts_complete", "Yes")
    assert str(caught.value).startswith(
        "T!F2 (Maria Gonzalez, All TBTs Complete (Y/N)) holds see Notes, not Yes or No: esp writes "
        "no Yes or No over it; nothing was written."
    )
    with pytest.raises(UnsafeWriteError):
        plan.set_many([(table.sheets[0].rows[0], "tbts_complete", "Yes")])
    with pytest.raises(UnsafeWriteError):
        plan.check("T", 2, 6, "Yes")  # a change that waited: it waits on
    plan.set(table.sheets[0].rows[1], "tbts_complete", "No")  # a Yes: written over
    assert [(c.cell, c.old, c.new) for c in plan.changes] == [("F3", "Yes", "No")]


def test_the_yes_that_says_done_goes_over_the_progress_so_far(tmp_path: Path) -> None:
    """A team that types the progress ("7/8") in All TBTs Complete? until the agent is done:
    the Yes goes over it, as they would type it."""
    rows = [list(r) for r in OWN]
    rows[1][5] = "7/8"
    path = book(tmp_path / "T.xlsx", {"T": rows})
    wb = Workbook.open(path)
    table = read_table(wb, keys=None)
    plan = ChangePlan(wb, table)
    plan.set(table.sheets[0].rows[0], "tbts_complete", "Yes")
    assert [(c.cell, c.old, c.new) for c in plan.changes] == [("F2", "7/8", "Yes")]


@pytest.mark.parametrize("kept", ["5/8 waiting on SPOC INC-4471", "12/3", "120%", "11/23"])
def test_no_yes_goes_over_words_or_a_day_beside_the_progress(tmp_path: Path, kept: str) -> None:
    """Only the progress alone is replaced by the Yes: words beside it, a count over its
    total (a day: 12/3) or a day are the team's, and the write stops."""
    rows = [list(r) for r in OWN]
    rows[1][5] = kept
    path = book(tmp_path / "T.xlsx", {"T": rows})
    wb = Workbook.open(path)
    table = read_table(wb, keys=None)
    plan = ChangePlan(wb, table)
    with pytest.raises(UnsafeWriteError):
        plan.set(table.sheets[0].rows[0], "tbts_complete", "Yes")
    assert plan.changes == []


@pytest.mark.parametrize("first", [True, 1], ids=["TRUE-first", "1-first"])
def test_a_true_false_column_is_read_whatever_cell_comes_first(
    tmp_path: Path, first: object
) -> None:
    """TRUE and 1 are one value to Python: a 1 typed in the first agent row must not make
    every TRUE a number (nor the column one of counts)."""
    from esp_cli.core.columns import Holds, tally

    cells = [first, True, False, True, "5/8", "6/8", False, True, True]
    assert tally(cells).held.holds is Holds.ANSWERS
    assert tally(list(reversed(cells))).held.holds is Holds.ANSWERS


def test_a_column_of_yes_once_done_and_progress_until_then_is_read(tmp_path: Path) -> None:
    """ "Yes" when done, "5/8" until then, the progress in most cells: the Yes cells are
    read (each count a cell that cannot be read), never the whole column set aside."""
    rows = [list(OWN[0])]
    for k, done in enumerate(["Yes", "Yes", "3/8", "5/8", "1/8", "6/8"]):
        agent = list(OWN[1 + k % 2])
        agent[1], agent[2], agent[5] = f"Agent {k}", f"agent{k}@x.com", done
        rows.append(agent)
    path = book(tmp_path / "T.xlsx", {"T": rows})
    table = read_table(Workbook.open(path), keys=None)
    sheet = table.sheets[0]
    assert sheet.not_answers == {}
    assert [r.get("tbts_complete") for r in sheet.rows[:2]] == [True, True]


@pytest.fixture
def locating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with a screenshot for each Cannot Locate TBT agent."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DATA, folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    (folder / "shots").mkdir()
    for name in ("Amira Hassan", "Tamara Wells"):
        (folder / "shots" / f"{name} course number.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def _searched(folder: Path, cells: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    assert ws["U4"].value == "Searched by Course Number"
    assert (ws["B49"].value, ws["B77"].value) == ("Amira Hassan", "Tamara Wells")
    for cell, value in cells.items():
        ws[cell] = value
    wb.save(folder / "ESP Tracker.xlsx")


def test_locate_keeps_a_course_code_typed_in_searched_by_course_number(locating: Path) -> None:
    """Letters and a number ('CRS-4471') are no course number: it may as well be 'TBD 1042'
    or an ID typed one column off. Kept and said, no Yes or No written over it."""
    _searched(locating, {"U49": "CRS-4471"})
    res = run("report", "locate", "--screenshots", "shots", "--dry-run")
    assert res.exit_code == 0, res.output
    assert (
        "'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number) holds CRS-4471, not Yes "
        "or No: esp writes no Yes or No over it; kept." in res.stderr
    )
    assert "Would set 'ESP Tracker'!U77 (Tamara Wells, Searched by Course Number): — → Yes" in (
        res.stderr
    )
    res = run("report", "locate", "--screenshots", "shots")
    assert res.exit_code == 0, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(locating / "ESP Tracker.xlsx").worksheets[0]
    assert (ws["U49"].value, ws["U77"].value) == ("CRS-4471", "Yes")


@pytest.mark.parametrize(
    "day", [datetime(2026, 11, 20), "11/20/2026"], ids=["date", "date-as-text"]
)
def test_days_typed_in_searched_by_course_number_are_searched_for_every_reader(
    locating: Path, day: Any
) -> None:
    """The team types the day of the search in Searched by Course Number, for several
    agents: it says searched (Yes) to report locate (which sets the others' and leaves
    theirs), esp doctor (no cell to correct, no column set aside) and explain alike."""
    _searched(locating, {"U23": day, "U30": day, "U31": day, "U49": day})
    res = run("report", "locate", "--screenshots", "shots", "--dry-run", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "hold dates" not in res.stderr, res.stderr
    assert "U49" not in res.stderr, res.stderr
    assert "Would set 'ESP Tracker'!U77 (Tamara Wells, Searched by Course Number): — → Yes" in (
        res.stderr
    )
    cases = {c["agent"]: c["searched_before"] for c in json.loads(res.stdout)["cases"]}
    assert cases["Amira Hassan"] is True and cases["Tamara Wells"] is False, cases
    res = run("doctor", "-f", "json")
    found = [
        (f["rule"], f["cell"]) for f in json.loads(res.stdout)["findings"] if "!U" in f["cell"]
    ]
    assert found == [("ESP006", "'ESP Tracker'!U77")], found  # Tamara Wells's, left empty
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "Searched by Course Number is yes." in res.stdout, res.stdout


def test_one_number_in_searched_by_course_number_blocks_no_one(locating: Path) -> None:
    _searched(locating, {"U23": 4471})
    res = run("report", "locate", "--screenshots", "shots", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "Would set 'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number): No → Yes" in (
        res.stderr
    )


# -- a count that has only reached 0 and 1, a Yes/No column still empty ------------------------


@pytest.mark.parametrize(
    "counts",
    [[1, 0, 0, 1] * 5, [0] * 19 + [2], [1, 0] * 9 + [2, 1]],
    ids=["0-and-1", "0-and-one-2", "one-2"],
)
def test_a_count_column_that_has_only_reached_1_is_not_the_flag(
    tmp_path: Path, counts: list[int]
) -> None:
    """A class early in its TBTs: the per-agent 'TBTs Complete' holds 0s and 1s (one 2 at
    most) beside the team's 'All TBTs Complete (Y/N)' of Yes and No: the Yes/No column is
    read, a count of 1 makes no one complete."""
    flags = ["No", "Yes"] * 10
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(flags, counts)}))
    assert sheet.columns["tbts_complete"] == 5
    assert sheet.duplicate_headers == [("tbts_complete", 5, 6)]
    assert [r.get("tbts_complete") for r in sheet.rows[:2]] == [False, True]


def test_a_header_asking_yes_or_no_beats_a_column_of_0_and_1(tmp_path: Path) -> None:
    """Both columns blank but a few cells: the header that asks (Y/N) is read, not the
    count of 0s and 1s beside it; a 1/0 column whose own header asks is still read."""
    flags: list[Any] = [None] * 20
    sheet = _read(book(tmp_path / "T.xlsx", {"T": _class(flags, [0, 1] * 10)}))
    assert sheet.columns["tbts_complete"] == 5
    assert all(r.get("tbts_complete") is None for r in sheet.rows)
    rows = _class([1, 0] * 10, [0, 1] * 10)
    sheet = _read(book(tmp_path / "U.xlsx", {"T": rows}))
    assert sheet.columns["tbts_complete"] == 5
    assert [r.get("tbts_complete") for r in sheet.rows[:2]] == [True, False]


def test_an_empty_yes_no_column_beats_a_count_column(tmp_path: Path) -> None:
    """A new 'All TBTs Complete (Y/N)' nobody has filled in yet beside a count column: the
    empty column is the flag (nobody complete yet), never the counts."""
    counts = [i % 6 + 2 for i in range(20)]
    for header in ("TBTs Complete", "All TBTs Complete"):
        rows = _class([None] * 20, counts)
        rows[0][4] = header + " (Y/N)" if header == "TBTs Complete" else header + "?"
        rows[0][5] = "TBTs Complete"
        sheet = _read(book(tmp_path / f"{header}.xlsx", {"T": rows}))
        assert sheet.columns["tbts_complete"] == 5, header
        assert sheet.not_answers == {}
        assert all(r.get("tbts_complete") is None for r in sheet.rows)


@pytest.fixture
def early(counted: Path) -> Path:
    """`counted` early in the TBTs: each agent's count 0 or 1, one 2."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(counted / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 2).value:
            ws.cell(r, 32).value = 2 if r == 40 else (1 if r % 3 == 0 else 0)
    wb.save(counted / "ESP Tracker.xlsx")
    return counted


def test_tbt_proofs_writes_no_yes_over_a_count_of_0(early: Path) -> None:
    sheet = _read(early / "ESP Tracker.xlsx")
    assert sheet.columns["tbts_complete"] == 15
    res = _prove(early, "Kayla Brooks")
    assert res.exit_code == 0, res.output
    assert "!AF" not in res.stdout, res.stdout
    assert _cells(early, "Kayla Brooks", 15, 32) == ("Yes", 0)


# -- a Yes written in the column's own form ----------------------------------------------------


def _flags_as(folder: Path, spell: dict[str, Any], keep_dropdown: bool = False) -> None:
    """The sample's All TBTs Complete? with its Yes and No typed as `spell` says."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    assert ws["O4"].value == "All TBTs Complete?"
    if not keep_dropdown:
        ws.data_validations.dataValidation = []
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 15).value in spell:
            ws.cell(r, 15).value = spell[ws.cell(r, 15).value]
    wb.save(folder / "ESP Tracker.xlsx")


@pytest.mark.parametrize(
    ("spell", "keep_dropdown", "written"),
    [
        ({"Yes": 1, "No": 0}, False, 1),
        ({"Yes": 1, "No": 0}, True, "Yes"),  # a drop-down of Yes,No allows no 1
        ({"Yes": True, "No": False}, False, True),
        ({"Yes": "Y", "No": "N"}, False, "Y"),
        ({"Yes": "Complete", "No": "Incomplete"}, False, "Complete"),
        ({"Yes": "Y", "No": "N"}, True, "Yes"),  # the drop-down's own spelling
    ],
    ids=["1-and-0", "1-and-0-drop-down", "TRUE-FALSE", "Y-N", "Complete", "drop-down"],
)
def test_tbt_proofs_writes_yes_in_the_columns_own_form(
    locating: Path, spell: dict[str, Any], keep_dropdown: bool, written: Any
) -> None:
    _flags_as(locating, spell, keep_dropdown)
    res = _prove(locating, "Kayla Brooks")
    assert res.exit_code == 0, res.output
    (value,) = _cells(locating, "Kayla Brooks", 15)
    assert (value, type(value)) == (written, type(written))


def test_course_numbers_typed_in_searched_by_course_number_block_no_one(locating: Path) -> None:
    """Course numbers typed in place of Yes by several agents are no count of anything: each
    such agent was searched for, the cell kept with no word, the other agents' set."""
    _searched(locating, {"U23": None, "U30": 40513, "U31": 40514, "U77": 40512})
    res = run("report", "locate", "--screenshots", "shots", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "its cells hold numbers" not in res.stderr
    assert [line for line in res.stderr.splitlines() if "!U77" in line] == []
    assert "Would set 'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number): No → Yes" in (
        res.stderr
    )


# -- two headers naming the flag: the headers decide, the cells only when the pick cannot be it --

_TWO_WORDS = ["Yes", "No"] + [None] * 18


@pytest.mark.parametrize("left", [True, False], ids=["flag-left", "flag-right"])
@pytest.mark.parametrize(
    ("flag_header", "flags", "other_header", "others", "read"),
    [
        # Two exact headers: the first, unless it is empty, or holds an answer in fewer
        # than a quarter of the rows (a column just added), and the other is the flag in use.
        ("All TBTs Complete", [1, 0] * 10, "TBTs Complete?", [None] * 20, "flag"),
        ("All TBTs Complete", [1, 0] * 10, "TBTs Complete?", _TWO_WORDS, "flag"),
        ("All TBTs Complete", [True, False] * 10, "TBTs Complete (Y/N)", [None] * 20, "flag"),
        # The more exact header, empty in every agent's row, beside Yes/No in all of them.
        ("TBT Complete", ["Yes", "No"] * 10, "All TBTs Complete?", [None] * 20, "flag"),
        # A header naming a count ranks below every other, whatever its cells hold.
        ("TBTs Complete", [1, 0] * 10, "All TBTs Complete", _TWO_WORDS, "other"),
        ("TBTs Complete", [1, 0] * 10, "All TBTs Complete?", _TWO_WORDS, "other"),
        ("TBTs Complete", [1, 0] * 10, "All TBTs Complete", [None] * 20, "other"),
    ],
    ids=[
        "1-0-vs-empty",
        "1-0-vs-two-words",
        "true-false",
        "words-alias",
        "two-words",
        "count",
        "count-vs-empty",
    ],
)
def test_the_headers_decide_the_cells_only_when_the_pick_cannot_be_the_flag(
    tmp_path: Path,
    flag_header: str,
    flags: list[Any],
    other_header: str,
    others: list[Any],
    read: str,
    left: bool,
) -> None:
    """Of two headers naming the flag, the headers' pick is read unless it cannot be the
    flag: empty in every agent's row while the other holds Yes or No in half of them or
    more (and names no count), or an answer in fewer than a quarter of them while the other
    holds both Yes and No in half of them or more. A Yes and a No typed once in the other
    (nearly empty) is no reason to set a pick in use aside."""
    rows = _class(flags, others, other_header)
    rows[0][4] = flag_header
    if not left:
        rows = [[*row[:4], row[5], row[4]] for row in rows]
    sheet = _read(book(tmp_path / "T.xlsx", {"T": rows}))
    flag_col = 5 if left else 6
    expected = {"flag": flag_col, "other": 11 - flag_col, "first": 5}[read]
    assert sheet.columns["tbts_complete"] == expected
    if expected == flag_col:
        assert [r.get("tbts_complete") for r in sheet.rows[:4]] == [True, False, True, False]


def test_names_count() -> None:
    assert columns.names_count("TBTs Complete", "tbts_complete")
    assert columns.names_count("TBT Count", "tbts_complete")
    assert columns.names_count("Call Certs Complete", "call_cert_complete")
    for header in ("All TBTs Complete", "TBT Complete", "TBTs Complete?", "TBTs Complete (Y/N)"):
        assert not columns.names_count(header, "tbts_complete"), header
    assert not columns.names_count("Searched by Course Number", "searched_course")


@pytest.fixture
def renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with its flag of Yes and No headed 'TBT Complete' and an empty 'All TBTs
    Complete?' added at the end of the header row."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DATA, folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    ws = wb.worksheets[0]
    assert ws["O4"].value == "All TBTs Complete?"
    ws["O4"] = "TBT Complete"
    ws.cell(4, ws.max_column + 1).value = "All TBTs Complete?"
    wb.save(folder / "ESP Tracker.xlsx")
    return folder


_READ_O = (
    "'All TBTs Complete?' and 'ESP Tracker'!O4 'TBT Complete' both name the All TBTs "
    "Complete? column; esp reads 'ESP Tracker'!O4 (by what the agents' cells hold — O: a Yes "
    "or a No in "
)


def test_every_command_says_which_flag_it_read(renamed: Path, tmp_path: Path) -> None:
    """The filled 'TBT Complete' is read over the empty exact header, and every command
    reading the tracker says so, a write once."""
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    assert res.stderr.count(_READ_O) == 1, res.stderr
    shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "plain.xlsx")
    plain = run("escalations", "--as-of", "2026-11-24", "-f", "json", "-t", "../plain.xlsx")
    assert json.loads(res.stdout) == json.loads(plain.stdout)
    res = run("explain", "Hector Vargas", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert res.stderr.count(_READ_O) == 1, res.stderr
    proofs = renamed / "p2"
    proofs.mkdir()
    pdf = (renamed / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Kayla Brooks TBT.pdf").write_bytes(pdf.replace(b"Hector Vargas", b"Kayla Brooks"))
    res = run("tbt", "proofs", "p2", "--by", "Jordan Reyes", "-n")
    assert res.exit_code == 0, res.output
    assert res.stderr.count("both name the All TBTs Complete? column") == 1, res.stderr
    assert "!O43" in res.stdout, res.stdout


def test_the_form_written_is_the_columns_commonest() -> None:
    """TRUE and 1 are equal to Python but two forms in a sheet: the commonest one is
    written, whichever the first cell holds; of two as common, words."""
    ones = columns.tally([True, *[1] * 35, *[0] * 29])
    assert [(v, type(v)) for v in (ones.form(True), ones.form(False))] == [(1, int), (0, int)]
    trues = columns.tally([1, *[True] * 35, *[False] * 29])
    assert (trues.form(True), trues.form(False)) == (True, False)
    assert type(trues.form(True)) is bool
    assert columns.tally([True, 1, None]).form(True) is None  # the drop-down's, else Yes
    assert columns.tally(["Yes", "Yes", "No", 1, True]).form(True) == "Yes"
    assert columns.tally(["Y", "Y", "N", 1, 0, 1]).form(False) == "N"


@pytest.mark.parametrize(
    ("spell", "top", "written"),
    [({"Yes": 1, "No": 0}, True, 1), ({"Yes": True, "No": False}, 1, True)],
    ids=["1s-under-one-TRUE", "TRUEs-under-one-1"],
)
def test_tbt_proofs_writes_the_commonest_form_not_the_first(
    locating: Path, spell: dict[str, Any], top: Any, written: Any
) -> None:
    _flags_as(locating, spell)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(locating / "ESP Tracker.xlsx")
    wb.worksheets[0]["O5"] = top
    wb.save(locating / "ESP Tracker.xlsx")
    proofs = locating / "pf"
    proofs.mkdir()
    pdf = (locating / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Kayla Brooks TBT.pdf").write_bytes(pdf.replace(b"Hector Vargas", b"Kayla Brooks"))
    res = run("tbt", "proofs", "pf", "--by", "Jordan Reyes")
    assert res.exit_code == 0, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(locating / "ESP Tracker.xlsx").worksheets[0]
    (kayla,) = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == "Kayla Brooks"]
    value = ws.cell(kayla, 15).value
    assert (value, type(value)) == (written, type(written))


def test_a_course_number_is_no_problem_for_doctor_nor_for_locate(locating: Path) -> None:
    """A course number typed in Searched by Course Number, the team's practice: esp doctor
    lists no cell to correct, report locate counts the agent searched and says nothing of
    the cell; a course code ('CRS-4471': letters and a number) still gets its fix."""
    _searched(locating, {"U23": 40118, "U30": "40119", "U77": "CRS-4471"})
    (locating / "shots" / "Ethan Brooks course number.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    res = run("doctor", "-f", "json")
    found = [f for f in json.loads(res.stdout)["findings"] if "!U" in f["cell"]]
    assert [f["cell"] for f in found] == ["'ESP Tracker'!U77"], found
    res = run("report", "locate", "--screenshots", "shots", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "!U23" not in res.stderr and "!U30" not in res.stderr, res.stderr
    (said,) = [line for line in res.stderr.splitlines() if "!U77" in line]
    assert said.endswith("Fix: move 'CRS-4471' to a column of its own (or clear the cell)."), said

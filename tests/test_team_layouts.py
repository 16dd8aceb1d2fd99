"""Trackers as teams shape them: a column merged down each class's block (Excel shows the
first cell's value on every row; the file keeps it in that cell only), a totals row under
the agents, an Excel table's own Totals Row, the header row repeated above each block.
Every command reads them as the team sees them: one row per agent, each with its class."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.table import Table as ExcelTable
from scripts.sample_builder.build import (
    Formula,
    SheetSpec,
    WorkbookSpec,
    write_workbook,
)
from scripts.sample_builder.sample import (
    HEADER_ROW,
    MASTER_FILE,
    MASTER_HEADER_ROW,
    MASTER_ROWS,
    TRACKER_FILE,
    master_spec,
    tracker_agents,
    tracker_spec,
)
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core.refs import col_number
from esp_cli.services.demo import copy_sample
from esp_cli.services.round import add_details, read_for_round
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.reader import _error_cells
from esp_cli.workbook.xlsx.sheetxml import SheetXml
from esp_cli.workbook.xlsx.workbook import Workbook
from tests import factories

DAY = "2026-11-24"
SHEET_PART = "xl/worksheets/sheet1.xml"
# The sample's columns (scripts/sample_builder/sample.py TRACKER_COLUMNS).
CLASS, NAME, SME, START, CERT_DONE, TBTS_DONE = "A", "B", "I", "J", "L", "O"
LAST_AGENT_ROW = max(row for row, _block, _agent in tracker_agents())


def blocks() -> dict[str, tuple[int, int]]:
    """Each class of the sample: its first and last row."""
    out: dict[str, tuple[int, int]] = {}
    for row, block, _agent in tracker_agents():
        first, _last = out.get(block.name, (row, row))
        out[block.name] = (first, row)
    return out


Edit = Callable[[SheetSpec], None]


def sample(tmp_path: Path, name: str, edit: Edit | None = None, master: Edit | None = None) -> Path:
    """The sample in its own folder, its tracker (and Master) built from the sample's spec
    after `edit` (`master`) changed the sheet as a team would in Excel."""
    folder = tmp_path / name
    copy_sample(folder)
    for file, spec, change in (
        (TRACKER_FILE, tracker_spec(), edit),
        (MASTER_FILE, master_spec(), master),
    ):
        spec = copy.deepcopy(spec)
        if change is not None:
            change(spec.sheets[0])
        write_workbook(spec, folder / file)
    return folder


def merge_down(col: str, ranges: list[tuple[int, int]], first: Any = None) -> Edit:
    """Merge `col` over each range as Excel's Merge & Center does: the first cell keeps its
    value (or `first`), the others are emptied."""

    def edit(sheet: SheetSpec) -> None:
        rows: Any = sheet.rows
        for top, bottom in ranges:
            if first is not None:
                put(rows[top], col, first)
            for r in range(top + 1, bottom + 1):
                put(rows[r], col, None)
        sheet.merges = [*sheet.merges, *(f"{col}{a}:{col}{b}" for a, b in ranges)]

    return edit


def put(row: Any, col: str, value: Any) -> None:
    """Set (None: empty) a cell of a spec's row, given as {letter: value} or as a list."""
    if isinstance(row, dict):
        row.pop(col, None)
        if value is not None:
            row[col] = value
    else:
        row[col_number(col) - 1] = value


def class_blocks_merged(sheet: SheetSpec) -> None:
    merge_down(CLASS, list(blocks().values()))(sheet)


def esp(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--config", str(folder / "esp.toml")])


def ok(folder: Path, *args: str) -> Any:
    res = esp(folder, *args)
    assert res.exit_code in (0, 5), res.output  # 5: esp doctor found problems
    return res


def data(folder: Path, *args: str) -> Any:
    """A command's JSON, the folder's path taken out of it."""
    text = ok(folder, *args, "-f", "json").stdout.replace(str(folder), "{dir}")
    return json.loads(text)


READ_COMMANDS = [
    ("report", "eod", "--date", DAY),
    ("escalations", "--today", "--as-of", DAY),
    ("escalations", "--today", "--class", "AET-1109", "--as-of", DAY),
    ("sync-nnumbers", "--dry-run"),
    ("progress", "missing", "--date", DAY),
    ("doctor",),
]


def agents(folder: Path) -> list[tuple[int, str, str]]:
    table = read_table(Workbook.open(folder / TRACKER_FILE))
    return [(r.row, r.cls, r.name) for r in table.rows()]


def sheet_row(folder: Path, row: int) -> bytes:
    with zipfile.ZipFile(folder / TRACKER_FILE) as z:
        xml = z.read(SHEET_PART)
    found = re.search(rb'<row r="%d"[ >].*?</row>' % row, xml, re.S)
    assert found is not None
    return found.group(0)


# ----------------------------------------------------------------- merged down a block


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample(tmp_path_factory.mktemp("plain"), "plain")


def test_a_class_merged_down_its_block_is_the_class_of_every_row(
    tmp_path: Path, plain: Path
) -> None:
    merged = sample(tmp_path, "merged", class_blocks_merged)
    assert agents(merged) == agents(plain)
    assert {cls for _row, cls, _name in agents(merged)} == set(blocks())
    for args in READ_COMMANDS:
        assert data(merged, *args) == data(plain, *args), args
    res = ok(merged, "sme", "assign", "AET-1102", "--sme", "Dana Whitfield", "--dry-run")
    first, last = blocks()["AET-1102"]
    assert f"Dana Whitfield {last - first + 1} agent(s)" in res.output
    row, _cls, name = agents(merged)[2]
    cells = data(merged, "explain", name, "--as-of", DAY)["cells"]
    assert cells[0]["cell"] == f"'ESP Tracker'!{CLASS}{first}"  # where the class is typed
    assert cells[1]["cell"] == f"'ESP Tracker'!{NAME}{row}"


def test_the_master_with_its_class_merged_down_fills_the_same_dates(
    tmp_path: Path, plain: Path
) -> None:
    """Rows matched by name within their class (AET-1116) and a class-level row keep their
    class when it is typed once for the block."""
    first: dict[Any, int] = {}
    last: dict[Any, int] = {}
    for r, values in enumerate(MASTER_ROWS, MASTER_HEADER_ROW + 1):
        first.setdefault(values[0], r)
        last[values[0]] = r
    ranges = [(first[c], last[c]) for c in first if last[c] > first[c]]
    merged = sample(tmp_path, "merged", master=merge_down("A", ranges))
    assert data(merged, "sync-nnumbers", "--dry-run") == data(plain, "sync-nnumbers", "--dry-run")


def test_every_column_merged_down_a_block_reads_its_first_cell(tmp_path: Path) -> None:
    """TBT SME, ESP Start Date and the completion flags typed once for a class: each row
    shows them. An agent's name, ID and e-mail merged over two rows (one agent's row, two
    rows high) are one agent's: the second row is no agent of its own."""
    first, last = blocks()["AET-1116"]
    start = date(2026, 11, 16)
    edits = [
        merge_down(SME, [(first, last)], "Keisha Grant"),
        merge_down(START, [(first, last)], start),
        merge_down(TBTS_DONE, [(first, first + 3)], "Yes"),
        *(merge_down(col, [(5, 6)]) for col in ("B", "C", "D", "E", "F")),
    ]

    def edit(sheet: SheetSpec) -> None:
        for change in edits:
            change(sheet)

    folder = sample(tmp_path, "merged", edit)
    table = read_table(Workbook.open(folder / TRACKER_FILE))
    rows = {r.row: r for r in table.rows()}
    for r in range(first, last + 1):
        assert rows[r].text("tbt_sme") == "Keisha Grant"
        assert rows[r].get("esp_start") == start
    assert all(rows[r].get("tbts_complete") is True for r in range(first, first + 4))
    assert 6 not in rows and rows[5].name  # the second row of a two-row agent is no agent
    assert len(rows) == len(tracker_agents()) - 1
    doctor = data(folder, "doctor")
    assert not [f for f in doctor["findings"] if f["rule"] == "ESP005"]  # no duplicate agent


def test_a_write_inside_a_merged_block_is_refused_as_before(tmp_path: Path) -> None:
    first, last = blocks()["AET-1102"]
    folder = sample(tmp_path, "merged", merge_down(SME, [(first, last)], "Dana Whitfield"))
    before = (folder / TRACKER_FILE).read_bytes()
    res = ok(folder, "sme", "assign", "AET-1102", "--sme", "Dana Whitfield")
    assert "nothing to change" in res.stdout  # what every row shows already
    res = esp(folder, "sme", "assign", "AET-1102", "--sme", "Tom Alvarez")
    assert res.exit_code != 0
    assert f"!{SME}{first + 1} is inside the merged cells {SME}{first}:{SME}{last}" in res.output
    assert (folder / TRACKER_FILE).read_bytes() == before


def test_doctor_names_the_merged_cells_whose_first_cell_is_empty(tmp_path: Path) -> None:
    first, last = blocks()["AET-1109"]

    def edit(sheet: SheetSpec) -> None:
        class_blocks_merged(sheet)
        sheet.rows[first].pop(CLASS)  # type: ignore[attr-defined]

    folder = sample(tmp_path, "merged", edit)
    found = [f for f in data(folder, "doctor")["findings"] if f["rule"] == "ESP012"]
    assert [f["cell"] for f in found] == [f"'ESP Tracker'!A{r}" for r in range(first, last + 1)]
    span = f"A{first}:A{last}"
    assert f"the cell is inside the merged cells {span}, which are empty" in found[1]["message"]
    assert f"the first cell of the merged cells {span}" in found[0]["message"]
    assert found[1]["fix"].startswith(f"type the class in A{first}, the first cell of the merged")


def test_a_merged_value_that_cannot_be_read_is_reported_once(tmp_path: Path) -> None:
    first, last = blocks()["AET-1102"]
    folder = sample(tmp_path, "merged", merge_down(START, [(first, last)], "TBD"))
    table = read_table(Workbook.open(folder / TRACKER_FILE))
    assert all("esp_start" in r.unreadable for r in table.rows() if first <= r.row <= last)
    where = [f.address for f in table.findings if f.column == "ESP Start Date"]
    assert f"'ESP Tracker'!{START}{first}" in where
    assert not [
        w for w in where if any(w.endswith(f"!{START}{r}") for r in range(first + 1, last + 1))
    ]


def test_the_round_reads_a_merged_start_date_on_every_row(tmp_path: Path) -> None:
    first, last = blocks()["AET-1109"]
    start = date(2026, 11, 9)
    folder = sample(tmp_path, "merged", merge_down(START, [(first, last)], start))
    table = read_for_round(folder / TRACKER_FILE, Config())
    rows = [r for r in table.rows() if first <= r.row <= last]
    add_details(table, rows)
    assert [r.get("esp_start") for r in rows] == [start] * len(rows)


@pytest.mark.parametrize(
    "tail",
    [
        b'<mergeCells count="2"><mergeCell ref="A1:F1"/><mergeCell ref="A5:A28"/></mergeCells>',
        b"<x:mergeCells><x:mergeCell  ref = 'A1:F1' /><x:mergeCell ref='A5:A28'></x:mergeCell>"
        b"</x:mergeCells>",
        b'<mergeCells><mergeCell ref="A1:F1"/><!-- a note --><mergeCell ref="A5:A28"/>'
        b"</mergeCells>",
        b'<mergeCells><mergeCell ref="A1:F1"/><mergeCell ref="A5:A28"/></mergeCells>'
        b"<extLst><ext><y:row>1</y:row></ext></extLst>",
    ],
    ids=["as Excel writes it", "prefix and quoting", "a comment", "row> after the rows"],
)
@pytest.mark.parametrize("size", [7, 64, 1 << 20])
def test_merged_ranges_are_found_however_the_sheet_spells_them(tail: bytes, size: int) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 40))
    xml = b"<worksheet><sheetData>" + rows + b"</sheetData>" + tail + b"</worksheet>"
    found = _error_cells([xml[i : i + size] for i in range(0, len(xml), size)])
    assert found.merged == [(1, 1, 1, 6), (5, 1, 28, 1)]


# ------------------------------------------------------------ rows that are no agents


def totals_row(sheet: SheetSpec) -> None:
    """Typed under the agents: 'Total', the agents counted, the Yes of two columns counted."""
    row = LAST_AGENT_ROW + 2
    last = LAST_AGENT_ROW
    sheet.rows[row] = {  # type: ignore[index]
        CLASS: "Total",
        NAME: Formula(f"COUNTA({NAME}5:{NAME}{last})", len(tracker_agents())),
        CERT_DONE: Formula(f'COUNTIF({CERT_DONE}5:{CERT_DONE}{last},"Yes")', 40),
        TBTS_DONE: Formula(f'COUNTIF({TBTS_DONE}5:{TBTS_DONE}{last},"Yes")', 38),
    }


def repeated_headers(sheet: SheetSpec) -> None:
    """The header row typed again in the blank row above each class after the first."""
    header = sheet.rows[HEADER_ROW]
    for first, _last in list(blocks().values())[1:]:
        sheet.rows[first - 1] = dict(header)  # type: ignore[arg-type,index]


@pytest.mark.parametrize("edit", [totals_row, repeated_headers], ids=["totals", "headers"])
def test_a_totals_row_or_a_repeated_header_is_no_agent(
    tmp_path: Path, plain: Path, edit: Edit
) -> None:
    folder = sample(tmp_path, "shaped", edit)
    assert agents(folder) == agents(plain)
    for args in READ_COMMANDS[:-1]:
        assert data(folder, *args) == data(plain, *args), args
    shaped, usual = data(folder, "doctor"), data(plain, "doctor")
    assert shaped["findings"] == usual["findings"] and shaped["agents"] == usual["agents"]
    assert usual["set_aside"] == []
    aside = shaped["set_aside"]
    assert aside and all(a["rows"].startswith("'ESP Tracker'!") for a in aside)
    res = ok(folder, "doctor")
    assert "is not read as an agent" in res.stderr
    rows = [int(a["rows"].rpartition("!")[2].split(":")[0]) for a in aside]
    before = {r: sheet_row(folder, r) for r in rows}
    ok(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert {r: sheet_row(folder, r) for r in rows} == before  # nothing written into them


def test_the_doctor_says_why_a_row_is_set_aside(tmp_path: Path) -> None:
    folder = sample(tmp_path, "totals", totals_row)
    row = LAST_AGENT_ROW + 2
    assert data(folder, "doctor")["set_aside"] == [
        {
            "rows": f"'ESP Tracker'!{row}:{row}",
            "reason": f"its Agent Name is a count a formula makes (=COUNTA(B5:B{LAST_AGENT_ROW}))",
        }
    ]
    folder = sample(tmp_path, "headers", repeated_headers)
    reasons = {a["reason"] for a in data(folder, "doctor")["set_aside"]}
    assert reasons == {f"it repeats the header row (row {HEADER_ROW})"}


def test_a_totals_row_labelled_in_the_name_column_is_no_agent(tmp_path: Path, plain: Path) -> None:
    """'Total' typed where the names are, the counts beside it: the label and a count of
    other rows say it is no agent."""

    def edit(sheet: SheetSpec) -> None:
        last = LAST_AGENT_ROW
        sheet.rows[last + 1] = {  # type: ignore[index]
            NAME: "Grand Total:",
            CERT_DONE: Formula(f'COUNTIF({CERT_DONE}$5:{CERT_DONE}{last},"Yes")', 40),
        }

    folder = sample(tmp_path, "label", edit)
    assert agents(folder) == agents(plain)
    reason = data(folder, "doctor")["set_aside"][0]["reason"]
    assert reason.startswith("it reads 'Grand Total:' and counts other rows (=COUNTIF(")


def test_the_master_s_totals_row_is_no_unmatched_agent(tmp_path: Path, plain: Path) -> None:
    def edit(sheet: SheetSpec) -> None:
        last = MASTER_HEADER_ROW + len(MASTER_ROWS)
        sheet.rows[last + 1] = ["Total", Formula(f"COUNTA(B3:B{last})", len(MASTER_ROWS))]  # type: ignore[index]

    folder = sample(tmp_path, "master", master=edit)
    assert data(folder, "sync-nnumbers", "--dry-run") == data(plain, "sync-nnumbers", "--dry-run")


def test_an_excel_tables_totals_row_is_no_agent(tmp_path: Path) -> None:
    path = factories.tracker(
        tmp_path / "t.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Devon Price", "ESP Start Date": date(2026, 11, 16)},
            {"Class": "AET-1", "Agent Name": "Mara Quinn", "ESP Start Date": date(2026, 11, 16)},
            {"Class": "Total", "Agent Name": 2},  # what the table's Total Row shows
        ],
        title_rows=0,
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    table = ExcelTable(displayName="Agents", ref=f"A1:{ws.cell(1, ws.max_column).column_letter}4")
    table.totalsRowCount = 1
    ws.add_table(table)
    wb.save(path)
    read = read_table(Workbook.open(path))
    assert [r.name for r in read.rows()] == ["Devon Price", "Mara Quinn"]
    assert read.sheets[0].set_aside == [(4, "it is the Totals Row of the Excel table 'Agents'")]


def test_rows_that_only_look_like_totals_are_agents(tmp_path: Path) -> None:
    """Names made by formulas, a name with a label's word, a running count, an ID that
    numbers the rows, a name typed as a number: each is an agent's row."""
    keys = ("class", "agent_name", "agent_id", "email", "notes")
    rows: dict[int, list[Any]] = {1: list(factories.headers(*keys))}
    rows[2] = ["AET-1", Formula('TRIM("  Count Basie ")', "Count Basie"), "E1", None, None]
    rows[3] = ["Total", "Sumner Holt", Formula("MAX(C$1:C2)+1", 2), None, None]
    rows[4] = [
        "AET-1",
        Formula('IF(COUNTIF(B$2:B3,"Ana Ruiz")>0,"Ana Ruiz (2)","Ana Ruiz")', "Ana Ruiz"),
        "E3",
        None,
        Formula("COUNTA($B$2:B4)", 3),  # a running count holds its own row
    ]
    rows[5] = ["Total", "Lee Park", "E4", None, Formula("COUNTIF(B2:B5,B5)", 1)]
    rows[6] = ["AET-1", 12345, "E5", None, None]  # typed, not counted: esp doctor shows it
    rows[7] = ["AET-1", None, Formula("MAX(C$1:C6)+1", 6), None, None]
    rows[8] = ["AET-1", Formula('"3rd shift: "&"Ola Berg"', "3rd shift: Ola Berg"), "E7"]
    path = write_workbook(WorkbookSpec([SheetSpec("ESP Tracker", rows=rows)]), tmp_path / "t.xlsx")
    table = read_table(Workbook.open(path))
    assert [r.row for r in table.rows()] == [2, 3, 4, 5, 6, 7, 8]
    assert table.sheets[0].set_aside == []


def test_a_shared_formulas_members_are_read_as_their_own_cells_hold_them() -> None:
    xml = (
        b'<worksheet><sheetData><row r="80"><c r="A80" t="s"><v>0</v></c>'
        b'<c r="L80"><f t="shared" ref="L80:O80" si="3">COUNTIF(L5:L78,"Yes")</f><v>40</v></c>'
        b'<c r="O80"><f t="shared" si="3"/><v>38</v></c>'
        b'<c r="P80"><f>SUM(P$5:P78)&amp;" h"</f><v>7</v></c></row></sheetData></worksheet>'
    )
    assert SheetXml(xml).formulas_in(80) == {
        12: 'COUNTIF(L5:L78,"Yes")',
        15: 'COUNTIF(O5:O78,"Yes")',
        16: 'SUM(P$5:P78)&" h"',
    }


def test_a_header_of_two_rows_with_merged_cells_is_read_as_shown(tmp_path: Path) -> None:
    """Class and Agent Name typed in row 1 and merged down over the header row 2, the other
    headers in row 2 (group titles above them): the headers Excel shows in row 2."""
    keys = ("class", "agent_name", "esp_start", "call_cert_complete", "tbts_complete")
    second = factories.headers(*keys)
    rows: dict[int, list[Any]] = {
        1: [second[0], second[1], "Timeline", "Completion", None],
        2: [None, None, *second[2:]],
        3: ["AET-1", "Devon Price", date(2026, 11, 16), "Yes", "No"],
    }
    sheet = SheetSpec("ESP Tracker", rows=rows, merges=["A1:A2", "B1:B2", "D1:E1"])
    path = write_workbook(WorkbookSpec([sheet]), tmp_path / "t.xlsx")
    table = read_table(Workbook.open(path))
    read = table.sheets[0]
    assert read.header_row == 2 and set(read.columns) == set(keys)
    assert [(r.row, r.cls, r.name) for r in table.rows()] == [(3, "AET-1", "Devon Price")]

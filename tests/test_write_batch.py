"""Planning many cells at once (ChangePlan.set_many, Patcher.column_writer) gives what
planning them one by one gives: the same changes, intents and cells to write, the same
bytes written, and on any corner the same refusal of the same first cell."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table as XlTable

from esp_cli.config import Config
from esp_cli.errors import EspError
from esp_cli.workbook.session import ChangePlan, write_session
from tests.factories import TRACKER_HEADERS, headers, tracker

COMPUTED = headers("escalation_stage", "next_action", "next_action_due")
NAMES = ["Devon Price", "Erin Walsh", "Kai Moreno", "Lena Ortiz", "Mia Chen", "Noor Haddad"]
AGENTS = [
    {"Class": "AET-1", "Agent Name": n, "Agent ID": f"E{i}", "Email": f"e{i}@x.com"}
    for i, n in enumerate(NAMES, 1)
]
# The computed columns esp escalations writes, with values to write in them.
CELLS: list[tuple[str, str, Any]] = [
    (name, key, new)
    for name in NAMES
    for key, new in (
        ("escalation_stage", "Coaching"),
        ("next_action", "Coaching due"),
        ("next_action_due", date(2026, 11, 24)),
    )
]
KEYS = ("escalation_stage", "next_action", "next_action_due", "notes")


def _book(tmp_path: Path, change: Callable[[Any], None] | None = None, *, computed: bool = True):
    """A tracker (title row, headers in row 2, agents from row 3), with the computed
    columns (else without: esp adds them), changed by `change` (an openpyxl sheet)."""
    names = (*TRACKER_HEADERS, *COMPUTED) if computed else TRACKER_HEADERS
    path = tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=names)
    if change is not None:
        wb = openpyxl.load_workbook(path)
        change(wb["ESP Tracker"])
        wb.save(path)
    return path


def _col(key: str) -> int:
    """The column of a computed key in a tracker made with them."""
    return (
        len(TRACKER_HEADERS) + 1 + ("escalation_stage", "next_action", "next_action_due").index(key)
    )


def _plan(path: Path, cells: list[tuple[str, str, Any]], batch: bool) -> Any:
    """What planning `cells` makes (or the refusal), one by one or at once; and the bytes
    the plan would write."""
    try:
        with write_session(path, Config(), keys=KEYS, dry_run=True) as s:
            rows = {r.name: r for r in s.table.rows()}
            wanted = [(rows[name], key, new) for name, key, new in cells]
            plan: ChangePlan = s.plan
            if batch:
                plan.set_many(wanted)
            else:
                for row, key, new in wanted:
                    plan.set(row, key, new)
            writes = {k: dict(v) for k, v in plan.patcher._writes.items()}
            made = (
                list(plan.changes),
                plan.intents,
                writes,
                list(plan.added_columns),
                plan.patcher.build() if writes else b"",
            )
    except EspError as exc:
        return type(exc).__name__, exc.message, exc.fix
    return made


def _same(path: Path, cells: list[tuple[str, str, Any]] = CELLS) -> Any:
    one_by_one = _plan(path, cells, batch=False)
    assert _plan(path, cells, batch=True) == one_by_one
    return one_by_one


def test_a_plain_write_is_the_same_planned_at_once(tmp_path: Path) -> None:
    changes, _intents, writes, added, new = _same(_book(tmp_path))
    assert len(changes) == len(CELLS) and not added and new


def test_columns_added_and_moved_while_planning_are_the_same(tmp_path: Path) -> None:
    def stray(ws: Any) -> None:
        # A value without a header two columns right of the last header: the second
        # column esp adds does not fit there, so both move after it.
        ws.cell(row=4, column=len(TRACKER_HEADERS) + 2, value="stray")

    changes, _intents, _writes, added, _new = _same(_book(tmp_path, stray, computed=False))
    assert [a.col for a in added] == [len(TRACKER_HEADERS) + 3 + i for i in range(3)]
    assert {c.col for c in changes} == {a.col for a in added}


@pytest.mark.parametrize(
    "corner",
    [
        "formula",
        "merged",
        "array",
        "protected",
        "boolean",
        "table",
    ],
)
def test_a_corner_of_the_sheet_is_refused_or_kept_the_same(tmp_path: Path, corner: str) -> None:
    stage, action = _col("escalation_stage"), _col("next_action")
    cells = list(CELLS)

    def change(ws: Any) -> None:
        if corner == "formula":  # a cell of the third agent's row holds a formula
            ws.cell(row=5, column=action, value='=IF(A5="","",A5)')
        elif corner == "merged":  # a cell inside merged cells (not their first)
            ws.merge_cells(start_row=4, start_column=stage - 1, end_row=4, end_column=stage)
        elif corner == "array":  # an array formula fills cells of the column
            top = ws.cell(row=5, column=stage).coordinate
            ws[top] = ArrayFormula(f"{top}:{ws.cell(row=6, column=stage).coordinate}", "=B5:B6")
            # not the formula's own cell: the one it fills below is refused for it
            cells[6] = (NAMES[2], "next_action", "Coaching due")
        elif corner == "protected":
            ws.protection.sheet = True
        elif corner == "boolean":  # a TRUE/FALSE cell written Yes/No text stays boolean
            ws.cell(row=4, column=stage, value=True)
        elif corner == "table":  # an Excel table whose header row is an agent's row
            ws.cell(row=4, column=stage, value="Stage")
            ws.cell(row=4, column=action, value="Action")
            first, last = ws.cell(row=4, column=stage), ws.cell(row=6, column=action)
            ws.add_table(XlTable(displayName="Inner", ref=f"{first.coordinate}:{last.coordinate}"))

    if corner == "boolean":
        cells[3] = (NAMES[1], "escalation_stage", "Yes")
    made = _same(_book(tmp_path, change), cells)
    if corner == "boolean":
        _changes, _intents, writes, _added, _new = made
        assert writes["ESP Tracker"][(4, stage)] is True
    else:
        assert made[0] == "UnsafeWriteError", made


@pytest.mark.parametrize(
    "new",
    [
        "x" * 300,  # longer than a line
        "y" * 32768,  # longer than a cell holds
        "café",  # not ASCII
        "a\x07b",  # a character no cell shows
        "two\nlines",
        float("nan"),
        1.5,
        7,
        True,
        None,
        "",
        date(1899, 12, 1),  # before the first date the workbook can store
    ],
)
def test_every_kind_of_value_is_checked_the_same(tmp_path: Path, new: Any) -> None:
    cells = list(CELLS)
    cells[4] = (NAMES[1], "next_action", new)
    _same(_book(tmp_path), cells)


def test_a_cell_planned_twice_keeps_what_it_held_first(tmp_path: Path) -> None:
    cells = [*CELLS, (NAMES[0], "escalation_stage", "Written again")]
    changes, intents, _writes, _added, _new = _same(_book(tmp_path), cells)
    assert [c.new for c in changes if (c.row, c.col) == (3, _col("escalation_stage"))] == [
        "Written again"
    ]
    assert len(intents) == len(CELLS)


def _edit_sheet(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    """The tracker with its sheet's XML changed by `edit`, every other part as it was."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, edit(data) if info.filename.endswith("sheet1.xml") else data)
    return path


@pytest.mark.parametrize("layout", ["cells without r", "a cell naming another row"])
def test_a_row_written_otherwise_is_planned_the_same(tmp_path: Path, layout: str) -> None:
    """Rows another program wrote (cells without their reference, a cell naming another
    row): read the careful way, with the same result or refusal."""

    def edit(xml: bytes) -> bytes:
        start = xml.index(b'<row r="4"')
        end = xml.index(b"</row>", start)
        row = xml[start:end]
        if layout == "cells without r":
            head, _, cells = row.partition(b">")
            cells = re.sub(rb'<c r="[A-Z]+4"', b"<c", cells)
            return xml[:start] + head + b">" + cells + xml[end:]
        return xml[:start] + row.replace(b'r="C4"', b'r="C5"') + xml[end:]

    made = _same(_edit_sheet(_book(tmp_path), edit))
    if layout == "cells without r":
        assert len(made[0]) == len(CELLS)
    else:
        assert made[0] == "UnsafeWriteError" and "written inside row 4" in made[1], made


@pytest.mark.parametrize("agents", [NAMES, NAMES[:3]])
def test_a_column_written_down_most_of_the_sheet_indexes_its_rows(
    tmp_path: Path, agents: list[str]
) -> None:
    """Every agent's cells (and so the tests above, which compare that with planning them
    one by one) have the sheet's rows indexed at once (six agents below a title and a
    header: more than two thirds of the rows); three of six agents' are found by their
    references."""
    path = _book(tmp_path)
    with write_session(path, Config(), keys=KEYS, dry_run=True) as s:
        rows = {r.name: r for r in s.table.rows()}
        s.plan.set_many([(rows[name], key, new) for name, key, new in CELLS if name in agents])
        indexed = s.plan.patcher.sheet_xml("ESP Tracker")._rows is not None
    assert indexed == (agents == NAMES)

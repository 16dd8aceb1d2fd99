"""esp note add, and what every command that leaves a note line shares.

Notes take `MM/DD/YYYY - Name - Note`, TBT Notes `Name - MM/DD/YYYY - Note` (esp_cli.core.notes).
A line is appended after the cell's earlier lines, which are kept exactly as typed; a line
already there is not added again; the text is written as text, so a note starting with `=`
is never a formula; and the writer refuses a cell that would pass Excel's 32,767-character
limit rather than let Excel cut it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.columns import BY_KEY
from esp_cli.core.notes import NoteKind, format_line
from esp_cli.core.refs import address
from esp_cli.core.rules import fmt
from esp_cli.core.values import ErrorValue, text_of
from esp_cli.core.waiting import APPEND
from esp_cli.errors import UnsafeWriteError, UsageError
from esp_cli.results.note import NoteResult
from esp_cli.services.agents import LOOKUP_KEYS, find_agent
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Sheet
from esp_cli.workbook.waiting import Mark


def refuse_future(on: date, today: date, what: str, option: str = "--date") -> None:
    """A note or a step records what happened; a date after today is a typo. `option` is
    the command's option that gave the day (the fix names it)."""
    if on > today:
        raise UsageError(
            f"{fmt(on)} is in the future: {what}.",
            fix=f"leave out {option} (today), or give the day it happened.",
        )


def cell_text(row: Row, key: str, sheet: Sheet) -> str:
    """A notes cell as it is, every character kept (the parsed value is tidied): appending
    must not touch the earlier lines. A cell showing an Excel error is not overwritten."""
    raw = row.raw.get(key)
    if raw is None:
        return ""
    if isinstance(raw, ErrorValue):
        col = sheet.col(key)
        where = address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"
        header = sheet.headers.get(col, BY_KEY[key].header) if col else BY_KEY[key].header
        raise UnsafeWriteError(
            f"{where}: the {header} cell shows the error {raw.code}; esp will not overwrite it.",
            fix=f"clear or correct the {header} cell in Excel first.",
        )
    return raw if isinstance(raw, str) else text_of(raw)


def plan_note(plan: ChangePlan, row: Row, kind: NoteKind, line: str) -> bool:
    """Plan appending `line` to the row's Notes or TBT Notes; False when it is already there.

    Raises UnsafeWriteError (with the cell) when the cell would pass Excel's limits."""
    sheet = plan.table.sheet(row.sheet)
    text = cell_text(row, kind.column_key, sheet)
    return plan.append(row, kind.column_key, line, text) is not None


def add_note(
    tracker_path: Path,
    config: Config,
    query: str,
    text: str,
    *,
    kind: NoteKind = NoteKind.NOTES,
    by: str | None = None,
    on: date | None = None,
    cls: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> NoteResult:
    """Append one note line for the agent `query` names."""
    if not text.strip():
        raise UsageError("The note is empty.", fix="give the note's text after the agent.")
    today = today or config.today()
    day = on or today
    refuse_future(day, today, "a note is dated the day it is written")
    signer = config.who_signs(by)
    writer = signer.name
    line = format_line(kind, day, writer, text)
    with write_session(
        tracker_path,
        config,
        keys=(*LOOKUP_KEYS, kind.column_key),
        dry_run=dry_run,
        signer=writer,
    ) as s:
        row = find_agent(s.table, query, cls)
        added = plan_note(s.plan, row, kind, line)
        sheet = s.table.sheet(row.sheet)
        col = s.plan.column(sheet, kind.column_key) if added else sheet.col(kind.column_key)
        waits = None if added else waiting_with(s.counted.of(row), kind.column_key, line)
    header = BY_KEY[kind.column_key].header
    write = s.report
    if waits is not None and write.status == "waiting":
        write = replace(write, op=waits)  # the change it is part of: nothing new kept
    return NoteResult(
        agent=row.ref(),
        kind=kind,
        column=sheet.headers.get(col, header) if col else header,
        cell=address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}",
        line=line,
        added=added,
        write=write,
        signed_by=signer,
        waiting_as=waits,
    )


def waiting_with(marks: Iterable[Mark], key: str, line: str) -> str | None:
    """The waiting operation that appends this very line to the cell (the same note typed
    again while the first still waits), or None."""
    return next(
        (
            m.op.op
            for m in marks
            if m.key == key and m.cell.action == APPEND and str(m.cell.value) == line
        ),
        None,
    )

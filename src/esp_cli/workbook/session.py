"""The one way esp writes a workbook: open, lock, read, plan, apply, save, report.

Every writing command goes through `write_session`. A service only states its plan — which
cells get which values — inside the session; the session opens the workbook (holding esp's
lock from the read to the write, refusing while Excel has it open), reads the tracker's rows,
and when the service's block ends without an error applies every planned cell in one
lossless write (backup, atomic replace) and reports what changed. A `--dry-run` session
plans the same cells and writes nothing. This is the single place where a write happens, so
it is also the single place where one is recorded: in the operation log (esp_cli.workbook.history),
appended under the same lock once the new workbook is in place.

    with write_session(path, config, keys=READ_KEYS, dry_run=dry_run) as s:
        row = find_agent(s.table, query)
        s.plan.set(row, "notes", text)
    return Result(..., write=s.report)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core import oplog
from esp_cli.core import waiting as waiting_ops
from esp_cli.core.columns import BY_KEY, Kind, a_or_an, set_aside_words
from esp_cli.core.model import AddedColumn, CellChange, LeftColumn, WaitingChange, WriteReport
from esp_cli.core.notes import appended
from esp_cli.core.oplog import Facts, GrownRange
from esp_cli.core.refs import MAX_COL, address, col_letter, parse_range
from esp_cli.core.values import Unreadable, control_characters, describe_character, parse_yes_no
from esp_cli.core.waiting import NotWorkedOut, WaitingCell, WaitingOp
from esp_cli.errors import MissingColumnsError, UnsafeWriteError, UsageError, WorkbookBusyError
from esp_cli.workbook import followups, history, waiting
from esp_cli.workbook.finder import RowFinder
from esp_cli.workbook.tracker import (
    SET_ASIDE,
    Row,
    Sheet,
    Table,
    answer_over,
    answer_over_refusal,
    answers_refusal,
    asked_refusal,
    read_table,
)
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.patch import Patcher, SheetTable
from esp_cli.workbook.xlsx.workbook import Workbook, locked_for_update, same_or_open, workbook_file

log = logging.getLogger("esp")


def _answer(value: Any) -> bool:
    """Whether `value` is a Yes or a No as a yes/no column is written (TRUE, Yes, N, 1...)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return value in (0, 1)
    if not isinstance(value, str):
        return False
    try:
        return parse_yes_no(value) is not None
    except Unreadable:
        return False


def _refuse_answer_over(sheet: Sheet, row: Row, key: str, new: Any) -> None:
    """No Yes or No is written over a cell of a yes/no column holding something else (a
    course code, a count): whatever the command, the write stops there, naming the cell."""
    if _answer(new) and answer_over(row, key) is not None:
        raise answer_over_refusal(sheet, row, key)


@dataclass(frozen=True, eq=False)
class _GiveBack:
    """An undo of this write giving back the ranges its operation grew (ChangePlan.give_back)."""

    grown: tuple[GrownRange, ...]  # the ranges its operation grew
    added: tuple[AddedColumn, ...]  # the columns its operation added
    exact: bool
    op: str | None  # the waiting operation that is the undo (None: the command's own)


class ChangePlan:
    """The cells a command will write, each with its old value, applied in one write.

    `set` takes an agent row and a column key: the column is found on the row's sheet, or
    added when the sheet lacks it (new_column: after the last header where that column is
    empty, else after the last used one). `set_cell` writes a cell of a sheet that is not
    read as agent rows (the TBT Tracking Sheet)."""

    def __init__(self, workbook: Workbook, table: Table | None) -> None:
        self.workbook = workbook
        self._table = table
        self.changes: list[CellChange] = []
        self.added_columns: list[AddedColumn] = []
        self._patcher: Patcher | None = None
        self._planned_cols: dict[tuple[str, str], int] = {}
        self._added_cols: dict[str, list[int]] = {}
        # Which waiting operation each added column is written for (None: the command's).
        self._added_for: dict[tuple[str, str], str | None] = {}
        # What the command means to do, cell by cell, in units written both or neither:
        # kept as a waiting operation when the tracker is busy (see esp_cli.workbook.waiting).
        # Each [unit, change, key, action, value]: see `intents`.
        self._intents: list[list[Any]] = []
        self._unit: Hashable | None = None
        self._units = 0
        # The changes that waited beside the tracker and are written with this one, by
        # operation (their cells are not the command's own `changes`).
        self.applied: dict[str, list[CellChange]] = {}
        self._behalf: str | None = None
        self._where: dict[tuple[str, int, int], int] = {}  # a cell -> its place in `changes`
        # A cell -> the place in `intents` of its first one that is not an appended line.
        self._intended: dict[tuple[str, int, int], int] = {}
        self._finder: RowFinder | None = None
        self._maybe: set[tuple[str, int]] = set()  # rows that may have namesakes
        self._facts: dict[tuple[str, int], Facts | None] = {}
        # The undos of this write giving back the ranges their operations grew.
        self._give_backs: list[_GiveBack] = []
        # (sheet, col) of each column they took out, its header with it.
        self._taken_out: set[tuple[str, int]] = set()
        # What a change of this write (None: the command's own) grows again of what an
        # undo that waited gives back: the columns it adds again, and the range (_regrow).
        self._regrown: dict[str | None, list[tuple[tuple[AddedColumn, ...], GrownRange]]] = {}
        # The header cells the command's own undo takes out with their columns: kept so,
        # should it wait (WaitingCell.header).
        self._headers: set[tuple[str, int, int]] = set()

    @contextlib.contextmanager
    def unit(self) -> Iterator[None]:
        """The cells planned inside belong together: a change and the note line that
        documents it, written both or neither should they have to wait. (Outside a unit,
        the cells of one row are one unit.)"""
        outer = self._unit
        self._units += 1
        self._unit = ("unit", self._units)
        try:
            yield
        finally:
            self._unit = outer

    @contextlib.contextmanager
    def on_behalf(self, op: str) -> Iterator[None]:
        """The cells planned inside are those of the waiting operation `op`."""
        self._behalf = op
        self.applied.setdefault(op, [])
        try:
            yield
        finally:
            self._behalf = None

    def _intend(self, change: CellChange, key: str | None, action: str, value: Any) -> None:
        if self._behalf is not None:
            return
        unit = self._unit if self._unit is not None else ("row", change.sheet, change.row)
        if key is None and self._table is not None:
            # A cell of an agent's column written by its address (an undo): its key, so
            # the row is read with it when the change waits.
            with contextlib.suppress(KeyError):
                columns = self._table.sheet(change.sheet).columns
                key = next((k for k, c in columns.items() if c == change.col), None)
        where = _at(change)
        first = self._intended.get(where)
        if action == waiting_ops.SEEN and first is not None:
            return  # written (or seen) already: what esp saw there is checked as it is
        if action == waiting_ops.SET and first is not None:
            if self._intents[first][3] == waiting_ops.SEEN:  # seen, then written after all
                self._intents[first][1:4] = [change, key, action]
            self._intents[first][4] = value  # the last word
            return
        if first is None and action != waiting_ops.APPEND:
            self._intended[where] = len(self._intents)
        self._intents.append([unit, change, key, action, value])

    @property
    def intents(self) -> list[tuple[Hashable, WaitingCell]]:
        """What the command means to do, cell by cell, each with its unit (made only when
        the plan has to wait: a write of 10,000 cells seldom does)."""
        return [
            (
                unit,
                WaitingCell(
                    c.sheet,
                    c.row,
                    c.col,
                    c.agent,
                    c.cls,
                    c.column,
                    key,
                    action,
                    c.old,
                    value,
                    c.agent_id,
                    c.email,
                    c.n_number,
                    self.facts(c),
                    header=_at(c) in self._headers,
                ),
            )
            for unit, c, key, action, value in self._intents
        ]

    def facts(self, change: CellChange) -> Facts | None:
        """For a cell of an agent's row whose namesakes nothing of who they are tells apart
        (no Agent ID, e-mail or N Number of their own), what does — as the workbook holds
        it before this write (RowFinder.facts: an ESP Start Date), the cells this plan
        writes in the row aside — recorded with the cell so its row is found again after
        a sort. None for every other cell."""
        if change.agent_id is None or self._table is None:
            return None
        finder = self.ready_facts()
        where = (change.sheet, change.row)
        if finder is None or where not in self._maybe:
            return None
        if where in self._facts:
            return self._facts[where]
        row = finder.at(*where)
        found = None
        if row is not None and finder.has_namesakes(row):
            written = {
                c.col
                for c in (*self.changes, *(c for cs in self.applied.values() for c in cs))
                if (c.sheet, c.row) == where
            }
            written |= {
                i[1].col
                for i in self._intents
                if (i[1].sheet, i[1].row) == where and i[3] != waiting_ops.SEEN
            }
            found = finder.facts(row, written)
        self._facts[where] = found
        return found

    def ready_facts(self) -> RowFinder | None:
        """The finder `facts` asks, with the rows that may have namesakes worked out: done
        before the new workbook is built (WriteSession), so that what it holds for a moment
        does not add to what the build holds. None for a sheet written by address."""
        if self._finder is None and self._table is not None:
            self._finder = RowFinder(self._table)
            self._maybe = self._finder.maybe_namesakes()
        return self._finder

    @property
    def agent_rows(self) -> Table | None:
        """The tracker's rows, or None for a sheet written by address."""
        return self._table

    @property
    def table(self) -> Table:
        if self._table is None:
            raise TypeError("this plan writes cells by address; it has no agent rows")
        return self._table

    @property
    def patcher(self) -> Patcher:
        if self._patcher is None:
            self._patcher = self.workbook.patcher()
            for sheet in self._table.sheets if self._table is not None else ():
                self._patcher.records_from(sheet.name, sheet.header_row + 1)
        return self._patcher

    def check_new_columns(self) -> None:
        """Refuse the columns planned so far that cannot be added (hidden ones, ones a
        table cannot take), naming all of them; done when the plan ends, and by a command
        before it does anything of its own with the plan."""
        if self._patcher is not None:
            self._patcher.check_new_columns()

    def tables(self, sheet: str) -> list[SheetTable]:
        """The sheet's Excel tables (where a list of rows kept in one ends)."""
        return self.patcher.tables(sheet)

    def formulas(self, sheet: str) -> list[tuple[int, int, str]]:
        """The sheet's formulas as (row, column, text without '=')."""
        return self.patcher.formulas(sheet)

    def column(self, sheet: Sheet, key: str) -> int:
        """The column for `key` on `sheet`; added after the last header when missing. A
        yes/no column whose cells hold counts or dates is refused (answers_refusal): every
        write of an agent's cell comes here."""
        col = sheet.col(key)
        if col is not None:
            if key in sheet.not_answers:
                raise answers_refusal(sheet, key)
            return col
        planned = self._planned_cols.get((sheet.name, key))
        if planned is not None:
            return planned
        if key in sheet.asked:
            raise asked_refusal(sheet, key)
        col = self.new_column(
            sheet.name,
            sheet.header_row,
            BY_KEY[key].header,
            last_header_col=sheet.last_header_col,
            last_used_col=sheet.last_used_col,
        )
        self._planned_cols[(sheet.name, key)] = col
        return col

    def new_column(
        self, sheet: str, header_row: int, header: str, *, last_header_col: int, last_used_col: int
    ) -> int:
        """Add a column headed `header` right after the last header when that whole column
        is empty: no value or formula in any row, above the header or below it, and no
        merged cells, Excel table, PivotTable or data validation over it. Else after the
        last column the sheet uses, saying why. The columns one write adds stay together,
        in the order they were asked for: when the next one does not fit beside those
        already placed, all of them move to after the last used column. Returns it."""
        group = self._added_cols.get(sheet, [])
        start = group[0] if group else last_header_col + 1
        note = ""
        while True:
            end = start + len(group)  # the new column's place
            if end > MAX_COL:
                raise self._no_room(sheet, header_row, header, last_header_col)
            used = next(
                (
                    (col, why)
                    for col in range(start, end + 1)
                    if (why := self._column_use(sheet, col, header_row, last_used_col))
                ),
                None,
            )
            if used is None:
                break
            col, why = used
            last = max(
                last_header_col,
                last_used_col,
                self.patcher.structures_end(sheet, header_row),
                col,
            )
            # Said of the column that sets the place (the last one used, or the right edge
            # of a chart or table further on), not only of the first one in the way.
            if last != col:
                setter = self._column_use(sheet, last, header_row, last_used_col)
                col, why = (last, setter) if setter else (col, why)
            note = f"placed after the last used column: {col_letter(col)} {why}"
            start = last + 1
        if group and start != group[0]:
            self._move_columns(sheet, group, start, note)
        col = start + len(group)
        if not note and group:  # beside the others, for the same reason
            note = next(a.note for a in self.added_columns if (a.sheet, a.col) == (sheet, group[0]))
        # Styled like the last header the sheet has (never like a column added beside it).
        like = last_header_col if last_header_col >= 1 else None
        self.patcher.add_column(sheet, header_row, col, header, like)
        self._added_cols.setdefault(sheet, []).append(col)
        self._added_for[(sheet, header)] = self._behalf
        width_note = self.patcher.width_said(sheet, col)
        self.added_columns.append(
            AddedColumn(sheet, col, header, note, row=header_row, width_note=width_note)
        )
        return col

    def columns_added_for(self, ops: Iterable[str | None]) -> tuple[AddedColumn, ...]:
        """The columns this write adds for these operations (None: the command's own)."""
        wanted = set(ops)
        return tuple(
            a for a in self.added_columns if self._added_for.get((a.sheet, a.header)) in wanted
        )

    def columns_recorded_for(self, ops: Iterable[str | None]) -> tuple[AddedColumn, ...]:
        """columns_added_for, each with its header cell's XML before this write (None: no
        cell), for the log: what an undo puts back there. With them, the columns these
        changes fill again that an undo that waited gives back (regrown_for), each with
        the header cell's XML before the operation that undo undoes added it."""
        ops = list(ops)
        return (
            tuple(
                replace(a, before_xml=xml.decode("utf-8", "surrogateescape"))
                if (xml := self.patcher.cell_xml(a.sheet, a.row, a.col)) is not None
                else a
                for a in self.columns_added_for(ops)
            )
            + self.regrown_for(ops)[0]
        )

    def intended_cells(self) -> list[tuple[Hashable, WaitingCell]]:
        """The intents as a waiting operation keeps them: a cell of a column this plan
        adds has col 0 (its column is added again when written, where there is room then;
        any other column not found then is a conflict)."""
        added = {(a.sheet, a.col) for a in self.added_columns}
        return [(u, replace(c, col=0) if (c.sheet, c.col) in added else c) for u, c in self.intents]

    def added_column(self, sheet: str, header: str) -> int:
        """Where the column esp adds with this header went (after every move)."""
        for added in self.added_columns:
            if added.sheet == sheet and added.header == header:
                return added.col
        raise KeyError(header)

    def _move_columns(self, sheet: str, cols: list[int], start: int, note: str) -> None:
        """Move the columns this write adds to `sheet` to `start` on, in their order: the
        header and every planned cell go with them (checked again where they land)."""
        moves = {old: start + i for i, old in enumerate(cols)}
        self.patcher.move_columns(sheet, moves)
        self.changes = [
            replace(c, col=moves[c.col]) if c.sheet == sheet and c.col in moves else c
            for c in self.changes
        ]
        self.added_columns = [
            replace(
                a,
                col=moves[a.col],
                note=note,
                width_note=self.patcher.width_said(sheet, moves[a.col]),
            )
            if a.sheet == sheet and a.col in moves
            else a
            for a in self.added_columns
        ]
        self._added_cols[sheet] = [moves[c] for c in cols]
        for key, col in list(self._planned_cols.items()):
            if key[0] == sheet and col in moves:
                self._planned_cols[key] = moves[col]
        for intent in self._intents:
            c = intent[1]
            if c.sheet == sheet and c.col in moves:
                intent[1] = replace(c, col=moves[c.col])
        self._intended = {}
        for i, (_u, c, _k, action, _v) in enumerate(self._intents):
            if action != waiting_ops.APPEND:
                self._intended.setdefault(_at(c), i)
        for op, changes in self.applied.items():
            self.applied[op] = [
                replace(c, col=moves[c.col]) if c.sheet == sheet and c.col in moves else c
                for c in changes
            ]
        self._where = {_at(c): i for i, c in enumerate(self.changes)}

    def _no_room(
        self, sheet: str, header_row: int, header: str, last_header: int
    ) -> UnsafeWriteError:
        """No column is left for a new one: the sheet uses its last column, XFD."""
        sheet_info = self.workbook.pkg.sheet(sheet)
        row = self.workbook.first_value_in(sheet_info, MAX_COL) or self.patcher.first_formula_row(
            sheet, MAX_COL
        )
        where = f"{col_letter(MAX_COL)}{row}" if row else col_letter(MAX_COL)
        value = (
            self.workbook.values(sheet_info, columns={MAX_COL}).get(row, MAX_COL) if row else None
        )
        holds = (
            f"the header row reaches Excel's last column, {col_letter(MAX_COL)}"
            if last_header >= MAX_COL
            else f"the sheet uses Excel's last column, {col_letter(MAX_COL)}"
        )
        yourself = f"add {a_or_an(header)} '{header}' header yourself in a free column"
        occupant = None if row else self.patcher.column_occupant(sheet, MAX_COL, header_row)
        if occupant is not None:
            # Nothing typed there: merged cells, a table, a drop-down or a chart reach it.
            return UnsafeWriteError(
                f"{address(sheet, header_row, MAX_COL)}: esp needs to add the column "
                f"'{header}', but {holds} (it {occupant.why}): there is no column after it; "
                "nothing was written.",
                fix=f"{occupant.free}, or {yourself}.",
            )
        shown = f"{where} holds {str(value)[:40]!r}" if value is not None else f"{where} is used"
        return UnsafeWriteError(
            f"{address(sheet, header_row, MAX_COL)}: esp needs to add the column '{header}', "
            f"but {holds} ({shown}): there is no column after it; nothing "
            "was written.",
            fix=f"clear {where} if it was typed there by mistake (Ctrl+End in Excel goes to "
            f"it), or {yourself}.",
        )

    def _column_use(self, sheet: str, col: int, header_row: int, last_used: int) -> str | None:
        """Why `col` is not free for a new column (None: it is): merged cells, a table or
        a drop-down over it, or a cell in it holding a value or a formula (one that shows
        nothing, ="", counts: writing over it would destroy it)."""
        why = self.patcher.column_use(sheet, col, header_row)
        if why is not None:
            return why
        # Values as read (a column past the last one holding a value holds none), and the
        # formulas, which a value does not show when their result is empty.
        found = [self.patcher.first_formula_row(sheet, col)]
        if col <= last_used:
            found.append(self.workbook.first_value_in(self.workbook.pkg.sheet(sheet), col))
        rows = [r for r in found if r is not None]
        if rows:
            return f"holds data without a header ({col_letter(col)}{min(rows)})"
        return None

    def _set_row_cell(self, row: Row, sheet: Sheet, key: str, col: int, new: Any) -> CellChange:
        """Plan the cell of column `key` in the agent's row, recording who the agent is and
        what esp saw there."""
        name, agent_id, email, n_number = row.identity()
        return self._set_cell(
            row.sheet,
            row.row,
            col,
            new,
            agent=name,
            cls=row.cls,
            column=sheet.headers.get(col, BY_KEY[key].header),
            old=seen_value(row, key),
            agent_id=agent_id,
            email=email,
            n_number=n_number,
        )

    def set(self, row: Row, key: str, new: Any) -> CellChange:
        sheet = self.table.sheet(row.sheet)
        col = self.column(sheet, key)
        _refuse_answer_over(sheet, row, key, new)
        change = self._set_row_cell(row, sheet, key, col, new)
        self._intend(change, key, waiting_ops.SET, new)
        return change

    def see(self, row: Row, key: str) -> None:
        """The cell of column `key` in the agent's row is named by what the command writes
        (the value its note line names) but not written: should the change wait, it is
        kept as seen, not written, and a teammate's change to it meanwhile is a conflict
        of its unit. Nothing for a sheet without the column."""
        sheet = self.table.sheet(row.sheet)
        col = sheet.col(key)
        if col is None or self._behalf is not None:
            return
        name, agent_id, email, n_number = row.identity()
        old = seen_value(row, key)
        change = CellChange(
            row.sheet,
            row.row,
            col,
            name,
            row.cls,
            sheet.headers.get(col, BY_KEY[key].header),
            old,
            old,
            agent_id,
            email,
            n_number,
        )
        self._intend(change, key, waiting_ops.SEEN, old)

    def set_many(self, cells: Iterable[tuple[Row, str, Any]]) -> None:
        """`set` for each (row, key, new) in turn, with the same changes, intents and
        refusals (the same first cell refused, in the same words): what is the same for
        every cell of a column (where it is, its header, the ranges over it that could
        refuse a cell) is worked out once, and a row's identity once per row."""
        if self._behalf is not None:
            for row, key, new in cells:
                self.set(row, key, new)
            return
        table = self.table
        cells = list(cells)
        # How many rows of each sheet the cells are in: a column written down most of a
        # sheet has its rows indexed at once (SheetXml.expect_rows).
        rows_of: dict[str, set[int]] = {}
        for row, _key, _new in cells:
            rows_of.setdefault(row.sheet, set()).add(row.row)
        changes, intents, unit = self.changes, self._intents, self._unit
        where_of, intended = self._where, self._intended
        set_action = waiting_ops.SET
        # (sheet, key) -> (col, header, read as typed, writer made at its first cell)
        columns: dict[tuple[str, str], list[Any]] = {}
        plain: set[str] = set()  # texts seen to hold no control character
        last: Row | None = None
        who: tuple[str, str, str, str] = ("", "", "", "")
        for row, key, new in cells:
            sheet_name = row.sheet
            got = columns.get((sheet_name, key))
            if got is None:
                sheet = table.sheet(sheet_name)
                added = len(self.added_columns)
                col = self.column(sheet, key)
                if len(self.added_columns) != added:
                    columns.clear()  # adding a column may have moved those added before it
                changes = self.changes  # ... and remade the changes and their places
                where_of, intended = self._where, self._intended
                column = sheet.headers.get(col, BY_KEY[key].header)
                got = [col, column, BY_KEY[key].kind is Kind.YESNO, None]
                columns[(sheet_name, key)] = got
            col, column, as_typed, writer = got
            if row is not last:
                last, who = row, row.identity()
            if as_typed and key in row.unreadable:
                _refuse_answer_over(table.sheet(sheet_name), row, key, new)
            num = row.row
            old = row.raw.get(key) if as_typed or key in row.unreadable else row.values.get(key)
            if isinstance(new, str) and new not in plain:
                _refuse_control_characters(new, old, sheet_name, num, col)
                if not control_characters(new):
                    plain.add(new)
            if writer is None:
                writer = got[3] = self.patcher.column_writer(sheet_name, col)
                writer.sx.expect_rows(len(rows_of[sheet_name]))
            written = writer.set(num, new)
            name, agent_id, email, n_number = who
            change = CellChange(
                sheet_name, num, col, name, row.cls, column, old, written, agent_id, email,
                n_number,
            )  # fmt: skip
            # _record and _intend, as they go for the command's own cell (no waiting
            # operation's, no unit): one lookup each for a cell planned once.
            where = (sheet_name, num, col)
            at = where_of.get(where)
            if at is None:
                where_of[where] = len(changes)
                changes.append(change)
            else:
                self._record(change)
            if unit is None:
                first = intended.get(where)
                if first is None:
                    intended[where] = len(intents)
                    intents.append([("row", sheet_name, num), change, key, set_action, new])
                elif intents[first][3] == waiting_ops.SEEN:
                    self._intend(change, key, set_action, new)  # seen, then written
                else:
                    intents[first][4] = new  # the last word
            else:
                self._intend(change, key, set_action, new)

    def append(self, row: Row, key: str, line: str, text: str | None = None) -> CellChange | None:
        """Plan appending the note `line` to the row's notes cell `key`, after the lines the
        cell holds (`text`: the cell as text, when the caller has it; lines planned earlier
        in this plan come before). None when the line is there already."""
        sheet = self.table.sheet(row.sheet)
        col = sheet.col(key) or self._planned_cols.get((row.sheet, key))
        at = self._where.get((row.sheet, row.row, col)) if col is not None else None
        if at is not None and self._behalf is None and at < len(self.changes):
            before = self.changes[at].new
            current = before if isinstance(before, str) else ""
        else:
            current = text if text is not None else (waiting_ops.note_text(row.raw.get(key)) or "")
        new = appended(current, line)
        if new is None:
            return None
        col = self.column(sheet, key)
        change = self._set_row_cell(row, sheet, key, col, new)
        self._intend(change, key, waiting_ops.APPEND, line)
        return change

    def set_cell(
        self,
        sheet: str,
        row: int,
        col: int,
        new: Any,
        *,
        agent: str = "",
        cls: str = "",
        column: str = "",
        old: Any = None,
        agent_id: str | None = None,
        email: str | None = None,
        n_number: str | None = None,
        restoring: bool = False,
    ) -> CellChange:
        """`agent_id`, `email`, `n_number`: who the agent of the cell's row is (see
        CellChange). `restoring`: what the cell held before (an undo), written as it was."""
        change = self._set_cell(
            sheet,
            row,
            col,
            new,
            agent=agent,
            cls=cls,
            column=column,
            old=old,
            agent_id=agent_id,
            email=email,
            n_number=n_number,
            restoring=restoring,
        )
        self._intend(change, None, waiting_ops.RESTORE if restoring else waiting_ops.SET, new)
        return change

    def _set_cell(
        self,
        sheet: str,
        row: int,
        col: int,
        new: Any,
        *,
        agent: str,
        cls: str,
        column: str,
        old: Any,
        agent_id: str | None,
        email: str | None,
        n_number: str | None,
        restoring: bool = False,
    ) -> CellChange:
        if isinstance(new, str) and not restoring:
            _refuse_control_characters(new, old, sheet, row, col)
        new = self.patcher.set(sheet, row, col, new)  # what is written (a checkbox: True)
        change = CellChange(
            sheet, row, col, agent, cls, column, old, new, agent_id, email, n_number
        )
        self._record(change)
        return change

    def _record(self, change: CellChange) -> None:
        """One change per cell: a cell planned again keeps what it held first."""
        changes = self.changes if self._behalf is None else self.applied[self._behalf]
        where = (change.sheet, change.row, change.col)
        if self._behalf is None:
            at = self._where.get(where)
            if at is not None and at < len(changes) and _at(changes[at]) == where:
                changes[at] = replace(change, old=changes[at].old)
                return
            self._where[where] = len(changes)
        else:
            for i in range(len(changes) - 1, -1, -1):
                if _at(changes[i]) == where:
                    changes[i] = replace(change, old=changes[i].old)
                    return
        changes.append(change)

    def give_back(
        self, undone: oplog.Operation, *, exact: bool, op: str | None = None
    ) -> _GiveBack:
        """An undo of `undone` (`op`: the waiting operation that is that undo; None: the
        command's own): the ranges it grew (an Excel table's, a sheet's filter) give back
        what this write empties again — the rows they grew over at their end (see
        Patcher.shrink), and the columns it added to them, header and all, settled once
        every cell is planned (take_out_columns). `exact`: only esp has written the
        workbook since `undone` (a header goes as its cell: none)."""
        asked = _GiveBack(undone.grown, undone.added_columns, exact, op)
        for grown in undone.grown:
            self.patcher.shrink(grown)
        self._give_backs.append(asked)
        return asked

    def withdraw(self, asked: _GiveBack) -> None:
        """Take back a `give_back` (the undo that waited waits on, unwritten)."""
        for grown in asked.grown:
            self.patcher.withdraw(grown)
        self._give_backs.remove(asked)

    def take_out_columns(self) -> None:
        """The columns the undos of this write give back to the ranges their operations
        grew (give_back), settled now that every cell is planned. Such a column goes, its
        header with it, when the range is still the one that operation made, nothing is
        left in the column, and its header is still the one esp wrote: a table keeps no
        column without a header, nor a header left beside it that esp would fill again
        outside it. Else the column stays, and its header too (one an undo that waited
        planned to take out is left as it is): see columns_left."""
        for asked in self._give_backs:
            for grown in asked.grown:
                grew = _grown_columns(grown, asked.added)
                gone = self._columns_gone(grown, grew)
                if asked.op is not None:
                    self._regrow(asked, grown, grew, gone)
                if gone:
                    self.patcher.give_back_columns(grown, gone[-1].col - 1)
                for column in grew.values():
                    if column in gone:
                        self._take_out_header(asked, column)
                        self._taken_out.add((column.sheet, column.col))
                    else:
                        self._leave_header(asked, column)

    def _columns_gone(
        self,
        grown: GrownRange,
        grew: dict[int, AddedColumn],
        writes: dict[tuple[int, int], Any] | None = None,
    ) -> list[AddedColumn]:
        """The columns the operation that grew `grown` added (`grew`) that go with this write
        (`writes`: a part of it), rightmost first: emptied, their headers still esp's."""
        gone = []
        for col in self.patcher.emptied_columns(grown, writes):
            column = grew.get(col)
            # Its header, as esp wrote it: one renamed since makes it the team's.
            if column is None or (
                self.patcher.text_of(column.sheet, column.row, col) != column.header
            ):
                break
            gone.append(column)
        return gone

    def _regrow(
        self,
        asked: _GiveBack,
        grown: GrownRange,
        grew: dict[int, AddedColumn],
        gone: list[AddedColumn],
    ) -> None:
        """An undo that waited gives `grown` back rows or columns that a change written
        after it in this write fills again (esp escalations --write, esp tbt proofs): the
        range keeps them, and that change is recorded as growing it over them — adding the
        columns again — as when the undo is written first and the change after it, so that
        its own undo gives them back."""
        order = list(self.applied)
        if asked.op not in order:
            return
        upto = order[: order.index(asked.op) + 1]
        writes: dict[tuple[int, int], Any] = {}
        for op in upto:
            for c in self.applied[op]:
                if c.sheet == grown.sheet:
                    writes[(c.row, c.col)] = c.new
        would = self._columns_gone(grown, grew, writes)
        end = self.patcher.emptied_rows(grown, writes)
        end_now = self.patcher.emptied_rows(grown)
        r1, c1, r2, c2 = parse_range(grown.after)
        right = min((c.col for c in would), default=c2 + 1) - 1
        right_now = min((c.col for c in gone), default=c2 + 1) - 1
        end = r2 if end is None or end_now is None else end
        end_now = r2 if end_now is None else end_now
        if (end, right) == (end_now, right_now):
            return

        def fills(c: CellChange) -> bool:
            if c.sheet != grown.sheet or c.new in (None, ""):
                return False
            return (right < c.col <= right_now and r1 < c.row <= end_now) or (
                end < c.row <= end_now and c1 <= c.col <= right_now
            )

        later: list[str | None] = [*order[len(upto) :], None]
        by = next(
            (
                op
                for op in later
                if any(fills(c) for c in (self.changes if op is None else self.applied[op]))
            ),
            None,
        )
        columns = tuple(a for col, a in sorted(grew.items()) if right < col <= right_now)
        regrown = replace(
            grown,
            before=f"{col_letter(c1)}{r1}:{col_letter(right)}{end}",
            after=f"{col_letter(c1)}{r1}:{col_letter(right_now)}{end_now}",
        )
        self._regrown.setdefault(by, []).append((columns, regrown))

    def regrown_for(
        self, ops: Iterable[str | None]
    ) -> tuple[tuple[AddedColumn, ...], tuple[GrownRange, ...]]:
        """The columns and ranges the changes `ops` (None: the command's own) grow again
        over what an undo that waited gives back (see _regrow), for their entries."""
        found = [r for op in ops for r in self._regrown.get(op, [])]
        return tuple(a for columns, _g in found for a in columns), tuple(g for _c, g in found)

    def columns_left(self, op: str | None = None) -> list[AddedColumn]:
        """The columns the operation an undo undoes added (`op`: the waiting operation that
        is the undo; None: the command's own) that this write leaves where they are, their
        cells emptied and their headers left — all but those taken out (take_out_columns)
        and those another change of this write fills again."""
        asked = next((a for a in self._give_backs if a.op == op), None)
        if asked is None:
            return []
        return [
            a
            for a in asked.added
            if (a.sheet, a.col) not in self._taken_out and not self._filled(a, op)
        ]

    def _filled(self, column: AddedColumn, op: str | None) -> bool:
        """Whether a change of this write other than the undo `op`'s writes a value in the
        column (a waited undo written by esp escalations --write, which fills it again)."""
        others = [cs for o, cs in self.applied.items() if o != op]
        if op is not None:
            others.append(self.changes)
        return any(
            c.col == column.col and c.sheet == column.sheet and c.new not in (None, "")
            for changes in others
            for c in changes
        )

    def _planned_empty(self, asked: _GiveBack, at: tuple[str, int, int]) -> CellChange | None:
        """The change of the undo `asked` emptying the cell `at`, if it plans one."""
        if asked.op is None:
            where = self._where.get(at)
            changes = [self.changes[where]] if where is not None else []
        else:
            changes = [c for c in self.applied.get(asked.op, []) if _at(c) == at]
        return next((c for c in changes if c.new in (None, "")), None)

    def _take_out_header(self, asked: _GiveBack, column: AddedColumn) -> None:
        """Empty the header of a column given back: exactly, the cell it was before esp
        added the column (recorded with it; none recorded: no cell)."""
        at = (column.sheet, column.row, column.col)
        if self._planned_empty(asked, at) is not None:
            return  # planned by the undo that waited, as its cells
        with self.on_behalf(asked.op) if asked.op is not None else contextlib.nullcontext():
            if asked.exact:
                element = _header_before(column)
                self.restore_cell(*at, element, None, column=column.header, old=column.header)
            else:
                self.set_cell(*at, None, column=column.header, old=column.header, restoring=True)
        if asked.op is None:
            self._headers.add(at)
            self.sort()  # the header first, as the changes read top to bottom

    def _leave_header(self, asked: _GiveBack, column: AddedColumn) -> None:
        """A column that stays keeps its header: one an undo that waited planned to empty
        (its column was given back when it was made) is left as it is. (A header the team
        changed meanwhile it left already: see core.waiting.resolve.)"""
        if asked.op is None:
            return
        at = (column.sheet, column.row, column.col)
        change = self._planned_empty(asked, at)
        if change is not None:
            self.applied[asked.op].remove(change)
            self.patcher.unset(*at)

    def grown_by(
        self, changes: Iterable[CellChange], columns: Iterable[AddedColumn] = ()
    ) -> tuple[GrownRange, ...]:
        """The ranges the write grows over the cells of these changes (rows under them)
        and of these added columns' headers (a column right of them), for their entry."""
        grown = self._patcher.grown if self._patcher is not None else []
        if not grown:
            return ()
        cells = [(c.sheet, c.row, c.col) for c in changes]
        cells += [(a.sheet, a.row, a.col) for a in columns]
        return tuple(g for g in grown if any(_grown_over(g, *cell) for cell in cells))

    def check(self, sheet: str, row: int, col: int, value: Any) -> None:
        """Raise what writing `value` there would raise (a formula, a merged cell, Excel's
        limits, a yes/no column whose cells hold counts or dates); nothing is planned."""
        sheets = self._table.sheets if self._table is not None else []
        read = next((s for s in sheets if s.name == sheet), None)
        if read is not None and _answer(value):
            for key in read.not_answers:
                if read.columns[key] == col:
                    raise answers_refusal(read, key)
            keys = [k for k, c in read.columns.items() if c == col]
            agent = next((r for r in read.rows if r.row == row), None) if keys else None
            if agent is not None:
                _refuse_answer_over(read, agent, keys[0], value)
        self.patcher.check(sheet, row, col, value)

    def trial(self) -> ChangePlan:
        """A plan of the same workbook and rows that is never written: cells planned on it
        meet every check this plan's would (a formula, merged cells, a protected sheet, a
        table or PivotTable, a column to add, Excel's limits...), in the same words, so a
        command can learn what its write would refuse before it does what cannot be undone
        (e-mail someone, save a file)."""
        return ChangePlan(self.workbook, self._table)

    def expect_rows(self, sheet: str, count: int) -> None:
        """Cells of `count` rows of the sheet are about to be planned one by one (an undo
        of a whole-column write): see SheetXml.expect_rows."""
        self.patcher.sheet_xml(sheet).expect_rows(count)

    def restore_cell(
        self,
        sheet: str,
        row: int,
        col: int,
        element: bytes | None,
        value: Any,
        *,
        agent: str = "",
        cls: str = "",
        column: str = "",
        old: Any = None,
        agent_id: str | None = None,
        email: str | None = None,
        n_number: str | None = None,
    ) -> CellChange:
        """Put a cell back exactly as it was (its recorded XML; None: no cell), showing
        `value`. For an undo."""
        self.patcher.restore(sheet, row, col, element, value)
        change = CellChange(
            sheet, row, col, agent, cls, column, old, value, agent_id, email, n_number
        )
        self._record(change)
        self._intend(change, None, waiting_ops.RESTORE, value)
        return change

    def sort(self) -> None:
        """Changes in sheet order (a table of thousands of them reads top to bottom)."""
        # `_where` has each change's cell (sheet, row, col) once: sorted, its cells give the
        # order, and its keys are kept (a write of 50,000 cells makes no second 50,000).
        places = sorted(self._where.items())
        changes = self.changes
        if len(places) != len(changes):  # not one place a change: sorted as they are
            places = sorted((_at(c), i) for i, c in enumerate(changes))
        self.changes = [changes[i] for _, i in places]
        self._where = {where: i for i, (where, _) in enumerate(places)}

    @property
    def empty(self) -> bool:
        """Nothing of the command's own to write."""
        return not self.changes and not (self.added_columns and not any(self.applied.values()))


@dataclass
class WriteSession:
    """An open workbook about to be written: its rows (`table`) and the `plan`.

    `busy`: the tracker cannot be written now (open in Excel, another esp writing it); the
    plan is kept as a waiting operation instead. `pending`: the waiting operations found
    beside the tracker; `applier` put them on the rows read (and, when the tracker is free,
    into the plan, to be written with the command's own change)."""

    path: Path
    workbook: Workbook
    plan: ChangePlan
    dry_run: bool
    signer: str | None = None
    undoes: str | None = None  # an undo: the operation it undoes
    # An undo, or one agent's (which undoes no operation): the operation whose cells it
    # puts back.
    restores: str | None = None
    # The day the command dates its change, when not today (oplog.Operation.dated).
    dated: date | None = None
    busy: WorkbookBusyError | None = None
    pending: list[WaitingOp] = field(default_factory=list)
    applier: waiting.Applier | None = field(default=None, repr=False)
    store: waiting.Store | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)  # waiting files that were skipped
    # Waiting files a newer esp kept (skipped, said in `warnings`): changes that wait on.
    for_newer: list[Path] = field(default_factory=list)
    # Waiting files that could not be read, or are not a whole change (said in `warnings`).
    skipped: list[Path] = field(default_factory=list)
    # The waiting operations that are the command's own (esp round's answers, kept as they
    # were typed): written as part of its change, in its entry of the log.
    own: frozenset[str] = frozenset()
    would_wait: str | None = None  # a dry run: who has the tracker now, if anyone
    # The team's clock ([calendar] timezone; None: this machine's): when a change that
    # waited was made, as the report of the write that writes it says.
    zone: tzinfo | None = None
    # A dry run of a write: the new workbook's parts are made in memory as the write makes
    # them (and thrown away), so that what in the workbook would refuse the write refuses
    # the dry run (Patcher.rehearse).
    preview: bool = False
    _report: WriteReport | None = field(default=None, repr=False)

    @property
    def table(self) -> Table:
        return self.plan.table

    @property
    def report(self) -> WriteReport:
        if self._report is None:
            raise RuntimeError("the session's report is ready once its block has ended")
        return self._report

    @property
    def counted(self) -> waiting.Overlay:
        """The waiting changes put on the rows read, for a report to count and mark."""
        if self.applier is None:
            return waiting.Overlay(warnings=self.warnings)
        return waiting.Overlay(
            self.pending, self.applier.marks, self.applier.outcomes, self.warnings, self.applier
        )

    @property
    def written_waiting(self) -> list[waiting.Outcome]:
        """The waiting operations this write writes (under way: not held)."""
        if self.applier is None or self.dry_run or self.busy is not None:
            return []
        return [o for o in self.applier.outcomes if not o.held]

    def waiting_cells(self, sheet: str) -> dict[tuple[int, int], Any]:
        """The cells of `sheet` written by address (a sheet without agent rows: the TBT
        Tracking Sheet) as the changes waiting beside the workbook leave them, by (row,
        column): a command that decides what to write from what the sheet holds decides
        on the sheet as they leave it, since they are written first (or, while the
        workbook is busy, will be)."""
        return self.applier.left_at(sheet) if self.applier is not None else {}

    def _would_write(self) -> list[waiting.Outcome]:
        """A dry run of a write: the waiting operations the write would write first."""
        if self.applier is None or not self.preview:
            return []
        return [o for o in self.applier.outcomes if not o.held]

    def _own_changes(self) -> list[CellChange]:
        """The cells of the command's own waiting operations the plan writes (or, in a dry
        run, would)."""
        if self.applier is None or not self.own or self.busy is not None:
            return []
        return [
            c
            for o in self.applier.outcomes
            if not o.held and o.op.op in self.own
            for c in self.plan.applied.get(o.op.op, [])
        ]

    @property
    def held_waiting(self) -> list[waiting.Outcome]:
        if self.applier is None:
            return []
        return [o for o in self.applier.outcomes if o.held]

    def _finish(self, config: Config) -> None:
        backup = None
        op = None
        kept = None
        applied = self.written_waiting
        self.plan.take_out_columns()
        # Refused now, whether written or kept waiting: every hidden column in one go.
        self.plan.check_new_columns()
        if self.preview and self.would_wait is None and self.plan.patcher.pending:
            # What only making the new sheet finds (a row written twice far down the XML,
            # met once the rows are indexed) refuses the dry run as it refuses the write.
            self.plan.patcher.rehearse()
        if not self.dry_run and self.busy is not None:
            if not self.plan.empty:
                op = self._keep_waiting(config, self.busy)
            kept = self.busy.holder or "busy"
            applied = []
        elif not self.dry_run and self.plan.empty and applied and not self._applied_cells(applied):
            # Each one's cells hold what it would write already (a line typed by hand
            # meanwhile): recorded as written, nothing to replace the tracker with.
            self._record_unchanged(config, applied)
        elif not self.dry_run and (not self.plan.empty or applied):
            try:
                backup, op = self._write_and_record(config, applied)
            except WorkbookBusyError as exc:
                # Refused at the last moment (Excel opened it, a program holds it, someone
                # saved it): the change waits; the waiting ones wait on, untouched.
                if exc.holder is None or not waiting_ops.may_wait.get():
                    raise
                op = self._keep_waiting(config, exc) if not self.plan.empty else None
                kept = exc.holder
                applied = []
            else:
                assert self.store is not None
                for outcome in applied:
                    self.store.remove(outcome.op)
        self._say_set_aside()
        own = self._own_changes() if kept is None else []
        changes = self.plan.changes
        if own:
            changes = sorted([*own, *changes], key=lambda c: (c.sheet, c.row, c.col))
        # The changes that waited, written first (a dry run: those the write would write).
        ahead = self._would_write() if self.dry_run else applied
        first = [o for o in ahead if o.op.op not in self.own]
        self._report = WriteReport(
            tracker=self.path,
            changes=changes,
            added_columns=self.plan.added_columns,
            dry_run=self.dry_run,
            backup=backup,
            op=op,
            waiting=kept,
            waiting_written=[o.op.op for o in first],
            waiting_held=[o.op.op for o in self.held_waiting],
            would_wait=self.would_wait if self.dry_run else None,
            waiting_changes=[
                WaitingChange(o.op.op, c, o.op.on_clock(self.zone).made)
                for o in first
                for c in self.plan.applied.get(o.op.op, [])
            ],
            waiting_left_columns=[
                LeftColumn(o.op.op, o.op.undoes, column)
                for o in first
                if o.op.undoes is not None
                for column in self.plan.columns_left(o.op.op)
            ],
        )

    def _say_set_aside(self) -> None:
        """Each header set aside on a sheet this write writes to (another names its column
        as exactly or more: esp doctor's ESP010), once, on stderr: a write goes by the
        column read, and the team sees which one that is before looking at the cells."""
        table = self.plan.agent_rows
        if table is None:
            return
        written = {c.sheet for c in self.plan.changes}
        written |= {c.sheet for cs in self.plan.applied.values() for c in cs}
        written |= {a.sheet for a in self.plan.added_columns}
        said: set[tuple[str, int, int]] = set()
        for sheet in table.sheets:
            if sheet.name not in written:
                continue
            for key, read, aside in sheet.duplicate_headers:
                if (key, aside) in sheet.chosen_aside:
                    continue  # said when the sheet was read
                said.add((sheet.name, sheet.header_row, aside))
                log.warning(
                    "%s",
                    set_aside_words(
                        BY_KEY[key].header,
                        (address(sheet.name, sheet.header_row, read), sheet.headers[read]),
                        (address(sheet.name, sheet.header_row, aside), sheet.headers[aside]),
                        hidden=(sheet.hidden_letter(read), sheet.hidden_letter(aside)),
                    ),
                )
        # Said once: not again among the cells the command lists (the same header's
        # "another ... column, set aside").
        table.findings[:] = [
            f
            for f in table.findings
            if (f.sheet, f.row, f.col) not in said or not f.message.startswith(SET_ASIDE)
        ]

    def _applied_cells(self, applied: list[waiting.Outcome]) -> bool:
        return any(self.plan.applied.get(o.op.op) for o in applied) or bool(self.plan.added_columns)

    def _record_unchanged(self, config: Config, applied: list[waiting.Outcome]) -> None:
        """Waiting operations with nothing left to write: their entries (no backup, and
        the digests of the previous write: a save made outside esp since is still noticed
        by the next write), then their files go."""
        recorder = history.Recorder(history.log_path(self.path, config.backup_dir), self.path)
        digest = recorder.previous_digest or self.workbook.pkg.digest
        try:
            moment = history.now()
            entries = []
            for o in applied:
                entry = _entry(self, o.op, None, moment, digest, digest, None, [], applied)
                if not o.conflicts:
                    entry = replace(entry, note=f"{entry.note}; the tracker held it already")
                entries.append(entry)
            recorder.append(entries)
        finally:
            recorder.close()
        assert self.store is not None
        for outcome in applied:
            self.store.remove(outcome.op)

    def _keep_waiting(self, config: Config, busy: WorkbookBusyError) -> str:
        """The command's plan, kept beside the tracker to be written when it is free."""
        store = self.store or waiting.Store(self.path, config.backup_dir)
        units: dict[Hashable, list[WaitingCell]] = {}
        for unit, cell in self.plan.intended_cells():
            units.setdefault(unit, []).append(cell)
        try:
            op = waiting.new_op(
                store,
                list(units.values()),
                signer=self.signer,
                why=busy.holder or "busy",
                digest=self.workbook.pkg.digest,
                undoes=self.undoes,
                taken=[o.op for o in self.pending],
                dated=self.dated,
                restores=self.restores,
            )
        except OSError as exc:  # its log cannot be read for a fresh id
            raise store.cannot_keep(busy.holder or "", exc) from exc
        return store.keep(op).op

    def _write_and_record(
        self, config: Config, applied: list[waiting.Outcome]
    ) -> tuple[Path, str | None]:
        """Write the planned cells and record the operation in the log: its entry is
        written, flushed and synced once the backup is made and before the tracker is
        replaced (a log that cannot be written stops the write; nothing is left to fail
        once the tracker is replaced), pending until the replace is done. A tracker saved
        by someone since esp's last write gets its own entry first (its cells are worked
        out later, when asked for: see history.work_out). The changes that waited and are
        written with this one come before its own, each an entry of its own (under its own
        id, author, time and command), pending with it."""
        folder = safety.backup_dir_for(self.path, config.backup_dir)
        folders = [folder, safety.legacy_backup_dir(self.path, config.backup_dir)]
        before = self.workbook.pkg.digest
        log = history.log_path(self.path, config.backup_dir)
        recorder = history.Recorder(log, self.path, current=before)
        replaced = False
        mine = [o for o in applied if o.op.op in self.own]
        others = [o for o in applied if o.op.op not in self.own]
        try:
            op = recorder.new_id() if not self.plan.empty or mine else None
            # The backup is named after the write's own id, else the first change written.
            stamp = op or applied[0].op.op
            seen = recorder.previous_digest
            previous = recorder.previous() if seen not in (None, before) else None
            outside = (
                history.outside_operation(
                    recorder.new_id(),
                    previous,
                    self.workbook,
                    folders,
                    by=stamp,
                )
                if previous is not None
                else None
            )
            patcher = self.plan.patcher
            self.plan.ready_facts()
            touched: set[tuple[str, int, int]] = set()
            groups: list[tuple[WaitingOp | None, Iterable[dict[str, Any]]]] = []
            for outcome in others:
                changes = self.plan.applied.get(outcome.op.op, [])
                groups.append(
                    (
                        outcome.op,
                        history.cell_entries(changes, patcher.cell_xml, touched, self.plan.facts),
                    )
                )
            if op is not None:
                own = [c for o in mine for c in self.plan.applied.get(o.op.op, [])]
                entries = history.cell_entries(
                    [*own, *self.plan.changes], patcher.cell_xml, touched, self.plan.facts
                )
                if groups:
                    groups.append((None, entries))
                else:
                    # The only entry's cells, their JSON made while the new sheet is
                    # compressed (an entry after others waits for theirs: see `touched`).
                    prepared = history.PreparedCells(entries)
                    patcher.idle = prepared.step
                    groups.append((None, prepared))

            makes: list[str] = []  # the tracker's digest the write makes

            def record(backup: Path, digest_after: str, parts: dict[str, str]) -> None:
                makes.append(digest_after)
                moment = history.now()
                entries = [history.noticed(outside, backup)] if outside is not None else []
                for made, cells in groups:
                    entry = _entry(
                        self, made, op, moment, before, digest_after, backup, cells, others, parts
                    )
                    if made is None and mine:
                        entry = replace(
                            entry,
                            wrote_waiting=tuple(o.op.op for o in mine),
                            waiting_files={o.op.op: o.op.fingerprint for o in mine},
                        )
                    entries.append(entry)
                recorder.append(entries, pending=len(groups))

            saved = self.workbook.save(
                patcher,
                config.backup_dir,
                op=stamp,
                retention=safety.Retention(
                    config.backup_keep_days,
                    config.backup_keep_count,
                    history.before_removing(
                        log, folders, history.names(config.columns), noticed=outside
                    ),
                ),
                before_replace=record,
            )
            replaced = True
            recorder.confirm()
            if outside is not None:
                history.set_aside(log, history.noticed(outside, saved.backup), folders)
        except BaseException:
            if not replaced:
                # Stopped before the tracker was replaced, or while (Ctrl-C): the tracker
                # says which (what the write makes: written; anything else, taken out: see
                # history.took_effect); a log that cannot tell is settled by the next command.
                with contextlib.suppress(OSError):
                    if makes and safety.digest_of(self.path) == makes[0]:
                        recorder.confirm()
                    else:
                        recorder.withdraw()
            raise
        finally:
            if self.plan._patcher is not None:
                self.plan._patcher.idle = None  # its cells are written (or will not be)
            recorder.close()
        return saved.backup, op


def _entry(
    session: WriteSession,
    made: WaitingOp | None,
    op: str | None,
    moment: datetime,
    before: str,
    after: str,
    backup: Path | None,
    cells: Iterable[dict[str, Any]],
    applied: list[waiting.Outcome],
    parts: dict[str, str] | None = None,
) -> oplog.Operation:
    """One entry of a write: the command's own (`made` None), or a change that waited."""
    if made is None:
        assert op is not None
        return oplog.Operation(
            op=op,
            kind=oplog.UNDO if session.undoes else oplog.WRITE,
            time=moment,
            **history.who(session.signer),
            digest_before=before,
            digest_after=after,
            backup=backup.name if backup is not None else None,
            cell_json=cells,
            added_columns=session.plan.columns_recorded_for([None, *session.own]),
            undoes=session.undoes,
            parts=parts or {},
            dated=session.dated,
            grown=session.plan.grown_by(
                [
                    *session.plan.changes,
                    *(c for o in session.own for c in session.plan.applied.get(o, [])),
                ],
                session.plan.columns_added_for([None, *session.own]),
            )
            + session.plan.regrown_for([None, *session.own])[1],
        )
    outcome = next(o for o in applied if o.op is made)
    left = "; ".join(
        f"{c.sheet}!{c.cell_ref} ({c.column}) left out: {c.reason}"
        # A note cell the same change may also write a line into: which line stayed out.
        + (f" (the line {_short(c.cell.value)})" if c.cell.action == waiting_ops.APPEND else "")
        for c in outcome.conflicts
    )
    unworked = "; ".join(waiting_ops.not_worked_out_words(waiting.said_not_worked_out(outcome)))
    return oplog.Operation(
        op=made.op,
        kind=oplog.UNDO if made.undoes else oplog.WRITE,
        time=made.time,
        signer=made.signer,
        login=made.login,
        machine=made.machine,
        version=made.version,
        command=made.command,
        digest_before=before,
        digest_after=after,
        backup=backup.name if backup is not None else None,
        cell_json=cells,
        added_columns=session.plan.columns_recorded_for([made.op]),
        undoes=made.undoes,
        note="; ".join(n for n in (f"waited: {made.why}", left, unworked) if n),
        written_at=moment,
        waiting_files={made.op: made.fingerprint},
        parts=parts or {},
        dated=made.dated,
        grown=session.plan.grown_by(
            session.plan.applied.get(made.op, []), session.plan.columns_added_for([made.op])
        )
        + session.plan.regrown_for([made.op])[1],
    )


def _restore_exactly(plan: ChangePlan, target: oplog.Operation, outcome: waiting.Outcome) -> None:
    """An undo that waited, written now while only esp has written the workbook since the
    operation `target` it puts back the cells of (see esp_cli.services.undo): each cell it
    puts back where that operation wrote it goes back as its very XML (None: no cell: one
    esp created goes — the header of a column it added too), as a direct undo puts it
    back. A cell moved or chained keeps its value written."""
    restored = [(c, new) for c, new in outcome.written if c.action == waiting_ops.RESTORE]
    if not restored:
        return
    first: dict[tuple[str, int, int], oplog.CellRecord] = {}
    for record in target.cells:
        first.setdefault((record.sheet, record.row, record.col), record)
    headers = {
        (a.sheet, a.row, a.col): a
        for grown in target.grown
        for a in _grown_columns(grown, target.added_columns).values()
    }
    for cell, new in restored:
        at = (cell.sheet, cell.row, cell.col)
        if outcome.places.get(at, at) != at:
            continue
        found = first.get(at)
        if found is None and at in headers and new is None:
            # The header it added, taken out with its column (see give_back).
            element = _header_before(headers[at])
        elif found is None or found.chained:
            continue
        else:
            xml = found.before_xml
            element = xml.encode("utf-8", "surrogateescape") if xml else None
        plan.patcher.restore(cell.sheet, cell.row, cell.col, element, new)


def _header_before(column: AddedColumn) -> bytes | None:
    """The header cell of an added column as it was before (None: no cell)."""
    xml = column.before_xml
    return xml.encode("utf-8", "surrogateescape") if xml else None


def _grown_columns(grown: GrownRange, added: Iterable[AddedColumn]) -> dict[int, AddedColumn]:
    """The columns an operation added (`added`) that the range it grew (`grown`) grew over,
    right of where it ended before, by column, each with its header's row (the range's
    first: an entry an older esp wrote has none)."""
    header_row, _c1, _r2, right = parse_range(grown.after)
    before = parse_range(grown.before)[3]
    return {
        a.col: replace(a, row=header_row)
        for a in added
        if a.sheet == grown.sheet and before < a.col <= right and a.row in (0, header_row)
    }


def _grown_over(grown: GrownRange, sheet: str, row: int, col: int) -> bool:
    """Whether a range was grown over this cell: in its range after, not before (a row
    under it, a column right of it)."""
    if sheet != grown.sheet:
        return False
    r1, c1, r2, c2 = parse_range(grown.after)
    _b1, _bc1, before_end, before_right = parse_range(grown.before)
    return r1 <= row <= r2 and c1 <= col <= c2 and (row > before_end or col > before_right)


def _at(change: CellChange) -> tuple[str, int, int]:
    return change.sheet, change.row, change.col


def seen_value(row: Row, key: str) -> Any:
    """A cell's value as a change records what it held: yes/no as typed ('No', 'N'), not as
    understood (False), and a cell esp could not read as typed; others as understood."""
    as_typed = key in row.unreadable or BY_KEY[key].kind is Kind.YESNO
    return row.raw.get(key) if as_typed else row.values.get(key)


def _refuse_control_characters(new: str, old: Any, sheet: str, row: int, col: int) -> None:
    """No command writes a character a cell cannot show (a NUL from a UTF-16 file read as
    text, an escape code): one the cell already held (Excel can store them) stays."""
    found = control_characters(new)
    if not found:
        return
    held = set(control_characters(old)) if isinstance(old, str) else set()
    bad = [ch for ch in found if ch not in held]
    if bad:
        shown = ", ".join(describe_character(ch) for ch in bad)
        raise UsageError(
            f"{address(sheet, row, col)}: the text to write holds {shown}, which no cell can "
            "show; nothing was written.",
            fix='remove it from the text (a file saved as "Unicode" or by a terminal program '
            "may hold it: save it as UTF-8 text).",
        )


@dataclass(frozen=True)
class FollowUp:
    """What a write adds for the waiting changes it writes, once they are in its plan: the
    computed columns of the agents they change, brought up to date as the command that made
    them would have (esp_cli.services registers a loader of it in workbook.followups: the
    rules are not this layer's). `trigger`: the columns whose change calls for it;
    `keys`: what it reads."""

    trigger: frozenset[str]
    keys: tuple[str, ...]
    plan: Callable[[WriteSession, Config, list[waiting.Outcome]], None]
    # The columns of a waiting change it works out itself at write time (the computed
    # columns), for the changes `recomputes` says: those cells are neither written as they
    # wait nor judged against what the cell holds now.
    works_out: frozenset[str] = frozenset()
    recomputes: Callable[[WaitingOp], bool] = lambda _op: False
    # The cells of `works_out` a change's write will leave as they are though their
    # columns are on the sheet, and why (said with those whose column is gone).
    leaves: Callable[[Table, Config, waiting.Outcome], list[NotWorkedOut]] = (
        lambda _table, _config, _outcome: []
    )


def _follow_ups(ops: Sequence[WaitingOp]) -> list[FollowUp]:
    """The follow-ups registered (workbook.followups) that waiting changes `ops` call for,
    each loaded only then: a write with none of those never imports them."""
    return followups.loaded(ops)


def _follow_up_keys(ops: Sequence[WaitingOp]) -> tuple[str, ...]:
    touched = waiting.keys_of(ops)
    if not touched:
        return ()
    return tuple(dict.fromkeys(k for f in _follow_ups(ops) if touched & f.trigger for k in f.keys))


def _follow_up(session: WriteSession, config: Config, applier: waiting.Applier) -> None:
    if not applier.outcomes:
        return
    table = session.plan.agent_rows
    for f in _follow_ups([o.op for o in applier.outcomes]):
        for o in applier.outcomes:
            if table is not None and not o.held and o.op.op not in session.own:
                o.not_worked_out.extend(f.leaves(table, config, o))
        outcomes = [
            o
            for o in applier.outcomes
            if not o.held
            and o.op.op not in session.own  # the command's own: it plans them itself
            and f.recomputes(o.op)
            and {c.key for c, _new in o.written} & f.trigger
        ]
        if outcomes:
            f.plan(session, config, outcomes)


def _would_wait(path: Path) -> str | None:
    """A dry run of a write: who has the tracker now (Excel's or LibreOffice's owner file
    beside it), said on stderr, since the real run would write nothing and keep its change
    waiting. None: nobody seen."""
    try:
        safety.refuse_if_open(path)
    except WorkbookBusyError as exc:
        then = (
            "keep its change waiting beside it (exit 7), written once the tracker is free"
            if waiting_ops.may_wait.get()
            else "refuse it (--no-wait: exit 4)"
        )
        log.warning(
            "%s is %s: the real run would write nothing now and %s.", path.name, exc.holder, then
        )
        return exc.holder
    return None


def _short(value: Any) -> str:
    text = repr(str(value))
    return text if len(text) <= 80 else f"{text[:76]}...'"


@contextlib.contextmanager
def write_session(
    path: Path,
    config: Config,
    *,
    keys: Iterable[str] | None = None,
    rows: bool = True,
    dry_run: bool = False,
    write: bool = True,
    signer: str | None = None,
    read: Table | None = None,
    skip_conflicts: bool = False,
    also: Sequence[WaitingOp] = (),
    own: Iterable[str] = (),
    dated: date | None = None,
    scan_also: tuple[Iterable[str], Iterable[str]] = ((), ()),
) -> Iterator[WriteSession]:
    """Open `path` to be written and read its agent rows (only the columns `keys` names,
    besides identity and class; `rows=False` reads none: a sheet written by address). The
    planned cells are written when the block ends without an error, unless `dry_run`.
    `scan_also`: (columns, when) — those columns scanned with the ones read on a sheet
    that has every column of `when` (read_table), for the rows the command reads more of
    later.

    `write=False` serves a command that writes only when asked (`escalations --write`):
    the workbook is opened to be read, without esp's lock, and nothing is written.

    `signer` is who signs the change (the command's --by, else [people] user), recorded in
    the operation log with the OS login; None for commands that sign nothing.

    `read`: the tracker as read earlier with these `keys` (esp round reads it, then asks
    for a long while); used as is when the file has not changed since, else read again.

    The changes waiting beside the tracker (esp_cli.workbook.waiting) are put on the rows
    read, so the command builds on them; when the tracker is free they are written in the
    same write, before the command's own (`skip_conflicts`: those with a conflict write
    their other units). When it is busy (open in Excel or LibreOffice, held by a program,
    another esp writing it past the wait) the plan waits beside it instead: the report says
    so (status "waiting"), unless waiting is turned off (--no-wait: the refusal, exit 4).
    `also`: operations not kept in a file (a dry run's), put after those that are; `own`:
    the ids of those that are the command's own change (esp round's answers)."""
    earlier = read.workbook if read is not None else None
    wants = write and not dry_run
    would_wait: str | None = None
    busy: WorkbookBusyError | None = None
    with contextlib.ExitStack() as stack:
        if not write:
            wb = Workbook.open(path)
        elif dry_run:
            wb = stack.enter_context(locked_for_update(path, dry_run=True, reuse=earlier))
            would_wait = _would_wait(wb.path)
        else:
            try:
                wb = stack.enter_context(locked_for_update(path, reuse=earlier))
            except WorkbookBusyError as exc:
                if exc.holder is None or not waiting_ops.may_wait.get():
                    raise
                # Read as it is (a file Excel has open can be read), planned, then kept.
                busy = exc
                wb = same_or_open(workbook_file(path), earlier)
        store = waiting.Store(wb.path, config.backup_dir)
        locked = wants and busy is None
        if locked:
            # The tracker's own log (from the one esp kept before, the first time), and a
            # write stopped while it replaced the tracker settled, before anything reads
            # the log (esp undo) or appends to it; then the waiting changes it records are
            # written already: their files go.
            history.migrate(wb.path, config.backup_dir)
            history.settle(history.log_path(wb.path, config.backup_dir), wb.pkg.digest)
        found = store.unwritten(clean=locked)
        if also:
            found.ops = [*found.ops, *also]
        asked = None if keys is None else tuple(keys)
        wanted = waiting.reading_keys(asked, found.ops) if found.ops else asked
        follow = _follow_up_keys(found.ops) if write and rows else ()
        if wanted is not None and follow:
            wanted = tuple(dict.fromkeys((*wanted, *follow)))
        if not rows:
            table = None
        elif (
            read is not None
            and wb is earlier
            and not (found.ops and waiting.keys_of(found.ops) - set(asked or ()))
            and not set(follow) - set(asked or ())
        ):
            table = read
        else:
            table = read_table(
                wb,
                config.columns,
                keys=wanted,
                scan_also=scan_also[0],
                scan_also_when=scan_also[1],
            )
            if wanted != asked:
                waiting.without_extra_findings(table, asked, wanted or ())
        session = WriteSession(
            path=table.path if table is not None else wb.path,
            workbook=wb,
            plan=ChangePlan(wb, table),
            dry_run=dry_run or not write,
            signer=signer,
            busy=busy,
            pending=found.ops,
            store=store,
            warnings=found.warnings,
            for_newer=found.newer,
            skipped=found.skipped,
            own=frozenset(own),
            dated=dated,
            would_wait=would_wait,
            zone=config.zone(),
            preview=write and dry_run,
        )
        for warning in found.warnings:
            log.warning("%s", warning)
        if found.ops:
            # Into the plan when the tracker is free (a dry run shows them as a write would).
            free = locked or (write and dry_run)
            agents, read_keys = table, wanted
            if agents is None and any(c.by_agent for o in found.ops for c in o.cells):
                # A write by address (an undo): the agents' rows still find theirs.
                read_keys = waiting.reading_keys((), found.ops)
                with contextlib.suppress(MissingColumnsError):
                    agents = read_table(wb, config.columns, keys=read_keys)
            applier = waiting.Applier(
                wb, agents, session.plan if free else None, read_keys, store.log
            )
            # Worked out at write time from the row as it then stands (see FollowUp), where
            # the follow-up can be planned: a write of the agents' rows.
            follow_ups = _follow_ups(found.ops) if free and agents is table is not None else []
            for op in found.ops:
                # An undo that waited gives back the ranges its operation grew, too, and
                # its cells as a direct undo would: its operation's entry is read once, for
                # both (the entries before it never are).
                target = op.puts_back if free else None
                undone, unmoved = (
                    history.entry_since(store.log, target, wb.pkg.digest)
                    if target is not None
                    else (None, False)
                )
                giving = (
                    session.plan.give_back(undone, exact=unmoved, op=op.op)
                    if undone is not None
                    else None
                )
                outcome = applier.put(
                    op,
                    skip_conflicts=skip_conflicts and free,
                    worked_out=followups.worked_out(follow_ups, op),
                )
                if giving is not None and outcome.held:
                    session.plan.withdraw(giving)
                elif undone is not None and unmoved:
                    _restore_exactly(session.plan, undone, outcome)
            session.applier = applier
            if free and agents is table and table is not None:
                _follow_up(session, config, applier)
        try:
            yield session
            session._finish(config)
        finally:
            if table is read and session.applier is not None:
                session.applier.revert()  # the caller's rows, as they were read

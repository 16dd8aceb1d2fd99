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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core import oplog
from esp_cli.core.columns import BY_KEY, Kind
from esp_cli.core.model import AddedColumn, CellChange, WriteReport
from esp_cli.core.refs import MAX_COL, address, col_letter
from esp_cli.core.values import control_characters, describe_character
from esp_cli.errors import UnsafeWriteError, UsageError
from esp_cli.workbook import history
from esp_cli.workbook.tracker import Row, Sheet, Table, read_table
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.patch import Patcher
from esp_cli.workbook.xlsx.workbook import Workbook, locked_for_update


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
        return self._patcher

    def column(self, sheet: Sheet, key: str) -> int:
        """The column for `key` on `sheet`; added after the last header when missing."""
        col = sheet.col(key)
        if col is not None:
            return col
        planned = self._planned_cols.get((sheet.name, key))
        if planned is not None:
            return planned
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
            note = f"placed after the last used column: {col_letter(col)} {why}"
            start = last + 1
        if group and start != group[0]:
            self._move_columns(sheet, group, start, note)
        col = start + len(group)
        if not note and group:  # beside the others, for the same reason
            note = next(a.note for a in self.added_columns if (a.sheet, a.col) == (sheet, group[0]))
        self.patcher.add_column(sheet, header_row, col, header)
        self._added_cols.setdefault(sheet, []).append(col)
        self.added_columns.append(AddedColumn(sheet, col, header, note))
        return col

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
            replace(a, col=moves[a.col], note=note) if a.sheet == sheet and a.col in moves else a
            for a in self.added_columns
        ]
        self._added_cols[sheet] = [moves[c] for c in cols]
        for key, col in list(self._planned_cols.items()):
            if key[0] == sheet and col in moves:
                self._planned_cols[key] = moves[col]

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
        shown = f"{where} holds {str(value)[:40]!r}" if value is not None else f"{where} is used"
        holds = (
            f"the header row reaches Excel's last column, {col_letter(MAX_COL)}"
            if last_header >= MAX_COL
            else f"the sheet uses Excel's last column, {col_letter(MAX_COL)}"
        )
        return UnsafeWriteError(
            f"{address(sheet, header_row, MAX_COL)}: esp needs to add the column '{header}', "
            f"but {holds} ({shown}): there is no column after it; nothing "
            "was written.",
            fix=f"clear {where} if it was typed there by mistake (Ctrl+End in Excel goes to "
            f"it), or add a '{header}' header yourself in a free column.",
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

    def set(self, row: Row, key: str, new: Any) -> CellChange:
        sheet = self.table.sheet(row.sheet)
        col = self.column(sheet, key)
        # Yes/no as typed ('No', 'N'), not as understood (False); others as understood.
        as_typed = key in row.unreadable or BY_KEY[key].kind is Kind.YESNO
        old = row.raw.get(key) if as_typed else row.values.get(key)
        who = row.ref()
        return self.set_cell(
            row.sheet,
            row.row,
            col,
            new,
            agent=who.name,
            cls=row.cls,
            column=sheet.headers.get(col, BY_KEY[key].header),
            old=old,
            agent_id=who.agent_id,
            email=who.email,
            n_number=who.n_number,
        )

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
        if isinstance(new, str) and not restoring:
            _refuse_control_characters(new, old, sheet, row, col)
        self.patcher.set(sheet, row, col, new)
        change = CellChange(
            sheet, row, col, agent, cls, column, old, new, agent_id, email, n_number
        )
        self.changes.append(change)
        return change

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
        self.changes.append(change)
        return change

    def sort(self) -> None:
        """Changes in sheet order (a table of thousands of them reads top to bottom)."""
        self.changes.sort(key=lambda c: (c.sheet, c.row, c.col))

    @property
    def empty(self) -> bool:
        return not self.changes and not self.added_columns


@dataclass
class WriteSession:
    """An open workbook about to be written: its rows (`table`) and the `plan`."""

    path: Path
    workbook: Workbook
    plan: ChangePlan
    dry_run: bool
    signer: str | None = None
    undoes: str | None = None  # an undo: the operation it undoes
    _report: WriteReport | None = field(default=None, repr=False)

    @property
    def table(self) -> Table:
        return self.plan.table

    @property
    def report(self) -> WriteReport:
        if self._report is None:
            raise RuntimeError("the session's report is ready once its block has ended")
        return self._report

    def _finish(self, config: Config) -> None:
        backup = None
        op = None
        if not self.dry_run and not self.plan.empty:
            backup, op = self._write_and_record(config)
        self._report = WriteReport(
            tracker=self.path,
            changes=self.plan.changes,
            added_columns=self.plan.added_columns,
            dry_run=self.dry_run,
            backup=backup,
            op=op,
        )

    def _write_and_record(self, config: Config) -> tuple[Path, str]:
        """Write the planned cells and record the operation in the log: its entry is
        written, flushed and synced once the backup is made and before the tracker is
        replaced (a log that cannot be written stops the write; nothing is left to fail
        once the tracker is replaced), pending until the replace is done. A tracker saved
        by someone since esp's last write gets its own entry first (its cells are worked
        out later, when asked for: see history.work_out)."""
        folder = safety.backup_dir_for(self.path, config.backup_dir)
        folders = [folder, safety.legacy_backup_dir(self.path, config.backup_dir)]
        before = self.workbook.pkg.digest
        log = history.log_path(self.path, config.backup_dir)
        recorder = history.Recorder(log, self.path, current=before)
        replaced = False
        try:
            op = recorder.new_id()
            seen = recorder.previous_digest
            previous = recorder.previous() if seen not in (None, before) else None
            outside = (
                history.outside_operation(
                    recorder.new_id(),
                    previous,
                    self.workbook,
                    folders,
                    by=op,
                )
                if previous is not None
                else None
            )
            patcher = self.plan.patcher

            def record(backup: Path, digest_after: str, parts: dict[str, str]) -> None:
                entries = [history.noticed(outside, backup)] if outside is not None else []
                entries.append(
                    oplog.Operation(
                        op=op,
                        kind=oplog.UNDO if self.undoes else oplog.WRITE,
                        time=history.now(),
                        **history.who(self.signer),
                        digest_before=before,
                        digest_after=digest_after,
                        backup=backup.name,
                        cell_json=history.cell_entries(self.plan.changes, patcher.cell_xml),
                        added_columns=tuple(self.plan.added_columns),
                        undoes=self.undoes,
                        parts=parts,
                    )
                )
                recorder.append(entries, pending=True)

            saved = self.workbook.save(
                patcher,
                config.backup_dir,
                op=op,
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
        except BaseException:
            if not replaced:
                # Stopped before the tracker was replaced, or while (Ctrl-C): the tracker
                # says which; a log that cannot tell is settled by the next command.
                with contextlib.suppress(OSError):
                    if safety.digest_of(self.path) == before:
                        recorder.withdraw()
                    else:
                        recorder.confirm()
            raise
        finally:
            recorder.close()
        return saved.backup, op


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
) -> Iterator[WriteSession]:
    """Open `path` to be written and read its agent rows (only the columns `keys` names,
    besides identity and class; `rows=False` reads none: a sheet written by address). The
    planned cells are written when the block ends without an error, unless `dry_run`.

    `write=False` serves a command that writes only when asked (`escalations --write`):
    the workbook is opened to be read, without esp's lock, and nothing is written.

    `signer` is who signs the change (the command's --by, else [people] user), recorded in
    the operation log with the OS login; None for commands that sign nothing.

    `read`: the tracker as read earlier with these `keys` (esp round reads it, then asks
    for a long while); used as is when the file has not changed since, else read again."""
    earlier = read.workbook if read is not None else None
    opened = (
        locked_for_update(path, dry_run=dry_run, reuse=earlier)
        if write
        else contextlib.nullcontext(Workbook.open(path))
    )
    with opened as wb:
        if write and not dry_run:
            # The tracker's own log (from the one esp kept before, the first time), and a
            # write stopped while it replaced the tracker settled, before anything reads
            # the log (esp undo) or appends to it.
            history.migrate(wb.path, config.backup_dir)
            history.settle(history.log_path(wb.path, config.backup_dir), wb.pkg.digest)
        if not rows:
            table = None
        elif read is not None and wb is earlier:
            table = read
        else:
            table = read_table(wb, config.columns, keys=keys)
        session = WriteSession(
            path=table.path if table is not None else wb.path,
            workbook=wb,
            plan=ChangePlan(wb, table),
            dry_run=dry_run or not write,
            signer=signer,
        )
        yield session
        session._finish(config)

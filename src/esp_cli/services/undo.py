"""esp undo [OP]: put back the cells an operation changed, as one new operation.

The operation (default: the newest write not yet undone) is read from the log under the
write's lock. Each cell it wrote is put back only where it still holds what the operation
wrote; a cell changed since (in Excel, or by a later operation) is a conflict, and the undo
is refused unless conflicts are to be skipped. When no save outside esp came between the
operation and now, each cell is put back exactly as it was — its very XML, style and all;
otherwise its value is written back. The undo is itself an operation, so it can be undone.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli import history
from esp_cli.config import Config
from esp_cli.errors import EspError, UndoConflictError, UsageError
from esp_cli.history import CellRecord, Log, Operation
from esp_cli.results.history import Conflict, UndoResult
from esp_cli.services.history import undone_by
from esp_cli.session import ChangePlan, write_session
from esp_cli.xlsx.workbook import Workbook

MIN_PREFIX = 4


def undo(
    tracker_path: Path,
    config: Config,
    op: str | None = None,
    *,
    skip_conflicts: bool = False,
    by: str | None = None,
    dry_run: bool = False,
) -> UndoResult:
    signer = next((" ".join(n.split()) for n in (by, config.user) if n and n.strip()), None)
    with write_session(tracker_path, config, rows=False, dry_run=dry_run, signer=signer) as s:
        log = history.read_log(history.log_path(s.path, config.backup_dir))
        target = _target(log, op)
        s.undoes = target.op
        exact = _unbroken_since(log, target, s.workbook)
        conflicts = _plan(s.plan, s.workbook, target, exact)
        if conflicts and not skip_conflicts:
            raise _refusal(target, conflicts)
    return UndoResult(
        target=target,
        conflicts=conflicts,
        emptied_columns=list(target.added_columns),
        warnings=log.warnings,
        write=s.report,
        exact=exact,
    )


def _target(log: Log, op: str | None) -> Operation:
    ops = log.operations
    undone = undone_by(ops)
    if op is None:
        for candidate in reversed(ops):
            if candidate.kind == history.WRITE and candidate.op not in undone:
                return candidate
        raise EspError(
            f"{log.path}: no esp write to undo (every one recorded is undone already)."
            if ops
            else f"{log.path}: no esp write is recorded for this tracker; nothing to undo.",
            fix="see what is recorded with: esp history",
        )
    wanted = op.strip().lower()
    if len(wanted) < MIN_PREFIX:
        raise UsageError(
            f"{op!r} is too short to name an operation.",
            fix=f"give at least {MIN_PREFIX} characters of its id (esp history lists them).",
        )
    found = [o for o in ops if o.op.startswith(wanted)]
    if not found:
        raise UsageError(
            f"No operation {op!r} in {log.path}.", fix="see the operations with: esp history"
        )
    if len(found) > 1:
        raise UsageError(
            f"{op!r} names {len(found)} operations ({', '.join(o.op for o in found)}).",
            fix="give more characters of the id.",
        )
    target = found[0]
    if target.kind == history.OUTSIDE:
        raise EspError(
            f"Operation {target.op} is a save made outside esp; esp only undoes its own writes.",
            fix=f"to go back to before it, copy a backup from {log.path.parent} "
            "(esp history shows which).",
        )
    if target.op in undone:
        raise EspError(
            f"Operation {target.op} is already undone (by {undone[target.op]}).",
            fix=f"to redo it, undo the undo: esp undo {undone[target.op]}",
        )
    return target


def _unbroken_since(log: Log, target: Operation, wb: Workbook) -> bool:
    """Whether only esp has written the tracker since `target`: then every cell esp
    recorded can be put back as its very XML (shared strings and styles are only ever
    appended to by esp; a save in Excel may renumber them)."""
    if not log.operations or any(n > target.line for n in log.bad_lines):
        return False  # a damaged entry after it may have been a save outside esp
    after = [o for o in log.operations if o.line > target.line]
    if any(o.kind == history.OUTSIDE for o in after):
        return False
    return log.operations[-1].digest_after == wb.pkg.digest


def _cells(target: Operation) -> list[CellRecord]:
    """One record per cell: the first value before, the last one written."""
    first: dict[tuple[str, int, int], CellRecord] = {}
    last: dict[tuple[str, int, int], CellRecord] = {}
    for c in target.cells:
        key = (c.sheet, c.row, c.col)
        first.setdefault(key, c)
        last[key] = c
    out = []
    for key, c in first.items():
        final = last[key]
        out.append(
            CellRecord(
                c.sheet,
                c.row,
                c.col,
                c.agent,
                c.cls,
                c.column,
                c.before,
                final.after,
                c.before_xml,
            )
        )
    return out


def _plan(plan: ChangePlan, wb: Workbook, target: Operation, exact: bool) -> list[Conflict]:
    cells = _cells(target)
    sheets = {s.name: s for s in wb.sheets}
    missing = sorted({c.sheet for c in cells} - set(sheets))
    if missing:
        raise EspError(
            f"{wb.path}: operation {target.op} changed the sheet '{missing[0]}', which is no "
            "longer in the workbook; nothing was written.",
            fix="restore the sheet, or copy a backup (esp history shows which).",
        )
    values = {}
    for name in {c.sheet for c in cells}:
        cols = {c.col for c in cells if c.sheet == name}
        values[name] = wb.values(sheets[name], columns=cols)
    conflicts = []
    for c in cells:
        now = values[c.sheet].get(c.row, c.col)
        if not history.same_value(now, c.after):
            conflicts.append(Conflict(c, now))
            continue
        where = {"agent": c.agent, "cls": c.cls, "column": c.column, "old": now}
        if exact:
            element = c.before_xml.encode("utf-8", "surrogateescape") if c.before_xml else None
            plan.restore_cell(c.sheet, c.row, c.col, element, _cell_value(c.before), **where)
        else:
            plan.set_cell(c.sheet, c.row, c.col, _cell_value(c.before), **where)
    plan.sort()
    return conflicts


def _cell_value(value: Any) -> Any:
    """A recorded value as the writer takes it (an error cell's code as its text)."""
    if value is None or isinstance(value, (str, bool, int, float, date, datetime)):
        return value
    return str(value)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    text = " / ".join(str(value).splitlines())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _refusal(target: Operation, conflicts: list[Conflict]) -> UndoConflictError:
    lines = [
        f"  {c.cell.sheet}!{c.cell.cell} ({c.cell.column or 'cell'}"
        f"{', ' + c.cell.agent if c.cell.agent else ''}): operation {target.op} wrote "
        f"{_shown(c.cell.after)}, it now holds {_shown(c.now)}"
        for c in conflicts
    ]
    return UndoConflictError(
        f"Operation {target.op} cannot be undone: {len(conflicts)} cell(s) changed since "
        "it; nothing was written.\n" + "\n".join(lines) + "\n",
        fix="undo the later operations first (esp history), or pass --skip-conflicts to "
        "put back only the other cells.",
    )

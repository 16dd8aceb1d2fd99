"""esp undo [OP]: put back the cells an operation changed, as one new operation.

The operation (default: the newest write not yet undone) is read from the log under the
write's lock. Each cell it wrote is put back only where it still holds what the operation
wrote; a cell changed since (in Excel, or by a later operation) is a conflict, and the undo
is refused unless conflicts are to be skipped. When no save outside esp came between the
operation and now, each cell is put back exactly as it was — its very XML, style and all;
otherwise its value is written back. The undo is itself an operation, so it can be undone.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from esp_cli.config import Config, unquoted_name
from esp_cli.core import oplog
from esp_cli.core.columns import normalise_header
from esp_cli.core.names import same_person
from esp_cli.core.oplog import CellRecord, Operation
from esp_cli.core.refs import col_letter
from esp_cli.core.values import conflict_difference, name_key
from esp_cli.core.waiting import RESTORE, WaitingCell, WaitingOp
from esp_cli.errors import EspError, MissingColumnsError, UndoConflictError, UsageError
from esp_cli.results.history import Conflict, UndoResult
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    AgentLookupError,
    RowFinder,
    command_for,
    pick_agent,
)
from esp_cli.services.history import undone_by, worked_out
from esp_cli.workbook import history
from esp_cli.workbook.finder import Found
from esp_cli.workbook.history import Log
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Sheet, Table, read_table
from esp_cli.workbook.xlsx.workbook import Workbook

MIN_PREFIX = 4


def undo(
    tracker_path: Path,
    config: Config,
    op: str | None = None,
    *,
    agent: str | None = None,
    skip_conflicts: bool = False,
    by: str | None = None,
    dry_run: bool = False,
) -> UndoResult:
    """Put back the cells operation `op` changed; with `agent`, that agent's cells only (a
    round's answers for one agent, say). One agent's undo is a write of its own, not the
    operation's undo: the operation's other cells can still be undone, and the agent's undo
    undone in turn."""
    signer = next((unquoted_name(n) for n in (by, config.user) if n and unquoted_name(n)), None)
    with write_session(tracker_path, config, rows=False, dry_run=dry_run, signer=signer) as s:
        path, mine = history.log_to_read(s.path, config.backup_dir)
        log = history.read_log(path, mine, current=lambda: s.workbook.pkg.digest)
        target = _target(log, op, s.pending)
        s.restores = target.op
        if agent is None:
            s.undoes = target.op
        # An undo of a change dated for an earlier day is that day's too: replayed, the day
        # sees neither (what the cells held before it).
        s.dated = target.dated
        exact = _unbroken_since(log, target, s.workbook)
        # The operation's cells are the plan's from here, each let go once planned (a write
        # of a whole column of 50,000 agents recorded tens of MB of them, whose room the
        # cells planned then take); the log keeps the operation without them.
        cells = _cells(target)
        target = _without_cells(log, target)
        with s.plan.unit():  # should it wait: every cell, or none
            found = _plan(s.plan, s.workbook, target, cells, exact, config, agent)
        # A table or filter the write grew gives back its rows and columns once empty.
        s.plan.give_back(target, exact=exact)
        _not_undone_already(target, s.pending, s.plan.intended_cells())
        if found.conflicts and not skip_conflicts:
            later = [o for o in log.operations if o.line > target.line]
            raise _refusal(target, found.conflicts, worked_out(later, log.path, s.path, config))
        # The plan holds what the write needs: the log's other entries' cells are let go
        # before the workbook is built.
        warnings = log.warnings
        del log
        s.workbook.pkg.release_freed_memory()
    return UndoResult(
        target=target,
        conflicts=found.conflicts,
        emptied_columns=[] if agent is not None else s.plan.columns_left(),
        warnings=warnings,
        write=s.report,
        exact=exact,
        agent=found.agent,
    )


def _not_undone_already(
    target: Operation,
    pending: Sequence[WaitingOp],
    planned: Sequence[tuple[Hashable, WaitingCell]],
) -> None:
    """An undo of `target` that waits (the tracker was open) undoes it already: a second
    one would be written after it and put the same cells back again, its "before" values
    untrue. So does one waiting to put back any of the very cells, to the very values, this
    one would (one agent's undo, `--agent`, before or after the whole undo): this one waits
    for it to be written, then puts back the rest."""
    wanted = {_restored(c) for _unit, c in planned if c.action == RESTORE}
    whole = next((w for w in pending if w.undoes == target.op), None)
    if whole is not None:
        raise EspError(
            f"Operation {target.op} is undone already by {whole.op}, which waits beside the "
            "tracker (not yet written).",
            fix=f"esp apply writes it once the tracker is free (esp pending lists it; esp "
            f"pending drop {whole.op} discards it).",
        )
    for w in pending:
        same = wanted & {_restored(c) for c in w.cells if c.action == RESTORE}
        if not same:
            continue
        if same == wanted:
            said = f"Operation {target.op}'s cells here are put back already by {w.op}"
            then = ""
        else:
            said = f"{len(same)} of the cells this undo puts back are put back already by {w.op}"
            then = f"; then esp undo {target.op} --skip-conflicts puts back the rest"
        raise EspError(
            f"{said}, which waits beside the tracker (not yet written).",
            fix=f"esp apply writes it once the tracker is free{then} (esp pending lists it; "
            f"esp pending drop {w.op} discards it).",
        )


def _restored(cell: WaitingCell) -> tuple[str, int, int, str]:
    return (cell.sheet, cell.row, cell.col, repr(cell.value))


def _target(log: Log, op: str | None, pending: Sequence[WaitingOp] = ()) -> Operation:
    ops = log.operations
    undone = undone_by(ops)
    if op is None:
        for candidate in reversed(ops):
            if candidate.kind == oplog.WRITE and candidate.op not in undone:
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
        waits = [w.op for w in pending if w.op.startswith(wanted)]
        if len(waits) == 1:
            raise UsageError(
                f"Operation {waits[0]} is not written yet: it waits beside the tracker, so "
                "there is nothing to undo.",
                fix=f"to discard it unwritten: esp pending drop {waits[0]}",
            )
        raise UsageError(
            f"No operation {op!r} in {log.path}.", fix="see the operations with: esp history"
        )
    if len(found) > 1:
        raise UsageError(
            f"{op!r} names {len(found)} operations ({', '.join(o.op for o in found)}).",
            fix="give more characters of the id.",
        )
    target = found[0]
    if target.kind == oplog.OUTSIDE:
        raise EspError(
            f"Operation {target.op} is a save made outside esp; esp only undoes its own writes.",
            fix=f"to go back to before it, copy a backup from {log.path.parent} "
            "(esp history shows which).",
        )
    if target.kind == oplog.DROPPED:
        raise EspError(
            f"Operation {target.op} was dropped before it was written (esp pending drop); "
            "there is nothing to undo.",
            fix="make the change again if it is wanted.",
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
    return history.unmoved_after(log, wb.pkg.digest)(target)


def _without_cells(log: Log, target: Operation) -> Operation:
    """`target` without its cells, in the log too."""
    bare = replace(target, cells=())
    log.operations = [bare if o is target else o for o in log.operations]
    return bare


def _cells(target: Operation) -> list[CellRecord]:
    """One record per cell: the first value before, the last one written."""
    first: dict[tuple[str, int, int], CellRecord] = {}
    last: dict[tuple[str, int, int], CellRecord] = {}
    for c in target.cells:
        key = (c.sheet, c.row, c.col)
        first.setdefault(key, c)
        last[key] = c
    return [c if last[key] is c else replace(c, after=last[key].after) for key, c in first.items()]


@dataclass(frozen=True)
class _Place:
    """Where a recorded cell is now: its agent's row found again (or the very address, for
    a cell written by address), and the agent as the tracker has it now."""

    sheet: str
    row: int
    col: int
    agent_id: str | None
    email: str | None


def _agent_rows(wb: Workbook, config: Config) -> Table | None:
    try:
        return read_table(wb, config.columns, keys=LOOKUP_KEYS)
    except MissingColumnsError:
        return None  # not a tracker (a sheet written by address): its cells stay put


class _Lost(NamedTuple):
    """Why a recorded cell's agent or column cannot be found now, and the fix for it ("":
    none but leaving the cell out, --skip-conflicts)."""

    why: str
    fix: str = ""


# The fix for a cell whose agent cannot be found now, by why not (finder.Found).
_NAMESAKES_FIX = (
    "give each agent an Agent ID, e-mail or N Number the other does not have, so esp can "
    "tell them apart"
)
_UNSURE_FIX = "type the agent's Agent ID (as recorded) in their row, if the row is theirs"
_TWICE_FIX = "delete or hide the copy of the tab (esp reads the visible sheets only)"
_COLUMN_FIX = "give the column its header back"
_DIFFERS_FIX = (
    "if that row is the agent's, put back its cells yourself in Excel (esp history --cells "
    "lists what the operation wrote)"
)


def _lost(found: Found) -> _Lost:
    fix = (
        _NAMESAKES_FIX
        if found.namesakes
        else _UNSURE_FIX
        if found.unsure
        else _TWICE_FIX
        if found.twice
        else _DIFFERS_FIX
        if found.differs
        else ""
    )
    return _Lost(found.why, fix)


def _place(
    c: CellRecord, table: Table | None, finder: RowFinder | None, in_place: bool = False
) -> _Place | _Lost:
    """Where the cell `c` recorded is now, or why it cannot be known.

    Only esp has written the tracker since (`in_place`): esp moves no rows, so every cell
    is where the operation left it. Else a cell of an agent's row goes with the agent: the
    rows may have been sorted or moved in Excel since, and a value alone cannot tell agents
    apart (dates, Yes, a TBT SME repeat down a column). A cell recorded with the agent's
    Agent ID, e-mail and N Number is found by them (RowFinder), a namesake's by what esp
    saw in the row; an older record, with the agent's name only, stays where it was while
    that row is still the agent's, else is found by name within its class."""
    if not c.agent or in_place:
        return _Place(c.sheet, c.row, c.col, c.agent_id, c.email)
    if table is None or finder is None:
        if c.agent_id is None:
            return _Place(c.sheet, c.row, c.col, None, None)
        return _Lost("the tracker has no agent rows to find the agent in")
    if c.agent_id is None:
        try:
            table.sheet(c.sheet)
        except KeyError:
            return _Place(c.sheet, c.row, c.col, None, None)  # not a sheet of agent rows
        there = finder.at(c.sheet, c.row)
        if there is not None and name_key(there.label()) == name_key(c.agent):
            return _Place(c.sheet, c.row, c.col, None, None)
    found = finder.locate(c.who, c.facts)  # a namesake: by what esp saw in the row
    row = found.row
    if row is None:
        return _lost(found)
    col = _column(table.sheet(row.sheet), c, moved_sheet=row.sheet != c.sheet)
    if col is None:
        return _Lost(f"the sheet '{row.sheet}' has no '{c.column}' column", _COLUMN_FIX)
    who = row.ref()
    return _Place(row.sheet, row.row, col, who.agent_id, who.email)


def _column(sheet: Sheet, c: CellRecord, moved_sheet: bool) -> int | None:
    """The cell's column on the agent's sheet now: where it was while its header is the
    one recorded, else the one column with that header (columns inserted or moved); on
    the same sheet, where it was when the header is gone (renamed)."""
    wanted = normalise_header(c.column)
    if not wanted or normalise_header(sheet.headers.get(c.col)) == wanted:
        return c.col
    same = [col for col, header in sheet.headers.items() if normalise_header(header) == wanted]
    if len(same) == 1:
        return same[0]
    return None if moved_sheet else c.col


@dataclass(frozen=True)
class _Planned:
    conflicts: list[Conflict]
    agent: str | None  # the agent whose cells alone are put back, as the tracker names it


def _plan(
    plan: ChangePlan,
    wb: Workbook,
    target: Operation,
    cells: list[CellRecord],
    exact: bool,
    config: Config,
    agent: str | None = None,
) -> _Planned:
    """Plan putting back `cells` (target's, see _cells), emptying the list: each record is
    let go once its cell is planned."""
    # The agents' rows are read when they may have moved, or to tell one agent's cells.
    wanted = any(c.agent for c in cells) and (not exact or agent is not None)
    table = _agent_rows(wb, config) if wanted else None
    finder = RowFinder(table) if table is not None else None
    conflicts: list[Conflict] = []
    placed: list[tuple[CellRecord, _Place]] = []
    for c in cells:
        where = _place(c, table, finder, in_place=exact)
        if isinstance(where, _Lost):
            conflicts.append(
                Conflict(c, None, reason=f"{c.agent} cannot be found: {where.why}", fix=where.fix)
            )
        else:
            placed.append((c, where))
    cells.clear()
    named = history_command = None
    if agent is not None:
        placed, conflicts, row = _of_agent(target, placed, conflicts, finder, agent)
        assert table is not None  # the agent was found in it
        named = row.label()
        history_command = command_for(table, row, "esp history")
    sheets = {s.name: s for s in wb.sheets}
    missing = sorted({p.sheet for _, p in placed} - set(sheets))
    if missing:
        raise EspError(
            f"{wb.path}: operation {target.op} changed the sheet '{missing[0]}', which is no "
            "longer in the workbook; nothing was written.",
            fix="restore the sheet, or copy a backup (esp history shows which).",
        )
    values = {}
    for name in {p.sheet for _, p in placed}:
        cols = {p.col for _, p in placed if p.sheet == name}
        # Not kept in the workbook's cache: only compared here.
        values[name] = wb.values(sheets[name], columns=cols, cache=False)
    for name in values:
        plan.expect_rows(name, len({p.row for _, p in placed if p.sheet == name}))
    placed.reverse()
    while placed:
        c, p = placed.pop()  # in order, each record let go once planned
        now = values[p.sheet].get(p.row, p.col)
        moved = (p.sheet, p.row, p.col) != (c.sheet, c.row, c.col)
        if not oplog.same_value(now, c.after):
            conflicts.append(Conflict(c, now, address=_address(p) if moved else ""))
            continue
        who: dict[str, Any] = {
            "agent": c.agent,
            "cls": c.cls,
            "column": c.column,
            "old": now,
            "agent_id": p.agent_id,
            "email": p.email,
        }
        if exact and not moved and not c.chained:
            element = c.before_xml.encode("utf-8", "surrogateescape") if c.before_xml else None
            plan.restore_cell(c.sheet, c.row, c.col, element, _cell_value(c.before), **who)
        else:
            plan.set_cell(p.sheet, p.row, p.col, _cell_value(c.before), restoring=True, **who)
    plan.sort()
    if named is not None and plan.empty and conflicts:
        if all(not c.reason and oplog.same_value(c.now, c.cell.before) for c in conflicts):
            raise EspError(
                f"{named}'s cells hold what they held before operation {target.op}: "
                "nothing to undo for this agent.",
                fix=f"see the cells' changes with: {history_command}",
            )
    return _Planned(conflicts, named)


def _of_agent(
    target: Operation,
    placed: list[tuple[CellRecord, _Place]],
    conflicts: list[Conflict],
    finder: RowFinder | None,
    query: str,
) -> tuple[list[tuple[CellRecord, _Place]], list[Conflict], Row]:
    """The cells of one agent of the operation (named as any command takes an agent: a
    name, part of it, an Agent ID, an e-mail), found among the agents it wrote for."""
    rows = {}
    if finder is not None:
        for _, p in placed:
            row = finder.at(p.sheet, p.row)
            if row is not None:
                rows[(row.sheet, row.row)] = row
    if not rows:
        raise UsageError(
            f"Operation {target.op} wrote no agent's cells that can be found now.",
            fix=f"undo all of it: esp undo {target.op}",
        )
    try:
        row = pick_agent(list(rows.values()), query, f"the agents of operation {target.op}")
    except AgentLookupError as exc:
        if exc.ambiguous:
            raise
        # Often an agent of the tracker the operation did not write for: say whose it did.
        names = sorted({r.label() for r in rows.values()})
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        raise EspError(
            f"Operation {target.op} changed no cell of an agent {query!r} names; it wrote "
            f"for {shown}.",
            fix="give one of those agents (esp history --cells lists what each operation wrote).",
        ) from exc
    mine = [(c, p) for c, p in placed if (p.sheet, p.row) == (row.sheet, row.row)]
    lost = [
        c for c in conflicts if c.reason and c.cell.agent and same_person(c.cell.agent, row.name)
    ]
    return mine, lost, row


def _address(p: _Place) -> str:
    return f"{p.sheet}!{col_letter(p.col)}{p.row}"


def _cell_value(value: Any) -> Any:
    """A recorded value as the writer takes it (an error cell's code as its text)."""
    if value is None or isinstance(value, (str, bool, int, float, date, datetime)):
        return value
    return str(value)


def _changed_by(later: list[Operation], c: CellRecord) -> tuple[str, str] | None:
    """(kind, op) of the newest later entry that changed the cell: an esp write or undo
    that wrote it (by its address, or by its agent and column), or a save recorded as made
    outside esp; None when the log does not say (a save since esp's last write)."""
    for o in reversed(later):
        for cell in o.cells:
            same_place = (cell.sheet, cell.row, cell.col) == (c.sheet, c.row, c.col)
            same_agent = (
                bool(c.agent)
                and cell.agent == c.agent
                and cell.cls == c.cls
                and normalise_header(cell.column) == normalise_header(c.column)
            )
            if same_place or same_agent:
                return o.kind, o.op
    return None


def _refusal(
    target: Operation, conflicts: list[Conflict], later: list[Operation] | None = None
) -> UndoConflictError:
    later = later or []
    lines = []
    by_esp: list[str] = []
    outside = False
    for c in conflicts:
        cell = c.cell
        head = f"  {cell.sheet}!{cell.cell} ({cell.column or 'cell'}"
        head += f", {cell.agent})" if cell.agent else ")"
        if c.reason:
            lines.append(f"{head}: {c.reason}")
            continue
        now = f" (now at {c.address})" if c.address else ""
        wrote, holds = conflict_difference(cell.after, c.now)
        found = _changed_by(later, cell)
        if found is not None and found[0] != oplog.OUTSIDE:
            who = f"changed by esp operation {found[1]}"
            by_esp.append(found[1])
        else:
            who = "changed outside esp"
            outside = True
        lines.append(
            f"{head}{now}: operation {target.op} wrote {wrote}, it now holds {holds} ({who})"
        )
    lost = sum(1 for c in conflicts if c.reason)
    changed = len(conflicts) - lost
    why = " and ".join(
        part
        for part in (
            f"{changed} cell(s) changed since it" if changed else "",
            f"{lost} cell(s) whose agent cannot be found again" if lost else "",
        )
        if part
    )
    fixes = []
    if by_esp:
        newest = [o.op for o in reversed(later) if o.op in by_esp]
        fixes.append(
            "undo the later esp operation(s) first, newest first (esp undo "
            + ", then esp undo ".join(dict.fromkeys(newest))
            + ")"
        )
    if outside:
        fixes.append(
            "change those cells in Excel yourself (esp does not overwrite a change it did not make)"
        )
    fixes += dict.fromkeys(c.fix for c in conflicts if c.reason and c.fix)
    skip = "pass --skip-conflicts to put back only the other cells"
    fixes.append(f"or {skip}" if fixes else skip)
    return UndoConflictError(
        f"Operation {target.op} cannot be undone: {why}; nothing was written.\n"
        + "\n".join(lines)
        + "\n",
        fix="; ".join(fixes) + ".",
    )

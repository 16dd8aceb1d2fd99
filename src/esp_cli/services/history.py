"""esp history and esp history AGENT: the operation log, newest first.

`esp history` lists the operations (each write, each undo, and the saves made outside esp
that esp noticed); `esp history AGENT` finds the agent in the tracker as every command does
and lists the cells of that agent's row, change by change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core import oplog
from esp_cli.core.names import names_meant
from esp_cli.core.oplog import CellRecord, Operation
from esp_cli.core.values import email_key, id_key, name_key
from esp_cli.core.waiting import APPEND, WaitingOp
from esp_cli.errors import UsageError
from esp_cli.results.history import AgentChange, AgentHistoryResult, CellsResult, HistoryResult
from esp_cli.services.agents import LOOKUP_KEYS, RowFinder, find_agent
from esp_cli.workbook import history, waiting
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.workbook import Workbook, workbook_file


def tracker_file(path: Path) -> Path:
    """The workbook a path names (a link is followed, as a write follows it), which must
    exist: its log is beside the file written."""
    return workbook_file(path)


def worked_out(
    ops: Sequence[Operation], log: Path, tracker: Path, config: Config
) -> list[Operation]:
    """The entries with the cells of each save made outside esp worked out (the first
    time they are asked for: from the backups; then as kept beside the log)."""
    folders = [
        safety.backup_dir_for(tracker, config.backup_dir),
        safety.legacy_backup_dir(tracker, config.backup_dir),
    ]
    names = history.names(config.columns)
    return [history.work_out(op, log, folders, names) if history.pending(op) else op for op in ops]


def shown(ops: Sequence[Operation], log: Path, tracker: Path, config: Config) -> list[Operation]:
    """The entries as esp history lists them: worked out, with their times on the team's
    clock ([calendar] timezone, as --since reads a day), whatever the clock of the machine
    that made each."""
    zone = config.zone()
    return [op.on_clock(zone) for op in worked_out(ops, log, tracker, config)]


def undone_by(ops: Sequence[Operation]) -> dict[str, str]:
    """op -> the undo that undid it, for the operations undone now (an undo that was itself
    undone puts its operation back)."""
    undos: dict[str, list[Operation]] = {}
    for op in ops:
        if op.kind == oplog.UNDO and op.undoes:
            undos.setdefault(op.undoes, []).append(op)
    effective: dict[str, bool] = {}

    def in_effect(op: Operation) -> bool:
        got = effective.get(op.op)
        if got is None:
            effective[op.op] = True  # a cycle cannot happen; guard anyway
            got = not any(in_effect(u) for u in undos.get(op.op, ()))
            effective[op.op] = got
        return got

    out: dict[str, str] = {}
    for op in ops:
        live = [u for u in undos.get(op.op, ()) if in_effect(u)]
        if live:
            out[op.op] = live[-1].op
    return out


def _selected(
    op: Operation, since: date | None, signed: Callable[[Operation], bool], config: Config
) -> bool:
    """Whether `op` is listed: made on `since` or later — the day it was made on the
    team's clock ([calendar] timezone), as `since` is read, whatever the clock of the
    machine that made it — and signed as `--by` asks."""
    if since is not None and op.made_on(config.zone()) < since:
        return False
    return signed(op)


def _signed_by(
    ops: Sequence[Operation], by: str | None, log: Path, *, check: bool = True
) -> Callable[[Operation], bool]:
    """Which operations `by` selects: those signed by the signer of `ops` it names — named
    as any person's name typed is (people_meant: 'Tom', 'Alvarez, Tom', 'tom alvarez' or
    'alv' are Tom Alvarez; 'Zoe' is Zoë) — or made under a computer login it is part of.
    A name several signers have is a usage error naming them; so is, with `check`, a name
    nobody in `ops` signed with (a mistyped name, not an empty day: say who did sign)."""
    if by is None:
        return lambda op: True
    signers = list({name_key(op.signer): op.signer for op in ops if op.signer}.values())
    meant = names_meant(signers, by)
    if len(meant) > 1:
        raise UsageError(
            f"{by!r} names {len(meant)} signers in {log.name} "
            f"({', '.join(sorted(meant, key=str.casefold))}).",
            fix="give --by the signer's full name.",
        )
    keys = {name_key(n) for n in meant}
    needle = " ".join(by.split()).casefold()

    def signed(op: Operation) -> bool:
        return (bool(op.signer) and name_key(op.signer or "") in keys) or (
            bool(needle) and needle in op.login.casefold()
        )

    if check and ops and not any(signed(op) for op in ops):
        named = ", ".join(sorted(signers, key=str.casefold))
        raise UsageError(
            f"No operation in {log.name} was signed by {by!r}.",
            fix=f"give --by one of the names that signed: {named}."
            if signers
            else "leave out --by: no operation in this log names who signed it.",
        )
    return signed


def operations(
    tracker_path: Path,
    config: Config,
    *,
    since: date | None = None,
    by: str | None = None,
    limit: int | None = None,
) -> HistoryResult:
    path = tracker_file(tracker_path)
    log_file, mine = history.log_to_read(path, config.backup_dir)
    log = history.read_log(log_file, mine, current=lambda: safety.digest_of(path))
    found = waiting.Store(path, config.backup_dir).unwritten()
    kept = [as_operation(o) for o in reversed(found.ops)]
    signed = _signed_by([*kept, *log.operations], by, log.path)
    chosen = [
        op for op in [*kept, *reversed(log.operations)] if _selected(op, since, signed, config)
    ]
    return HistoryResult(
        tracker=path,
        log=log.path,
        operations=shown(chosen[:limit] if limit else chosen, log.path, path, config),
        total=len(chosen),
        undone_by=undone_by(log.operations),
        warnings=[*found.warnings, *log.warnings],
        waiting={o.op for o in found.ops},
    )


def as_operation(op: WaitingOp) -> Operation:
    """A change still waiting beside the tracker, as esp history lists an operation: its
    cells with the value esp saw before, and after them what it will write (a note line:
    the line it appends)."""
    return Operation(
        op=op.op,
        kind=oplog.UNDO if op.undoes else oplog.WRITE,
        time=op.time,
        signer=op.signer,
        login=op.login,
        machine=op.machine,
        version=op.version,
        command=op.command,
        digest_before=op.digest,
        digest_after="",
        backup=None,
        cells=tuple(c.record() for c in op.cells),
        undoes=op.undoes,
        note=f"waiting beside the tracker ({op.why}): not yet in the workbook",
    )


def cells_written(
    tracker_path: Path,
    config: Config,
    *,
    since: date | None = None,
    by: str | None = None,
    limit: int | None = None,
) -> CellsResult:
    """Each cell esp wrote (a round's and an undo's too; and those it saw changed outside
    esp), newest first, selected as `operations` selects: "what did I do today"."""
    path = tracker_file(tracker_path)
    log = history.read_log(history.log_path(path, config.backup_dir))
    signed = _signed_by(log.operations, by, log.path)
    chosen = [
        op
        for op in reversed(log.operations)
        # A dropped change's entry keeps the cells it would have written: none was.
        if _selected(op, since, signed, config) and op.kind != oplog.DROPPED
    ]
    ops = shown(chosen, log.path, path, config)
    cells = [AgentChange(op, cell) for op in ops for cell in op.cells]
    return CellsResult(
        tracker=path,
        log=log.path,
        cells=cells[:limit] if limit else cells,
        total=len(cells),
        warnings=log.warnings,
        by=by,
        since=since,
    )


def agent_history(
    tracker_path: Path,
    config: Config,
    query: str,
    *,
    cls: str | None = None,
    since: date | None = None,
    by: str | None = None,
    limit: int | None = None,
) -> AgentHistoryResult:
    """The changes to one agent's cells: every cell recorded for the agent — found again
    by who it was recorded for (Agent ID, else e-mail, else name within class, as undo
    does), wherever the row was then, so a sort in Excel since changes nothing — and the
    cells changed outside esp in the agent's row as it is now."""
    path = tracker_file(tracker_path)
    table = read_table(Workbook.open(path), config.columns, keys=LOOKUP_KEYS)
    row = find_agent(table, query, cls)
    who = row.ref()
    finder = RowFinder(table)
    needles = [b'"agent":' + json.dumps(who.name, ensure_ascii=False).encode()]
    for key, value in (("agent_id", who.agent_id), ("email", who.email)):
        if value:
            needles.append(f'"{key}":'.encode() + json.dumps(value, ensure_ascii=False).encode())
    outside = b'"kind":"' + oplog.OUTSIDE.encode() + b'"'
    ids, mails, names = id_key(who.agent_id), email_key(who.email), name_key(who.name)

    def keep(line: bytes) -> bool:
        # Parse only the entries that can hold the agent's cells (a month's log is
        # thousands of lines, some with thousands of cells).
        return outside in line or any(n in line for n in needles)

    def maybe_mine(cell: dict[str, Any]) -> bool:
        # A quick look first; `mine` below decides.
        if not cell.get("agent"):
            return cell.get("row") == row.row and cell.get("sheet") == row.sheet
        return (
            name_key(str(cell.get("agent"))) == names
            or (bool(ids) and id_key(str(cell.get("agent_id") or "")) == ids)
            or (bool(mails) and email_key(str(cell.get("email") or "")) == mails)
        )

    def mine(cell: CellRecord, unmoved: bool) -> bool:
        if not cell.agent:  # changed outside esp: the cells of the row where it is now
            return (cell.sheet, cell.row) == (row.sheet, row.row)
        if cell.agent_id is None and (cell.sheet, cell.row) == (row.sheet, row.row):
            return name_key(cell.agent) == names  # recorded before esp kept IDs
        # A namesake's: the row recorded while the rows have not moved since, else the
        # row holding what esp saw there (as esp undo --agent finds them).
        return finder.locate(cell.who, cell.facts, unmoved).row is row

    log_file, of_tracker = history.log_to_read(path, config.backup_dir)
    log = history.read_log(
        log_file,
        keep if of_tracker is None else lambda line: of_tracker(line) and keep(line),
        maybe_mine,
        current=lambda: safety.digest_of(path),
    )
    changes = []
    found = waiting.Store(path, config.backup_dir).unwritten()
    kept = [as_operation(o) for o in reversed(found.ops)]
    appends = {
        (o.op, c.sheet, c.row, c.col, str(c.value))
        for o in found.ops
        for c in o.cells
        if c.action == APPEND
    }
    waits = {o.op for o in found.ops}
    signed = _signed_by([*kept, *log.operations], by, log.path, check=False)
    chosen = [
        op
        for op in [*kept, *reversed(log.operations)]
        if _selected(op, since, signed, config) and op.kind != oplog.DROPPED
    ]
    digest = safety.digest_of(path)
    esp_only = history.unmoved_after(log, digest, history.last_operation(log.path))
    made = {o.op: o for o in found.ops}

    def unmoved(op: Operation) -> bool:
        if op.op in made:  # still waiting: the tracker as it was when it was made
            w = made[op.op]
            return history.only_esp_since(log.path, w.log_from, w.digest, digest)
        return esp_only(op)

    for op in shown(chosen, log.path, path, config):
        still = unmoved(op)
        for cell in op.cells:
            if mine(cell, still):
                line = (op.op, cell.sheet, cell.row, cell.col, str(cell.after))
                changes.append(AgentChange(op, cell, op.op in waits, line in appends))
    return AgentHistoryResult(
        tracker=path,
        log=log.path,
        agent=row.ref(),
        changes=changes[:limit] if limit else changes,
        total=len(changes),
        warnings=log.warnings,
    )

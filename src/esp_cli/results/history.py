"""The operation log as data (esp history, esp history AGENT, esp undo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from esp_cli.core.model import AddedColumn, AgentRef, WriteReport
from esp_cli.core.oplog import CellRecord, Operation, tag
from esp_cli.core.shape import as_json, exported


@dataclass
class HistoryResult:
    tracker: Path
    log: Path
    # Newest first, as selected.
    operations: list[Operation] = field(metadata=as_json(hidden=True))
    # Entries matching the selectors before --limit.
    total: int = field(metadata=as_json(hidden=True))
    # op -> the undo in effect that undid it.
    undone_by: dict[str, str] = field(metadata=as_json(hidden=True))
    warnings: list[str]
    # The operations among `operations` still waiting beside the tracker (not yet in it).
    waiting: set[str] = field(default_factory=set, metadata=as_json(hidden=True))

    @property
    @exported(key="operations", after="log")
    def shown(self) -> list[ShownOperation]:
        return [
            ShownOperation(op, self.undone_by.get(op.op), op.op in self.waiting)
            for op in self.operations
        ]


@dataclass(frozen=True)
class ShownOperation:
    """An operation as esp history lists it: the entry, the undo that undid it, and whether
    it still waits beside the tracker (made, not yet in the workbook)."""

    op: Operation = field(metadata=as_json(flat=True))
    undone_by: str | None
    waiting: bool = False


@dataclass(frozen=True)
class AgentChange:
    """As JSON and CSV: op, kind, time, signer, login, then the cell."""

    op: Operation = field(metadata=as_json(hidden=True))
    cell: CellRecord = field(metadata=as_json(flat=True))
    # Still waiting beside the tracker: made, not yet in the workbook.
    waiting: bool = False
    # A waiting note line: `cell.after` is the line it appends, not the cell's text.
    appends: bool = field(default=False, metadata=as_json(hidden=True))

    @property
    @exported(key="op", after="")
    def op_id(self) -> str:
        return self.op.op

    @property
    @exported(after="op")
    def kind(self) -> str:
        return self.op.kind

    @property
    @exported(after="kind")
    def time(self) -> str:
        return self.op.timestamp

    @property
    @exported(after="time")
    def signer(self) -> str | None:
        return self.op.signer

    @property
    @exported(after="signer")
    def login(self) -> str:
        return self.op.login


@dataclass
class CellsResult:
    """esp history --cells (and --by in a table): each cell written, newest first, with
    its agent. As JSON: {"tracker", "log", "cells": [...], "warnings"}; a cell as esp
    history AGENT lists its changes (op, kind, time, signer, login, then the cell)."""

    tracker: Path
    log: Path
    cells: list[AgentChange]
    total: int = field(metadata=as_json(hidden=True))  # matching before --limit
    warnings: list[str]
    by: str | None = field(default=None, metadata=as_json(hidden=True))
    since: date | None = field(default=None, metadata=as_json(hidden=True))


@dataclass
class AgentHistoryResult:
    tracker: Path = field(metadata=as_json(hidden=True))
    log: Path
    agent: AgentRef = field(metadata=as_json(flat=True, after=""))
    changes: list[AgentChange]  # newest first
    total: int = field(metadata=as_json(hidden=True))
    warnings: list[str]


@dataclass(frozen=True)
class Conflict:
    """A cell the undone operation wrote that holds something else now (`address`: where
    its agent's row is now, when it moved), or whose agent cannot be found again
    (`reason` says why; `now` is None)."""

    cell: CellRecord = field(metadata=as_json(hidden=True))
    now: Any = field(metadata=as_json(hidden=True))
    reason: str = field(default="", metadata=as_json(none_if_empty=True))
    address: str = field(default="", metadata=as_json(key="now_at", none_if_empty=True))
    # The fix for a cell whose agent cannot be found (`reason`): "" when leaving it out is.
    fix: str = field(default="", metadata=as_json(hidden=True))

    # As JSON: sheet, cell, agent, column, written, now, now_at, reason.
    @property
    @exported(after="")
    def sheet(self) -> str:
        return self.cell.sheet

    @property
    @exported(key="cell", after="sheet")
    def cell_ref(self) -> str:
        return self.cell.cell

    @property
    @exported(after="cell")
    def agent(self) -> str:
        return self.cell.agent

    @property
    @exported(after="agent")
    def column(self) -> str:
        return self.cell.column

    @property
    @exported(after="column")
    def written(self) -> Any:
        """What the undone operation wrote (typed as in the log)."""
        return tag(self.cell.after)

    @property
    @exported(key="now", after="written")
    def now_tagged(self) -> Any:
        return tag(self.now)


@dataclass
class UndoResult:
    target: Operation = field(metadata=as_json(hidden=True))
    # Skipped (--skip-conflicts).
    conflicts: list[Conflict] = field(metadata=as_json(key="skipped_conflicts"))
    # Columns the operation added: emptied, header left.
    emptied_columns: list[AddedColumn] = field(metadata=as_json(hidden=True))
    warnings: list[str]
    write: WriteReport = field(metadata=as_json(flat=True))
    # Cells put back byte for byte (else by value).
    exact: bool = field(default=True, metadata=as_json(after="emptied_columns"))
    # The one agent whose cells were put back (esp undo OP --agent NAME); None: all.
    agent: str | None = field(default=None, metadata=as_json(after="undone_command"))

    @property
    @exported(after="")
    def undoes(self) -> str:
        return self.target.op

    @property
    @exported(after="undoes")
    def undone_command(self) -> str:
        return self.target.command

    @property
    @exported(key="emptied_columns", after="skipped_conflicts")
    def emptied(self) -> list[str]:
        return [str(a) for a in self.emptied_columns]

"""The operation log as data (esp history, esp history AGENT, esp undo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esp_cli.core.model import AddedColumn, AgentRef, WriteReport
from esp_cli.core.oplog import CellRecord, Operation


@dataclass
class HistoryResult:
    tracker: Path
    log: Path
    operations: list[Operation]  # newest first, as selected
    total: int  # entries matching the selectors before --limit
    undone_by: dict[str, str]  # op -> the undo in effect that undid it
    warnings: list[str]


@dataclass(frozen=True)
class AgentChange:
    op: Operation
    cell: CellRecord


@dataclass
class AgentHistoryResult:
    tracker: Path
    log: Path
    agent: AgentRef
    changes: list[AgentChange]  # newest first
    total: int
    warnings: list[str]


@dataclass(frozen=True)
class Conflict:
    """A cell the undone operation wrote that holds something else now (`address`: where
    its agent's row is now, when it moved), or whose agent cannot be found again
    (`reason` says why; `now` is None)."""

    cell: CellRecord
    now: Any
    reason: str = ""
    address: str = ""


@dataclass
class UndoResult:
    target: Operation
    conflicts: list[Conflict]  # skipped (--skip-conflicts)
    emptied_columns: list[AddedColumn]  # columns the operation added: emptied, header left
    warnings: list[str]
    write: WriteReport
    exact: bool = field(default=True)  # cells put back byte for byte (else by value)

"""What esp sync-nnumbers filled in, the conflicts it kept and the Master rows that match nobody."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esp_cli.core.model import CellChange, Finding, WriteReport
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True, slots=True)
class MasterRef:
    sheet: str
    row: int

    def __str__(self) -> str:
        return f"{self.sheet}!row {self.row}"


@dataclass(frozen=True)
class Conflict:
    sheet: str
    cell: str
    agent: str
    cls: str = field(metadata=as_json(key="class"))
    column: str
    tracker: Any
    master: Any
    master_row: MasterRef = field(metadata=as_json(hidden=True))
    reason: str
    # Whether --overwrite writes the Master's value there (a different date in the
    # tracker); the others are a person's to settle (two Master dates, an N Number).
    overwrite: bool = False

    @property
    @exported(after="master")
    def master_sheet(self) -> str:
        return self.master_row.sheet

    @property
    @exported(key="master_row", after="master_sheet")
    def master_row_number(self) -> int:
        return self.master_row.row


@dataclass(frozen=True)
class Unmatched:
    sheet: str
    row: int
    agent: str
    cls: str = field(metadata=as_json(key="class"))
    agent_id: str
    email: str
    reason: str


@dataclass
class SyncResult:
    master: Path = field(metadata=as_json(hidden=True))
    conflicts: list[Conflict]
    unmatched: list[Unmatched]
    findings: list[Finding] = field(metadata=as_json(key="unreadable", after="added_columns"))
    matched_agents: int = field(metadata=as_json(hidden=True))
    write: WriteReport = field(metadata=as_json(flat=True, drop=("changes",)))
    # The sheets of the agents whose N Number Requested it fills that have some of the
    # computed columns but not all, each with the headers it lacks: their computed columns
    # were not brought up to date.
    computed_missing: dict[str, tuple[str, ...]] | None = field(
        default=None, metadata=as_json(omit_none=True)
    )

    @property
    @exported(key="changes", after="")
    def filled(self) -> list[Filled]:
        """The cells filled in (or that would be), with the agent's class."""
        return [Filled(c) for c in self.write.changes]


@dataclass(frozen=True)
class Filled:
    """A cell sync-nnumbers fills: as every change, and the agent's class."""

    change: CellChange = field(metadata=as_json(flat=True))

    @property
    @exported(key="class", after="agent")
    def cls(self) -> str:
        return self.change.cls

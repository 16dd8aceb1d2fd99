"""What esp sync-nnumbers filled in, the conflicts it kept and the Master rows that match nobody."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esp_cli.core.model import Finding, WriteReport


@dataclass(frozen=True)
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
    cls: str
    column: str
    tracker: Any
    master: Any
    master_row: MasterRef
    reason: str


@dataclass(frozen=True)
class Unmatched:
    sheet: str
    row: int
    agent: str
    cls: str
    agent_id: str
    email: str
    reason: str


@dataclass
class SyncResult:
    master: Path
    conflicts: list[Conflict]
    unmatched: list[Unmatched]
    findings: list[Finding]
    matched_agents: int
    write: WriteReport

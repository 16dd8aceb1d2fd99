"""esp note import as data: what became of each row of the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from esp_cli.core.model import AgentRef, WriteReport


class Status(StrEnum):
    ADDED = "added"
    ALREADY_THERE = "already there"
    NOT_APPLIED = "not applied"


@dataclass
class ImportedNote:
    """One row of the file: its agent and line, and whether it was added."""

    line_number: int  # the row in the file (the header is counted)
    query: str  # the agent as the file gives it
    note: str
    agent: AgentRef | None = None
    column: str = ""  # Notes or TBT Notes
    line: str | None = None  # the note line as written
    cell: str = ""  # Sheet!A1 of the notes cell
    status: Status = Status.NOT_APPLIED
    reason: str = ""  # why it was not applied

    def refuse(self, reason: str) -> None:
        self.status = Status.NOT_APPLIED
        self.reason = reason


@dataclass
class NoteImportResult:
    tracker: Path
    source: str  # the file (and sheet) the rows came from
    notes: list[ImportedNote]
    write: WriteReport
    unread: list[tuple[str, str]] = field(default_factory=list)  # other sheets: (source, why)

    def count(self, status: Status) -> int:
        return sum(1 for n in self.notes if n.status is status)

"""esp note import as data: what became of each row of the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from esp_cli.core.model import AgentRef, WriteReport
from esp_cli.core.names import name_key
from esp_cli.core.shape import as_json, exported


class Status(StrEnum):
    ADDED = "added"
    ALREADY_THERE = "already there"
    NOT_APPLIED = "not applied"


@dataclass
class ImportedNote:
    """One row of the file: its agent and line, and whether it was added."""

    # As JSON and CSV: row, agent, typed, class, column, cell, status, line, reason.
    line_number: int = field(metadata=as_json(key="row"))  # the header row is counted
    query: str = field(metadata=as_json(hidden=True))  # the agent as the file gives it
    note: str = field(metadata=as_json(hidden=True))
    agent: AgentRef | None = field(default=None, metadata=as_json(hidden=True))
    column: str = ""  # Notes or TBT Notes
    # The note line as written.
    line: str | None = field(default=None, metadata=as_json(hidden=True))
    cell: str = ""  # Sheet!A1 of the notes cell
    status: Status = Status.NOT_APPLIED
    reason: str = ""  # why it was not applied

    @property
    @exported(key="agent", after="row")
    def who(self) -> str:
        """The agent found, else as the file gives it."""
        return self.agent.name if self.agent else self.query

    @property
    @exported(key="typed", after="agent")
    def typed(self) -> str:
        """The agent as the file gives it: the name, else the Agent ID or e-mail."""
        return self.query

    @property
    def shown(self) -> str:
        """The agent found, after the name typed when that is not how the tracker spells
        it (`Maria Gonzales → Maria Gonzalez`, `E10207 → Emily Chen`)."""
        if self.agent is None:
            return self.query
        if not self.query or name_key(self.query) == name_key(self.agent.name):
            return self.agent.name
        return f"{self.query} → {self.agent.name}"

    @property
    @exported(key="class", after="typed")
    def cls(self) -> str:
        return self.agent.cls if self.agent else ""

    @property
    @exported(key="line", after="status")
    def text(self) -> str:
        """The line written (or that would be), else the note as given."""
        return self.line or self.note

    def refuse(self, reason: str) -> None:
        self.status = Status.NOT_APPLIED
        self.reason = reason


@dataclass
class NoteImportResult:
    tracker: Path
    source: str  # the file (and sheet) the rows came from
    notes: list[ImportedNote]
    write: WriteReport = field(metadata=as_json(flat=True))
    # Other sheets that gave no rows: (source, why).
    unread: list[tuple[str, str]] = field(default_factory=list, metadata=as_json(hidden=True))

    def count(self, status: Status) -> int:
        return sum(1 for n in self.notes if n.status is status)

    @property
    @exported(after="source")
    def added(self) -> int:
        return self.count(Status.ADDED)

    @property
    @exported(after="added")
    def already_there(self) -> int:
        return self.count(Status.ALREADY_THERE)

    @property
    @exported(after="already_there")
    def not_applied(self) -> int:
        return self.count(Status.NOT_APPLIED)

    @property
    @exported(after="notes")
    def problems(self) -> list[SourceProblem]:
        return [SourceProblem(source, why) for source, why in self.unread]


@dataclass(frozen=True)
class SourceProblem:
    """A sheet or file that gave nothing, and why."""

    source: str
    problem: str

"""The agents' self-reports folded into Notes (esp progress import), and who has not
reported (esp progress missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.reports import RowProblem, SelfReport


@dataclass(frozen=True)
class Imported:
    report: SelfReport
    agent: AgentRef
    matched_by: str  # e-mail | name | name and class
    line: str
    added: bool  # False: the very same line was already in Notes


@dataclass(frozen=True)
class NotImported:
    report: SelfReport
    reason: str


FILE_STATUSES = (
    "imported",  # at least one line added to Notes
    "already_imported",  # its lines were in Notes already
    "unmatched",  # matched to no agent (or to several, or the agent's Notes cell is full)
    "other_day",  # left out by --date
    "unreadable",  # no report could be read from it: the reason says why
    "ignored",  # a system file (Thumbs.db, desktop.ini, ~$ and dot files) or a folder
    "skipped",  # a message no agent wrote: an automatic reply, a meeting request, a bounce
    "no_reports",  # a progress report with no report rows
)


@dataclass(frozen=True)
class FileOutcome:
    file: Path
    status: str  # one of FILE_STATUSES
    reason: str


@dataclass
class ImportResult:
    on: date | None
    sources: list[Path]
    imported: list[Imported]
    unmatched: list[NotImported]
    problems: list[RowProblem]
    other_days: int  # reports left out by --date
    findings: list[Finding]
    write: WriteReport
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for i in self.imported if i.added)

    @property
    def already_there(self) -> int:
        return sum(1 for i in self.imported if not i.added)


@dataclass(frozen=True)
class MissingAgent:
    agent: AgentRef
    tbt_sme: str
    last_report: date | None  # the agent's latest self-report line before the day


@dataclass
class MissingResult:
    tracker: Path
    on: date
    incomplete: int  # incomplete agents expected to report that day
    reported: int
    missing: list[MissingAgent]
    not_started: list[tuple[AgentRef, date]]  # incomplete, but their ESP starts later
    findings: list[Finding]
    cls: str | None = None  # --class: only that class's agents
    sme: str | None = None  # --sme: only that TBT SME's agents (as the tracker spells it)

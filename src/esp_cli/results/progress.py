"""The agents' self-reports folded into Notes (esp progress import), and who has not
reported (esp progress missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.reports import RowProblem, SelfReport
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True)
class Imported:
    # As JSON: agent, class, sheet, row, date, source, matched_by, note, added.
    report: SelfReport = field(metadata=as_json(hidden=True))
    agent: AgentRef = field(metadata=as_json(flat=True))
    matched_by: str  # e-mail | name | name and class
    line: str = field(metadata=as_json(key="note"))
    added: bool  # False: the very same line was already in Notes, or added by `same_as`
    # Not added because another report of this import (its source) adds the same line.
    same_as: str | None = field(default=None, metadata=as_json(omit_none=True))
    # Not added because Notes holds the report written otherwise (this line): the same
    # update, its other columns under other headers or left out by an earlier esp.
    in_notes_as: str | None = field(default=None, metadata=as_json(omit_none=True))

    @property
    @exported(after="row")
    def date(self) -> date:
        return self.report.day

    @property
    @exported(after="date")
    def source(self) -> str:
        return self.report.source


@dataclass(frozen=True)
class NotImported:
    # As JSON: source, date, name, email, class, text (as the report gave them), reason, and
    # matched when esp matched it to an agent.
    report: SelfReport = field(metadata=as_json(flat=True))
    reason: str
    # The agent esp matched the report to before refusing it (her Notes cell full or showing
    # an error, a note about her filled in by someone else), as {agent, class, sheet, row};
    # None (left out) when it matched nobody or was refused before matching.
    matched: AgentRef | None = field(default=None, metadata=as_json(omit_none=True))


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
    on: date | None = field(metadata=as_json(key="date"))
    sources: list[Path]
    imported: list[Imported]
    unmatched: list[NotImported]
    problems: list[RowProblem]
    # Reports left out by --date.
    other_days: int = field(metadata=as_json(after="already_there"))
    findings: list[Finding] = field(metadata=as_json(key="unreadable", after="files"))
    write: WriteReport = field(metadata=as_json(flat=True))
    files: list[FileOutcome] = field(default_factory=list, metadata=as_json(after="problems"))
    # The tracker's agents are on several sheets: a row number alone does not say where.
    several_sheets: bool = field(default=False, metadata=as_json(hidden=True))

    @property
    @exported(after="")
    def tracker(self) -> Path:
        return self.write.tracker

    @property
    @exported(after="sources")
    def added(self) -> int:
        return sum(1 for i in self.imported if i.added)

    @property
    @exported(after="added")
    def already_there(self) -> int:
        """Reports whose line was in Notes before this import."""
        return sum(1 for i in self.imported if not i.added and i.same_as is None)

    @property
    @exported(after="already_there")
    def repeated(self) -> int:
        """Reports that repeat another of this import (the same e-mail saved twice)."""
        return sum(1 for i in self.imported if not i.added and i.same_as is not None)


@dataclass(frozen=True)
class MissingAgent:
    agent: AgentRef = field(metadata=as_json(flat=True))
    tbt_sme: str
    last_report: date | None  # the agent's latest self-report line before the day

    @property
    @exported(after="row")
    def agent_id(self) -> str:
        return self.agent.agent_id

    @property
    @exported(after="agent_id")
    def email(self) -> str:
        return self.agent.email


@dataclass(frozen=True)
class NotStarted:
    """An incomplete agent whose ESP starts after the day: not expected to report yet."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    esp_start: date


@dataclass
class MissingResult:
    tracker: Path
    on: date = field(metadata=as_json(key="date"))
    incomplete: int  # incomplete agents expected to report that day
    reported: int
    missing: list[MissingAgent]
    # Incomplete, but their ESP starts later.
    not_started: list[tuple[AgentRef, date]] = field(metadata=as_json(hidden=True))
    findings: list[Finding] = field(metadata=as_json(key="unreadable"))
    # --class: only that class's agents.
    cls: str | None = field(default=None, metadata=as_json(key="class", after="date"))
    # --sme: only that TBT SME's agents (as the tracker spells it).
    sme: str | None = field(default=None, metadata=as_json(key="tbt_sme", after="class"))
    # The changes waiting beside the tracker counted (their operations): a self-report
    # imported while the tracker was open counts as reported, not yet in the workbook.
    waiting: list[str] = field(default_factory=list)
    # The day is not a business day (why), and the business day before it.
    not_a_business_day: str | None = field(
        default=None, metadata=as_json(omit_none=True, after="date")
    )
    business_day_before: date | None = field(
        default=None, metadata=as_json(omit_none=True, after="not_a_business_day")
    )

    @property
    @exported(key="not_started", after="missing")
    def starting_later(self) -> list[NotStarted]:
        return [NotStarted(ref, start) for ref, start in self.not_started]

"""The open Cannot Locate TBT cases as data (esp report locate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.model import Finding, MailReport, WriteReport
from esp_cli.core.shape import as_json


@dataclass(frozen=True)
class LocateCase:
    agent: str
    cls: str = field(metadata=as_json(key="class"))
    sheet: str
    row: int
    course: str | None
    searched_before: bool
    screenshots: tuple[Path, ...]


@dataclass(frozen=True)
class UnmatchedFile:
    """A screenshot attached to no case, and why (it names no agent, or several)."""

    file: Path
    reason: str


@dataclass
class LocateResult:
    # The day whose cases these are: today, or the day --as-of replayed.
    as_of: date
    cases: list[LocateCase]
    unmatched_files: list[UnmatchedFile]
    findings: list[Finding] = field(metadata=as_json(hidden=True))
    write: WriteReport = field(metadata=as_json(flat=True))
    screenshots_dir: Path | None = field(default=None, metadata=as_json(hidden=True))
    # The open cases left out, of agents on two sheets of the tracker (said on stderr).
    left_out: int = field(default=0, metadata=as_json(hidden=True))
    # The e-mail made of the cases, when one was asked for.
    mail: MailReport | None = field(default=None, metadata=as_json(hidden=True))

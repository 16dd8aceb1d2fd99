"""The open Cannot Locate TBT cases as data (esp report locate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.model import Finding, MailReport, WriteReport


@dataclass(frozen=True)
class LocateCase:
    agent: str
    cls: str
    sheet: str
    row: int
    course: str | None
    searched_before: bool
    screenshots: tuple[Path, ...]


@dataclass
class LocateResult:
    cases: list[LocateCase]
    unmatched_files: list[tuple[Path, str]]  # (file, why it was not attached)
    findings: list[Finding]
    write: WriteReport
    screenshots_dir: Path | None = field(default=None)
    mail: MailReport | None = None  # the e-mail made of the cases, when one was asked for

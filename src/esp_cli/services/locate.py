"""esp report locate: the Cannot Locate TBT cases compiled for the learning contacts.

A case is an outstanding agent whose Citrix TBT Access is Cannot Locate TBT. For each: the
agent, the class, the course searched (the newest quoted course name in TBT Notes, e.g.
`Cannot find TBT 'Appeals & Grievances'`), and the screenshots of the searches, matched to
the agent by file name (every word of the agent's name in the file's name, in any order:
`Ethan Brooks course number.png`, `brooks_ethan-name.jpg`). Searched by Course Number is set
to the column's Yes for each agent whose screenshots were found (the search is documented);
an agent without a screenshot is listed, not changed. A file that names no case, or several,
is listed too, never attached to a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.config import Config
from esp_cli.errors import InputFileError
from esp_cli.notes import NoteKind, lines_of, parse_line
from esp_cli.services.access import CANNOT_LOCATE, SEARCHED, yes_no_as_listed
from esp_cli.services.agents import name_tokens
from esp_cli.services.eod import ACCESS_KEY, access_category
from esp_cli.services.writes import CellChange, ChangePlan
from esp_cli.system import is_system_file
from esp_cli.tracker import Finding, Row, read_table
from esp_cli.xlsx.workbook import SaveResult, locked_for_update

TBT = NoteKind.TBT
READ_KEYS = ("call_cert_complete", "tbts_complete", ACCESS_KEY, SEARCHED, TBT.column_key)
SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".pdf")
_QUOTED = re.compile(r"['\"‘“]([^'\"’”]{3,}?)['\"’”](?=\W|$)")
_WORDS = re.compile(r"[a-z]+")


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
    tracker: Path
    cases: list[LocateCase]
    unmatched_files: list[tuple[Path, str]]  # (file, why it was not attached)
    changes: list[CellChange]
    findings: list[Finding]
    dry_run: bool
    saved: SaveResult | None = None
    screenshots_dir: Path | None = field(default=None)


def course_searched(tbt_notes: object) -> str | None:
    """The newest quoted course name in the TBT Notes lines (newest last), or None."""
    if not isinstance(tbt_notes, str):
        return None
    found = None
    for text in lines_of(tbt_notes):
        line = parse_line(TBT, text)
        for match in _QUOTED.finditer(line.text if line else text):
            found = match.group(1).strip()
    return found


def screenshot_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputFileError(
            f"{folder}: no such folder.", fix="give --screenshots the folder of screenshots."
        )
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SCREENSHOT_SUFFIXES and not is_system_file(p)
    )


def _file_words(path: Path) -> set[str]:
    return set(_WORDS.findall(path.stem.casefold()))


def match_screenshots(
    files: list[Path], cases: list[tuple[Row, str]]
) -> tuple[dict[int, list[Path]], list[tuple[Path, str]]]:
    """Files by case index, and the files matching no case or several (with why)."""
    by_case: dict[int, list[Path]] = {}
    unmatched: list[tuple[Path, str]] = []
    for file in files:
        words = _file_words(file)
        hits = [
            i
            for i, (row, _) in enumerate(cases)
            if (tokens := name_tokens(row.name)) and set(tokens) <= words
        ]
        if len(hits) == 1:
            by_case.setdefault(hits[0], []).append(file)
        elif hits:
            names = ", ".join(cases[i][0].label() for i in hits)
            unmatched.append((file, f"names several agents: {names}"))
        else:
            unmatched.append((file, "names no Cannot Locate TBT agent"))
    return by_case, unmatched


def locate_cases(
    tracker_path: Path,
    config: Config,
    screenshots: Path | None,
    *,
    write: bool = True,
    dry_run: bool = False,
) -> LocateResult:
    """The open Cannot Locate TBT cases; with `write` (not `dry_run`), Searched by Course
    Number set to Yes for each agent whose screenshots were found."""
    files = screenshot_files(screenshots) if screenshots is not None else []
    with locked_for_update(tracker_path, dry_run=dry_run or not write) as wb:
        table = read_table(wb, config.columns, keys=READ_KEYS)
        found: list[tuple[Row, str]] = []
        for row in table.rows():
            if row.get("call_cert_complete") is True and row.get("tbts_complete") is True:
                continue
            issue = access_category(row.get(ACCESS_KEY), config.access_values)
            if issue is not None and " ".join(issue.casefold().split()) == CANNOT_LOCATE:
                found.append((row, issue))
        by_case, unmatched = match_screenshots(files, found)
        plan = ChangePlan(table)
        cases = []
        for i, (row, _) in enumerate(found):
            searched = row.get(SEARCHED) is True
            attached = tuple(by_case.get(i, []))
            if attached and not searched:
                sheet = table.sheet(row.sheet)
                plan.set(
                    row, SEARCHED, yes_no_as_listed(wb, sheet, row.row, sheet.col(SEARCHED), True)
                )
            cases.append(
                LocateCase(
                    agent=row.label(),
                    cls=" ".join(row.cls.split()),
                    sheet=row.sheet,
                    row=row.row,
                    course=course_searched(row.raw.get(TBT.column_key)),
                    searched_before=searched,
                    screenshots=attached,
                )
            )
        saved = plan.apply(config.backup_dir) if write and not dry_run else None
    return LocateResult(
        tracker=table.path,
        cases=cases,
        unmatched_files=unmatched,
        changes=plan.changes,
        findings=list(table.findings),
        dry_run=dry_run or not write,
        saved=saved,
        screenshots_dir=screenshots,
    )

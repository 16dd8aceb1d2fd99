"""The team's two note formats (pure).

Notes:     `MM/DD/YYYY - Name - Note`   (the coordinator's log, self-reports)
TBT Notes: `Name - MM/DD/YYYY - Note`   (the TBT SMEs' daily status)

A cell holds several lines, newest last. Appending keeps every earlier line exactly as it
was and never adds a line that is already there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum


class NoteKind(Enum):
    NOTES = "notes"  # Date - Name - Note
    TBT = "tbt_notes"  # Name - Date - Note

    @property
    def column_key(self) -> str:
        value: str = self._value_  # (Enum.value is a descriptor: this is asked per row)
        return value

    @property
    def pattern(self) -> str:
        return "MM/DD/YYYY - Name - Note" if self is NoteKind.NOTES else "Name - MM/DD/YYYY - Note"


@dataclass(frozen=True)
class NoteLine:
    day: date
    author: str
    text: str


NOTE_DATE = r"(\d{1,2}/\d{1,2}/\d{2,4})"
_SEP = r"\s+[-–—]\s+"
_NOTES_LINE = re.compile(rf"^\s*{NOTE_DATE}{_SEP}(.+?){_SEP}(.+?)\s*$")
_TBT_LINE = re.compile(rf"^\s*(.+?){_SEP}{NOTE_DATE}{_SEP}(.+?)\s*$")


def note_day(text: str) -> date | None:
    """The day of a line's MM/DD/YYYY (or MM/DD/YY: 69-99 the 1900s, else the 2000s, as
    strptime's %y reads it); None when it is no day."""
    month, day, year = text.split("/")  # digits, as NOTE_DATE matched them
    if len(year) == 2:
        number = int(year) + (1900 if int(year) >= 69 else 2000)
    elif len(year) == 4:
        number = int(year)
    else:
        return None
    try:
        return date(number, int(month), int(day))
    except ValueError:
        return None


def format_line(kind: NoteKind, day: date, author: str, text: str) -> str:
    stamp = day.strftime("%m/%d/%Y")
    body = " ".join(text.split())
    who = " ".join(author.split())
    return f"{stamp} - {who} - {body}" if kind is NoteKind.NOTES else f"{who} - {stamp} - {body}"


def parse_line(kind: NoteKind, line: str) -> NoteLine | None:
    """A line in the team's format, or None when it is not one."""
    if kind is NoteKind.NOTES:
        m = _NOTES_LINE.match(line)
        if not m:
            return None
        day = note_day(m.group(1))
        return NoteLine(day, m.group(2).strip(), m.group(3).strip()) if day else None
    m = _TBT_LINE.match(line)
    if not m:
        return None
    day = note_day(m.group(2))
    return NoteLine(day, m.group(1).strip(), m.group(3).strip()) if day else None


def lines_of(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [ln for ln in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip()]


def folded(text: str) -> str:
    """A note's text as lines are compared: spacing (a double or no-break space) and case
    aside."""
    return " ".join(text.split()).casefold()


def _same(a: str, b: str) -> bool:
    return folded(a) == folded(b)


def appended(cell: str | None, line: str) -> str | None:
    """The cell's text with `line` added at the end, or None when it is already there."""
    existing = lines_of(cell)
    if any(_same(old, line) for old in existing):
        return None
    if not cell or not cell.strip():
        return line
    return cell.rstrip("\r\n") + "\n" + line


def latest(kind: NoteKind, cell: str | None, by: date | None = None) -> NoteLine | None:
    """The most recent line in the team's format (by date, then position); with `by`, the
    most recent dated on or before it (a replayed day knows no later note)."""
    parsed = [
        (p.day, i, p)
        for i, ln in enumerate(lines_of(cell))
        if (p := parse_line(kind, ln)) and (by is None or p.day <= by)
    ]
    return max(parsed, key=lambda t: (t[0], t[1]))[2] if parsed else None

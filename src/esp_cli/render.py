"""One result, several renderers. Data goes to stdout; messages for people go to stderr."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """JSON-ready: ISO dates, enums by value, nested containers converted."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes") if value.second == 0 else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def show(value: Any) -> str:
    """How a value reads in a table: US dates, blanks as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(plain(obj), indent=2, ensure_ascii=False) + "\n")


def csv_safe(value: Any) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas: neutralise them. A number
    is left a number (-1 days overdue stays -1, not '-1)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(plain(value))
    if text.startswith(_CSV_TRIGGERS):
        return "'" + text
    return text


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(row.get(c)) for c in columns])
    sys.stdout.write(buf.getvalue())


def stdout_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


def say(message: str) -> None:
    """A line for people, on stderr (never mixed into data)."""
    sys.stderr.write(message + "\n")


def print_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], empty: str | None = None
) -> None:
    from rich.table import Table

    rows = list(rows)
    console = stdout_console()
    if not rows:
        if empty:
            console.print(f"[bold]{title}[/bold]: {empty}", markup=True)
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*[_escape(show(v)) for v in r])
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

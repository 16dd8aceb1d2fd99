"""A past day's undated cells: Citrix TBT Access and the SPOC columns as they were then.

docs/rules.md's replay rule holds every dated column to its date; the access columns have no
date of their own, so a value esp changed after the day replayed is taken from before that
change, from the operation log. A change made outside esp, never seen by esp, cannot be
replayed: the value is then the current one.

Every command that replays a day (`escalations --as-of`, `report eod --date`, `explain
--as-of`, `advise --as-of`, `report kpi --to`, `report locate --as-of`, `document` for a past
day) evaluates the rows this returns, so the rules and the counts of one report agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from esp_cli.config import Config
from esp_cli.core.values import Unreadable
from esp_cli.services.agents import RowFinder
from esp_cli.workbook import history
from esp_cli.workbook.tracker import Row, Table, read_cell

# The columns the rules read that have no date of their own and that esp writes
# (esp access set, esp report locate, a round's answers).
UNDATED_KEYS = ("citrix_access", "incident_number", "callback_phone", "searched_course")


def values_then(
    table: Table, config: Config, day: date, keys: Sequence[str] = UNDATED_KEYS
) -> dict[tuple[str, int], dict[str, Any]]:
    """The cells of columns `keys` that esp changed after `day`, as they were at its end:
    (sheet, row as it is now) -> {key: the value before the first later change}. A change
    its command dated (`esp access set --date`, `esp round --date`) belongs to that day,
    whenever it was written."""
    by_header: dict[str, str] = {}
    for sheet in table.sheets:
        for key in keys:
            col = sheet.col(key)
            if col is not None and col in sheet.headers:
                by_header[sheet.headers[col]] = key
    if not by_header:
        return {}
    encoded = [h.encode("utf-8") for h in by_header]
    log = history.read_log(
        history.log_path(table.path, config.backup_dir),
        keep=lambda line: any(h in line for h in encoded),
        cell_filter=lambda cell: cell.get("column") in by_header,
    )
    finder = RowFinder(table)
    found: dict[tuple[str, int], dict[str, Any]] = {}
    zone = config.zone()
    for op in log.operations:  # oldest first: the first change after the day wins
        if op.day(zone) <= day:  # made by then, or dated by its command for a day by then
            continue
        for cell in op.cells:
            if cell.column not in by_header or not cell.agent:
                continue
            key = by_header[cell.column]
            row = finder.locate(cell.who, cell.facts).row
            if row is not None:
                found.setdefault((row.sheet, row.row), {}).setdefault(key, cell.before)
    return found


def rows_as_of(
    table: Table, config: Config, day: date, rows: Sequence[Row], *, today: date | None = None
) -> list[Row]:
    """`rows`, each with its undated cells as they were at the end of `day` (the rows as
    they are for today or a day to come)."""
    if day >= (today or config.today()):
        return list(rows)
    then = values_then(table, config, day)
    if not then:
        return list(rows)
    date1904 = table.workbook.date1904
    out = []
    for row in rows:
        old = then.get((row.sheet, row.row))
        if old is None:
            out.append(row)
            continue
        values, raw, unreadable = dict(row.values), dict(row.raw), set(row.unreadable)
        counts = table.sheet(row.sheet).not_answers  # no flag read there, then or now
        for key, value in old.items():
            if key in counts:
                continue
            raw[key] = value
            values.pop(key, None)
            unreadable.discard(key)
            if value is None or value == "":
                raw.pop(key, None)
                continue
            try:
                parsed = read_cell(key, value, date1904)
            except Unreadable:
                unreadable.add(key)
                continue
            if parsed is not None:
                values[key] = parsed
        out.append(replace(row, raw=raw, values=values, unreadable=frozenset(unreadable)))
    return out

"""esp explain AGENT: how the rules reached their result for one agent, for a team lead to
check before trusting the tool — every date used, every count, the weekends and holidays
skipped, why each action is or is not due, and the cells it was all read from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core.columns import BY_KEY, SEARCHED, alias_table, asked_column, holds, searched_on
from esp_cli.core.oplog import on_clock
from esp_cli.core.refs import address
from esp_cli.core.rules import evaluate, explain
from esp_cli.results.explain import CellView, Explanation, WaitingChange
from esp_cli.services.agents import find_agent
from esp_cli.services.escalations import READ_KEYS, computed_cells
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row, need_rule_columns
from esp_cli.services.replay import rows_as_of
from esp_cli.workbook.tracker import Row, Sheet
from esp_cli.workbook.waiting import Mark, read_counting_waiting
from esp_cli.workbook.xlsx.workbook import Workbook

# The cells shown besides the ones the rules read: who the agent is.
_IDENTITY_KEYS = ("class", "agent_name", "agent_id", "email", "n_number")


def explain_agent(
    tracker_path: Path,
    config: Config,
    query: str,
    as_of: date,
    now: datetime,
    *,
    cls: str | None = None,
) -> Explanation:
    cal = calendar_from(config)
    wb = Workbook.open(tracker_path)
    table, counted = read_counting_waiting(wb, config, READ_KEYS)
    found = find_agent(table, query, cls)
    need_rule_columns(table, config, rows=[found])
    # a past day: the access columns as they were then (services.replay)
    (row,) = rows_as_of(table, config, as_of, [found])
    facts = facts_from_row(row)
    today = config.today()  # the day the tracker is read: a date after it is still to come
    ev = evaluate(facts, as_of, now, cal, spoc_phone=config.spoc_phone, read_on=today)
    sheet = table.sheet(row.sheet)
    absent = absent_columns(sheet, alias_table(config.columns))
    lines = explain(
        facts, as_of, now, cal, spoc_phone=config.spoc_phone, absent=absent, read_on=today
    )
    marks = counted.of(row)
    zone = config.zone()  # when each waiting change was made, on the team's clock
    return Explanation(
        tracker=table.path,
        agent=row.ref(),
        as_of=as_of,
        now=now,
        lines=lines,
        evaluation=ev,
        computed=computed_cells(ev),
        cells=cell_views(row, sheet, marks, as_of),
        read_on=today,
        waiting=[
            WaitingChange(
                m.op.op, on_clock(m.op.time, zone), m.op.who, m.op.command, m.cell.column, m.cell
            )
            for m in marks
        ],
    )


def _value(row: Row, key: str, as_of: date | None) -> Any:
    value = row.values.get(key)
    if key == SEARCHED and isinstance(value, date):
        return True if as_of is None else searched_on(value, as_of)
    return value


def absent_columns(sheet: Sheet, table: Mapping[str, str]) -> dict[str, str]:
    """The columns the rules read that the sheet lacks, each with what to say of it: no
    such column, the team's header that asks it as a question ('SPOC Called?' asks a yes or
    a no, not a day), and the fix: add it, or map the team's header in esp.toml."""
    asked: dict[str, str] = {}
    for col, header in sheet.headers.items():
        key = asked_column(header, table)
        if key is not None:
            at = address(sheet.name, sheet.header_row, col)
            asked.setdefault(key, f"'{header}' in {at} asks a yes or a no, not {holds(key)}; ")
    said = {}
    for key in FACT_KEYS:
        if sheet.col(key) is not None:
            continue
        fix = "add the column" if key in asked else "add it"
        said[key] = (
            f"no such column on sheet '{sheet.name}' ({asked.get(key, '')}{fix}, or map the "
            "team's header to it in esp.toml [columns])"
        )
    return said


# The Notes cell is read only for the line of a step recorded early (its reason): the
# whole log would fill the table, and the Early lines say what the rules made of it.
_SHOWN_KEYS = (*_IDENTITY_KEYS, *(k for k in FACT_KEYS if k != "notes"))


def cell_views(
    row: Row, sheet: Sheet, marks: Sequence[Mark] = (), as_of: date | None = None
) -> list[CellView]:
    """The identity cells and every cell the rules read, in the sheet's column order (the
    columns the sheet lacks last); a cell a waiting change is counted in names it. The day
    of the search typed in Searched by Course Number reads yes from that day on, as of
    `as_of` (None: yes)."""
    views = []
    waits = {m.key: m.op.op for m in marks if m.key is not None}
    for key in _SHOWN_KEYS:
        col = sheet.col(key)
        raw = row.raw.get(key)
        # A cell inside merged cells shows (and is read from) their first cell.
        read_at = (sheet.shown_from(row.row, col, key) if col and sheet.merged else None) or row.row
        views.append(
            CellView(
                key=key,
                header=sheet.headers.get(col, BY_KEY[key].header) if col else BY_KEY[key].header,
                address=address(row.sheet, read_at, col) if col else None,
                raw=raw,
                value=None if key in row.unreadable else _value(row, key, as_of),
                unreadable=key in row.unreadable,
                waiting=waits.get(key),
            )
        )
    order = {key: i for i, key in enumerate(_SHOWN_KEYS)}
    views.sort(key=lambda v: (sheet.col(v.key) or 10**6, order[v.key]))
    return views

"""From the tracker and esp.toml to what the rules take: AgentFacts and a BusinessCalendar.

The rules (rules.py) know nothing of workbooks or configuration; every command that applies
them goes through these two functions, so a column the rules use is read the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig, RememberingCalendar
from esp_cli.core.columns import COMPUTED, RULES_NEED
from esp_cli.core.model import Finding
from esp_cli.core.rules import AgentFacts
from esp_cli.core.values import Unreadable
from esp_cli.services.holidays import cached_source
from esp_cli.workbook.tracker import Row, Table, read_cell, require_columns

# AgentFacts' fields are named after the tracker's column keys (columns.py), so the mapping
# is by name; a test pins that every field is a known column key.
FACT_KEYS: tuple[str, ...] = tuple(
    f for f in AgentFacts._fields if f not in ("unreadable", "uncalculated")
)
# The rules read the Notes cell only for the line of a step recorded early (core/rules): a
# Notes cell esp cannot read is none of the rules' unreadable cells, and no finding of a
# command that reads Notes for nothing else (esp doctor names it).
EARLY_NOTES_KEY = "notes"
_FACT_KEY_SET = frozenset(FACT_KEYS) - {EARLY_NOTES_KEY}
_new_tuple = tuple.__new__


# What tells who is complete (esp sme list's outstanding, esp report locate's open cases).
COMPLETION_NEED = ("call_cert_complete", "tbts_complete")


def need_rule_columns(
    table: Table,
    config: Config,
    keys: Sequence[str] = RULES_NEED,
    *,
    computed: bool = False,
    sheets: Iterable[str] | None = None,
    rows: Iterable[Row] | None = None,
) -> None:
    """Stop (MissingColumnsError, exit 3) when a sheet of agents lacks a column the rules
    need (ESP Start Date, Call Cert Complete?, All TBTs Complete?): without it every agent
    would read as not started or not complete, and every figure, list and computed cell
    would say so. Every command whose result follows the rules calls it once its rows are
    read (on the headers: nothing more is read). `keys`: the ones the command reads (a
    count of who is complete needs no ESP Start Date); `computed`: only the sheets that
    have the computed columns (a command that works them out beside its own cells);
    `sheets`: only these; `rows`: only the sheets of these agents (those a command about a
    class, a TBT SME or one agent works on: a sheet of another class made before its
    columns stops no other class's work)."""
    if rows is not None:
        sheets = {row.sheet for row in rows}
    chosen = [
        s
        for s in table.sheets
        if (sheets is None or s.name in sheets)
        and (not computed or all(k in s.columns for k in COMPUTED))
    ]
    require_columns(table, keys, config.columns, needed_by="the rules need", sheets=chosen)


def facts_from_row(row: Row) -> AgentFacts:
    """The rules' view of one tracker row. A cell that could not be read stays None and its
    key goes into `unreadable`, so the rules say "cannot be read" rather than "empty"; so
    does one holding a formula whose result is not saved (Excel shows a value there: a
    completion flag is not "no" for it), in `uncalculated` too, for the words."""
    get = row.values.get
    # Made as the tuple it is, in the fields' order: this runs for every agent of the
    # tracker (a third less time than through the named tuple's keywords).
    if not row.unreadable and not row.uncalculated:
        return _new_tuple(AgentFacts, (*map(get, FACT_KEYS), (), ()))
    uncalculated = tuple(sorted(k for k in row.uncalculated if k in _FACT_KEY_SET))
    bad = row.unreadable | frozenset(uncalculated)
    unreadable = tuple(sorted(k for k in bad if k in _FACT_KEY_SET))
    args: list[Any] = [
        *(None if key in bad else get(key) for key in FACT_KEYS),
        unreadable,
        uncalculated,
    ]
    return AgentFacts(*args)


def read_keys(table: Table, rows: Iterable[Row], keys: Sequence[str]) -> None:
    """Parse the columns `keys` for these rows (in place), beside those the table was read
    with: for the few agents a command needs more of (a round's chosen agents, the rules
    for the agents a write changes)."""
    date1904 = table.workbook.date1904
    by_sheet = {info.name: info for info in table.workbook.sheets}
    for row in rows:
        sheet = table.sheet(row.sheet)
        # Those columns only: the sheet's other cells would be made and dropped; none at
        # all when the rows were read with them scanned (read_table's scan_also).
        wanted = {c for k in keys if (c := sheet.col(k)) is not None and k not in sheet.scanned}
        read = table.workbook.values(by_sheet[row.sheet], columns=wanted) if wanted else None
        lines = read.rows if read is not None else []
        bad = set(row.unreadable)
        uncalculated = set(row.uncalculated)
        for key in keys:
            col = sheet.col(key)
            if key in sheet.not_answers:
                bad.add(key)  # counts or dates: no agent's flag is read there (read_table)
                continue
            # A merged range's rows show its first cell's value (as read_table reads them).
            shown = sheet.shown_from(row.row, col, key) if col and sheet.merged else None
            at = shown or row.row
            stored = sheet.scanned.get(key)
            if stored is not None:
                k = at - sheet.header_row - 1
                value = stored[k] if 0 <= k < len(stored) else None
                formulas = sheet.scanned_uncalculated
            else:
                line = lines[at - 1] if col is not None else []
                value = line[col - 1] if col is not None and col <= len(line) else None
                formulas = read.uncalculated if read is not None else frozenset()
            if value is None or value == "":
                # A formula whose result is not saved reads as empty: said as it is.
                if col is not None and (at, col) in formulas:
                    uncalculated.add(key)
                continue
            row.raw[key] = value
            try:
                parsed = read_cell(key, value, date1904)
            except Unreadable:
                bad.add(key)
                continue
            if parsed is not None:
                row.values[key] = parsed
        row.unreadable = frozenset(bad)
        row.uncalculated = frozenset(uncalculated)


def rule_findings(table: Table) -> list[Finding]:
    """The table's findings but those of the Notes column, which the rules read only for a
    step recorded early: for a command that reads Notes for nothing else."""
    notes = {s.name: s.col(EARLY_NOTES_KEY) for s in table.sheets}
    return [f for f in table.findings if notes.get(f.sheet) is None or f.col != notes[f.sheet]]


def calendar_config(config: Config) -> CalendarConfig:
    return CalendarConfig(
        country=config.country,
        subdivision=config.subdivision,
        extra_days_off=config.extra_days_off,
        working_holidays=config.working_holidays,
        zone=config.clock(),
    )


def calendar_from(config: Config) -> BusinessCalendar:
    """The team's business calendar from esp.toml's [calendar] table (CalendarError, a
    ConfigError, when the country or subdivision is unknown). Each company_workdays or
    company_days_off entry that changes no business day is a warning, said once."""
    cal = RememberingCalendar(calendar_config(config), cached_source())
    for where, why in calendar_warnings(config, cal):
        config.warn_once(f"{where} {why}")
    return cal


def calendar_warnings(config: Config, cal: BusinessCalendar) -> list[tuple[str, str]]:
    """(where, why) for each [calendar] entry that changes no business day: where is
    'esp.toml: [calendar] company_workdays'."""
    if not (config.extra_days_off or config.working_holidays):
        return []  # nearly every team: no holidays looked up for nothing
    source = config.source if config.source is not None else "esp.toml"
    return [(f"{source}: [calendar] {key}", why) for key, why in cal.idle_entries()]

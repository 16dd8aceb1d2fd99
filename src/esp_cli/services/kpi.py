"""esp report kpi: the leadership KPIs of a period, computed from the tracker.

The workbook is read once; core/kpi.py puts every agent through the rules for each day of
the period it was open (an agent complete before the period is only counted). The evening
e-mail's KPI section comes from here too (`kpis_of`), from the rows the report has read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.kpi import OVERALL, KpiAgent, Kpis, default_period, kpis
from esp_cli.core.model import class_in_data, class_shown
from esp_cli.results.kpi import KpiReport
from esp_cli.services.agents import (
    SME_KEY,
    agents_for,
    class_label,
    count_agents_once,
    scope_words,
)
from esp_cli.services.facts import (
    FACT_KEYS,
    calendar_from,
    facts_from_row,
    need_rule_columns,
    rule_findings,
)
from esp_cli.services.replay import rows_as_of
from esp_cli.workbook.tracker import Row, Table
from esp_cli.workbook.waiting import read_counting_waiting
from esp_cli.workbook.xlsx.workbook import Workbook

READ_KEYS = (*FACT_KEYS, SME_KEY)


def kpis_of(
    table: Table,
    rows: Sequence[Row],
    config: Config,
    cal: BusinessCalendar,
    start: date,
    end: date,
) -> Kpis:
    """The KPIs of [start, end] for `rows` of `table`, classes in the order the evening
    report lists them (a class typed two ways is one class, under its first spelling)."""
    names: dict[str, str] = {}
    columns = {sheet.name: sheet.columns for sheet in table.sheets}
    agents = []
    for row in rows:
        key, _ = class_label(row.cls, OVERALL)
        name = names.setdefault(key, class_in_data(row.cls, OVERALL))
        agents.append(KpiAgent(row.ref, facts_from_row(row), name, columns[row.sheet]))
    order = [names[key] for key in sorted(names)]
    return kpis(agents, start, end, cal, spoc_phone=config.spoc_phone, classes=order)


def kpi_report(
    tracker_path: Path,
    config: Config,
    end: date,
    start: date | None = None,
    *,
    cls: str | None = None,
    sme: str | None = None,
) -> KpiReport:
    """The KPIs of [start, end] (by default the 10 business days up to `end`) for every
    agent, or those of a class and/or a TBT SME. The changes waiting beside a busy tracker
    count, as in every report (a coaching that waits is delivered); the access columns are
    read as they were at the end of `end` (services.replay)."""
    cal = calendar_from(config)  # a bad [calendar] fails before the workbook is opened
    if start is None:
        start, _ = default_period(cal, end)
    table, counted = read_counting_waiting(Workbook.open(tracker_path), config, READ_KEYS)
    chosen = agents_for(table, cls, sme, counted)
    need_rule_columns(table, config, rows=chosen.rows if cls or sme else None)
    # A past `end`: the access columns as they were then (services.replay), as the evening
    # report's KPI section reads them.
    # An agent on two sheets (a copy of the tab) is one agent: counted once, said.
    once = count_agents_once(chosen.rows, table.path.name, "esp report kpi", among=table.rows())
    rows = rows_as_of(table, config, end, once)
    figures = kpis_of(table, rows, config, cal, start, end)
    waiting = chosen.counted_in(counted, rows)
    return KpiReport.of(
        table.path,
        figures,
        rule_findings(table),
        scope_words(None if cls is None else class_shown(cls), chosen.sme),
        waiting,
    )

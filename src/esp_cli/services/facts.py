"""From the tracker and esp.toml to what the rules take: AgentFacts and a BusinessCalendar.

The rules (rules.py) know nothing of workbooks or configuration; every command that applies
them goes through these two functions, so a column the rules use is read the same way
everywhere.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig, HolidaySource
from esp_cli.core.rules import AgentFacts
from esp_cli.services.holidays import cached_source
from esp_cli.workbook.tracker import Row

# AgentFacts' fields are named after the tracker's column keys (columns.py), so the mapping
# is by name; a test pins that every field is a known column key.
FACT_KEYS: tuple[str, ...] = tuple(f.name for f in fields(AgentFacts) if f.name != "unreadable")
_FACT_KEY_SET = frozenset(FACT_KEYS)


def facts_from_row(row: Row) -> AgentFacts:
    """The rules' view of one tracker row. A cell that could not be read stays None and its
    key goes into `unreadable`, so the rules say "cannot be read" rather than "empty"."""
    get = row.values.get
    # Positional, in the fields' order: this runs for every agent of the tracker.
    if not row.unreadable:
        args: list[Any] = [get(key) for key in FACT_KEYS]
        return AgentFacts(*args)
    unreadable = tuple(sorted(k for k in row.unreadable if k in _FACT_KEY_SET))
    args = [*(None if key in unreadable else get(key) for key in FACT_KEYS), unreadable]
    return AgentFacts(*args)


def calendar_config(config: Config) -> CalendarConfig:
    return CalendarConfig(
        country=config.country,
        subdivision=config.subdivision,
        extra_days_off=config.extra_days_off,
        working_holidays=config.working_holidays,
    )


class RememberingCalendar(BusinessCalendar):
    """The same calendar, answers remembered.

    A tracker of 10,000 agents asks the same few hundred questions (a class shares its start
    and request dates) tens of thousands of times; each answer is pure, so it is kept.
    """

    def __init__(
        self, config: CalendarConfig | None = None, source: HolidaySource | None = None
    ) -> None:
        super().__init__(config, source)
        self._clock_days: dict[tuple[date, int], date] = {}
        self._adds: dict[tuple[date, int], date] = {}
        self._elapsed: dict[tuple[date, date], int] = {}

    def clock_day(self, start: date, n: int) -> date:
        # next_business_day and first_business_day_on_or_after come through here too.
        key = (start, n)
        found = self._clock_days.get(key)
        if found is None:
            found = self._clock_days[key] = super().clock_day(start, n)
        return found

    def add(self, day: date, n: int) -> date:
        key = (day, n)
        found = self._adds.get(key)
        if found is None:
            found = self._adds[key] = super().add(day, n)
        return found

    def elapsed(self, start: date, end: date) -> int:
        key = (start, end)
        found = self._elapsed.get(key)
        if found is None:
            found = self._elapsed[key] = super().elapsed(start, end)
        return found


def calendar_from(config: Config) -> BusinessCalendar:
    """The team's business calendar from esp.toml's [calendar] table (CalendarError, a
    ConfigError, when the country or subdivision is unknown)."""
    return RememberingCalendar(calendar_config(config), cached_source())

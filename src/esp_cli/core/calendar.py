"""Business days as the team counts them: Monday–Friday less holidays (pure, no I/O).

Holidays come from the `holidays` package (default: US federal, observed dates), plus the
company's own extra days off, minus the holidays the company works — all three from the
`[calendar]` table of esp.toml.

The counts follow numpy's busday functions exactly (the tests check them against numpy), but
are computed with arithmetic on proleptic ordinals and a bisect over the sorted closed days,
so one call costs microseconds: the commands evaluate 10,000+ agents at a time.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from esp_cli.errors import ConfigError

COMPANY_DAY_OFF = "Company day off"

_ONE_DAY = timedelta(days=1)
# Load a few years around the one asked about, so a run over dates near a year boundary does
# not fetch one year at a time.
_YEAR_PAD = 2
_MIN_YEAR = date.min.year
_MAX_YEAR = date.max.year

# Where holidays come from: (country code, subdivision as typed, years) -> {date: name}.
HolidaySource = Callable[[str, str | None, range], dict[date, str]]


class CalendarError(ConfigError, ValueError):
    """The `[calendar]` configuration names a country or subdivision the holidays package
    does not know. A ValueError too, for callers that do not know esp's exception family."""


@dataclass(frozen=True)
class CalendarConfig:
    """The `[calendar]` table of esp.toml."""

    country: str = "US"
    subdivision: str | None = None
    extra_days_off: tuple[date, ...] = ()
    working_holidays: tuple[date, ...] = ()
    # The team's clock ([calendar] timezone, else the machine's zone): the tracker's times are
    # its wall-clock times, and clock hours are the real time that passes between two of
    # them, a daylight-saving switch counted (elapsed). None: their plain difference.
    zone: tzinfo | None = None


def elapsed(start: datetime, end: datetime, zone: tzinfo | None) -> timedelta:
    """The real time from `start` to `end`, two wall-clock times on the clock of `zone`
    (2:00 a.m. comes twice on the night the clocks go back, never on the night they go
    forward); their plain difference without a zone, or when either carries its own."""
    if zone is None or start.tzinfo is not None or end.tzinfo is not None:
        return end - start
    # Aware times of one tzinfo subtract as wall-clock times: through UTC, the real time.
    return _utc(end, zone) - _utc(start, zone)


def wall_after(start: datetime, span: timedelta, zone: tzinfo | None) -> datetime:
    """The wall-clock time on the clock of `zone` when `span` of real time has passed since
    the wall-clock time `start` (see elapsed)."""
    if zone is None or start.tzinfo is not None:
        return start + span
    return (_utc(start, zone) + span).astimezone(zone).replace(tzinfo=None)


def _utc(wall: datetime, zone: tzinfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _weekdays_before(ordinal: int) -> int:
    """How many Monday–Friday days have a smaller proleptic ordinal.

    Ordinal 1 (0001-01-01) is a Monday, so whole weeks contribute 5 and the remainder of a
    partial week contributes at most 5.
    """
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def _weekday_ordinal(rank: int) -> int:
    """The ordinal of the weekday with `rank` weekdays before it (inverse of the above)."""
    weeks, rest = divmod(rank, 5)
    return 1 + weeks * 7 + rest


class BusinessCalendar:
    """Monday–Friday, less the configured holidays and extra days off, plus worked holidays.

    Holidays are loaded for explicit years and the range grows whenever a date outside it is
    used (an argument or a result), so a count is never made against a silently empty year.
    """

    def __init__(
        self, config: CalendarConfig | None = None, source: HolidaySource | None = None
    ) -> None:
        self.config = config if config is not None else CalendarConfig()
        self._source = source if source is not None else package_holidays
        self._country = self.config.country.strip().upper()
        self._subdivision = (self.config.subdivision or "").strip() or None
        self._extra_days_off = frozenset(self.config.extra_days_off)
        self._working_holidays = frozenset(self.config.working_holidays)
        self._first_year: int | None = None
        self._last_year: int | None = None
        # Only weekday closures matter to the counts: a holiday on a weekend closes nothing.
        self._names: dict[int, str] = {}  # ordinal -> holiday name
        self._closed_ordinals: list[int] = []  # sorted
        self._closed_ranks: list[int] = []  # the same days as weekday ranks, sorted
        # Fail now, at start-up, rather than halfway through a report.
        self._fetch(range(0))
        self._add_extra_days_off()

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.config!r})"

    # -- loading ---------------------------------------------------------------------------

    def _fetch(self, years: range) -> dict[date, str]:
        """The holidays for `years`, or a CalendarError that says how to fix it."""
        return self._source(self._country, self._subdivision, years)

    def _add_extra_days_off(self) -> None:
        for day in self._extra_days_off:
            self._close(day, COMPANY_DAY_OFF)
        self._reindex()

    def _close(self, day: date, name: str) -> None:
        # Worked holidays are subtracted last: (package holidays + extra days off) - worked.
        # A holiday keeps its own name when the company lists the day off too.
        if day.weekday() < 5 and day not in self._working_holidays:
            known = self._names.get(day.toordinal())
            if known is None or known == COMPANY_DAY_OFF:
                self._names[day.toordinal()] = name

    def _reindex(self) -> None:
        self._closed_ordinals = sorted(self._names)
        self._closed_ranks = [_weekdays_before(o) for o in self._closed_ordinals]

    def _cover(self, *days: date) -> None:
        """Make sure the package's holidays are loaded for every year of `days`."""
        low = min(d.year for d in days)
        high = max(d.year for d in days)
        first, last = self._first_year, self._last_year
        if first is not None and last is not None and first <= low and high <= last:
            return
        want_first = max(_MIN_YEAR, low - _YEAR_PAD)
        want_last = min(_MAX_YEAR, high + _YEAR_PAD)
        if first is None or last is None:
            missing = [range(want_first, want_last + 1)]
            first, last = want_first, want_last
        else:
            missing = [range(want_first, first), range(last + 1, want_last + 1)]
            first, last = min(first, want_first), max(last, want_last)
        for years in missing:
            if years:
                for day, name in self._fetch(years).items():
                    self._close(day, name)
        self._first_year, self._last_year = first, last
        self._reindex()

    # -- ranks: business days strictly before a date -----------------------------------------

    def _rank(self, day: date) -> int:
        weekdays = _weekdays_before(day.toordinal())
        return weekdays - bisect.bisect_left(self._closed_ranks, weekdays)

    def _business_day_at(self, rank: int) -> date:
        """The business day with exactly `rank` business days before it.

        It is the rank-th weekday rank that is not closed: w = rank + #(closed <= w). Iterating
        from w = rank climbs monotonically to the smallest solution, which is that day; it
        takes one step per batch of closures crossed, so a few steps at most.
        """
        weekday_rank = rank
        while True:
            nxt = rank + bisect.bisect_right(self._closed_ranks, weekday_rank)
            if nxt == weekday_rank:
                return date.fromordinal(_weekday_ordinal(weekday_rank))
            weekday_rank = nxt

    def _resolve(self, rank_of: Callable[[], int]) -> date:
        """A result from a rank, re-computed if the result lands outside the loaded years."""
        while True:
            result = self._business_day_at(rank_of())
            before = (self._first_year, self._last_year)
            self._cover(result)
            if (self._first_year, self._last_year) == before:
                return result

    # -- public API ---------------------------------------------------------------------------

    def is_business_day(self, day: date) -> bool:
        self._cover(day)
        return day.weekday() < 5 and day.toordinal() not in self._names

    def why_closed(self, day: date) -> str | None:
        """Why `day` is not a business day ("a Saturday", "Thanksgiving Day", "a company
        day off"); None when it is one."""
        if day.weekday() >= 5:
            return f"a {day:%A}"
        self._cover(day)
        name = self._names.get(day.toordinal())
        if name is None:
            return None
        return "a company day off" if name == COMPANY_DAY_OFF else name

    def company_days_off(self) -> list[date]:
        """The company's own days off that close a business day: on a weekday, not a
        holiday already, not a holiday it works (a Saturday or Thanksgiving listed too
        closes nothing more)."""
        return [d for d in sorted(self._extra_days_off) if self._closes(d, worked=False)]

    def holidays_worked(self) -> list[date]:
        """The holidays the company works that open a day: a weekday holiday of the
        package's (a day listed both as worked and as off is worked)."""
        return [d for d in sorted(self._working_holidays) if self._closes(d, worked=True)]

    def idle_entries(self) -> list[tuple[str, str]]:
        """The `[calendar]` entries that change no business day, each as (key, why), the
        why saying what the entry probably meant: a worked holiday typed on its weekend
        date while the observed weekday stays closed, a worked "holiday" that is no holiday,
        a day off that is a weekend or a holiday already. Nothing here changes a count."""
        out: list[tuple[str, str]] = []
        for day in sorted(self._working_holidays):
            if self._closes(day, worked=True):
                continue
            if day in self._extra_days_off and day.weekday() < 5:
                continue  # a weekday listed in both is worked: the day off's line says so
            out.append(("company_workdays", self._not_closed(day, worked=True)))
        for day in sorted(self._extra_days_off):
            if self._closes(day, worked=False):
                continue
            if day in self._working_holidays and day.weekday() < 5:
                why = f"{day.isoformat()} is in company_workdays too: the day is worked"
            else:
                why = self._not_closed(day, worked=False)
            out.append(("company_days_off", why))
        return out

    def _not_closed(self, day: date, *, worked: bool) -> str:
        """Why a company entry for `day` changes nothing, and the day it probably meant."""
        year = self._fetch(range(day.year - 1, day.year + 2))
        name = year.get(day)
        shown = f"{day.isoformat()} is a {day:%A}" if day.weekday() >= 5 else day.isoformat()
        if worked:
            if name and day.weekday() >= 5:
                what = f"{shown} ({name}), never a business day"
                meant = _observed_day(year, day, name)
            elif day.weekday() >= 5:
                what, meant = f"{shown}, never a business day", None
            else:
                what = f"{shown} is no {self._country} holiday, a business day already"
                near = sorted(
                    (abs((d - day).days), d)
                    for d in year
                    if d != day and d.weekday() < 5 and abs((d - day).days) <= 3
                )
                meant = near[0][1] if near else None
            if meant is not None and meant in self._working_holidays:
                listed = f"{meant:%a %m/%d/%Y} ({year[meant]})"
                return f"{what}; {listed} is in company_workdays already: the entry is redundant"
            if meant is not None and name and day.weekday() >= 5:
                return (
                    f"{what}; the holiday is observed on {meant:%a %m/%d/%Y} — did you mean "
                    "that day?"
                )
            if meant is not None:
                return f"{what}; {meant:%a %m/%d/%Y} is {year[meant]} — did you mean that day?"
            return f"{what}: working it opens nothing"
        if day.weekday() >= 5:
            return f"{shown}, not a business day already: it closes nothing"
        return f"{shown} is {name} already: it closes nothing more"

    def _closes(self, day: date, *, worked: bool) -> bool:
        if day.weekday() >= 5:
            return False
        holiday = day in self._fetch(range(day.year, day.year + 1))
        return holiday if worked else not holiday and day not in self._working_holidays

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """The weekdays from `start` to `end` (both included) that are closed, with their
        names (a company day off is named COMPANY_DAY_OFF). Holidays that fall on a weekend
        close nothing and are not listed; worked holidays are not listed."""
        if end < start:
            return []
        self._cover(start, end)
        low = bisect.bisect_left(self._closed_ordinals, start.toordinal())
        high = bisect.bisect_right(self._closed_ordinals, end.toordinal())
        return [(date.fromordinal(o), self._names[o]) for o in self._closed_ordinals[low:high]]

    def elapsed(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`.

        numpy: busday_count(start + 1 day, end + 1 day) when end >= start. When end < start
        it is -elapsed(end, start), the business days still to go: "due Monday, seen the
        Friday before" is -1. (numpy's own backwards count shifts its window by a day and
        would say -2.)
        """
        after_start, after_end = start + _ONE_DAY, end + _ONE_DAY
        self._cover(after_start, after_end)
        return self._rank(after_end) - self._rank(after_start)

    def add(self, day: date, n: int) -> date:
        """The first date on which n business days have passed since an event on `day`.

        numpy: busday_offset(day, n, roll="backward") — an event on a weekend or holiday
        counts from the business day before it.
        """
        self._cover(day)

        def rank() -> int:
            base = self._rank(day)
            if not self.is_business_day(day):
                base -= 1
            return base + n

        return self._resolve(rank)

    def clock_day(self, start: date, n: int) -> date:
        """Day n of a clock that starts on the first business day on or after `start`
        (day 0 is that first business day). numpy: busday_offset(start, n, roll="forward")."""
        self._cover(start)
        return self._resolve(lambda: self._rank(start) + n)

    def first_business_day_on_or_after(self, day: date) -> date:
        return self.clock_day(day, 0)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.clock_day(day + _ONE_DAY, 0)


def package_holidays(country: str, subdivision: str | None, years: range) -> dict[date, str]:
    """The holidays package's holidays (observed dates) for a country, a subdivision typed
    in any case ("ca" for "CA"), and `years`; a CalendarError names a code it does not know."""
    package = _holidays()
    # The one country's class, not list_supported_countries(), which loads all 250 of them.
    entity = getattr(package, country, None) if country.isalpha() else None
    spelling = subdivision
    if subdivision:
        known = getattr(entity, "subdivisions", ())
        spelling = next((s for s in known if s.casefold() == subdivision.casefold()), subdivision)
    try:
        found = package.country_holidays(country, subdiv=spelling, years=years, expand=False)
    except (NotImplementedError, TypeError) as exc:
        # TypeError: a code that names one of the package's constants (MON, JAN).
        raise _config_error(country, subdivision) from exc
    return dict(found.items())


def _config_error(country: str, subdivision: str | None) -> CalendarError:
    supported = _holidays().list_supported_countries()
    if country not in supported:
        return CalendarError(
            f'Unknown holiday calendar country "{country}" in [calendar] '
            "(expected a country code the holidays package knows, such as US, CA or GB).",
            fix='set [calendar] country = "US" in esp.toml',
        )
    known = ", ".join(sorted(supported[country]))
    return CalendarError(
        f'Unknown holiday calendar subdivision "{subdivision}" for country '
        f"{country} in [calendar] (known: {known}).",
        fix='set [calendar] country = "US" and remove subdivision (or use a known one) in esp.toml',
    )


def _holidays() -> Any:
    """The holidays package, imported on first use: it is the slowest import esp has, and
    `esp --help` should not pay for it."""
    import holidays

    return holidays


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


def _observed_day(year: dict[date, str], day: date, name: str) -> date | None:
    """The weekday the holidays package observes the weekend holiday(s) `name` of `day` on:
    its own observed entry for that holiday ('Boxing Day (observed)', named after it), within
    3 days; None when it lists none (a holiday not observed on a weekday)."""
    own = [part.strip() for part in name.split(";")]
    found = sorted(
        (abs((d - day).days), d)
        for d, named in year.items()
        if d != day
        and d.weekday() < 5
        and abs((d - day).days) <= 3
        and any(
            part.strip() != holiday and holiday in part
            for part in named.split(";")
            for holiday in own
        )
    )
    return found[0][1] if found else None

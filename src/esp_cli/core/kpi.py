"""Leadership KPIs: how the program is doing over a period, per class and for all (pure).

For a period [from, to], docs/rules.md (Leadership KPIs) defines every figure; this module
computes them from the agents' facts and the team's calendar, through the rules themselves
(`rules.clock_start`, `rules.complete_from`, `rules.evaluate` as of `to` and
`rules.behind_target_on` for each day replayed), so a KPI never disagrees with what
`esp escalations --as-of` says about the same day.

- **As of `to`**: agents whose clock has started, complete, open, behind target, the pending
  ladder step that is due by step, and SPOC cases open with the oldest one's age.
- **Completed in the period**: dated completions within [from, to], with business days to
  complete (elapsed(clock start, completion) + 1), on time (at most 2), the median and the
  90th percentile (nearest rank).
- **Trend**: each business day of the period replayed: open, completed that day (a
  completion on a weekend or holiday counts on the next business day), behind target.

A complete agent without both completion dates, or whose completion is dated before the
clock start, counts as complete but in no day figure, and is a finding naming the cell.
Only agents whose clock has started count anywhere; one without a readable ESP Start Date
is a finding too (the figures cannot place the agent).

Choices made where the definitions are silent (each kept in one place below):

- An agent whose Complete? cell cannot be read is open (it is not known to be complete, as
  in the evening report). When the other flag is readable and not yes, the agent is not
  complete either way and counts in every figure as any open agent; when it is yes, the
  agent may be complete: not behind target, in no step due (the rules claim nothing of
  such an agent), and a finding says so.
- A rate is the unrounded fraction (a percentage shown is rounded once, from the counts,
  as Excel shows the rate: core/figures); the median is a number (1.5
  when the middle two differ); a figure with nothing to compute is None.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import BY_KEY
from esp_cli.core.model import SPOC_ISSUES, SPOC_PHONE, AgentRef, class_aside
from esp_cli.core.refs import address, quote_sheet
from esp_cli.core.rules import (
    FORMULA_WITHOUT_RESULT,
    LADDER,
    TARGET_CLOCK_DAY,
    AgentFacts,
    Evaluation,
    Step,
    as_of,
    behind_target_on,
    clock_start,
    complete_from,
    completion_unknown,
    evaluate,
    fmt,
    fmt_day,
    why_missing,
)
from esp_cli.core.shape import as_json, exported

# The default period: this many business days, up to and including `to`.
PERIOD_BUSINESS_DAYS = 10
# On time: done within this many business days, the first day counting 1 (the seed's "no
# more than 2 days"; an agent still open on clock day 2 is behind target).
ON_TIME_DAYS = TARGET_CLOCK_DAY
# The 90th percentile by nearest rank: the ceil(9n/10)-th smallest, in whole numbers.
PERCENTILE_NUMERATOR, PERCENTILE_DENOMINATOR = 9, 10
OVERALL = "All"  # the overall row's class (CSV "one row per class plus All")
# Timeboxes play no part in a KPI; a replayed day is measured at its end, as --as-of does.
_END_OF_DAY = time(23, 59)


def default_period(cal: BusinessCalendar, to: date) -> tuple[date, date]:
    """The PERIOD_BUSINESS_DAYS business days up to `to` (up to the business day before it,
    when `to` is a weekend or holiday): numpy busday_offset(to, -9, roll="backward")."""
    return cal.add(to, -(PERIOD_BUSINESS_DAYS - 1)), to


def business_days(cal: BusinessCalendar, start: date, end: date) -> list[date]:
    """The business days from `start` to `end`, both included."""
    out: list[date] = []
    day = cal.first_business_day_on_or_after(start)
    while day <= end:
        out.append(day)
        day = cal.next_business_day(day)
    return out


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` as a fraction from 0 to 1, unrounded (the float nearest the exact
    quotient): rounded once, where it is shown — by esp (core/figures) or by the workbook's
    `0.0%` — never twice (501 of 1001, stored 0.5005, would show 50.1%)."""
    return part / whole if whole else None


def median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def nearest_rank_p90(values: Sequence[int]) -> int | None:
    """The ceil(0.9 n)-th smallest value (integer arithmetic: 0.9 * 70 is not 63 in floats)."""
    if not values:
        return None
    rank = -(-PERCENTILE_NUMERATOR * len(values) // PERCENTILE_DENOMINATOR)
    return sorted(values)[rank - 1]


# -- what goes in --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiAgent:
    """One agent as the KPIs need it: who and where (`who` makes it: only the few agents a
    finding names need it), the facts, the class it counts under (one spelling per class)
    and the sheet's columns (key -> 1-based), to name cells."""

    who: Callable[[], AgentRef]
    facts: AgentFacts
    cls: str
    columns: Mapping[str, int]

    @property
    def ref(self) -> AgentRef:
        return self.who()


# -- what comes out ------------------------------------------------------------------------------


@dataclass
class StageCounts:
    """Incomplete agents whose pending ladder step is due (on or before the day), by step."""

    coaching: int = 0
    written_cap: int = 0
    final_cap: int = 0
    term_review: int = 0

    def count(self, step: Step) -> int:
        value = getattr(self, step.value)
        assert isinstance(value, int)
        return value

    def bump(self, step: Step) -> None:
        setattr(self, step.value, self.count(step) + 1)

    def add(self, other: StageCounts) -> None:
        for step in LADDER:
            setattr(self, step.value, self.count(step) + other.count(step))

    @property
    def total(self) -> int:
        return sum(self.count(step) for step in LADDER)


@dataclass
class KpiFigures:
    """The KPIs of one class (or, as the overall figures, of every class)."""

    cls: str = field(metadata=as_json(key="class"))
    agents: int = 0  # clock started on or before `to`
    complete: int = 0  # as of `to`
    behind_target: int = field(default=0, metadata=as_json(after="open"))  # as of `to`
    completed_in_period: int = 0  # dated completions within [from, to]
    on_time: int = 0  # of those, done within ON_TIME_DAYS business days
    overdue_by_stage: StageCounts = field(
        default_factory=StageCounts, metadata=as_json(after="p90_days_to_complete")
    )
    spoc_open: int = 0
    spoc_oldest_days: int | None = None  # elapsed(SPOC Called Date, to) of the oldest case
    # Business days to complete of each completion in the period.
    days_to_complete: list[int] = field(default_factory=list, metadata=as_json(hidden=True))

    @property
    @exported(after="complete")
    def completion_rate(self) -> float | None:
        return rate(self.complete, self.agents)

    @property
    @exported(after="completion_rate")
    def open(self) -> int:
        return self.agents - self.complete

    @property
    @exported(after="on_time")
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.completed_in_period)

    @property
    @exported(after="on_time_rate")
    def median_days_to_complete(self) -> float | None:
        return median(self.days_to_complete)

    @property
    @exported(after="median_days_to_complete")
    def p90_days_to_complete(self) -> int | None:
        return nearest_rank_p90(self.days_to_complete)

    def add(self, other: KpiFigures) -> None:
        self.agents += other.agents
        self.complete += other.complete
        self.behind_target += other.behind_target
        self.completed_in_period += other.completed_in_period
        self.on_time += other.on_time
        self.overdue_by_stage.add(other.overdue_by_stage)
        self.spoc_open += other.spoc_open
        ages = [a for a in (self.spoc_oldest_days, other.spoc_oldest_days) if a is not None]
        self.spoc_oldest_days = max(ages, default=None)
        self.days_to_complete += other.days_to_complete


@dataclass
class TrendDay:
    """One business day of the period, replayed as of that day."""

    day: date = field(metadata=as_json(key="date"))
    open: int = 0
    completed: int = 0  # completions dated that day (or on the weekend/holiday before it)
    behind_target: int = 0


class FindingKind(StrEnum):
    """Stable names (JSON) of what keeps an agent out of a figure."""

    UNDATED = "undated_completion"
    BEFORE_START = "completion_before_start"
    NO_CLOCK = "no_clock_start"
    UNSURE = "unreadable_completion"


@dataclass(frozen=True)
class KpiFinding:
    """An agent the figures leave out (in part or whole), naming the cell to correct."""

    agent: str
    cls: str = field(metadata=as_json(key="class"))
    cell: str  # 'ESP Tracker'!N5; the sheet and row alone when the column is missing
    kind: FindingKind
    message: str

    def __str__(self) -> str:
        return f"{self.cell} ({self.agent}, {class_aside(self.cls)}): {self.message}"


@dataclass
class Kpis:
    """The figures of a period: per class (in the order given), overall, the trend."""

    start: date
    end: date
    overall: KpiFigures
    classes: list[KpiFigures]
    trend: list[TrendDay]
    findings: list[KpiFinding]
    # Why the trend's completions and the period's differ (a completion dated on a weekend
    # or holiday is on the trend's next business day): dated before `start`, on the trend's
    # first day; dated within the period but after its last business day, on no trend day.
    trend_before: int = 0
    after_trend: int = 0


# -- the computation -----------------------------------------------------------------------------


def _cell(agent: KpiAgent, key: str) -> str:
    col = agent.columns.get(key)
    if col is None:
        return f"{quote_sheet(agent.ref.sheet)}!row {agent.ref.row}"
    return address(agent.ref.sheet, agent.ref.row, col)


def _header(key: str) -> str:
    return BY_KEY[key].header


def _finding(agent: KpiAgent, key: str, kind: FindingKind, message: str) -> KpiFinding:
    return KpiFinding(agent.ref.name, agent.cls, _cell(agent, key), kind, message)


def _no_clock(agent: KpiAgent) -> KpiFinding:
    why = why_missing("esp_start", agent.facts.unreadable, agent.facts.uncalculated)
    return _finding(
        agent,
        "esp_start",
        FindingKind.NO_CLOCK,
        f"{_header('esp_start')} {why}: the clock has not started, so the agent is in no figure.",
    )


def _undated(agent: KpiAgent) -> KpiFinding:
    f = agent.facts
    missing = [k for k in ("call_cert_date", "tbt_complete_date") if getattr(f, k) is None]
    # A cell holding #N/A or text that is no date is not empty: said as such (as _no_clock).
    # So is a formula whose result is not saved in the file.
    empty = [_header(k) for k in missing if k not in f.unreadable and k not in f.uncalculated]
    unread = [_header(k) for k in missing if k in f.unreadable and k not in f.uncalculated]
    formulas = [_header(k) for k in missing if k in f.uncalculated]
    why = [f"{' and '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty"] if empty else []
    why += [f"{' and '.join(unread)} cannot be read"] if unread else []
    if formulas:
        holds = "each " if len(formulas) > 1 else ""
        why += [
            f"{' and '.join(formulas)} {holds}{FORMULA_WITHOUT_RESULT} (open the tracker in "
            "Excel and save it)"
        ]
    return _finding(
        agent,
        missing[0],
        FindingKind.UNDATED,
        f"complete, but {' and '.join(why)}: counted as complete, left out of the "
        "days-to-complete figures and the trend's completions.",
    )


def _unsure(agent: KpiAgent, why: str) -> KpiFinding:
    """An open agent who may be complete (rules.completion_unknown says `why`)."""
    unread = [k for k in ("call_cert_complete", "tbts_complete") if k in agent.facts.unreadable]
    other = {"call_cert_complete": "tbts_complete", "tbts_complete": "call_cert_complete"}
    said = why if len(unread) > 1 else f"{why} and {_header(other[unread[0]])} is yes"
    return _finding(
        agent,
        unread[0],
        FindingKind.UNSURE,
        f"{said}: the agent may be complete — counted as open, left out of behind target, "
        "the steps due and the trend's behind target.",
    )


def _before_start(agent: KpiAgent, done: date, start: date) -> KpiFinding:
    f = agent.facts
    key = "tbt_complete_date" if f.tbt_complete_date == done else "call_cert_date"
    return _finding(
        agent,
        key,
        FindingKind.BEFORE_START,
        f"completed {fmt(done)} ({_header(key)}), before the clock started on "
        f"{fmt_day(start)}: counted as complete, left out of the period's completions and "
        "of every day figure.",
    )


def kpis(
    agents: Iterable[KpiAgent],
    start: date,
    end: date,
    cal: BusinessCalendar,
    *,
    spoc_phone: str = SPOC_PHONE,
    classes: Sequence[str] = (),
) -> Kpis:
    """The KPIs of [start, end] for `agents`. Classes are listed in the order of `classes`
    and then in the order their first agent comes; a class of `classes` with no agent whose
    clock has started is listed with zeros (and None where nothing can be computed)."""
    if start > end:
        raise ValueError(f"the period starts {start} after it ends {end}")
    figures: dict[str, KpiFigures] = {name: KpiFigures(name) for name in classes}
    days = business_days(cal, start, end)
    trend = {day: TrendDay(day) for day in days}
    findings: list[KpiFinding] = []
    trend_before = after_trend = 0
    for agent in agents:
        fig = figures.get(agent.cls)
        if fig is None:
            fig = figures[agent.cls] = KpiFigures(agent.cls)
        began = clock_start(agent.facts, cal)
        if began is None:
            findings.append(_no_clock(agent))
            continue
        if began > end:
            continue  # not started by `to`: in no figure
        fig.agents += 1
        done = complete_from(agent.facts)
        f = agent.facts
        dated = (
            done is not None and f.call_cert_date is not None and f.tbt_complete_date is not None
        )
        counted = dated and done is not None and done >= began  # a completion with a day
        if done is not None and done <= end:
            fig.complete += 1
            if not dated:
                findings.append(_undated(agent))
            elif done < began:
                findings.append(_before_start(agent, done, began))
            elif done >= start:
                days_taken = cal.elapsed(began, done) + 1
                fig.completed_in_period += 1
                fig.on_time += days_taken <= ON_TIME_DAYS
                fig.days_to_complete.append(days_taken)
        else:
            ev = evaluate(f, end, datetime.combine(end, _END_OF_DAY), cal, spoc_phone=spoc_phone)
            _as_of_end(fig, ev, f, end, cal)
            unsure = completion_unknown(as_of(f, end)[0]) if f.unreadable else None
            if unsure is not None:
                findings.append(_unsure(agent, unsure))
        if counted and done is not None:
            shown = trend.get(cal.first_business_day_on_or_after(done))
            if shown is not None:
                shown.completed += 1
                trend_before += done < start
            elif start <= done <= end:
                after_trend += 1
        if done is not None and days and done <= days[0]:
            continue  # complete before the trend's first day: open on none of its days
        for day in days:
            if day < began or (done is not None and done <= day):
                continue  # not started yet, or complete that day
            point = trend[day]
            point.open += 1
            # The one figure a trend day counts: the rest of the evaluation is not made.
            point.behind_target += behind_target_on(f, day, cal)
    classes_out = list(figures.values())
    overall = KpiFigures(OVERALL)
    for fig in classes_out:
        overall.add(fig)
    return Kpis(
        start, end, overall, classes_out, list(trend.values()), findings, trend_before, after_trend
    )


def _as_of_end(
    fig: KpiFigures, ev: Evaluation, facts: AgentFacts, end: date, cal: BusinessCalendar
) -> None:
    """An agent open on `end`: behind target, the ladder step due, a SPOC case."""
    fig.behind_target += ev.behind_target
    if ev.pending_step is not None and ev.pending_due is not None and ev.pending_due <= end:
        fig.overdue_by_stage.bump(ev.pending_step)
    called = facts.spoc_called
    if ev.access_issue in SPOC_ISSUES and called is not None and called <= end:
        fig.spoc_open += 1
        age = cal.elapsed(called, end)
        if fig.spoc_oldest_days is None or age > fig.spoc_oldest_days:
            fig.spoc_oldest_days = age

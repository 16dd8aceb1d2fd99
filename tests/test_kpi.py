"""Leadership KPIs (esp report kpi): every figure against an independent computation with
numpy's busday functions, on generated agents (hypothesis) and on trackers with holidays,
weekends, undated completions, completions before the start, replayed dates, empty classes
and a period with no completion; then the command's JSON, CSV, table and workbook."""

from __future__ import annotations

import io
import json
import math
import struct
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from functools import cache, partial
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig
from esp_cli.core.figures import rounded
from esp_cli.core.kpi import KpiAgent, TrendDay, default_period, kpis, nearest_rank_p90
from esp_cli.core.model import AgentRef
from esp_cli.core.rules import AgentFacts, complete_from, done_by
from esp_cli.render import plain
from tests import factories
from tests.support.libreoffice import convert_all_sheets
from tests.support.marks import needs_schemas, needs_soffice
from tests.support.ooxml import validate_package
from tests.support.processes import DEADLINE_SECONDS

ONE_DAY = timedelta(days=1)
SPOC_ISSUES = {"password reset", "no citrix apps showing", "learning hub issue"}
STEPS = ("coaching", "written_cap", "final_cap", "term_review")
FIGURE_KEYS = (
    "agents", "complete", "completion_rate", "open", "behind_target", "completed_in_period",
    "on_time", "on_time_rate", "median_days_to_complete", "p90_days_to_complete",
    "overdue_by_stage", "spoc_open", "spoc_oldest_days",
)  # fmt: skip


# -- the independent reference: docs/rules.md's definitions, with numpy's busday functions ------


def d64(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def py(d: np.datetime64) -> date:
    out = d.astype(object)
    assert isinstance(out, date)
    return out


class Numpy:
    """The business-day counts of docs/rules.md, each one numpy call."""

    def __init__(self, closed: Sequence[date]) -> None:
        self.hol = np.array(sorted(closed), dtype="datetime64[D]")

    def clock_day(self, start: date, n: int) -> date:
        return py(np.busday_offset(d64(start), n, roll="forward", holidays=self.hol))

    def elapsed(self, a: date, b: date) -> int:
        assert b >= a
        return int(np.busday_count(d64(a + ONE_DAY), d64(b + ONE_DAY), holidays=self.hol))

    def next_business_day(self, day: date) -> date:
        return self.clock_day(day + ONE_DAY, 0)

    def business_days(self, a: date, b: date) -> list[date]:
        span = np.arange(d64(a), d64(b + ONE_DAY))
        return [py(d) for d in span[np.is_busday(span, holidays=self.hol)]]

    def ten_days_up_to(self, day: date) -> date:
        return py(np.busday_offset(d64(day), -9, roll="backward", holidays=self.hol))


def complete_on(f: AgentFacts, day: date) -> bool:
    dated = (f.call_cert_date, f.tbt_complete_date)
    return (
        f.call_cert_complete is True
        and f.tbts_complete is True
        and all(d is None or d <= day for d in dated)
    )


def may_be_complete(f: AgentFacts, day: date) -> bool:
    """A Complete? cell that cannot be read, and every readable one yes on `day` (complete
    is both yes: one readable and not yes settles it, whatever the other holds)."""
    flags = (
        ("call_cert_complete", f.call_cert_complete, f.call_cert_date),
        ("tbts_complete", f.tbts_complete, f.tbt_complete_date),
    )
    unread = [k for k, _, _ in flags if k in f.unreadable]
    return bool(unread) and all(
        k in f.unreadable or (flag is True and (d is None or d <= day)) for k, flag, d in flags
    )


def due_step(f: AgentFacts, start: date, day: date, np_: Numpy) -> str | None:
    """The ladder step due on `day` (docs/rules.md): the first without a date from the clock
    `start` (or the step before it) up to `day`; the coaching on clock day 3, a later step
    the business day after the one before."""
    if any(f"{s}_date" in f.unreadable for s in STEPS):
        return None
    recorded = [getattr(f, f"{s}_date") for s in STEPS]
    floor, counted = start, []
    for d in recorded:
        if d is None or not floor <= d <= day:
            break
        counted.append(floor := d)
    if len(counted) == len(STEPS):
        return None
    i = len(counted)
    previous = counted[i - 1] if i else None
    due = np_.clock_day(start, 3) if previous is None else np_.next_business_day(previous)
    return STEPS[i] if due <= day else None


def p90(values: list[int]) -> int | None:
    if not values:
        return None
    return sorted(values)[math.ceil(Fraction(9, 10) * len(values)) - 1]


def rate(a: int, b: int) -> float | None:
    return a / b if b else None  # unrounded, as the workbook stores it


def reference(
    agents: Sequence[tuple[str, AgentFacts]],
    start: date,
    end: date,
    np_: Numpy,
    classes: Sequence[str] = (),
) -> dict[str, Any]:
    """Every figure, from the definitions, in the JSON's shape (without "findings" cells)."""
    names = list(classes)
    for cls, _ in agents:
        if cls not in names:
            names.append(cls)
    per: dict[str, dict[str, Any]] = {
        c: {"agents": 0, "complete": 0, "behind_target": 0, "days": [], "on_time": 0,
            "stages": dict.fromkeys(STEPS, 0), "spoc": []}
        for c in names
    }  # fmt: skip
    days = np_.business_days(start, end)
    trend = {
        d: {"date": d.isoformat(), "open": 0, "completed": 0, "behind_target": 0} for d in days
    }
    findings: list[str] = []
    for cls, f in agents:
        if f.esp_start is None or "esp_start" in f.unreadable:
            findings.append("no_clock_start")
            continue
        began = np_.clock_day(f.esp_start, 0)
        if began > end:
            continue
        fig = per[cls]
        fig["agents"] += 1
        both_yes = f.call_cert_complete is True and f.tbts_complete is True
        dated = both_yes and f.call_cert_date is not None and f.tbt_complete_date is not None
        done = max(f.call_cert_date, f.tbt_complete_date) if dated else None  # type: ignore[type-var]
        target = np_.clock_day(began, 2)
        if complete_on(f, end):
            fig["complete"] += 1
            if not dated:
                findings.append("undated_completion")
            elif done is not None and done < began:
                findings.append("completion_before_start")
            elif done is not None and start <= done:
                taken = np_.elapsed(began, done) + 1
                fig["days"].append(taken)
                fig["on_time"] += taken <= 2
        else:
            readable = not may_be_complete(f, end)
            if not readable:
                findings.append("unreadable_completion")
            fig["behind_target"] += readable and end >= target
            step = due_step(f, began, end, np_) if readable else None
            if step:
                fig["stages"][step] += 1
            access = " ".join((f.citrix_access or "").split()).casefold()
            if access in SPOC_ISSUES and f.spoc_called is not None and f.spoc_called <= end:
                fig["spoc"].append(np_.elapsed(f.spoc_called, end))
        if done is not None and done >= began:
            on = np_.clock_day(done, 0)
            if on in trend:
                trend[on]["completed"] += 1
        for day in days:
            if day < began or complete_on(f, day):
                continue
            trend[day]["open"] += 1
            readable = not may_be_complete(f, day)
            trend[day]["behind_target"] += readable and day >= target

    def figures(fig: dict[str, Any]) -> dict[str, Any]:
        days_taken = fig["days"]
        return {
            "agents": fig["agents"],
            "complete": fig["complete"],
            "completion_rate": rate(fig["complete"], fig["agents"]),
            "open": fig["agents"] - fig["complete"],
            "behind_target": fig["behind_target"],
            "completed_in_period": len(days_taken),
            "on_time": fig["on_time"],
            "on_time_rate": rate(fig["on_time"], len(days_taken)),
            "median_days_to_complete": float(np.median(days_taken)) if days_taken else None,
            "p90_days_to_complete": p90(days_taken),
            "overdue_by_stage": fig["stages"],
            "spoc_open": len(fig["spoc"]),
            "spoc_oldest_days": max(fig["spoc"], default=None),
        }

    merged: dict[str, Any] = {
        "agents": 0, "complete": 0, "behind_target": 0, "days": [], "on_time": 0,
        "stages": dict.fromkeys(STEPS, 0), "spoc": [],
    }  # fmt: skip
    for fig in per.values():
        for key in ("agents", "complete", "behind_target", "on_time"):
            merged[key] += fig[key]
        merged["days"] += fig["days"]
        merged["spoc"] += fig["spoc"]
        for step in STEPS:
            merged["stages"][step] += fig["stages"][step]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "overall": figures(merged),
        "classes": [{"class": c, **figures(per[c])} for c in names],
        "trend": list(trend.values()),
        "findings": sorted(findings),
    }


def as_compared(data: dict[str, Any]) -> dict[str, Any]:
    """esp's JSON with the findings reduced to their kinds (the reference has no cells)."""
    return {**data, "findings": sorted(f["kind"] for f in data["findings"])}


# -- generated agents against the reference ------------------------------------------------------

WINDOW = (date(2026, 10, 1), date(2027, 1, 29))
FIXED_CLOSED = (date(2026, 11, 11), date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1))


def fixed_calendar(closed: Sequence[date]) -> BusinessCalendar:
    """A calendar closed exactly on `closed` (and weekends): the reference uses the same."""

    def source(country: str, subdivision: str | None, years: range) -> dict[date, str]:
        return {d: "Closed" for d in closed if d.year in years}

    return BusinessCalendar(CalendarConfig(), source)


window_dates = st.dates(*WINDOW)
maybe_date = st.one_of(st.none(), window_dates)
flag = st.sampled_from([True, True, True, False, None])
access = st.sampled_from(
    [None, "No Issues", "Password Reset", "password  reset", "No Citrix Apps Showing",
     "Learning Hub Issue", "Cannot Locate TBT", "Other"]
)  # fmt: skip


@st.composite
def agent_facts(draw: st.DrawFn) -> tuple[str, AgentFacts]:
    start = draw(st.one_of(st.none(), window_dates))
    near = st.builds(lambda k: (start or WINDOW[0]) + timedelta(days=k), st.integers(-6, 25))
    when = st.one_of(st.none(), near, near, near)
    facts = AgentFacts(
        esp_start=start,
        call_cert_complete=draw(flag),
        call_cert_date=draw(when),
        tbts_complete=draw(flag),
        tbt_complete_date=draw(when),
        citrix_access=draw(access),
        spoc_called=draw(when),
        coaching_date=draw(when),
        written_cap_date=draw(when),
        final_cap_date=draw(when),
        term_review_date=draw(when),
    )
    broken = draw(st.sampled_from([(), (), (), (), ("esp_start",), ("tbts_complete",),
                                   ("call_cert_complete",), ("coaching_date",)]))  # fmt: skip
    if broken:
        facts = facts._replace(unreadable=broken, **{broken[0]: None})
    return draw(st.sampled_from(["AET-1", "AET-2", "AET-3"])), facts


@st.composite
def periods(draw: st.DrawFn) -> tuple[date | None, date]:
    end = draw(window_dates)
    if draw(st.booleans()):
        return None, end
    return end - timedelta(days=draw(st.integers(0, 45))), end


def kpi_agents(agents: Sequence[tuple[str, AgentFacts]]) -> list[KpiAgent]:
    return [
        KpiAgent(partial(AgentRef, f"Agent {i}", cls, "ESP Tracker", i + 2, "", ""), f, cls, {})
        for i, (cls, f) in enumerate(agents)
    ]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agents=st.lists(agent_facts(), max_size=25),
    period=periods(),
    extra=st.lists(window_dates, max_size=4),
)
def test_every_figure_matches_an_independent_computation(
    agents: list[tuple[str, AgentFacts]],
    period: tuple[date | None, date],
    extra: list[date],
) -> None:
    closed = sorted({*FIXED_CLOSED, *extra})
    cal, np_ = fixed_calendar(closed), Numpy(closed)
    start, end = period
    if start is None:
        start, _ = default_period(cal, end)
        assert start == np_.ten_days_up_to(end)
    got = kpis(kpi_agents(agents), start, end, cal, classes=["AET-1", "AET-2", "AET-3", "EMPTY"])
    want = reference(agents, start, end, np_, classes=["AET-1", "AET-2", "AET-3", "EMPTY"])
    data = plain(got)
    shown = {
        "from": data["start"],
        "to": data["end"],
        "overall": {k: data["overall"][k] for k in FIGURE_KEYS},
        "classes": [
            {"class": c["class"], **{k: c[k] for k in FIGURE_KEYS}} for c in data["classes"]
        ],
        "trend": data["trend"],
        "findings": data["findings"],
    }
    assert as_compared(shown) == want


@given(facts=agent_facts().map(lambda pair: pair[1]), day=window_dates)
def test_complete_from_is_done_by_for_both_flags(facts: AgentFacts, day: date) -> None:
    done = complete_from(facts)
    both = done_by(facts.call_cert_complete, facts.call_cert_date, day) and done_by(
        facts.tbts_complete, facts.tbt_complete_date, day
    )
    assert (done is not None and done <= day) == both


@pytest.mark.parametrize("n", range(1, 101))
def test_the_90th_percentile_is_the_nearest_rank(n: int) -> None:
    values = list(range(1, n + 1))
    assert nearest_rank_p90(values) == math.ceil(Fraction(9 * n, 10))


# -- a tracker with every case, through the command ------------------------------------------------

KEYS = (
    "class", "agent_name", "esp_start", "call_cert_complete", "call_cert_date", "tbts_complete",
    "tbt_complete_date", "citrix_access", "spoc_called", "coaching_date", "written_cap_date",
    "final_cap_date", "term_review_date", "tbt_sme",
)  # fmt: skip
HEADERS = factories.headers(*KEYS)
H = dict(zip(KEYS, HEADERS, strict=True))
D = {day: date(2026, 11, day) for day in range(1, 31)} | {
    31 + day: date(2026, 12, day) for day in range(1, 32)
}
TO = D[30]  # Monday after Thanksgiving: the period is Mon 11/16 - Mon 11/30


def agent(cls: str, name: str, start: date | str | None, **cells: Any) -> dict[str, Any]:
    row = {H["class"]: cls, H["agent_name"]: name, H["esp_start"]: start}
    row |= {H[k]: v for k, v in cells.items()}
    return row


YES = {"call_cert_complete": "Yes", "tbts_complete": "Yes"}
AGENTS = [
    agent("AET-1", "Ana Ruiz", D[20], **YES, call_cert_date=D[23], tbt_complete_date=D[24],
          tbt_sme="Priya Natarajan"),
    # A weekend start: the clock starts Mon 11/23; done the next day, on time.
    agent("AET-1", "Ben Carter", date(2026, 11, 21), **YES, call_cert_date=D[24],
          tbt_complete_date=D[24]),
    # Done on a Saturday: 4 business days (Thanksgiving skipped); on the trend, Monday 11/30.
    agent("AET-1", "Cara Diaz", D[23], **YES, call_cert_date=D[25],
          tbt_complete_date=date(2026, 11, 28), tbt_sme="Priya Natarajan"),
    # Undated: no Call Cert Complete Date.
    agent("AET-1", "Dev Patel", D[17], **YES, tbt_complete_date=D[19]),
    agent("AET-1", "Eve Long", D[20], **YES, call_cert_date=D[18], tbt_complete_date=D[18]),
    # Open; written CAP recorded after --to: still due; a SPOC case called 4 business days ago.
    agent("AET-1", "Finn Roy", D[20], call_cert_complete="No", tbts_complete="No",
          coaching_date=D[25], written_cap_date=D[32], citrix_access="Password Reset",
          spoc_called=D[23]),
    agent("AET-1", "Gia Long", D[30], call_cert_complete="No", tbts_complete="No"),
    agent("AET-2", "Hal Price", D[38], call_cert_complete="No", tbts_complete="No"),  # after --to
    # Complete only after --to: open on every day of the period, coaching overdue.
    agent("AET-1", "Ivy Stone", D[16], **YES, call_cert_date=D[17], tbt_complete_date=D[33]),
    agent("AET-1", "Jon Snow", None, call_cert_complete="No", tbts_complete="No"),
    agent("aet-1 ", "Kim Lee", D[16], **YES, call_cert_date=D[16], tbt_complete_date=D[16]),
]  # fmt: skip


@cache
def us_closed() -> tuple[date, ...]:
    return tuple(holidays.country_holidays("US", years=range(2024, 2030)).keys())


def facts_of(row: dict[str, Any]) -> AgentFacts:
    """A row of AGENTS as the rules see it (typed values as factories writes them)."""
    get = row.get

    def yes(key: str) -> bool | None:
        value = get(H[key])
        return None if value is None else value == "Yes"

    return AgentFacts(
        esp_start=get(H["esp_start"]),
        call_cert_complete=yes("call_cert_complete"),
        call_cert_date=get(H["call_cert_date"]),
        tbts_complete=yes("tbts_complete"),
        tbt_complete_date=get(H["tbt_complete_date"]),
        citrix_access=get(H["citrix_access"]),
        spoc_called=get(H["spoc_called"]),
        coaching_date=get(H["coaching_date"]),
        written_cap_date=get(H["written_cap_date"]),
        final_cap_date=get(H["final_cap_date"]),
        term_review_date=get(H["term_review_date"]),
    )


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=HEADERS)


def kpi_json(tracker: Path, *args: str) -> dict[str, Any]:
    res = run("report", "kpi", "-t", str(tracker), "-f", "json", *args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert isinstance(data, dict)
    return data


def reference_for(rows: Sequence[dict[str, Any]], start: date, end: date) -> dict[str, Any]:
    named = [(" ".join(str(r[H["class"]]).split()).upper(), facts_of(r)) for r in rows]
    return reference(named, start, end, Numpy(us_closed()))


def test_the_command_matches_the_reference_on_every_case(tracker: Path) -> None:
    data = kpi_json(tracker, "--to", TO.isoformat())
    assert (data["from"], data["to"]) == ("2026-11-16", "2026-11-30")
    assert as_compared(data) == reference_for(AGENTS, D[16], TO)


def test_the_cases_come_out_as_the_definitions_say(tracker: Path) -> None:
    data = kpi_json(tracker, "--to", TO.isoformat())
    one, two = data["classes"]
    assert (one["class"], two["class"]) == ("AET-1", "AET-2")  # 'aet-1 ' is the same class
    # Hal's clock starts after --to: his class is listed, with nothing to compute.
    assert two == {"class": "AET-2", "agents": 0, "complete": 0, "completion_rate": None,
                   "open": 0, "behind_target": 0, "completed_in_period": 0, "on_time": 0,
                   "on_time_rate": None, "median_days_to_complete": None,
                   "p90_days_to_complete": None,
                   "overdue_by_stage": dict.fromkeys(STEPS, 0), "spoc_open": 0,
                   "spoc_oldest_days": None}  # fmt: skip
    # Ana 3, Ben 2, Cara 4, Kim 1 business days (Dev undated, Eve before the start, Ivy after
    # --to): on time Ben and Kim.
    assert one["completed_in_period"] == 4 and one["on_time"] == 2
    assert (one["median_days_to_complete"], one["p90_days_to_complete"]) == (2.5, 4)
    assert one["overdue_by_stage"] == {"coaching": 1, "written_cap": 1, "final_cap": 0,
                                       "term_review": 0}  # fmt: skip
    assert (one["spoc_open"], one["spoc_oldest_days"]) == (1, 4)
    trend = {t["date"]: t for t in data["trend"]}
    assert "2026-11-26" not in trend and "2026-11-28" not in trend  # Thanksgiving, a Saturday
    assert trend["2026-11-30"]["completed"] == 1  # Cara's Saturday completion
    assert trend["2026-11-16"] == {"date": "2026-11-16", "open": 1, "completed": 1,
                                   "behind_target": 0}  # fmt: skip
    kinds = {f["agent"]: (f["kind"], f["cell"]) for f in data["findings"]}
    col = {key: openpyxl.utils.get_column_letter(i + 1) for i, key in enumerate(KEYS)}
    row = {a[H["agent_name"]]: i + 3 for i, a in enumerate(AGENTS)}  # a title row, the headers
    assert kinds == {
        "Dev Patel": ("undated_completion",
                      f"'ESP Tracker'!{col['call_cert_date']}{row['Dev Patel']}"),
        "Eve Long": ("completion_before_start",
                     f"'ESP Tracker'!{col['tbt_complete_date']}{row['Eve Long']}"),
        "Jon Snow": ("no_clock_start", f"'ESP Tracker'!{col['esp_start']}{row['Jon Snow']}"),
    }  # fmt: skip


def test_a_period_with_no_completion(tracker: Path) -> None:
    data = kpi_json(tracker, "--from", "2026-11-02", "--to", "2026-11-06")
    assert as_compared(data) == reference_for(AGENTS, D[2], D[6])
    overall = data["overall"]
    assert overall["agents"] == 0 and overall["completed_in_period"] == 0
    for key in ("completion_rate", "on_time_rate", "median_days_to_complete",
                "p90_days_to_complete", "spoc_oldest_days"):  # fmt: skip
        assert overall[key] is None, key
    assert [t["date"] for t in data["trend"]] == [f"2026-11-0{d}" for d in range(2, 7)]


def test_replaying_an_earlier_day(tracker: Path) -> None:
    """--to an earlier day: completions, ladder steps and SPOC calls after it do not count."""
    data = kpi_json(tracker, "--to", "2026-11-23")
    assert as_compared(data) == reference_for(AGENTS, D[9], D[23])
    one = data["classes"][0]
    assert one["spoc_open"] == 1 and one["spoc_oldest_days"] == 0  # Finn, called that day
    assert one["overdue_by_stage"]["written_cap"] == 0  # Finn's coaching is not due till 11/25


def test_class_and_sme_scope(tracker: Path) -> None:
    data = kpi_json(tracker, "--to", TO.isoformat(), "--sme", "Priya Natarajan")
    assert data["scope"] == "TBT SME Priya Natarajan"
    assert data["overall"]["agents"] == 2 and data["overall"]["completed_in_period"] == 2
    picked = [a for a in AGENTS if a.get(H["tbt_sme"]) == "Priya Natarajan"]
    assert as_compared({k: v for k, v in data.items() if k != "scope"}) == reference_for(
        picked, D[16], TO
    )
    data = kpi_json(tracker, "--to", TO.isoformat(), "--class", "AET-2")
    assert data["scope"] == "class AET-2" and [c["class"] for c in data["classes"]] == ["AET-2"]


def test_the_default_period_is_the_ten_business_days_up_to_today(tracker: Path) -> None:
    res = run("report", "kpi", "-t", str(tracker), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    today = date.today()
    assert data["to"] == today.isoformat()
    assert data["from"] == Numpy(us_closed()).ten_days_up_to(today).isoformat()


def test_csv_is_a_row_a_class_then_all(tracker: Path) -> None:
    res = run("report", "kpi", "-t", str(tracker), "-f", "csv", "--to", TO.isoformat())
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("class,agents,complete,completion_rate,open,behind_target,")
    assert "overdue_coaching,overdue_written_cap,overdue_final_cap,overdue_term_review" in lines[0]
    assert [line.split(",")[0] for line in lines[1:]] == ["AET-1", "AET-2", "All"]
    data = kpi_json(tracker, "--to", TO.isoformat())
    header = lines[0].split(",")
    last = dict(zip(header, lines[-1].split(","), strict=True))
    assert last["agents"] == str(data["overall"]["agents"])
    assert last["median_days_to_complete"] == "2.5" and last["completion_rate"] == repr(2 / 3)
    assert last["overdue_written_cap"] == "1" and last["on_time_rate"] == "0.5"


def test_the_findings_are_counted_on_one_line_unless_asked(tracker: Path) -> None:
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "-f", "json")
    assert res.exit_code == 0, res.output
    assert res.stderr == (
        "warning: 3 agents are left out of some figures (-v shows them here, each with its cell).\n"
    )
    assert len(json.loads(res.stdout)["findings"]) == 3  # the data lists them all


def test_the_table_and_the_findings_for_people(tracker: Path) -> None:
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "-v")
    assert res.exit_code == 0, res.output
    assert "Leadership KPIs, Mon 11/16/2026 – Mon 11/30/2026 (10 business days)" in res.stdout
    assert "│ AET-2 " in res.stdout and "│ All " in res.stdout
    assert "Mon 11/30/2026" in res.stdout and "Thu 11/26/2026" not in res.stdout
    # Who is left out of which figure, naming the cell, for the team (stderr).
    assert "(Dev Patel, AET-1): complete, but Call Cert Complete Date is empty" in res.stderr
    assert "(Eve Long, AET-1): completed 11/18/2026 (TBT Complete Date), before" in res.stderr
    assert "(Jon Snow, AET-1): ESP Start Date is empty" in res.stderr


def test_a_formula_without_a_saved_result_is_not_called_empty(tmp_path: Path) -> None:
    """A date formula whose result is not saved in the file (a workbook written by openpyxl,
    never saved by Excel) is read as empty: the warnings say what it holds, and the fix."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["Class", "Agent Name", "Agent ID", "ESP Start Date", "Call Cert Complete?"])
    ws["F1"], ws["G1"], ws["H1"] = (
        "Call Cert Complete Date",
        "All TBTs Complete?",
        "TBT Complete Date",
    )
    done = date(2026, 11, 17)
    ws.append(["F", "Done One", "1", date(2026, 11, 16), "Yes", done, "Yes", done])
    ws.append(["F", "No Cache", "2", "=DATE(2026,11,16)", "Yes", done, "Yes", done])
    ws.append(["F", "No Date", "3", date(2026, 11, 16), "Yes", "=DATE(2026,11,17)", "Yes", done])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    saved = "holds a formula whose result is not saved in the file (open the tracker in Excel "
    res = run("report", "kpi", "-t", str(path), "--from", "2026-11-16", "--to", "2026-11-24", "-v")
    assert res.exit_code == 0, res.output
    assert f"!D3 (No Cache, F): ESP Start Date {saved}and save it): the clock" in res.stderr
    assert f"!F4 (No Date, F): complete, but Call Cert Complete Date {saved}" in res.stderr
    assert "is empty" not in res.stderr
    res = run("report", "eod", "-t", str(path), "--date", "2026-11-24", "-f", "text", "-v")
    assert res.exit_code == 0, res.output
    assert f"No Cache (ESP Tracker!row 3) could not be evaluated: ESP Start Date {saved}" in (
        res.stderr
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-11-30", "--to", "2026-11-16"], "--from 2026-11-30 is after --to"),
        (["--to", "11/31/2026"], "--to '11/31/2026' is not a date"),
        (["--xlsx", "kpi.csv"], "must end in .xlsx"),
        (["--xlsx", "no-such-folder/kpi.xlsx"], "does not exist"),
    ],
)
def test_usage_errors_say_what_to_do(tracker: Path, args: list[str], words: str) -> None:
    args = [a.replace("no-such-folder", str(tracker.parent / "nope")) for a in args]
    res = run("report", "kpi", "-t", str(tracker), *args)
    assert res.exit_code == 2, res.output
    assert words in res.stderr and res.stdout == ""


# -- the workbook ---------------------------------------------------------------------------------


def test_the_rate_is_rounded_once_so_the_workbook_shows_what_the_text_says(
    tmp_path: Path,
) -> None:
    """501 of 1001 agents is 50.0%: stored rounded to 6 places (0.5005), Excel's `0.0%`
    rounded it again to 50.1%. The workbook, JSON and CSV carry the unrounded fraction."""
    rows = [
        {"Class": "K", "Agent Name": f"Agent {i}", "ESP Start Date": date(2026, 11, 2),
         "Call Cert Complete?": "Yes" if i < 501 else "No",
         "Call Cert Complete Date": date(2026, 11, 3) if i < 501 else None,
         "All TBTs Complete?": "Yes" if i < 501 else "No",
         "TBT Complete Date": date(2026, 11, 3) if i < 501 else None}
        for i in range(1001)
    ]  # fmt: skip
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows)
    period = ("--from", "2026-11-02", "--to", "2026-11-20")
    res = run("report", "kpi", "-t", str(tracker), *period)
    assert res.exit_code == 0 and "501 of 1001 agents complete (50%)" in res.stdout, res.output
    assert kpi_json(tracker, *period)["overall"]["completion_rate"] == 501 / 1001
    csv_out = run("report", "kpi", "-t", str(tracker), "-f", "csv", *period).stdout
    assert f"All,1001,501,{501 / 1001!r}," in csv_out
    out = tmp_path / "KPIs.xlsx"
    assert run("report", "kpi", "-t", str(tracker), *period, "--xlsx", str(out)).exit_code == 0
    cell = openpyxl.load_workbook(out)["KPIs"]["D6"]
    assert cell.value == 501 / 1001 and cell.number_format == "0.0%"
    # Excel's 0.0% on the stored value: 50.0%, as the text says.
    assert str(rounded(Fraction(cell.value) * 100)) == "50.0"


def test_the_workbook_has_the_table_the_trend_and_a_native_line_chart(
    tracker: Path, tmp_path: Path
) -> None:
    out = tmp_path / "KPIs.xlsx"
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "--xlsx", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and f"Wrote the KPI workbook to {out}." in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ESP Tracker.xlsx", "KPIs.xlsx"]
    data = kpi_json(tracker, "--to", TO.isoformat())
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["KPIs", "Trend", "Definitions", "Findings"]
    kpi = wb["KPIs"]
    header = [c.value for c in kpi[4]]
    assert header[:4] == ["Class", "Agents", "Complete", "Completion rate"]
    rows = [[c.value for c in r] for r in kpi.iter_rows(min_row=5)]
    assert [r[0] for r in rows] == ["AET-1", "AET-2", "All"]
    overall = data["overall"]
    assert rows[-1][1:4] == [overall["agents"], overall["complete"], overall["completion_rate"]]
    assert kpi.cell(row=7, column=4).number_format == "0.0%"
    words = {r[0]: r[1] for r in wb["Definitions"].iter_rows(values_only=True) if r[0]}
    # The 90th percentile as computed: at or under it, not reaching it (of 10, the 9th).
    assert (
        "smallest number of business days within which at least 90% of them completed"
        in (words["Median / 90th percentile"])
    )
    trend = wb["Trend"]
    got = [[c.value for c in r] for r in trend.iter_rows(min_row=4, max_col=4)]
    assert [[r[0].date(), *r[1:]] for r in got] == [
        [date.fromisoformat(t["date"]), t["open"], t["completed"], t["behind_target"]]
        for t in data["trend"]
    ]
    # The chart is Excel's own (DrawingML c:lineChart), three series over the trend's rows.
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    tree = etree.fromstring(xml.encode())
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    (line,) = tree.findall(".//c:plotArea/c:lineChart", ns)
    series = line.findall("c:ser", ns)
    assert len(series) == 3
    assert [s.findtext("c:val/c:numRef/c:f", namespaces=ns) for s in series] == [
        f"'Trend'!${col}$4:${col}$13" for col in "BCD"
    ]
    assert {s.findtext("c:cat/c:numRef/c:f", namespaces=ns) for s in series} == {
        "'Trend'!$A$4:$A$13"
    }
    # A text axis (business days evenly spaced, no weekend gaps), shown, not deleted.
    (axis,) = tree.findall(".//c:plotArea/c:catAx", ns)
    assert axis.find("c:auto", ns).get("val") == "0"
    assert axis.find("c:delete", ns).get("val") == "0"
    findings = [[c.value for c in r] for r in wb["Findings"].iter_rows(min_row=2)]
    assert sorted(r[3] for r in findings) == sorted(f["kind"] for f in data["findings"])


@needs_schemas
def test_the_workbook_is_valid_office_open_xml(tracker: Path, tmp_path: Path) -> None:
    """Every part, the chart's DrawingML included, against the ECMA-376 schemas."""
    out = tmp_path / "KPIs.xlsx"
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "--xlsx", str(out))
    assert res.exit_code == 0, res.output
    assert validate_package(out) == []


@pytest.mark.interop
@needs_soffice
def test_libreoffice_opens_the_workbook(tracker: Path, tmp_path: Path) -> None:
    """A second spreadsheet application reads what leadership would see in Excel."""
    out = tmp_path / "KPIs.xlsx"
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "--xlsx", str(out))
    assert res.exit_code == 0, res.output
    data = kpi_json(tracker, "--to", TO.isoformat())
    sheets = convert_all_sheets(out, tmp_path / "csv", as_shown=True)
    assert list(sheets) == ["KPIs", "Trend", "Definitions", "Findings"]
    kpi = sheets["KPIs"]
    assert kpi[0][0].startswith("Leadership KPIs, Mon 11/16/2026 – Mon 11/30/2026")
    assert [r[0] for r in kpi[4:7]] == ["AET-1", "AET-2", "All"]
    overall = data["overall"]
    assert kpi[6][1:4] == [str(overall["agents"]), str(overall["complete"]), "66.7%"]
    assert kpi[5][3] == ""  # AET-2 has no agent: no rate, an empty cell (not 0%)
    trend = sheets["Trend"]
    assert [r[:4] for r in trend[3 : 3 + len(data["trend"])]] == [
        [date.fromisoformat(t["date"]).strftime("%a %m/%d/%Y"), str(t["open"]),
         str(t["completed"]), str(t["behind_target"])]
        for t in data["trend"]
    ]  # fmt: skip


def test_the_workbook_never_replaces_the_tracker(tracker: Path) -> None:
    before = tracker.read_bytes()
    res = run("report", "kpi", "-t", str(tracker), "--xlsx", str(tracker))
    assert res.exit_code == 2 and "esp never replaces it" in res.stderr
    assert tracker.read_bytes() == before


def test_the_workbook_is_written_atomically(
    tracker: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing write leaves no file, whole or in part, and no temporary file behind."""
    out = tmp_path / "KPIs.xlsx"
    import esp_cli.system as system

    real = system.os.fsync

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(system.os, "fsync", full)
    res = run("report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "--xlsx", str(out))
    monkeypatch.setattr(system.os, "fsync", real)
    assert res.exit_code == 6, res.output
    assert "KPIs.xlsx: cannot be written (No space left on device)" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ESP Tracker.xlsx"]


# -- what the commands load -----------------------------------------------------------------------

LOADED = """
import sys
sys.argv = ["esp", *sys.argv[1:]]
from esp_cli.cli import main
try:
    main()
except SystemExit:
    pass
print(sorted(m.split(".")[0] for m in sys.modules), file=sys.stderr)
"""


def loaded(*argv: str) -> set[str]:
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *argv],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=120,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))


HEAVY = {"PIL", "matplotlib", "pandas"}  # only a command that draws loads Pillow; none the rest


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["report", "--help"],
        ["report", "kpi", "--help"],
        ["report", "kpi", "-f", "json", "--to", "{to}"],
        ["report", "kpi", "-f", "csv", "--to", "{to}"],
        ["report", "kpi", "--to", "{to}", "--xlsx", "{out}"],
        ["report", "eod", "-f", "json", "--date", "{to}"],
        ["report", "eod", "-f", "html", "--date", "{to}"],
        ["escalations", "--today", "-f", "json", "--as-of", "{to}"],
        ["explain", "Ana Ruiz", "--as-of", "{to}"],
        ["doctor"],
    ],
    ids=" ".join,
)
def test_commands_that_do_not_draw_do_not_load_a_drawing_library(
    tracker: Path, tmp_path: Path, argv: list[str]
) -> None:
    """`esp --help` and every command that makes no picture stay as fast as before."""
    words = [a.format(to=TO.isoformat(), out=tmp_path / "KPIs.xlsx") for a in argv]
    if "--help" not in words:
        words += ["-t", str(tracker)]
    modules = loaded(*words)
    assert "esp_cli" in modules  # the command ran
    # openpyxl, which writes the --xlsx workbook, loads Pillow for pictures of its own.
    assert not (HEAVY - {"PIL"} if "--xlsx" in words else HEAVY) & modules
    if words[0] == "--help" or words[:2] == ["report", "kpi"] and "--xlsx" not in words:
        assert not {"openpyxl", "numpy"} & modules


def _mail_config(tracker: Path) -> Path:
    """An esp.toml beside `tracker` naming it, with what an e-mail needs."""
    config = tracker.parent / "esp.toml"
    config.write_text(
        f'[tracker]\npath = "{tracker.name}"\n[report]\nto = ["lead@example.com"]\n'
        'from = "Jordan Reyes <jordan.reyes@example.com>"\n',
        encoding="utf-8",
    )
    return config


def test_the_evening_email_draws_its_chart_with_pillow(tracker: Path) -> None:
    """The one command that draws (the check above can fail: this one loads it)."""
    config = _mail_config(tracker)
    eml = tracker.parent / "eod.eml"
    modules = loaded(
        "report", "eod", "-c", str(config), "--date", TO.isoformat(), "--eml", str(eml)
    )
    assert eml.exists() and "PIL" in modules and "matplotlib" not in modules


BEFORE_READING = """
import sys
sys.argv = ["esp", *sys.argv[1:]]
import esp_cli.services.eod as eod
counted = eod.eod_report
def report(*args, **kwargs):
    print("PIL.ImageDraw" in sys.modules, "PIL.PngImagePlugin" in sys.modules, file=sys.stderr)
    return counted(*args, **kwargs)
eod.eod_report = report
from esp_cli.cli import main
main()
"""


def test_the_evening_email_loads_pillow_before_it_reads_the_tracker(tracker: Path) -> None:
    """Pillow loads while the tracker's parse runs on its own thread, not after the read."""
    config = _mail_config(tracker)
    src = Path(__file__).resolve().parents[1] / "src"
    words = ["report", "eod", "-c", str(config), "--date", TO.isoformat()]
    for mail, expected in (
        (["--eml", str(tracker.parent / "eod.eml")], "True True"),
        ([], "False False"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", BEFORE_READING, *words, *mail],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[0] == expected, done.stderr


# -- the picture --------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("days", [0, 1, 10, 60])
def test_the_chart_is_drawn_for_any_period_the_same_way_every_time(days: int) -> None:
    from esp_cli.render.chart import HEIGHT_PX, WIDTH_PX, trend_png

    trend = [
        TrendDay(date(2026, 9, 1) + timedelta(days=i), i % 7, i % 3, i % 5) for i in range(days)
    ]
    first = trend_png(trend)
    assert png_size(first) == (WIDTH_PX, HEIGHT_PX)
    assert trend_png(trend) == first
    assert b"tEXt" not in first and b"tIME" not in first


@pytest.mark.parametrize("peak", [0, 1, 3, 9, 10, 34, 99, 100, 547, 10_000])
def test_the_y_axis_counts_whole_agents_from_0_past_the_highest_point(peak: int) -> None:
    from esp_cli.render.chart import MAX_TICKS, trend_px

    trend = [TrendDay(date(2026, 11, 23), peak, 0, 0), TrendDay(date(2026, 11, 24), 0, 0, 0)]
    xs, top, ticks = trend_px(trend)
    assert ticks[0] == 0 and len(ticks) <= MAX_TICKS and len(ticks) >= 2
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert top >= max(peak, 1) and ticks[-1] <= top < ticks[-1] + steps.pop()
    assert xs[0] < xs[1]


@pytest.mark.parametrize("peak", [9, 34_000, 1_500_000, 10**9])
def test_the_y_axis_figures_are_never_cut_off_at_the_pictures_edge(peak: int) -> None:
    """The plot moves right to make room for wide figures (1,000,000,000 agents)."""
    from PIL import Image

    from esp_cli.render.chart import trend_png

    trend = [TrendDay(date(2026, 11, 10) + timedelta(days=i), peak, 0, 0) for i in range(10)]
    picture = Image.open(io.BytesIO(trend_png(trend))).convert("L")
    edge = picture.crop((0, 0, 8, picture.height))
    assert edge.getextrema()[0] == 255  # nothing drawn at the left edge


def test_the_chart_is_drawn_with_pillows_bitmap_font_when_it_has_no_freetype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PIL import ImageFont, features

    from esp_cli.render import chart

    real = features.check
    monkeypatch.setattr(
        features, "check", lambda name: False if name == "freetype2" else real(name)
    )
    assert not chart._scalable()
    assert isinstance(chart._font(20, scalable=False), ImageFont.ImageFont)
    trend = [TrendDay(date(2026, 11, 10) + timedelta(days=i), i, 1, 2) for i in range(10)]
    assert png_size(chart.trend_png(trend)) == (chart.WIDTH_PX, chart.HEIGHT_PX)


def test_the_docs_show_the_samples_chart(tmp_path: Path) -> None:
    from scripts import kpi_picture

    picture = Path(__file__).resolve().parents[1] / "docs" / "images" / "kpi-trend.png"
    assert png_size(picture.read_bytes()) == (1120, 480)
    # The script that draws it still runs (`make docs`), and draws the same size.
    drawn = kpi_picture.draw(tmp_path / "kpi-trend.png")
    assert png_size(drawn.read_bytes()) == (1120, 480)


# -- what no cell can show ------------------------------------------------------------------------


def with_control_character(path: Path, marker: str, escaped: str) -> Path:
    """The workbook with `marker` written as Excel writes a pasted control character
    (`_x0001_` in the XML: openpyxl refuses to write one)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    hits = [n for n, data in parts.items() if marker.encode() in data]
    assert hits, marker
    for n in hits:
        parts[n] = parts[n].replace(marker.encode(), escaped.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


def test_a_class_name_with_a_control_character_is_shown_and_named(
    tmp_path: Path,
) -> None:
    rows = [
        agent("XQQY", "Ana Ruiz", D[20], **YES, call_cert_date=D[23], tbt_complete_date=D[24]),
        agent("AET-1", "BenQQZ Carter", D[20], call_cert_complete="No", tbts_complete="No"),
    ]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    with_control_character(path, "QQ", "_x0001_")
    out = tmp_path / "KPIs.xlsx"
    base = ("report", "kpi", "-t", str(path), "--to", TO.isoformat())
    res = run(*base, "--xlsx", str(out), "-f", "csv", "-v")
    assert res.exit_code == 0, res.output
    assert "\x01" not in res.stdout and "X\ufffdY," in res.stdout
    said = [ln for ln in res.stderr.splitlines() if "U+0001" in ln and "(Class)" in ln]
    assert len(said) == 1 and "'ESP Tracker'!A3 (Class)" in said[0], res.stderr
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book["KPIs"]["A"][4:6]] == ["AET-1", "X\ufffdY"]
    # The same name everywhere: the table, JSON, the evening report's CSV.
    assert "X\ufffdY" in run(*base).stdout
    assert [c["class"] for c in kpi_json(path, "--to", TO.isoformat())["classes"]] == [
        "AET-1",
        "X\ufffdY",
    ]
    eod = run("report", "eod", "-t", str(path), "--date", TO.isoformat(), "-f", "csv")
    assert eod.exit_code == 0, eod.output
    assert "\x01" not in eod.stdout and "X\ufffdY" in eod.stdout


# -- one set of figures: the table, the trend and the e-mail agree ---------------------------------


def mail_text(tracker: Path, day: str) -> tuple[str, str]:
    """The evening e-mail of `day`: its plain text and its chart's alt text."""
    import email
    from email.policy import default as default_policy

    config = _mail_config(tracker)
    eml = tracker.parent / f"eod {day}.eml"
    res = run("report", "eod", "-c", str(config), "--date", day, "--eml", str(eml))
    assert res.exit_code == 0, res.output
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    return text.replace("\r\n", "\n"), alt


@pytest.mark.parametrize(
    ("day", "trend_end"),
    [("2026-11-28", "Fri 11/27/2026"), ("2026-11-26", "Wed 11/25/2026")],
    ids=["a-saturday", "thanksgiving"],
)
def test_on_a_day_off_the_emails_kpis_count_what_its_report_counts(
    tracker: Path, day: str, trend_end: str
) -> None:
    """Cara completes on Saturday 11/28: the evening e-mail of that day counts her complete
    in its report and in its KPI section alike — the section is as of the report's date, as
    esp report kpi --to that date reads it (docs/rules.md: the 10 business days up to the
    report's date, as of their last day) — and says the trend ends on the business day
    before, where her completion is not (it counts on the next business day)."""
    text, _ = mail_text(tracker, day)
    when = date.fromisoformat(day)
    report = json.loads(
        run("report", "eod", "-t", str(tracker), "--date", day, "-f", "json").stdout
    )
    total = report["totals"]
    complete = next(ln for ln in text.splitlines() if ln.strip().startswith("Complete: "))
    assert f"({total['fully_complete']} of the {total['agents']} agents who have started)" in (
        complete
    )
    kpi = kpi_json(tracker, "--to", day)["overall"]
    assert (kpi["complete"], kpi["agents"]) == (total["fully_complete"], total["agents"])
    if day == "2026-11-28":  # Cara, done that day: complete here, not yet on the Friday
        assert kpi["complete"] == kpi_json(tracker, "--to", "2026-11-27")["overall"]["complete"] + 1
        assert "1 dated after Fri 11/27 is on no business day of the period" in text
    # The headline above it says the same share as the section.
    assert f"{total['fully_complete']} of {total['agents']} agents fully complete" in text
    # The section names its day, and the trend's last business day before it.
    assert (
        f"As of {when:%a %m/%d/%Y} (not a business day: the trend below ends on {trend_end})."
    ) in text


def test_the_trend_and_the_period_say_why_their_completions_differ(
    tracker: Path, tmp_path: Path
) -> None:
    # From Monday 11/30: Cara's Saturday completion is on the trend's Monday, not in the period.
    base = ("report", "kpi", "-t", str(tracker))
    res = run(*base, "--from", "2026-11-30", "--to", "2026-12-04")
    assert res.exit_code == 0, res.output
    note = (
        "The trend counts 2 completions and the period 1: one dated on a weekend or holiday "
        "counts on the next business day; 1 dated on the days off before Mon 11/30 is on "
        "Mon 11/30."
    )
    assert note in " ".join(res.stdout.split())
    out = tmp_path / "KPIs.xlsx"
    assert (
        run(*base, "--from", "2026-11-30", "--to", "2026-12-04", "--xlsx", str(out)).exit_code == 0
    )
    assert openpyxl.load_workbook(out)["Trend"]["A2"].value == note
    # To Saturday 11/28: Cara is in the period and on no business day of it.
    res = run(*base, "--from", "2026-11-16", "--to", "2026-11-28")
    words = " ".join(res.stdout.split())
    assert "1 dated after Fri 11/27 is on no business day of the period." in words
    assert "Trend, each business day (to Fri 11/27/2026, the last up to --to)" in words
    # The same words where the figures agree: none.
    assert "The trend counts" not in run(*base, "--to", TO.isoformat()).stdout


# -- a class named as the overall row; a date cell that cannot be read ---------------------------


def test_a_class_named_all_or_no_class_is_never_taken_for_another_row(tmp_path: Path) -> None:
    rows = [
        agent("All", "Ana Ruiz", D[20], call_cert_complete="No", tbts_complete="No"),
        agent("(no class)", "Ben Carter", D[20], call_cert_complete="No", tbts_complete="No"),
        agent(None, "Cara Diaz", D[20], call_cert_complete="No", tbts_complete="No"),  # type: ignore[arg-type]
        agent("Total", "Dev Patel", D[20], call_cert_complete="No", tbts_complete="No"),
    ]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    res = run("report", "kpi", "-t", str(path), "--to", TO.isoformat(), "-f", "csv")
    assert res.exit_code == 0, res.output
    first = [line.split(",")[0] for line in res.stdout.splitlines()[1:]]
    # In data a blank Class is "" (a class typed "(no class)" is then none other); a class
    # typed as the overall row's name is marked, for that row shares the column.
    assert first == ["", "(no class)", "All (class)", "Total", "All"]
    table = run("report", "kpi", "-t", str(path), "--to", TO.isoformat())
    assert "│ (no class)  " in table.stdout and "│ (no class) (class)" in table.stdout
    assert res.stdout.splitlines()[1].split(",")[1] == "1"  # Cara alone has no class
    eod = run("report", "eod", "-t", str(path), "--date", TO.isoformat(), "-f", "csv")
    assert eod.exit_code == 0, eod.output
    classes = [line.split(",")[0] for line in eod.stdout.splitlines()[1:]]
    assert classes.count("Total") == 1 and "Total (class)" in classes, eod.stdout


def test_an_undated_completion_says_a_date_that_cannot_be_read_is_not_empty(
    tmp_path: Path,
) -> None:
    rows = [agent("AET-1", "Ana Ruiz", D[20], **YES, call_cert_date="#N/A",
                  tbt_complete_date=D[24])]  # fmt: skip
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    data = kpi_json(path, "--to", TO.isoformat())
    (finding,) = [f for f in data["findings"] if f["kind"] == "undated_completion"]
    assert finding["message"].startswith("complete, but Call Cert Complete Date cannot be read:")


def test_an_unreadable_complete_flag_beside_a_no_counts_behind_target_and_beside_a_yes_is_said(
    tmp_path: Path,
) -> None:
    """Complete is both flags yes: an unreadable one beside a No is an open agent like any
    other (behind target, coaching due); beside a yes the agent may be complete, left out
    of behind target and the steps due — and a finding names the cell."""
    no = {"tbts_complete": "No"}
    rows = [
        agent("AET-1", "Ana Ruiz", D[16], call_cert_complete="#N/A", **no),
        agent("AET-1", "Ben Carter", D[16], call_cert_complete="maybe", **no),
        agent("AET-1", "Cara Diaz", D[16], call_cert_complete="No", **no),
        agent("AET-1", "Dev Patel", D[16], call_cert_complete="maybe", tbts_complete="Yes"),
    ]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    data = kpi_json(path, "--from", D[16].isoformat(), "--to", TO.isoformat())
    overall = data["overall"]
    assert (overall["open"], overall["behind_target"]) == (4, 3)
    assert overall["overdue_by_stage"]["coaching"] == 3
    assert data["trend"][-1]["behind_target"] == 3
    (finding,) = data["findings"]
    assert finding["kind"] == "unreadable_completion" and finding["agent"] == "Dev Patel"
    assert (
        finding["cell"] == f"'ESP Tracker'!{chr(ord('A') + KEYS.index('call_cert_complete'))}6"
    )  # a title row, the headers, four agents
    assert finding["message"].startswith(
        "Call Cert Complete? cannot be read and All TBTs Complete? is yes: the agent may be"
    )


def test_the_workbook_prints_a_page_wide_in_landscape(tracker: Path, tmp_path: Path) -> None:
    out = tmp_path / "KPIs.xlsx"
    assert (
        run(
            "report", "kpi", "-t", str(tracker), "--to", TO.isoformat(), "--xlsx", str(out)
        ).exit_code
        == 0
    )
    book = openpyxl.load_workbook(out)
    for name in ("KPIs", "Trend"):
        ws = book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0, name


def test_the_chart_loads_only_pillows_png_writer() -> None:
    """Drawing the chart loads Pillow's PNG writer alone, not the other formats Pillow
    loads when asked for one by name (where Pillow can load a format's writer alone)."""
    from PIL import Image

    if not hasattr(Image, "_import_plugin_for_extension"):
        pytest.skip("this Pillow loads its five commonest formats for any of them")
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from esp_cli.core.kpi import TrendDay\n"
        "from esp_cli.render.chart import trend_png\n"
        "day = date(2026, 11, 24)\n"
        "trend_png([TrendDay(day, 3, 1, 2), TrendDay(day, 4, 0, 1)])\n"
        "print(sorted(m for m in sys.modules if m.startswith('PIL.') and m.endswith('Plugin')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=DEADLINE_SECONDS
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['PIL.PngImagePlugin']"


def test_an_agent_name_with_a_control_character_is_shown_and_named(tmp_path: Path) -> None:
    """As a class name: shown with U+FFFD in every output, and esp doctor names the cell."""
    rows = [agent("AET-1", "BenQQZ Carter", D[20], call_cert_complete="No", tbts_complete="No")]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    with_control_character(path, "QQ", "_x0001_")
    esc = run("escalations", "-t", str(path), "--as-of", TO.isoformat(), "-f", "json")
    assert esc.exit_code == 0, esc.output
    assert "\\u0001" not in esc.stdout and "Ben\ufffdZ Carter" in json.loads(esc.stdout)[0]["agent"]
    doctor = run("doctor", "-t", str(path), "-f", "csv")
    said = [ln for ln in doctor.stdout.splitlines() if "U+0001" in ln]
    assert len(said) == 1 and "ESP Tracker!B3," in said[0].replace("'", ""), doctor.stdout


def test_a_rate_shows_as_its_counts_round() -> None:
    """33 of 67 is 49.25...%: 49.3% as the evening report's headline says it from the counts
    (a rate kept to 4 places, 0.4925, showed 49.2% a few lines below); 197 of 400 is exactly
    49.25%, 49.3% as Excel shows it."""
    from decimal import ROUND_HALF_UP, Decimal

    from esp_cli.core.figures import percent_text

    assert percent_text(33, 67) == "49.3%"
    for part, whole in ((1, 3), (2, 3), (197, 400), (1, 8), (5, 7), (9, 16)):
        exact = Decimal(100 * part) / Decimal(whole)
        expected = f"{exact.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
        assert percent_text(part, whole) == expected.replace(".0%", "%"), (part, whole)

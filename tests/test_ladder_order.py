"""A ladder recorded out of order (a step dated before the one before it, a step recorded
while one before it is empty): every command counts the pending step from the last step
the ladder counts, agrees on its due date (checked against numpy's busday functions) and
says which cells to correct."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.rules import LADDER, AgentFacts, clock_start, ladder_conflicts
from tests import escalation_tracker as et
from tests.factories import headers, tracker

KEYS = (
    "class",
    "agent_name",
    "agent_id",
    "email",
    "esp_start",
    "call_cert_complete",
    "tbts_complete",
    "coaching_date",
    "written_cap_date",
    "final_cap_date",
    "term_review_date",
    "notes",
)
H = headers(*KEYS)
START = date(2026, 11, 20)  # a Friday; Thanksgiving is Thu 11/26
AS_OF = "2026-12-01"
NOV = {d: date(2026, 11, d) for d in range(20, 31)}


def agent(name: str, agent_id: str, *steps: date | None) -> dict[str, Any]:
    values = ["AET-1", name, agent_id, f"{agent_id.lower()}@vendorcx.com", START, "No", "No"]
    return dict(zip(H, [*values, *steps, *[None] * (4 - len(steps)), None], strict=True))


# name: (pending step, the day it falls due by docs/rules.md, computed with numpy)
AGENTS = {
    # Written CAP dated before the coaching: not delivered then; due after the coaching.
    "Ana Ruiz": (agent("Ana Ruiz", "E1", NOV[27], NOV[25]), "written_cap",
                 et.next_business_day(NOV[27])),
    # Final CAP dated before the written CAP: pending, due after the written CAP.
    "Ben Carter": (agent("Ben Carter", "E2", NOV[25], NOV[30], NOV[27]), "final_cap",
                   et.next_business_day(NOV[30])),
    # A written CAP with no coaching: the coaching is pending, due on clock day 3.
    "Cy Long": (agent("Cy Long", "E3", None, NOV[27]), "coaching",
                et.offset(START, 3, "forward")),
}  # fmt: skip


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", [a for a, _, _ in AGENTS.values()], headers=H)


def run(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res


def test_every_command_counts_the_pending_step_from_the_last_step_counted(book: Path) -> None:
    status = json.loads(run("escalations", "-t", str(book), "--as-of", AS_OF, "-f", "json").stdout)
    assert {s["agent"]: (s["pending_step"], s["pending_due"]) for s in status} == {
        name: (step, due.isoformat()) for name, (_, step, due) in AGENTS.items()
    }
    todo = json.loads(
        run("escalations", "-t", str(book), "--as-of", AS_OF, "--today", "-f", "json").stdout
    )
    ladder = {(i["agent"], i["action"], i["due"]) for i in todo if i["action"] != "behind_target"}
    assert ladder == {(name, step, due.isoformat()) for name, (_, step, due) in AGENTS.items()}
    report = run("report", "eod", "-t", str(book), "--date", AS_OF, "-f", "text").stdout
    labels = {"coaching": "Documented coaching", "written_cap": "Written CAP",
              "final_cap": "Final CAP"}  # fmt: skip
    for name, (_, step, due) in AGENTS.items():
        assert (
            f"- {name} (AET-1): missing Call Cert, TBTs; next: {labels[step]}, due "
            f"{due:%m/%d/%Y} (ladder dates being checked)"
        ) in report
        explained = run("explain", name, "-t", str(book), "--as-of", AS_OF).stdout
        assert f"Next Action Due {due:%m/%d/%Y}." in explained
    kpi = json.loads(run("report", "kpi", "-t", str(book), "--to", AS_OF, "-f", "json").stdout)
    assert kpi["overall"]["overdue_by_stage"] == {
        "coaching": 1,
        "written_cap": 1,
        "final_cap": 1,
        "term_review": 0,
    }


def test_every_report_says_which_ladder_dates_are_not_counted(book: Path) -> None:
    ana = (
        "warning: Ana Ruiz (ESP Tracker!row 3): Written CAP Date 11/25/2026 is before Coaching "
        "Date 11/27/2026: not counted as delivered. Fix: correct whichever of the Coaching Date "
        "and the Written CAP Date is wrong in Excel (each step on or after the one before it)."
    )
    explained = run("explain", "Ana Ruiz", "-t", str(book), "--as-of", AS_OF)
    assert ana in explained.stderr.splitlines()
    assert (
        "Written CAP: dated Wed 11/25/2026 but not counted; due Mon 11/30/2026 (the business "
        "day after the coaching recorded Fri 11/27/2026, skipping 2 weekend days): 1 business "
        "day overdue."
    ) in explained.stdout.splitlines()
    for args in (("escalations",), ("escalations", "--today"), ("report", "eod", "--date")):
        day = () if args[-1] == "--date" else ("--as-of",)
        command = [*args, *day, AS_OF, "-t", str(book)]
        # One line counts them, so the day's list comes first; -v names each with its fix.
        warned = [w for w in run(*command).stderr.splitlines() if w.startswith("warning:")]
        assert len(warned) == 1 and "3 agents have ladder dates esp cannot count" in warned[0]
        lines = run(*command, "-v").stderr.splitlines()
        assert ana in lines
        cy = [line for line in lines if line.startswith("warning: Cy Long (ESP Tracker!row 5)")]
        assert cy == [
            "warning: Cy Long (ESP Tracker!row 5): Written CAP Date 11/27/2026 is recorded but "
            "Coaching Date is empty (the ladder never skips a step): the coaching is still "
            "pending. Fix: record the coaching if it was delivered (on or before 11/27/2026), "
            "or correct the Written CAP Date in Excel."
        ]


def test_every_step_dated_before_a_step_counted_before_it_is_named_at_once(
    tmp_path: Path,
) -> None:
    # Both CAPs are dated before the coaching: the final CAP is after the written CAP, but
    # not after the coaching, the last step counted before it. Both cells are named at once.
    both = agent("E Both", "E5", NOV[27], NOV[25], NOV[26])
    book = tracker(tmp_path / "ESP Tracker.xlsx", [both], headers=H)
    lines = run("escalations", "-t", str(book), "--as-of", AS_OF, "-v").stderr.splitlines()
    named = [line for line in lines if line.startswith("warning: E Both")]
    assert named == [
        "warning: E Both (ESP Tracker!row 3): Written CAP Date 11/25/2026 is before Coaching "
        "Date 11/27/2026: not counted as delivered. Fix: correct whichever of the Coaching Date "
        "and the Written CAP Date is wrong in Excel (each step on or after the one before it).",
        "warning: E Both (ESP Tracker!row 3): Final CAP Date 11/26/2026 is before Coaching "
        "Date 11/27/2026: not counted as delivered. Fix: correct whichever of the Coaching Date "
        "and the Final CAP Date is wrong in Excel (each step on or after the one before it).",
    ]
    doctor = CliRunner().invoke(app, ["doctor", "-t", str(book)]).output
    col = {k: chr(ord("A") + KEYS.index(k)) for k in ("written_cap_date", "final_cap_date")}
    assert f"{col['written_cap_date']}3" in doctor and f"{col['final_cap_date']}3" in doctor


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=10, max_value=30)), min_size=4,
                max_size=4))  # fmt: skip
def test_a_step_is_named_exactly_when_it_is_dated_before_any_counted_step_before_it(
    days: list[int | None],
) -> None:
    # Reference: a step on or after the clock start is out of order exactly when its date is
    # before the latest date of the steps before it on or after the clock start (a step out
    # of order is itself before that date, so it never raises it), named with that step.
    cal = BusinessCalendar()
    dates = [None if d is None else date(2026, 11, d) for d in days]
    facts = AgentFacts(
        esp_start=START, call_cert_complete=False, tbts_complete=False,
        **{s.column: d for s, d in zip(LADDER, dates, strict=True)},
    )  # fmt: skip
    start = clock_start(facts, cal)
    assert start is not None
    expected = set()
    for i, (step, day) in enumerate(zip(LADDER, dates, strict=True)):
        before = [(d, s) for s, d in zip(LADDER[:i], dates[:i], strict=True) if d and d >= start]
        latest = max((d for d, _ in before), default=None)
        if day is not None and day >= start and latest is not None and day < latest:
            expected.add((step, [s for d, s in before if d == latest][-1]))
    got = {
        (c.step, c.earlier)
        for c in ladder_conflicts(facts, cal)
        if c.earlier is not None and c.earlier_day is not None
    }
    assert got == expected

"""The rules: docs/rules.md's worked examples, the edge cases, and a numpy reference."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.core.calendar import BusinessCalendar, CalendarConfig
from esp_cli.core.rules import (
    ACTION_LABELS,
    LADDER,
    ActionKind,
    AgentFacts,
    Evaluation,
    ProjectedStep,
    Stage,
    Step,
    behind_target_on,
    complete_from,
    evaluate,
    evaluate_all,
    explain,
    normalise_access,
    step_order_error,
)
from esp_cli.core.words import overdue_words
from esp_cli.services.record import note_line

CAL = BusinessCalendar()
ONE_DAY = timedelta(days=1)

# The worked example's dates (US calendar; Veterans Day Wed 11-11, Thanksgiving Thu 11-26).
NOV = {day: date(2026, 11, day) for day in range(1, 31)}
DEC = {day: date(2026, 12, day) for day in range(1, 32)}


def run(facts: AgentFacts, today: date, now: datetime | None = None) -> Evaluation:
    return evaluate(facts, today, now or datetime.combine(today, time(17)), CAL)


def kinds(actions: tuple[object, ...]) -> list[str]:
    return [a.action for a in actions]  # type: ignore[attr-defined]


def action(ev: Evaluation, kind: ActionKind) -> tuple[date, int]:
    found = [a for a in ev.actions if a.action is kind]
    assert len(found) == 1, ev.actions
    return found[0].due, found[0].business_days_overdue


START_FRI = AgentFacts(esp_start=NOV[20], call_cert_complete=False, tbts_complete=False)


# -- docs/rules.md worked example: start Fri 2026-11-20, nothing complete ------------------------


def test_on_track_until_clock_day_two() -> None:
    ev = run(START_FRI, NOV[23])
    assert (ev.clock_start, ev.target_date) == (NOV[20], NOV[24])
    assert not ev.behind_target
    assert ev.stage is Stage.ON_TRACK
    assert ev.actions == ()
    # Look-ahead: behind target tomorrow, one business day to go.
    assert kinds(ev.upcoming) == ["behind_target"]
    assert ev.upcoming[0].due == NOV[24]
    assert ev.upcoming[0].business_days_overdue == -1


def test_behind_target_from_tuesday() -> None:
    ev = run(START_FRI, NOV[24])
    assert ev.behind_target
    assert ev.stage is Stage.BEHIND_TARGET
    assert action(ev, ActionKind.BEHIND_TARGET) == (NOV[24], 0)
    assert (ev.pending_step, ev.pending_due, ev.business_days_overdue) == (
        Step.COACHING,
        NOV[25],
        -1,
    )
    assert kinds(ev.upcoming) == ["coaching"]


def test_coaching_due_wednesday_and_overdue_past_thanksgiving() -> None:
    ev = run(START_FRI, NOV[25])
    assert ev.stage is Stage.COACHING_DUE
    assert kinds(ev.actions) == ["coaching", "behind_target"]
    assert action(ev, ActionKind.COACHING) == (NOV[25], 0)
    assert action(ev, ActionKind.BEHIND_TARGET) == (NOV[24], 1)
    assert ev.next_step_if_recorded_today == ProjectedStep(Step.WRITTEN_CAP, NOV[27])
    # Thanksgiving is not a business day: still 0 overdue on Thursday, 1 on Friday.
    assert run(START_FRI, NOV[26]).business_days_overdue == 0
    assert action(run(START_FRI, NOV[27]), ActionKind.COACHING) == (NOV[25], 1)
    assert run(START_FRI, NOV[30]).business_days_overdue == 2


def test_the_ladder_one_business_day_at_a_time() -> None:
    coached = START_FRI._replace(coaching_date=NOV[25])
    ev = run(coached, NOV[25])
    assert (ev.pending_step, ev.pending_due) == (Step.WRITTEN_CAP, NOV[27])
    assert ev.stage is Stage.COACHING_RECORDED
    assert "coaching" not in kinds(ev.actions)
    assert kinds(ev.upcoming) == ["written_cap"]  # Thursday is Thanksgiving

    written = coached._replace(written_cap_date=NOV[27])
    ev = run(written, NOV[27])
    assert (ev.pending_step, ev.pending_due) == (Step.FINAL_CAP, NOV[30])
    assert ev.next_step_if_recorded_today == ProjectedStep(Step.TERM_REVIEW, NOV[30])

    final = written._replace(final_cap_date=NOV[30])
    ev = run(final, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.TERM_REVIEW, DEC[1])
    assert ev.stage is Stage.TERM_REVIEW_DUE
    assert action(ev, ActionKind.TERM_REVIEW) == (DEC[1], 0)
    assert ev.next_step_if_recorded_today is None

    termed = final._replace(term_review_date=DEC[1])
    ev = run(termed, DEC[2])
    assert ev.pending_step is None and ev.pending_due is None
    assert ev.stage is Stage.TERM_REVIEW_RECORDED
    assert kinds(ev.actions) == ["behind_target"]


def test_late_coaching_moves_the_written_cap() -> None:
    ev = run(START_FRI._replace(coaching_date=NOV[27]), NOV[30])
    assert (ev.pending_step, ev.pending_due, ev.business_days_overdue) == (
        Step.WRITTEN_CAP,
        NOV[30],
        0,
    )
    assert ev.stage is Stage.WRITTEN_CAP_DUE


def test_saturday_start_begins_the_clock_on_monday() -> None:
    ev = run(START_FRI._replace(esp_start=NOV[21]), NOV[23])
    assert (ev.clock_start, ev.target_date) == (NOV[23], NOV[25])
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, NOV[27])
    assert ev.stage is Stage.ON_TRACK
    assert run(START_FRI._replace(esp_start=NOV[21]), NOV[21]).stage is Stage.NOT_STARTED


def test_spoc_ten_business_days_skip_veterans_day() -> None:
    facts = START_FRI._replace(
        esp_start=NOV[16],
        citrix_access="Password Reset",
        n_number_requested=NOV[9],
        spoc_called=NOV[17],
    )
    before = run(facts, NOV[23])
    assert before.spoc_ten_day_point == NOV[24]
    assert "advise_spoc" not in kinds(before.actions)
    assert "advise_spoc" in kinds(before.upcoming)
    on_the_day = run(facts, NOV[24])
    assert action(on_the_day, ActionKind.ADVISE_SPOC) == (NOV[24], 0)
    advice = [a.detail for a in on_the_day.actions if a.action is ActionKind.ADVISE_SPOC]
    assert "call SPOC (888) 905-9500, get an Incident Number" in advice[0]
    assert action(run(facts, DEC[1]), ActionKind.ADVISE_SPOC) == (NOV[24], 4)


# -- the never-skip rule and the order of steps ----------------------------------------------------


def test_a_later_step_never_replaces_a_missing_earlier_one() -> None:
    facts = START_FRI._replace(written_cap_date=NOV[27], final_cap_date=NOV[30])
    ev = run(facts, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, NOV[25])
    assert action(ev, ActionKind.COACHING) == (NOV[25], 3)
    assert "written_cap" not in kinds(ev.actions)
    assert len(ev.inconsistencies) == 2
    assert "Coaching Date is not" in ev.inconsistencies[0]
    assert "never skips" in ev.inconsistencies[0]


def test_a_step_dated_before_the_previous_one_is_not_counted() -> None:
    # Coached Fri 11/27, written CAP dated Wed 11/25: on 11/25 the coaching was not delivered
    # yet, so that written CAP would have skipped it. It is still pending, due the business
    # day after the coaching (Mon 11/30), never counted from its own date (the final CAP due
    # Fri 11/27, the day of the coaching).
    facts = START_FRI._replace(coaching_date=NOV[27], written_cap_date=NOV[25])
    ev = run(facts, DEC[1])
    assert (ev.pending_step, ev.pending_due, ev.business_days_overdue) == (
        Step.WRITTEN_CAP,
        NOV[30],
        1,
    )
    assert ev.stage is Stage.WRITTEN_CAP_DUE
    assert action(ev, ActionKind.WRITTEN_CAP) == (NOV[30], 1)
    assert "final_cap" not in kinds(ev.actions)
    assert ev.next_step_if_recorded_today == ProjectedStep(Step.FINAL_CAP, DEC[2])
    assert ev.inconsistencies == (
        "Written CAP Date 11/25/2026 is before Coaching Date 11/27/2026: not counted as delivered.",
    )
    assert [(c.step, c.earlier) for c in ev.conflicts] == [(Step.WRITTEN_CAP, Step.COACHING)]
    text = explain(facts, DEC[1], datetime(2026, 12, 1, 12), CAL)
    assert (
        "Written CAP: dated Wed 11/25/2026 but not counted; due Mon 11/30/2026 (the business "
        "day after the coaching recorded Fri 11/27/2026, skipping 2 weekend days): 1 business "
        "day overdue."
    ) in text
    # Further up: a final CAP dated before the written CAP is pending, due from the written
    # CAP (Tue 12/01), not the term review from the final CAP's date (Mon 11/30).
    later = START_FRI._replace(
        coaching_date=NOV[25], written_cap_date=NOV[30], final_cap_date=NOV[27]
    )
    ev = run(later, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.FINAL_CAP, DEC[1])
    assert "term_review" not in kinds(ev.actions)
    # A step after the one not counted is not counted either: the ladder never skips a step.
    after = facts._replace(final_cap_date=NOV[30])
    ev = run(after, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.WRITTEN_CAP, NOV[30])
    assert ev.inconsistencies[1] == (
        "Final CAP Date 11/30/2026 is recorded but Written CAP Date 11/25/2026 is not counted: "
        "the ladder never skips a step, so the written CAP is still pending."
    )


def test_two_steps_on_one_day_are_in_order() -> None:
    same = START_FRI._replace(coaching_date=NOV[25], written_cap_date=NOV[25])
    ev = run(same, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.FINAL_CAP, NOV[27])
    assert ev.inconsistencies == () and ev.conflicts == ()


def test_a_step_dated_after_the_as_of_date_is_not_counted_yet() -> None:
    facts = START_FRI._replace(coaching_date=NOV[30])
    ev = run(facts, NOV[27])
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, NOV[25])
    assert "not counted as delivered yet" in ev.inconsistencies[0]
    assert run(facts, NOV[30]).pending_step is Step.WRITTEN_CAP


def test_a_date_after_a_day_replayed_is_a_contradiction_only_while_still_to_come() -> None:
    """Replayed on 11/27, a coaching and a SPOC call dated 11/30 were recorded later (read on
    12/01): expected. Read on 11/29, they are dates still to come: typed wrong."""
    facts = START_FRI._replace(coaching_date=NOV[30], spoc_called=NOV[30])
    ev = run(facts, NOV[27])
    assert len(ev.inconsistencies) == 2
    assert ev.contradictions(DEC[1]) == ()
    assert ev.contradictions(NOV[30]) == ()
    assert ev.contradictions(NOV[29]) == ev.inconsistencies
    assert ev.contradictions() == ()  # not said: every date after the day is expected
    early = START_FRI._replace(coaching_date=date(2026, 11, 1))  # before the clock start
    assert run(early, NOV[27]).contradictions(DEC[1]) == run(early, NOV[27]).inconsistencies


# -- a step dated before the clock start (an earlier enrolment's date, a year typed wrong) -------


def test_a_step_dated_before_the_clock_start_is_not_counted() -> None:
    # A year typed wrong: the coaching is still pending, due on clock day 3.
    typo = START_FRI._replace(coaching_date=date(2025, 11, 25))
    ev = run(typo, DEC[1])
    assert (ev.pending_step, ev.pending_due, ev.business_days_overdue) == (
        Step.COACHING,
        NOV[25],
        3,
    )
    assert ev.stage is Stage.COACHING_DUE
    assert ev.inconsistencies == (
        "Coaching Date 11/25/2025 is before the clock start, Fri 11/20/2026 (ESP Start Date): "
        "not counted as delivered.",
    )
    # Started on 12/01, coached on 11/25: the coaching falls due on clock day 3, 12/04.
    early = START_FRI._replace(esp_start=DEC[1], coaching_date=NOV[25])
    ev = run(early, DEC[4])
    assert (ev.pending_step, ev.pending_due, ev.business_days_overdue) == (
        Step.COACHING,
        DEC[4],
        0,
    )
    assert action(ev, ActionKind.COACHING) == (DEC[4], 0)
    assert "written_cap" not in kinds(ev.actions)


def test_a_later_step_after_one_dated_before_the_clock_start_is_not_counted_either() -> None:
    facts = START_FRI._replace(coaching_date=NOV[19], written_cap_date=NOV[27])
    ev = run(facts, DEC[1])
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, NOV[25])
    assert ev.inconsistencies == (
        "Coaching Date 11/19/2026 is before the clock start, Fri 11/20/2026 (ESP Start Date): "
        "not counted as delivered.",
        "Written CAP Date 11/27/2026 is recorded but Coaching Date 11/19/2026 is not counted: "
        "the ladder never skips a step, so the coaching is still pending.",
    )


def test_a_weekend_start_counts_steps_from_the_clock_start() -> None:
    sat = START_FRI._replace(esp_start=NOV[21], coaching_date=NOV[21])
    ev = run(sat, NOV[30])
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, NOV[27])
    assert ev.inconsistencies == (
        "Coaching Date 11/21/2026 is before the clock start, Mon 11/23/2026 (ESP Start Date "
        "Sat 11/21/2026): not counted as delivered.",
    )
    on_the_day = START_FRI._replace(esp_start=NOV[21], coaching_date=NOV[23])
    assert run(on_the_day, NOV[30]).pending_step is Step.WRITTEN_CAP


def test_an_agent_whose_clock_has_not_started_has_no_ladder_action() -> None:
    # A re-hire's row: the earlier enrolment's coaching and written CAP are still in it.
    rehire = START_FRI._replace(esp_start=DEC[31], coaching_date=NOV[25], written_cap_date=NOV[27])
    ev = run(rehire, DEC[4])
    assert ev.stage is Stage.NOT_STARTED
    assert (ev.pending_step, ev.pending_due) == (Step.COACHING, date(2027, 1, 6))
    assert not set(kinds(ev.actions)) & {s.value for s in LADDER}
    assert ev.upcoming == ()
    assert ev.next_step_if_recorded_today is None
    assert len(ev.inconsistencies) == 2
    assert all("before the clock start, Thu 12/31/2026" in t for t in ev.inconsistencies)
    text = explain(rehire, DEC[4], datetime(2026, 12, 4, 12), CAL)
    assert (
        "Written CAP: dated Fri 11/27/2026 but not counted; not due until the coaching is recorded."
    ) in text
    assert (
        "Inconsistent: Coaching Date 11/25/2026 is before the clock start, Thu 12/31/2026 (ESP "
        "Start Date): not counted as delivered."
    ) in text


@pytest.mark.parametrize(
    ("facts", "step", "on", "expected"),
    [
        (START_FRI, Step.COACHING, None, None),
        (
            START_FRI,
            Step.WRITTEN_CAP,
            None,
            "written CAP cannot be recorded before the coaching (Coaching Date is empty)",
        ),
        (
            START_FRI._replace(coaching_date=NOV[25]),
            Step.TERM_REVIEW,
            None,
            "term review cannot be recorded before the written CAP (Written CAP Date is empty)",
        ),
        (START_FRI._replace(coaching_date=NOV[25]), Step.WRITTEN_CAP, NOV[27], None),
        (
            START_FRI._replace(coaching_date=NOV[25]),
            Step.WRITTEN_CAP,
            NOV[24],
            "written CAP cannot be recorded on 11/24/2026, before the coaching recorded 11/25/2026",
        ),
        (
            START_FRI._replace(unreadable=("coaching_date",)),
            Step.WRITTEN_CAP,
            None,
            "written CAP cannot be recorded: the Coaching Date cannot be read (fix that cell "
            "first)",
        ),
        # A skipped step further back is caught too, not only the one just before.
        (
            START_FRI._replace(written_cap_date=NOV[27]),
            Step.FINAL_CAP,
            None,
            "final CAP cannot be recorded before the coaching (Coaching Date is empty)",
        ),
    ],
)
def test_step_order_error(
    facts: AgentFacts, step: Step, on: date | None, expected: str | None
) -> None:
    problem = step_order_error(facts, step, on)
    assert (problem.text if problem is not None else None) == expected
    if problem is not None and "recorded on" in problem.text:
        # The step before is recorded: the fix is this step's date, or that step's.
        assert problem.fix.startswith(f"give the date the {step.label} was delivered (--date")
        assert "record the" not in problem.fix


# -- complete and not-evaluable agents ---------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        START_FRI._replace(call_cert_complete=True, tbts_complete=True),
        AgentFacts(call_cert_complete=True, tbts_complete=True),  # no ESP Start Date
        AgentFacts(
            call_cert_complete=True,
            tbts_complete=True,
            esp_start=NOV[2],
            citrix_access="Password Reset",
            n_number_requested=NOV[2],
            tbt_hours=12,
            call_cert_start=datetime(2026, 11, 3, 9),
            written_cap_date=NOV[20],
            unreadable=("final_cap_date",),
        ),
    ],
)
def test_a_complete_agent_has_no_actions(facts: AgentFacts) -> None:
    ev = run(facts, DEC[1])
    assert ev.complete and ev.evaluable
    assert ev.stage is Stage.COMPLETE
    assert ev.actions == () and ev.upcoming == ()
    assert ev.pending_step is None and not ev.behind_target


def test_one_of_two_complete_is_not_complete() -> None:
    ev = run(START_FRI._replace(call_cert_complete=True), NOV[25])
    assert not ev.complete
    assert "coaching" in kinds(ev.actions)


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (START_FRI._replace(esp_start=None), "ESP Start Date is empty"),
        (START_FRI._replace(esp_start=None, unreadable=("esp_start",)), "ESP Start Date cannot"),
        (START_FRI._replace(unreadable=("final_cap_date",)), "Final CAP Date cannot be read"),
    ],
)
def test_not_evaluable_agents_are_listed_with_the_reason(facts: AgentFacts, reason: str) -> None:
    facts = facts._replace(citrix_access="No Citrix Apps Showing")
    ev = run(facts, DEC[1])
    assert not ev.evaluable and not ev.complete
    assert ev.reason is not None and reason in ev.reason
    assert ev.stage is Stage.NOT_EVALUATED
    assert ev.pending_step is None
    assert action(ev, ActionKind.NOT_EVALUATED) == (DEC[1], 0)
    # The rules that do not need the ladder still run.
    assert "call_spoc" in kinds(ev.actions)


def test_an_unreadable_step_date_still_reports_behind_target() -> None:
    ev = run(START_FRI._replace(unreadable=("coaching_date",)), DEC[1])
    assert kinds(ev.actions) == ["behind_target", "not_evaluated"]


def test_an_unreadable_completion_flag_beside_a_yes_claims_nothing_else() -> None:
    # The agent may be complete (the other flag is yes): nothing else is claimed.
    facts = START_FRI._replace(
        call_cert_complete=True, tbts_complete=None, unreadable=("tbts_complete",), tbt_hours=20
    )
    ev = run(facts, DEC[1])
    assert not ev.evaluable and not ev.complete and not ev.behind_target
    assert kinds(ev.actions) == ["not_evaluated"]
    assert ev.reason == "All TBTs Complete? cannot be read"
    assert not behind_target_on(facts, DEC[1], CAL)
    # A yes dated after the day is not yes yet on it: the agent is not complete then.
    later = facts._replace(call_cert_date=DEC[2])
    assert run(later, DEC[1]).behind_target and behind_target_on(later, DEC[1], CAL)


def test_explain_of_an_unreadable_flag_beside_a_yes_says_one_thing() -> None:
    """#N/A in a flag beside a yes: completion unknown, never "not complete" as well."""
    facts = START_FRI._replace(
        call_cert_complete=True, tbts_complete=None, unreadable=("tbts_complete",), tbt_hours=20
    )
    lines = explain(facts, DEC[1], datetime(2026, 12, 1, 12), CAL)
    assert lines[1] == (
        "Completion: Call Cert Complete? yes; All TBTs Complete? cannot be read: completion "
        "unknown (the agent may be complete), so not evaluated."
    )
    assert not any("not complete" in line for line in lines), lines


@pytest.mark.parametrize("other", [False, None])  # No, or empty: not yes
def test_an_unreadable_completion_flag_beside_one_not_yes_is_not_complete_either_way(
    other: bool | None,
) -> None:
    """Complete is both flags yes (docs/rules.md): with one readable and not yes, the agent
    is not complete whatever the unreadable cell holds, so the rules run — behind target,
    the ladder — and only the unreadable flag's own timebox is left unchecked."""
    facts = START_FRI._replace(
        call_cert_complete=other,
        tbts_complete=None,
        unreadable=("tbts_complete",),
        tbt_hours=20,
        call_cert_start=datetime(2026, 11, 23, 9, 0),
    )
    ev = run(facts, DEC[1])
    readable = START_FRI._replace(
        call_cert_complete=other, call_cert_start=datetime(2026, 11, 23, 9, 0)
    )
    plain = run(readable, DEC[1])
    assert ev.evaluable and not ev.complete and ev.behind_target
    assert ev.stage is plain.stage and ev.pending_step is plain.pending_step
    # The Call Cert's timebox runs (its flag is read); the TBTs' cannot be told.
    assert "call_cert_over_4h" in kinds(ev.actions)
    assert "tbt_over_8h" not in kinds(ev.actions)
    assert ev.unchecked == ("All TBTs Complete? cannot be read: the 8-hour timebox is unchecked",)
    assert behind_target_on(facts, DEC[1], CAL)
    lines = explain(facts, DEC[1], datetime(2026, 12, 1, 17, 0), CAL)
    assert any("is not yes: the agent is not complete either way" in line for line in lines)
    assert not any(line.startswith("Not evaluated") for line in lines)


# -- timeboxes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due", "upcoming"),
    [
        (datetime(2026, 11, 23, 12, 59), False, True),  # runs out later today
        (datetime(2026, 11, 23, 13, 0), False, True),  # exactly 4 h is not more than 4 h
        (datetime(2026, 11, 23, 13, 1), True, False),
    ],
)
def test_call_cert_over_four_clock_hours(now: datetime, due: bool, upcoming: bool) -> None:
    facts = START_FRI._replace(call_cert_start=datetime(2026, 11, 23, 9, 0))
    ev = run(facts, NOV[23], now)
    assert ("call_cert_over_4h" in kinds(ev.actions)) is due
    assert ("call_cert_over_4h" in kinds(ev.upcoming)) is upcoming
    done = run(facts._replace(call_cert_complete=True), NOV[23], now)
    assert "call_cert_over_4h" not in kinds(done.actions + done.upcoming)


def test_call_cert_timebox_counts_clock_hours_across_midnight() -> None:
    facts = START_FRI._replace(call_cert_start=datetime(2026, 11, 23, 22, 0))
    ev = run(facts, NOV[24], datetime(2026, 11, 24, 2, 30))
    assert action(ev, ActionKind.CALL_CERT_OVER_4H) == (NOV[24], 0)


NEW_YORK = BusinessCalendar(CalendarConfig(zone=ZoneInfo("America/New_York")))


@pytest.mark.parametrize(
    ("start", "now", "hours", "over"),
    [
        # The clocks go forward at 2:00 on Sun 03/08/2026: 23:45 to 03:50 is 3 h 05.
        (datetime(2026, 3, 7, 23, 45), datetime(2026, 3, 8, 3, 50), "3.1", False),
        (datetime(2026, 3, 7, 23, 45), datetime(2026, 3, 8, 4, 46), "4.1", True),
        # They go back at 2:00 on Sun 11/01/2026: 00:30 to 03:45 is 4 h 15.
        (datetime(2026, 11, 1, 0, 30), datetime(2026, 11, 1, 3, 45), "4.3", True),
        (datetime(2026, 11, 1, 0, 30), datetime(2026, 11, 1, 3, 30), "4.0", False),
    ],
    ids=["spring-within", "spring-over", "fall-over", "fall-exactly-4"],
)
def test_the_call_cert_timebox_counts_the_hours_that_passed_across_a_clock_change(
    start: datetime, now: datetime, hours: str, over: bool
) -> None:
    """The tracker's times are wall-clock times on the team's clock (the calendar's zone):
    across a daylight-saving switch the hours are those that really passed, not the plain
    difference an hour off."""
    facts = START_FRI._replace(esp_start=start.date(), call_cert_start=start)
    ev = evaluate(facts, now.date(), now, NEW_YORK)
    assert ("call_cert_over_4h" in kinds(ev.actions)) is over
    said = [
        line for line in explain(facts, now.date(), now, NEW_YORK) if "Call Cert started" in line
    ]
    assert said and f": {hours} h by" in said[0], said
    assert ("over the 4-hour" if over else "within the 4-hour") in said[0]


@pytest.mark.parametrize(("hours", "due"), [(None, False), (8.0, False), (8.25, True), (40, True)])
def test_tbt_hours_over_eight(hours: float | None, due: bool) -> None:
    ev = run(START_FRI._replace(tbt_hours=hours), NOV[23])
    assert ("tbt_over_8h" in kinds(ev.actions)) is due
    done = run(START_FRI._replace(tbt_hours=hours, tbts_complete=True), NOV[23])
    assert "tbt_over_8h" not in kinds(done.actions)


def test_unreadable_timebox_values_are_reported_unchecked() -> None:
    facts = START_FRI._replace(unreadable=("call_cert_start", "tbt_hours"))
    ev = run(facts, NOV[23])
    assert ev.evaluable
    assert len(ev.unchecked) == 2
    assert "Call Cert Start cannot be read" in ev.unchecked[0]


# -- look-ahead --------------------------------------------------------------------------------


def test_look_ahead_over_a_weekend() -> None:
    facts = START_FRI._replace(esp_start=NOV[19])  # day 2 = Mon 11-23, day 3 = Tue 11-24
    for today in (NOV[20], NOV[21], NOV[22]):  # Friday, Saturday, Sunday
        ev = run(facts, today)
        assert ev.actions == ()
        assert kinds(ev.upcoming) == ["behind_target"]
        assert ev.upcoming[0].due == NOV[23]
    assert kinds(run(facts, NOV[23]).upcoming) == ["coaching"]


def test_nothing_is_upcoming_past_the_next_business_day() -> None:
    ev = run(START_FRI, NOV[20])
    assert ev.upcoming == ()  # target Tue 11-24 is two business days away


# -- access and SPOC -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("  learning   hub ISSUE ", "Learning Hub Issue"),
        ("PASSWORD RESET", "Password Reset"),
        ("No Citrix apps showing", "No Citrix Apps Showing"),
        ("No Issues", None),
        ("", None),
        (None, None),
        ("cannot locate tbt", "Cannot Locate TBT"),
        ("  Badge   problem ", "Badge problem"),
    ],
)
def test_normalise_access(text: str | None, canonical: str | None) -> None:
    assert normalise_access(text) == canonical


def spoc_case(**changes: object) -> AgentFacts:
    base = START_FRI._replace(
        citrix_access=" learning hub issue", n_number_requested=NOV[2]
    )  # 10-day point Tue 11-17
    return base._replace(**changes)  # type: ignore[arg-type]


def test_spoc_chase_in_order() -> None:
    today = NOV[23]
    ev = run(spoc_case(), today)
    assert ev.access_issue == "Learning Hub Issue"
    assert action(ev, ActionKind.CALL_SPOC) == (today, 0)
    assert action(ev, ActionKind.ADVISE_SPOC) == (NOV[17], 4)
    assert "callback_phone" not in kinds(ev.actions)

    called = run(spoc_case(spoc_called=NOV[18]), today)
    assert kinds(called.actions) == ["advise_spoc"]

    incident = run(spoc_case(spoc_called=NOV[18], incident_number=" INC0042 "), today)
    assert kinds(incident.actions) == ["callback_phone"]
    assert "INC0042" in incident.actions[0].detail

    done = spoc_case(spoc_called=NOV[18], incident_number="INC0042", callback_phone="555-0100")
    assert run(done, today).actions == ()


def test_callback_phone_is_needed_before_the_ten_day_point_too() -> None:
    ev = run(spoc_case(n_number_requested=NOV[20], incident_number="INC1"), NOV[23])
    assert "callback_phone" in kinds(ev.actions)
    assert "advise_spoc" not in kinds(ev.actions + ev.upcoming)


@pytest.mark.parametrize("issue", ["Cannot Locate TBT", "Equipment Issue", "Other", "No Issues"])
def test_other_access_issues_do_not_involve_spoc(issue: str) -> None:
    ev = run(spoc_case(citrix_access=issue), NOV[23])
    assert not {"call_spoc", "advise_spoc", "callback_phone"} & set(kinds(ev.actions))
    assert ev.spoc_ten_day_point is None


def test_spoc_without_a_request_date_is_unchecked_not_dropped() -> None:
    ev = run(spoc_case(n_number_requested=None), NOV[23])
    assert "call_spoc" in kinds(ev.actions)
    assert "Date of N Number Request is empty" in ev.unchecked[0]


def test_spoc_phone_comes_from_configuration() -> None:
    ev = evaluate(spoc_case(), NOV[23], datetime(2026, 11, 23, 17), CAL, spoc_phone="555-SPOC")
    assert all("555-SPOC" in a.detail for a in ev.actions if "spoc" in a.action)


# -- explain -------------------------------------------------------------------------------------


def test_explain_names_every_date_count_and_holiday() -> None:
    facts = START_FRI._replace(
        coaching_date=NOV[25],
        citrix_access="Password Reset",
        n_number_requested=NOV[9],
    )
    text = "\n".join(explain(facts, NOV[27], datetime(2026, 11, 27, 16), CAL))
    assert "the clock starts that day." in text
    assert (
        "Target, 2 business days after the clock start: Tue 11/24/2026, skipping 2 weekend days."
        in text
    )
    assert "Coaching: recorded Wed 11/25/2026." in text
    assert (
        "Written CAP: not recorded; due Fri 11/27/2026 (the business day after the coaching "
        "recorded Wed 11/25/2026, skipping Thu 11/26/2026 Thanksgiving Day): due today." in text
    )
    assert "recorded today, it would be due Mon 11/30/2026, skipping 2 weekend days." in text
    assert "skipping 4 weekend days and Wed 11/11/2026 Veterans Day" in text
    assert "12 business days have passed: the point is reached." in text
    assert "Stage: Written CAP due." in text
    assert "  Written CAP: due Fri 11/27/2026, due today" in text
    assert "  Advise agent to call SPOC: due Tue 11/24/2026, 2 business days overdue" in text


def test_explain_a_weekend_start_and_the_look_ahead() -> None:
    lines = explain(START_FRI._replace(esp_start=NOV[21]), NOV[26], datetime(2026, 11, 26), CAL)
    assert (
        "ESP Start Date Sat 11/21/2026 is not a business day (a weekend): the clock starts on "
        "the next one, Mon 11/23/2026."
    ) in lines
    assert "Falling due by the next business day, Fri 11/27/2026:" in lines


def test_explain_complete_and_not_evaluated() -> None:
    done = explain(
        START_FRI._replace(call_cert_complete=True, tbts_complete=True),
        NOV[30],
        datetime(2026, 11, 30),
        CAL,
    )
    assert done[-1].endswith("complete, so no further actions.")
    missing = "\n".join(
        explain(START_FRI._replace(esp_start=None), NOV[30], datetime(2026, 11, 30), CAL)
    )
    assert "ESP Start Date empty: no clock" in missing
    assert "Escalation ladder not evaluated: ESP Start Date is empty." in missing


# -- against an independent reference built on numpy's busday functions -------------------------

HOL = np.array(
    sorted(holidays.country_holidays("US", years=range(2025, 2029)).keys()), dtype="datetime64[D]"
)


def np_day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def np_offset(d: date, n: int, roll: Literal["forward", "backward"]) -> date:
    result = np.busday_offset(np_day(d), n, roll=roll, holidays=HOL).astype(object)
    assert isinstance(result, date)
    return result


def np_elapsed(a: date, b: date) -> int:
    if b < a:
        return -np_elapsed(b, a)
    return int(np.busday_count(np_day(a + ONE_DAY), np_day(b + ONE_DAY), holidays=HOL))


def reference(facts: AgentFacts, today: date) -> dict[str, object]:
    """docs/rules.md's rules for the ladder, target and SPOC point, written out plainly."""
    assert facts.esp_start is not None
    start = facts.esp_start
    target = np_offset(start, 2, "forward")
    recorded = [
        facts.coaching_date,
        facts.written_cap_date,
        facts.final_cap_date,
        facts.term_review_date,
    ]
    clock = np_offset(start, 0, "forward")
    # A step counts as delivered on its date: on or after the clock start and the step
    # before it, on or before today; the first step not counted is pending.
    pending: int | None = None
    floor = clock
    counted: list[date] = []
    for i, d in enumerate(recorded):
        if d is None or not floor <= d <= today:
            pending = i
            break
        counted.append(d)
        floor = d
    due: date | None = None
    if pending == 0:
        due = np_offset(start, 3, "forward")
    elif pending is not None:
        previous = counted[pending - 1]
        assert previous is not None
        due = np_offset(previous + ONE_DAY, 0, "forward")
    next_day = np_offset(today + ONE_DAY, 0, "forward")
    names = ["coaching", "written_cap", "final_cap", "term_review"]
    actions, upcoming = set(), set()
    for name, when in (
        (names[pending] if pending is not None else "", due),
        ("behind_target", target),
    ):
        if when is None:
            continue
        if when <= today:
            actions.add(name)
        elif when <= next_day:
            upcoming.add(name)
    if facts.n_number_requested is not None and not facts.incident_number:
        passed = np_elapsed(facts.n_number_requested, today)
        if passed >= 10:
            actions.add("advise_spoc")
        elif np_elapsed(facts.n_number_requested, next_day) >= 10:
            upcoming.add("advise_spoc")
    if today < clock:
        stage = "Not started"
    elif pending is None:
        stage = "Term review recorded"
    elif due is not None and due <= today:
        stage = ["Coaching", "Written CAP", "Final CAP", "Term review"][pending] + " due"
    elif pending > 0:
        stage = ["Coaching", "Written CAP", "Final CAP"][pending - 1] + " recorded"
    else:
        stage = "Behind target" if today >= target else "On track"
    return {
        "clock_start": clock,
        "target_date": target,
        "behind_target": today >= target,
        "pending_step": names[pending] if pending is not None else None,
        "pending_due": due,
        "business_days_overdue": np_elapsed(due, today) if due is not None else None,
        "actions": actions,
        "upcoming": upcoming,
        "stage": stage,
    }


def observed(ev: Evaluation) -> dict[str, object]:
    return {
        "clock_start": ev.clock_start,
        "target_date": ev.target_date,
        "behind_target": ev.behind_target,
        "pending_step": ev.pending_step.value if ev.pending_step else None,
        "pending_due": ev.pending_due,
        "business_days_overdue": ev.business_days_overdue,
        "actions": set(kinds(ev.actions)) - {"call_spoc"},
        "upcoming": set(kinds(ev.upcoming)),
        "stage": str(ev.stage),
    }


# Around Thanksgiving and Christmas/New Year 2026, weekends included.
starts = st.dates(min_value=date(2026, 11, 14), max_value=date(2027, 1, 8))
offsets = st.integers(min_value=-3, max_value=30)
maybe_offset = st.one_of(st.none(), offsets)


@st.composite
def agent_and_day(draw: st.DrawFn) -> tuple[AgentFacts, date]:
    start = draw(starts)
    today = start + timedelta(days=draw(st.integers(-4, 35)))
    # Realistic ladders (each step on or after the previous) and arbitrary ones alike.
    steps: list[date | None] = []
    if draw(st.booleans()):
        day = start + timedelta(days=draw(st.integers(2, 10)))
        for _ in LADDER:
            if draw(st.integers(0, 3)) == 0:
                break
            steps.append(day)
            day += timedelta(days=draw(st.integers(0, 5)))
        steps += [None] * (len(LADDER) - len(steps))
    else:
        steps = [
            None if (k := draw(maybe_offset)) is None else start + timedelta(days=k) for _ in LADDER
        ]
    requested = draw(st.one_of(st.none(), st.integers(-25, 5)))
    facts = AgentFacts(
        esp_start=start,
        call_cert_complete=draw(st.sampled_from([None, False, True])),
        tbts_complete=False,
        coaching_date=steps[0],
        written_cap_date=steps[1],
        final_cap_date=steps[2],
        term_review_date=steps[3],
        citrix_access="Password Reset",
        n_number_requested=None if requested is None else start + timedelta(days=requested),
        incident_number=draw(st.sampled_from([None, "INC7"])),
        callback_phone="555-0100",
    )
    return facts, today


@settings(max_examples=1500, deadline=None)
@given(case=agent_and_day())
def test_rules_match_the_numpy_reference(case: tuple[AgentFacts, date]) -> None:
    facts, today = case
    assert observed(run(facts, today)) == reference(facts, today)


@settings(max_examples=300, deadline=None)
@given(case=agent_and_day())
def test_explain_never_fails_and_ends_with_the_actions(case: tuple[AgentFacts, date]) -> None:
    facts, today = case
    lines = explain(facts, today, datetime.combine(today, time(12)), CAL)
    ev = run(facts, today, datetime.combine(today, time(12)))
    for a in ev.actions:
        assert any(line.startswith(f"  {ACTION_LABELS[a.action]}: due") for line in lines)
    assert f"Stage: {ev.stage}." in lines


# -- replaying a past day: a date after the as-of day does not hold yet (docs/rules.md) ---------


def test_a_spoc_call_after_the_as_of_day_is_not_a_call_yet() -> None:
    facts = START_FRI._replace(citrix_access="Password Reset", spoc_called=NOV[25])
    ev = run(facts, NOV[24])
    assert action(ev, ActionKind.CALL_SPOC) == (NOV[24], 0)
    assert "SPOC Called Date 11/25/2026 is after 11/24/2026: not called yet." in (
        ev.inconsistencies
    )
    assert ActionKind.CALL_SPOC not in kinds(run(facts, NOV[25]).actions)
    lines = explain(facts, NOV[24], datetime.combine(NOV[24], time(12)), CAL)
    assert any(line.startswith("SPOC Called Date empty: call SPOC") for line in lines)


def test_a_completion_dated_after_the_as_of_day_is_not_complete_yet() -> None:
    facts = START_FRI._replace(
        call_cert_complete=True,
        call_cert_date=NOV[23],
        tbts_complete=True,
        tbt_complete_date=NOV[25],
    )
    ev = run(facts, NOV[24])
    assert not ev.complete and ev.behind_target
    assert "TBT Complete Date 11/25/2026 is after 11/24/2026: not complete yet." in (
        ev.inconsistencies
    )
    assert kinds(ev.actions) == [ActionKind.BEHIND_TARGET]
    assert run(facts, NOV[25]).complete
    # A yes without a date stays a yes: nothing says when it became true.
    assert run(facts._replace(tbt_complete_date=None), NOV[24]).complete


DATED = ("spoc_called", "call_cert_date", "tbt_complete_date", *(s.column for s in LADDER))


@st.composite
def replay_case(draw: st.DrawFn) -> tuple[AgentFacts, date]:
    """An agent whose dated columns fall anywhere around the replayed day."""
    start = draw(starts)
    today = start + timedelta(days=draw(st.integers(-2, 25)))
    dated = {key: draw(st.one_of(st.none(), offsets.map(lambda k: start + timedelta(days=k))))
             for key in DATED}  # fmt: skip
    facts = AgentFacts(
        esp_start=start,
        call_cert_complete=draw(st.sampled_from([None, False, True])),
        tbts_complete=draw(st.sampled_from([None, False, True])),
        citrix_access=draw(st.sampled_from([None, "Password Reset", "Learning Hub Issue"])),
        n_number_requested=start - timedelta(days=draw(st.integers(0, 20))),
        incident_number=draw(st.sampled_from([None, "INC7"])),
        **dated,
    )
    return facts, today


def outcome(ev: Evaluation) -> tuple[object, ...]:
    """Everything an evaluation decides (not the lines that describe the data)."""
    return (
        ev.complete,
        ev.stage,
        ev.behind_target,
        ev.pending_step,
        ev.pending_due,
        ev.next_step_if_recorded_today,
        ev.actions,
        ev.upcoming,
        ev.unchecked,
    )


@settings(max_examples=300, deadline=None)
@given(case=replay_case())
def test_a_date_after_the_as_of_day_counts_as_not_recorded(case: tuple[AgentFacts, date]) -> None:
    facts, today = case
    blanked: dict[str, object] = {}
    for key in DATED:
        day = getattr(facts, key)
        if day is not None and day > today:
            blanked[key] = None
    for flag, dated in (("call_cert_complete", "call_cert_date"),
                        ("tbts_complete", "tbt_complete_date")):  # fmt: skip
        if dated in blanked and getattr(facts, flag) is True:
            blanked[flag] = False
    assert outcome(run(facts, today)) == outcome(run(facts._replace(**blanked), today))


@settings(max_examples=300, deadline=None)
@given(case=replay_case(), shift=st.integers(1, 60))
def test_nothing_dated_after_the_as_of_day_changes_it(
    case: tuple[AgentFacts, date], shift: int
) -> None:
    # Moving every later date further into the future changes nothing about that day.
    facts, today = case
    moved = {
        key: getattr(facts, key) + timedelta(days=shift)
        for key in DATED
        if getattr(facts, key) is not None and getattr(facts, key) > today
    }
    assert outcome(run(facts, today)) == outcome(run(facts._replace(**moved), today))


# -- many agents at once: alike agents share one evaluation -------------------------------------

# A few values for each fact, so that drawn agents are often alike in the facts a settled
# (complete, or unreadable completion) evaluation reads and differ in the others.
_FEW_DAYS = st.sampled_from([None, NOV[2], NOV[20], NOV[23], NOV[25], DEC[1]])
_COMPLETION = ("call_cert_complete", "tbts_complete")


_FIELDS: dict[str, st.SearchStrategy[object]] = {
    "esp_start": st.sampled_from([None, NOV[2], NOV[20], NOV[21]]),
    "call_cert_complete": st.sampled_from([None, False, True, True]),
    "call_cert_date": _FEW_DAYS,
    "tbts_complete": st.sampled_from([None, False, True, True]),
    "tbt_complete_date": _FEW_DAYS,
    "call_cert_start": st.sampled_from([None, datetime(2026, 11, 23, 9, 30)]),
    "tbt_hours": st.sampled_from([None, 3.0, 9.5]),
    "n_number_requested": st.sampled_from([None, NOV[2]]),
    # 1 and True are equal keys that read as different text ("1", "True").
    "citrix_access": st.sampled_from(
        [None, "Password Reset", "password  reset", "No Issues", 1, True]
    ),
    "spoc_called": _FEW_DAYS,
    "incident_number": st.sampled_from([None, "INC7"]),
    "coaching_date": _FEW_DAYS,
}
_UNREADABLE = st.lists(
    st.sampled_from([*_COMPLETION, "esp_start", "spoc_called", "coaching_date"]),
    unique=True,
    max_size=2,
).map(lambda keys: tuple(sorted(keys)))


def _readable_as(facts: AgentFacts) -> AgentFacts:
    # An unreadable cell reads as None, as facts_from_row gives it.
    return facts._replace(**dict.fromkeys(facts.unreadable))


@st.composite
def alike_agents(draw: st.DrawFn) -> list[AgentFacts]:
    """Agents that differ from a first one in a fact or two each: alike in all the facts a
    settled (complete, or unreadable completion) evaluation reads, or in all but one."""
    first = AgentFacts(
        **{key: draw(values) for key, values in _FIELDS.items()}, unreadable=draw(_UNREADABLE)
    )
    agents = [first]
    for _ in range(draw(st.integers(0, 10))):
        changes = draw(
            st.dictionaries(st.sampled_from([*_FIELDS, "unreadable"]), st.none(), max_size=2)
        )
        agents.append(
            first._replace(
                **{
                    key: draw(_UNREADABLE if key == "unreadable" else _FIELDS[key])
                    for key in changes
                },
            )
        )
    return [_readable_as(f) for f in agents]


@settings(max_examples=400, deadline=None)
@given(agents=alike_agents(), shift=st.integers(-2, 12))
def test_evaluate_all_is_evaluate_for_each_agent(agents: list[AgentFacts], shift: int) -> None:
    today = NOV[20] + timedelta(days=shift)
    now = datetime.combine(today, time(17))
    expected = [evaluate(f, today, now, CAL, spoc_phone="555-0100") for f in agents]
    assert evaluate_all(agents, today, now, CAL, spoc_phone="555-0100") == expected


def test_alike_complete_agents_share_one_evaluation() -> None:
    # A class: one ESP start, complete on different days, timeboxes and notes of their own.
    done = AgentFacts(esp_start=NOV[2], call_cert_complete=True, tbts_complete=True)
    agents = [
        done._replace(call_cert_date=NOV[5], tbt_complete_date=NOV[6], tbt_hours=3.0),
        done._replace(call_cert_date=NOV[9], call_cert_start=datetime(2026, 11, 9, 8)),
        done._replace(call_cert_date=NOV[25]),  # completed after the day: not complete yet
        done._replace(citrix_access=1),
        done._replace(citrix_access=True),
    ]
    first, second, later, one, true = evaluate_all(agents, NOV[20], datetime(2026, 11, 20), CAL)
    assert first is second and first.complete
    assert not later.complete and later is not first
    assert one.access_issue == "1" and true.access_issue == "True"
    # An unreadable completion settles it too; a later date's note still reads the flag.
    unsure = AgentFacts(esp_start=NOV[2], tbt_complete_date=NOV[25], unreadable=(_COMPLETION[0],))
    yes, no = evaluate_all(
        [unsure._replace(tbts_complete=True), unsure._replace(tbts_complete=False)],
        NOV[20],
        datetime(2026, 11, 20),
        CAL,
    )
    assert "not complete yet" in yes.inconsistencies[0]
    assert "not counted yet" in no.inconsistencies[0]


@settings(max_examples=400, deadline=None)
@given(agents=alike_agents(), shift=st.integers(-14, 30))
def test_behind_target_on_is_the_evaluation_s(agents: list[AgentFacts], shift: int) -> None:
    today = NOV[20] + timedelta(days=shift)
    now = datetime.combine(today, time(23, 59))
    for facts in agents:
        assert behind_target_on(facts, today, CAL) == evaluate(facts, today, now, CAL).behind_target


@settings(max_examples=300, deadline=None)
@given(case=agent_and_day())
def test_behind_target_on_matches_evaluate_on_the_reference_cases(
    case: tuple[AgentFacts, date],
) -> None:
    facts, today = case
    now = datetime.combine(today, time(23, 59))
    assert behind_target_on(facts, today, CAL) == evaluate(facts, today, now, CAL).behind_target


@given(
    st.sampled_from([True, False, None, "Yes"]),
    st.sampled_from([True, False, None]),
    st.none() | st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    st.none() | st.dates(date(2026, 1, 1), date(2026, 12, 31)),
)
def test_complete_from_is_the_later_completion_date(
    cert: object, tbts: object, cert_day: date | None, tbt_day: date | None
) -> None:
    """The later of the two dates; date.min when neither has one; None unless both are yes."""
    facts = AgentFacts(
        call_cert_complete=cert,  # type: ignore[arg-type]
        tbts_complete=tbts,  # type: ignore[arg-type]
        call_cert_date=cert_day,
        tbt_complete_date=tbt_day,
    )
    dated = [d for d in (cert_day, tbt_day) if d is not None]
    expected = max(dated, default=date.min) if cert is True and tbts is True else None
    assert complete_from(facts) == expected


# -- a Call Cert Start after the day replayed; the timebox near its limit ----------------------


def test_a_call_cert_start_after_the_day_replayed_has_not_happened_yet() -> None:
    """Replaying 12/01, a Call Cert Start of 12/02 09:00 is not counted (as any date after the
    day): no "-9.0 h" timebox, and a line saying why."""
    facts = START_FRI._replace(call_cert_start=datetime(2026, 12, 2, 9), tbts_complete=True)
    now = datetime.combine(DEC[1], time(23, 59))
    ev = evaluate(facts, DEC[1], now, CAL)
    assert ActionKind.CALL_CERT_OVER_4H not in kinds(ev.actions + ev.upcoming)
    assert "Call Cert Start 12/02/2026 09:00 is after 12/01/2026: not started yet." in (
        ev.inconsistencies
    )
    lines = explain(facts, DEC[1], now, CAL)
    assert not [ln for ln in lines if "-9" in ln], lines
    assert any("timebox starts when a Certifier connects" in ln for ln in lines), lines
    # On the day itself it counts as ever.
    ev = evaluate(facts, DEC[2], datetime(2026, 12, 2, 14), CAL)
    assert ActionKind.CALL_CERT_OVER_4H in kinds(ev.actions + ev.upcoming)


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(239, "3.9 h"), (240, "4.0 h"), (243, "4.1 h"), (242, "4.1 h"), (241, "4.1 h")],
)
def test_a_call_cert_within_its_timebox_never_reads_as_at_its_limit(
    minutes: int, shown: str
) -> None:
    """3 h 59 min reads 3.9 h (rounded it read "4.0 h (limit 4 h)", as if over it); over the
    limit, hours are rounded up, so that 4 h 02 min reads 4.1 h, never the 4.0 h of the limit."""
    start = datetime(2026, 11, 24, 9)
    now = start + timedelta(minutes=minutes)
    facts = START_FRI._replace(call_cert_start=start)
    (item,) = [
        a
        for a in evaluate(facts, NOV[24], now, CAL).actions
        + evaluate(facts, NOV[24], now, CAL).upcoming
        if a.action is ActionKind.CALL_CERT_OVER_4H
    ]
    assert f"not complete after {shown} (limit 4 h)" in item.detail
    assert any(f": {shown} by" in ln for ln in explain(facts, NOV[24], now, CAL))


def test_explain_counts_the_company_days_off_that_close_a_day() -> None:
    """A duplicate, a Saturday and Thanksgiving in company_days_off close nothing more: one
    company day off (Fri 11/27); a worked holiday that is no holiday opens nothing."""
    config = CalendarConfig(
        extra_days_off=(NOV[27], NOV[27], NOV[28], NOV[26]),
        working_holidays=(NOV[25], DEC[25]),
    )
    cal = BusinessCalendar(config)
    (line, *_) = explain(START_FRI, NOV[24], datetime(2026, 11, 24, 17), cal)
    assert line.endswith(
        "less US holidays, less 1 company day off, plus 1 holiday the company works."
    ), line
    assert cal.company_days_off() == [NOV[27]] and cal.holidays_worked() == [DEC[25]]


def test_settled_agents_share_an_evaluation_only_with_the_same_later_call_cert_start() -> None:
    """Two agents whose completion cannot be read share one evaluation, unless one's Call Cert
    Start falls after the day, which its evaluation names."""
    bad = AgentFacts(unreadable=("call_cert_complete",))
    later = bad._replace(call_cert_start=datetime(2026, 11, 23, 9, 30))
    now = datetime.combine(NOV[20], time(17))
    assert evaluate_all([bad, later], NOV[20], now, CAL) == [
        evaluate(bad, NOV[20], now, CAL),
        evaluate(later, NOV[20], now, CAL),
    ]


def test_explain_says_a_later_call_cert_start_is_not_started_then_not_empty() -> None:
    facts = START_FRI._replace(call_cert_start=datetime(2026, 12, 5, 9))
    lines = explain(facts, DEC[4], datetime.combine(DEC[4], time(23, 59)), CAL)
    assert (
        "Call Cert Start 12/05/2026 09:00 is after 12/04/2026: not started by then; the 4-hour "
        "timebox starts when a Certifier connects." in lines
    ), lines
    assert not [ln for ln in lines if ln.startswith("Call Cert Start empty")]


def test_a_holiday_the_company_lists_as_a_day_off_too_keeps_its_name() -> None:
    cal = BusinessCalendar(CalendarConfig(extra_days_off=(NOV[26], NOV[27])))
    assert cal.why_closed(NOV[26]) == "Thanksgiving Day"
    assert cal.why_closed(NOV[27]) == "a company day off"
    assert [n for _d, n in cal.holidays_between(NOV[26], NOV[27])] == [
        "Thanksgiving Day",
        "Company day off",
    ]


@pytest.mark.parametrize(
    "steps",
    [
        # (coaching, written CAP, final CAP, term review): a step dated before the one
        # before it, across Thanksgiving (Thu 11/26) and Christmas (Fri 12/25).
        (NOV[27], NOV[25], None, None),
        (NOV[25], NOV[30], NOV[27], None),
        (NOV[25], NOV[27], DEC[1], NOV[30]),
        (DEC[24], DEC[22], DEC[28], None),
        (DEC[28], DEC[23], None, DEC[29]),
        (None, NOV[27], NOV[25], None),
    ],
    ids=str,
)
@pytest.mark.parametrize("today", [NOV[30], DEC[1], DEC[28], DEC[31]], ids=str)
def test_a_ladder_out_of_order_matches_the_numpy_reference(
    steps: tuple[date | None, ...], today: date
) -> None:
    facts = START_FRI._replace(
        coaching_date=steps[0],
        written_cap_date=steps[1],
        final_cap_date=steps[2],
        term_review_date=steps[3],
    )
    assert observed(run(facts, today)) == reference(facts, today)


def test_explain_words_a_step_due_the_business_day_before_a_day_off_as_due_today() -> None:
    """On a company day off after the due day no business day has passed: "due today", as
    esp escalations says it (one phrase for both), never "due (0 business days overdue)"."""
    cal = BusinessCalendar(CalendarConfig(extra_days_off=(DEC[31],)))
    facts = AgentFacts(esp_start=DEC[14], coaching_date=DEC[21], written_cap_date=DEC[29])
    lines = explain(facts, DEC[31], datetime.combine(DEC[31], time(23, 59)), cal)
    text = "\n".join(lines)
    assert "0 business days overdue" not in text
    assert "recorded Tue 12/29/2026): due today." in text
    assert "  Final CAP: due Wed 12/30/2026, due today - " in text
    ev = evaluate(facts, DEC[31], datetime.combine(DEC[31], time(23, 59)), cal)
    assert ev.business_days_overdue == 0 and overdue_words(ev.business_days_overdue) == "due today"


def test_explain_names_a_start_on_a_company_day_off_as_every_line_does() -> None:
    cal = BusinessCalendar(CalendarConfig(extra_days_off=(DEC[24],)))
    lines = explain(AgentFacts(esp_start=DEC[24]), DEC[26], datetime(2026, 12, 26, 17), cal)
    assert any(
        "ESP Start Date Thu 12/24/2026 is not a business day (a company day off)" in line
        for line in lines
    ), lines


def test_steps_dated_before_they_were_due_count_and_are_explained_as_early() -> None:
    """Coaching, written and final CAP all typed on Thu 11/19 (start Mon 11/16): all count
    (term review due Fri 11/20), and the two dated before they were due are said so."""
    day = NOV[19]
    facts = AgentFacts(
        esp_start=NOV[16], coaching_date=day, written_cap_date=day, final_cap_date=day
    )
    now = datetime.combine(NOV[24], time(23, 59))
    ev = evaluate(facts, NOV[24], now, CAL)
    assert ev.pending_step is Step.TERM_REVIEW and ev.pending_due == NOV[20]
    assert [(e.step, e.due) for e in ev.early] == [
        (Step.WRITTEN_CAP, NOV[20]),
        (Step.FINAL_CAP, NOV[20]),
    ]
    lines = explain(facts, NOV[24], now, CAL)
    assert (
        "Early: Final CAP Date Thu 11/19/2026 is before the final CAP was due, Fri 11/20/2026 "
        "(the business day after the written CAP recorded 11/19/2026): counted as delivered "
        "early." in lines
    )
    # The day before they were typed, nothing was early yet.
    assert evaluate(facts, NOV[18], now, CAL).early == ()


def test_a_step_recorded_early_with_its_reason_is_not_pointed_out_again() -> None:
    line = note_line(NOV[18], "Jo Lead", Step.COACHING, None, early=(NOV[19], "asked"))
    facts = AgentFacts(esp_start=NOV[16], coaching_date=NOV[18], notes=f"old line\n{line}")
    now = datetime.combine(NOV[24], time(23, 59))
    assert evaluate(facts, NOV[24], now, CAL).early == ()
    # Another day's or another step's early line is not this one's.
    other = note_line(NOV[18], "Jo Lead", Step.WRITTEN_CAP, None, early=(NOV[19], "asked"))
    assert len(evaluate(facts._replace(notes=other), NOV[24], now, CAL).early) == 1


@pytest.mark.parametrize(
    "line",
    [
        "11/19/2026 - Jo Lead - Written CAP delivered; early  (due 11/20/2026): asked",
        "11/19/2026 - Jo Lead - Written CAP delivered; early\u00a0(due 11/20/2026): asked",
        "11/19/2026 - Jo Lead - written CAP delivered; early (due 11/20/2026): asked",
        "11/19/2026 - Jo Lead - Written CAP delivered; early (due 11/20/26): asked",
        "11/19/26 - Jo Lead - WRITTEN CAP delivered;  Early (Due 11/20/26):  asked",
    ],
)
def test_an_early_line_is_recognised_as_note_lines_are_compared_whatever_else_the_cell_holds(
    line: str,
) -> None:
    """A double or no-break space, the case of the step's name, a two-digit year: the line
    is the one esp record-step --early writes, also below another line of the cell."""
    first = "11/18/2026 - Jo Lead - Documented coaching delivered"
    facts = AgentFacts(
        esp_start=NOV[16], coaching_date=NOV[19], written_cap_date=NOV[19], notes=first
    )
    now = datetime.combine(NOV[24], time(23, 59))
    assert [e.step for e in evaluate(facts, NOV[24], now, CAL).early] == [Step.WRITTEN_CAP]
    noted = facts._replace(notes=f"{first}\n{line}")
    assert evaluate(noted, NOV[24], now, CAL).early == ()
    # Another due date is another line.
    wrong = noted._replace(notes=f"{first}\n{line.replace('11/20', '11/23')}")
    assert len(evaluate(wrong, NOV[24], now, CAL).early) == 1

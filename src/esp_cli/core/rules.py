"""The team's rules, as docs/rules.md states them: plain facts in, plain results out (pure).

`evaluate` turns one agent's facts into an Evaluation: completion, the target, the escalation
ladder's pending step, the access/SPOC chase and the timeboxes, with every action due as of
a date and those falling due on the next business day. `explain` says, in sentences, how each
of those was reached. Nothing here reads a file or knows about the command line.

Choices made where docs/rules.md is silent (each one kept in a single place below):

- Replaying a past day (docs/rules.md): every dated column holds only from its date. A ladder
  step, SPOC Called Date or completion date later than the as-of date counts as not yet
  recorded: a "Complete?" yes whose date is later is not complete yet (see `as_of`). Each
  such date is reported as an inconsistency (on a run for today it is a date in the future).
  A "Complete?" yes without a date stays complete: nothing says when it became true.
- A ladder step dated before the clock start (an earlier enrolment's date left in a re-hire's
  row, a year typed wrong) does not count as delivered either, and is reported as an
  inconsistency. So an agent whose clock has not started has no ladder action, and no step
  "if recorded today". Nor does a step dated before the step before it (on that day the
  step before was not delivered: it would have skipped it): it stays pending, due the
  business day after the step before it (docs/rules.md, the escalation ladder).
- Without a readable ESP Start Date, or with an unreadable step date, the ladder cannot be
  evaluated (`evaluable` is False and a `not_evaluated` action says why), but the rules that
  do not need it (target when the start is known, SPOC, timeboxes) still run. With an
  unreadable "Complete?" value nothing else runs while the agent may be complete (the other
  flag yes); when the other flag is readable and not yes, the agent is not complete
  whatever the cell holds, and the rules run (the unreadable flag's timebox unchecked).
- `call_spoc`, `callback_phone` and `tbt_over_8h` are due on the as-of date itself (0 days
  overdue): the tracker records no date for when the issue was chosen, the incident number
  arrived or the hours were passed, and counting from the ESP start would call the SME late
  for an issue that may have appeared this morning.
- Stages beyond docs/rules.md's: "Not started" before the clock starts, and "<step> recorded"
  while the next step is not yet due (written to Escalation Stage, so the sheet shows where
  the ladder stands).
- `callback_phone` is pending whenever an Incident Number is in without a Callback Phone,
  before the 10-day point too: the team fills every SPOC column "immediately".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from typing import Any, NamedTuple

from esp_cli.core.calendar import BusinessCalendar, elapsed, wall_after
from esp_cli.core.columns import BY_KEY
from esp_cli.core.figures import hours_against_limit
from esp_cli.core.model import ACCESS_VALUES, NO_ISSUES, SPOC_ISSUES, SPOC_PHONE
from esp_cli.core.notes import NOTE_DATE, NoteKind, folded, lines_of, note_day, parse_line

# -- the team's numbers (seed: "TBT SME Team Expectations") -------------------------------------

CALL_CERT_TIMEBOX = timedelta(hours=4)
TBT_HOURS_LIMIT = 8.0
TARGET_CLOCK_DAY = 2
COACHING_CLOCK_DAY = 3
SPOC_WAIT_BUSINESS_DAYS = 10


class Step(StrEnum):
    """The escalation ladder, in order. Each value is also the action's name."""

    COACHING = "coaching"
    WRITTEN_CAP = "written_cap"
    FINAL_CAP = "final_cap"
    TERM_REVIEW = "term_review"

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    @property
    def column(self) -> str:
        """The tracker column (and AgentFacts field) holding the step's recorded date."""
        return _STEP_COLUMNS[self]

    @property
    def header(self) -> str:
        return BY_KEY[self.column].header


# Asked for every step of every agent: made once.
_STEP_COLUMNS = {step: f"{step.value}_date" for step in Step}
_STEP_LABELS = {
    Step.COACHING: "coaching",
    Step.WRITTEN_CAP: "written CAP",
    Step.FINAL_CAP: "final CAP",
    Step.TERM_REVIEW: "term review",
}
LADDER: tuple[Step, ...] = tuple(Step)


class ActionKind(StrEnum):
    """Stable action names (JSON keys); actions are listed in this order."""

    COACHING = "coaching"
    WRITTEN_CAP = "written_cap"
    FINAL_CAP = "final_cap"
    TERM_REVIEW = "term_review"
    CALL_SPOC = "call_spoc"
    ADVISE_SPOC = "advise_spoc"
    CALLBACK_PHONE = "callback_phone"
    CALL_CERT_OVER_4H = "call_cert_over_4h"
    TBT_OVER_8H = "tbt_over_8h"
    BEHIND_TARGET = "behind_target"
    NOT_EVALUATED = "not_evaluated"
    # No rule's action: the day's list names with it an outstanding agent that has nothing
    # else listed but a rule that could not be checked (Evaluation.unchecked), as its table
    # does under the list.
    UNCHECKED = "unchecked"


ACTION_ORDER = {kind: i for i, kind in enumerate(ActionKind)}

# How each action reads in the Next Action column and in table titles.
ACTION_LABELS: dict[ActionKind, str] = {
    ActionKind.COACHING: "Documented coaching",
    ActionKind.WRITTEN_CAP: "Written CAP",
    ActionKind.FINAL_CAP: "Final CAP",
    ActionKind.TERM_REVIEW: "Term review",
    ActionKind.CALL_SPOC: "Call SPOC",
    ActionKind.ADVISE_SPOC: "Advise agent to call SPOC",
    ActionKind.CALLBACK_PHONE: "Get a callback phone",
    ActionKind.CALL_CERT_OVER_4H: "Call Cert over 4 h",
    ActionKind.TBT_OVER_8H: "TBT hours over 8",
    ActionKind.BEHIND_TARGET: "Behind target",
    ActionKind.NOT_EVALUATED: "Not evaluated",
    ActionKind.UNCHECKED: "Unchecked",
}


class Stage(StrEnum):
    """The short label written to the Escalation Stage column."""

    COMPLETE = "Complete"
    NOT_EVALUATED = "Not evaluated"
    NOT_STARTED = "Not started"
    ON_TRACK = "On track"
    BEHIND_TARGET = "Behind target"
    COACHING_DUE = "Coaching due"
    WRITTEN_CAP_DUE = "Written CAP due"
    FINAL_CAP_DUE = "Final CAP due"
    TERM_REVIEW_DUE = "Term review due"
    COACHING_RECORDED = "Coaching recorded"
    WRITTEN_CAP_RECORDED = "Written CAP recorded"
    FINAL_CAP_RECORDED = "Final CAP recorded"
    TERM_REVIEW_RECORDED = "Term review recorded"


_STAGE_DUE = {
    Step.COACHING: Stage.COACHING_DUE,
    Step.WRITTEN_CAP: Stage.WRITTEN_CAP_DUE,
    Step.FINAL_CAP: Stage.FINAL_CAP_DUE,
    Step.TERM_REVIEW: Stage.TERM_REVIEW_DUE,
}
_STAGE_RECORDED = {
    Step.COACHING: Stage.COACHING_RECORDED,
    Step.WRITTEN_CAP: Stage.WRITTEN_CAP_RECORDED,
    Step.FINAL_CAP: Stage.FINAL_CAP_RECORDED,
    Step.TERM_REVIEW: Stage.TERM_REVIEW_RECORDED,
}


# -- input and output ---------------------------------------------------------------------------


class AgentFacts(NamedTuple):
    """One agent's row as the rules need it, already parsed.

    A None is an empty cell. `unreadable` holds the column keys (see columns.py) whose cell
    had something that could not be understood; their field is None too. `uncalculated`
    holds those whose cell holds a formula whose result is not saved in the file: Excel
    shows a value there, esp has none to read, so they are in `unreadable` too (a completion
    flag never read as "no" for it) and the words say why.

    A named tuple, immutable as a frozen dataclass is: one is made for every agent of the
    tracker by each command that runs the rules, and a tuple is made six times faster
    (0.3 µs against 1.8 µs; 15 ms at 10,000 agents).
    """

    esp_start: date | None = None
    call_cert_complete: bool | None = None
    call_cert_date: date | None = None
    tbts_complete: bool | None = None
    tbt_complete_date: date | None = None
    call_cert_start: datetime | None = None
    tbt_hours: float | None = None
    n_number_requested: date | None = None
    citrix_access: str | None = None
    spoc_called: date | None = None
    incident_number: str | None = None
    callback_phone: str | None = None
    # The day of the search when the cell holds one in place of Yes: searched from then on.
    searched_course: bool | date | None = None
    coaching_date: date | None = None
    written_cap_date: date | None = None
    final_cap_date: date | None = None
    term_review_date: date | None = None
    # The Notes cell: a step recorded early with its reason (esp record-step --early) says
    # so there, and is not pointed out again (early_steps).
    notes: str | None = None
    unreadable: tuple[str, ...] = ()
    uncalculated: tuple[str, ...] = ()

    def step_date(self, step: Step) -> date | None:
        value = getattr(self, _STEP_COLUMNS[step])
        assert value is None or isinstance(value, date)
        return value


@dataclass(frozen=True, slots=True)
class Action:
    """Something to do for an agent. `business_days_overdue` is elapsed(due, as-of): 0 on
    the due date, negative for a look-ahead action (-1: due on the next business day)."""

    action: ActionKind
    due: date
    business_days_overdue: int
    detail: str


@dataclass(frozen=True, slots=True)
class ProjectedStep:
    """When a later ladder step would fall due if the pending one were recorded today."""

    step: Step
    due: date


@dataclass(frozen=True, slots=True)
class Evaluation:
    complete: bool
    # False when the escalation ladder could not be evaluated; `reason` says why.
    evaluable: bool
    reason: str | None
    stage: Stage
    clock_start: date | None
    target_date: date | None
    behind_target: bool
    pending_step: Step | None
    pending_due: date | None
    business_days_overdue: int | None  # elapsed(pending_due, as-of); negative before it
    next_step_if_recorded_today: ProjectedStep | None
    actions: tuple[Action, ...]  # due on or before the as-of date
    upcoming: tuple[Action, ...]  # falling due by the next business day after it
    access_issue: str | None  # the Citrix TBT Access choice, tidied; None for none
    spoc_ten_day_point: date | None  # add(Date of N Number Request, 10), for SPOC issues
    inconsistencies: tuple[str, ...]  # contradictions in the row, for the team to fix
    unchecked: tuple[str, ...]  # rules that could not be checked, and why
    # The ladder dates no day can hold (ladder_conflicts), of an agent whose ladder is
    # evaluated: each moves a step's due date, so every report says it.
    conflicts: tuple[LadderConflict, ...] = ()
    # The steps counted as delivered although dated before they were due (typed in Excel;
    # esp record-step wants --early for them), unless their Notes line gives the reason.
    early: tuple[EarlyStep, ...] = ()
    # The pending step, or a step after it, recorded on a day after the as-of day (a day
    # replayed): due then, delivered later (recorded_later_than).
    recorded_later: RecordedLater | None = None
    # Of the inconsistencies, those saying only that a date is after the as-of day (a day
    # replayed: not yet then; on today's run, a date in the future), and the day each names.
    after_day: tuple[str, ...] = ()
    after_day_on: tuple[date, ...] = ()

    def contradictions(self, read_on: date | None = None) -> tuple[str, ...]:
        """The inconsistencies for the team to fix: on a day replayed, without the dates
        after it that were recorded by `read_on` (the day the tracker is read: today), which
        are expected there ("not yet then"). A date after `read_on` too stays: a date still
        to come is a typo whatever the day replayed. None: every date after the day is
        expected (as `evaluate` takes it)."""
        expected = {
            t
            for t, on in zip(self.after_day, self.after_day_on, strict=True)
            if read_on is None or on <= read_on
        }
        return tuple(t for t in self.inconsistencies if t not in expected)


# -- small helpers ------------------------------------------------------------------------------


def fmt(day: date) -> str:
    """The team's date format (as in notes): MM/DD/YYYY."""
    return day.strftime("%m/%d/%Y")


def fmt_day(day: date) -> str:
    return day.strftime("%a ") + fmt(day)


def _header(key: str) -> str:
    return BY_KEY[key].header


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def normalise_access(text: str | None) -> str | None:
    """The Citrix TBT Access choice in its canonical spelling (case and spacing ignored);
    other text is kept, tidied. None for an empty cell or "No Issues"."""
    if text is None:
        return None
    tidy = " ".join(str(text).split())
    if not tidy:
        return None
    for choice in ACCESS_VALUES:
        if choice.casefold() == tidy.casefold():
            return None if choice == NO_ISSUES else choice
    return tidy


def _filled(text: str | None) -> bool:
    return text is not None and bool(str(text).strip())


def _previous(step: Step) -> Step | None:
    index = LADDER.index(step)
    return LADDER[index - 1] if index else None


def _following(step: Step) -> Step | None:
    index = LADDER.index(step)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


# -- the ladder ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ladder:
    recorded: dict[Step, date]  # steps delivered as of the as-of date
    pending: Step | None
    due: date | None
    inconsistencies: tuple[str, ...]
    # Of the inconsistencies, those saying only that a step is dated after the as-of day.
    after_day: tuple[str, ...] = ()
    after_day_on: tuple[date, ...] = ()


def _ladder(facts: AgentFacts, clock_start: date, today: date, cal: BusinessCalendar) -> _Ladder:
    recorded: dict[Step, date] = {}
    problems: list[str] = []
    after_day: list[str] = []
    after_day_on: list[date] = []
    for step in LADDER:
        day = facts.step_date(step)
        if day is None:
            continue
        if day < clock_start:
            problems.append(f"{_before_clock_start(step, day, facts, clock_start)}.")
            continue
        if day > today:
            after_day.append(
                f"{step.header} {fmt(day)} is after {fmt(today)}: not counted as delivered yet."
            )
            after_day_on.append(day)
            problems.append(after_day[-1])
            continue
        recorded[step] = day
    # In the ladder's order, a step counts only once every step before it does, and not
    # before the one just before it: on an earlier day that step was not delivered yet, so
    # this one would have skipped it. It is still pending, due from the step before it.
    counted: dict[Step, date] = {}
    for step, day in recorded.items():
        missing = [s for s in LADDER[: LADDER.index(step)] if s not in counted]
        if missing:
            skipped = missing[0]
            dated = facts.step_date(skipped)
            problems.append(
                f"{step.header} {fmt(day)} is recorded but "
                + (
                    f"{skipped.header} is not"
                    if dated is None
                    else f"{skipped.header} {fmt(dated)} is not counted"
                )
                + f": the ladder never skips a step, so the {skipped.label} is still pending."
            )
            continue
        before = _previous(step)
        if before is not None and day < counted[before]:
            conflict = LadderConflict(step, day, before, counted[before])
            problems.append(f"{conflict.text}: {conflict.effect}.")
            continue
        counted[step] = day
    recorded = counted
    pending = next((s for s in LADDER if s not in recorded), None)
    due: date | None = None
    if pending is Step.COACHING:
        due = cal.clock_day(clock_start, COACHING_CLOCK_DAY)
    elif pending is not None:
        before = _previous(pending)
        assert before is not None
        due = cal.next_business_day(recorded[before])
    return _Ladder(recorded, pending, due, tuple(problems), tuple(after_day), tuple(after_day_on))


def _before_clock_start(step: Step, day: date, facts: AgentFacts, clock_start: date) -> str:
    """'Coaching Date 11/19/2026 is before the clock start, Fri 11/20/2026 (ESP Start Date):
    not counted as delivered' (the ESP Start Date shown when the clock starts later)."""
    conflict = _clock_start_conflict(step, day, facts.esp_start, clock_start)
    return f"{conflict}: not counted as delivered"


def _clock_start_conflict(step: Step, day: date, esp_start: date | None, clock_start: date) -> str:
    shown = "" if esp_start is None or esp_start == clock_start else f" {fmt_day(esp_start)}"
    return (
        f"{step.header} {fmt(day)} is before the clock start, {fmt_day(clock_start)} "
        f"({_header('esp_start')}{shown})"
    )


@dataclass(frozen=True, slots=True)
class LadderConflict:
    """Two cells of one row the ladder cannot hold together, whatever the day: `step`'s
    recorded `day` is before `earlier_day`, the recorded date of a step before it
    (`earlier`), or the clock start when `earlier` is None (read from `esp_start`); or
    `step` is recorded while `earlier`, a step before it, is empty (`earlier_day` None: the
    ladder never skips a step)."""

    step: Step
    day: date
    earlier: Step | None
    earlier_day: date | None
    esp_start: date | None = None

    @property
    def skipped(self) -> bool:
        """Whether `earlier` is a step left empty before `step`."""
        return self.earlier is not None and self.earlier_day is None

    @property
    def earlier_key(self) -> str:
        """The column holding the other date (or the empty step): the step before, or the
        ESP Start Date."""
        return self.earlier.column if self.earlier is not None else "esp_start"

    @property
    def text(self) -> str:
        """'Written CAP Date 11/27/2026 is before Coaching Date 11/30/2026'."""
        if self.earlier is None:
            assert self.earlier_day is not None
            return _clock_start_conflict(self.step, self.day, self.esp_start, self.earlier_day)
        if self.earlier_day is None:
            return (
                f"{self.step.header} {fmt(self.day)} is recorded but {self.earlier.header} is "
                "empty (the ladder never skips a step)"
            )
        return (
            f"{self.step.header} {fmt(self.day)} is before {self.earlier.header} "
            f"{fmt(self.earlier_day)}"
        )

    @property
    def effect(self) -> str:
        """What the rules make of it: the step is not counted as delivered, or (a step
        skipped) the empty one is still pending."""
        if self.earlier is not None and self.earlier_day is None:
            return f"the {self.earlier.label} is still pending"
        return "not counted as delivered"

    @property
    def fix(self) -> str:
        """How to correct the row (the team corrects dates in Excel; esp never changes a
        recorded step)."""
        if self.earlier is None:
            return (
                f"correct the {self.step.header} in Excel if it was typed wrong, or clear the "
                "steps of an earlier enrolment (a step counts from the clock start on)"
            )
        if self.earlier_day is None:
            return (
                f"record the {self.earlier.label} if it was delivered (on or before "
                f"{fmt(self.day)}), or correct the {self.step.header} in Excel"
            )
        return (
            f"correct whichever of the {self.earlier.header} and the {self.step.header} is "
            "wrong in Excel (each step on or after the one before it)"
        )


def ladder_conflicts(facts: AgentFacts, cal: BusinessCalendar) -> tuple[LadderConflict, ...]:
    """The recorded step dates the ladder cannot hold, whatever the day replayed: a step
    dated before the clock start, or before the latest step in order before it (so every
    step dated before a step counted before it is named at once, not only the first); a
    step recorded while one before it is empty (said once, on the first step recorded after
    the gap). A date that cannot be read is not compared (it is reported as unreadable)."""
    start = clock_start(facts, cal)
    found: list[LadderConflict] = []
    # The latest step in order so far: a step out of order is before it (or before the
    # clock start), so the steps after are compared with this one still.
    prior: tuple[Step, date] | None = None
    gap: Step | None = None  # the first step left empty since then
    for step in LADDER:
        day = facts.step_date(step)
        if day is None:
            if gap is None and step.column not in facts.unreadable:
                gap = step
            continue
        if start is not None and day < start:
            found.append(LadderConflict(step, day, None, start, facts.esp_start))
            continue
        if prior is not None and day < prior[1]:
            found.append(LadderConflict(step, day, *prior))
        else:
            prior = (step, day)
        if gap is not None:
            found.append(LadderConflict(step, day, gap, None))
            gap = None
    return tuple(found)


# The words a step recorded before it was due carries in its Notes line (esp record-step
# --early): "Written CAP delivered; early (due 11/20/2026): reason".
NOTE_PREFIX: dict[Step, str] = {
    Step.COACHING: "Coaching",
    Step.WRITTEN_CAP: "Written CAP",
    Step.FINAL_CAP: "Final CAP",
    Step.TERM_REVIEW: "Term review",
}
DEFAULT_NOTES: dict[Step, str] = {
    Step.COACHING: "Documented coaching delivered",
    Step.WRITTEN_CAP: "Written CAP delivered",
    Step.FINAL_CAP: "Final CAP delivered",
    Step.TERM_REVIEW: "Term review: the agent may be termed",
}


def early_mark(due: date, reason: str) -> str:
    """What a step's Notes line adds when it is recorded before `due`."""
    return f"; early (due {fmt(due)}): {' '.join(reason.split())}"


@dataclass(frozen=True, slots=True)
class EarlyStep:
    """A step counted as delivered on `day`, before it was due on `due`: the coaching before
    clock day 3, a later step before the business day after the step before it (`earlier`,
    recorded `earlier_day`). It counts (the team may deliver a step early); it is pointed
    out, since esp record-step records one only with --early and a reason."""

    step: Step
    day: date
    due: date
    earlier: Step | None
    earlier_day: date | None

    @property
    def text(self) -> str:
        """'Written CAP Date Thu 11/19/2026 is before the written CAP was due, Fri 11/20/2026
        (the business day after the coaching recorded 11/19/2026): counted as delivered
        early'."""
        if self.earlier is None or self.earlier_day is None:
            basis = f"{_plural(COACHING_CLOCK_DAY, 'business day')} after the clock start"
        else:
            basis = (
                f"the business day after the {self.earlier.label} recorded {fmt(self.earlier_day)}"
            )
        return (
            f"{self.step.header} {fmt_day(self.day)} is before the {self.step.label} was due, "
            f"{fmt_day(self.due)} ({basis}): counted as delivered early"
        )

    @property
    def fix(self) -> str:
        line = f"{fmt(self.day)} - Your Name - {DEFAULT_NOTES[self.step]}"
        return (
            f"if the {self.step.label} was delivered early, add the Notes line esp record-step "
            f"--early writes, '{line}{early_mark(self.due, 'why')}', and it is not pointed out "
            f"again; else correct the {self.step.header} in Excel"
        )


# The mark as notes are compared (core/notes.folded), its date read as any note date.
_EARLY_MARK = re.compile(rf"; early \(due {NOTE_DATE}\):")


def _noted_early(notes: str | None, step: Step, day: date, due: date) -> bool:
    """Whether the Notes cell has the line esp record-step --early writes for `step` on
    `day`: dated that day, naming the step and 'early (due <due>)', read as esp reads every
    note line (spacing and case aside, dates as MM/DD/YYYY or M/D/YY)."""
    if not notes:
        return False
    starts = (folded(NOTE_PREFIX[step]), folded(DEFAULT_NOTES[step]))
    for line in lines_of(notes):
        parsed = parse_line(NoteKind.NOTES, line)
        if not parsed or parsed.day != day:
            continue
        text = folded(parsed.text)
        if not text.startswith(starts):
            continue
        if any(note_day(m.group(1)) == due for m in _EARLY_MARK.finditer(text)):
            return True
    return False


def early_steps(
    facts: AgentFacts, recorded: dict[Step, date], clock_start: date, cal: BusinessCalendar
) -> tuple[EarlyStep, ...]:
    """The steps of `recorded` (those counted, in the ladder's order) dated before they
    were due, but for one whose Notes line gives the --early reason."""
    found: list[EarlyStep] = []
    before: tuple[Step, date] | None = None
    for step in LADDER:
        day = recorded.get(step)
        if day is None:
            break
        if before is None:
            due = cal.clock_day(clock_start, COACHING_CLOCK_DAY)
        else:
            due = cal.next_business_day(before[1])
        if day < due and not _noted_early(facts.notes, step, day, due):
            found.append(EarlyStep(step, day, due, *(before or (None, None))))
        before = (step, day)
    return tuple(found)


def ladder_early(facts: AgentFacts, cal: BusinessCalendar) -> tuple[EarlyStep, ...]:
    """early_steps whatever the day replayed: the steps in order from the first, each on or
    after the clock start and the step before (the ones ladder_conflicts names are not)."""
    start = clock_start(facts, cal)
    if start is None:
        return ()
    recorded: dict[Step, date] = {}
    latest = start
    for step in LADDER:
        day = facts.step_date(step)
        if day is None or day < latest:
            break
        recorded[step] = latest = day
    return early_steps(facts, recorded, start, cal)


class OrderProblem(NamedTuple):
    """Why a step cannot be recorded in the ladder's order, and the fix that fits it."""

    text: str
    fix: str


def recorded_after(step: Step, recorded: date, day: date) -> str:
    """A step recorded on a day after `day` (a round for an earlier day, a date given): the
    row is right — the step came later — and esp does not record it again for `day`."""
    return f"the {step.label} is already recorded on {fmt(recorded)}, after {day:%a} {fmt(day)}"


class RecordedLater(NamedTuple):
    """A ladder step recorded on a day after the day replayed: due then, delivered later."""

    step: Step
    on: date


def recorded_later_than(
    facts: AgentFacts, step: Step, day: date, read_on: date | None = None
) -> RecordedLater | None:
    """`step`, or the first step after it, recorded on a day after `day`; None when none is.
    `read_on`: the day the tracker is read (today): a date after it is still to come, a
    date typed wrong, not a step recorded later (None: any date after `day` is one)."""
    for s in LADDER[LADDER.index(step) :]:
        recorded = facts.step_date(s)
        if recorded is not None and recorded > day and (read_on is None or recorded <= read_on):
            return RecordedLater(s, recorded)
    return None


def recorded_later_words(later: RecordedLater, day: date, pending: Step | None = None) -> str:
    """'recorded 11/27/2026, after Wed 11/25: not yet then', said beside the `pending`
    step's line of a day replayed (`day`); 'written CAP recorded …' when the step recorded
    later is another (a step after it), or no step's line is beside it."""
    said = f"recorded {fmt(later.on)}"
    if later.step is not pending:
        said = f"{later.step.label} {said}"
    return f"{said}, after {day:%a %m/%d}: not yet then"


def step_order_error(facts: AgentFacts, step: Step, on: date | None = None) -> OrderProblem | None:
    """Why recording `step` (on date `on`, if given) would break the ladder's order, or None.

    Every earlier step must have a readable recorded date, no later than `on`.
    """
    for earlier in LADDER[: LADDER.index(step)]:
        if earlier.column in facts.unreadable:
            return OrderProblem(
                f"{step.label} cannot be recorded: the {earlier.header} "
                f"{_cannot(facts, earlier.column)} (fix that cell first)",
                f"correct the {earlier.header} in Excel (esp doctor shows what it holds)",
            )
        day = facts.step_date(earlier)
        if day is None:
            return OrderProblem(
                f"{step.label} cannot be recorded before the {earlier.label} "
                f"({earlier.header} is empty)",
                f"record the {earlier.label} first (the ladder never skips a step)",
            )
        if on is not None and on < day:
            return OrderProblem(
                f"{step.label} cannot be recorded on {fmt(on)}, before the {earlier.label} "
                f"recorded {fmt(day)}",
                f"give the date the {step.label} was delivered (--date, on or after "
                f"{fmt(day)}), or correct the {earlier.header} in Excel if it is wrong",
            )
    return None


def step_due(facts: AgentFacts, step: Step, cal: BusinessCalendar) -> date | None:
    """The day `step` falls due by the ladder's timing: the coaching on clock day 3, a later
    step the business day after the one before it was recorded. None when that cannot be
    told (no readable ESP Start Date, the step before not recorded)."""
    before = _previous(step)
    if before is None:
        if facts.esp_start is None or "esp_start" in facts.unreadable:
            return None
        return cal.clock_day(facts.esp_start, COACHING_CLOCK_DAY)
    recorded = facts.step_date(before)
    return None if recorded is None else cal.next_business_day(recorded)


def step_due_basis(step: Step, facts: AgentFacts) -> str:
    """Why `step` falls due when step_due says (for messages)."""
    before = _previous(step)
    if before is None:
        return f"{COACHING_CLOCK_DAY} business days after the ESP Start Date"
    recorded = facts.step_date(before)
    when = f" recorded {fmt(recorded)}" if recorded else ""
    return f"the business day after the {before.label}{when}"


# -- replaying a past day -----------------------------------------------------------------------

# A past day is evaluated at its end: timeboxes (the 4-hour Call Cert) are measured at 23:59,
# so a replay of that day is complete and the same on every run.
END_OF_DAY = time(23, 59)

_COMPLETION_KEYS = ("call_cert_complete", "tbts_complete")
# A completion flag and the column that dates it.
_COMPLETION_DATES = (
    ("call_cert_complete", "call_cert_date"),
    ("tbts_complete", "tbt_complete_date"),
)


def done_by(flag: object, when: object, today: date) -> bool:
    """Is a "Complete?" yes on `today`: yes, and not dated after it."""
    return flag is True and not (isinstance(when, date) and when > today)


def complete_from(facts: AgentFacts) -> date | None:
    """The first day the agent is complete when a day is replayed (done_by, for both flags):
    the later of the two completion dates; date.min when a yes has no date (complete on
    every day: nothing says when it became true); None when the two are not both yes."""
    if facts.call_cert_complete is not True or facts.tbts_complete is not True:
        return None
    cert, tbts = facts.call_cert_date, facts.tbt_complete_date  # asked for every agent
    if cert is None or tbts is None:
        return cert or tbts or date.min
    return cert if cert >= tbts else tbts


def clock_start(facts: AgentFacts, cal: BusinessCalendar) -> date | None:
    """Clock day 0: the first business day on or after a readable ESP Start Date (None
    without one)."""
    if facts.esp_start is None or "esp_start" in facts.unreadable:
        return None
    return cal.first_business_day_on_or_after(facts.esp_start)


def completion_unknown(facts: AgentFacts) -> str | None:
    """Why the agent may be complete though the tracker does not say so: a "Complete?" cell
    that cannot be read while every one that can be read says yes (`facts` as of the day:
    see as_of). None when completion is known: complete, or not complete because a readable
    flag is not yes, whatever the unreadable one holds (DOMAIN: complete is both yes)."""
    unreadable = facts.unreadable
    if not unreadable or not any(k in unreadable for k in _COMPLETION_KEYS):
        return None  # nearly every row: nothing unreadable
    if any(k not in unreadable and getattr(facts, k) is not True for k in _COMPLETION_KEYS):
        return None
    return _unreadable_reason(facts, _COMPLETION_KEYS)


def behind_target_on(facts: AgentFacts, today: date, cal: BusinessCalendar) -> bool:
    """`evaluate(facts, today, ...).behind_target` alone (for a figure counted on many days):
    known not complete on `today` (done_by, as `as_of` reads the completion dates; see
    completion_unknown) and at or past the target day."""
    cert = done_by(facts.call_cert_complete, facts.call_cert_date, today)
    tbts = done_by(facts.tbts_complete, facts.tbt_complete_date, today)
    if cert and tbts:
        return False
    unreadable = facts.unreadable
    if unreadable and any(k in unreadable for k in _COMPLETION_KEYS):
        known_open = ("call_cert_complete" not in unreadable and not cert) or (
            "tbts_complete" not in unreadable and not tbts
        )
        if not known_open:
            return False  # the agent may be complete: nothing is claimed
    start = clock_start(facts, cal)
    return start is not None and today >= cal.clock_day(start, TARGET_CLOCK_DAY)


def as_of(facts: AgentFacts, today: date) -> tuple[AgentFacts, tuple[str, ...]]:
    """The facts as they stood on `today`: a SPOC Called Date or completion date after it is
    not recorded yet (and its "Complete?" not yes yet), a Call Cert Start after it has not
    happened yet, a day of the search in Searched by Course Number after it is not searched
    yet, with one line saying so for each. Ladder step dates are left to _ladder,
    which treats them the same way."""
    then, notes, _ = _as_of(facts, today)
    return then, notes


def _as_of(facts: AgentFacts, today: date) -> tuple[AgentFacts, tuple[str, ...], tuple[date, ...]]:
    """as_of, with the day each line names."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    days: list[date] = []
    started = facts.call_cert_start
    if started is not None and started.date() > today:
        changes["call_cert_start"] = None
        days.append(started.date())
        notes.append(
            f"{_header('call_cert_start')} {fmt(started)} {started:%H:%M} is after "
            f"{fmt(today)}: not started yet."
        )
    called = facts.spoc_called
    if called is not None and called > today:
        changes["spoc_called"] = None
        days.append(called)
        notes.append(
            f"{_header('spoc_called')} {fmt(called)} is after {fmt(today)}: not called yet."
        )
    searched = facts.searched_course
    if isinstance(searched, date) and searched > today:
        changes["searched_course"] = False
        days.append(searched)
        notes.append(
            f"{_header('searched_course')} {fmt(searched)} is after {fmt(today)}: not searched yet."
        )
    for flag, dated in _COMPLETION_DATES:
        day = getattr(facts, dated)
        if day is None or day <= today:
            continue
        changes[dated] = None
        days.append(day)
        if getattr(facts, flag) is True:
            changes[flag] = False
            notes.append(f"{_header(dated)} {fmt(day)} is after {fmt(today)}: not complete yet.")
        else:
            notes.append(f"{_header(dated)} {fmt(day)} is after {fmt(today)}: not counted yet.")
    if not changes:
        return facts, (), ()
    return facts._replace(**changes), tuple(notes), tuple(days)


# -- evaluate ------------------------------------------------------------------------------------


class _Actions:
    """Collects actions: those due as of `today`, and those falling due by the next
    business day (the look-ahead)."""

    def __init__(self, today: date, cal: BusinessCalendar) -> None:
        self.today = today
        self.cal = cal
        self.next_day = cal.next_business_day(today)
        self.due: list[Action] = []
        self.upcoming: list[Action] = []

    def add(self, kind: ActionKind, due: date, detail: str, *, is_due: bool | None = None) -> None:
        """File an action due on `due`. `is_due` overrides the date test, for a timebox that
        runs out at a time of day rather than on a date."""
        if is_due is None:
            is_due = due <= self.today
        action = Action(kind, due, self.cal.elapsed(due, self.today), detail)
        if is_due:
            self.due.append(action)
        elif due <= self.next_day:
            self.upcoming.append(action)

    @staticmethod
    def ordered(actions: Iterable[Action]) -> tuple[Action, ...]:
        return tuple(sorted(actions, key=lambda a: (ACTION_ORDER[a.action], a.due)))


# A cell read as empty for it holds a formula whose result is not saved in the file (a
# workbook written by a program and never saved by Excel, which shows the result).
FORMULA_WITHOUT_RESULT = "holds a formula whose result is not saved in the file"


def why_missing(key: str, unreadable: Iterable[str], uncalculated: Iterable[str]) -> str:
    """Why a cell the rules need gives no value: 'cannot be read', its formula's result
    not saved (and the fix), or 'is empty'."""
    if key in uncalculated:  # unreadable too, as the rules read it (services.facts)
        return f"{FORMULA_WITHOUT_RESULT} (open the tracker in Excel and save it)"
    if key in unreadable:
        return "cannot be read"
    return "is empty"


def _cannot(facts: AgentFacts, key: str) -> str:
    """Why an unreadable cell of the rules gives no value: 'cannot be read', or its
    formula's result is not saved in the file (and the fix)."""
    return why_missing(key, facts.unreadable, facts.uncalculated)


def _unreadable_reason(facts: AgentFacts, keys: Iterable[str]) -> str | None:
    if not facts.unreadable:
        return None  # nearly every row: nothing to look up
    bad = [k for k in keys if k in facts.unreadable]
    if not bad:
        return None
    return "; ".join(f"{_header(k)} {_cannot(facts, k)}" for k in bad)


def _ladder_blocked(facts: AgentFacts, start_known: bool) -> str | None:
    """Why the escalation ladder cannot be evaluated, or None when it can."""
    reasons = []
    if not start_known:
        empty = f"{_header('esp_start')} {why_missing('esp_start', (), facts.uncalculated)}"
        reasons.append(_unreadable_reason(facts, ("esp_start",)) or empty)
    steps = _unreadable_reason(facts, (step.column for step in LADDER))
    if steps:
        reasons.append(steps)
    return "; ".join(reasons) or None


def evaluate(
    facts: AgentFacts,
    today: date,
    now: datetime,
    cal: BusinessCalendar,
    *,
    spoc_phone: str = SPOC_PHONE,
    read_on: date | None = None,
) -> Evaluation:
    """Apply the rules to one agent as of `today`; `now` is the moment the Call Cert timebox
    is measured at (clock hours). Dates after `today` do not count yet (see as_of). `read_on`:
    the day the tracker is read (today), when `today` is a day replayed: a ladder step dated
    after `today` and by `read_on` was recorded later (recorded_later); one after `read_on`
    is a date still to come (None: every date after `today` is recorded later)."""
    recorded = facts
    facts, later, later_on = _as_of(facts, today)
    access = normalise_access(facts.citrix_access)
    found = _Actions(today, cal)
    unchecked: list[str] = []

    completion_unreadable = completion_unknown(facts)
    complete = (
        completion_unreadable is None
        and facts.call_cert_complete is True
        and facts.tbts_complete is True
    )
    start = clock_start(facts, cal)
    start_known = start is not None
    target = None if start is None else cal.clock_day(start, TARGET_CLOCK_DAY)

    if complete or completion_unreadable:
        # A complete agent has no further actions; one whose completion cannot be read
        # might be complete, so nothing else is claimed about them.
        if completion_unreadable:
            found.add(ActionKind.NOT_EVALUATED, today, completion_unreadable)
        return Evaluation(
            complete=complete,
            evaluable=complete,
            reason=completion_unreadable,
            stage=Stage.COMPLETE if complete else Stage.NOT_EVALUATED,
            clock_start=start,
            target_date=target,
            behind_target=False,
            pending_step=None,
            pending_due=None,
            business_days_overdue=None,
            next_step_if_recorded_today=None,
            actions=_Actions.ordered(found.due),
            upcoming=(),
            access_issue=access,
            spoc_ten_day_point=None,
            inconsistencies=later,
            unchecked=(),
            after_day=later,
            after_day_on=later_on,
        )

    # Target: from clock day 2 on, an incomplete agent is behind.
    behind = target is not None and today >= target
    if target is not None:
        found.add(
            ActionKind.BEHIND_TARGET,
            target,
            f"not complete within the {TARGET_CLOCK_DAY}-day target ({fmt(target)})",
        )

    # Escalation ladder: it needs the clock and every step date.
    reason = _ladder_blocked(facts, start_known)
    ladder: _Ladder | None = None
    overdue: int | None = None
    projected: ProjectedStep | None = None
    if reason is not None:
        found.add(ActionKind.NOT_EVALUATED, today, f"escalation not evaluated: {reason}")
    else:
        assert start is not None
        ladder = _ladder(facts, start, today, cal)
        if ladder.pending is not None and ladder.due is not None:
            overdue = cal.elapsed(ladder.due, today)
            found.add(ActionKind(ladder.pending.value), ladder.due, _step_detail(ladder))
            after = _following(ladder.pending)
            if after is not None and today >= start:
                projected = ProjectedStep(after, cal.next_business_day(today))

    spoc_point = _access_actions(facts, access, found, unchecked, spoc_phone)
    _timebox_actions(facts, now, found, unchecked, cal.config.zone)

    return Evaluation(
        complete=False,
        evaluable=reason is None,
        reason=reason,
        stage=_stage(today, start, behind, ladder),
        clock_start=start,
        target_date=target,
        behind_target=behind,
        pending_step=ladder.pending if ladder else None,
        pending_due=ladder.due if ladder else None,
        business_days_overdue=overdue,
        next_step_if_recorded_today=projected,
        actions=_Actions.ordered(found.due),
        upcoming=_Actions.ordered(found.upcoming),
        access_issue=access,
        spoc_ten_day_point=spoc_point,
        inconsistencies=later + (ladder.inconsistencies if ladder else ()),
        after_day=later + (ladder.after_day if ladder else ()),
        after_day_on=later_on + (ladder.after_day_on if ladder else ()),
        unchecked=tuple(unchecked),
        conflicts=ladder_conflicts(facts, cal) if ladder and ladder.inconsistencies else (),
        early=early_steps(facts, ladder.recorded, start, cal) if ladder and start else (),
        recorded_later=(
            recorded_later_than(recorded, ladder.pending, today, read_on)
            if ladder and ladder.pending
            else None
        ),
    )


def evaluate_all(
    facts: Iterable[AgentFacts],
    today: date,
    now: datetime,
    cal: BusinessCalendar,
    *,
    spoc_phone: str = SPOC_PHONE,
    read_on: date | None = None,
) -> list[Evaluation]:
    """`evaluate` for each agent, in order. Agents whose evaluation is settled by their
    completion (complete, or a completion cell unreadable) and who are alike in every fact
    that evaluation reads (see _settled_key: a class shares its ESP start, most of a
    tracker is complete) share one Evaluation, made once."""
    settled: dict[tuple[Any, ...], Evaluation] = {}
    out = []
    for one in facts:
        key = _settled_key(one, today)
        if key is None:
            out.append(evaluate(one, today, now, cal, spoc_phone=spoc_phone, read_on=read_on))
            continue
        ev = settled.get(key)
        if ev is None:
            ev = settled[key] = evaluate(
                one, today, now, cal, spoc_phone=spoc_phone, read_on=read_on
            )
        out.append(ev)
    return out


def _settled_key(facts: AgentFacts, today: date) -> tuple[Any, ...] | None:
    """Every fact `evaluate` reads for an agent whose completion settles the evaluation (its
    early return), or None when the rest of the rules run. Read there: the completion flags
    and unreadable cells, each date `as_of` finds after `today` (it names them), the ESP
    start (clock and target) and the access choice; nothing else (no `now`, no SPOC phone)."""
    unreadable = facts.unreadable
    cert_day, tbt_day, called = facts.call_cert_date, facts.tbt_complete_date, facts.spoc_called
    started = facts.call_cert_start
    cert_later = cert_day if cert_day is not None and cert_day > today else None
    tbt_later = tbt_day if tbt_day is not None and tbt_day > today else None
    cert_yes = facts.call_cert_complete is True and cert_later is None
    tbts_yes = facts.tbts_complete is True and tbt_later is None
    settled = (cert_yes and tbts_yes) or (
        # completion_unknown of the facts as of `today`: an unreadable flag, the others yes
        unreadable
        and any(k in unreadable for k in _COMPLETION_KEYS)
        and ("call_cert_complete" in unreadable or cert_yes)
        and ("tbts_complete" in unreadable or tbts_yes)
    )
    if not settled:
        return None
    access = facts.citrix_access
    return (
        facts.call_cert_complete is True,  # the rules ask only whether each flag is yes
        facts.tbts_complete is True,
        cert_later,
        tbt_later,
        called if called is not None and called > today else None,
        started if started is not None and started.date() > today else None,
        facts.esp_start,
        access.__class__,  # read as str(access): the equal 1 and True read apart
        access,
        unreadable,
    )


def _stage(today: date, clock_start: date | None, behind: bool, ladder: _Ladder | None) -> Stage:
    if ladder is None or clock_start is None:
        return Stage.NOT_EVALUATED
    if today < clock_start:
        return Stage.NOT_STARTED
    if ladder.pending is None:
        return Stage.TERM_REVIEW_RECORDED
    if ladder.due is not None and ladder.due <= today:
        return _STAGE_DUE[ladder.pending]
    before = _previous(ladder.pending)
    if before is not None:
        return _STAGE_RECORDED[before]
    return Stage.BEHIND_TARGET if behind else Stage.ON_TRACK


def _step_detail(ladder: _Ladder) -> str:
    step = ladder.pending
    assert step is not None and ladder.due is not None
    if step is Step.COACHING:
        return (
            "deliver the documented coaching "
            f"(not complete after {COACHING_CLOCK_DAY} business days)"
        )
    before = _previous(step)
    assert before is not None
    since = f"the business day after the {before.label} recorded {fmt(ladder.recorded[before])}"
    if step is Step.TERM_REVIEW:
        return f"term review: the agent may be termed ({since})"
    return f"deliver the {step.label} ({since})"


def _access_actions(
    facts: AgentFacts,
    access: str | None,
    found: _Actions,
    unchecked: list[str],
    spoc_phone: str,
) -> date | None:
    """The SPOC chase for an incomplete agent; returns the 10-business-day point if known."""
    if access not in SPOC_ISSUES:
        return None
    today, cal = found.today, found.cal
    if facts.spoc_called is None:
        if "spoc_called" in facts.unreadable:
            unchecked.append(
                f"{_header('spoc_called')} {_cannot(facts, 'spoc_called')}: is SPOC called?"
            )
        else:
            found.add(
                ActionKind.CALL_SPOC,
                today,
                f"call SPOC {spoc_phone} about the {access} and record the SPOC Called Date",
            )
    incident_in = _filled(facts.incident_number)
    point: date | None = None
    if facts.n_number_requested is not None:
        point = cal.add(facts.n_number_requested, SPOC_WAIT_BUSINESS_DAYS)
        if not incident_in:
            found.add(
                ActionKind.ADVISE_SPOC,
                point,
                f"{SPOC_WAIT_BUSINESS_DAYS} business days since the N Number request "
                f"({fmt(facts.n_number_requested)}): advise the agent to call SPOC {spoc_phone}, "
                "get an Incident Number and leave a working callback phone",
            )
    elif not incident_in:
        why = why_missing("n_number_requested", facts.unreadable, facts.uncalculated)
        unchecked.append(
            f"{_header('n_number_requested')} {why}: the {SPOC_WAIT_BUSINESS_DAYS}-business-day "
            "SPOC point cannot be checked"
        )
    if incident_in and not _filled(facts.callback_phone):
        found.add(
            ActionKind.CALLBACK_PHONE,
            today,
            f"get a working Callback Phone from the agent for SPOC incident "
            f"{str(facts.incident_number).strip()}",
        )
    return point


_TIMEBOX_HOURS = Fraction(CALL_CERT_TIMEBOX // timedelta(minutes=1), 60)


def _hours(took: timedelta) -> str:
    """Hours to one decimal, never reading as the timebox's limit unless they are it
    (core/figures)."""
    return hours_against_limit(
        Fraction(took // timedelta(microseconds=1), 3_600_000_000), _TIMEBOX_HOURS
    )


# Each completion flag, whether its timebox would run were it not yes, and the timebox's name.
_FLAG_TIMEBOXES: tuple[tuple[str, Callable[[AgentFacts], bool], str], ...] = (
    ("call_cert_complete", lambda f: f.call_cert_start is not None, "4-hour"),
    (
        "tbts_complete",
        lambda f: f.tbt_hours is not None and f.tbt_hours > TBT_HOURS_LIMIT,
        "8-hour",
    ),
)


def _timebox_actions(
    facts: AgentFacts,
    now: datetime,
    found: _Actions,
    unchecked: list[str],
    zone: tzinfo | None = None,
) -> None:
    """The timeboxes' actions; `zone`: the team's clock, on which the hours since the Call
    Cert Start are the real time that passed (see calendar.elapsed)."""
    # A flag that cannot be read beside one that says the agent is not complete: whether its
    # own timebox applies is not known (it concerns only a Call Cert / TBTs not complete).
    for key, concerns, timebox in _FLAG_TIMEBOXES:
        if key in facts.unreadable and concerns(facts):
            unchecked.append(
                f"{_header(key)} {_cannot(facts, key)}: the {timebox} timebox is unchecked"
            )
    if facts.call_cert_complete is not True and "call_cert_complete" not in facts.unreadable:
        if facts.call_cert_start is not None:
            start = facts.call_cert_start
            if (start.tzinfo is None) != (now.tzinfo is None):
                # The workbook's times are local wall-clock times: compare them as such.
                start, now = start.replace(tzinfo=None), now.replace(tzinfo=None)
            took = elapsed(start, now, zone)
            found.add(
                ActionKind.CALL_CERT_OVER_4H,
                wall_after(start, CALL_CERT_TIMEBOX, zone).date(),
                f"Call Cert started {fmt(start)} {start:%H:%M}, not complete after "
                f"{_hours(took)} h "
                f"(limit {CALL_CERT_TIMEBOX.total_seconds() / 3600:g} h)",
                is_due=took > CALL_CERT_TIMEBOX,
            )
        elif "call_cert_start" in facts.unreadable:
            unchecked.append(
                f"{_header('call_cert_start')} {_cannot(facts, 'call_cert_start')}: the 4-hour "
                "timebox is unchecked"
            )
    if facts.tbts_complete is not True and "tbts_complete" not in facts.unreadable:
        if facts.tbt_hours is not None and facts.tbt_hours > TBT_HOURS_LIMIT:
            found.add(
                ActionKind.TBT_OVER_8H,
                found.today,
                f"TBT Hours {facts.tbt_hours:g} are over the {TBT_HOURS_LIMIT:g}-hour limit",
            )
        elif "tbt_hours" in facts.unreadable:
            unchecked.append(
                f"{_header('tbt_hours')} {_cannot(facts, 'tbt_hours')}: the 8-hour timebox is "
                "unchecked"
            )


# -- explain -------------------------------------------------------------------------------------

_ONE_DAY = timedelta(days=1)
_MAX_NAMED_CLOSURES = 6


def explain(
    facts: AgentFacts,
    today: date,
    now: datetime,
    cal: BusinessCalendar,
    *,
    spoc_phone: str = SPOC_PHONE,
    absent: Mapping[str, str] | None = None,
    read_on: date | None = None,
) -> list[str]:
    """How `evaluate` reached its result, one sentence a line: every date used, every count,
    the weekends and holidays skipped (holidays by name), and why each action is or is not
    due. For `esp explain AGENT`. `absent`: the columns the agent's sheet lacks, each with
    what to say of it ("no such column on sheet ... (add it, or map ...)"): said so, never
    as an empty cell. `read_on`: as `evaluate` takes it."""
    ev = evaluate(facts, today, now, cal, spoc_phone=spoc_phone, read_on=read_on)
    started = facts.call_cert_start
    facts, not_yet = as_of(facts, today)  # what was recorded by then, and what not
    lines = [_calendar_line(today, now, cal)]
    unknown = not ev.complete and completion_unknown(facts)
    lines.append(
        f"Completion: {_header('call_cert_complete')} {_shown(facts, 'call_cert_complete')}; "
        f"{_header('tbts_complete')} {_shown(facts, 'tbts_complete')}: "
        + (
            "complete, so no further actions."
            if ev.complete
            else "completion unknown (the agent may be complete), so not evaluated."
            if unknown
            else "not complete."
        )
    )
    if ev.complete or unknown:
        return lines
    unread = [k for k in _COMPLETION_KEYS if k in facts.unreadable]
    if unread:  # one: completion_unknown above settles two
        (key,) = unread
        other = next(k for k in _COMPLETION_KEYS if k != key)
        lines.append(
            f"{_header(key)} {_cannot(facts, key)}, but {_header(other)} is not yes: the agent is "
            "not complete either way, and the rules run."
        )
    lines += _clock_lines(facts, today, cal, ev)
    lines += _ladder_lines(facts, today, cal, ev, read_on)
    gone = absent or {}
    lines += _access_lines(facts, today, cal, ev, spoc_phone, gone)
    later = started if facts.call_cert_start is None else None
    lines += _timebox_lines(facts, now, later, gone, cal.config.zone)
    # A date after the day is no contradiction on a day replayed: the ladder's lines say
    # "not yet then" of a step, and a start, call or completion after it is said as it is;
    # one still to come on the day the tracker is read is (a date typed wrong).
    contradictions = ev.contradictions(read_on)
    lines += [text for text in not_yet if text not in contradictions]
    lines += [f"Inconsistent: {text}" for text in contradictions]
    lines += [f"Early: {e.text}." for e in ev.early]
    lines += [f"Unchecked: {text}" for text in ev.unchecked]
    lines.append(f"Stage: {ev.stage}.")
    lines += _action_lines(today, cal, ev)
    return lines


def _calendar_line(today: date, now: datetime, cal: BusinessCalendar) -> str:
    config = cal.config
    where = config.country.strip().upper()
    if config.subdivision:
        where += f"-{config.subdivision.strip()}"
    extras = ""
    off = cal.company_days_off()
    if off:
        extras += f", less {_plural(len(off), 'company day')} off"
    worked = cal.holidays_worked()
    if worked:
        extras += f", plus {_plural(len(worked), 'holiday')} the company works"
    return (
        f"As of {fmt_day(today)}, timeboxes measured at {fmt(now)} {now:%H:%M}. Business days: "
        f"Monday-Friday less {where} holidays{extras}."
    )


def _is(shown: str) -> str:
    """What _shown says of a cell, after its header: 'is empty', 'cannot be read', 'holds
    a formula...'."""
    return shown if shown.startswith(("cannot", "holds")) else f"is {shown}"


def _shown(facts: AgentFacts, key: str) -> str:
    if key in facts.unreadable:
        return _cannot(facts, key)
    value = getattr(facts, key)
    if value is None:
        return "empty"
    if isinstance(value, bool) or key == "searched_course":  # a day of the search: yes
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{fmt(value)} {value:%H:%M}"
    if isinstance(value, date):
        return fmt_day(value)
    return str(value).strip()


def _said(facts: AgentFacts, key: str, absent: Mapping[str, str]) -> str:
    """A column and what its cell holds ("SPOC Called Date empty"), or, the sheet lacking
    it, that it has no such column and the fix ("SPOC Called Date: no such column ...")."""
    if key in absent:
        return f"{_header(key)}: {absent[key]}"
    return f"{_header(key)} {_shown(facts, key)}"


def _skipped(cal: BusinessCalendar, after: date, upto: date) -> str:
    """ ", skipping 2 weekend days and Thu 11/26/2026 Thanksgiving Day" for the days in
    (after, upto] that are not business days; "" when none are."""
    if upto <= after:
        return ""
    closed = cal.holidays_between(after + _ONE_DAY, upto)
    weekend = (upto - after).days - cal.elapsed(after, upto) - len(closed)
    parts = [_plural(weekend, "weekend day")] if weekend else []
    parts += [f"{fmt_day(day)} {name}" for day, name in closed[:_MAX_NAMED_CLOSURES]]
    if len(closed) > _MAX_NAMED_CLOSURES:
        parts.append(f"{len(closed) - _MAX_NAMED_CLOSURES} more holidays")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f", skipping {listed}"


def overdue_phrase(days: int, unit: str = "day") -> str:
    """A number of business days overdue in words, as every list and explanation says it:
    "3 days overdue" (`unit` "business day": "3 business days overdue"), "due today" — also
    on a weekend or day off after the due day, when no business day has passed since —
    and ahead of time "due next business day", "due in 2 business days"."""
    if days > 0:
        return f"{_plural(days, unit)} overdue"
    if days == 0:
        return "due today"
    if days == -1:
        return "due next business day"
    return f"due in {-days} business days"


def _when(cal: BusinessCalendar, due: date, today: date) -> str:
    """How `due` stands as of `today`, in business days."""
    count = cal.elapsed(due, today)
    if due > today:
        return f"not due yet ({_plural(-count, 'business day')} to go)"
    return overdue_phrase(count, "business day")


def _clock_lines(
    facts: AgentFacts, today: date, cal: BusinessCalendar, ev: Evaluation
) -> list[str]:
    start = facts.esp_start
    if ev.clock_start is None or ev.target_date is None or start is None:
        return [
            f"{_header('esp_start')} {_shown(facts, 'esp_start')}: no clock, so no target "
            "and no escalation ladder."
        ]
    lines = []
    if ev.clock_start == start:
        lines.append(
            f"{_header('esp_start')} {fmt_day(start)} is a business day: the clock starts that day."
        )
    else:
        # "a weekend", as esp round says; a holiday by name; "a company day off"
        why = "a weekend" if start.weekday() >= 5 else cal.why_closed(start)
        lines.append(
            f"{_header('esp_start')} {fmt_day(start)} is not a business day ({why}): the clock "
            f"starts on the next one, {fmt_day(ev.clock_start)}."
        )
    lines.append(
        f"Target, {_plural(TARGET_CLOCK_DAY, 'business day')} after the clock start: "
        f"{fmt_day(ev.target_date)}{_skipped(cal, ev.clock_start, ev.target_date)}."
    )
    passed = cal.elapsed(ev.clock_start, today)
    if today < ev.clock_start:
        lines.append(f"The clock has not started as of {fmt(today)}.")
    elif ev.behind_target:
        lines.append(
            f"Behind target: {_plural(passed, 'business day')} since the clock start"
            f"{_skipped(cal, ev.clock_start, today)}; behind since {fmt(ev.target_date)}."
        )
    else:
        lines.append(
            f"On target: {_plural(passed, 'business day')} since the clock start; behind "
            f"from {fmt(ev.target_date)} if still not complete."
        )
    return lines


def _ladder_lines(
    facts: AgentFacts,
    today: date,
    cal: BusinessCalendar,
    ev: Evaluation,
    read_on: date | None = None,
) -> list[str]:
    if not ev.evaluable:
        return [f"Escalation ladder not evaluated: {ev.reason}."]
    assert ev.clock_start is not None
    lines = []
    pending = ev.pending_step
    for step in LADDER:
        name = step.label[0].upper() + step.label[1:]
        day = facts.step_date(step)
        is_pending = step is pending
        before_pending = pending is None or LADDER.index(step) < LADDER.index(pending)
        # A date the ladder does not count is shown as such: one after the day as esp round
        # and escalations say it (one still to come when the tracker is read: as a date
        # typed wrong), another with the Inconsistent line that says why.
        dated = (
            ""
            if day is None
            else f"dated {fmt_day(day)}, a day still to come: not counted; "
            if read_on is not None and day > max(today, read_on)
            else f"{recorded_later_words(RecordedLater(step, day), today, step)}; "
            if day > today
            else f"dated {fmt_day(day)} but not counted; "
        )
        if before_pending and day is not None:
            lines.append(f"{name}: recorded {fmt_day(day)}.")
        elif is_pending and ev.pending_due is not None:
            due = ev.pending_due
            before = _previous(step)
            if before is None:
                basis = (
                    f"{_plural(COACHING_CLOCK_DAY, 'business day')} after the clock start"
                    f"{_skipped(cal, ev.clock_start, due)}"
                )
            else:
                prior = facts.step_date(before)
                assert prior is not None
                basis = (
                    f"the business day after the {before.label} recorded {fmt_day(prior)}"
                    f"{_skipped(cal, prior, due)}"
                )
            lines.append(
                f"{name}: {dated or 'not recorded; '}due {fmt_day(due)} ({basis}): "
                f"{_when(cal, due, today)}."
            )
        elif (
            pending is not None
            and step is _following(pending)
            and (projected := ev.next_step_if_recorded_today) is not None
        ):
            lines.append(
                f"{name}: {dated}not due until the {pending.label} is recorded; recorded today, "
                f"it would be due {fmt_day(projected.due)}{_skipped(cal, today, projected.due)}."
            )
        else:
            # A step past the next one (or any, before the clock starts): it waits for the
            # one just before it.
            before = _previous(step)
            assert before is not None
            lines.append(f"{name}: {dated}not due until the {before.label} is recorded.")
    return lines


def _access_lines(
    facts: AgentFacts,
    today: date,
    cal: BusinessCalendar,
    ev: Evaluation,
    spoc_phone: str,
    absent: Mapping[str, str],
) -> list[str]:
    issue = ev.access_issue
    header = _header("citrix_access")
    if issue is None:
        return [f"{header}: no issue recorded."]
    if issue == "Cannot Locate TBT":
        return [
            f"{header}: Cannot Locate TBT. The agent screenshots a search by course number and "
            f"by course name, the case goes to the learning contacts; "
            + (
                _said(facts, "searched_course", absent)
                if "searched_course" in absent
                else f"{_header('searched_course')} {_is(_shown(facts, 'searched_course'))}"
            )
            + "."
        ]
    if issue == "Equipment Issue":
        return [
            f"{header}: Equipment Issue. The agent prints the transcript from the external "
            "Learning Hub to 'First Last TBT.pdf' and e-mails it to the Cert Coordinator."
        ]
    if issue not in SPOC_ISSUES:
        return [f"{header}: {issue}. No rule of its own: keep the TBT notes current."]
    lines = [f"{header}: {issue}, one of SPOC's issues: every Citrix/SPOC column is needed."]
    if facts.spoc_called is not None:
        lines.append(f"SPOC called {fmt_day(facts.spoc_called)}.")
    else:
        lines.append(
            f"{_said(facts, 'spoc_called', absent)}: call SPOC {spoc_phone} "
            "as soon as the issue is seen (due today)."
        )
    incident_in = _filled(facts.incident_number)
    point = ev.spoc_ten_day_point
    requested = facts.n_number_requested
    if point is not None and requested is not None:
        passed = cal.elapsed(requested, today)
        reached = passed >= SPOC_WAIT_BUSINESS_DAYS
        lines.append(
            f"{_header('n_number_requested')} {fmt_day(requested)}: "
            f"{SPOC_WAIT_BUSINESS_DAYS} business days have passed on {fmt_day(point)}"
            f"{_skipped(cal, requested, point)}. As of {fmt(today)}, "
            f"{_plural(passed, 'business day')} have passed: the point is "
            + ("reached." if reached else "not reached yet.")
        )
        if not incident_in:
            lines.append(
                f"{_said(facts, 'incident_number', absent)}: "
                + (
                    f"advise the agent to call SPOC {spoc_phone}, get an Incident Number and "
                    f"leave a working callback phone ({_when(cal, point, today)})."
                    if reached
                    else f"the agent is advised to call SPOC from {fmt_day(point)} on."
                )
            )
    elif not incident_in:
        lines.append(
            f"{_said(facts, 'n_number_requested', absent)}: the "
            f"{SPOC_WAIT_BUSINESS_DAYS}-business-day point cannot be found."
        )
    if incident_in:
        lines.append(
            f"{_said(facts, 'incident_number', absent)}; "
            f"{_said(facts, 'callback_phone', absent)}"
            + ("." if _filled(facts.callback_phone) else ": get a working number (due today).")
        )
    return lines


def _timebox_lines(
    facts: AgentFacts,
    now: datetime,
    later: datetime | None = None,
    absent: Mapping[str, str] | None = None,
    zone: tzinfo | None = None,
) -> list[str]:
    """The two timeboxes' lines; `later`: a Call Cert Start after the day replayed (not
    started yet then); `absent`: as explain's; `zone`: the team's clock (calendar.elapsed)."""
    absent = absent or {}
    limit_h = CALL_CERT_TIMEBOX.total_seconds() / 3600
    if facts.call_cert_complete is True:
        call_cert = "Call Cert complete: no timebox."
    elif later is not None:
        call_cert = (
            f"{_header('call_cert_start')} {fmt(later)} {later:%H:%M} is after {fmt(now)}: "
            f"not started by then; the {limit_h:g}-hour timebox starts when a Certifier "
            "connects."
        )
    elif facts.call_cert_start is None:
        call_cert = (
            f"{_said(facts, 'call_cert_start', absent)}: the "
            f"{limit_h:g}-hour timebox starts when a Certifier connects."
        )
    elif "call_cert_complete" in facts.unreadable:
        call_cert = (
            f"{_header('call_cert_complete')} {_cannot(facts, 'call_cert_complete')}: the "
            f"{limit_h:g}-hour timebox "
            "is unchecked."
        )
    else:
        start = facts.call_cert_start
        if (start.tzinfo is None) != (now.tzinfo is None):
            start, now = start.replace(tzinfo=None), now.replace(tzinfo=None)
        took = elapsed(start, now, zone)
        over = took > CALL_CERT_TIMEBOX
        call_cert = (
            f"Call Cert started {fmt(start)} {start:%H:%M}: {_hours(took)} h by "
            f"{fmt(now)} "
            f"{now:%H:%M}, " + ("over" if over else "within") + f" the {limit_h:g}-hour timebox."
        )
    if facts.tbts_complete is True:
        tbts = "All TBTs complete: no timebox."
    elif facts.tbt_hours is None:
        tbts = f"{_said(facts, 'tbt_hours', absent)}: nothing to compare."
    elif "tbts_complete" in facts.unreadable and facts.tbt_hours > TBT_HOURS_LIMIT:
        tbts = (
            f"{_header('tbts_complete')} {_cannot(facts, 'tbts_complete')}: the "
            f"{TBT_HOURS_LIMIT:g}-hour limit "
            "is unchecked."
        )
    else:
        over = facts.tbt_hours > TBT_HOURS_LIMIT
        tbts = (
            f"{_header('tbt_hours')} {facts.tbt_hours:g}: "
            + ("over" if over else "within")
            + f" the {TBT_HOURS_LIMIT:g}-hour limit."
        )
    return [call_cert, tbts]


def _action_lines(today: date, cal: BusinessCalendar, ev: Evaluation) -> list[str]:
    lines = []
    if ev.actions:
        lines.append(f"Due as of {fmt_day(today)}:")
        lines += [
            f"  {ACTION_LABELS[a.action]}: due {fmt_day(a.due)}, {_when(cal, a.due, today)} - "
            f"{a.detail}"
            for a in ev.actions
        ]
    else:
        lines.append(f"Nothing due as of {fmt_day(today)}.")
    if ev.upcoming:
        lines.append(
            f"Falling due by the next business day, {fmt_day(cal.next_business_day(today))}:"
        )
        lines += [
            f"  {ACTION_LABELS[a.action]}: due {fmt_day(a.due)} - {a.detail}" for a in ev.upcoming
        ]
    return lines

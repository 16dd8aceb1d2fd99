"""esp record-step: record that an escalation step was delivered to an agent.

Writes the step's date column (Coaching Date, Written CAP Date, Final CAP Date or Term Review
Date) and appends `MM/DD/YYYY - Name - Note` to Notes, keeping every earlier line exactly as
it was and never adding the same line twice. A step out of order (the one before it not
recorded, or recorded later than this date) is refused with the rules' reason, and so is a
date that would overwrite a different recorded one: the ladder is documentation, and esp
never rewrites it silently. When the sheet already has the computed columns (Escalation
Stage, Next Action, Next Action Due), the agent's are brought up to date in the same write.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.notes import NoteKind, format_line
from esp_cli.core.rules import (
    LADDER,
    Step,
    evaluate,
    fmt,
    fmt_day,
    step_due,
    step_due_basis,
    step_order_error,
)
from esp_cli.core.values import ErrorValue, text_of
from esp_cli.errors import EarlyStepError, StepOrderError, UsageError
from esp_cli.results.record import RecordResult
from esp_cli.services.agents import find_agent
from esp_cli.services.escalations import COMPUTED_KEYS, computed_cells, plan_computed
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row
from esp_cli.services.notes import plan_note, refuse_future
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Row

NOTES_KEY = "notes"
# What record-step reads: the rules' facts, the agent's IDs, Notes and the computed columns.
READ_KEYS = (*FACT_KEYS, "n_number", NOTES_KEY, *COMPUTED_KEYS)

# What a person may type for a step: its name with any case, spaces, dashes or underscores,
# and the short words the team uses.
_STEP_WORDS: dict[str, Step] = {
    "coaching": Step.COACHING,
    "documentedcoaching": Step.COACHING,
    "coach": Step.COACHING,
    "writtencap": Step.WRITTEN_CAP,
    "cap": Step.WRITTEN_CAP,
    "written": Step.WRITTEN_CAP,
    "finalcap": Step.FINAL_CAP,
    "final": Step.FINAL_CAP,
    "termreview": Step.TERM_REVIEW,
    "term": Step.TERM_REVIEW,
}
_DEFAULT_NOTES: dict[Step, str] = {
    Step.COACHING: "Documented coaching delivered",
    Step.WRITTEN_CAP: "Written CAP delivered",
    Step.FINAL_CAP: "Final CAP delivered",
    Step.TERM_REVIEW: "Term review: the agent may be termed",
}
_NOTE_PREFIX: dict[Step, str] = {
    Step.COACHING: "Coaching",
    Step.WRITTEN_CAP: "Written CAP",
    Step.FINAL_CAP: "Final CAP",
    Step.TERM_REVIEW: "Term review",
}


def parse_step(text: str) -> Step:
    """A ladder step from what a person types ("written CAP", "written-cap", "final")."""
    key = re.sub(r"[\s_\-]+", "", text).casefold()
    step = _STEP_WORDS.get(key)
    if step is None:
        names = ", ".join(s.value for s in LADDER)
        raise UsageError(f"{text!r} is not an escalation step.", fix=f"use one of {names}.")
    return step


def note_line(
    on: date,
    by: str,
    step: Step,
    note: str | None,
    *,
    early: tuple[date, str] | None = None,
) -> str:
    """`MM/DD/YYYY - Name - Note`, the step named in the note so the line says what it
    documents; for a step recorded before it was due, `early` = (due date, reason)."""
    text = " ".join((note or "").split())
    body = f"{_NOTE_PREFIX[step]}: {text}" if text else _DEFAULT_NOTES[step]
    if early is not None:
        due, reason = early
        body += f"; early (due {fmt(due)}): {' '.join(reason.split())}"
    return format_line(NoteKind.NOTES, on, by, body)


def early_reason(early: bool, reason: str | None) -> str | None:
    """The reason a step is recorded before it is due (--early --reason), checked."""
    tidy = " ".join((reason or "").split())
    if early and not tidy:
        raise UsageError(
            "--early needs a reason.", fix="add --reason 'why it is delivered before its due date'."
        )
    if tidy and not early:
        raise UsageError("--reason goes with --early.", fix="add --early, or leave --reason out.")
    return tidy or None


def record_step(
    tracker_path: Path,
    config: Config,
    query: str,
    step: Step,
    on: date,
    *,
    by: str | None = None,
    note: str | None = None,
    cls: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    early: str | None = None,
) -> RecordResult:
    """Record `step` for the agent `query` names, delivered on `on` by `by`. A step before
    its due date is refused, unless `early` gives the reason (it goes in the note)."""
    moment = now or datetime.now()
    refuse_future(on, moment.date(), "a step is recorded once it is delivered")
    signer = config.who_signs(by)
    writer = signer.name
    cal = calendar_from(config)
    with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run, signer=writer) as s:
        row = find_agent(s.table, query, cls)
        facts = facts_from_row(row)
        _refuse_if_wrong(row, step, on)
        reason = step_order_error(facts, step, on)
        if reason is not None:
            raise StepOrderError(
                f"{row.label()} ({_where(row, step)}): {reason}.",
                fix="record the earlier step first, or correct its date.",
            )
        due = step_due(facts, step, cal)
        is_early = due is not None and on < due and facts.step_date(step) != on
        if is_early and early is None:
            assert due is not None
            raise EarlyStepError(
                f"{row.label()} ({_where(row, step)}): the {step.label} is not due until "
                f"{fmt_day(due)} ({step_due_basis(step, facts)}); {fmt(on)} is before it.",
                fix="record it once it is due, or pass --early --reason 'why' to record it "
                "now (the reason goes in the note).",
            )
        early_note = (due, early) if is_early and due is not None and early else None
        line = note_line(on, writer, step, note, early=early_note)
        date_written = facts.step_date(step) != on
        if date_written:
            s.plan.set(row, step.column, on)
        note_added = plan_note(s.plan, row, NoteKind.NOTES, line)
        sheet = s.table.sheet(row.sheet)
        # Keep the computed columns true for this agent, where the sheet has them.
        after = _recorded(row, step, on)
        ev = evaluate(
            facts_from_row(after), moment.date(), moment, cal, spoc_phone=config.spoc_phone
        )
        if all(sheet.col(key) is not None for key in COMPUTED_KEYS):
            plan_computed(s.plan, row, computed_cells(ev))
    return RecordResult(
        agent=row.ref(),
        step=step,
        on=on,
        by=writer,
        note_line=line,
        date_written=date_written,
        note_added=note_added,
        evaluation=ev,
        write=s.report,
        signed_by=signer,
        due=due,
        early_reason=early if early_note else None,
        not_a_business_day=cal.why_closed(on),
    )


def _where(row: Row, step: Step) -> str:
    return f"{row.sheet}!row {row.row}, {step.header}"


def _refuse_if_wrong(row: Row, step: Step, on: date) -> None:
    """Refuse to overwrite what the ladder already says, and to record out of order after a
    later step (rules.step_order_error checks the steps before)."""
    if step.column in row.unreadable:
        raw = row.raw.get(step.column)
        shown = raw.code if isinstance(raw, ErrorValue) else text_of(raw)
        raise StepOrderError(
            f"{row.label()} ({_where(row, step)}): the cell holds {shown!r}, which is not a "
            "date; esp will not overwrite it.",
            fix="correct or clear that cell in Excel, then record the step again.",
        )
    current = row.values.get(step.column)
    if current is not None and current != on:
        raise StepOrderError(
            f"{row.label()}: the {step.label} is already recorded on {fmt(current)} "
            f"({_where(row, step)}); esp does not change a recorded step.",
            fix="if that date is wrong, correct the cell in Excel.",
        )
    for later in LADDER[LADDER.index(step) + 1 :]:
        day = row.values.get(later.column)
        if later.column in row.unreadable or day is None:
            continue
        if day < on:
            raise StepOrderError(
                f"{row.label()}: the {later.label} is recorded on {fmt(day)}, before "
                f"{fmt(on)}: the {step.label} cannot come after it.",
                fix="give the date the step was really delivered (--date).",
            )


def _recorded(row: Row, step: Step, on: date) -> Row:
    """A copy of the row with the step recorded (to evaluate what is next)."""
    values = dict(row.values)
    values[step.column] = on
    return Row(row.sheet, row.row, row.cls, dict(row.raw), values, set(row.unreadable))

"""esp record-step as a table of the cells changed, JSON or CSV, and what is next."""

from __future__ import annotations

from esp_cli.core.rules import fmt_day
from esp_cli.render import Format, say, show
from esp_cli.render.changes import (
    emit_agent_changes,
    say_added_columns,
    say_computed_missing,
    say_signed,
    say_waiting_written,
    say_written,
)
from esp_cli.results.record import RecordResult


def render(result: RecordResult, fmt: Format) -> None:
    emit_agent_changes(result, result.write, result.agent, fmt)
    say_signed(result.signed_by)
    label = result.step.label
    if result.not_a_business_day:
        say(
            f"warning: {fmt_day(result.on)} is not a business day "
            f"({result.not_a_business_day}): the {label} is recorded on it as given (--date "
            "another day if that is not when it was delivered)."
        )
    if result.document_scan:
        say(
            f"{result.document}: a scan, checked by its file name only (whose, which step's, "
            "which day's); esp reads no text in a PDF."
        )
    if result.early_reason is not None and result.due is not None:
        say(f"Recorded early: the {label} was due {fmt_day(result.due)} ({result.early_reason}).")
    if not result.date_written:
        say(f"The {label} was already recorded on {show(result.on)}.")
    if not result.note_added:
        say(f"Notes already hold this line: {result.note_line}")
    if result.computed_missing:
        say_computed_missing({result.agent.sheet: result.computed_missing})
    ev = result.evaluation
    if ev.pending_step is not None and ev.pending_due is not None:
        say(f"Next: the {ev.pending_step.label}, due {fmt_day(ev.pending_due)}.")
    elif ev.pending_step is None and ev.evaluable and not ev.complete:
        say("The escalation ladder is complete: the agent may be termed.")
    write = result.write
    if write.backup:
        say_added_columns(write)
        say(
            f"Recorded the {label} for {result.agent.name} on {show(result.on)} in "
            f"{write.tracker} (backup: {write.backup}"
            + (f"; undo with: esp undo {write.op}" if write.op else "")
            + ")."
        )
        say_waiting_written(write)
    else:
        say_written(write, fmt=fmt)

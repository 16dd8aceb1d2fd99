"""esp record-step as a table of the cells changed, JSON or CSV, and what is next."""

from __future__ import annotations

from typing import Any

from esp_cli.core.rules import fmt_day
from esp_cli.render import Format, say, show
from esp_cli.render.changes import emit_agent_changes, say_signed, say_written, signed_fields
from esp_cli.results.record import RecordResult


def as_dict(result: RecordResult) -> dict[str, Any]:
    projected = result.evaluation.next_step_if_recorded_today
    ev = result.evaluation
    return {
        **result.agent.fields(),
        "step": result.step.value,
        "date": result.on,
        "by": result.by,
        **signed_fields(result.signed_by),
        "note": result.note_line,
        "due": result.due,
        "early": result.early_reason is not None,
        "early_reason": result.early_reason,
        "date_written": result.date_written,
        "note_added": result.note_added,
        "stage": ev.stage.value,
        "pending_step": ev.pending_step.value if ev.pending_step else None,
        "pending_due": ev.pending_due,
        "next_step_due_if_recorded_today": projected.due if projected else None,
        "changes": [
            {"sheet": c.sheet, "cell": c.cell, "column": c.column, "old": c.old, "new": c.new}
            for c in result.write.changes
        ],
        "added_columns": result.write.added_column_labels,
        "dry_run": result.write.dry_run,
        "backup": str(result.write.backup) if result.write.backup else None,
        "op": result.write.op,
    }


def render(result: RecordResult, fmt: Format) -> None:
    emit_agent_changes(as_dict(result), result.write, result.agent, fmt)
    say_signed(result.signed_by)
    label = result.step.label
    if result.early_reason is not None and result.due is not None:
        say(f"Recorded early: the {label} was due {fmt_day(result.due)} ({result.early_reason}).")
    if not result.date_written:
        say(f"The {label} was already recorded on {show(result.on)}.")
    if not result.note_added:
        say(f"Notes already hold this line: {result.note_line}")
    ev = result.evaluation
    if ev.pending_step is not None and ev.pending_due is not None:
        say(f"Next: the {ev.pending_step.label}, due {fmt_day(ev.pending_due)}.")
    elif ev.pending_step is None and ev.evaluable and not ev.complete:
        say("The escalation ladder is complete: the agent may be termed.")
    write = result.write
    if write.backup:
        say(
            f"Recorded the {label} for {result.agent.name} on {show(result.on)} in "
            f"{write.tracker} (backup: {write.backup}"
            + (f"; undo with: esp undo {write.op}" if write.op else "")
            + ")."
        )
    else:
        say_written(write)

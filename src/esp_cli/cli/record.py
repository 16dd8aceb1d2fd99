"""esp record-step AGENT STEP."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AgentArg,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    TrackerOpt,
    config_for,
    parse_day,
)
from esp_cli.render import Format, say, show
from esp_cli.render.changes import emit_agent_changes, say_written
from esp_cli.rules import fmt_day
from esp_cli.services.record import RecordResult, parse_step, record_step

StepArg = Annotated[
    str,
    typer.Argument(
        help="coaching, written_cap, final_cap or term_review (any case; 'written CAP' works).",
        show_default=False,
    ),
]


@app.command("record-step")
def record_step_command(
    agent: AgentArg,
    step: StepArg,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The day the step was delivered (YYYY-MM-DD); default today.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Who delivered it, for the note (else esp.toml [people] user).",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="What was said or agreed; added to the Notes line.", show_default=False
        ),
    ] = None,
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Record an escalation step delivered to an agent: its date column and a
    'MM/DD/YYYY - Name - Note' line in Notes. Refuses a step out of order, and says why."""
    cfg = config_for(config)
    result = record_step(
        cfg.tracker_path(tracker),
        cfg,
        agent,
        parse_step(step),
        parse_day(on, "--date"),
        by=by,
        note=note,
        cls=cls,
        dry_run=dry_run,
    )
    render(result, fmt)


def as_dict(result: RecordResult) -> dict[str, Any]:
    projected = result.evaluation.next_step_if_recorded_today
    ev = result.evaluation
    return {
        **result.agent.fields(),
        "step": result.step.value,
        "date": result.on,
        "by": result.by,
        "note": result.note_line,
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
    }


def render(result: RecordResult, fmt: Format) -> None:
    emit_agent_changes(as_dict(result), result.write, result.agent, fmt)
    label = result.step.label
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

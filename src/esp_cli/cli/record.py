"""esp record-step AGENT STEP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    DATE,
    DAY_FORMS,
    STEP_NAMES,
    AgentArg,
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    parse_day,
    waiting_allowed,
)
from esp_cli.render import Format

StepArg = Annotated[
    str,
    typer.Argument(
        help=f"The step: {STEP_NAMES}, any case.",
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
            metavar=DATE,
            help=f"The day the step was delivered ({DAY_FORMS}); default the date of its "
            "--document, else today.",
            show_default=False,
        ),
    ] = None,
    by: ByOpt = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="What was said or agreed; added to the Notes line.", show_default=False
        ),
    ] = None,
    early: Annotated[
        bool,
        typer.Option("--early", help="Record the step before its due date (needs --reason)."),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why the step is delivered early; added to the Notes line.",
            show_default=False,
        ),
    ] = None,
    document: Annotated[
        Path | None,
        typer.Option(
            "--document",
            help="The step's Word document (.docx, as esp document makes it), or the PDF scan "
            "of it signed: checked to be this agent's, this step's and this day's; the Notes "
            "line names it.",
            show_default=False,
        ),
    ] = None,
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Record an escalation step delivered to an agent: its date column and a
    'MM/DD/YYYY - Name - Note' line in Notes. Refuses a step out of order or before its due
    date (coaching 3 business days after the start, each later step the business day after
    the one before), and says why; --early --reason records it anyway, the reason in the
    note. --document names the step's Word document in the Notes line."""
    from esp_cli.render.record import render
    from esp_cli.services.record import early_reason, parse_step, record_step

    why_early = early_reason(early, reason)
    cfg, tracker_file = config_and_tracker(config, tracker)
    with waiting_allowed(no_wait):
        result = record_step(
            tracker_file,
            cfg,
            agent,
            parse_step(step),
            parse_day(on, cfg, "--date") if on is not None else None,
            by=by,
            note=note,
            cls=cls,
            dry_run=dry_run,
            early=why_early,
            document=document,
        )
    render(result, fmt)
    exit_if_waiting(result.write)

"""esp escalations: who needs what today, and the computed columns written back."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app, choice_type
from esp_cli.cli.options import (
    AsOfOpt,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    SmeOpt,
    TrackerOpt,
    VerboseOpt,
    as_of_and_now,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.errors import UsageError
from esp_cli.render import Format


@app.command("escalations")
def escalations_command(
    tracker: TrackerOpt = None,
    as_of: AsOfOpt = None,
    today: Annotated[
        bool,
        typer.Option(
            "--today",
            help="The day's to-do list: a summary, then each agent with something due, the "
            "most urgent first (most overdue, then furthest up the ladder), then what falls "
            "due on the next business day.",
        ),
    ] = False,
    group: Annotated[
        str,
        typer.Option(
            "--group",
            click_type=choice_type(["agent", "step"]),
            help="With --today: one line per agent, most urgent first (agent), or a table "
            "per action in the ladder's order with every detail (step).",
        ),
    ] = "agent",
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    fmt: FormatOpt = Format.table,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write Escalation Stage, Next Action and Next Action Due into the "
            "tracker (adding the columns if missing).",
        ),
    ] = False,
    write_past: Annotated[
        bool,
        typer.Option(
            "--write-past",
            help="With --write and an --as-of before today: write that day's replayed columns "
            "(a step recorded since then counts as not delivered). Without it such a write "
            "is refused.",
        ),
    ] = False,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Every outstanding agent's escalation status; with --today, the day's to-do list.

    With --as-of, the day is replayed and the 4-hour Call Cert timebox is measured at the end
    of that day; without it, today and now. --dry-run shows what --write would change; a
    write for a day before today needs --write-past, one for a day to come is refused.
    """
    if write_past and not (write or dry_run):
        raise UsageError("--write-past goes with --write.", fix="add --write, or leave it out.")
    # A write of every agent's computed columns (no --class or --sme) writes every row.
    every_row = (write or dry_run) and cls is None and sme is None
    cfg, tracker_file = config_and_tracker(
        config, tracker, write=write or dry_run, every_row=every_row
    )
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.busy import working
    from esp_cli.render.escalations import render
    from esp_cli.services.escalations import run_escalations

    day, now = as_of_and_now(as_of, cfg)
    with waiting_allowed(no_wait), working(f"Checking every agent of {tracker_file.name}"):
        result = run_escalations(
            tracker_file,
            cfg,
            day,
            now,
            cls=cls,
            sme=sme,
            write=write or dry_run,
            dry_run=dry_run,
            write_past=write_past,
        )
    render(result, fmt, today, group=group, verbose=verbose)
    exit_if_waiting(result.write)

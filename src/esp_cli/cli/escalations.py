"""esp escalations: who needs what today, and the computed columns written back."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AsOfOpt,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    SmeOpt,
    TrackerOpt,
    as_of_and_now,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.render import Format


@app.command("escalations")
def escalations_command(
    tracker: TrackerOpt = None,
    as_of: AsOfOpt = None,
    today: Annotated[
        bool,
        typer.Option(
            "--today",
            help="The day's to-do list: every action due, grouped by action, most "
            "overdue first, then what falls due on the next business day.",
        ),
    ] = False,
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
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Every outstanding agent's escalation status; with --today, the day's to-do list.

    With --as-of, the day is replayed and the 4-hour Call Cert timebox is measured at the end
    of that day; without it, today and now. --dry-run shows what --write would change.
    """
    from esp_cli.render.escalations import render
    from esp_cli.services.escalations import run_escalations

    cfg, tracker_file = config_and_tracker(config, tracker)
    day, now = as_of_and_now(as_of)
    with waiting_allowed(no_wait):
        result = run_escalations(
            tracker_file,
            cfg,
            day,
            now,
            cls=cls,
            sme=sme,
            write=write or dry_run,
            dry_run=dry_run,
        )
    render(result, fmt, today)
    exit_if_waiting(result.write)


# -- JSON shapes (a contract: stable snake_case keys, ISO dates) ------------------------------


# -- rendering -----------------------------------------------------------------------------------

"""esp progress import FILE... / esp progress missing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    DATE,
    DAY_FORMS,
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    SmeOpt,
    TrackerOpt,
    VerboseOpt,
    config_and_tracker,
    exit_if_waiting,
    parse_day,
    waiting_allowed,
)
from esp_cli.render import Format

progress_app = command_group(
    "progress", "The agents' daily self-reports: fold them into Notes, list who has not reported."
)

FilesArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="The ESP Agent Progress Report (.xlsx or .csv), e-mails (.msg saved from Outlook, "
        "or .eml) or folders of them (else esp.toml [tracker] progress_report and "
        "self_reports).",
        show_default=False,
    ),
]


@progress_app.command("import")
def import_command(
    files: FilesArg = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=DATE,
            help=f"Only the reports of this day ({DAY_FORMS}); default every day in the files.",
            show_default=False,
        ),
    ] = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Put each self-report in the agent's Notes as 'MM/DD/YYYY - Agent Name - Note'.
    Importing the same files again adds nothing; every file is listed with what became of
    it (imported, already imported, matched to nobody, unreadable and why, ignored)."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.busy import working
    from esp_cli.render.progress import render_import
    from esp_cli.services.progress import import_progress

    day = parse_day(on, cfg, "--date") if on is not None else None
    with waiting_allowed(no_wait):
        result = import_progress(tracker_file, cfg, files, on=day, dry_run=dry_run, stage=working)
    render_import(result, fmt, verbose)
    exit_if_waiting(result.write)


@progress_app.command("missing")
def missing_command(
    on: DayOpt = None,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    tracker: TrackerOpt = None,
    fmt: FormatOpt = Format.table,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """List the incomplete agents with no self-report in Notes for the day (a Notes line of
    that date signed by the agent: import the reports first)."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.progress import render_missing
    from esp_cli.services.progress import missing_reports

    result = missing_reports(tracker_file, cfg, parse_day(on, cfg, "--date"), cls=cls, sme=sme)
    render_missing(result, fmt, verbose)


# ------------------------------------------------------------------------------ import


# ----------------------------------------------------------------------------- missing

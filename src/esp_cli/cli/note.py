"""esp note add AGENT TEXT."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    AgentArg,
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    parse_day,
    waiting_allowed,
)
from esp_cli.core.notes import NoteKind
from esp_cli.errors import ExitCode
from esp_cli.render import Format

note_app = command_group(
    "note",
    "Notes in the tracker: 'MM/DD/YYYY - Name - Note' or, for TBT Notes, "
    "'Name - MM/DD/YYYY - Note'.",
)


@note_app.command("add")
def note_add_command(
    agent: AgentArg,
    text: Annotated[str, typer.Argument(help="The note.", show_default=False)],
    tbt: Annotated[
        bool,
        typer.Option(
            "--tbt", help="Write to TBT Notes ('Name - MM/DD/YYYY - Note') instead of Notes."
        ),
    ] = False,
    by: ByOpt = None,
    on: DayOpt = None,
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Add a note line for an agent, after the earlier lines (kept as they are); the same line
    is never added twice."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.note import render
    from esp_cli.services.notes import add_note

    with waiting_allowed(no_wait):
        result = add_note(
            tracker_file,
            cfg,
            agent,
            text,
            kind=NoteKind.TBT if tbt else NoteKind.NOTES,
            by=by,
            on=parse_day(on, cfg, "--date"),
            cls=cls,
            dry_run=dry_run,
        )
    render(result, fmt)
    if result.waiting_as is None:  # the same line again: nothing new waits (exit 0)
        exit_if_waiting(result.write)


@note_app.command("import")
def note_import_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A .csv or .xlsx with a header row: agent, note, and optionally column "
            "(Notes or TBT Notes), by, date, class.",
            show_default=False,
        ),
    ],
    tbt: Annotated[
        bool,
        typer.Option("--tbt", help="Rows without a column go to TBT Notes instead of Notes."),
    ] = False,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Add many note lines from a file in one write; a row that matches no one agent is
    listed with the reason and not applied. The same file imported twice adds nothing."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.note_import import render as render_import
    from esp_cli.results.note_import import Status
    from esp_cli.services.note_import import import_notes

    with waiting_allowed(no_wait):
        result = import_notes(tracker_file, cfg, file, by=by, tbt=tbt, dry_run=dry_run)
    render_import(result, fmt)
    exit_if_waiting(result.write)
    if result.count(Status.NOT_APPLIED):
        raise typer.Exit(int(ExitCode.FINDINGS))

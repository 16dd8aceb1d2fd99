"""esp apply [--wait [--timeout DURATION]] [--skip-conflicts]."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    parse_duration,
)
from esp_cli.errors import ExitCode, UsageError
from esp_cli.render import Format, say


@app.command("apply")
def apply_command(
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="While the tracker is busy, wait (looking every few seconds, saying who has "
            "it open) until it is free, then write; then the same for its TBT Tracking Sheet "
            "while changes wait beside it.",
        ),
    ] = False,
    timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="With --wait: give up after this long in all (90s, 30m, 2h); default: wait on.",
            show_default=False,
        ),
    ] = None,
    skip_conflicts: Annotated[
        bool,
        typer.Option(
            "--skip-conflicts",
            help="Write the changes that conflict too, leaving out only their cells that "
            "changed since esp saw them and the cells that go with those (a note line "
            "documenting one), each said and recorded; without it such a change waits on, "
            "whole.",
        ),
    ] = False,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Write the changes waiting beside the tracker (kept while it was open in Excel or
    busy), oldest first, in one write: note lines after whatever the cells hold now, other
    cells only where they still hold what esp saw. Every other writing command writes them
    too, before its own change. What waits beside the tracker's TBT Tracking Sheet is
    written too, in a write of its own; --wait waits for the tracker, then for the sheet."""
    if timeout is not None and not wait:
        raise UsageError("--timeout goes with --wait.", fix="add --wait, or drop --timeout.")
    if wait and dry_run:
        raise UsageError("--wait and --dry-run exclude each other.", fix="give one.")
    cfg, path = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.apply import render
    from esp_cli.services.apply import Waiter, apply_waiting, apply_when_free

    if wait:
        limit = parse_duration(timeout, "--timeout") if timeout is not None else None
        result = apply_when_free(
            path, cfg, Waiter(say), timeout=limit, skip_conflicts=skip_conflicts
        )
    else:
        result = apply_waiting(path, cfg, skip_conflicts=skip_conflicts, dry_run=dry_run)
    render(result, fmt)
    if result.sheet_error is not None:
        # Said after the tracker's part; its exit code unless a change still waits (7).
        if not any(part.write.status == "waiting" for part in result.parts):
            raise result.sheet_error
        say(f"esp: {result.sheet_error}")
    exit_if_waiting(*(part.write for part in result.parts))
    # A change a conflict holds, one kept by a newer esp, or a waiting file that could not
    # be read: it may still wait (each said above).
    if any(part.held or part.for_newer or part.skipped for part in result.parts):
        raise typer.Exit(int(ExitCode.FINDINGS))

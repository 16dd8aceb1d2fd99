"""esp undo [OP]."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AGENT_NAME,
    ByOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    config_for,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.render import Format


@app.command("undo")
def undo_command(
    op: Annotated[
        str | None,
        typer.Argument(
            help="The operation's id, or its first characters (esp history lists them); "
            "default: the newest esp write not yet undone.",
            show_default=False,
        ),
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent",
            help="Only this agent's cells (name, Agent ID, N Number or e-mail): one agent's "
            "answers of a round, say.",
            show_default=False,
            click_type=AGENT_NAME,
        ),
    ] = None,
    skip_conflicts: Annotated[
        bool,
        typer.Option(
            "--skip-conflicts",
            help="Put back the cells that still hold what the operation wrote; leave the "
            "ones changed since.",
        ),
    ] = False,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Put back the cells an esp operation changed, where they still hold what it wrote; a
    cell changed since is a conflict and refuses the undo. The undo is an operation too:
    undo it to redo. --agent puts back one agent's cells and leaves the rest."""
    from esp_cli.render.history import render_undo
    from esp_cli.services.inputs import read_ahead
    from esp_cli.services.undo import undo

    cfg = config_for(config, tracker)
    path = cfg.tracker_path(tracker)
    # The undo compares each cell the operation wrote with what the tracker holds now, then
    # writes: the tracker is read and made ready for the write while its log is read.
    read_ahead(path, write=True)
    with waiting_allowed(no_wait):
        result = undo(
            path,
            cfg,
            op,
            agent=agent,
            skip_conflicts=skip_conflicts,
            by=by,
            dry_run=dry_run,
        )
    render_undo(result, fmt)
    exit_if_waiting(result.write)

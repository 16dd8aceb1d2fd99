"""esp pending / esp pending drop OP: the changes waiting beside a busy tracker."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    ByOpt,
    ConfigOpt,
    FormatOpt,
    TrackerOpt,
    config_and_tracker,
    format_option,
)
from esp_cli.render import Format

# `esp pending` lists; `esp pending drop OP` discards one.
pending_app = typer.Typer(name="pending", no_args_is_help=False, rich_markup_mode=None)
app.add_typer(pending_app, name="pending")


@pending_app.callback(invoke_without_command=True)
def pending_command(
    ctx: typer.Context,
    tracker: TrackerOpt = None,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """List the waiting changes, oldest first, each against the tracker as it is now: one
    the next write will write as it is, or one held by a conflict (both values shown)."""
    if ctx.invoked_subcommand is not None:
        return
    from esp_cli.render.pending import render
    from esp_cli.services.pending import list_pending

    cfg, path = config_and_tracker(config, tracker)
    render(list_pending(path, cfg), fmt)


@pending_app.command("drop")
def drop_command(
    op: Annotated[
        str,
        typer.Argument(
            help="The waiting change's id, or its first characters (esp pending lists them).",
            show_default=False,
        ),
    ],
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    fmt: Annotated[Format, format_option(Format.table, Format.json)] = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Discard one waiting change, never written; the operation log records who dropped
    it and what it would have written."""
    cfg, path = config_and_tracker(config, tracker, read=False)
    from esp_cli.render.pending import render_drop
    from esp_cli.services.pending import drop_pending

    render_drop(drop_pending(path, cfg, op, by), fmt)

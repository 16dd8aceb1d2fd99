"""esp history [AGENT]."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AGENT_NAME,
    DATE,
    DAY_FORMS,
    ClassOpt,
    ConfigOpt,
    FormatOpt,
    TrackerOpt,
    config_for,
    parse_day,
)
from esp_cli.errors import UsageError
from esp_cli.render import Format


@app.command("history")
def history_command(
    agent: Annotated[
        str | None,
        typer.Argument(
            help="Only this agent's cells, change by change: name (either order), Agent ID, "
            "N Number or e-mail; a namesake with the row: 'Ana Lopez (row 7)'.",
            show_default=False,
            click_type=AGENT_NAME,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar=DATE,
            help=f"Only operations on or after this day ({DAY_FORMS}).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Only the operations NAME signed (full name in either order or without its "
            "accents, or a first or last name only one signer has), or ran under that login.",
            show_default=False,
        ),
    ] = None,
    cells: Annotated[
        bool | None,
        typer.Option(
            "--cells/--operations",
            help="A line per cell written, with its agent (the default in a table with "
            "--by: what NAME did), or a line per operation (the default otherwise).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show the newest N (0: all).", min=0)] = 50,
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Every write esp made to the tracker, newest first: who ran it, the command, the
    cells changed — and the saves made outside esp that it noticed. With --by NAME (and
    --since today), each cell NAME wrote, with the agent: what NAME did that day."""
    from esp_cli.render.history import render_agent_history, render_cells, render_history
    from esp_cli.services.history import agent_history, cells_written, operations

    if cls is not None and agent is None:
        raise UsageError("--class picks among agents of the same name.", fix="give an AGENT.")
    cfg = config_for(config, tracker)
    day = parse_day(since, cfg, "--since") if since is not None else None
    path = cfg.tracker_path(tracker)
    if cells is None:  # JSON and CSV keep their one shape unless --cells is asked for
        cells = by is not None and fmt is Format.table and agent is None
    if agent is None and cells:
        render_cells(cells_written(path, cfg, since=day, by=by, limit=limit), fmt)
    elif agent is None:
        render_history(operations(path, cfg, since=day, by=by, limit=limit), fmt)
    else:
        result = agent_history(path, cfg, agent, cls=cls, since=day, by=by, limit=limit)
        render_agent_history(result, fmt)

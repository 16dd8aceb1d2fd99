"""esp sync-nnumbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.errors import ConfigError
from esp_cli.render import Format

FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from",
        "-m",
        help="The Master N Number Tracker (else esp.toml [tracker] master).",
        show_default=False,
    ),
]


@app.command("sync-nnumbers")
def sync_command(
    tracker: TrackerOpt = None,
    master: FromOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace request dates that differ from the Master (conflicts)."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Fill Date of N Number Request (and blank N Numbers) from the Master N Number Tracker."""
    cfg, tracker_file = config_and_tracker(config, tracker, write=True)
    master_path = master or cfg.master
    if master_path is None:
        raise ConfigError(
            "No Master N Number Tracker given.",
            fix="pass --from MASTER.xlsx or set [tracker] master in esp.toml.",
        )
    from esp_cli.services.inputs import read_ahead

    read_ahead(master_path)  # only a head start, as the tracker's (config_and_tracker)
    # The command's code loads while the tracker and the Master are read.
    from esp_cli.render.sync import render
    from esp_cli.services.sync import sync_nnumbers

    source = "--from" if master is not None else f"[tracker] master in {cfg.source}"
    with waiting_allowed(no_wait):
        result = sync_nnumbers(
            tracker_file,
            master_path,
            cfg,
            dry_run=dry_run,
            overwrite=overwrite,
            master_source=source,
        )
    render(result, fmt)
    exit_if_waiting(result.write)

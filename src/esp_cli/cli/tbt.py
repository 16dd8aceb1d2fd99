"""esp tbt proofs DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    ByOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.render import Format

tbt_app = command_group(
    "tbt", "TBT completion proofs: the TBT Tracking Sheet and All TBTs Complete?."
)


@tbt_app.command("proofs")
def proofs_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The folder holding the agents' 'First Last TBT.pdf' files, or the e-mails "
            "(.eml, Outlook .msg) they came attached to.",
            show_default=False,
        ),
    ],
    tracking_sheet: Annotated[
        Path | None,
        typer.Option(
            "--tracking-sheet",
            help="The TBT Tracking Sheet workbook, created when absent (else esp.toml "
            "[tracker] tbt_tracking_sheet, else 'TBT Tracking Sheet.xlsx' beside the tracker).",
            show_default=False,
        ),
    ] = None,
    tracking_tab: Annotated[
        str | None,
        typer.Option(
            "--tracking-tab",
            help="The sheet of the TBT Tracking Sheet workbook to add the new rows to, or to "
            "name the one esp creates (else esp.toml [tracker] tbt_tracking_tab, else the "
            "visible sheet named (or spelt) as the agent's class, else the first visible sheet "
            "with the Agent and File headers: a class's tab hidden in Excel is said, and gets "
            "rows only when named here); every such sheet, hidden too, is read for the proofs "
            "recorded; a very hidden one is never written.",
            show_default=False,
        ),
    ] = None,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Record every good proof in the TBT Tracking Sheet (never the same file twice) and set
    All TBTs Complete? to Yes with TBT Complete Date; files that are not PDFs, are badly named
    or match no agent are listed with the reason and change nothing. A PDF attached to an
    e-mail in the folder is checked the same way, saved into the folder under its own name
    (never over another file), and its sender checked against the agent's address."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.tbt import render
    from esp_cli.services.proofs import record_proofs

    with waiting_allowed(no_wait):
        result = record_proofs(
            folder,
            tracker_file,
            cfg,
            tracking_sheet=tracking_sheet,
            tab=tracking_tab,
            by=by,
            dry_run=dry_run,
        )
    render(result, fmt)
    exit_if_waiting(result.write, result.sheet_write)

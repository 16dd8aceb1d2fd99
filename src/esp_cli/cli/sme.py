"""esp sme assign CLASS --sme NAME [--sme NAME] / esp sme list."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    TrackerOpt,
    VerboseOpt,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.render import Format

sme_app = command_group(
    "sme", "TBT SMEs: the 1-2 Certifiers per class who follow its agents' TBTs."
)


@sme_app.command("assign")
def assign_command(
    cls: Annotated[
        str,
        typer.Argument(
            metavar="CLASS",
            help="The class (as in the Class column or sheet name).",
            show_default=False,
        ),
    ],
    smes: Annotated[
        list[str] | None,
        typer.Option(
            "--sme", help="A Certifier to be TBT SME; give it once or twice.", show_default=False
        ),
    ] = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Split the class's agents evenly between one or two TBT SMEs, in TBT SME. Agents who
    already have one of them keep them; running it again changes nothing."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.sme import render_assign
    from esp_cli.services.smes import assign_smes

    with waiting_allowed(no_wait):
        result = assign_smes(tracker_file, cfg, cls, smes or [], dry_run=dry_run)
    render_assign(result, fmt)
    exit_if_waiting(result.write)


@sme_app.command("list")
def list_command(
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    fmt: FormatOpt = Format.table,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Each class with its TBT SMEs, how many agents each has and how many are outstanding."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.sme import render_list
    from esp_cli.services.smes import list_smes

    render_list(list_smes(tracker_file, cfg, cls), fmt, verbose)

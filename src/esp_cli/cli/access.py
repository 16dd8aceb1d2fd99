"""esp access set AGENT ISSUE."""

from __future__ import annotations

from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    DATE,
    DAY_FORMS,
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
from esp_cli.render import Format

access_app = command_group(
    "access", "Citrix TBT Access issues and the SPOC columns that go with them."
)


@access_app.command("set")
def access_set_command(
    agent: AgentArg,
    issue: Annotated[
        str,
        typer.Argument(
            help="A value of the Citrix TBT Access drop-down (any case, or a word of it that "
            "names one value only), e.g. 'Password Reset' or 'locate'.",
            show_default=False,
        ),
    ],
    spoc_called: Annotated[
        str | None,
        typer.Option(
            "--spoc-called",
            metavar=DATE,
            help=f"The day SPOC was called ({DAY_FORMS}).",
            show_default=False,
        ),
    ] = None,
    incident: Annotated[
        str | None,
        typer.Option("--incident", help="SPOC's incident number.", show_default=False),
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(
            "--phone",
            help="The agent's callback phone (10-digit US number, any punctuation).",
            show_default=False,
        ),
    ] = None,
    searched: Annotated[
        bool | None,
        typer.Option(
            "--searched/--not-searched",
            help="Searched by Course Number (for Cannot Locate TBT).",
            show_default=False,
        ),
    ] = None,
    by: ByOpt = None,
    on: DayOpt = None,
    cls: ClassOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Set an agent's Citrix TBT Access (one of the column's drop-down values) and the SPOC
    columns given; the change is noted in TBT Notes ('Name - MM/DD/YYYY - ...')."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.access import render
    from esp_cli.services.access import set_access

    with waiting_allowed(no_wait):
        result = set_access(
            tracker_file,
            cfg,
            agent,
            issue,
            spoc_called=parse_day(spoc_called, cfg, "--spoc-called") if spoc_called else None,
            incident=incident,
            phone=phone,
            searched=searched,
            by=by,
            on=parse_day(on, cfg, "--date"),
            cls=cls,
            dry_run=dry_run,
        )
    render(result, fmt)
    exit_if_waiting(result.write)

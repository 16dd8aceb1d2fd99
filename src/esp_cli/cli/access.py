"""esp access set AGENT ISSUE."""

from __future__ import annotations

from typing import Annotated, Any

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
    TrackerOpt,
    config_and_tracker,
    parse_day,
)
from esp_cli.render import Format, say
from esp_cli.render.changes import (
    emit_agent_changes,
    say_signed,
    say_written,
    signed_fields,
    write_fields,
)
from esp_cli.results.access import AccessResult
from esp_cli.services.access import set_access

access_app = command_group(
    "access", "Citrix TBT Access issues and the SPOC columns that go with them."
)


@access_app.command("set")
def access_set_command(
    agent: AgentArg,
    issue: Annotated[
        str,
        typer.Argument(
            help="A value of the Citrix TBT Access drop-down (any case), e.g. 'Password Reset'.",
            show_default=False,
        ),
    ],
    spoc_called: Annotated[
        str | None,
        typer.Option(
            "--spoc-called", help="The day SPOC was called (YYYY-MM-DD).", show_default=False
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
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Set an agent's Citrix TBT Access (one of the column's drop-down values) and the SPOC
    columns given; the change is noted in TBT Notes ('Name - MM/DD/YYYY - ...')."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    result = set_access(
        tracker_file,
        cfg,
        agent,
        issue,
        spoc_called=parse_day(spoc_called, "--spoc-called") if spoc_called else None,
        incident=incident,
        phone=phone,
        searched=searched,
        by=by,
        on=parse_day(on, "--date"),
        cls=cls,
        dry_run=dry_run,
    )
    render(result, fmt)


def as_dict(result: AccessResult) -> dict[str, Any]:
    return {
        **result.agent.fields(),
        "issue": result.issue,
        "allowed": list(result.allowed.values),
        "allowed_from": result.allowed.source,
        "note": result.note_line,
        "note_added": result.note_added,
        "still_empty": result.still_empty,
        **signed_fields(result.signed_by if result.note_line else None),
        **write_fields(result.write),
    }


def render(result: AccessResult, fmt: Format) -> None:
    emit_agent_changes(as_dict(result), result.write, result.agent, fmt)
    if result.note_line is not None and not result.note_added:
        say(f"TBT Notes already hold this line: {result.note_line}")
    if result.still_empty:
        say(f"{result.issue} also needs: {'; '.join(result.still_empty)}.")
    say_signed(result.signed_by if result.note_line else None)
    say_written(result.write)

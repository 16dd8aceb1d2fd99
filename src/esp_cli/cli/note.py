"""esp note add AGENT TEXT."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.changes import agent_fields, change_dicts, emit_agent_changes, say_written
from esp_cli.cli.options import (
    AgentArg,
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    FormatOpt,
    TrackerOpt,
    config_for,
    parse_day,
)
from esp_cli.notes import NoteKind
from esp_cli.render import Format, say
from esp_cli.services.notes import NoteResult, add_note

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
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Add a note line for an agent, after the earlier lines (kept as they are); the same line
    is never added twice."""
    cfg = config_for(config)
    result = add_note(
        cfg.tracker_path(tracker),
        cfg,
        agent,
        text,
        kind=NoteKind.TBT if tbt else NoteKind.NOTES,
        by=by,
        on=parse_day(on, "--date"),
        cls=cls,
        dry_run=dry_run,
    )
    render(result, fmt)


def as_dict(result: NoteResult) -> dict[str, Any]:
    return {
        **agent_fields(result.agent),
        "column": result.column,
        "cell": result.cell,
        "note": result.line,
        "added": result.added,
        "changes": change_dicts(result.changes),
        "added_columns": result.added_columns,
        "dry_run": result.dry_run,
        "backup": str(result.saved.backup) if result.saved else None,
    }


def render(result: NoteResult, fmt: Format) -> None:
    emit_agent_changes(as_dict(result), result.changes, result.agent.name, result.dry_run, fmt)
    if not result.added:
        say(f"{result.cell} already holds this line; not added again: {result.line}")
    say_written(
        result.tracker, result.dry_run, result.saved, len(result.changes), result.added_columns
    )

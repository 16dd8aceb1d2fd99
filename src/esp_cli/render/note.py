"""esp note add as a table of the cell changed, JSON or CSV."""

from __future__ import annotations

from typing import Any

from esp_cli.render import Format, say
from esp_cli.render.changes import (
    emit_agent_changes,
    say_signed,
    say_written,
    signed_fields,
    write_fields,
)
from esp_cli.results.note import NoteResult


def as_dict(result: NoteResult) -> dict[str, Any]:
    return {
        **result.agent.fields(),
        "column": result.column,
        "cell": result.cell,
        "note": result.line,
        "added": result.added,
        **signed_fields(result.signed_by),
        **write_fields(result.write),
    }


def render(result: NoteResult, fmt: Format) -> None:
    emit_agent_changes(as_dict(result), result.write, result.agent, fmt)
    if not result.added:
        say(f"{result.cell} already holds this line; not added again: {result.line}")
    say_signed(result.signed_by)
    say_written(result.write)

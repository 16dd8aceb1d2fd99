"""esp note add as a table of the cell changed, JSON or CSV."""

from __future__ import annotations

from esp_cli.render import Format, say
from esp_cli.render.changes import (
    emit_agent_changes,
    say_signed,
    say_written,
)
from esp_cli.results.note import NoteResult


def render(result: NoteResult, fmt: Format) -> None:
    emit_agent_changes(result, result.write, result.agent, fmt)
    if not result.added:
        say(f"{result.cell} already holds this line; not added again: {result.line}")
    say_signed(result.signed_by)
    say_written(result.write)

"""esp access set as a table of the cells changed, JSON or CSV."""

from __future__ import annotations

from esp_cli.render import Format, say
from esp_cli.render.changes import (
    emit_agent_changes,
    say_computed_missing,
    say_signed,
    say_written,
)
from esp_cli.results.access import AccessResult


def render(result: AccessResult, fmt: Format) -> None:
    emit_agent_changes(result, result.write, result.agent, fmt)
    if result.note_line is not None and not result.note_added:
        say(f"TBT Notes already hold this line: {result.note_line}")
    if result.still_empty:
        say(f"{result.issue} also needs: {'; '.join(result.still_empty)}.")
    say_signed(result.signed_by if result.note_line else None)
    if result.computed_missing:
        say_computed_missing({result.agent.sheet: result.computed_missing})
    say_written(result.write, fmt=fmt)

"""esp access set as a table of the cells changed, JSON or CSV."""

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
from esp_cli.results.access import AccessResult


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

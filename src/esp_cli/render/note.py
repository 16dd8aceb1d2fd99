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
    write = result.write
    if result.waiting_as is not None:
        say(
            f"This line already waits as operation {result.waiting_as} (not yet in "
            f"{result.cell}); not kept again: {result.line}"
        )
    elif not result.added:
        say(f"{result.cell} already holds this line; not added again: {result.line}")
    say_signed(result.signed_by)
    if result.waiting_as is not None and write.status == "waiting":
        say(
            f"{write.tracker.name} is {write.waiting}: operation {result.waiting_as} is "
            "written by the next esp write that finds it free (esp pending lists what waits)."
        )
        return
    say_written(write, fmt=fmt)

"""esp explain: the rules' reasoning for one agent and the cells it was read from."""

from __future__ import annotations

from typing import Any

import typer

from esp_cli.core.columns import SEARCHED, searched_as
from esp_cli.core.model import class_shown
from esp_cli.core.values import text_of
from esp_cli.render import (
    Format,
    ladder_date_lines,
    print_table,
    say,
    say_findings,
    show,
    write_json,
)
from esp_cli.results.explain import CellView, Explanation


def render(result: Explanation, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
        return
    agent = result.agent
    ids = ", ".join(x for x in (agent.agent_id and f"ID {agent.agent_id}", agent.email) if x)
    typer.echo(
        f"{agent.name} — class {class_shown(agent.cls)}, {agent.sheet}!row {agent.row}"
        + (f" ({ids})" if ids else "")
    )
    for line in result.lines:
        typer.echo(line)
    computed = result.computed
    typer.echo(
        f"Computed columns: Escalation Stage {computed.stage!r}; Next Action "
        f"{show(computed.next_action)}; Next Action Due {show(computed.next_action_due)}."
    )
    print_table(
        "Cells read",
        ["Column", "Cell", "As typed", "Read as"],
        [
            (
                c.header,
                c.address or "(no column)",
                text_of(c.raw) if c.raw is not None else None,
                _read_as(c) if c.waiting is None else f"{show(_read_as(c))} (waiting: {c.waiting})",
            )
            for c in result.cells
        ],
    )
    for w in result.waiting:
        verb = "adds" if w.action == "append" else "→"
        when = w.time.strftime("%m/%d/%Y %H:%M")
        typer.echo(
            f"Counted, not yet in the workbook: {w.column} {verb} {show(w.cell.value)} "
            f"(waiting as {w.op}: {w.who}, {when}, {w.command or 'esp'})."
        )
    ev = result.evaluation
    # The ladder dates the rules cannot count, each with its fix; anything else, pointed at.
    say_findings(
        (),
        verbose=True,
        ladder=[ladder_date_lines(agent.name, agent.sheet, agent.row, ev.conflicts)],
    )
    contradictions = ev.contradictions(result.read_on)
    if ev.unchecked or (contradictions and not ev.conflicts):
        say(f"{result.agent.name}: the tracker has gaps or contradictions; see above.")


def _read_as(cell: CellView) -> Any:
    if cell.unreadable:
        return "cannot be read"
    if isinstance(cell.value, bool):
        # The course or the day searched typed in Searched by Course Number: searched (the
        # day of the search, from that day on).
        instead = searched_as(cell.raw) if cell.key == SEARCHED else None
        if instead and not cell.value:
            return f"not yet ({instead})"
        return ("yes" if cell.value else "no") + (f" ({instead})" if instead else "")
    return cell.value

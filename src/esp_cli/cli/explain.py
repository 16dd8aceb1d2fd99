"""esp explain AGENT."""

from __future__ import annotations

from typing import Any

import typer

from esp_cli.cli.base import app
from esp_cli.cli.escalations import status_dict
from esp_cli.cli.options import (
    AgentArg,
    AsOfOpt,
    ClassOpt,
    ConfigOpt,
    FormatOpt,
    TrackerOpt,
    as_of_and_now,
    config_and_tracker,
)
from esp_cli.errors import UsageError
from esp_cli.render import Format, print_table, say, show, write_json
from esp_cli.results.escalations import AgentStatus
from esp_cli.results.explain import CellView, Explanation
from esp_cli.services.explain import explain_agent, raw_text


@app.command("explain")
def explain_command(
    agent: AgentArg,
    tracker: TrackerOpt = None,
    as_of: AsOfOpt = None,
    cls: ClassOpt = None,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """How the rules judge one agent: every date and count, the weekends and holidays
    skipped, why each action is or is not due, and the cells it was read from."""
    if fmt is Format.csv:
        raise UsageError(
            "esp explain prints a table or JSON, not CSV.",
            fix="use --format table or --format json.",
        )
    cfg, tracker_file = config_and_tracker(config, tracker)
    day, now = as_of_and_now(as_of)
    result = explain_agent(tracker_file, cfg, agent, day, now, cls=cls)
    render(result, fmt)


def as_dict(result: Explanation) -> dict[str, Any]:
    status = status_dict(
        AgentStatus(result.agent, result.evaluation, result.computed, result.as_of)
    )
    return {
        **status,
        "as_of": result.as_of,
        "timeboxes_measured_at": result.now,
        "explanation": result.lines,
        "cells": [
            {
                "column": c.header,
                "key": c.key,
                "cell": c.address,
                "raw": raw_text(c.raw) if c.raw is not None else None,
                "value": c.value,
                "unreadable": c.unreadable,
            }
            for c in result.cells
        ],
    }


def render(result: Explanation, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(as_dict(result))
        return
    agent = result.agent
    ids = ", ".join(x for x in (agent.agent_id and f"ID {agent.agent_id}", agent.email) if x)
    typer.echo(
        f"{agent.name} — class {agent.cls or '(none)'}, {agent.sheet}!row {agent.row}"
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
                raw_text(c.raw) if c.raw is not None else None,
                _read_as(c),
            )
            for c in result.cells
        ],
    )
    if result.evaluation.unchecked or result.evaluation.inconsistencies:
        say(f"{result.agent.name}: the tracker has gaps or contradictions; see above.")


def _read_as(cell: CellView) -> Any:
    if cell.unreadable:
        return "cannot be read"
    if isinstance(cell.value, bool):
        return "yes" if cell.value else "no"
    return cell.value

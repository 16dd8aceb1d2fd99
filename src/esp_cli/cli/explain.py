"""esp explain AGENT."""

from __future__ import annotations

from typing import Annotated

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AgentArg,
    AsOfOpt,
    ClassOpt,
    ConfigOpt,
    TrackerOpt,
    as_of_and_now,
    config_and_tracker,
    format_option,
)
from esp_cli.render import Format


@app.command("explain")
def explain_command(
    agent: AgentArg,
    tracker: TrackerOpt = None,
    as_of: AsOfOpt = None,
    cls: ClassOpt = None,
    fmt: Annotated[Format, format_option(Format.table, Format.json)] = Format.table,
    config: ConfigOpt = None,
) -> None:
    """How the rules judge one agent: every date and count, the weekends and holidays
    skipped, why each action is or is not due, and the cells it was read from."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.explain import render
    from esp_cli.services.explain import explain_agent

    day, now = as_of_and_now(as_of, cfg)
    result = explain_agent(tracker_file, cfg, agent, day, now, cls=cls)
    render(result, fmt)

"""esp doctor."""

from __future__ import annotations

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import ConfigOpt, FormatOpt, TrackerOpt, config_and_tracker
from esp_cli.errors import ExitCode
from esp_cli.render import Format
from esp_cli.results.doctor import RULES

DOCTOR_HELP = (
    "Check the tracker for problems; exit 5 when any is found. Rules: "
    + ", ".join(f"{r.id} {r.name}" for r in RULES.values())
    + "."
)


@app.command("doctor", help=DOCTOR_HELP)
def doctor_command(
    tracker: TrackerOpt = None,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.busy import working
    from esp_cli.render.doctor import render
    from esp_cli.services.doctor import diagnose

    with working(f"Checking {tracker_file.name}"):
        result = diagnose(tracker_file, cfg)
    render(result, fmt)
    if not result.ok:
        raise typer.Exit(int(ExitCode.FINDINGS))

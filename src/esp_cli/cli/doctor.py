"""esp doctor."""

from __future__ import annotations

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import ConfigOpt, FormatOpt, TrackerOpt, config_and_tracker
from esp_cli.errors import ExitCode
from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.results.doctor import RULES, DoctorResult
from esp_cli.services.doctor import diagnose

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
    result = diagnose(tracker_file, cfg)
    render(result, fmt)
    if not result.ok:
        raise typer.Exit(int(ExitCode.FINDINGS))


def render(result: DoctorResult, fmt: Format) -> None:
    rows = [
        {"rule": f.rule, "name": f.name, "cell": f.cell, "message": f.message, "fix": f.fix}
        for f in result.findings
    ]
    if fmt is Format.json:
        write_json(
            {
                "tracker": str(result.tracker),
                "agents": result.agents,
                "ok": result.ok,
                "findings": rows,
            }
        )
    elif fmt is Format.csv:
        write_csv(rows, ["rule", "name", "cell", "message", "fix"])
    else:
        print_table(
            f"{len(result.findings)} problem(s) in {result.tracker.name}",
            ["Rule", "Cell", "Problem", "Fix"],
            [(f"{f.rule} {f.name}", f.cell, f.message, f.fix) for f in result.findings],
        )
    if result.ok:
        say(f"{result.tracker}: no problems found in {result.agents} agent rows.")
    else:
        say(f"{result.tracker}: {len(result.findings)} problem(s) in {result.agents} agent rows.")

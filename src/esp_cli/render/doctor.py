"""esp doctor's findings as a table, JSON or CSV."""

from __future__ import annotations

from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.results.doctor import DoctorResult


def render(result: DoctorResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(result.findings, ["rule", "name", "cell", "message", "fix"])
    else:
        print_table(
            f"{_counted(result)} in {result.tracker.name}",
            ["Rule", "Cell", "Problem", "Fix"],
            [(f"{f.rule} {f.name}", f.cell, f.message, f.fix) for f in result.findings],
        )
    for aside in result.set_aside:
        say(f"Note: {aside.rows} is not read as an agent: {aside.reason}.")
    if not result.findings:
        say(f"{result.tracker}: no problems found in {result.agents} agent rows.")
    else:
        say(f"{result.tracker}: {_counted(result)} in {result.agents} agent rows.")


def _counted(result: DoctorResult) -> str:
    """ "3 problem(s)", "3 problem(s) and 1 warning(s)", "no problems and 2 warning(s)"."""
    problems = f"{len(result.problems)} problem(s)" if result.problems else "no problems"
    if not result.warnings:
        return problems
    return f"{problems} and {len(result.warnings)} warning(s)"

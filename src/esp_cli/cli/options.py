"""Options every command shares, declared once so every command speaks alike."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from esp_cli.config import Config, load_config
from esp_cli.errors import UsageError
from esp_cli.render import Format

TrackerOpt = Annotated[
    Path | None,
    typer.Option(
        "--tracker", "-t", help="The ESP Tracker workbook (else ESP_TRACKER, else esp.toml).",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="esp.toml to use (else ./esp.toml).", show_default=False),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output: table for people, json/csv for scripts.")
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Show every cell that would change (before → after); "
                 "write nothing."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD); default today.",
                 show_default=False),
]


def config_for(path: Path | None) -> Config:
    return load_config(path)


def parse_day(text: str | None, option: str = "--as-of") -> date:
    if text is None:
        return date.today()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise UsageError(f"{option} {text!r} is not a date.", fix=f"use {option} YYYY-MM-DD.")

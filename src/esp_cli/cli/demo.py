"""esp demo: the day's work on the bundled sample, in a scratch folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli import app
from esp_cli.services.demo import run_demo


@app.command("demo")
def demo_command(
    folder: Annotated[Path | None, typer.Argument(
        help="Scratch folder for the sample files (default: a new temporary folder).",
        show_default=False)] = None,
) -> None:
    """Copy the sample trackers to a scratch folder and run the day's commands on them."""
    run_demo(folder)

"""The Typer app: parse options, call one service, render its result, exit.

Each command lives in its own module, which registers it on the app when imported. `esp`
imports only the module of the command it was asked to run, so a command does not pay
for loading every other one (`esp --help` and unknown commands load them all).
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

from esp_cli.errors import EspError, ExitCode
from esp_cli.system import reconfigure_output

# Command (or command group) name -> the module under esp_cli.cli that registers it.
COMMAND_MODULES = {
    "sync-nnumbers": "sync",
    "doctor": "doctor",
    "escalations": "escalations",
    "round": "round",
    "record-step": "record",
    "document": "document",
    "explain": "explain",
    "advise": "advise",
    "history": "history",
    "undo": "undo",
    "apply": "apply",
    "pending": "pending",
    "note": "note",
    "progress": "progress",
    "access": "access",
    "tbt": "tbt",
    "sme": "sme",
    "report": "report",
    "config": "settings",
    "demo": "demo",
}


def load_commands(names: list[str] | None = None) -> Any:
    """Register the named commands (all of them when None) and return the Typer app."""
    from esp_cli.cli import base

    modules = COMMAND_MODULES.values() if names is None else [COMMAND_MODULES[n] for n in names]
    for module in modules:
        importlib.import_module(f"esp_cli.cli.{module}")
    return base.app


def __getattr__(name: str) -> Any:
    # `from esp_cli.cli import app` (tests, scripts) gets the app with every command.
    if name == "app":
        return load_commands()
    raise AttributeError(name)


def _requested(argv: list[str]) -> list[str] | None:
    """The command named on the command line, if it is a known one; else None (all)."""
    for arg in argv:
        if arg.startswith("-"):
            continue  # options before the command: --version, --help
        return [arg] if arg in COMMAND_MODULES else None
    return None


INTERRUPTED = "esp: interrupted; nothing more was written.\n"


def main() -> None:
    # esp builds a few objects per cell of the tracker and frees them together at exit;
    # the collector's default pace (every 700 allocations, full passes as the heap grows)
    # cost a quarter of the time on a 50,000-agent tracker. Cycles are still collected.
    gc.set_threshold(100_000, 50, 1000)
    try:
        reconfigure_output()  # `esp ... > out.txt` and `| clip` on Windows must never crash
        # Ctrl-C while Typer and the command load (the first tenth of a second or so)
        # stops esp as quietly as during the command: one line, no traceback.
        app = load_commands(_requested(sys.argv[1:]))
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)
    except EspError as exc:  # raised outside a command (e.g. while parsing)
        sys.stderr.write(f"esp: {exc}\n")
        sys.exit(int(exc.exit_code))
    sys.exit(int(ExitCode.OK))

"""The Typer app: parse options, call one service, render its result, exit.

Each command lives in its own module, which registers it on the app when imported. `esp`
imports only the module of the command it was asked to run, so a command does not pay
for loading every other one (`esp --help` and unknown commands load them all).
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from esp_cli.errors import EspError, ExitCode
from esp_cli.system import output_failure, reconfigure_output

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


# The commands that begin by reading the tracker's rows (esp pending drop does not; esp
# history, config and demo read other things first), and esp undo, which reads its log
# first and then the tracker: the cells the operation wrote are compared with it.
READS_TRACKER = frozenset(COMMAND_MODULES) - {"pending", "history", "config", "demo"}


def read_early(argv: list[str]) -> None:
    """Start reading the tracker the command line names (--tracker, else ESP_TRACKER, else
    esp.toml's, as the command will find it) before Typer and the command load, which
    takes a tenth of a second: calamine parses it meanwhile (services.inputs.parse_early).
    Only a head start: the command opens the tracker it resolves itself, and takes what
    was read only if it is the same file with the same bytes; so anything unclear here (no
    tracker, a mistake in the esp.toml, --help) just starts nothing."""
    words = argv[: argv.index("--")] if "--" in argv else argv
    command = next((w for w in words if not w.startswith("-")), None)
    if command not in READS_TRACKER or {"--help", "-h"} & set(words):
        return
    try:
        path = path_on_line(words, "--tracker", "-t") or _configured_tracker(words)
        # esp sync-nnumbers reads the Master beside the tracker: it is parsed meanwhile too.
        master = path_on_line(words, "--from", "-m") if command == "sync-nnumbers" else None
        for workbook in (path, master):
            if workbook is not None and workbook.is_file():
                from esp_cli.services.inputs import parse_early

                parse_early(workbook)
    except Exception:  # noqa: BLE001 - the command itself says what is wrong
        return


def path_on_line(words: Sequence[str], option: str, short: str) -> Path | None:
    """The path an option (--tracker, -t) is given on a command line, if any (as
    cli.complete.tracker_on_line finds --tracker, without loading what it loads)."""
    for i, word in enumerate(words):
        if word in (option, short) and i + 1 < len(words):
            return Path(words[i + 1])
        if word.startswith(option + "="):
            return Path(word.split("=", 1)[1])
    return None


def _configured_tracker(words: list[str]) -> Path | None:
    """The tracker a command line names without --tracker: ESP_TRACKER, else esp.toml's
    [tracker] path (Config.tracker_path); esp.toml is read only when it is needed, by
    config_file alone (the rest of esp's settings loads in a few tens of milliseconds,
    which the parse would wait for)."""
    from esp_cli.config_file import configured_tracker, env_tracker

    return env_tracker() or configured_tracker(path_on_line(words, "--config", "-c"))


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
        read_early(sys.argv[1:])
        app = load_commands(_requested(sys.argv[1:]))
        app()
    except SystemExit as done:
        _said_undelivered(done.code)
        raise
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)
    except EspError as exc:  # raised outside a command (e.g. while parsing)
        sys.stderr.write(f"esp: {exc}\n")
        sys.exit(int(exc.exit_code))
    _said_undelivered(0)
    sys.exit(int(ExitCode.OK))


def _said_undelivered(code: object) -> None:
    """When standard output could not be written (a full disk, a closed descriptor; not a
    reader that quit early), say so once the command's own messages are out — what it wrote
    and how to undo it — and end with exit code 1 if it was to end well."""
    failed = output_failure()
    if failed is None:
        return
    why = failed.strerror or str(failed)
    sys.stderr.write(
        f"esp: standard output could not be written ({why}): what it shows is cut short.\n"
    )
    if code in (0, None):
        sys.exit(int(ExitCode.FAILED))

"""One CLI contract: a shared option means the same and says the same on every command, and
--format is the one Format enum, each command offering the formats it can show."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.cli.options import format_help
from esp_cli.render import Format

SRC = Path(__file__).resolve().parents[1] / "src" / "esp_cli"


def _commands(group: Any, path: str = "esp") -> Iterator[tuple[str, Any]]:
    for name, command in sorted(group.commands.items()):
        where = f"{path} {name}"
        if hasattr(command, "commands"):
            yield from _commands(command, where)
        else:
            yield where, command


COMMANDS = list(_commands(typer.main.get_command(app)))

# Options that are the same thing everywhere they appear. `esp history --by` (a filter on
# who signed) and `esp sme assign --sme` (the SMEs to assign) are other options that share
# a name, and say so in their own help.
SHARED = ("--tracker", "--config", "--dry-run", "--by", "--sme", "--class", "--send")
OWN_MEANING = {("esp history", "--by"), ("esp sme assign", "--sme")}


def _option(command: Any, name: str) -> Any | None:
    return next((p for p in command.params if name in getattr(p, "opts", ())), None)


@pytest.mark.parametrize("name", SHARED)
def test_a_shared_option_has_one_help_text(name: str) -> None:
    helps = {
        where: option.help
        for where, command in COMMANDS
        if (option := _option(command, name)) is not None and (where, name) not in OWN_MEANING
    }
    assert len(helps) >= 2, f"{name} is shared by fewer than two commands"
    assert len(set(helps.values())) == 1, helps


def test_every_format_option_offers_formats_of_the_one_enum() -> None:
    seen = 0
    for where, command in COMMANDS:
        option = _option(command, "--format")
        if option is None:
            continue
        seen += 1
        offered = [Format(v) for v in option.type.choices]
        assert offered[0] is Format.table, where
        assert option.help == format_help(offered), where
    assert seen >= 15


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["explain", "Devon", "-f", "csv"], "csv"),
        (["report", "locate", "-f", "md"], "md"),
        (["doctor", "-f", "html"], "html"),
    ],
)
def test_a_format_a_command_cannot_show_is_a_usage_error(argv: list[str], refused: str) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert f"'{refused}' is not one of" in result.stderr


def test_there_is_one_output_format_enum() -> None:
    """A second enum of formats (one per command) is how the contract drifted apart."""
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Format"):
                found.append(f"{path.relative_to(SRC)}:{node.name}")
    assert found == ["render/__init__.py:Format"]

"""Plain words wherever a person reads: no internal name (`written_cap`, `behind_target`,
`tbt_over_8h`) reaches a table, a headline, a message or a command's help. JSON and CSV keep
their stable names; an esp.toml setting is named as it is spelt (`[people] sme_emails`).

Every command runs on the sample's day, in a table; every command's help is read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
import typer.main
from typer.testing import CliRunner

from esp_cli.cli import app

DAY = "2026-11-24"
# a word joined by underscores, as code names things
SNAKE = re.compile(r"(?<![\w./\\-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w./\\-])")
# an esp.toml setting named with its table ("[people] sme_emails") is spelt as typed
SETTING = re.compile(r"\[[a-z_]+\]\s+[a-z_]+(?:\s+and\s+[a-z_]+)?")

RUNS = [
    ["escalations", "--as-of", DAY],
    ["escalations", "--today", "--as-of", DAY],
    ["escalations", "--today", "--group", "step", "--as-of", DAY],
    ["escalations", "--write", "--write-past", "-n", "--as-of", DAY],
    *(
        ["explain", name, "--as-of", DAY]
        for name in ("Priyanka Shah", "Monique", "Marcus Lee", "Tyrone Jackson", "Kayla Brooks")
    ),
    ["report", "eod", "--date", DAY],
    ["advise", "--due", "-n", "--as-of", DAY],
    ["progress", "missing", "--date", DAY],
    ["progress", "import", "--date", DAY, "-n"],
    ["doctor"],
    ["history"],
    ["sme", "list"],
    ["access", "list"],
    ["document", "--due", "--as-of", DAY, "-n"],
    ["record-step", "Priyanka Shah", "written CAP", "--date", DAY, "-n"],
    ["record-step", "Priyanka Shah", "nonsense", "-n"],
    ["note", "add", "Marcus Lee", "Called, no answer", "--date", DAY, "-n"],
    ["access", "set", "Marcus Lee", "Password Reset", "--date", DAY, "-n"],
    ["sync-nnumbers", "-n"],
    ["tbt", "--help"],
]


def snake_words(text: str) -> set[str]:
    return set(SNAKE.findall(SETTING.sub("", text)))


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        yield (*path, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


@pytest.mark.parametrize("args", RUNS, ids=lambda a: " ".join(a))
def test_a_table_says_everything_in_plain_words(sample: Path, args: list[str]) -> None:
    with time_machine.travel(datetime(2026, 11, 24, 17, 0), tick=False):
        got = CliRunner().invoke(app, args)
    assert got.exit_code in (0, 1, 2, 4, 5), got.output
    assert snake_words(got.stdout) == set(), got.stdout
    assert "clock day" not in got.output
    assert snake_words(got.stderr) == set(), got.stderr


def test_the_round_card_says_days_overdue_as_every_other_screen(sample: Path) -> None:
    with time_machine.travel(datetime(2026, 11, 24, 17, 0), tick=False):
        got = CliRunner().invoke(
            app, ["round", "--class", "AET-1102", "--date", DAY], input="next\n" * 3 + "quit\ny\n"
        )
    assert "business day(s)" not in got.output
    assert "days overdue" in got.output
    assert snake_words(got.output) == set(), got.output


def test_every_commands_help_is_in_plain_words() -> None:
    root = typer.main.get_command(app)
    runner = CliRunner()
    found = {}
    for path in [(), *_commands(root)]:
        got = runner.invoke(app, [*path, "--help"])
        assert got.exit_code == 0, (path, got.output)
        if words := snake_words(got.stdout):
            found[" ".join(path)] = words
    assert found == {}

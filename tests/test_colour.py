"""Colour on a terminal, and none when piped, with NO_COLOR or --color never."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app
from esp_cli.render import style

ESC = "\x1b["


@pytest.fixture
def sample(sample: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample, with no colour asked for or refused by the environment."""
    for var in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    return sample


def today(*extra: str, env: dict[str, str] | None = None) -> Any:
    args = ["escalations", "--today", "--as-of", "2026-11-24", *extra]
    return CliRunner().invoke(app, args, env=env)


def test_piped_output_has_no_colour(sample: Path) -> None:
    got = today()
    assert got.exit_code == 0, got.output
    assert ESC not in got.output


def test_a_terminal_gets_overdue_in_red_due_today_in_yellow_and_bold_headers(
    sample: Path,
) -> None:
    got = today(env={"FORCE_COLOR": "1"})
    assert got.exit_code == 0, got.output
    out = got.stdout
    assert f"{ESC}{style.OVERDUE}m3 days overdue{ESC}0m" in out
    assert f"{ESC}{style.TODAY}mdue today{ESC}0m" in out
    assert f"{ESC}{style.HEADER}mAgent{ESC}0m" in out


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--color", "never"], {"FORCE_COLOR": "1"}),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}),
        (["--color=never"], {"FORCE_COLOR": "1"}),
    ],
)
def test_no_colour_when_asked_for_none(sample: Path, args: list[str], env: dict[str, str]) -> None:
    got = today(*args, env=env)
    assert got.exit_code == 0, got.output
    assert ESC not in got.output


def test_color_always_colours_even_a_pipe_and_wherever_it_is_typed(sample: Path) -> None:
    before = CliRunner().invoke(
        app, ["--color", "always", "escalations", "--today", "--as-of", "2026-11-24"]
    )
    after = today("--color", "always", env={"NO_COLOR": "1"})
    assert before.exit_code == after.exit_code == 0, after.output
    assert ESC in before.stdout
    assert before.stdout == after.stdout


def test_json_never_has_colour(sample: Path) -> None:
    got = today("--format", "json", "--color", "always")
    assert got.exit_code == 0, got.output
    assert ESC not in got.stdout


class _Console:
    def __init__(self, mode: int, settable: bool) -> None:
        self.mode, self.settable = mode, settable
        self.set_to: int | None = None

    def GetStdHandle(self, which: int) -> int:  # noqa: N802 (the Windows API's name)
        return 7

    def GetConsoleMode(self, handle: int, out: Any) -> int:  # noqa: N802
        out._obj.value = self.mode
        return 1

    def SetConsoleMode(self, handle: int, mode: int) -> int:  # noqa: N802
        self.set_to = mode
        return 1 if self.settable else 0


@pytest.mark.parametrize(("settable", "shown"), [(True, True), (False, False)])
def test_a_windows_console_is_switched_to_colour_or_gets_none(
    monkeypatch: pytest.MonkeyPatch, settable: bool, shown: bool
) -> None:
    import ctypes

    console = _Console(mode=0x3, settable=settable)
    monkeypatch.setattr(system, "WINDOWS", True)
    monkeypatch.setattr(ctypes, "WinDLL", lambda name: console, raising=False)
    assert system.console_takes_colour(sys.__stdout__) is shown
    assert console.set_to == 0x3 | 0x4


def test_an_old_windows_without_the_console_api_gets_no_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ctypes

    def missing(name: str) -> Any:
        raise OSError("no such module")

    monkeypatch.setattr(system, "WINDOWS", True)
    monkeypatch.setattr(ctypes, "WinDLL", missing, raising=False)
    assert system.console_takes_colour(sys.__stdout__) is False

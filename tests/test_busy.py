"""The progress line: on a terminal only, after a moment of work, erased at the end."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.render.busy import BusyLine, working
from tests.support.paths import SAMPLE_DATA


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_line_says_how_far_the_work_has_come() -> None:
    line = BusyLine("Reading the self-reports", stream=Terminal())
    line.step(3, 40, "anna.msg")
    assert line.text().startswith("Reading the self-reports… 3 of 40 anna.msg ")


def test_on_a_terminal_the_line_is_drawn_and_then_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESP_PROGRESS", raising=False)
    screen = Terminal()
    with working("Checking ESP Tracker.xlsx", stream=screen, delay=0) as line:
        line.step(1, 2)
        # Wait for a drawing with the count (the line's own thread draws it).
        while "1 of 2" not in screen.getvalue():
            line.stopped.wait(0.01)
    out = screen.getvalue()
    assert "\rChecking ESP Tracker.xlsx… 1 of 2 " in out
    assert out.endswith("\r\x1b[K\r")  # erased


def test_no_line_on_a_pipe_nor_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    with working("Checking", stream=pipe, delay=0) as line:
        assert line.thread is None
    monkeypatch.setenv("ESP_PROGRESS", "never")
    screen = Terminal()
    with working("Checking", stream=screen, delay=0) as line:
        assert line.thread is None
    assert pipe.getvalue() == screen.getvalue() == ""


def test_a_command_s_captured_stderr_has_no_progress_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_PROGRESS", raising=False)
    monkeypatch.setattr("esp_cli.render.busy.DELAY", 0)
    res = CliRunner().invoke(app, ["escalations", "--today", "--as-of", "2026-11-24"])
    assert res.exit_code == 0, res.output
    assert "\r" not in res.stderr and "Checking every agent" not in res.stderr

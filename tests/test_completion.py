"""Shell completion (Typer's --install-completion): commands, and the agents' names from
the tracker esp.toml or ESP_TRACKER names; nothing, and no error, without one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.cli.complete import matching, name_at_start
from tests.support.paths import SAMPLE_DATA


def complete(line: str, shell: str = "zsh", **env: str) -> Any:
    if shell == "zsh":
        env.update(_ESP_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    else:
        words = line.split(" ")
        env.update(_ESP_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    return CliRunner().invoke(app, [], env=env, prog_name="esp")


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    return tmp_path


def test_the_install_option_is_offered() -> None:
    got = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in got.stdout


@pytest.mark.parametrize("command", ["note add", "explain", "record-step", "history"])
def test_an_agent_is_completed_from_the_tracker_esp_toml_names(sample: Path, command: str) -> None:
    got = complete(f"esp {command} Kay")
    assert got.exit_code == 0, got.output
    assert '"Kayla Brooks"' in got.stdout
    assert "Marcus Lee" not in got.stdout


def test_bash_gets_the_space_of_a_name_escaped(sample: Path) -> None:
    got = complete("esp explain Marc", shell="bash")
    assert got.exit_code == 0, got.output
    assert got.stdout.splitlines() == ["Marcus\\ Lee"]


def test_esp_tracker_names_the_tracker(
    sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    tracker = sample / "ESP Tracker.xlsx"
    got = CliRunner().invoke(
        app,
        [],
        env={
            "_ESP_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "esp explain Marc",
            "ESP_TRACKER": str(tracker),
            "PWD": str(elsewhere),
        },
        prog_name="esp",
    )
    assert "Marcus Lee" in got.stdout


def test_no_tracker_completes_nothing_and_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    got = complete("esp explain Kay")
    assert got.exit_code == 0
    assert "Kayla" not in got.stdout
    assert got.stderr == ""


def test_a_tracker_that_is_not_a_workbook_completes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ESP Tracker.xlsx").write_bytes(b"not a workbook")
    got = complete("esp explain Kay", ESP_TRACKER=str(tmp_path / "ESP Tracker.xlsx"))
    assert got.exit_code == 0
    assert got.stderr == ""


def test_names_match_from_their_start() -> None:
    names = ["Kayla Brooks", "Ethan Brooks", "Marcus Lee"]
    assert matching(names, "kay") == ["Kayla Brooks"]
    assert matching(names, '"Mar') == ["Marcus Lee"]
    assert name_at_start(["Lee", "Marcus", "Called,", "no"], names) == 2
    assert name_at_start(["Called"], names) == 0

"""esp demo writes only into a folder of its own: a new or empty one, or one an earlier demo
made. Pointed at the team's folder, it refuses in one line and changes nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import UsageError
from esp_cli.services.demo import MARKER, demo_folder
from tests import factories
from tests.support.paths import SAMPLE_DATA


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` and a digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def team_folder(tmp_path: Path) -> Path:
    """The team's folder: their own tracker and an agent's self-report e-mail."""
    folder = tmp_path / "ESP"
    folder.mkdir()
    factories.tracker(folder / "ESP Tracker.xlsx", [{"Class": "AET-9", "Agent Name": "Real One"}])
    (folder / "self-reports").mkdir()
    (folder / "self-reports" / "real-agent-2026-12-01.eml").write_bytes(b"From: a@x\r\n\r\nhi\r\n")
    return folder


def test_the_demo_refuses_the_teams_folder_and_changes_nothing(team_folder: Path) -> None:
    before = snapshot(team_folder)
    result = CliRunner().invoke(app, ["demo", str(team_folder)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(team_folder) in lines[0] and "did not make" in lines[0]
    assert "Fix: choose another folder" in lines[0]
    assert snapshot(team_folder) == before
    assert not (team_folder / "esp-backups").exists() and not (team_folder / MARKER).exists()


@pytest.mark.parametrize("name", ["notes.txt", "ESP Tracker.xlsx", "esp.toml"])
def test_any_file_it_did_not_make_stops_the_demo(tmp_path: Path, name: str) -> None:
    """Without the demo's marker, a folder that is not empty is not the demo's, even when
    nothing in it has a sample file's name."""
    (tmp_path / name).write_bytes(b"the team's")
    with pytest.raises(UsageError, match="did not make"):
        demo_folder(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_new_or_empty_folder_gets_the_sample_and_the_marker(tmp_path: Path) -> None:
    for folder in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
        assert demo_folder(folder) == folder
        assert (folder / "ESP Tracker.xlsx").read_bytes() == (
            SAMPLE_DATA / "ESP Tracker.xlsx"
        ).read_bytes()
        made = json.loads((folder / MARKER).read_text(encoding="utf-8"))["files"]
        assert "ESP Tracker.xlsx" in made and "self-reports/marcus-lee-2026-11-24.eml" in made


def test_no_folder_is_a_new_temporary_one() -> None:
    folder = demo_folder(None)
    assert (folder / "ESP Tracker.xlsx").is_file() and (folder / MARKER).is_file()


def test_the_demo_runs_again_in_its_own_folder(tmp_path: Path) -> None:
    """The second run replaces what the first made, the tracker it changed included."""
    first = CliRunner().invoke(app, ["demo", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "ESP Tracker.xlsx").read_bytes() != (
        SAMPLE_DATA / "ESP Tracker.xlsx"
    ).read_bytes()
    again = CliRunner().invoke(app, ["demo", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert "(exit code" not in again.stdout


def test_a_file_added_to_the_demos_folder_is_not_removed(tmp_path: Path) -> None:
    """The demo replaces self-reports/ whole: an e-mail someone saved there since is not the
    demo's to delete."""
    demo_folder(tmp_path)
    mine = tmp_path / "self-reports" / "my-agent-2026-12-01.eml"
    mine.write_bytes(b"From: a@x\r\n")
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match=r"self-reports/my-agent-2026-12-01\.eml"):
        demo_folder(tmp_path)
    assert snapshot(tmp_path) == before


def test_a_sample_file_not_listed_is_replaced_as_it_is_the_same(tmp_path: Path) -> None:
    """A file byte for byte the sample's is no loss to replace, listed or not."""
    demo_folder(tmp_path)
    (tmp_path / MARKER).write_text('{"made_by": "esp demo", "files": []}', encoding="utf-8")
    demo_folder(tmp_path)
    (tmp_path / "esp.toml").write_text("# the team's own\n", encoding="utf-8")
    (tmp_path / MARKER).write_text('{"made_by": "esp demo", "files": []}', encoding="utf-8")
    with pytest.raises(UsageError, match="would replace esp.toml"):
        demo_folder(tmp_path)


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(UsageError, match="is not a folder"):
        demo_folder(path)
    assert path.read_bytes() == b"x"

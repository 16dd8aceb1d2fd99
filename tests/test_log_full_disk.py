"""A write the operation log cannot take (a full disk), or that fails once its entry is in
the log, leaves the log as it was before the write, byte for byte: no later command finds
half an entry in it, nor an entry naming a backup taken back."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app

from .factories import tracker
from .support.disk import filling_at, route_appends
from .support.windows import excel_owner_file

FULL = "No space left on device"


def esp(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Any:
    res = esp(*args)
    assert res.exit_code == 0, res.output
    return res


def note(path: Path, text: str) -> list[str | Path]:
    return ["note", "add", "Ann Lee", text, "--by", "Jo", "--date", "2026-11-24", "-t", path]


def log_of(path: Path) -> Path:
    return path.parent / "esp-backups" / f"{path.name}.history.jsonl"


def backups(path: Path) -> list[str]:
    return sorted(p.name for p in (path.parent / "esp-backups").glob("*.xlsx"))


def made(root: Path) -> Path:
    """A tracker written once by esp (its log holds one entry)."""
    path = tracker(root / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    ok(*note(path, "first"))
    return path


@pytest.fixture
def team(tmp_path: Path) -> Path:
    (tmp_path / "team").mkdir()
    return made(tmp_path / "team")


def entry_size(path: Path) -> int:
    """How many bytes the next note's entry adds to the log (measured on a copy whose path
    is as long, so its command as typed is too)."""
    copy = path.parent.with_name("copy")
    shutil.copytree(path.parent, copy)
    log = log_of(copy / path.name)
    size = log.stat().st_size
    ok(*note(copy / path.name, "second"))
    grown = log.stat().st_size - size
    shutil.rmtree(copy)
    return grown


def history_warnings(path: Path) -> str:
    res = ok("history", "-t", path, "--format", "json")
    return str(res.stderr)


def failed_note(team: Path, monkeypatch: pytest.MonkeyPatch, fail: Callable[[], None]) -> Any:
    """A note added while `fail` has the disk fail: refused (exit 6), with the log, the
    tracker and its backups left as they were."""
    log = log_of(team)
    before, book, kept = log.read_bytes(), team.read_bytes(), backups(team)
    fail()
    res = esp(*note(team, "second"))
    monkeypatch.undo()
    assert res.exit_code == 6, res.output
    assert log.read_bytes() == before
    assert team.read_bytes() == book and backups(team) == kept
    return res


def full_at_fsync(log: Path) -> Callable[[pytest.MonkeyPatch], None]:
    def fail(monkeypatch: pytest.MonkeyPatch) -> None:
        real = os.fsync
        ino = log.stat().st_ino

        def fsync(fd: int) -> None:
            if os.fstat(fd).st_ino == ino:
                raise OSError(errno.ENOSPC, FULL)
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    return fail


# Where the disk fills: how many bytes of the entry fit (of `size`, the whole entry).
SPARE: dict[str, Callable[[int], int]] = {
    "nothing": lambda size: 0,
    "one byte": lambda size: 1,
    "its first hundred bytes": lambda size: 100,
    "half of it": lambda size: size // 2,
    "all but its last byte": lambda size: size - 1,
}


@pytest.mark.parametrize("spare", list(SPARE))
def test_a_log_that_fills_the_disk_is_left_as_it_was(
    team: Path, monkeypatch: pytest.MonkeyPatch, spare: str
) -> None:
    log = log_of(team)
    room = log.stat().st_size + SPARE[spare](entry_size(team))
    res = failed_note(
        team, monkeypatch, lambda: route_appends(monkeypatch.setattr, log, filling_at(room))
    )
    assert "the history log cannot be written (No space left on device)" in res.stderr
    assert res.stderr.count("\n") == 1
    assert "not a whole history entry" not in history_warnings(team)
    ok(*note(team, "third"))  # the disk has room again
    assert "not a whole history entry" not in history_warnings(team)


def test_a_log_whose_sync_fails_is_left_as_it_was(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = failed_note(team, monkeypatch, lambda: full_at_fsync(log_of(team))(monkeypatch))
    assert "history log cannot be written" in res.stderr


def _workbook_full(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = system.write_file_atomically

    def full_disk(target: Path, data: bytes, like: object = None, **kwargs: Any) -> None:
        if target == path:
            raise OSError(errno.ENOSPC, FULL)
        real(target, data, like, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(system, "write_file_atomically", full_disk)


def _closing_fails(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    def refuse() -> None:
        raise OSError(errno.ENOSPC, FULL)

    route_appends(monkeypatch.setattr, log, closed=refuse)


def test_a_log_that_cannot_be_closed_after_a_failed_write_is_left_as_it_was(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry is written and synced, the workbook cannot be, and closing the log fails
    too (a full network disk): the failure said is the workbook's, the log as it was."""

    def fail() -> None:
        _workbook_full(team, monkeypatch)
        _closing_fails(monkeypatch, log_of(team))

    res = failed_note(team, monkeypatch, fail)
    assert f"{team}: could not write (the disk is full)" in res.stderr


def test_a_log_that_cannot_be_closed_after_a_write_keeps_the_write(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the log fails once its entry is synced and the workbook replaced: the write
    is done and recorded."""
    log = log_of(team)
    _closing_fails(monkeypatch, log)
    res = esp(*note(team, "second"))
    monkeypatch.undo()
    assert res.exit_code == 0, res.output
    lines = log.read_bytes().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["state"] == "written"


# A line cut short by a crash, before this write: no entry can be read of it.
CUT = b'{"op":"0badc0de","kind":"write","state":"wri'


@pytest.mark.parametrize("fail", ["the log fills the disk", "the workbook cannot be written"])
def test_a_log_ending_in_a_cut_line_is_left_as_it_was(
    team: Path, monkeypatch: pytest.MonkeyPatch, fail: str
) -> None:
    """A crash earlier cut the log's last line short: a failed write leaves it so, byte for
    byte (the next write starts its entry on a line of its own), and it is what the
    warnings name, as for any line cut short."""
    log = log_of(team)
    log.write_bytes(log.read_bytes() + CUT)
    room = log.stat().st_size + 300
    if fail == "the workbook cannot be written":
        failed_note(team, monkeypatch, lambda: _workbook_full(team, monkeypatch))
    else:
        failed_note(
            team, monkeypatch, lambda: route_appends(monkeypatch.setattr, log, filling_at(room))
        )
    ok(*note(team, "third"))
    first, cut, third = log.read_bytes().splitlines()
    assert cut == CUT and json.loads(third)["state"] == "written"
    assert "line 2 is not a whole history entry" in history_warnings(team)


def test_a_failed_write_that_noticed_a_save_outside_esp_leaves_the_log_as_it_was(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save it noticed is recorded by the next write, with a backup of its own: the
    cells it changed are listed."""
    wb = openpyxl.load_workbook(team)
    wb["ESP Tracker"]["C3"] = "E42"
    wb.save(team)
    failed_note(team, monkeypatch, lambda: _workbook_full(team, monkeypatch))
    ok(*note(team, "third"))
    ops = json.loads(ok("history", "-t", team, "--format", "json").stdout)["operations"]
    (outside,) = (o for o in ops if o["kind"] == "outside")
    assert [(c["cell"], c["after"]) for c in outside["cells"]] == [("C3", "E42")], outside


def test_a_drop_the_log_cannot_take_leaves_the_log_and_the_change_as_they_were(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = team.with_name(f"~${team.name}")
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    assert esp(*note(team, "waits")).exit_code == 7
    owner.unlink()
    (change,) = (team.parent / "esp-backups").rglob("*.json")
    log = log_of(team)
    before = log.read_bytes()
    route_appends(monkeypatch.setattr, log, filling_at(len(before) + 100))
    res = esp("pending", "drop", change.stem.split(".")[-1], "-t", team)
    monkeypatch.undo()
    assert res.exit_code == 6 and "history log cannot be written" in res.stderr, res.output
    assert log.read_bytes() == before
    assert change.exists()
    assert "not a whole history entry" not in history_warnings(team)

"""Two esp processes writing one tracker take turns: both changes land, none is lost."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.workbook import history
from esp_cli.workbook.waiting import Store
from esp_cli.workbook.xlsx import safety
from tests.support.paths import SAMPLE_DATA
from tests.support.processes import finish

from .factories import make_workbook

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from esp_cli.workbook.xlsx.workbook import locked_for_update
    path, row, value = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with locked_for_update(path) as wb:
        p = wb.patcher()
        p.set("S", row, 2, value)
        time.sleep(0.3)  # hold the lock while the other process tries to write
        wb.save(p)
""")


def test_two_writers_both_land(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "t.xlsx", {"S": [["Name", "Note"], ["Ann", None], ["Bob", None]]}
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(r), v], env=env, stderr=subprocess.PIPE
        )
        for r, v in ((2, "first"), (3, "second"))
    ]
    for p in procs:
        _, err = finish(p)
        assert p.returncode == 0, err.decode()
    ws = openpyxl.load_workbook(path)["S"]
    assert (ws["B2"].value, ws["B3"].value) == ("first", "second")
    assert len(list((tmp_path / "esp-backups").iterdir())) == 2


# -- through the command line -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = SAMPLE_DATA / "ESP Tracker.xlsx"
DAY = "2026-11-24"


def _openpyxl(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's x14 drop-down, which openpyxl drops
        return openpyxl.load_workbook(path)


def _notes_of(path: Path) -> dict[str, str]:
    """Each agent's Notes cell, read with openpyxl (not esp)."""
    ws = _openpyxl(path)["ESP Tracker"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "Agent Name" in r)
    name, notes = rows[header].index("Agent Name"), rows[header].index("Notes")
    return {str(r[name]): str(r[notes] or "") for r in rows[header + 1 :] if r[name]}


def _esp(*args: str) -> list[str]:
    return [sys.executable, "-m", "esp_cli", *args]


def _env() -> dict[str, str]:
    return {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}


def test_notes_added_at_once_by_several_esp_processes_all_land(tmp_path: Path) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    before = _notes_of(path)
    agents = list(before)[:3]
    # Three notes for one agent (the same cell) and one each for two others, all at once.
    jobs = [(agents[0], f"call {i}") for i in range(3)] + [(a, "checked in") for a in agents[1:]]
    procs = [
        subprocess.Popen(
            _esp("note", "add", agent, text, "--by", "Jo", "--date", DAY, "-t", str(path)),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for agent, text in jobs
    ]
    for p in procs:
        _, err = finish(p)
        assert p.returncode == 0, err.decode()
    after = _notes_of(path)
    for agent, text in jobs:
        assert f"11/24/2026 - Jo - {text}" in after[agent], agent
    assert after[agents[0]].startswith(before[agents[0]])  # earlier lines kept
    assert sum(len(after[a].splitlines()) - len(before[a].splitlines()) for a in after) == 5
    assert len(list((tmp_path / "esp-backups").glob("*.xlsx"))) == 5
    # Every write is in the history, in the order they took turns: one chain of digests.
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    ops = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [o["kind"] for o in ops] == ["write"] * 5
    assert all(a["digest_after"] == b["digest_before"] for a, b in zip(ops, ops[1:], strict=False))
    assert ops[-1]["digest_after"] == safety.digest_of(path)
    assert sorted(o["cells"][0]["after"].splitlines()[-1] for o in ops) == sorted(
        f"11/24/2026 - Jo - {text}" for _agent, text in jobs
    )


@pytest.mark.slow
def test_a_command_waits_while_another_esp_writes(tmp_path: Path) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    agent = list(_notes_of(path))[0]
    with safety.exclusive(path):  # another esp process in the middle of its write
        proc = subprocess.Popen(
            _esp("note", "add", agent, "waited", "--by", "Jo", "--date", DAY, "-t", str(path)),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        held = path.read_bytes()
        time.sleep(2)
        assert proc.poll() is None  # still waiting for its turn
        assert path.read_bytes() == held
    _, err = finish(proc)
    assert proc.returncode == 0, err.decode()
    assert _notes_of(path)[agent].endswith("11/24/2026 - Jo - waited")


def test_a_command_that_cannot_get_its_turn_waits_beside_the_tracker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    before = path.read_bytes()
    agent = list(_notes_of(path))[0]
    monkeypatch.setattr(safety, "exclusive", functools.partial(safety.exclusive, wait=0.2))
    argv = ["note", "add", agent, "hi", "--by", "Jo", "--date", DAY, "-t", str(path)]
    with safety.exclusive(path):
        refused = CliRunner().invoke(app, [*argv, "--no-wait"])
        res = CliRunner().invoke(app, argv)
    # --no-wait: the refusal of old, one line, nothing kept.
    assert refused.exit_code == ExitCode.BUSY, refused.output
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""
    assert "another esp command has been writing it" in refused.stderr
    assert "Fix:" in refused.stderr
    # Else the change waits, and says who has the tracker.
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "being written by another esp command" in res.stderr
    assert path.read_bytes() == before
    (kept,) = Store(path).unwritten().ops
    assert kept.cells[0].value == "11/24/2026 - Jo - hi"
    done = CliRunner().invoke(app, ["apply", "-t", str(path)])
    assert done.exit_code == 0, done.output
    assert _notes_of(path)[agent].endswith("11/24/2026 - Jo - hi")


def _save_elsewhere(path: Path, text: str = "Edited by someone else") -> None:
    """Someone saves the workbook (as Excel would) while esp is working on it."""
    wb = _openpyxl(path)
    wb["ESP Tracker"]["A1"] = text
    wb.save(path)


@pytest.mark.parametrize(
    "command",
    [
        ["note", "add", "{agent}", "hi", "--by", "Jo"],
        # (an agent whose coaching is due that day: the first of the others is complete)
        ["record-step", "Tyrone Jackson", "coaching", "--by", "Jo", "--date", DAY],
        ["escalations", "--write", "--write-past", "--as-of", DAY],
    ],
)
def test_a_save_by_someone_else_between_read_and_write_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    agent = next(a for a, n in _notes_of(path).items() if "Coaching" not in n)
    real_commit = safety.commit
    theirs: list[bytes] = []

    def commit_after_their_save(p: Path, *args: Any, **kwargs: Any) -> Path:
        _save_elsewhere(p, f"Edited by someone else ({len(theirs) + 1})")
        theirs.append(p.read_bytes())
        return real_commit(p, *args, **kwargs)

    monkeypatch.setattr(safety, "commit", commit_after_their_save)
    argv = [a.format(agent=agent) for a in command]
    refused = CliRunner().invoke(app, [*argv, "-t", str(path), "--no-wait"])
    assert refused.exit_code == ExitCode.BUSY, refused.output
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""
    assert "changed on disk after esp read it" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert theirs and path.read_bytes() == theirs[0]  # their save is kept, esp's is not made
    assert not list((tmp_path / "esp-backups").glob("*.xlsx"))
    assert not Store(path).unwritten().ops
    # Without --no-wait the change waits instead, and is written on top of their save.
    res = CliRunner().invoke(app, [*argv, "-t", str(path)])
    assert res.exit_code == ExitCode.WAITING, res.output
    assert path.read_bytes() == theirs[-1]
    monkeypatch.setattr(safety, "commit", real_commit)
    done = CliRunner().invoke(app, ["apply", "-t", str(path)])
    assert done.exit_code == 0, done.output
    assert _openpyxl(path)["ESP Tracker"]["A1"].value == "Edited by someone else (2)"
    if command[0] == "note":
        assert _notes_of(path)[agent].endswith(" - Jo - hi")


def _log_entries(folder: Path) -> list[dict[str, Any]]:
    log = folder / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


# Where a save can land once esp has checked the file: while it writes the backup, while it
# writes the operation log, and while it writes the new file beside the tracker.
WINDOW = ["backup", "log", "new file"]


@pytest.mark.parametrize("moment", WINDOW)
def test_a_save_landing_while_esp_writes_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    agent = list(_notes_of(path))[0]
    theirs: list[bytes] = []

    def their_save() -> None:
        _save_elsewhere(path, f"Edited by someone else ({len(theirs) + 1})")
        theirs.append(path.read_bytes())

    if moment == "backup":
        real_backup = safety.make_backup

        def backup_then_save(*args: Any, **kwargs: Any) -> Path:
            made = real_backup(*args, **kwargs)
            their_save()
            return made

        monkeypatch.setattr(safety, "make_backup", backup_then_save)
    elif moment == "log":
        real_append = history.Recorder.append

        def log_then_save(self: history.Recorder, *args: Any, **kwargs: Any) -> None:
            real_append(self, *args, **kwargs)
            their_save()

        monkeypatch.setattr(history.Recorder, "append", log_then_save)
    else:
        real_beside = system._written_beside

        def new_file_then_save(target: Path, data: bytes) -> Path:
            made = real_beside(target, data)
            if target == path:
                their_save()
            return made

        monkeypatch.setattr(system, "_written_beside", new_file_then_save)
    argv = ["note", "add", agent, "hi", "--by", "Jo", "--date", DAY, "-t", str(path)]
    refused = CliRunner().invoke(app, [*argv, "--no-wait"])
    assert refused.exit_code == ExitCode.BUSY, refused.output
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""
    assert "changed on disk after esp read it" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert len(theirs) == 1 and path.read_bytes() == theirs[0]  # their save stays
    # Nothing of the write stays: no backup named after it, no entry in the history, no
    # temporary file beside the tracker.
    assert not list((tmp_path / "esp-backups").glob("*.xlsx"))
    assert _log_entries(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".ESP")) == [
        ".ESP Tracker.xlsx.esp-lock"
    ]
    assert not Store(path).unwritten().ops
    # Without --no-wait the change waits, and is written on top of their save.
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "saved by someone while esp worked" in res.stderr
    assert len(theirs) == 2 and path.read_bytes() == theirs[1]
    assert not list((tmp_path / "esp-backups").glob("*.xlsx"))
    assert _log_entries(tmp_path) == []
    monkeypatch.undo()
    done = CliRunner().invoke(app, ["apply", "-t", str(path)])
    assert done.exit_code == 0, done.output
    assert _openpyxl(path)["ESP Tracker"]["A1"].value == "Edited by someone else (2)"
    assert _notes_of(path)[agent].endswith(" - Jo - hi")
    (backup,) = (tmp_path / "esp-backups").glob("*.xlsx")
    assert backup.read_bytes() == theirs[1]  # the version it replaced, theirs, is kept

"""Killed mid-write, the tracker is always the old bytes or the complete new file."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from bench.bench import build_master, build_tracker

from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook

from .factories import tracker
from .support.processes import DEADLINE_SECONDS

ROOT = Path(__file__).resolve().parents[1]


def _opens(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        if z.testzip() is not None:
            return False
    return bool(list(read_table(Workbook.open(path)).rows()))


@pytest.mark.slow
def test_sigkill_at_increasing_delays(tmp_path: Path) -> None:
    original_path = build_tracker(3000, tmp_path / "orig.xlsx")
    master = build_master(3000, tmp_path / "master.xlsx")
    original = original_path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    outcomes = {"old": 0, "new": 0}
    new_bytes: bytes | None = None
    # Measure one full run, then kill at fractions of it (and beyond).
    target = tmp_path / "ESP Tracker.xlsx"
    argv = [
        sys.executable,
        "-m",
        "esp_cli",
        "sync-nnumbers",
        "--tracker",
        str(target),
        "--from",
        str(master),
        "--format",
        "json",
    ]
    target.write_bytes(original)
    start = time.monotonic()
    subprocess.run(argv, env=env, capture_output=True, check=True, timeout=DEADLINE_SECONDS)
    full = time.monotonic() - start
    new_bytes = target.read_bytes()
    assert new_bytes != original
    for i in range(12):
        target.write_bytes(original)
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (0.3 + i * 0.07))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = target.read_bytes()
        if now == original:
            outcomes["old"] += 1
        else:
            assert _opens(target), f"kill #{i} left a damaged workbook"
            assert now == new_bytes, f"kill #{i} left a third version"
            outcomes["new"] += 1
    assert sum(outcomes.values()) == 12
    for backup in (tmp_path / "esp-backups").glob("ESP Tracker.*.xlsx"):
        assert backup.read_bytes() == original, backup.name  # whole, never truncated


# SIGKILL at each step of a write, on purpose: inside esp, at the exact moment.
KILLER = textwrap.dedent("""
    import os, signal, sys
    from tests.support.disk import route_writes
    point, argv = sys.argv[1], sys.argv[2:]
    real_write, real_fsync, real_replace = os.write, os.fsync, os.replace
    seen = {"write": 0, "fsync": 0, "replace": 0}

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def write(fd, data):
        seen["write"] += 1
        if point == f"mid-write-{seen['fsync'] + 1}":
            real_write(fd, data[: len(data) // 2])
            die()
        return real_write(fd, data)

    def fsync(fd):
        real_fsync(fd)
        seen["fsync"] += 1
        if point == f"after-fsync-{seen['fsync']}":
            die()

    def replace(src, dst):
        real_replace(src, dst)
        seen["replace"] += 1
        if point == f"after-replace-{seen['replace']}":
            die()

    route_writes(setattr, write)  # esp's file objects write through `write`
    os.fsync, os.replace = fsync, replace
    from esp_cli.cli import main
    sys.argv = ["esp", *argv]
    main()
""")

# Writing is: the backup (write, fsync, rename, fsync of its folder), the history entry,
# pending (fsync), then the workbook (write, fsync, rename, fsync of its folder), and the
# entry marked written (fsync).
POINTS = {
    "mid-write-1": "old",  # the backup half written
    "after-fsync-1": "old",  # the backup on disk, not yet under its name
    "after-replace-1": "old",  # the backup in place, the workbook not yet written
    "after-fsync-2": "old",  # the backup's name on disk
    "after-fsync-3": "old",  # the entry on disk, pending; the workbook not yet written
    "mid-write-4": "old",  # the new workbook half written
    "after-fsync-4": "old",  # the new workbook on disk, not yet renamed
    "after-replace-2": "new",  # renamed: the new workbook is the tracker, its entry pending
    "after-fsync-5": "new",  # and its name on disk
    "after-fsync-6": "new",  # and its entry marked written
}


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_at_each_step_of_a_write(tmp_path: Path, point: str) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    original = path.read_bytes()
    argv = ["note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, point, *argv, "-t", str(path)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    if POINTS[point] == "old":
        assert path.read_bytes() == original
        # The write did not happen: no history says it did (an entry left pending is no
        # operation while the tracker is as it was before it).
        assert _history(path) == []
    else:
        assert _opens(path)
        assert _notes(path) == "11/24/2026 - Jo - Called"
        # The write happened: it is in the history, and it can be undone.
        (op,) = _history(path)
        assert op["digest_after"] == _digest(path.read_bytes())
    backups = tmp_path / "esp-backups"
    for backup in backups.glob("ESP Tracker.*.xlsx") if backups.exists() else []:
        assert backup.read_bytes() == original, backup.name  # never a truncated backup
    # The next command works on what is there, and the note lands once.
    res = subprocess.run(
        [sys.executable, "-m", "esp_cli", *argv, "-t", str(path)], env=env, capture_output=True
    )
    assert res.returncode == 0, res.stderr.decode()
    assert _opens(path) and _notes(path) == "11/24/2026 - Jo - Called"
    # ... and removes the temporary file the killed one left beside the tracker or a backup.
    assert not [p.name for p in tmp_path.rglob("*esp-tmp*")]
    if POINTS[point] == "old":
        (entry,) = (json.loads(line) for line in log.read_text().splitlines())
        assert entry["kind"] == "write" and entry["digest_before"] == _digest(original)


def test_a_write_killed_after_its_entry_was_synced_is_recorded_once(tmp_path: Path) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    argv = ["note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    # fsyncs: the backup, its folder, the entry (pending), the workbook, its folder.
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, "after-fsync-5", *argv, "-t", str(path)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    (entry,) = (json.loads(line) for line in log.read_text().splitlines())
    assert entry["digest_after"] == _digest(path.read_bytes())
    assert entry["cells"][0]["after"] == "11/24/2026 - Jo - Called"


def _run(path: Path, *args: str, killer: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    code = ["-c", KILLER, killer] if killer else ["-m", "esp_cli"]
    return subprocess.run(
        [sys.executable, *code, *args, "-t", str(path)], env=env, capture_output=True, timeout=120
    )


def _note(text: str) -> list[str]:
    return ["note", "add", "Ann Lee", text, "--by", "Jo", "--date", "2026-11-24"]


def test_a_write_killed_after_the_replace_is_in_the_history_and_can_be_undone(
    tmp_path: Path,
) -> None:
    """Killed between the replace and the end of its entry: the write is recorded, esp
    undo takes it back, and the next write does not take it for a save made outside esp."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    killed = _run(path, *_note("second"), killer="after-replace-2")
    assert killed.returncode == -signal.SIGKILL
    ops = _history(path)
    assert [op["command"].split("'")[1] for op in ops] == ["Ann Lee", "Ann Lee"]  # type: ignore[union-attr]
    second = str(ops[0]["op"])
    res = _run(path, "undo", "--dry-run")
    assert res.returncode == 0 and second in (res.stdout + res.stderr).decode(), res.stderr
    assert _run(path, *_note("third")).returncode == 0
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()]
    assert kinds == ["write", "write", "write"]  # no "changed outside esp"
    assert all(json.loads(line)["state"] == "written" for line in log.read_text().splitlines())
    assert _run(path, "undo").returncode == 0  # the third
    assert _run(path, "undo").returncode == 0  # the second, killed when it was written
    assert _notes(path) == "11/24/2026 - Jo - first"


def test_a_write_stopped_by_ctrl_c_after_the_replace_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from esp_cli.cli import app
    from esp_cli.workbook.xlsx import safety

    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    real = safety.replace_atomically

    def then_ctrl_c(target: Path, data: bytes, last_look: Any = None) -> None:
        real(target, data, last_look)
        raise KeyboardInterrupt

    monkeypatch.setattr(safety, "replace_atomically", then_ctrl_c)
    res = CliRunner().invoke(app, [*_note("Called"), "-t", str(path)])
    assert res.exit_code == 130, res.output
    monkeypatch.setattr(safety, "replace_atomically", real)
    (op,) = _history(path)
    assert op["digest_after"] == _digest(path.read_bytes())
    res = CliRunner().invoke(app, ["undo", "-t", str(path)])
    assert res.exit_code == 0, res.output
    assert _notes(path) == "None"


def test_a_write_whose_replace_fails_leaves_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from esp_cli import system
    from esp_cli.cli import app

    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])

    real = system.write_file_atomically

    def full_disk(target: Path, data: bytes, like: object = None, **kwargs: Any) -> None:
        if target == path:
            raise OSError(28, "No space left on device")
        real(target, data, like)  # type: ignore[arg-type]

    monkeypatch.setattr(system, "write_file_atomically", full_disk)
    res = CliRunner().invoke(app, [*_note("Called"), "-t", str(path)])
    assert res.exit_code == 6, res.output
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    assert not log.exists() or log.read_bytes() == b""


def _backups(path: Path) -> set[str]:
    return {p.name for p in (path.parent / "esp-backups").glob("*.xlsx")}


def _killed(path: Path, point: str) -> str:
    """A note added by a command killed at `point`: the name of the backup it made."""
    kept = _backups(path)
    assert _run(path, *_note("killed"), killer=point).returncode == -signal.SIGKILL
    (made,) = _backups(path) - kept
    return made


# Killed once its backup and its pending entry are on disk, before the workbook is replaced.
BEFORE_THE_REPLACE = ["after-fsync-3", "mid-write-4", "after-fsync-4"]


@pytest.mark.parametrize("point", BEFORE_THE_REPLACE)
def test_a_write_killed_before_the_replace_leaves_no_backup_once_settled(
    tmp_path: Path, point: str
) -> None:
    """The next command takes the killed write's entry out of the log, and its backup with
    it: none is left named after a write that did not happen."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    original = path.read_bytes()
    made = _killed(path, point)
    assert path.read_bytes() == original
    assert _run(path, *_note("third")).returncode == 0
    assert made not in _backups(path) and len(_backups(path)) == 2
    stopped = made.split(".op-")[1].removesuffix(".xlsx")
    assert [op["kind"] for op in _history(path)] == ["write", "write"]
    assert stopped not in json.dumps(_history(path))


def test_a_write_killed_while_its_entry_was_written_leaves_no_backup_once_settled(
    tmp_path: Path,
) -> None:
    """Killed with its entry half written (a line cut short): settled the same way."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    made = _killed(path, "after-fsync-3")
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    first, entry = log.read_bytes().splitlines()
    log.write_bytes(first + b"\n" + entry[: entry.index(b'"cells":[') + 20])
    assert _run(path, *_note("third")).returncode == 0
    assert made not in _backups(path) and len(_backups(path)) == 2
    assert [op["kind"] for op in _history(path)] == ["write", "write"]
    assert len(log.read_bytes().splitlines()) == 2


def test_a_killed_write_whose_tracker_was_saved_since_keeps_its_backup(tmp_path: Path) -> None:
    """The tracker is neither what the killed write started from nor what it made: which
    it was cannot be told, so its backup stays (the next write names the stopped
    operation and its backup in the entry of the save, without saying it wrote the
    tracker)."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    made = _killed(path, "after-fsync-3")
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["C3"] = "E42"
    wb.save(path)
    assert _run(path, *_note("third")).returncode == 0
    assert made in _backups(path)
    stopped = made.split(".op-")[1].removesuffix(".xlsx")
    (outside,) = (op for op in _history(path) if op["kind"] == "outside")
    note = str(outside["note"])
    assert f"esp operation {stopped} was stopped before it was recorded" in note
    assert made in note and "wrote the tracker but" not in note


def test_a_write_killed_before_its_entry_leaves_no_backup_once_settled(tmp_path: Path) -> None:
    """Killed once its backup has its name and before its entry is written: the next
    write removes that backup, a copy of the tracker as it still is that no entry names."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    original = path.read_bytes()
    made = _killed(path, "after-fsync-2")
    assert path.read_bytes() == original
    assert _run(path, *_note("third")).returncode == 0
    assert made not in _backups(path) and len(_backups(path)) == 2
    stopped = made.split(".op-")[1].removesuffix(".xlsx")
    assert stopped not in json.dumps(_history(path))


def test_without_a_log_no_backup_is_taken_for_a_stopped_writes(tmp_path: Path) -> None:
    """No log to tell them apart (the first write was the one killed): nothing is removed."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    made = _killed(path, "after-fsync-2")
    assert _run(path, *_note("third")).returncode == 0
    assert made in _backups(path)


def test_dropping_a_waiting_change_keeps_what_the_older_log_names(tmp_path: Path) -> None:
    """The tracker's history still in the log an older esp kept (`ESP Tracker.history.jsonl`)
    and the tracker put back to its newest backup by hand: esp pending drop takes the log
    over as a write does — its history stays whole, and no backup it names is removed."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    assert _run(path, *_note("second")).returncode == 0
    folder = tmp_path / "esp-backups"
    (folder / "ESP Tracker.xlsx.history.jsonl").rename(folder / "ESP Tracker.history.jsonl")
    newest = max(_backups(path))
    path.write_bytes((folder / newest).read_bytes())
    owner = tmp_path / "~$ESP Tracker.xlsx"
    owner.write_bytes(b"\x05Keisha Grant" + b" " * 40)
    waited = _run(path, *_note("queued"))
    assert waited.returncode == 7, waited.stderr
    owner.unlink()
    (op,) = {f.stem.split(".")[-1] for f in folder.rglob("*.json")} or {""}
    assert _run(path, "pending", "drop", op).returncode == 0
    assert newest in _backups(path)
    kinds = [o["kind"] for o in _history(path)]
    assert kinds.count("write") == 2, kinds


def test_a_backup_the_log_names_is_kept_when_the_tracker_is_a_copy_of_it(
    tmp_path: Path,
) -> None:
    """A tracker put back by hand to an older backup's bytes: that backup, named in the
    log, is no stopped write's and stays."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    (first,) = _backups(path)
    assert _run(path, *_note("second")).returncode == 0
    path.write_bytes((path.parent / "esp-backups" / first).read_bytes())
    assert _run(path, *_note("third")).returncode == 0
    assert first in _backups(path) and len(_backups(path)) == 3


def test_a_write_killed_once_the_workbook_is_replaced_keeps_its_backup(tmp_path: Path) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    made = _killed(path, "after-replace-2")
    assert _run(path, *_note("third")).returncode == 0
    assert made in _backups(path) and len(_backups(path)) == 3


def test_a_backup_that_is_not_the_killed_writes_copy_is_kept(tmp_path: Path) -> None:
    """Settling removes only the copy the killed write made of the tracker as it is: a
    file under its name holding other bytes stays."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    made = _killed(path, "after-fsync-3")
    other = path.parent / "esp-backups" / made
    other.write_bytes(b"not the tracker")
    assert _run(path, *_note("third")).returncode == 0
    assert other.read_bytes() == b"not the tracker"


def test_a_killed_write_that_noticed_a_save_outside_esp_leaves_it_to_the_next(
    tmp_path: Path,
) -> None:
    """The save it noticed is taken out of the log with it (its entry names the backup
    taken back), and recorded by the next write, its cells listed."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["C3"] = "E42"
    wb.save(path)
    made = _killed(path, "after-fsync-3")
    assert _run(path, *_note("third")).returncode == 0
    assert made not in _backups(path)
    ops = _history(path)
    assert [op["kind"] for op in ops] == ["write", "outside", "write"]
    assert [(c["cell"], c["after"]) for c in ops[1]["cells"]] == [("C3", "E42")]  # type: ignore[attr-defined]


def test_a_write_stopped_before_it_was_recorded_by_an_older_esp_is_named(
    tmp_path: Path,
) -> None:
    """An esp before this one appended its entry after the replace: killed in between, it
    left a write the log does not know. The next write records it as made outside esp and
    names the stopped operation from its backup."""
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    assert _run(path, *_note("first")).returncode == 0
    assert _run(path, *_note("second"), killer="after-replace-2").returncode == -signal.SIGKILL
    log = tmp_path / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    lines = log.read_text().splitlines()
    log.write_text(lines[0] + "\n")  # as the older esp left it: no entry for the second
    assert _run(path, *_note("third")).returncode == 0
    first, outside, third = (json.loads(line) for line in log.read_text().splitlines())
    assert (first["kind"], outside["kind"], third["kind"]) == ("write", "outside", "write")
    assert (
        "was stopped before it was recorded; the changes below include its own" in (outside["note"])
    )
    # The cells are worked out when esp history asks for them.
    shown = next(o for o in _history(path) if o["kind"] == "outside")
    assert "the changes below include its own if it wrote the tracker" in str(shown["note"])
    (changed,) = shown["cells"]  # type: ignore[misc]
    assert changed["cell"] == "K3" and changed["after"].endswith("11/24/2026 - Jo - second")


def _history(path: Path) -> list[dict[str, object]]:
    from typer.testing import CliRunner

    from esp_cli.cli import app

    res = CliRunner().invoke(app, ["history", "-t", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    ops: list[dict[str, object]] = json.loads(res.stdout)["operations"]
    return ops


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _notes(path: Path) -> str:
    return str(openpyxl.load_workbook(path)["ESP Tracker"]["K3"].value)

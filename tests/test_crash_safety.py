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

# Writing is: the backup (write, fsync, rename, fsync of its folder), then the workbook
# (write, fsync, rename, fsync of its folder).
POINTS = {
    "mid-write-1": "old",  # the backup half written
    "after-fsync-1": "old",  # the backup on disk, not yet under its name
    "after-replace-1": "old",  # the backup in place, the workbook not yet written
    "after-fsync-2": "old",  # the backup's name on disk
    "mid-write-3": "old",  # the new workbook half written
    "after-fsync-3": "old",  # the new workbook on disk, not yet renamed
    "after-replace-2": "new",  # renamed: the new workbook is the tracker
    "after-fsync-4": "new",  # and its name on disk
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
    log = tmp_path / "esp-backups" / "ESP Tracker.history.jsonl"
    if POINTS[point] == "old":
        assert path.read_bytes() == original
        # The write did not happen: no history entry says it did.
        assert not log.exists() or log.read_bytes() == b""
    else:
        assert _opens(path)
        assert _notes(path) == "11/24/2026 - Jo - Called"
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
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # fsyncs: the backup, its folder, the workbook, its folder, then the history entry.
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, "after-fsync-5", *argv, "-t", str(path)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    log = tmp_path / "esp-backups" / "ESP Tracker.history.jsonl"
    (entry,) = (json.loads(line) for line in log.read_text().splitlines())
    assert entry["digest_after"] == _digest(path.read_bytes())
    assert entry["cells"][0]["after"] == "11/24/2026 - Jo - Called"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _notes(path: Path) -> str:
    return str(openpyxl.load_workbook(path)["ESP Tracker"]["K3"].value)


def test_a_write_stopped_before_it_was_recorded_is_named_by_the_next_one(tmp_path: Path) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    def note(text: str, *killer: str) -> subprocess.CompletedProcess[bytes]:
        argv = ["note", "add", "Ann Lee", text, "--by", "Jo", "--date", "2026-11-24"]
        code = ["-c", KILLER, *killer] if killer else ["-m", "esp_cli"]
        return subprocess.run(
            [sys.executable, *code, *argv, "-t", str(path)],
            env=env,
            capture_output=True,
            timeout=120,
        )

    assert note("first").returncode == 0
    assert note("second", "after-replace-2").returncode == -signal.SIGKILL
    assert note("third").returncode == 0
    log = tmp_path / "esp-backups" / "ESP Tracker.history.jsonl"
    first, outside, third = (json.loads(line) for line in log.read_text().splitlines())
    assert (first["kind"], outside["kind"], third["kind"]) == ("write", "outside", "write")
    assert "wrote the tracker but was stopped before it was recorded" in outside["note"]
    (changed,) = outside["cells"]
    assert changed["cell"] == "K3" and changed["after"].endswith("11/24/2026 - Jo - second")

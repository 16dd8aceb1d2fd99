"""Killed mid-write, the tracker is always the old bytes or the complete new file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from bench.bench import build_master, build_tracker

from esp_cli.tracker import read_table
from esp_cli.xlsx.workbook import Workbook

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _opens(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        if z.testzip() is not None:
            return False
    return bool(list(read_table(Workbook.open(path)).rows()))


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
    subprocess.run(argv, env=env, capture_output=True, check=True)
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

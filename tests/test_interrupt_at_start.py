"""Ctrl-C at any moment of esp's start-up: exit code 130 and at most one line, never a
traceback — while Python loads esp's modules (typing, pathlib, Typer...) too.

The `esp` command is run as the console script pyproject.toml names runs it, in a real
process with Ctrl-C's default handling. An import hook in that process sends it SIGINT just
as a chosen module starts to load, so each point of the start-up is hit on every run (no
timing); the points are the modules a real run loads, in the order it loads them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import SAMPLE_DATA
from tests.support.processes import default_sigint

ROOT = Path(__file__).resolve().parents[1]
ENTRY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"][
    "esp"
]
ARGS = ["escalations", "--today", "--as-of", "11/24/2026"]

# The console script's own code (pip's wrapper), with a hook in front: it records each
# module's import, or sends SIGINT as the module named in argv[1] starts loading.
SCRIPT = """
import os, signal, sys, json
target, record = sys.argv[1], sys.argv[2]
seen = []

class Hook:
    def find_spec(self, name, path=None, target_module=None):
        seen.append(name)
        if name == target:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Hook())
if record:
    import atexit
    atexit.register(lambda: open(record, "w").write(json.dumps(seen)))
module, attr = sys.argv[3].split(":")
sys.argv = ["esp", *sys.argv[4:]]
main = getattr(__import__(module, fromlist=[attr]), attr)
sys.exit(main())
"""


def _run(where: Path, target: str, record: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, target, record, ENTRY, *ARGS],
        cwd=where,
        capture_output=True,
        text=True,
        preexec_fn=default_sigint,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("sample")
    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, where / name)
    return where


@pytest.fixture(scope="module")
def start_up(sample: Path) -> list[str]:
    """The modules a run loads after the console script's own module, in order (as a run
    with the caches warm loads them; Python's built-in modules take no time to load)."""
    record = sample / "imports.json"
    for _ in range(2):
        done = _run(sample, "", str(record))
        assert done.returncode == 0, done.stderr
    seen: list[str] = json.loads(record.read_text())
    after = seen[seen.index(ENTRY.split(":")[0]) + 1 :]
    return [n for n in dict.fromkeys(after) if n not in sys.builtin_module_names]


# Every one of the first modules (Python's own, then the command line's: the part before any
# handler of esp's own existed), then points spread over the rest, to the last.
FIRST, SPREAD = 30, 16


def _target(start_up: list[str], point: int) -> str:
    if point < FIRST:
        return start_up[point]
    rest = start_up[FIRST:]
    return rest[(point - FIRST) * (len(rest) - 1) // (SPREAD - 1)]


@pytest.mark.slow
@pytest.mark.parametrize("point", range(FIRST + SPREAD))
def test_ctrl_c_anywhere_in_the_start_up_is_quiet(
    sample: Path, start_up: list[str], point: int
) -> None:
    target = _target(start_up, point)
    got = _run(sample, target)
    assert got.returncode == 130, (target, got.returncode, got.stderr)
    assert "Traceback" not in got.stderr, (target, got.stderr)
    assert len(got.stderr.splitlines()) <= 1, (target, got.stderr)
    assert got.stdout == "", target

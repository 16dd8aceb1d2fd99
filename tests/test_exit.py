"""How the `esp` process ends: without taking its objects apart one by one, yet with all
its output delivered, its exit code kept, the functions registered to run at exit run and
any thread still at work waited for (esp_cli.launch)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from .support.paths import SAMPLE_DATA

DAY = "2026-11-24"


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`code` run as a script whose last line starts esp as its console script does."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _esp(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`esp ARGS` as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "esp_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _tracker(tmp_path: Path) -> Path:
    return Path(shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "ESP Tracker.xlsx"))


def test_a_commands_whole_output_arrives_through_a_pipe(tmp_path: Path) -> None:
    tracker = _tracker(tmp_path)
    args = ["escalations", "--format", "json", "--as-of", DAY, "--tracker", str(tracker)]
    proc = _esp(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 10_000
    assert json.loads(proc.stdout)  # whole: it parses


def test_an_error_keeps_its_exit_code_and_its_message(tmp_path: Path) -> None:
    proc = _esp(["escalations", "--tracker", str(tmp_path / "no.xlsx")], tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "no.xlsx" in proc.stderr


def test_the_objects_are_not_taken_apart_but_functions_registered_at_exit_run(
    tmp_path: Path,
) -> None:
    proc = _run(
        """
        import atexit, sys
        from pathlib import Path

        class Freed:
            def __del__(self):
                Path("freed").write_text("taken apart")

        kept = Freed()
        atexit.register(lambda: Path("at-exit").write_text("ran"))
        sys.argv = ["esp", "--version"]
        from esp_cli.launch import main
        main()
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()  # the version, delivered
    assert (tmp_path / "at-exit").read_text() == "ran"
    assert not (tmp_path / "freed").exists()


def test_a_thread_still_at_work_is_waited_for(tmp_path: Path) -> None:
    proc = _run(
        """
        import sys, threading, time
        from pathlib import Path

        def work():
            time.sleep(0.3)  # still at work when the command ends
            Path("done").write_text("the thread's work")

        threading.Thread(target=work).start()
        sys.argv = ["esp", "--version"]
        from esp_cli.launch import main
        main()
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "done").read_text() == "the thread's work"

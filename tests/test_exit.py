"""How the `esp` process ends: without taking its objects apart one by one, yet with all
its output delivered, its exit code kept, the functions registered to run at exit run and
any thread still at work waited for (esp_cli.launch)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from esp_cli import system

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


# -- a reader that quits early (`| head -1`, `| Select-Object -First 1`, `| true`) ----------


def _esp_to_closed_pipe(
    args: list[str], cwd: Path, *, stderr_too: bool = False
) -> subprocess.CompletedProcess[str]:
    """`esp ARGS` whose standard output is a pipe nobody reads any more (its reading end
    closed before esp starts: what `| true` does, and `| head -1` once head has its line);
    with `stderr_too`, standard error is the same pipe (`2>&1 | head -1`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "esp_cli", *args],
            cwd=cwd,
            stdout=write_end,
            stderr=write_end if stderr_too else subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
    finally:
        os.close(write_end)


def _operations(tracker: Path, cwd: Path) -> list[dict[str, object]]:
    """The operations esp history lists for `tracker`."""
    proc = _esp(["history", "--format", "json", "--tracker", str(tracker)], cwd)
    assert proc.returncode == 0, proc.stderr
    operations: list[dict[str, object]] = json.loads(proc.stdout)["operations"]
    return operations


def test_a_write_whose_reader_quit_early_says_what_it_wrote_and_exits_0(
    tmp_path: Path,
) -> None:
    tracker = _tracker(tmp_path)
    args = ["note", "add", "Tyrone Jackson", "--date", DAY, "--by", "Jordan Reyes"]
    for fmt in ("json", "table"):
        text = f"Pipe test, {fmt}"
        proc = _esp_to_closed_pipe(
            [*args, text, "--format", fmt, "--tracker", str(tracker)], tmp_path
        )
        assert proc.returncode == 0, proc.stderr
        assert "Signed: Jordan Reyes" in proc.stderr
        assert "undo with: esp undo" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and "Exception" not in proc.stderr
    assert len(_operations(tracker, tmp_path)) == 2  # both notes written, each said so


def test_a_long_table_whose_reader_quit_early_ends_as_the_command_does(tmp_path: Path) -> None:
    tracker = _tracker(tmp_path)
    proc = _esp_to_closed_pipe(
        ["escalations", "--write", "--as-of", DAY, "--tracker", str(tracker)], tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "undo with: esp undo" in proc.stderr, proc.stderr
    doctor = _esp_to_closed_pipe(["doctor", "--format", "csv", "--tracker", str(tracker)], tmp_path)
    assert doctor.returncode == 5, doctor.stderr  # doctor's own code: problems found
    assert "problem(s) in 72 agent rows" in doctor.stderr


def test_messages_whose_reader_quit_too_end_quietly(tmp_path: Path) -> None:
    """`esp ... 2>&1 | head -1`: standard error goes nowhere either; no traceback is tried."""
    tracker = _tracker(tmp_path)
    args = ["note", "add", "Tyrone Jackson", "Both closed", "--date", DAY, "--by", "Jo Smith"]
    proc = _esp_to_closed_pipe([*args, "--tracker", str(tracker)], tmp_path, stderr_too=True)
    assert proc.returncode == 0
    assert len(_operations(tracker, tmp_path)) == 1


class _Pipe(io.StringIO):
    """A stream whose writes fail with `error` (the reader gone, a full disk...)."""

    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error
        self.tries = 0

    def write(self, text: str) -> int:
        self.tries += 1
        raise self.error

    def flush(self) -> None:
        raise self.error


def test_output_whose_reader_quit_is_dropped_without_an_error() -> None:
    stream = system.Undelivered(_Pipe(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert stream.write("first") == len("first")
    assert stream.gone
    stream.write("second")
    stream.flush()
    assert stream.gone and stream._stream.tries == 1  # nothing more was tried


@pytest.mark.parametrize("windows", [False, True], ids=["linux", "windows"])
def test_on_windows_a_closed_pipe_is_einval(monkeypatch: pytest.MonkeyPatch, windows: bool) -> None:
    """Windows' C runtime fails a write to a pipe whose reader is gone with EINVAL."""
    monkeypatch.setattr(system, "WINDOWS", windows)
    stream = system.Undelivered(_Pipe(OSError(errno.EINVAL, "Invalid argument")))
    if windows:
        stream.write("data")
        assert stream.gone
    else:
        with pytest.raises(OSError, match="Invalid argument"):
            stream.write("data")


def test_any_other_failure_to_write_is_not_taken_for_a_reader_gone() -> None:
    stream = system.Undelivered(_Pipe(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OSError, match="No space left"):
        stream.write("data")
    assert not stream.gone

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
        ["escalations", "--write", "--write-past", "--as-of", DAY, "--tracker", str(tracker)],
        tmp_path,
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
    stream.write("data")
    assert stream.gone
    # Elsewhere EINVAL is no reader quitting: a failure the command says.
    assert (stream.failed is None) is windows


def test_any_other_failure_to_write_is_kept_for_the_command_to_say() -> None:
    stream = system.Undelivered(_Pipe(OSError(errno.ENOSPC, "No space left on device")))
    stream.write("data")
    stream.write("more")
    assert stream.gone and stream.failed is not None and stream.failed.errno == errno.ENOSPC
    assert stream._stream.tries == 1
    gone = system.Undelivered(_Pipe(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    gone.write("data")
    assert gone.gone and gone.failed is None  # a reader that quit is no failure


def _esp_to(args: list[str], cwd: Path, stdout: int | None) -> subprocess.CompletedProcess[str]:
    """`esp ARGS` whose standard output is `stdout` (a file descriptor; None: closed)."""
    code = (
        "import sys\nsys.argv = ['esp', *sys.argv[1:]]\nfrom esp_cli.launch import main\nmain()\n"
    )
    # Buffered, as in a user's shell: a short output fails only when it is flushed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        # Closed before Python starts (`>&-`): Python opens no standard output at all.
        preexec_fn=(lambda: os.close(1)) if stdout is None else None,  # noqa: PLW1509
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_that_cannot_be_written_is_said_after_what_was_written(tmp_path: Path) -> None:
    """A full disk under `> out.json`: the write to the tracker is done and said (undo id),
    then one line that the output is cut short, exit code 1 — never a traceback."""
    tracker = _tracker(tmp_path)
    args = ["note", "add", "Tyrone Jackson", "Disk full", "--date", DAY, "--by", "Jo Smith"]
    with open("/dev/full", "w") as full:
        proc = _esp_to([*args, "-f", "json", "--tracker", str(tracker)], tmp_path, full.fileno())
        doctor = _esp_to(["doctor", "--tracker", str(tracker)], tmp_path, full.fileno())
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "undo with: esp undo" in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "esp: standard output could not be written (No space left on device): what it shows "
        "is cut short."
    )
    assert len(_operations(tracker, tmp_path)) == 1
    assert doctor.returncode == 5, doctor.stderr  # its own code stands: problems found
    assert "Traceback" not in doctor.stderr and "cut short" in doctor.stderr


def test_output_to_a_closed_descriptor_is_said_not_a_traceback(tmp_path: Path) -> None:
    """`esp ... >&-`: Python opens no standard output; esp says so and exits 1."""
    tracker = _tracker(tmp_path)
    proc = _esp_to(["escalations", "--as-of", DAY, "--tracker", str(tracker)], tmp_path, None)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("esp: standard output could not be written (") and last.endswith(
        "): what it shows is cut short."
    )


def test_a_command_that_writes_nothing_to_a_closed_output_ends_well(tmp_path: Path) -> None:
    """Standard output closed, a command whose work goes to a file (the evening e-mail saved
    as .eml) has nothing cut short: exit 0, no word of it (a retry would send it twice)."""
    tracker = _tracker(tmp_path)
    shutil.copy(SAMPLE_DATA / "esp.toml", tmp_path / "esp.toml")  # the e-mail's sender
    args = ["report", "eod", "--date", DAY, "--eml", str(tmp_path / "eod.eml")]
    proc = _esp_to([*args, "--tracker", str(tracker)], tmp_path, None)
    assert proc.returncode == 0, proc.stderr
    assert "cut short" not in proc.stderr and (tmp_path / "eod.eml").is_file()

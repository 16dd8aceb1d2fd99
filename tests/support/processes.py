"""Waiting on the processes a test starts, on a machine whose every core may be busy.

A wait has a deadline only so that a process that never ends fails its test instead of
hanging the suite; the deadline is generous (a loaded 2-core CI box), never part of what
is asserted. A test that gives up says what the process wrote, not only that time ran out.

- ``finish(proc)``: the rest of a process's output once it has ended; on the deadline it
  is killed and the test fails with its output and how it was started.
- ``read_until(fd, marker, seen)``: read a pipe or pseudo-terminal until ``marker`` shows;
  on the deadline, or when the other side closes first, the test fails with all it read.
  ``read_to_end(fd)``: all of it, until the other side closes.
- ``default_sigint``: a ``preexec_fn`` giving the process Ctrl-C's default action.
  A shell that runs a script's job in the background (``make test &`` in a script, a CI
  runner's step) starts it with SIGINT ignored, and a process inherits that: a test that
  sends SIGINT to esp must not depend on how the suite was started.
- ``describe_timeout(exc)``: what a ``subprocess.run(..., timeout=)`` that timed out had
  written (``conftest.py`` adds it to any such failure's report).
- ``python_prints(code)``: what a fresh interpreter running ``code`` prints (the modules a
  piece of esp loads, seen in ``sys.modules`` of a process of its own).

Like the rest of ``tests.support``, nothing here imports esp_cli.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

# The longest any one esp process in the suite is waited for: an esp command takes about
# a second on an idle machine.
DEADLINE_SECONDS = 180.0
TAIL = 4000  # characters of output shown in a failure


def _text(data: Any) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8", "replace")
    text = str(data)
    return text if len(text) <= TAIL else "…" + text[-TAIL:]


def describe_timeout(exc: subprocess.TimeoutExpired) -> str:
    """The command and what it wrote before it was stopped."""
    parts = [f"command: {exc.cmd!r}", f"timed out after {exc.timeout} s"]
    for name, data in (("stdout", exc.stdout), ("stderr", exc.stderr)):
        parts.append(f"--- {name} ---\n{_text(data) or '(nothing)'}")
    return "\n".join(parts)


def finish(
    proc: subprocess.Popen[bytes], timeout: float = DEADLINE_SECONDS, said: bytes = b""
) -> tuple[bytes, bytes]:
    """The process's remaining stdout and stderr once it has ended (its pipes closed). On
    the deadline it is killed and the test fails with its output (`said`: what the test
    already read from it)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(
            f"{proc.args!r} did not end within {timeout:.0f} s and was killed.\n"
            f"--- read before ---\n{_text(said) or '(nothing)'}\n"
            f"--- stdout ---\n{_text(out) or '(nothing)'}\n"
            f"--- stderr ---\n{_text(err) or '(nothing)'}"
        )
    return out or b"", err or b""


def read_until(
    fd: int,
    marker: bytes,
    seen: bytearray,
    start: int = 0,
    timeout: float = DEADLINE_SECONDS,
) -> None:
    """Read from `fd` into `seen` until `marker` appears after `start`. Fails the test with
    everything read when the other side closes first, or at the deadline."""
    deadline = time.monotonic() + timeout
    while marker not in seen[start:]:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no {marker!r} within {timeout:.0f} s; read:\n{_text(seen)}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # a pseudo-terminal whose other side closed
            chunk = b""
        if not chunk:
            pytest.fail(f"the output ended before {marker!r}; read:\n{_text(seen)}")
        seen += chunk


def read_to_end(fd: int, timeout: float = DEADLINE_SECONDS) -> bytes:
    """Everything from `fd` until the other side closes it (a pseudo-terminal whose process
    ended). Fails the test with what it read at the deadline."""
    seen = bytearray()
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"the output did not end within {timeout:.0f} s; read:\n{_text(seen)}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # a pseudo-terminal whose other side closed
            return bytes(seen)
        if not chunk:
            return bytes(seen)
        seen += chunk


def default_sigint() -> None:
    """For Popen's preexec_fn: Ctrl-C (SIGINT) does what it does by default in the child,
    whatever the test run inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def python_prints(code: str) -> str:
    """What a fresh interpreter (this one's executable) prints running `code`; a failure
    of it fails the test with its output."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=DEADLINE_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout

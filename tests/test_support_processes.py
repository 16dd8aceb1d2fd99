"""The helpers that wait on a test's processes fail with what the process wrote."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.support.processes import default_sigint, describe_timeout, finish, read_until

# A process that says something, then never ends on its own.
STUCK = "import time; print('working on row 7', flush=True); time.sleep(3600)"


def test_finish_kills_a_stuck_process_and_fails_with_its_output() -> None:
    proc = subprocess.Popen([sys.executable, "-c", STUCK], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    said = proc.stdout.readline()  # it has started and spoken (however busy the machine)
    with pytest.raises(pytest.fail.Exception) as failed:
        finish(proc, timeout=1, said=said)
    assert proc.returncode is not None  # killed and collected
    assert "did not end within 1 s" in str(failed.value)
    assert "working on row 7" in str(failed.value)


def test_read_until_fails_with_what_it_read_when_the_output_ends_first() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "print('[1/3] Ann> ')"], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    seen = bytearray()
    with pytest.raises(pytest.fail.Exception) as failed:
        read_until(proc.stdout.fileno(), b"[2/3]", seen)
    finish(proc)
    assert "the output ended before b'[2/3]'" in str(failed.value)
    assert "[1/3] Ann> " in str(failed.value)


def test_a_timed_out_run_is_described_with_its_output() -> None:
    # As subprocess.run raises it: the output read before the process was killed attached.
    timed_out = subprocess.TimeoutExpired(["esp", "round"], 120, b"working on row 7\n", b"")
    text = describe_timeout(timed_out)
    assert "['esp', 'round']" in text and "timed out after 120 s" in text
    assert "working on row 7" in text and "--- stderr ---\n(nothing)" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_default_sigint_undoes_an_ignored_sigint_inherited() -> None:
    probe = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a script's background job
    try:
        plain = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60)
        fixed = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            timeout=60,
            preexec_fn=default_sigint,
        )
    finally:
        signal.signal(signal.SIGINT, old)
    assert plain.stdout.strip() == b"True"  # what made the interrupted-round test hang
    assert fixed.stdout.strip() == b"False"

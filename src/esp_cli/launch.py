"""The `esp` command's first code: Ctrl-C is quiet from the very start.

Loading Python's modules and esp's command line takes a tenth of a second (much longer on a
slow Windows start); a Ctrl-C then would print a traceback from whatever was being
imported. So this module first makes Ctrl-C end the process at once with one line and exit
code 130 (as a shell reports a program stopped by Ctrl-C), then loads the command line. Once
it is loaded, Ctrl-C is a KeyboardInterrupt again, which esp handles where it runs (nothing
half written; a round's answers kept). A process started with Ctrl-C ignored (a script's
background job) keeps it ignored.

It imports only what Python has loaded before running any code: `os`, `sys` and `_signal`,
the C half of `signal` (which would load `enum` and more first).
"""

import _signal
import os
import sys

INTERRUPTED = "esp: interrupted; nothing more was written.\n"
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def _stop(signum: int, frame: object) -> None:
    # Nothing is written yet while esp loads: leave at once, without unwinding the imports.
    try:
        os.write(2, INTERRUPTED.encode())
    except OSError:
        pass
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    """The console entry point (pyproject.toml [project.scripts]) and `python -m esp_cli`."""
    quiet = _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler
    if quiet:
        _signal.signal(_signal.SIGINT, _stop)
    from esp_cli.cli import main as run

    try:
        if quiet:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        run()
    except KeyboardInterrupt:  # between the two lines above and esp's own handling
        sys.stderr.write(INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as done:  # how every command ends
        _leave(done.code)
        raise  # the usual way out, when _leave did not take the short one


def _leave(code: object) -> None:
    """End the process without taking Python's objects apart one by one: a command that
    read a 10,000-agent tracker holds a few hundred thousand of them, and freeing them all
    takes 30-40 ms, for nothing, since the process ends. What a normal exit does that
    matters is done first — standard output and error flushed, the functions registered
    to run at exit run. Taken only for a plain exit code, with output flushed, and when no
    other thread is still at work (the normal exit waits for it); otherwise this returns
    and the normal exit follows."""
    import atexit
    import threading

    if code is not None and not isinstance(code, int):
        return  # a message as the exit code: Python prints it
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe or stream: the normal exit says so as it always has
    atexit._run_exitfuncs()
    os._exit(code or 0)

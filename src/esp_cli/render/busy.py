"""A progress line on standard error while long work runs, on a terminal only.

`with working("Reading ESP Tracker.xlsx") as line:` shows nothing for the first second
(most commands are done by then); after that, one line says what esp is doing, for how
long, and how far it has come when the work says (`line.step(done, total)`, core.busy). It
is redrawn at most five times a second, erased when the work ends (Ctrl-C included) and
stopped for good as soon as anything else is written. Piped or redirected — and so in
tests — there is no line at all; ESP_PROGRESS=always forces it (ESP_PROGRESS=never
turns it off).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from esp_cli.system import can_encode, console_takes_colour, is_terminal, stand_in

DELAY = 1.0  # seconds of work before a line is shown
EVERY = 0.2  # seconds between two redraws

_current: BusyLine | None = None
_lock = threading.Lock()


def shown_on(stream: Any) -> bool:
    setting = os.environ.get("ESP_PROGRESS", "auto").strip().lower()
    if setting == "never":
        return False
    return setting == "always" or is_terminal(stream)


class BusyLine:
    """The line (core.busy.Busy): what, how long, how far."""

    def __init__(self, what: str, stream: Any = None, delay: float = DELAY) -> None:
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.started = time.monotonic()
        self.done: int | None = None
        self.total: int | None = None
        self.item = ""
        self.width = 0  # of the line on screen; 0: nothing shown
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def step(self, done: int, total: int | None = None, what: str = "") -> None:
        self.done, self.total, self.item = done, total, what

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="esp-progress", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        if self.stopped.wait(self.delay):
            return
        while not self.stopped.is_set():
            with _lock:
                if not self.stopped.is_set():
                    self._draw()
            self.stopped.wait(EVERY)

    def text(self) -> str:
        seconds = int(time.monotonic() - self.started)
        parts = [f"{self.what}…"]
        if self.done is not None:
            parts.append(f"{self.done:,}" + (f" of {self.total:,}" if self.total else ""))
        if self.item:
            parts.append(self.item)
        parts.append(f"{seconds} s")
        return " ".join(parts)

    def _draw(self) -> None:
        import shutil

        room = max(shutil.get_terminal_size().columns - 1, 20)
        line = self.text()[:room]
        try:
            if not can_encode(self.stream, line):
                line = stand_in(line)
            self.stream.write("\r" + line + " " * max(self.width - len(line), 0))
            self.stream.flush()
        except (OSError, ValueError):
            self.stopped.set()
            return
        self.width = len(line)

    def stop(self) -> None:
        """Stop drawing and erase what was drawn (safe to call twice)."""
        self.stopped.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()
        with _lock:
            if self.width:
                erase = "\x1b[K" if console_takes_colour(self.stream) else " " * self.width
                try:
                    self.stream.write("\r" + erase + "\r")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
                self.width = 0


@contextmanager
def working(what: str, stream: Any = None, delay: float = DELAY) -> Iterator[BusyLine]:
    """A progress line for the work done inside (nothing where it is not shown_on)."""
    global _current
    line = BusyLine(what, stream, delay)
    if not shown_on(line.stream):
        yield line
        return
    _current = line
    line.start()
    try:
        yield line
    finally:
        line.stop()
        _current = None


def pause() -> None:
    """Anything else about to be written: the line goes, for good (render.say and the
    tables call this)."""
    line = _current
    if line is not None:
        line.stop()

"""A workbook's calamine reading started from the command line, before esp loads the rest.

Loading Typer, esp's settings and the command's code takes a tenth of a second; calamine's
parse of the tracker, most of a read, holds no lock of the interpreter, so it can run
meanwhile. This module loads nothing but calamine, so that it starts first; xlsx.reader's
read ahead takes what it read.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from esp_cli.system import keep_large_blocks_apart, read_file


class EarlyParse:
    """A workbook's bytes and calamine's reading of its visible sheets, made on a thread of
    its own. Only a head start, never an answer: xlsx.reader.read_ahead takes it (the
    package opened from these very bytes), and a command opens the file itself when it
    holds other bytes by then, or when anything here failed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: Future[bytes] = Future()
        # calamine's workbook, and its reading of each visible sheet by name.
        self.parsed: Future[tuple[Any, dict[str, Any]]] = Future()
        threading.Thread(target=self._run, name="esp-parse", daemon=True).start()

    def _run(self) -> None:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        try:
            data = read_file(self.path)
        except BaseException as exc:  # the command's own open says what is wrong
            self.data.set_exception(exc)
            self.parsed.set_exception(exc)
            return
        self.data.set_result(data)
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            shown = [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
            self.parsed.set_result((book, {name: book.get_sheet_by_name(name) for name in shown}))
        except BaseException as exc:  # read again when the sheet is read, and raised there
            self.parsed.set_exception(exc)


# Each workbook read ahead by path (the tracker; for esp sync-nnumbers the Master too).
_EARLY: dict[Path, EarlyParse] = {}


# A tracker larger than this (some 25,000 agents) is read when the command reaches it: its
# reading takes seconds, and a head start of a tenth of one is worth less than the memory
# a parse made beside the command's loading leaves scattered (a write to a 50,000-agent
# tracker peaked 5 MB higher, at its limit).
HEAD_START_MAX_BYTES = 4 << 20


def worth_a_head_start(path: Path) -> bool:
    """Whether the workbook at `path` is read ahead (see HEAD_START_MAX_BYTES)."""
    try:
        return path.stat().st_size <= HEAD_START_MAX_BYTES
    except OSError:
        return False


def parse_early(path: Path) -> None:
    """Start reading the workbook at `path` (EarlyParse), for the read ahead to take."""
    if path in _EARLY or not worth_a_head_start(path):
        return
    import python_calamine  # noqa: F401 - loaded here: the thread then loads nothing

    keep_large_blocks_apart()  # before the large blocks of a read (see system)
    _EARLY[path] = EarlyParse(path)


def take_early_parse(path: Path) -> EarlyParse | None:
    """The early reading of `path` (once), if one was started."""
    return _EARLY.pop(path, None)

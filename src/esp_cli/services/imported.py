"""Which note lines an earlier esp import wrote, and from which file: the tracker's log
tells a line `esp progress import` wrote from a report file apart from the same words
e-mailed or typed by hand (whose line reads the same), so that a line an earlier esp
wrote without some of a row's answers is taken for that row, and no other line is.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

from esp_cli.core import oplog
from esp_cli.core.notes import folded, lines_of
from esp_cli.workbook import history


class ImportedLines:
    """The lines each logged `esp COMMAND` (`progress import`) added to a cell, with the
    files it was given; read from the log once, when first asked. `default`: the files the
    command reads when given none (esp.toml's)."""

    def __init__(
        self,
        tracker: Path,
        backup_dir: Path | None,
        command: str,
        default: Iterable[Path] = (),
    ) -> None:
        self._tracker = tracker
        self._backup_dir = backup_dir
        self._command = command
        self._default = tuple(default)
        self._added: dict[str, list[tuple[Path, ...]]] | None = None

    def wrote(self, line: str, source: Path) -> bool:
        """Whether an earlier import of the file `source` (given by its path or its folder's)
        added `line` to a cell."""
        if self._added is None:
            self._added = self._read()
        return any(_names(given, source) for given in self._added.get(folded(line), ()))

    def _read(self) -> dict[str, list[tuple[Path, ...]]]:
        path, ours = history.log_to_read(self._tracker, self._backup_dir)
        needle = self._command.encode()

        def keep(raw: bytes) -> bool:
            return needle in raw and (ours is None or ours(raw))

        added: dict[str, list[tuple[Path, ...]]] = {}
        for op in history.read_log(path, keep).operations:
            given = self._given(op.command)
            if op.kind != oplog.WRITE or given is None:
                continue
            for cell in op.cells:
                if not isinstance(cell.after, str):
                    continue
                before = {
                    folded(ln)
                    for ln in lines_of(cell.before if isinstance(cell.before, str) else "")
                }
                for ln in lines_of(cell.after):
                    if folded(ln) not in before:
                        added.setdefault(folded(ln), []).append(given)
        return added

    def _given(self, command: str) -> tuple[Path, ...] | None:
        """The files (or folders) a logged command line was given; None for another
        command."""
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        head = self._command.split()
        # The command's words, after any option given before them (`esp -q progress import`).
        at = next((i for i in range(len(words)) if words[i : i + len(head)] == head), None)
        if not words or words[0] != "esp" or at is None:
            return None
        given = tuple(Path(w) for w in words[at + len(head) :] if not w.startswith("-"))
        return given or self._default


def _names(given: Iterable[Path], source: Path) -> bool:
    """Whether `source` is one of the files given, or in a folder given: as the paths
    resolve here, else by the file's name."""
    here = source.resolve()
    for path in given:
        there = path.expanduser().resolve()
        if there == here or there in here.parents or path.name.casefold() == source.name.casefold():
            return True
    return False

"""The tracker a command is given, checked before any work: it must be a workbook that
exists, else one line naming the option or setting its path came from."""

from __future__ import annotations

from pathlib import Path

from esp_cli.workbook.inputs import check_new_workbook, check_workbook
from esp_cli.workbook.xlsx.early import parse_early

__all__ = ["check_new_workbook", "check_tracker", "parse_early", "read_ahead"]


def check_tracker(path: Path, source: str, master: Path | None = None) -> None:
    """Refuse a tracker that is missing or is Excel's lock file, naming `source` (--tracker,
    ESP_TRACKER or [tracker] path) and any workbook of a similar name beside it (never the
    Master N Number Tracker `master`)."""
    check_workbook(path, "ESP Tracker", source, other=master)


def read_ahead(path: Path, write: bool = False, every_row: bool = False) -> None:
    """Start reading the tracker in the background while the command loads (the next open
    of `path` takes what was read; see xlsx.reader.read_ahead); `write`: the command writes
    (`every_row`: every row), and the sheets are made ready for that too."""
    from esp_cli.workbook.xlsx import reader

    reader.read_ahead(path, write, every_row)

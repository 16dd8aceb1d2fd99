"""A dry run of a write makes the new workbook in memory as the write does (and throws it
away): whatever only making it finds refuses the dry run as it refuses the write, in the
same words, naming the sheet and the cell."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from esp_cli.config import Config
from esp_cli.errors import EspError
from esp_cli.workbook.session import write_session
from tests.factories import tracker

AGENTS = [
    {"Class": "AET-1", "Agent Name": f"Agent {chr(65 + i // 26)}{chr(65 + i % 26)}"}
    for i in range(40)
]


def _twice_far(path: Path, num: int) -> Path:
    """The tracker with row `num` written a second time near the end of its sheet's XML."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = re.findall(rb"<row [^>]*?(?:/>|>.*?</row>)", data, re.S)
                twin = next(r for r in rows if r.startswith(b'<row r="%d"' % num))
                data = data.replace(rows[-2], twin + rows[-2], 1)
            zout.writestr(info, data)
    return path


def _write(path: Path, rows: list[int], dry_run: bool) -> str:
    try:
        with write_session(path, Config(), keys=("notes",), dry_run=dry_run) as s:
            by_row = {r.row: r for r in s.table.rows()}
            for n in rows:
                s.plan.set(by_row[n], "notes", f"line {n}")
    except EspError as exc:
        return str(exc)
    return "written" if not dry_run else "would be written"


@pytest.mark.parametrize("rows", [[30, 40], [30, 38, 40], [41, 30]])
def test_a_row_written_twice_far_down_refuses_the_dry_run_as_the_write(
    tmp_path: Path, rows: list[int]
) -> None:
    """Row 30 is found by its reference while the cells are planned; a later row (40,
    next to the twin) has the rows indexed, and the twin is found when the new sheet is
    made: the write refuses there, and so must its dry run (it said it would write)."""
    path = _twice_far(tracker(tmp_path / "ESP Tracker.xlsx", AGENTS), 30)
    before = path.read_bytes()
    dry = _write(path, rows, dry_run=True)
    real = _write(path, rows, dry_run=False)
    assert real.startswith("'ESP Tracker'!K30: ") and "row 30 appears twice" in real
    assert dry == real
    assert path.read_bytes() == before


@pytest.mark.parametrize("rows", [[30], [30, 39], [39, 41], [5, 30, 41], [41]])
def test_a_dry_run_answers_as_the_write_does(tmp_path: Path, rows: list[int]) -> None:
    """Whichever rows are written, the dry run refuses exactly when the write does, in its
    words, and says it would write exactly when the write writes."""
    path = _twice_far(tracker(tmp_path / "ESP Tracker.xlsx", AGENTS), 30)
    dry = _write(path, rows, dry_run=True)
    real = _write(path, rows, dry_run=False)
    assert (dry == "would be written") == (real == "written")
    if real != "written":
        assert dry == real

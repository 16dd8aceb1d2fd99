"""The benchmark's tracker builder makes what the benchmark claims (no timing here)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from bench.bench import EXTRA_COLUMNS, build_master, build_tracker, generate
from scripts.sample_builder.sample import LISTS_SHEET, TRACKER_COLUMNS

from esp_cli.config import Config
from esp_cli.services.sync import sync_nnumbers
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook

N = 50


def test_tracker_has_the_samples_features(tmp_path: Path) -> None:
    path = build_tracker(N, tmp_path / "ESP Tracker.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        strings = zf.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<x14:dataValidation " in sheet and "Lists!$A$2:$A$8" in sheet
    assert re.search(rf'<sheet name="{LISTS_SHEET}" sheetId="\d+" state="hidden"', workbook)
    cached = re.findall(r"<f>[^<]+</f><v>[^<]*</v>", sheet)
    assert len(cached) == N  # the Status formula on every agent, each with its result
    assert re.search(r"<t[^>]*>\d\d/\d\d/\d{4} - [^<]*\n\d\d/\d\d/\d{4} - ", strings)  # notes

    table = read_table(Workbook.open(path))
    rows = list(table.rows())
    assert len(rows) == N
    assert len({r.text("agent_id") for r in rows}) == N
    (agents,) = table.sheets
    assert agents.header_row == 4
    assert len(agents.headers) == len(TRACKER_COLUMNS) + len(EXTRA_COLUMNS) == 40


def test_master_gives_sync_a_realistic_day(tmp_path: Path) -> None:
    tracker = build_tracker(N, tmp_path / "ESP Tracker.xlsx")
    master = build_master(N, tmp_path / "Master.xlsx")
    expected = generate(N)
    result = sync_nnumbers(tracker, master, Config(), dry_run=True)
    assert 0 < len(result.write.changes) < N // 2  # most agents already have their date
    assert len(result.conflicts) == expected.expected_conflicts
    assert len(result.unmatched) == expected.expected_unmatched
    assert not result.findings


def test_a_sheet_esp_rewrites_is_no_larger_than_zlib_makes_it(tmp_path: Path) -> None:
    """A tracker's sheet compressed as esp compresses a large part (by ISA-L where it is
    installed) is within 2% of what zlib makes of it at the same level."""
    import io
    import zlib

    from esp_cli.workbook.xlsx import zipio

    path = build_tracker(2_000, tmp_path / "ESP Tracker.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert len(sheet) > 2 * zipio.BIG_PART
    out = io.BytesIO()
    zipio._deflate(sheet, out)
    one = zlib.compressobj(1, zlib.DEFLATED, -15)
    assert len(out.getvalue()) <= 1.02 * len(one.compress(sheet) + one.flush())
    assert zlib.decompress(out.getvalue(), -15) == sheet

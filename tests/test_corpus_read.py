"""Reading succeeds on every real-world workbook (openpyxl's full load fails on two)."""

from __future__ import annotations

from pathlib import Path

import pytest

from esp_cli.errors import MissingColumnsError
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook

pytestmark = pytest.mark.corpus


def test_every_corpus_workbook_reads(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.glob("*.xls[xm]"))
    assert len(files) >= 39
    cells = 0
    for path in files:
        wb = Workbook.open(path)
        for info in wb.sheets:
            values = wb.values(info)
            cells += sum(1 for row in values.rows for v in row if v not in ("", None))
        try:
            read_table(wb)
        except MissingColumnsError as exc:  # not trackers: the error names what it found
            assert "headers found" in str(exc)
    assert cells > 50_000


def test_openpyxl_breakers_read(corpus_dir: Path) -> None:
    for name in ("calamine__pivots.xlsx", "poi__picture.xlsx"):
        wb = Workbook.open(corpus_dir / name)
        assert any(wb.values(info).rows for info in wb.sheets)


def test_error_cells_are_kept_distinct_from_blanks(tmp_path: Path) -> None:
    from scripts.sample_builder.sample import build_sample

    files = build_sample(tmp_path)
    table = read_table(Workbook.open(files.tracker))
    errors = [f for f in table.findings if "#N/A" in f.message]
    assert [f.address for f in errors] == ["'ESP Tracker'!F70"]


def test_every_corpus_workbook_reads_the_same_when_read_ahead(corpus_dir: Path) -> None:
    """The read ahead (calamine's parse started while a command loads) reads every sheet of
    every real workbook as an open at the time of reading does: values, error cells,
    numbers shown as text."""
    from esp_cli.workbook.xlsx import early as inputs
    from esp_cli.workbook.xlsx import reader

    for path in sorted(corpus_dir.glob("*.xls[xm]")):
        plain = Workbook.open(path)
        for from_command_line in (False, True):
            if from_command_line:
                inputs.parse_early(path)
            reader.read_ahead(path)
            early = Workbook.open(path)
            assert early._reading is not None, path.name  # the read ahead was taken
            for info in plain.sheets:
                a, b = plain.values(info), early.values(info)
                assert (a.rows, a.last_col, a.formats) == (b.rows, b.last_col, b.formats), (
                    path.name,
                    info.name,
                )


def test_every_part_of_every_corpus_workbook_reads_as_zipfile_reads_it(corpus_dir: Path) -> None:
    """The deflate engine (ISA-L where installed) gives each part's bytes as zipfile does,
    for the packages Excel, LibreOffice and other programs wrote."""
    import io
    import zipfile

    from esp_cli.workbook.xlsx.package import Package

    files = sorted(corpus_dir.glob("*.xls[xm]"))
    assert files
    for path in files:
        data = path.read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(data))
        pkg = Package(path=path, data=data, zf=zf)
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                continue  # encrypted: refused when such a workbook is opened
            assert pkg.read(info.filename) == zf.read(info), (path.name, info.filename)

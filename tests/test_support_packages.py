"""The package helpers in tests/support/packages.py."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.support import packages
from tests.support.packages import (
    CellXml,
    copy_with_parts,
    diff_parts,
    sheet_cells,
    sheet_parts_outside_sheetdata,
    zip_infos,
    zip_parts,
)
from tests.support.paths import corpus_dir, corpus_files, skip_unless_in_ci

MAIN = packages.MAIN_NS
SHEET = "xl/worksheets/sheet1.xml"
SMALL = corpus_dir() / "xlsxwriter__autofilter01.xlsx"  # Excel-like, flags 0, 1980 dates
LIBRE = corpus_dir() / "libreoffice__lo_tracker.xlsx"  # LibreOffice: bit 3 on every entry

corpus = pytest.mark.skipif(
    skip_unless_in_ci(corpus_dir().is_dir()), reason="shared/corpus not available"
)


def make_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 2, 3, 4, 6)), data)
    return path


# --------------------------------------------------------------------------- zip level


def test_zip_parts_and_infos_keep_order(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", [("b", b"2"), ("a", b"1"), ("c/d.xml", b"<x/>")])
    parts = zip_parts(path)
    assert list(parts) == ["b", "a", "c/d.xml"]
    assert parts == {"b": b"2", "a": b"1", "c/d.xml": b"<x/>"}
    infos = zip_infos(path)
    assert [(i.name, i.order) for i in infos] == [("b", 0), ("a", 1), ("c/d.xml", 2)]
    assert infos[0].date_time == (2020, 1, 2, 3, 4, 6)
    assert infos[0].crc == zlib.crc32(b"2")
    assert infos[0].compress_type == zipfile.ZIP_STORED


def test_stored_bytes_are_the_compressed_data(tmp_path: Path) -> None:
    path = tmp_path / "s.zip"
    text = b"<x>" + b"abc" * 1000 + b"</x>"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("big.xml"), text, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("raw.bin"), b"\x00\x01", compress_type=zipfile.ZIP_STORED)
    stored = packages.stored_bytes(path)
    assert list(stored) == ["big.xml", "raw.bin"]
    assert stored["raw.bin"] == b"\x00\x01"
    assert zlib.decompress(stored["big.xml"], -15) == text
    assert [i.compress_size for i in zip_infos(path)] == [len(stored["big.xml"]), 2]


def test_zip_parts_rejects_duplicates(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", [("a", b"1")])
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning):
        zf.writestr("a", b"2")
    with pytest.raises(ValueError, match="duplicate zip entry 'a'"):
        zip_parts(path)
    assert [i.name for i in zip_infos(path)] == ["a", "a"]


@corpus
def test_zip_infos_of_real_files() -> None:
    excel_like = zip_infos(SMALL)
    assert excel_like[0].name == "[Content_Types].xml"
    assert {i.date_time for i in excel_like} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.flag_bits & 0x08 for i in excel_like} == {0}
    libre = zip_infos(LIBRE)
    assert libre[0].name == "_rels/.rels"
    assert all(i.flag_bits & 0x08 for i in libre)


def test_diff_parts(tmp_path: Path) -> None:
    before = make_zip(tmp_path / "1.zip", [("a", b"1"), ("b", b"2"), ("gone", b"x")])
    after = make_zip(tmp_path / "2.zip", [("a", b"1"), ("b", b"3"), ("new", b"y")])
    assert diff_parts(before, after) == {"b", "gone", "new"}
    assert diff_parts(before, before) == set()
    assert diff_parts(zip_parts(before), after) == {"b", "gone", "new"}
    assert diff_parts({"a": b"1"}, {"a": b"1"}) == set()


@corpus
def test_copy_with_parts_changes_only_what_it_is_told(tmp_path: Path) -> None:
    target = tmp_path / "copy.xlsx"
    copy_with_parts(SMALL, target, {"docProps/app.xml": None, SHEET: b"<x/>", "new.xml": b"<y/>"})
    assert diff_parts(SMALL, target) == {"docProps/app.xml", SHEET, "new.xml"}
    before = [i for i in zip_infos(SMALL) if i.name != "docProps/app.xml"]
    after = zip_infos(target)
    assert [i.name for i in after] == [i.name for i in before] + ["new.xml"]
    assert [(i.date_time, i.compress_type) for i in after[:-1]] == [
        (i.date_time, i.compress_type) for i in before
    ]


# --------------------------------------------------------------------------- OPC helpers


def test_resolve_target() -> None:
    assert packages.resolve_target("xl/workbook.xml", "worksheets/sheet1.xml") == SHEET
    assert packages.resolve_target("xl/worksheets/sheet1.xml", "../media/a%20b.png") == (
        "xl/media/a b.png"
    )
    assert packages.resolve_target("", "xl/workbook.xml") == "xl/workbook.xml"
    assert packages.resolve_target("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert packages.resolve_target("xl/drawings/d.xml", "#Home!A1") == "xl/drawings/d.xml"
    assert packages.rels_name("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"
    assert packages.rels_name("") == "_rels/.rels"
    assert packages.rels_source("xl/_rels/workbook.xml.rels") == "xl/workbook.xml"
    assert packages.rels_source("_rels/.rels") == ""
    assert packages.rels_source("xl/workbook.xml") is None


@corpus
def test_workbook_sheets() -> None:
    assert packages.sheet_names(LIBRE) == ["Tracker", "Lists"]
    assert packages.sheet_part(LIBRE, "Lists") == "xl/worksheets/sheet2.xml"
    with pytest.raises(KeyError):
        packages.sheet_part(LIBRE, "Nope")
    chart = packages.workbook_sheets(corpus_dir() / "poi__WithChartSheet.xlsx")
    assert any(entry.part and "chartsheets/" in entry.part for entry in chart)


def test_refs() -> None:
    assert packages.split_ref("B7") == (7, 2)
    assert packages.split_ref("XFD1048576") == (1048576, 16384)
    assert packages.make_ref(7, 2) == "B7"
    assert packages.column_letters(27) == "AA"
    for bad in ["b7", "A0", "XFE1", "A1048577", "$B$7", "B"]:
        with pytest.raises(ValueError):
            packages.split_ref(bad)


# --------------------------------------------------------------------------- worksheet XML

TRICKY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:C3"/>'
    "<x:sheetData>"
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c s="1"/><x:c><x:v>3</x:v></x:c></x:row>'
    "<x:row>"  # row 2
    '<x:c r="B2" t="inlineStr"><x:is><x:t>a &lt;c&gt; <![CDATA[</x:c><x:c>]]></x:t></x:is></x:c>'
    '<!-- <x:c r="Z9"/> --><x:c t="str" foo="a&gt;b"><x:f>"&gt;"</x:f><x:v>&gt;</x:v></x:c>'
    "</x:row>"
    '<x:row r="3"><x:c r="A3"></x:c></x:row>'
    '</x:sheetData><x:pageMargins left="1" right="1" top="1" bottom="1" header="0" '
    'footer="0"/></x:worksheet>'
).encode()


def test_sheet_cells_resolves_positions_and_keeps_bytes() -> None:
    cells = sheet_cells(TRICKY)
    assert list(cells) == ["A1", "B1", "C1", "B2", "C2", "A3"]
    assert cells["A1"] == CellXml({"r": "A1", "t": "s"}, b"<x:v>0</x:v>")
    assert cells["B1"] == CellXml({"s": "1"}, b"")
    assert cells["C1"].inner == b"<x:v>3</x:v>"
    assert cells["B2"].inner == b"<x:is><x:t>a &lt;c&gt; <![CDATA[</x:c><x:c>]]></x:t></x:is>"
    assert cells["C2"] == CellXml({"t": "str", "foo": "a>b"}, b'<x:f>"&gt;"</x:f><x:v>&gt;</x:v>')
    assert cells["A3"] == CellXml({"r": "A3"}, b"")


PLAIN = (
    f'<worksheet xmlns="{MAIN}"><sheetData>'
    '<row r="2" spans="1:3"><c r="A2" t="s"><v>7</v></c><c r="B2" s="3"/>'
    '<c r="C2" t="inlineStr" x="a>b"><is><r><t xml:space="preserve"> x </t></r></is></c></row>'
    '<row r="4"><c r="AA4"><f t="shared" ref="AA4:AA9" si="0">A1&amp;"&lt;c&gt;"</f>'
    "<v>1</v></c ></row></sheetData><cols/></worksheet>"
).encode()


def test_sheet_cells_fast_path_exact_bytes() -> None:
    cells = sheet_cells(PLAIN)
    assert cells == {
        "A2": CellXml({"r": "A2", "t": "s"}, b"<v>7</v>"),
        "B2": CellXml({"r": "B2", "s": "3"}, b""),
        "C2": CellXml(
            {"r": "C2", "t": "inlineStr", "x": "a>b"},
            b'<is><r><t xml:space="preserve"> x </t></r></is>',
        ),
        "AA4": CellXml(
            {"r": "AA4"}, b'<f t="shared" ref="AA4:AA9" si="0">A1&amp;"&lt;c&gt;"</f><v>1</v>'
        ),
    }
    assert sheet_parts_outside_sheetdata(PLAIN) == (
        f'<worksheet xmlns="{MAIN}"><cols/></worksheet>'.encode()
    )


def test_sheet_cells_rejects_duplicates() -> None:
    xml = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"/><c r="A1"/></row>'
    with pytest.raises(ValueError, match="duplicate cell A1"):
        sheet_cells((xml + "</sheetData></worksheet>").encode())


def test_sheet_cells_detects_a_changed_cell() -> None:
    changed = TRICKY.replace(b"<x:v>3</x:v>", b"<x:v>4</x:v>")
    before, after = sheet_cells(TRICKY), sheet_cells(changed)
    assert [ref for ref in before if before[ref] != after[ref]] == ["C1"]


def test_outside_sheetdata() -> None:
    outside = sheet_parts_outside_sheetdata(TRICKY)
    assert outside.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet')
    assert outside.endswith(
        b'<x:dimension ref="A1:C3"/><x:pageMargins left="1" right="1" '
        b'top="1" bottom="1" header="0" footer="0"/></x:worksheet>'
    )
    assert b"sheetData" not in outside
    edited_cell = TRICKY.replace(b"<x:v>3</x:v>", b"<x:v>4</x:v>")
    assert sheet_parts_outside_sheetdata(edited_cell) == outside
    edited_dim = TRICKY.replace(b"A1:C3", b"A1:C4")
    assert sheet_parts_outside_sheetdata(edited_dim) != outside
    empty = f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData/><x/></worksheet>'
    assert sheet_parts_outside_sheetdata(empty.encode()) == (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><x/></worksheet>'.encode()
    )
    with pytest.raises(ValueError, match="no sheetData"):
        sheet_parts_outside_sheetdata(f'<worksheet xmlns="{MAIN}"/>'.encode())


@corpus
def test_r_less_sheet_matches_the_original_and_openpyxl(tmp_path: Path) -> None:
    original = zip_parts(SMALL)[SHEET]
    stripped = re.sub(rb'(<(?:row|c)) r="[A-Z]*[0-9]+"', rb"\1", original)
    assert b'<c r="' not in stripped and b'<row r="' not in stripped
    before, after = sheet_cells(original), sheet_cells(stripped)
    assert list(after) == list(before)
    assert all(after[ref].inner == before[ref].inner for ref in before)
    assert all(
        after[ref].attrs == {k: v for k, v in before[ref].attrs.items() if k != "r"}
        for ref in before
    )

    import openpyxl

    target = tmp_path / "rless.xlsx"
    copy_with_parts(SMALL, target, {SHEET: stripped})
    workbook = openpyxl.load_workbook(target)
    try:
        openpyxl_refs = {
            c.coordinate for row in workbook.active.iter_rows() for c in row if c.value is not None
        }
    finally:
        workbook.close()
    assert openpyxl_refs == set(before)


@pytest.mark.corpus
@corpus
def test_every_corpus_sheet_scans_consistently() -> None:
    """Fast and full scanner agree on every corpus worksheet, and so do scanner and parser."""
    sheets = 0
    for path in corpus_files():
        parts = zip_parts(path)
        for entry in packages.workbook_sheets(parts):
            xml = parts[entry.part or ""]
            if b"<chartsheet" in xml[:1000]:
                continue
            sheets += 1
            assert packages._scan_sheet(xml) == packages._scan_sheet(xml, fast=False)
            cells = sheet_cells(xml)  # raises if scanner and parser disagree
            outside = sheet_parts_outside_sheetdata(xml)
            assert len(outside) + sum(len(c.inner) for c in cells.values()) < len(xml)
    assert sheets == 161


def test_fast_scan_falls_back_on_comments() -> None:
    fast = packages._scan_sheet(TRICKY)
    assert fast == packages._scan_sheet(TRICKY, fast=False)
    assert len(fast.cell_inner) == 6

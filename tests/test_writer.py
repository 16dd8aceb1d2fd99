"""The lossless writer: only the meant cells change; refusals name the cell."""

from __future__ import annotations

import errno
import io
import os
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table as XLTable
from scripts.sample_builder.build import Formula, SheetSpec, WorkbookSpec, write_workbook

from esp_cli.errors import UnsafeWriteError, WorkbookBusyError
from esp_cli.workbook.xlsx import patch as patch_module
from esp_cli.workbook.xlsx.patch import xml_text
from esp_cli.workbook.xlsx.workbook import Workbook, locked_for_update
from esp_cli.workbook.xlsx.zipio import rewrite

from .factories import make_workbook
from .support import ooxml
from .support.disk import route_writes
from .support.marks import checks_schemas
from .support.packages import copy_with_parts

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write(path: Path, cells: list[tuple[str, int, int, object]]) -> Path:
    with locked_for_update(path) as wb:
        p = wb.patcher()
        for sheet, row, col, value in cells:
            p.set(sheet, row, col, value)
        return wb.save(p).backup


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = make_workbook(
        tmp_path / "t.xlsx",
        {
            "S": [
                ["Name", "Start", "Notes", "Calc"],
                ["Ann", date(2026, 11, 20), "first", None],
                ["Bob", None, None, None],
            ],
            "Other": [["x", 1]],
        },
    )
    wb = openpyxl.load_workbook(path)
    wb["S"]["D2"] = "=B2+1"
    wb["S"].merge_cells("F1:G1")
    wb.save(path)
    return path


def test_writes_values_of_every_kind_and_nothing_else(book: Path) -> None:
    before = parts(book)
    write(
        book,
        [
            ("S", 3, 2, date(2026, 11, 23)),
            ("S", 3, 3, "=1+1"),
            ("S", 2, 3, "second"),
            ("S", 7, 1, 12.5),
            ("S", 2, 5, True),
            ("S", 3, 1, "  spaced  "),
        ],
    )
    after = parts(book)
    changed = {n for n in before if before[n] != after.get(n)}
    expected = {"xl/worksheets/sheet1.xml"} | ({"xl/sharedStrings.xml"} & set(before))
    assert changed == expected
    assert set(before) == set(after)
    ws = openpyxl.load_workbook(book)["S"]
    assert ws["B3"].value.date() == date(2026, 11, 23)
    assert ws["B3"].is_date
    assert ws["C3"].value == "=1+1" and ws["C3"].data_type == "s"
    assert ws["C2"].value == "second"
    assert ws["A7"].value == 12.5
    assert ws["E2"].value is True
    assert ws["A3"].value == "  spaced  "
    assert ws["D2"].value == "=B2+1"  # the formula survives
    assert ws["A2"].value == "Ann" and ws["B2"].value.date() == date(2026, 11, 20)
    assert openpyxl.load_workbook(book)["Other"]["B1"].value == 1


def test_text_is_never_a_formula(book: Path) -> None:
    write(book, [("S", 3, 3, '=HYPERLINK("http://x")'), ("S", 3, 4, "+1"), ("S", 3, 5, "@x")])
    sheet = parts(book)["xl/worksheets/sheet1.xml"]
    row3 = re.search(rb'<row r="3".*?</row>', sheet, re.S).group(0)
    assert b"<f>" not in row3


def test_refuses_formula_merged_and_protected_cells(book: Path) -> None:
    original = book.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!D2 holds a formula"):
        write(book, [("S", 2, 4, "x")])
    with pytest.raises(UnsafeWriteError, match=r"S!G1 is inside the merged cells F1:G1"):
        write(book, [("S", 1, 7, "x")])
    assert book.read_bytes() == original
    wb = openpyxl.load_workbook(book)
    wb["S"].protection.sheet = True
    wb.save(book)
    with pytest.raises(UnsafeWriteError, match="protected"):
        write(book, [("S", 3, 3, "x")])


def test_shared_strings_appended_with_exact_counts(book: Path) -> None:
    before = parts(book).get("xl/sharedStrings.xml")
    write(book, [("S", 3, 3, "new text"), ("S", 3, 4, "new text"), ("S", 2, 3, "other")])
    sst = parts(book).get("xl/sharedStrings.xml")
    if before is None:  # inline strings workbook: no sst part is invented
        assert sst is None
        return
    n_si = len(re.findall(rb"<si>", sst))
    assert re.search(rb'uniqueCount="%d"' % n_si, sst)
    sheets = b"".join(v for k, v in parts(book).items() if k.startswith("xl/worksheets/"))
    n_refs = len(re.findall(rb't="s"', sheets))
    m = re.search(rb'\bcount="(\d+)"', sst)
    assert m is None or int(m.group(1)) == n_refs
    assert sst.startswith(before[: before.index(b"<si>")][:40])


def test_sst_count_counts_cells_even_below_unique_count(tmp_path: Path) -> None:
    # Found on poi__SimpleMacro.xlsx and 7 more corpus files: overwriting a shared-string cell
    # leaves its <si> unreferenced, and count was clamped up to uniqueCount (one too many).
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["a", "b"]})])
    path = write_workbook(spec, tmp_path / "c.xlsx")
    assert b'count="2" uniqueCount="2"' in parts(path)["xl/sharedStrings.xml"]
    write(path, [("S", 1, 1, "c"), ("S", 2, 1, "d")])
    assert b'count="3" uniqueCount="4"' in parts(path)["xl/sharedStrings.xml"]
    write(path, [("S", 1, 2, 5)])
    assert b'count="2" uniqueCount="4"' in parts(path)["xl/sharedStrings.xml"]


PIVOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="../pivotTables/pivotTable1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/pivotTable"/></Relationships>'
)
PIVOT = (
    '<pivotTableDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'name="Totals &amp; more" cacheId="1" dataCaption="Values"><location ref="B5:C7" '
    'firstHeaderRow="1" firstDataRow="1" firstDataCol="1" rowPageCount="2" colPageCount="1"/>'
    "</pivotTableDefinition>"
)


@pytest.mark.parametrize(
    ("ref", "refused"),
    [
        ("B5", True),
        ("C7", True),
        ("B2", True),
        ("C3", True),  # body; report filters B2:C3
        ("B4", False),
        ("D5", False),
        ("B8", False),
        ("A5", False),  # the gap row; around it
    ],
)
def test_pivot_table_cells_are_refused(tmp_path: Path, ref: str, refused: bool) -> None:
    # Found on calamine__pivots.xlsx: esp overwrote E5 inside PivotTable1 (A3:E5), and
    # LibreOffice, which refreshes pivot tables on load, showed the pivot's value instead.
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["x"]})])
    base = write_workbook(spec, tmp_path / "b.xlsx")
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/worksheets/_rels/sheet1.xml.rels", PIVOT_RELS)
        dst.writestr("xl/pivotTables/pivotTable1.xml", PIVOT)
    row, col = int(ref[1:]), ord(ref[0]) - 64
    if not refused:
        write(path, [("S", row, col, "ok")])
        wb = Workbook.open(path)
        assert wb.values(wb.sheets[0]).get(row, col) == "ok"
        return
    before = path.read_bytes()
    message = rf"S!{ref} is part of the PivotTable 'Totals & more'"
    with pytest.raises(UnsafeWriteError, match=message):
        write(path, [("S", row, col, "no")])
    assert path.read_bytes() == before


def test_date_gets_a_date_format_when_the_column_has_none(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "d.xlsx", {"S": [["Name", "When"], ["Ann", None]]})
    write(path, [("S", 2, 2, date(2026, 11, 24))])
    cell = openpyxl.load_workbook(path)["S"]["B2"]
    assert cell.is_date and cell.value.date() == date(2026, 11, 24)


def test_escaping_round_trips(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "e.xlsx", {"S": [["Name"], ["a"]]})
    texts = ["a < b & c > d", "line1\nline2", "_x0041_ literal", "tab\there", "ctrl\x01char"]
    write(path, [("S", 2 + i, 2, t) for i, t in enumerate(texts)])
    wb = Workbook.open(path)  # calamine and LibreOffice honour _x005F_; openpyxl does not
    values = wb.values(wb.pkg.sheet("S"))
    assert [values.get(2 + i, 2) for i in range(len(texts))] == texts
    assert xml_text("_x0041_") == b"_x005F_x0041_"


def test_cell_limit_is_refused(book: Path) -> None:
    with pytest.raises(UnsafeWriteError, match="32,767"):
        write(book, [("S", 3, 3, "x" * 32768)])


def test_new_column_extends_a_table_and_copies_style(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "tbl.xlsx", {"S": [["Name", "Start"], ["Ann", 1], ["Bob", 2]]})
    wb = openpyxl.load_workbook(path)
    ws = wb["S"]
    ws.add_table(XLTable(displayName="Agents", ref="A1:B3"))
    ws["B1"].font = openpyxl.styles.Font(bold=True)
    ws.column_dimensions["B"].width = 22
    wb.save(path)
    with locked_for_update(path) as book:
        p = book.patcher()
        p.add_column("S", 1, 3, "Next Action")
        p.set("S", 2, 3, "coaching")
        book.save(p)
    wb = openpyxl.load_workbook(path)
    ws = wb["S"]
    assert ws["C1"].value == "Next Action" and ws["C1"].font.bold
    assert ws["C2"].value == "coaching"
    table = ws.tables["Agents"]
    assert table.ref == "A1:C3"
    assert [c.name for c in table.tableColumns] == ["Name", "Start", "Next Action"]
    assert ws.column_dimensions["C"].width == 22


@pytest.mark.parametrize("kind", ["totals", "query"])
def test_new_columns_a_table_cannot_take_are_all_named_in_one_refusal(
    tmp_path: Path, kind: str
) -> None:
    """Two new columns right of a table with a totals row (or one a query fills): one
    refusal names both, before anything is written (a dry run too)."""
    path = make_workbook(
        tmp_path / "tbl.xlsx", {"S": [["Name", "Start"], ["Ann", 1], ["Bob", 2], ["Total", 3]]}
    )
    wb = openpyxl.load_workbook(path)
    wb["S"].add_table(XLTable(displayName="Agents", ref="A1:B4", totalsRowCount=1))
    wb.save(path)
    if kind == "query":
        table = "xl/tables/table1.xml"
        data = parts(path)[table].replace(b' totalsRowCount="1"', b' tableType="queryTable"')
        copy_with_parts(path, tmp_path / "q.xlsx", {table: data})
        (tmp_path / "q.xlsx").replace(path)
    before = path.read_bytes()
    with locked_for_update(path) as book:
        p = book.patcher()
        p.add_column("S", 1, 3, "Next Action")
        p.add_column("S", 1, 4, "Next Action Due")
        with pytest.raises(UnsafeWriteError) as refused:
            p.rehearse()
    message = refused.value.message
    assert "'Next Action' and 'Next Action Due'" in message, message
    assert ("totals row" if kind == "totals" else "query") in message, message
    assert "'Next Action' and 'Next Action Due' columns to the table" in str(refused.value.fix)
    assert path.read_bytes() == before


def test_r_less_rows_and_cells_and_prefixed_namespace(tmp_path: Path) -> None:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c>'
        b'<x:c t="inlineStr"><x:is><x:t>Start</x:t></x:is></x:c></x:row>'
        b'<x:row><x:c t="inlineStr"><x:is><x:t>Ann</x:t></x:is></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    path = make_workbook(tmp_path / "p.xlsx", {"S": [["placeholder"]]})
    src = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        new = rewrite(src, z, {"xl/worksheets/sheet1.xml": sheet})
    path.write_bytes(new)
    write(path, [("S", 2, 2, "x"), ("S", 4, 1, "Cy")])
    ws = openpyxl.load_workbook(path)["S"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["Name", "Start"],
        ["Ann", "x"],
        [None, None],
        ["Cy", None],
    ]
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    assert b'<x:row r="2">' in xml and b'<x:c r="A2"' in xml


def test_owner_file_and_outside_change_block_the_write(book: Path) -> None:
    original = book.read_bytes()
    owner = book.with_name("~$" + book.name)
    owner.write_bytes(b"user")
    with pytest.raises(WorkbookBusyError, match="open in Excel"):
        write(book, [("S", 3, 3, "x")])
    owner.unlink()
    assert book.read_bytes() == original
    with pytest.raises(WorkbookBusyError, match="changed on disk"), locked_for_update(book) as wb:
        p = wb.patcher()
        p.set("S", 3, 3, "x")
        book.write_bytes(original + b"")  # same bytes: still fine...
        wb2 = openpyxl.load_workbook(book)
        wb2["S"]["A3"] = "edited in Excel"
        wb2.save(book)  # ...but a real save in between is detected
        wb.save(p)
    assert openpyxl.load_workbook(book)["S"]["A3"].value == "edited in Excel"


def test_backup_holds_the_original_and_no_temp_file_is_left(book: Path) -> None:
    original = book.read_bytes()
    backup = write(book, [("S", 3, 3, "x")])
    assert backup.read_bytes() == original
    assert backup.parent == book.parent / "esp-backups"
    assert not [p for p in book.parent.iterdir() if "esp-tmp" in p.name]


def test_untouched_entries_keep_their_compressed_bytes(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        before = {i.filename: (i.CRC, i.compress_size, i.date_time) for i in z.infolist()}
    write(book, [("S", 3, 3, "x")])
    with zipfile.ZipFile(book) as z:
        after = {i.filename: (i.CRC, i.compress_size, i.date_time) for i in z.infolist()}
        assert z.testzip() is None
        order = [i.filename for i in z.infolist()]
    assert order == list(before)
    for name, info in before.items():
        if name != "xl/worksheets/sheet1.xml" and name != "xl/sharedStrings.xml":
            assert after[name] == info, name


def test_reading_after_write_sees_new_values(book: Path) -> None:
    write(book, [("S", 3, 2, date(2026, 12, 1))])
    wb = Workbook.open(book)
    values = wb.values(wb.pkg.sheet("S"))
    assert values.get(3, 2) == date(2026, 12, 1)


def test_refuses_table_headers_and_array_formula_cells(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "t.xlsx", {"S": [["Name", "Start"], ["Ann", 1], ["Bob", 2]]})
    wb = openpyxl.load_workbook(path)
    wb["S"].add_table(XLTable(displayName="Agents", ref="A1:B3"))
    wb["S"]["D1"] = openpyxl.worksheet.formula.ArrayFormula("D1:D3", "=A1:A3")
    wb.save(path)
    original = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match="S!B1 is a header of the Excel table 'Agents'"):
        write(path, [("S", 1, 2, "Renamed")])
    with pytest.raises(UnsafeWriteError, match=r"S!D2 is filled by an array formula \(D1:D3\)"):
        write(path, [("S", 2, 4, "x")])
    assert path.read_bytes() == original
    write(path, [("S", 2, 2, 5)])  # a table body cell is fine
    assert openpyxl.load_workbook(path)["S"]["B2"].value == 5


def test_read_only_file_is_refused_untouched(book: Path) -> None:
    from esp_cli.errors import WriteFailedError

    original = book.read_bytes()
    book.chmod(0o444)
    try:
        with pytest.raises(WriteFailedError, match="read-only"):
            write(book, [("S", 3, 3, "x")])
    finally:
        book.chmod(0o644)
    assert book.read_bytes() == original


def _backups(book: Path) -> list[Path]:
    folder = book.parent / "esp-backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def _full_on_new_file(monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] > 1:  # the backup is written; the new workbook hits a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    route_writes(monkeypatch.setattr, failing_write)


def _full_on_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def failing_replace(src: object, dst: object) -> None:
        if str(dst).endswith("t.xlsx"):  # the backup is in place; the workbook's rename fails
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing_replace)


def test_full_disk_leaves_the_original_and_no_temp_file(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from esp_cli.errors import WriteFailedError

    original = book.read_bytes()
    _full_on_new_file(monkeypatch)
    with pytest.raises(WriteFailedError, match="disk is full"):
        write(book, [("S", 3, 3, "x")])
    monkeypatch.undo()
    assert book.read_bytes() == original
    assert not [p for p in book.parent.iterdir() if "esp-tmp" in p.name]


@pytest.mark.parametrize(
    "fail", [_full_on_new_file, _full_on_rename], ids=["writing the new file", "renaming it"]
)
def test_a_write_that_fails_after_the_backup_takes_its_backup_back(
    book: Path, monkeypatch: pytest.MonkeyPatch, fail: object
) -> None:
    """A backup named after a write that never happened is not left to be taken for one."""
    from esp_cli.errors import WriteFailedError

    original = book.read_bytes()
    fail(monkeypatch)  # type: ignore[operator]
    with pytest.raises(WriteFailedError, match="disk is full") as got:
        write(book, [("S", 3, 3, "x")])
    monkeypatch.undo()
    assert book.read_bytes() == original
    assert _backups(book) == []
    assert "backup" not in got.value.message


def test_a_backup_that_cannot_be_taken_back_is_named_in_the_error(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esp_cli import system
    from esp_cli.errors import WriteFailedError

    original = book.read_bytes()
    _full_on_rename(monkeypatch)

    def refused(path: Path) -> bool:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(system, "remove_file", refused)
    with pytest.raises(WriteFailedError, match="disk is full") as got:
        write(book, [("S", 3, 3, "x")])
    monkeypatch.undo()
    assert book.read_bytes() == original
    (left,) = _backups(book)
    assert left.read_bytes() == original
    message = str(got.value)
    assert message.count("\n") == 0 and str(left) in message
    assert "not a backup of a write" in message and "Permission denied" in message


def test_a_write_stopped_once_the_workbook_is_replaced_keeps_its_backup(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C right after the rename: the write happened, and its backup is its undo."""
    from esp_cli.workbook.xlsx import safety

    original = book.read_bytes()
    real = safety.replace_atomically

    def then_ctrl_c(target: Path, data: bytes, last_look: object = None) -> None:
        real(target, data, last_look)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(safety, "replace_atomically", then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write(book, [("S", 3, 3, "x")])
    assert book.read_bytes() != original
    (kept,) = _backups(book)
    assert kept.read_bytes() == original


def test_a_log_that_cannot_be_written_takes_the_backup_back(book: Path) -> None:
    """The operation log is written once the backup is made, before the replace: a log that
    cannot be written stops the write, and its backup goes with it."""
    original = book.read_bytes()

    def no_log(backup: Path, digest: str, parts: dict[str, str]) -> None:
        assert backup.exists()
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError), locked_for_update(book) as wb:
        p = wb.patcher()
        p.set("S", 3, 3, "x")
        wb.save(p, before_replace=no_log)
    assert book.read_bytes() == original
    assert _backups(book) == []


def test_a_full_disk_while_backing_up_leaves_no_partial_backup(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from esp_cli.errors import WriteFailedError

    original = book.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        if len(data) > 100:  # a first chunk lands, then the disk is full
            return real_write(fd, data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    route_writes(monkeypatch.setattr, half_then_full)
    with pytest.raises(WriteFailedError, match="could not save a backup .*disk is full") as got:
        write(book, [("S", 3, 3, "x")])
    assert "free some space" in str(got.value)
    monkeypatch.undo()
    assert book.read_bytes() == original
    backups = book.parent / "esp-backups"
    assert not (list(backups.iterdir()) if backups.exists() else [])
    assert not [p for p in book.parent.iterdir() if "esp-tmp" in p.name]


def test_yes_no_into_a_boolean_cell_stays_boolean(corpus_dir: Path, tmp_path: Path) -> None:
    """The Excel 365 checkbox is a t="b" cell with a checkbox format: keep it a checkbox."""
    path = tmp_path / "checkbox.xlsx"
    path.write_bytes((corpus_dir / "xlsxwriter__checkbox01.xlsx").read_bytes())
    sheet = parts(path)["xl/worksheets/sheet1.xml"]
    ref = re.search(rb'<c r="([A-Z]+\d+)"[^>]*t="b"', sheet)
    assert ref is not None
    from esp_cli.core.refs import parse_ref

    row, col = parse_ref(ref.group(1).decode())
    write(path, [("Sheet1", row, col, "Yes")])
    after = parts(path)["xl/worksheets/sheet1.xml"]
    cell = re.search(rb'<c r="' + ref.group(1) + rb'"[^>]*>.*?</c>', after)
    assert cell is not None and b't="b"' in cell.group(0) and b"<v>1</v>" in cell.group(0)


@pytest.mark.parametrize("size", [1000, 5 << 20])
def test_a_part_given_in_pieces_is_stored_whole(tmp_path: Path, size: int) -> None:
    """A rewritten sheet reaches the zip as pieces (views of the old bytes and rebuilt rows);
    small or large, the stored part is exactly their concatenation, with its CRC."""
    path = make_workbook(tmp_path / "p.xlsx", {"S": [["placeholder"]]})
    body = bytes(range(256)) * (size // 256)
    pieces = iter([b"<head/>", memoryview(body)[: size // 2], memoryview(body)[size // 2 :]])
    with zipfile.ZipFile(path) as z:
        new = rewrite(path.read_bytes(), z, {"docProps/app.xml": pieces})
    with zipfile.ZipFile(io.BytesIO(new)) as z:
        assert z.testzip() is None
        assert z.read("docProps/app.xml") == b"<head/>" + body


def _with_sheet(tmp_path: Path, sheet_data: bytes) -> Path:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + sheet_data + b"</sheetData></worksheet>"
    )
    path = make_workbook(tmp_path / "p.xlsx", {"S": [["placeholder"]]})
    with zipfile.ZipFile(path) as z:
        new = rewrite(path.read_bytes(), z, {"xl/worksheets/sheet1.xml": sheet})
    path.write_bytes(new)
    return path


def test_rows_out_of_order_are_written_where_they_are(tmp_path: Path) -> None:
    """Rows out of order (valid XML, written by some programs): each written cell lands in
    its own row, a new row goes before the first row numbered after it, none is doubled."""
    path = _with_sheet(
        tmp_path,
        b'<row r="3"><c r="A3"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
        b'<row r="5"><c r="A5"><v>5</v></c></row>',
    )
    write(path, [("S", 2, 2, "x"), ("S", 3, 2, "y"), ("S", 4, 1, "new"), ("S", 1, 1, "top")])
    ws = openpyxl.load_workbook(path)["S"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["top", None],
        [2, "x"],
        [3, "y"],
        ["new", None],
        [5, None],
    ]
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    for r in range(1, 6):
        assert xml.count(b'<row r="%d"' % r) == 1


def test_a_row_written_twice_in_the_xml_is_refused_naming_the_cell(tmp_path: Path) -> None:
    path = _with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
        b'<row r="2"><c r="B2"><v>3</v></c></row>',
    )
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!C2: .*row 2 appears twice"):
        write(path, [("S", 1, 2, "ok"), ("S", 2, 3, "x")])
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "twin",
    [
        b'<row r="30"><c r="B30"><v>0</v></c></row>',  # as Excel writes a row
        b'<row spans="1:2" r="30"><c r="B30"><v>0</v></c></row>',  # its number not first
        b"<row r = '30'><c r=\"B30\"><v>0</v></c></row>",  # quoted and spaced otherwise
    ],
    ids=["alike", "spans first", "single quotes"],
)
@pytest.mark.parametrize("where", ["far below", "far above"])
def test_a_row_written_twice_far_from_its_twin_is_refused_for_one_cell(
    tmp_path: Path, twin: bytes, where: str
) -> None:
    """A write of one cell finds its row by reference and looks at the rows next to it
    only; a twin of the row anywhere else in the sheet still refuses it, naming the cell."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 60)]
    rows.insert(58 if where == "far below" else 3, twin)
    path = _with_sheet(tmp_path, b"".join(rows))
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!C30: .*row 30 appears twice"):
        write(path, [("S", 30, 3, "x")])
    assert path.read_bytes() == before


def test_a_sheet_with_a_row_twice_is_written_where_the_rows_written_are_single(
    tmp_path: Path,
) -> None:
    """A row twice elsewhere in the sheet (not one esp writes) does not stop a write."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 60)]
    rows.insert(58, b'<row r="50"><c r="B50"><v>0</v></c></row>')
    path = _with_sheet(tmp_path, b"".join(rows))
    write(path, [("S", 30, 3, "x")])
    assert openpyxl.load_workbook(path)["S"]["C30"].value == "x"


def test_a_row_without_a_number_leaves_the_rows_to_the_index(tmp_path: Path) -> None:
    """A row without r is numbered by its place: a write then finds its rows in the index
    of every row, which tells a row numbered twice that way too."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 30)]
    rows += [b'<row><c r="A30"><v>30</v></c></row>', b'<row r="30"><c r="B30"><v>0</v></c></row>']
    path = _with_sheet(tmp_path, b"".join(rows))
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!C30: .*row 30 appears twice"):
        write(path, [("S", 30, 3, "x")])
    assert path.read_bytes() == before


def test_a_few_cells_are_written_without_indexing_every_row(tmp_path: Path) -> None:
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 500)
    )
    path = _with_sheet(tmp_path, rows)
    wb = Workbook.open(path)
    p = wb.patcher()
    p.set("S", 250, 2, "x")
    p.build()
    assert p.sheet_xml("S")._rows is None  # found by its reference alone
    p.set("S", 600, 1, "new row")  # a row that does not exist yet needs the index
    p.build()
    assert p.sheet_xml("S")._rows is not None


@pytest.mark.parametrize("order", ["top down", "bottom up"])
def test_a_write_to_many_rows_never_searches_more_than_one_pass(tmp_path: Path, order: str) -> None:
    """Rows are found by reference, each search starting from the nearest row found
    already (above, or below: the sheet's last row is found from the end), so rows asked
    for bottom up — the newest agents first, as waiting changes come — cost no pass from
    the top each and need no index of every row."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 500)
    )
    path = _with_sheet(tmp_path, rows)
    p = Workbook.open(path).patcher()
    numbers = range(1, 500) if order == "top down" else range(499, 0, -1)
    for r in numbers:
        p.set("S", r, 2, f"x{r}")
    sx = p.sheet_xml("S")
    assert sx._scanned <= 2 * len(sx.data)
    assert sx._rows is None
    path.write_bytes(p.build())
    ws = openpyxl.load_workbook(path)["S"]
    assert [ws.cell(r, 2).value for r in (1, 250, 499)] == ["x1", "x250", "x499"]


def test_rows_looked_up_down_most_of_the_sheet_are_indexed_at_once(tmp_path: Path) -> None:
    """A write about to look up more than two thirds of a sheet's rows indexes them all
    (cheaper than finding each by its reference); fewer are found one by one."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 500)
    )
    sx = Workbook.open(_with_sheet(tmp_path, rows)).patcher().sheet_xml("S")
    sx.expect_rows(332)
    assert sx._rows is None
    sx.expect_rows(333)
    assert sx._rows is not None
    assert sx.row(250) is not None and sx.row(250).num == 250


def test_formatted_blank_rows_below_the_agents_count_as_rows_to_index(tmp_path: Path) -> None:
    """Excel writes a styled blank row for each formatted row below the agents: a write to
    every agent then finds its rows by reference rather than indexing 5,000 blank ones."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 101)
    ) + b"".join(b'<row r="%d" s="1" customFormat="1"/>' % r for r in range(101, 5001))
    sx = Workbook.open(_with_sheet(tmp_path, rows)).patcher().sheet_xml("S")
    sx.expect_rows(100)
    assert sx._rows is None
    assert sx.row(99) is not None and sx._rows is None


def test_a_sheet_whose_last_row_has_no_number_is_left_to_its_lookups(tmp_path: Path) -> None:
    """Its rows are not weighed (the last one says no number): the rows a write asks for
    are found by their references, as without expect_rows."""
    rows = (
        b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 5001))
        + b'<row s="1" customFormat="1"/>'
    )
    sx = Workbook.open(_with_sheet(tmp_path, rows)).patcher().sheet_xml("S")
    sx.expect_rows(100)
    assert sx._rows is None
    assert sx.row(99) is not None and sx._rows is None


def test_rows_the_index_cannot_follow_are_left_to_their_lookups(tmp_path: Path) -> None:
    """An index that cannot be made (the last row never closed) is not made: the rows a
    write asks for are found by their references, and the fault is said where a write
    meets it, as without the index."""
    path = _with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
        b'<row r="3"><c r="A3"><v>3</v></c>',
    )
    sx = Workbook.open(path).patcher().sheet_xml("S")
    sx.expect_rows(3)
    assert sx._rows is None
    assert sx.row(2) is not None and sx.row(2).num == 2
    with pytest.raises(ValueError, match="row 3 is not closed"):
        sx.row(3)


def test_a_row_written_twice_is_noticed_when_found_from_below(tmp_path: Path) -> None:
    """Found searching back from a row below it, a row whose twin comes just before it is
    caught as a forward search catches the twin after it."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 11))
    twin = b'<row r="8"><c r="B8"><v>0</v></c></row>'
    path = _with_sheet(tmp_path, rows.replace(b'<row r="9">', twin + b'<row r="9">'))
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!C8: .*row 8 appears twice"):
        write(path, [("S", 10, 3, "last"), ("S", 8, 3, "x")])
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "numbers",
    [
        [1, 2, 3, 5, 4],
        [1, 2, 3, 4, 4],
        [1, 2, 3, 4, 9, 5],
        [1, 2, 3, 4, 5, 10, 6, 7, 8, 9, 10],
    ],
    ids=[
        "last row out of order",
        "last row twice",
        "a gap then a row out of order",
        "last row twice, its first copy out of order",
    ],
)
def test_rows_asked_from_the_bottom_up_on_odd_sheets_land_in_their_own_rows(
    tmp_path: Path, numbers: list[int]
) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in numbers)
    path = _with_sheet(tmp_path, rows)
    before = path.read_bytes()
    wanted = sorted(set(numbers), reverse=True)
    if len(set(numbers)) < len(numbers):
        with pytest.raises(UnsafeWriteError, match="appears twice"):
            write(path, [("S", r, 2, f"x{r}") for r in wanted])
        assert path.read_bytes() == before
        return
    write(path, [("S", r, 2, f"x{r}") for r in wanted])
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    for r in wanted:
        assert xml.count(b'<row r="%d"' % r) == 1
    ws = openpyxl.load_workbook(path)["S"]
    assert [ws.cell(r, 2).value for r in wanted] == [f"x{r}" for r in wanted]
    assert [ws.cell(r, 1).value for r in wanted] == wanted


def test_a_cell_whose_tag_breaks_across_lines_is_still_found(tmp_path: Path) -> None:
    """A cell written `<c\\n r="B2">` is a cell like any other: the write replaces it
    rather than adding a second B2."""
    path = _with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2"><c r="A2"><v>2</v></c><c\n r="B2" t="inlineStr"><is><t>old</t></is></c></row>',
    )
    write(path, [("S", 2, 2, "new")])
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    assert xml.count(b'r="B2"') == 1
    assert openpyxl.load_workbook(path)["S"]["B2"].value == "new"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file another user's owner and group needs root",
)
def test_a_write_keeps_the_owner_and_group_of_a_shared_folder(tmp_path: Path) -> None:
    """The team's folder belongs to a group; the tracker to a teammate (uid 4321) and that
    group (gid 8765), group-writable. esp writing it as someone else must leave it theirs:
    the same owner, group and permissions, and its backups folder, backups, log and lock
    open to the group as well."""
    from typer.testing import CliRunner

    from esp_cli.cli import app

    from .factories import tracker

    uid, gid = 4321, 8765
    folder = tmp_path / "team"
    folder.mkdir()
    os.chown(folder, -1, gid)
    folder.chmod(0o2775)
    path = tracker(folder / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    os.chown(path, uid, gid)
    path.chmod(0o664)
    res = CliRunner().invoke(
        app, ["note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(path)]
    )
    assert res.exit_code == 0, res.output
    st = path.stat()
    assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o7777)) == (uid, gid, "0o664")
    backups = folder / "esp-backups"
    assert (backups.stat().st_gid, oct(backups.stat().st_mode & 0o7777)) == (gid, "0o2775")
    (backup,) = backups.glob("*.xlsx")
    log = backups / "ESP Tracker.xlsx.history.jsonl"
    lock = folder / ".ESP Tracker.xlsx.esp-lock"
    for made in (backup, log, lock):
        st = made.stat()
        assert (st.st_gid, oct(st.st_mode & 0o777)) == (gid, "0o664"), made.name


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_the_strings_are_counted_however_their_tags_are_spelled(prefix: str) -> None:
    """A new string's index is the number of strings before it: each <si> counted whether
    its name ends in '>', a space, a line break or '/>', never another element whose name
    starts the same way, nor one in a comment."""
    p = prefix.encode()
    strings = [
        b"<P:si><P:t>a</P:t></P:si>",
        b'<P:si ><P:t xml:space="preserve">b </P:t></P:si>',
        b"<P:si\n><P:t>c</P:t></P:si>",
        b"<P:si/>",
        b"<P:si\t/>",
    ]
    decoys = (
        b"<!-- <P:si><P:t>not one</P:t></P:si> --><P:extLst><P:ext><P:sign/></P:ext></P:extLst>"
    )
    ns = b' xmlns:x="%s"' % MAIN if prefix else b' xmlns="%s"' % MAIN
    for body, count in ((strings[0] * 3, 3), (b"".join(strings) + decoys, len(strings))):
        data = b"<P:sst" + ns + b">" + body + b"</P:sst>"
        assert patch_module._SharedStrings(data.replace(b"P:", p)).base == count


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_a_backups_folder_that_cannot_be_written_is_named_with_its_fix(
    book: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """A read-only backups folder (a share mounted read-only, no permission) is not a full
    disk: the fix says to make the folder writable, not to free space."""
    from esp_cli.errors import WriteFailedError
    from esp_cli.workbook.xlsx import safety

    def refused(*_args: object, **_kwargs: object) -> Path:
        raise (PermissionError if code == errno.EACCES else OSError)(code, os.strerror(code))

    monkeypatch.setattr(safety, "make_backup", refused)
    original = book.read_bytes()
    with pytest.raises(WriteFailedError, match="could not save a backup") as got:
        write(book, [("S", 3, 3, "x")])
    assert f"make {book.parent / 'esp-backups'} writable" in str(got.value)
    assert "free some space" not in str(got.value)
    assert book.read_bytes() == original


# -- formulas that depend on what esp wrote ----------------------------------------------------

CALC_PR = re.compile(rb"<calcPr[^>]*>")


def _with_summary(tmp_path: Path, tracker_formula: bool = False) -> Path:
    """A tracker sheet (no formula in it, unless `tracker_formula`) and a Summary sheet whose
    formula counts its dates, with the result Excel cached: no calculation chain, as openpyxl
    and LibreOffice save it."""
    tracker = {1: ["Name", "Coached"], 2: ["Ann", date(2026, 11, 20)], 3: ["Bob", None]}
    if tracker_formula:
        tracker[4] = ["Total", Formula("COUNT(B2:B3)", 1)]
    spec = WorkbookSpec(
        sheets=[
            SheetSpec("ESP Tracker", rows=tracker),
            SheetSpec("Summary", rows={1: ["Coached", Formula("COUNT('ESP Tracker'!B2:B9)", 1)]}),
        ]
    )
    return write_workbook(spec, tmp_path / "t.xlsx")


@pytest.mark.parametrize("tracker_formula", [False, True])
def test_a_formula_anywhere_is_recalculated_when_the_workbook_is_opened(
    tmp_path: Path, tracker_formula: bool
) -> None:
    """The Summary's count depends on the cell written: the workbook asks Excel to
    recalculate every sheet on open (calcPr), keeping calcId; no sheet is touched for it."""
    path = _with_summary(tmp_path, tracker_formula)
    before = parts(path)
    assert CALC_PR.findall(before["xl/workbook.xml"]) == [b'<calcPr calcId="191029"/>']
    write(path, [("ESP Tracker", 3, 2, date(2026, 11, 24))])
    after = parts(path)
    assert CALC_PR.findall(after["xl/workbook.xml"]) == [
        b'<calcPr calcId="191029" fullCalcOnLoad="1"/>'
    ]
    assert (
        after["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"") == before["xl/workbook.xml"]
    )
    assert after["xl/worksheets/sheet2.xml"] == before["xl/worksheets/sheet2.xml"]
    assert b"sheetCalcPr" not in after["xl/worksheets/sheet1.xml"]
    if checks_schemas():
        assert ooxml.validate_part("xl/workbook.xml", after["xl/workbook.xml"]) == []


def test_a_workbook_without_formulas_is_not_asked_to_recalculate(tmp_path: Path) -> None:
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["Name"], 2: ["Ann"]}), SheetSpec("T")])
    path = write_workbook(spec, tmp_path / "t.xlsx")
    before = parts(path)
    write(path, [("S", 2, 2, "noted")])
    assert parts(path)["xl/workbook.xml"] == before["xl/workbook.xml"]


def test_a_calculation_chain_says_there_are_formulas(tmp_path: Path) -> None:
    """Excel keeps xl/calcChain.xml while the workbook has formulas: no sheet is read for it."""
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["Name"], 2: ["Ann"]})])
    base = write_workbook(spec, tmp_path / "b.xlsx")
    path = tmp_path / "c.xlsx"
    chain = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="Z9" i="1"/></calcChain>'
    )
    rel = (
        b'<Relationship Id="rId90" Target="calcChain.xml" Type="http://schemas.openxmlformats'
        b'.org/officeDocument/2006/relationships/calcChain"/></Relationships>'
    )
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", rel)
            dst.writestr(info, data)
        dst.writestr("xl/calcChain.xml", chain)
    write(path, [("S", 2, 2, "noted")])
    assert b'fullCalcOnLoad="1"' in parts(path)["xl/workbook.xml"]


_WB = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)
_SHEETS = b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'


@pytest.mark.parametrize(
    ("workbook", "expected"),
    [
        # Kept where it is, every other attribute as it was, the new one in the schema's order.
        (
            _WB + _SHEETS + b'<calcPr calcId="191029" calcMode="manual" iterate="1"/></workbook>',
            _WB + _SHEETS + b'<calcPr calcId="191029" calcMode="manual" fullCalcOnLoad="1" '
            b'iterate="1"/></workbook>',
        ),
        (
            _WB + _SHEETS + b"<calcPr iterate='1'/></workbook>",
            _WB + _SHEETS + b"<calcPr fullCalcOnLoad=\"1\" iterate='1'/></workbook>",
        ),
        (
            _WB + _SHEETS + b'<calcPr calcId="5" fullCalcOnLoad = "0" /></workbook>',
            _WB + _SHEETS + b'<calcPr calcId="5" fullCalcOnLoad="1" /></workbook>',
        ),
        # None: made where CT_Workbook's sequence puts it (after definedNames, before the rest).
        (
            _WB + _SHEETS + b'<definedNames><definedName name="n">S!$A$1</definedName>'
            b'</definedNames><fileRecoveryPr repairLoad="1"/>'
            b'<extLst><ext uri="{1}" xmlns:e="urn:e"><e:a/></ext></extLst></workbook>',
            _WB + _SHEETS + b'<definedNames><definedName name="n">S!$A$1</definedName>'
            b'</definedNames><calcPr fullCalcOnLoad="1"/><fileRecoveryPr repairLoad="1"/>'
            b'<extLst><ext uri="{1}" xmlns:e="urn:e"><e:a/></ext></extLst></workbook>',
        ),
        (
            _WB + _SHEETS + b"<!-- <calcPr/> --></workbook>",
            _WB + _SHEETS + b'<!-- <calcPr/> --><calcPr fullCalcOnLoad="1"/></workbook>',
        ),
        (
            _WB.replace(b"<workbook xmlns=", b"<x:workbook xmlns:x=")
            + _SHEETS.replace(b"<sheet", b"<x:sheet").replace(b"</sheets", b"</x:sheets")
            + b"</x:workbook>",
            _WB.replace(b"<workbook xmlns=", b"<x:workbook xmlns:x=")
            + _SHEETS.replace(b"<sheet", b"<x:sheet").replace(b"</sheets", b"</x:sheets")
            + b'<x:calcPr fullCalcOnLoad="1"/></x:workbook>',
        ),
        # Asked already: left as it is.
        (_WB + _SHEETS + b"<calcPr fullCalcOnLoad='true'/></workbook>", None),
    ],
)
def test_the_workbook_asks_for_a_full_calculation_on_open(
    workbook: bytes, expected: bytes | None
) -> None:
    got = patch_module._full_calc_on_open(workbook)
    assert got == expected
    if got is not None and checks_schemas():
        assert ooxml.validate_part("xl/workbook.xml", got) == []


def test_a_backup_name_too_long_says_to_shorten_it_not_to_free_space(tmp_path: Path) -> None:
    """A name too long for the system (a long path on Windows, a name long in bytes on Linux)
    is no full disk: the fix says to shorten the name or the backups folder's path."""
    from esp_cli.workbook.xlsx import safety

    fix = safety.backups_fix(OSError(errno.ENAMETOOLONG, "File name too long"), tmp_path)
    assert "shorten the tracker's file name" in fix and "space" not in fix

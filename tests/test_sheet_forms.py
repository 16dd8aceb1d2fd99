"""Sheet XML as other programs write it: valid, but spelled otherwise than Excel spells it.

Each form once broke a write silently (a second `r` attribute, a note spliced into a
comment, two cells with one address); each test here writes through it and reads the
result back with openpyxl and an XML parser.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
from scripts.sample_builder.build import SheetSpec, WorkbookSpec, write_workbook
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode, InputFileError, UnsafeWriteError, WriteFailedError
from esp_cli.workbook.xlsx import patch as patch_module
from esp_cli.workbook.xlsx.workbook import Workbook, locked_for_update
from esp_cli.workbook.xlsx.zipio import rewrite

from .factories import make_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


def with_sheet(tmp_path: Path, sheet_data: bytes, *, root: bytes | None = None) -> Path:
    head = root or b'<worksheet xmlns="' + MAIN.encode() + b'">'
    close = b"</" + head[1:].split(b" ", 1)[0].rstrip(b">") + b">"
    prefix = head[1:].split(b"worksheet", 1)[0]
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + head
        + b"<"
        + prefix
        + b"sheetData>"
        + sheet_data
        + b"</"
        + prefix
        + b"sheetData>"
        + close
    )
    path = make_workbook(tmp_path / "p.xlsx", {"S": [["placeholder"]]})
    with zipfile.ZipFile(path) as z:
        new = rewrite(path.read_bytes(), z, {SHEET: sheet})
    path.write_bytes(new)
    return path


def write(path: Path, cells: list[tuple[int, int, object]]) -> None:
    with locked_for_update(path) as wb:
        p = wb.patcher()
        for row, col, value in cells:
            p.set("S", row, col, value)
        wb.save(p)


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(SHEET)


def cells(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["S"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def refs(path: Path) -> list[str]:
    """Every cell's address in document order, from a real XML parser."""
    root = etree.fromstring(sheet_xml(path))
    return [str(c.get("r")) for c in root.iter(f"{{{MAIN}}}c")]


# -- attributes spelled otherwise (item 3) ------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        b"<row r='2'><c r='A2' t='inlineStr'><is><t>a</t></is></c><c r='C2'><v>3</v></c></row>",
        b'<row r = "2"><c r = "A2" t = "inlineStr"><is><t>a</t></is></c>'
        b'<c\tr\n=\n"C2"><v>3</v></c></row>',
        b'<row spans="1:3" r="2"><c t="inlineStr" r="A2"><is><t>a</t></is></c>'
        b'<c s="0" r="C2"><v>3</v></c></row>',
    ],
    ids=["single quotes", "spaces around =", "r not first"],
)
def test_attributes_in_any_quoting_and_order(tmp_path: Path, row: bytes) -> None:
    path = with_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>' + row)
    write(path, [(2, 2, "new"), (2, 3, "over")])
    xml = sheet_xml(path)
    etree.fromstring(xml)  # well-formed: no second r on any row or cell
    assert sorted(refs(path)) == ["A1", "A2", "B2", "C2"]
    assert cells(path) == {"A1": 1, "A2": "a", "B2": "new", "C2": "over"}


# -- comments, processing instructions, CDATA (item 4) ------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="2"><!-- <c r="B2"><v>9</v></c> --><c r="A2"><v>1</v></c></row>',
        b'<!-- <row r="2"><c r="B2"/></row> --><row r="2"><c r="A2"><v>1</v></c></row>',
        b'<row r="2"><?producer <c r="B2"/>?><c r="A2"><v>1</v></c></row>',
        b'<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<c r="B2"><v>9</v></c>]]></t>'
        b"</is></c></row>",
    ],
    ids=["comment in row", "comment holding a row", "processing instruction", "CDATA"],
)
def test_markup_that_is_not_cells_is_never_taken_for_a_cell(tmp_path: Path, row: bytes) -> None:
    path = with_sheet(tmp_path, row)
    note = "a -- note <with> markup & more"
    write(path, [(2, 2, note)])
    xml = sheet_xml(path)
    etree.fromstring(xml)
    assert cells(path)["B2"] == note
    assert refs(path).count("B2") == 1
    # What was not a cell is still there, untouched.
    for kept in re.findall(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>", row):
        assert kept in xml


def test_a_comment_in_the_shared_strings_does_not_shift_the_new_strings(tmp_path: Path) -> None:
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["first", "second"]})])
    path = write_workbook(spec, tmp_path / "s.xlsx")
    with zipfile.ZipFile(path) as z:
        sst = z.read("xl/sharedStrings.xml")
        new = sst.replace(b"<si>", b"<!-- <si><t>ghost</t></si> --><si>", 1)
        path.write_bytes(rewrite(path.read_bytes(), z, {"xl/sharedStrings.xml": new}))
    write(path, [(2, 1, "third")])
    assert cells(path) == {"A1": "first", "B1": "second", "A2": "third"}


# -- cells out of column order (item 5) ---------------------------------------------------


def test_cells_out_of_column_order_get_no_second_cell(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="D1"><v>4</v></c><c r="B1" t="inlineStr"><is><t>old</t></is></c>'
        b'<c r="A1"><v>1</v></c></row>',
    )
    write(path, [(1, 2, "new"), (1, 3, "added")])
    got = refs(path)
    assert sorted(got) == ["A1", "B1", "C1", "D1"]  # one cell per address
    assert cells(path) == {"A1": 1, "B1": "new", "C1": "added", "D1": 4}


def test_cells_out_of_order_are_replaced_where_they_stand(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="D1"><v>4</v></c><!-- keep --><c r="B1"><v>2</v></c></row>',
    )
    write(path, [(1, 2, 20)])
    assert refs(path) == ["D1", "B1"]
    assert b"<!-- keep -->" in sheet_xml(path)
    assert cells(path) == {"B1": 20, "D1": 4}


def test_a_cell_written_twice_in_its_row_is_refused_naming_it(tmp_path: Path) -> None:
    path = with_sheet(tmp_path, b'<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>')
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"sheet .S. .*cell B1 appears twice"):
        write(path, [(1, 2, "x")])
    assert path.read_bytes() == before


def test_r_less_cells_and_rows_are_placed_by_position(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row><c><v>1</v></c><c r="C1"><v>3</v></c><c><v>4</v></c></row>'
        b"<row><c/><c><v>22</v></c></row>",
    )
    write(path, [(1, 4, "D"), (2, 1, "A"), (1, 5, "E")])
    assert cells(path) == {"A1": 1, "C1": 3, "D1": "D", "E1": "E", "A2": "A", "B2": 22}
    assert sorted(refs(path)) == ["A1", "A2", "B2", "C1", "D1", "E1"]


@pytest.mark.filterwarnings("ignore:Unknown extension:UserWarning")  # openpyxl on <x:extLst>
def test_namespace_prefixes_and_a_row_extension(tmp_path: Path) -> None:
    root = b'<x:worksheet xmlns:x="' + MAIN.encode() + b'">'
    path = with_sheet(
        tmp_path,
        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:extLst><x:ext uri="{0}"/></x:extLst>'
        b"</x:row>",
        root=root,
    )
    write(path, [(1, 2, "b")])
    xml = sheet_xml(path)
    assert re.search(rb'<x:c r="B1".*?</x:c><x:extLst>', xml)  # cells before the extension
    assert cells(path) == {"A1": 1, "B1": "b"}


# -- formulas that own other cells --------------------------------------------------------


def test_a_what_if_data_table_cell_is_refused(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2"><c r="B2"><f t="dataTable" ref="B2:C3" dt2D="0" dtr="0" r1="A1"/>'
        b'<v>5</v></c><c r="C2"><v>6</v></c></row>'
        b'<row r="3"><c r="B3"><v>7</v></c><c r="C3"><v>8</v></c></row>',
    )
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"S!C3 is part of a What-If data table \(B2:C3\)"):
        write(path, [(3, 3, "x")])
    assert path.read_bytes() == before


def test_an_array_formula_spelled_with_single_quotes_is_refused(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b"<row r='1'><c r='A1'><f t='array' ref='A1:A2'>B1:B2</f><v>1</v></c></row>"
        b"<row r='2'><c r='A2'><v>2</v></c></row>",
    )
    with pytest.raises(UnsafeWriteError, match="array formula"):
        write(path, [(2, 1, "x")])


# -- the text of earlier note lines -------------------------------------------------------


def test_a_cr_lf_in_an_earlier_line_keeps_its_cr(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">one_x000D_\ntwo'
        b"</t></is></c></row>",
    )
    wb = Workbook.open(path)
    earlier = wb.values(wb.sheets[0]).get(1, 1)
    assert earlier == "one\r\ntwo"
    write(path, [(1, 1, earlier + "\nthree")])
    assert b"one_x000D_\ntwo\nthree" in sheet_xml(path)
    wb = Workbook.open(path)
    assert wb.values(wb.sheets[0]).get(1, 1) == "one\r\ntwo\nthree"


# -- what esp writes is well-formed, or nothing is written --------------------------------


def test_a_malformed_part_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = with_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>')
    before = path.read_bytes()

    def broken(*args: Any, **kwargs: Any) -> bytes:
        return b'<c r="B1"><v>1</v>'  # an element never closed

    monkeypatch.setattr(patch_module.Patcher, "_cell_xml", broken)
    with pytest.raises(WriteFailedError, match=r"sheet1.xml would not be well-formed") as exc:
        write(path, [(1, 2, 5)])
    assert exc.value.exit_code == ExitCode.WRITE_FAILED
    assert path.read_bytes() == before
    assert not (tmp_path / "esp-backups").exists()  # not even a backup


def test_a_malformed_row_in_a_large_sheet_is_caught_where_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patch_module, "WHOLE_CHECK_BYTES", 10)  # check by rows, as for 50k rows
    path = with_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>')
    monkeypatch.setattr(patch_module.Patcher, "_cell_xml", lambda *a, **k: b"<c r='B1'><v>1</c>")
    with pytest.raises(WriteFailedError, match="would not be well-formed"):
        write(path, [(1, 2, 5)])


# -- files that are not workbooks esp can write -------------------------------------------


def test_a_binary_workbook_saved_as_xlsx_is_named_for_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.bin" ContentType="application/'
            'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.bin"/></Relationships>',
        )
        z.writestr("xl/workbook.bin", b"\x83\x01\x00\x80")
    with pytest.raises(InputFileError, match=r"binary workbook \(\.xlsb\)"):
        Workbook.open(path).sheets  # noqa: B018
    res = CliRunner().invoke(app, ["escalations", "--tracker", str(path)])
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "binary workbook (.xlsb)" in res.stderr and "well-formed" not in res.stderr


# -- drop-downs spelled otherwise ---------------------------------------------------------


def test_drop_downs_are_read_in_any_quoting_and_prefix(tmp_path: Path) -> None:
    from esp_cli.workbook.xlsx.validations import list_validations

    path = with_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET)
    tail = (
        b"<!-- <dataValidations><dataValidation type='list' sqref='Z1'/></dataValidations> -->"
        b"<dataValidations count = '1'><dataValidation type = 'list' sqref='B2:B9'>"
        b'<formula1>"Y,N"</formula1></dataValidation></dataValidations>'
        b"<extLst><ext uri='{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}' "
        b"xmlns:v='http://schemas.microsoft.com/office/spreadsheetml/2009/9/main'>"
        b"<v:dataValidations xmlns:m='http://schemas.microsoft.com/office/excel/2006/main'>"
        b"<v:dataValidation type='list'><v:formula1><m:f>\"Done,Open\"</m:f></v:formula1>"
        b"<m:sqref>C2:C9</m:sqref></v:dataValidation></v:dataValidations></ext></extLst>"
    )
    new = sheet.replace(b"</sheetData>", b"</sheetData>" + tail)
    with zipfile.ZipFile(path) as z:
        path.write_bytes(rewrite(path.read_bytes(), z, {SHEET: new}))
    wb = Workbook.open(path)
    found = list_validations(wb.pkg, wb.sheets[0])
    assert [(v.ranges, v.values) for v in found] == [
        (((2, 2, 9, 2),), ("Y", "N")),
        (((2, 3, 9, 3),), ("Done", "Open")),
    ]


# -- character references in values and attributes ----------------------------------------


def test_character_references_are_read_in_every_kind_of_value(tmp_path: Path) -> None:
    """`<v>&#52;6342</v>` is 46342, as any XML parser (and Excel, LibreOffice) reads it:
    in a number, a TRUE/FALSE, an error, a formula's text and the cell's attributes alike."""
    from esp_cli.core.values import ErrorValue

    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>&#52;6342</v></c><c r="B1"><v>&#x34;6&#46;5</v></c>'
        b'<c r="C1" t="b"><v>&#49;</v></c><c r="D1"><v>4</v></c>'
        b'<c r="E1" t="e"><v>&#35;N/A</v></c><c r="F1" t="str"><f>"a"</f><v>a&#66;c</v></c>'
        b'<c r="&#71;1"><v>7</v></c></row>'
        b'<row r="&#51;"><c r="A3"><v>3</v></c></row>',
    )
    wb = Workbook.open(path)
    values = wb.values(wb.sheets[0])
    got = [values.get(1, c) for c in range(1, 8)]
    assert got == [46342, 46.5, True, 4, ErrorValue("#N/A"), "aBc", 7]
    assert values.get(3, 1) == 3


def test_a_shared_string_index_written_with_a_character_reference_is_read(
    tmp_path: Path,
) -> None:
    spec = WorkbookSpec(sheets=[SheetSpec("S", rows={1: ["first", "second"]})])
    path = write_workbook(spec, tmp_path / "s.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET)
        new = sheet.replace(b'<c r="A1" t="s">', b'<c r="A1" t="&#115;">').replace(
            b'<c r="B1" t="s"><v>1</v>', b'<c r="B1" t="s"><v>&#49;</v>'
        )
        assert new != sheet
        path.write_bytes(rewrite(path.read_bytes(), z, {SHEET: new}))
    wb = Workbook.open(path)
    values = wb.values(wb.sheets[0])
    assert [values.get(1, 1), values.get(1, 2)] == ["first", "second"]
    write(path, [(2, 1, "third")])
    assert cells(path) == {"A1": "first", "B1": "second", "A2": "third"}


def test_a_row_numbered_with_a_character_reference_is_that_row(tmp_path: Path) -> None:
    path = with_sheet(
        tmp_path,
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="&#51;"><c r="A3"><v>3</v></c></row>',
    )
    write(path, [(3, 2, "beside"), (2, 1, "between")])
    etree.fromstring(sheet_xml(path))
    assert sorted(refs(path)) == ["A1", "A2", "A3", "B3"]
    assert cells(path) == {"A1": 1, "A2": "between", "A3": 3, "B3": "beside"}


# -- relationship targets ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        b"../xl/worksheets/sheet1.xml",
        b"./worksheets/sheet1.xml",
        b"worksheets/../worksheets/./sheet1.xml",
        b"/xl/worksheets/sheet1.xml",
    ],
)
def test_a_sheet_is_found_however_its_relationship_spells_the_path(
    tmp_path: Path, target: bytes
) -> None:
    """A target is resolved from the workbook's folder, `..` and `.` as in any path, or
    from the package's root when it starts with '/' (OPC, ECMA-376 Part 2 §9.3)."""
    path = with_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>')
    rels = "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(path) as z:
        old = z.read(rels)
        new = re.sub(rb'Target="[^"]*sheet1\.xml"', b'Target="' + target + b'"', old)
        assert b'Target="' + target + b'"' in new
        path.write_bytes(rewrite(path.read_bytes(), z, {rels: new}))
    wb = Workbook.open(path)
    assert wb.values(wb.sheets[0]).get(1, 1) == 1
    write(path, [(1, 2, "new")])
    assert cells(path) == {"A1": 1, "B1": "new"}
    res = CliRunner().invoke(app, ["doctor", "-t", str(path)])
    assert "cannot be read" not in res.output


# -- the format a new cell takes ------------------------------------------------------------

XFS = (
    b'<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    b'<alignment wrapText="1"/></xf>'
    b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    b'<alignment horizontal="center"/></xf></cellXfs>'
)


def test_a_new_cell_takes_the_rows_format_then_the_columns(tmp_path: Path) -> None:
    """As Excel formats a cell typed into a formatted row (`customFormat="1"`): the row's
    format, else the column's, else none; a date keeps that format with a date's number
    format added."""
    from datetime import date

    path = with_sheet(
        tmp_path,
        b'<row r="1" s="2" customFormat="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2" s="2"><c r="A2"><v>2</v></c></row>'  # s without customFormat: unused
        b'<row r="3"><c r="A3" s="1"><v>46000</v></c></row>'
        b'<row r="4" s="3" customFormat="1"><c r="A4"><v>4</v></c></row>',
    )
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET).replace(
            b"<sheetData>", b'<cols><col min="3" max="3" width="9" style="3"/></cols><sheetData>'
        )
        styles = re.sub(rb"<cellXfs.*</cellXfs>", XFS, z.read("xl/styles.xml"))
        path.write_bytes(rewrite(path.read_bytes(), z, {SHEET: sheet, "xl/styles.xml": styles}))
    day = date(2026, 11, 16)
    write(
        path,
        [(1, 2, "in a formatted row"), (1, 3, day), (2, 2, "plain"), (2, 3, "centred"),
         (4, 2, "two\nlines")],
    )  # fmt: skip
    ws = openpyxl.load_workbook(path)["S"]
    assert ws["B1"].alignment.wrap_text and ws["B1"].number_format == "General"
    assert ws["C1"].alignment.wrap_text and ws["C1"].is_date and ws["C1"].value.date() == day
    assert not ws["B2"].alignment.wrap_text
    assert ws["C2"].alignment.horizontal == "center"
    assert ws["B4"].alignment.horizontal == "center" and ws["B4"].alignment.wrap_text


def test_a_date_in_a_formatted_row_shows_as_the_columns_dates_do(tmp_path: Path) -> None:
    """A date esp writes in a formatted row keeps the row's format with the number format of
    the column's dates (`mm/dd/yyyy`), so that it shows as the dates above it do."""
    from datetime import date

    path = with_sheet(
        tmp_path,
        b'<row r="3"><c r="A3" s="4"><v>46000</v></c></row>'
        b'<row r="5" s="2" customFormat="1"><c r="B5"><v>5</v></c></row>',
    )
    xfs = XFS.replace(b'<cellXfs count="4">', b'<cellXfs count="5">').replace(
        b"</cellXfs>",
        b'<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        b'applyNumberFormat="1"/></cellXfs>',
    )
    with zipfile.ZipFile(path) as z:
        styles = re.sub(rb"<cellXfs.*</cellXfs>", xfs, z.read("xl/styles.xml"))
        styles = re.sub(rb"<numFmts[^>]*/>|<numFmts.*?</numFmts>", b"", styles, flags=re.S)
        styles = re.sub(
            rb"(<styleSheet[^>]*>)",
            rb'\1<numFmts count="1"><numFmt numFmtId="164" formatCode="mm/dd/yyyy"/></numFmts>',
            styles,
        )
        path.write_bytes(rewrite(path.read_bytes(), z, {"xl/styles.xml": styles}))
    day = date(2026, 12, 7)
    write(path, [(5, 1, day)])
    ws = openpyxl.load_workbook(path)["S"]
    assert ws["A3"].number_format == "mm/dd/yyyy"  # the column's dates
    assert ws["A5"].value.date() == day and ws["A5"].number_format == "mm/dd/yyyy"
    assert ws["A5"].alignment.wrap_text  # the row's format kept


# -- sheetData, rows and cells in a prefix of their own ------------------------------------

M = MAIN.encode()


def _whole_sheet(tmp_path: Path, sheet: bytes) -> Path:
    path = make_workbook(tmp_path / "p.xlsx", {"S": [["placeholder"]]})
    with zipfile.ZipFile(path) as z:
        path.write_bytes(rewrite(path.read_bytes(), z, {SHEET: sheet}))
    return path


@pytest.mark.parametrize(
    "sheet",
    [
        b'<worksheet xmlns="%s"><cols><col min="2" max="2" width="30" customWidth="1"/></cols>'
        b'<y:sheetData xmlns:y="%s"><y:row r="1"><y:c r="A1"><y:v>1</y:v></y:c></y:row>'
        b"</y:sheetData></worksheet>" % (M, M),
        b'<x:worksheet xmlns:x="%s"><x:dimension ref="A1"/><sheetData xmlns="%s"><row r="1">'
        b'<c r="A1"><v>1</v></c></row></sheetData></x:worksheet>' % (M, M),
        b'<x:worksheet xmlns:x="%s"><x:sheetData xmlns="%s"><row r="1"><c r="A1"><v>1</v></c>'
        b"</row></x:sheetData></x:worksheet>" % (M, M),
        b'<x:worksheet xmlns:x="%s"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        b'</x:row></x:sheetData><x:autoFilter ref="A1:A1"/></x:worksheet>' % M,
    ],
    ids=["prefix on sheetData", "default namespace again", "rows in the default", "x: all"],
)
def test_rows_are_found_in_the_prefix_they_are_written_in(tmp_path: Path, sheet: bytes) -> None:
    path = _whole_sheet(tmp_path, b'<?xml version="1.0" encoding="UTF-8"?>' + sheet)
    wb = Workbook.open(path)
    assert wb.values(wb.sheets[0]).get(1, 1) == 1
    write(path, [(1, 2, "beside"), (2, 1, "below")])
    root = etree.fromstring(sheet_xml(path))
    assert [r.get("r") for r in root.iter(f"{{{MAIN}}}row")] == ["1", "2"]  # row 1 once
    assert [c.get("r") for c in root.iter(f"{{{MAIN}}}c")] == ["A1", "B1", "A2"]
    assert cells(path) == {"A1": 1, "B1": "beside", "A2": "below"}
    head = sheet_xml(path).split(b"sheetData", 1)[0]
    assert head.count(b"<cols") + head.count(b"<x:cols") <= 1


def test_an_empty_sheet_data_in_a_prefix_of_its_own_gets_its_rows_in_it(tmp_path: Path) -> None:
    sheet = b'<worksheet xmlns="%s"><y:sheetData xmlns:y="%s"/></worksheet>' % (M, M)
    path = _whole_sheet(tmp_path, sheet)
    write(path, [(1, 1, "first")])
    assert b'<y:sheetData xmlns:y="%s"><y:row r="1"><y:c r="A1"' % M in sheet_xml(path)
    assert b"</y:sheetData></worksheet>" in sheet_xml(path)
    assert cells(path) == {"A1": "first"}


def test_rows_in_two_prefixes_are_refused_saying_so(tmp_path: Path) -> None:
    sheet = (
        b'<worksheet xmlns="%s"><y:sheetData xmlns:y="%s"><y:row r="1"><y:c r="A1"><y:v>1'
        b'</y:v></y:c></y:row><row r="2"><c r="A2"><v>2</v></c></row></y:sheetData>'
        b"</worksheet>" % (M, M)
    )
    path = _whole_sheet(tmp_path, sheet)
    before = path.read_bytes()
    with pytest.raises(UnsafeWriteError, match=r"more than one namespace prefix \(none, y\)"):
        write(path, [(3, 1, "x")])
    assert path.read_bytes() == before

"""The validators in tests/support/ooxml.py: the corpus passes, deliberate damage is caught."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest

from tests.support import ooxml
from tests.support.packages import copy_with_parts, zip_parts
from tests.support.paths import corpus_dir, corpus_files, schemas_dir, skip_unless_in_ci

pytestmark = pytest.mark.skipif(
    skip_unless_in_ci((schemas_dir() / "sml.xsd").is_file() and corpus_dir().is_dir()),
    reason="shared/ooxml-schemas or shared/corpus not available",
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
# xlsxwriter__autofilter01.xlsx: one sheet A1:D51, 24 shared strings, rows with spans="1:4".
SMALL = corpus_dir() / "xlsxwriter__autofilter01.xlsx"

# poi__picture.xlsx was written by "ODF Converter" (2008) and is genuinely broken: stray text
# in <fills>, ZMIENNA_* attributes and wrong counts in styles.xml, plus three content-type
# Overrides and one workbook relationship that name parts the zip does not have.
PICTURE_PACKAGE_ERRORS = {
    "[Content_Types].xml: Override '/xl/theme/theme1.xml' names no part",
    "[Content_Types].xml: Override '/docProps/custom.xml' names no part",
    "[Content_Types].xml: Override '/xl/connections.xml' names no part",
    "xl/_rels/workbook.xml.rels: rId3 target 'connections.xml' (xl/connections.xml) does not exist",
}


def sheet_xml(body: str, head: str = "", tail: str = "") -> bytes:
    return (
        f'<worksheet xmlns="{MAIN}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"{head}<sheetData>{body}</sheetData>{tail}</worksheet>"
    ).encode()


# --------------------------------------------------------------------------- corpus


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_workbook_validates(path: Path) -> None:
    errors = ooxml.validate_package(path)
    if path.name != "poi__picture.xlsx":
        assert errors == []
        return
    # The one known-invalid file: exactly its styles.xml and its dangling references.
    styles = [e for e in errors if e.startswith("xl/styles.xml")]
    assert set(errors) - set(styles) == PICTURE_PACKAGE_ERRORS
    assert any("fills" in e and "Character content" in e for e in styles)
    assert any("ZMIENNA_contentFontsCount" in e for e in styles)


@pytest.mark.corpus
def test_corpus_has_the_expected_files() -> None:
    names = {p.name for p in corpus_files()}
    assert len(names) >= 39
    assert {"poi__picture.xlsx", "xlsxwriter__autofilter01.xlsx"} <= names


@pytest.mark.corpus
def test_every_corpus_part_schema_valid_except_picture_styles() -> None:
    invalid = []
    for path in corpus_files():
        for name, data in zip_parts(path).items():
            if name.endswith(".xml") and ooxml.root_namespace(data) == MAIN:
                if ooxml.validate_part(name, data):
                    invalid.append(f"{path.name}:{name}")
    assert invalid == ["poi__picture.xlsx:xl/styles.xml"]


# --------------------------------------------------------------------------- schema layer


def test_valid_minimal_sheet() -> None:
    assert ooxml.validate_part("s.xml", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')) == []


def test_misordered_children_rejected() -> None:
    xml = sheet_xml("", tail='<cols><col min="1" max="1" width="9"/></cols>')
    errors = ooxml.validate_part("s.xml", xml)
    assert len(errors) == 1 and "cols" in errors[0] and errors[0].startswith("s.xml:")


def test_formula_after_value_rejected() -> None:
    errors = ooxml.validate_part(
        "s.xml", sheet_xml('<row r="1"><c r="A1"><v>1</v><f>1</f></c></row>')
    )
    assert errors and "}f'" in errors[0]


def test_bad_enum_rejected() -> None:
    xml = sheet_xml('<row r="1"><c r="A1" t="string"><v>x</v></c></row>')
    assert ooxml.validate_part("s.xml", xml)


def test_not_well_formed() -> None:
    assert ooxml.validate_part("s.xml", b"<worksheet")[0].startswith("s.xml: not well-formed")


def test_xml_space_is_dropped_before_validation() -> None:
    sst = (
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1">'
        '<si><t xml:space="preserve"> a </t></si></sst>'
    ).encode()
    assert ooxml.validate_part("sst.xml", sst) == []


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"


def mc_sheet(body: str, ignorable: str = "x14ac") -> bytes:
    return (
        f'<worksheet xmlns="{MAIN}" xmlns:mc="{MC}" xmlns:x14ac="{X14AC}" xmlns:x14="{X14}" '
        f'mc:Ignorable="{ignorable}">{body}</worksheet>'
    ).encode()


def test_ignorable_attributes_and_elements_are_dropped() -> None:
    xml = mc_sheet(
        '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
        '<sheetData><row r="1" x14ac:dyDescent="0.25"/></sheetData><x14ac:stray/>'
    )
    assert ooxml.validate_part("s.xml", xml) == []


def test_non_ignorable_foreign_markup_fails() -> None:
    xml = mc_sheet('<sheetData><row r="1" x14:foo="1"/></sheetData>', ignorable="x14ac")
    errors = ooxml.validate_part("s.xml", xml)
    assert errors and "foo" in errors[0]


def test_alternate_content_takes_fallback_unless_choice_is_understood() -> None:
    fallback = mc_sheet(
        '<sheetData/><mc:AlternateContent><mc:Choice Requires="x14"><x14:thing/></mc:Choice>'
        '<mc:Fallback><pageMargins left="1" right="1" top="1" bottom="1" header="0" footer="0"/>'
        "</mc:Fallback></mc:AlternateContent>"
    )
    assert ooxml.validate_part("s.xml", fallback) == []
    bad_fallback = fallback.replace(b'left="1" ', b"")
    assert ooxml.validate_part("s.xml", bad_fallback)
    understood = mc_sheet(
        f'<sheetData/><mc:AlternateContent xmlns:m="{MAIN}"><mc:Choice Requires="m">'
        "<bogus/></mc:Choice><mc:Fallback/></mc:AlternateContent>"
    )
    errors = ooxml.validate_part("s.xml", understood)
    assert errors and "bogus" in errors[0]


def test_ext_content_is_left_alone() -> None:
    xml = mc_sheet(
        '<sheetData/><extLst><ext uri="{x}" xmlns:x14="' + X14 + '">'
        '<x14:dataValidations count="0" x14ac:dyDescent="1"/></ext></extLst>',
        ignorable="x14ac x14",
    )
    assert ooxml.validate_part("s.xml", xml) == []


def test_must_understand_unknown_namespace_is_an_error() -> None:
    xml = mc_sheet("<sheetData/>").replace(b"mc:Ignorable", b'mc:MustUnderstand="x14" mc:I')
    errors = ooxml.validate_part("s.xml", xml)
    assert errors and "MustUnderstand" in errors[0]


# --------------------------------------------------------------------------- semantic layer


def test_semantic_clean_sheet() -> None:
    xml = sheet_xml(
        '<row r="1" spans="1:3"><c r="A1" t="s" s="1"><v>0</v></c><c r="C1"><v>2.5E-3</v></c>'
        '</row><row><c t="inlineStr"><is><t>x</t></is></c><c t="b"><v>1</v></c></row>',
        head='<dimension ref="A1:C2"/>',
    )
    assert ooxml.semantic_errors(xml, sst_count=1, xf_count=2) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<row r="2"/><row r="1"/>', "rows must increase"),
        ('<row r="1"/><row r="1"/>', "rows must increase"),
        ('<row r="0"/>', "not a row number"),
        ('<row r="1"><c r="A2"/></row>', "cell A2: inside row 1"),
        ('<row r="1"><c r="B1"/><c r="A1"/></row>', "cells must increase"),
        ('<row r="1"><c r="B1"/><c r="B1"/></row>', "cells must increase"),
        ('<row r="1"><c r="B1"/><c/><c r="C1"/></row>', "cell C1: after column 3"),
        ('<row r="1"><c r="a1"/></row>', "not a cell reference"),
        ('<row r="1"><c r="XFE1"/></row>', "not a cell reference"),
        ('<row r="1"><c r="A1" t="inlineStr"><v>x</v></c></row>', 't="inlineStr" without <is>'),
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is><v>x</v></c></row>',
            't="inlineStr" with <v>',
        ),
        ('<row r="1"><c r="A1" t="str"><is><t>x</t></is></c></row>', "<is> on a cell"),
        ('<row r="1"><c r="A1" t="s"><v>3</v></c></row>', "shared-string index 3 is out of range"),
        ('<row r="1"><c r="A1" t="s"><v>x</v></c></row>', "not a non-negative integer"),
        ('<row r="1"><c r="A1" s="2"/></row>', "style 2 is out of range"),
        ('<row r="1" s="5" customFormat="1"/>', "row 1: style 5 is out of range"),
        ('<row r="1"><c r="A1" t="b"><v>2</v></c></row>', 't="b" with value'),
        ('<row r="1"><c r="A1"><v>12abc</v></c></row>', "numeric cell with value"),
        ('<row r="1"><c r="A1"><v>NaN</v></c></row>', "numeric cell with value"),
        ('<row r="1" spans="1:2"><c r="C1"/></row>', "does not cover column(s) C"),
        ('<row r="1" spans="2-3"><c r="C1"/></row>', "not a list"),
        ('<row r="1" spans="3:2"><c r="C1"/></row>', "invalid range"),
    ],
)
def test_semantic_mutations_caught(body: str, expected: str) -> None:
    errors = ooxml.semantic_errors(sheet_xml(body), sst_count=3, xf_count=2)
    assert any(expected in e for e in errors), errors


def test_semantic_no_sst() -> None:
    errors = ooxml.semantic_errors(
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), sst_count=None, xf_count=1
    )
    assert errors == ['cell A1: t="s" but the workbook has no shared-string table']


def test_semantic_dimension_and_col_style() -> None:
    body = '<row r="1"><c r="A1"/></row><row r="9"><c r="E9"/></row>'
    ok = sheet_xml(body, head='<dimension ref="A1:E9"/>')
    assert ooxml.semantic_errors(ok, 0, 1) == []
    small = sheet_xml(body, head='<dimension ref="A1:E8"/>')
    assert ooxml.semantic_errors(small, 0, 1) == [
        "dimension ref='A1:E8' does not cover the cells (A1:E9)"
    ]
    junk = sheet_xml(body, head='<dimension ref="not a ref"/>')
    assert ooxml.semantic_errors(junk, 0, 1) == ["dimension ref='not a ref' is not a cell range"]
    cols = sheet_xml("", head='<cols><col min="1" max="2" style="3"/></cols>')
    assert ooxml.semantic_errors(cols, 0, 3) == ["col 1:2: style 3 is out of range (count 3)"]


def test_semantic_cf_rule_dxf_ids() -> None:
    cf = (
        '<conditionalFormatting sqref="A1"><cfRule type="expression" dxfId="{}" priority="1">'
        "<formula>1</formula></cfRule></conditionalFormatting>"
    )
    ok, bad = sheet_xml("", tail=cf.format(1)), sheet_xml("", tail=cf.format(2))
    assert ooxml.semantic_errors(ok, 0, 1, dxf_count=2) == []
    assert ooxml.semantic_errors(bad, 0, 1) == []  # dxfs unknown: not checked
    assert ooxml.semantic_errors(bad, 0, 1, dxf_count=2) == [
        "conditionalFormatting A1 cfRule: dxfId 2 is out of range (count 2)"
    ]


STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0"/>'
    "</numFmts><fonts><font/></fonts><fills><fill/><fill/></fills><borders><border/></borders>"
    '<cellStyleXfs><xf fontId="0" fillId="0" borderId="0" numFmtId="0"/></cellStyleXfs>'
    "<cellXfs>{}</cellXfs></styleSheet>"
)


def test_styles_clean() -> None:
    xf = '<xf fontId="0" fillId="1" borderId="0" numFmtId="164" xfId="0"/><xf numFmtId="14"/>'
    assert ooxml.styles_errors(STYLES.format(xf).encode()) == []


@pytest.mark.parametrize(
    ("xf", "expected"),
    [
        ('<xf fontId="1"/>', "cellXfs xf 0: fontId 1 is out of range (count 1)"),
        ('<xf fillId="2"/>', "cellXfs xf 0: fillId 2 is out of range (count 2)"),
        ('<xf borderId="1"/>', "cellXfs xf 0: borderId 1 is out of range (count 1)"),
        ('<xf xfId="1"/>', "cellXfs xf 0: xfId 1 is out of range (count 1)"),
        ('<xf/><xf numFmtId="165"/>', "cellXfs xf 1: numFmtId 165 has no <numFmt>"),
        ('<xf numFmtId="x"/>', "cellXfs xf 0: numFmtId 'x' is not a non-negative integer"),
    ],
)
def test_styles_mutations_caught(xf: str, expected: str) -> None:
    assert ooxml.styles_errors(STYLES.format(xf).encode()) == [expected]


# --------------------------------------------------------------------------- package layer


def mutate_sheet(tmp_path: Path, edit: str, replacement: str, count: int = 1) -> Path:
    xml = zip_parts(SMALL)[SHEET].decode()
    assert xml.count(edit) >= 1, edit
    target = tmp_path / "mutated.xlsx"
    copy_with_parts(SMALL, target, {SHEET: xml.replace(edit, replacement, count).encode()})
    return target


def swap(text: str, first: str, second: str) -> str:
    return text.replace(first, "\0").replace(second, first).replace("\0", second)


@pytest.mark.corpus
def test_unmodified_copy_is_valid(tmp_path: Path) -> None:
    target = tmp_path / "copy.xlsx"
    copy_with_parts(SMALL, target, {})
    assert ooxml.validate_package(target) == []


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("edit", "replacement", "expected"),
    [
        # misordered worksheet children: sheetFormatPr before sheetViews
        (
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>',
            '<sheetFormatPr defaultRowHeight="15"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>',
            "sheetViews': This element is not expected",
        ),
        ('<c r="A2" t="s"><v>4</v></c>', '<c r="A2" t="inlineStr"><v>4</v></c>', "inlineStr"),
        ('<c r="A2" t="s"><v>4</v></c>', '<c r="A2" t="s"><v>24</v></c>', "index 24"),
        ('<c r="A2" t="s">', '<c r="A7" t="s">', "cell A7: inside row 2"),
        ('<c r="C2"><v>9000</v></c>', '<c r="C2" s="1"><v>9000</v></c>', "style 1"),
        ('<dimension ref="A1:D51"/>', '<dimension ref="A1:D50"/>', "dimension"),
        ('<row r="2" spans="1:4">', '<row r="2" spans="1:3">', "spans"),
        ('<c r="C2"><v>9000</v></c>', '<c r="C2"><v>9,000</v></c>', "numeric cell"),
        ("<sheetData>", "<sheetData><bogus/>", "bogus"),
    ],
)
def test_package_sheet_mutations_caught(
    tmp_path: Path, edit: str, replacement: str, expected: str
) -> None:
    errors = ooxml.validate_package(mutate_sheet(tmp_path, edit, replacement))
    # Only the sheet is blamed (and the sst count, when a t="s" cell stops being one).
    assert errors and all(e.startswith((SHEET, "xl/sharedStrings.xml: count=")) for e in errors)
    assert any(expected in e for e in errors), errors


@pytest.mark.corpus
def test_rows_out_of_order_caught(tmp_path: Path) -> None:
    xml = zip_parts(SMALL)[SHEET].decode()
    row2 = re.search(r'<row r="2".*?</row>', xml)
    row3 = re.search(r'<row r="3".*?</row>', xml)
    assert row2 and row3
    mutated = swap(xml, row2.group(0), row3.group(0))
    target = tmp_path / "rows.xlsx"
    copy_with_parts(SMALL, target, {SHEET: mutated.encode()})
    errors = ooxml.validate_package(target)
    assert errors == [f"{SHEET}: row 2: after row 3 (rows must increase)"]


@pytest.mark.corpus
def test_count_attributes_checked(tmp_path: Path) -> None:
    parts = zip_parts(SMALL)
    sst = parts["xl/sharedStrings.xml"].replace(b'count="154"', b'count="155"')
    styles = parts["xl/styles.xml"].replace(b'<cellXfs count="1">', b'<cellXfs count="2">')
    assert styles != parts["xl/styles.xml"]
    target = tmp_path / "counts.xlsx"
    copy_with_parts(SMALL, target, {"xl/sharedStrings.xml": sst, "xl/styles.xml": styles})
    assert sorted(ooxml.validate_package(target)) == [
        "xl/sharedStrings.xml: count='155' but the sheets have 154 t=\"s\" cells",
        "xl/styles.xml: <cellXfs count='2'> has 1 children",
    ]


@pytest.mark.corpus
def test_style_references_checked(tmp_path: Path) -> None:
    styles = zip_parts(SMALL)["xl/styles.xml"]
    bad = re.sub(rb'(<cellXfs count="1"><xf [^>]*?)fontId="0"', rb'\1fontId="7"', styles)
    assert bad != styles
    target = tmp_path / "styles.xlsx"
    copy_with_parts(SMALL, target, {"xl/styles.xml": bad})
    assert ooxml.validate_package(target) == [
        "xl/styles.xml: cellXfs xf 0: fontId 7 is out of range (count 1)"
    ]


@pytest.mark.corpus
def test_opc_mutations_caught(tmp_path: Path) -> None:
    parts = zip_parts(SMALL)
    ct = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/xml"/></Types>',
    )
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="theme/theme1.xml"', b'Target="theme/theme9.xml"'
    )
    sheet = parts[SHEET].replace(b"</worksheet>", b'<drawing r:id="rId7"/></worksheet>')
    target = tmp_path / "opc.xlsx"
    copy_with_parts(
        SMALL,
        target,
        {
            "[Content_Types].xml": ct,
            "xl/_rels/workbook.xml.rels": rels,
            SHEET: sheet,
            "x.bin": b"1",
        },
    )
    errors = ooxml.validate_package(target)
    assert "[Content_Types].xml: Override '/xl/calcChain.xml' names no part" in errors
    assert any("theme/theme9.xml" in e and "does not exist" in e for e in errors)
    assert f"{SHEET}: r:id='rId7' names no relationship" in errors
    assert any(e.startswith("x.bin: no content type") for e in errors)


@pytest.mark.corpus
def test_duplicate_zip_entry_caught(tmp_path: Path) -> None:
    target = tmp_path / "dup.xlsx"
    copy_with_parts(SMALL, target, {})
    with zipfile.ZipFile(target, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("xl/styles.xml", zip_parts(SMALL)["xl/styles.xml"])
    assert "zip: duplicate entry 'xl/styles.xml'" in ooxml.validate_package(target)


@pytest.mark.corpus
def test_zip64_extra_caught(tmp_path: Path) -> None:
    target = tmp_path / "zip64.xlsx"
    with zipfile.ZipFile(SMALL) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == SHEET:
                fresh.extra = struct.pack("<HHQQ", 1, 16, info.file_size, info.compress_size)
            dst.writestr(fresh, src.read(info))
    errors = ooxml.zip_errors(target)
    assert errors == [
        f"zip: {SHEET}: ZIP64 extra field in the central directory",
        f"zip: {SHEET}: ZIP64 extra field in the local header",
    ]


def _set_descriptor_flag(data: bytearray, name: bytes) -> None:
    """Set flag bit 3 on ``name`` in both its local and central headers, adding no descriptor."""
    local = data.index(b"PK\x03\x04")
    while True:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            break
        local = data.index(b"PK\x03\x04", local + 4)
    data[local + 6] |= 0x08
    central = data.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            break
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x08


@pytest.mark.corpus
def test_descriptor_flag_without_descriptor_caught(tmp_path: Path) -> None:
    target = tmp_path / "dd.xlsx"
    copy_with_parts(SMALL, target, {})
    assert ooxml.zip_errors(target) == []
    data = bytearray(target.read_bytes())
    _set_descriptor_flag(data, SHEET.encode())
    target.write_bytes(bytes(data))
    assert ooxml.zip_errors(target) == [
        f"zip: {SHEET}: flag bit 3 set but no matching data descriptor"
    ]


@pytest.mark.corpus
def test_real_data_descriptors_accepted() -> None:
    # LibreOffice sets bit 3 on every entry and writes signed descriptors.
    path = corpus_dir() / "libreoffice__lo_tracker.xlsx"
    with zipfile.ZipFile(path) as zf:
        assert all(info.flag_bits & 0x08 for info in zf.infolist())
    assert ooxml.zip_errors(path) == []


@pytest.mark.corpus
def test_other_xml_parts_checked(tmp_path: Path) -> None:
    target = tmp_path / "other.xlsx"
    parts = zip_parts(SMALL)
    theme = parts["xl/theme/theme1.xml"].replace(b"<a:themeElements>", b"<a:themeElements><a:x/>")
    copy_with_parts(
        SMALL, target, {"docProps/app.xml": b"<Properties>", "xl/theme/theme1.xml": theme}
    )
    errors = sorted(ooxml.validate_package(target))
    assert len(errors) == 2, errors
    assert errors[0].startswith("docProps/app.xml: not well-formed XML")
    assert errors[1].startswith("xl/theme/theme1.xml:2: ") and "}x'" in errors[1]


def test_not_a_zip(tmp_path: Path) -> None:
    target = tmp_path / "plain.xlsx"
    target.write_bytes(b"not a zip at all")
    assert ooxml.validate_package(target) == ["zip: File is not a zip file"]

"""Parts written in forms Excel never uses but OOXML allows: esp reads them as XML and
writes them back valid.

Each test spells one part of the sample tracker otherwise — a comment in a relationships
part, the 1904 flag in single quotes, a UTF-16 part, a pretty-printed sheet, no styles
part, a rich-text Notes cell — and runs the commands the team runs on it.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.xlsx.package import Package
from esp_cli.workbook.xlsx.workbook import Workbook
from tests.factories import headers
from tests.support import ooxml
from tests.support.marks import checks_schemas
from tests.support.packages import copy_with_parts, zip_parts

DAY = "2026-11-24"
SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"


def esp(folder: Path, *args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(app, [*args, "--config", str(folder / "esp.toml")], input=input)


def sample(tmp_path: Path, changes: dict[str, bytes | None] | None = None) -> Path:
    """The sample in `tmp_path/s`, its tracker's parts changed as given."""
    folder = tmp_path / "s"
    copy_sample(folder)
    if changes:
        path = folder / "ESP Tracker.xlsx"
        edited = folder / "edited.xlsx"
        copy_with_parts(path, edited, changes)
        edited.replace(path)
    return folder


def part(folder: Path, name: str) -> bytes:
    return zip_parts(folder / "ESP Tracker.xlsx")[name]


def values(folder: Path, sheet: str = "ESP Tracker") -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(folder / "ESP Tracker.xlsx")[sheet]


def read(folder: Path, row: int, col: int, sheet: str = "ESP Tracker") -> Any:
    """A cell as esp reads it (openpyxl cannot open some valid packages)."""
    wb = Workbook.open(folder / "ESP Tracker.xlsx")
    return wb.values(wb.pkg.sheet(sheet)).get(row, col)


def written_cells(folder: Path) -> list[tuple[str, Any]]:
    """Every cell esp's writes changed, with what they wrote (from esp history)."""
    data = json.loads(esp(folder, "history", "--format", "json").stdout)
    return [(c["cell"], c["after"]) for op in data["operations"] for c in op["cells"]]


def well_formed(folder: Path) -> None:
    with zipfile.ZipFile(folder / "ESP Tracker.xlsx") as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))


def original(name: str) -> bytes:
    path = Path(__file__).resolve().parents[1] / "src/esp_cli/sample/ESP Tracker.xlsx"
    return zip_parts(path)[name]


# -- relationships ---------------------------------------------------------------------------


@pytest.mark.parametrize("rels", ["_rels/.rels", "xl/_rels/workbook.xml.rels"])
def test_a_comment_or_instruction_in_a_relationships_part_is_not_a_relationship(
    tmp_path: Path, rels: str
) -> None:
    spelled = original(rels).replace(
        b"<Relationship ", b"<!-- written by tool X --><?tool x?><Relationship ", 1
    )
    folder = sample(tmp_path, {rels: spelled})
    res = esp(folder, "escalations", "--as-of", DAY, "--format", "csv")
    assert res.exit_code == 0, res.output
    clean = esp(sample(tmp_path / "clean"), "escalations", "--as-of", DAY, "--format", "csv")
    assert res.stdout == clean.stdout
    res = esp(folder, "note", "add", "Tyrone Jackson", "hello", "--date", DAY)
    assert res.exit_code == 0, res.output
    assert read(folder, 25, 26).endswith("11/24/2026 - Jordan Reyes - hello")
    assert part(folder, rels) == spelled


def test_a_comment_among_the_sheets_does_not_shift_them(tmp_path: Path) -> None:
    spelled = original(WORKBOOK).replace(b"<sheets>", b"<sheets><!-- first --><?pi x?>")
    folder = sample(tmp_path, {WORKBOOK: spelled})
    pkg = Package.open(folder / "ESP Tracker.xlsx")
    assert [(s.name, s.index) for s in pkg.sheets] == [("ESP Tracker", 0), ("Lists", 1)]


# -- the 1904 date system -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "is_1904"),
    [
        (b"<workbookPr date1904='1'/>", True),
        (b'<workbookPr date1904 = "true" />', True),
        (b"<workbookPr\n  date1904\t=\t' 1 '/>", True),
        (b'<workbookPr date1904="&#49;"/>', True),
        (b'<workbookPr date1904="0"/>', False),
        (b'<!-- <workbookPr date1904="1"/> --><workbookPr/>', False),
        (b'<!-- was: <workbookPr date1904="1"/> -->', False),
        (b'<?pi date1904="1"?><workbookPr date1904="false"/>', False),
    ],
)
def test_the_1904_flag_is_read_as_xml(tmp_path: Path, spelling: bytes, is_1904: bool) -> None:
    data = original(WORKBOOK).replace(b"<bookViews>", spelling + b"<bookViews>")
    path = tmp_path / "t.xlsx"
    copy_with_parts(
        Path(__file__).resolve().parents[1] / "src/esp_cli/sample/ESP Tracker.xlsx",
        path,
        {WORKBOOK: data},
    )
    assert Package.open(path).date1904 is is_1904


def _shift_dates(sheet: bytes, days: int) -> bytes:
    """Every date-styled serial of the sample's sheet moved by `days` (its meaning kept
    when the flag changes with it)."""

    def move(m: re.Match[bytes]) -> bytes:
        value = float(m.group(2)) + days
        text = str(int(value)) if value.is_integer() else repr(value)
        return m.group(1) + text.encode() + m.group(3)

    return re.sub(rb'(<c r="[A-Z]+\d+" s="[34]"><v>)(4\d{4}(?:\.\d+)?)(</v>)', move, sheet)


@pytest.mark.parametrize("flag", [b"date1904='1'", b'date1904 = "1"', b"date1904='true'"])
def test_a_1904_workbook_gets_1904_serials_however_the_flag_is_quoted(
    tmp_path: Path, flag: bytes
) -> None:
    folder = sample(
        tmp_path,
        {
            WORKBOOK: original(WORKBOOK).replace(
                b"<bookViews>", b"<workbookPr " + flag + b"/><bookViews>"
            ),
            SHEET: _shift_dates(original(SHEET), -1462),
        },
    )
    res = esp(folder, "record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--by", "T")
    assert res.exit_code == 0, res.output
    serial = re.search(rb'<c r="V25"[^>]*><v>([^<]+)</v>', part(folder, SHEET))
    assert serial is not None
    assert date(1904, 1, 1) + timedelta(days=float(serial.group(1))) == date(2026, 11, 24)


def test_a_commented_out_1904_flag_leaves_the_1900_system(tmp_path: Path) -> None:
    folder = sample(
        tmp_path,
        {
            WORKBOOK: original(WORKBOOK).replace(
                b"<bookViews>", b'<!-- was: <workbookPr date1904="1"/> --><bookViews>'
            )
        },
    )
    res = esp(folder, "record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--by", "T")
    assert res.exit_code == 0, res.output
    assert values(folder)["V25"].value.date() == date(2026, 11, 24)


# -- UTF-16 parts ------------------------------------------------------------------------------

PARTS = [
    SHEET,
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    WORKBOOK,
    "xl/_rels/workbook.xml.rels",
    "_rels/.rels",
    "[Content_Types].xml",
    "xl/worksheets/sheet2.xml",  # the Lists sheet: the drop-downs' values
]


def utf16_part(data: bytes, encoding: str = "utf-16") -> bytes:
    text = data.decode("utf-8")
    text = re.sub(r'encoding="UTF-8"', 'encoding="UTF-16"', text, count=1)
    return text.encode(encoding)


@pytest.mark.parametrize("name", PARTS)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_part_is_read_and_written_back_as_utf8(
    tmp_path: Path, name: str, encoding: str
) -> None:
    spelled = utf16_part(original(name), encoding)
    folder = sample(tmp_path, {name: spelled})
    clean = sample(tmp_path / "clean")
    for args in (
        ("escalations", "--as-of", DAY, "--format", "csv"),
        ("access", "set", "Marcus Lee", "password reset", "--dry-run", "--format", "json"),
    ):
        res, want = esp(folder, *args), esp(clean, *args)
        assert res.exit_code == want.exit_code == 0, res.output
        assert res.stdout.replace(str(folder), "") == want.stdout.replace(str(clean), "")
    res = esp(folder, "record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--note", "x")
    assert res.exit_code == 0, res.output
    well_formed(folder)
    now = part(folder, name)
    if name in (SHEET, "xl/sharedStrings.xml", WORKBOOK):
        # Written by esp (the workbook asked to recalculate on open, for the sample's
        # formulas): UTF-8, its declaration saying so.
        assert now.startswith(b'<?xml version="1.0" encoding="UTF-8"')
        assert now.decode("utf-8")
    else:
        assert now == spelled  # untouched: byte for byte
    assert read(folder, 25, 22) is not None  # V25, the coaching date
    assert read(folder, 25, 26).endswith("\n11/24/2026 - Jordan Reyes - Coaching: x")


# -- other parts esp reads as XML ---------------------------------------------------------------


def test_a_comment_inside_a_defined_name_or_a_list_formula_is_not_part_of_it(
    tmp_path: Path,
) -> None:
    """The Citrix TBT Access drop-down's list named by a defined name whose text holds a
    comment: its values are still the list's (a custom value is accepted)."""
    sheet = original(SHEET).replace(
        b"<xm:f>Lists!$A$2:$A$8</xm:f>", b"<xm:f><!-- named -->AccessOptions<?x y?></xm:f>"
    )
    workbook = original(WORKBOOK).replace(
        b'<definedName name="AccessOptions">Lists!$A$2:$A$8</definedName>',
        b'<definedName name="AccessOptions">Lists!<!-- the access list -->$A$2:$A$8</definedName>',
    )
    assert workbook != original(WORKBOOK) and sheet != original(SHEET)
    folder = sample(tmp_path, {WORKBOOK: workbook, SHEET: sheet})
    pkg = Workbook.open(folder / "ESP Tracker.xlsx")
    (access,) = [
        v for v in pkg.validations(pkg.pkg.sheet("ESP Tracker")) if "AccessOptions" in v.source
    ]
    assert access.values is not None and "Password Reset" in access.values


@pytest.mark.parametrize(
    "spelled",
    [
        b"<si><t><![CDATA[<!DOCTYPE html> pasted]]></t></si>",
        b"<!-- <!ENTITY x 'y'> --><si><t>x</t></si>",
    ],
)
def test_dtd_words_in_text_or_a_comment_are_not_a_dtd(tmp_path: Path, spelled: bytes) -> None:
    sst = original("xl/sharedStrings.xml").replace(b"</sst>", spelled + b"</sst>")
    folder = sample(tmp_path, {"xl/sharedStrings.xml": sst})
    res = esp(folder, "note", "add", "Tyrone Jackson", "hello", "--date", DAY)
    assert res.exit_code == 0, res.output
    well_formed(folder)


def test_a_real_dtd_after_a_comment_is_still_refused(tmp_path: Path) -> None:
    sst = original("xl/sharedStrings.xml").replace(
        b"<sst ", b'<!-- x --><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst ', 1
    )
    folder = sample(tmp_path, {"xl/sharedStrings.xml": sst})
    res = esp(folder, "escalations", "--as-of", DAY)
    assert res.exit_code == 3 and "declares a DTD" in res.output


def test_the_strict_namespace_named_in_a_comment_is_not_strict(tmp_path: Path) -> None:
    workbook = original(WORKBOOK).replace(
        b"<bookViews>",
        b"<!-- http://purl.oclc.org/ooxml/spreadsheetml/main --><bookViews>",
    )
    res = esp(sample(tmp_path, {WORKBOOK: workbook}), "escalations", "--as-of", DAY)
    assert res.exit_code == 0, res.output


# -- values with spaces around them (a pretty-printed sheet) ------------------------------------


def pretty_values(sheet: bytes) -> bytes:
    """Every <v> of a text index, number, date or TRUE/FALSE written on lines of its own,
    as xml.dom.minidom's toprettyxml writes them; formula text results keep their spaces."""
    sheet = re.sub(
        rb'(<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="[sbn]")?>)<v>([^<]*)</v>',
        rb"\1<v>\n\t\t\2\n\t</v>",
        sheet,
    )
    return re.sub(rb'(<c r="AB25" t="str"><f>[^<]*</f>)<v>Open</v>', rb"\1<v> Open </v>", sheet)


def test_values_written_on_lines_of_their_own_are_read_as_excel_reads_them(
    tmp_path: Path,
) -> None:
    folder = sample(tmp_path, {SHEET: pretty_values(original(SHEET))})
    clean = sample(tmp_path / "clean")
    args = ("escalations", "--as-of", DAY, "--format", "csv")
    res, want = esp(folder, *args), esp(clean, *args)
    assert res.exit_code == want.exit_code, res.output
    assert res.stdout == want.stdout
    assert read(folder, 25, 2) == "Tyrone Jackson"
    assert read(folder, 25, 14) == 7  # TBT Hours, a number
    assert read(folder, 25, 28) == " Open "  # a formula's text result: its spaces are text
    for folder_ in (folder, clean):
        res = esp(
            folder_, "escalations", "--write", "--write-past", "--as-of", DAY, "--format", "json"
        )
        assert res.exit_code == 0, res.output
    assert written_cells(folder) == written_cells(clean)
    res = esp(folder, "note", "add", "Tyrone Jackson", "hello", "--date", DAY)
    assert res.exit_code == 0, res.output
    well_formed(folder)


@pytest.mark.parametrize("spaces", [b" ", b"\n\t\t", b" \r\n"])
def test_an_error_value_with_spaces_around_it_reads_as_the_same_error(
    tmp_path: Path, spaces: bytes
) -> None:
    """<v> #N/A</v> stops calamine's parse of the whole sheet; it is read as #N/A is."""
    sheet = original(SHEET)
    cell = b'<c r="N25"><v>7</v></c>'
    assert cell in sheet
    plain = sample(
        tmp_path / "plain", {SHEET: sheet.replace(cell, b'<c r="N25" t="e"><v>#N/A</v></c>')}
    )
    spaced = sample(
        tmp_path / "spaced",
        {
            SHEET: sheet.replace(
                cell, b'<c r="N25" t="e"><v>' + spaces + b"#N/A" + spaces + b"</v></c>"
            )
        },
    )
    for args in (("escalations", "--as-of", DAY, "--format", "json"), ("doctor",)):
        res, want = esp(spaced, *args), esp(plain, *args)
        assert res.exit_code == want.exit_code, res.output
        assert res.stdout.replace(str(spaced), "T") == want.stdout.replace(str(plain), "T")
    assert esp(spaced, "escalations", "--as-of", DAY).exit_code == 0
    assert "#N/A" in esp(spaced, "explain", "Tyrone Jackson", "--as-of", DAY).output


# -- a workbook without a styles part -----------------------------------------------------------

HEADERS = headers("class", "agent_name", "agent_id", "esp_start", "call_cert_complete",
                  "tbts_complete", "coaching_date", "notes")  # fmt: skip
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def bare_tracker(path: Path) -> Path:
    """A valid workbook as a program writes it by hand: no styles part, no shared strings,
    inline strings, cells without r."""

    def cell(v: Any) -> str:
        if v is None:
            return "<c/>"
        if isinstance(v, int):
            return f"<c><v>{v}</v></c>"
        return f'<c t="inlineStr"><is><t>{v}</t></is></c>'

    rows = [HEADERS, ["AET-1", "Ann Lee", "E1", 46345, "No", "No", None, None]]
    sheet = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        + "".join("<row>" + "".join(cell(v) for v in r) + "</row>" for r in rows)
        + "</sheetData></worksheet>"
    )
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets>'
            '<sheet name="Agents" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG_REL}"><!-- the sheet --><Relationship Id="rId1" '
            f'Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_a_date_written_to_a_workbook_without_styles_shows_as_a_date(tmp_path: Path) -> None:
    path = bare_tracker(tmp_path / "t.xlsx")
    res = CliRunner().invoke(
        app,
        ["record-step", "Ann Lee", "coaching", "--date", "2026-12-01", "--early", "--reason",
         "x", "-t", str(path), "--by", "T"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    parts = zip_parts(path)
    cell = re.search(rb'<c r="G2" s="(\d+)"><v>(\d+)</v></c>', parts["xl/worksheets/sheet1.xml"])
    assert cell is not None
    assert date(1899, 12, 30) + timedelta(days=int(cell.group(2))) == date(2026, 12, 1)
    styles = etree.fromstring(parts["xl/styles.xml"])
    xfs = styles.find(f"{{{MAIN_NS}}}cellXfs")
    assert xfs is not None
    assert xfs[int(cell.group(1))].get("numFmtId") == "14"  # m/d/yyyy: shown as a date
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Target") for r in rels.iterchildren(f"{{{PKG_REL}}}Relationship")}
    assert targets == {"worksheets/sheet1.xml", "styles.xml"}
    assert b'PartName="/xl/styles.xml"' in parts["[Content_Types].xml"]
    if checks_schemas():
        for name in ("xl/styles.xml", "xl/worksheets/sheet1.xml"):
            assert ooxml.validate_part(name, parts[name]) == [], name
    # Read again, and written again: the part is there once.
    res = CliRunner().invoke(app, ["note", "add", "Ann Lee", "again", "-t", str(path), "--by", "T"])
    assert res.exit_code == 0, res.output
    assert sorted(zip_parts(path)) == sorted(parts)


def test_a_second_note_line_in_a_workbook_without_styles_wraps(tmp_path: Path) -> None:
    """No styles part: the note's second line needs Wrap Text, so the minimal styles part
    is added with a wrapping format, and the notes cell uses it."""
    path = bare_tracker(tmp_path / "t.xlsx")
    for day, text in (("2026-11-23", "first"), ("2026-11-24", "second")):
        res = CliRunner().invoke(
            app, ["note", "add", "Ann Lee", text, "--date", day, "-t", str(path), "--by", "T"]
        )
        assert res.exit_code == 0, res.output
    parts = zip_parts(path)
    cell = re.search(rb'<c r="H2" s="(\d+)" t="inlineStr">', parts["xl/worksheets/sheet1.xml"])
    assert cell is not None, parts["xl/worksheets/sheet1.xml"]
    xfs = etree.fromstring(parts["xl/styles.xml"]).find(f"{{{MAIN_NS}}}cellXfs")
    assert xfs is not None and xfs.get("count") == str(len(xfs))
    align = xfs[int(cell.group(1))].find(f"{{{MAIN_NS}}}alignment")
    assert align is not None and align.get("wrapText") == "1"
    if checks_schemas():
        for name in ("xl/styles.xml", "xl/worksheets/sheet1.xml"):
            assert ooxml.validate_part(name, parts[name]) == [], name


# -- rich text ------------------------------------------------------------------------------------

RICH = (
    b'<si><r><rPr><b/><color rgb="FFFF0000"/></rPr><t>URGENT</t></r>'
    b'<r><t xml:space="preserve"> 11/23/2026 - Jordan Reyes - call back</t></r></si>'
)


def _note_added_to_string(
    tmp_path: Path, si: bytes, references: bool = False
) -> tuple[Path, int, bytes]:
    """The sample with Z25 (Tyrone Jackson's Notes) holding the shared string `si` (its
    index's digits written as character references, `references`), after a note added to
    it: the folder, the string's index and the shared strings part."""
    sst = original("xl/sharedStrings.xml")
    count = len(re.findall(rb"<si>", sst))
    sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="%d"' % (count + 1), sst)
    sst = sst.replace(b"</sst>", si + b"</sst>")
    index = b"%d" % count
    if references:
        index = b"".join(b"&#%d;" % digit for digit in index)
    sheet = re.sub(rb'(<c r="Z25"[^>]*t="s"><v>)\d+', rb"\g<1>" + index, original(SHEET))
    folder = sample(tmp_path, {"xl/sharedStrings.xml": sst, SHEET: sheet})
    res = esp(folder, "note", "add", "Tyrone Jackson", "third", "--date", DAY, "--by", "T")
    assert res.exit_code == 0, res.output
    return folder, count, part(folder, "xl/sharedStrings.xml")


def test_a_note_appended_to_rich_text_keeps_its_runs(tmp_path: Path) -> None:
    folder, count, now = _note_added_to_string(tmp_path, RICH)
    last = now[now.rfind(b"<si>") :]
    assert last == (
        RICH[: -len(b"</si>")]
        + b'<r><t xml:space="preserve">\n11/24/2026 - T - third</t></r></si></sst>'
    )
    assert read(folder, 25, 26) == (
        "URGENT 11/23/2026 - Jordan Reyes - call back\n11/24/2026 - T - third"
    )
    # Undone, the cell is the rich text it was.
    assert esp(folder, "undo").exit_code == 0
    assert re.search(rb'<c r="Z25"[^>]*t="s"><v>%d</v>' % count, part(folder, SHEET))


def test_a_rich_text_index_written_with_a_character_reference_keeps_its_runs(
    tmp_path: Path,
) -> None:
    """<v>&#51;&#49;&#50;</v> is the index 312: the note is added as a run of that string."""
    folder, _count, now = _note_added_to_string(tmp_path, RICH, references=True)
    assert now[now.rfind(b"<si>") :] == (
        RICH[: -len(b"</si>")]
        + b'<r><t xml:space="preserve">\n11/24/2026 - T - third</t></r></si></sst>'
    )
    assert read(folder, 25, 26) == (
        "URGENT 11/23/2026 - Jordan Reyes - call back\n11/24/2026 - T - third"
    )


def _note_added_to_inline(tmp_path: Path, inline: bytes) -> bytes:
    """Ann Lee's Notes cell (H2) holding the inline string `inline` (the inside of its
    <is>), after a note added to it: the cell's XML."""
    path = bare_tracker(tmp_path / "t.xlsx")
    sheet = zip_parts(path)["xl/worksheets/sheet1.xml"].replace(
        b"<c/></row></sheetData>",
        b'<c t="inlineStr"><is>' + inline + b"</is></c></row></sheetData>",
    )
    copy_with_parts(path, tmp_path / "r.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    path = tmp_path / "r.xlsx"
    res = CliRunner().invoke(
        app, ["note", "add", "Ann Lee", "ok", "-t", str(path), "--by", "T", "--date", DAY]
    )
    assert res.exit_code == 0, res.output
    cell = re.search(rb'<c r="H2".*?</c>', zip_parts(path)["xl/worksheets/sheet1.xml"], re.S)
    assert cell is not None
    return cell.group(0)


def test_an_inline_rich_text_note_keeps_its_runs(tmp_path: Path) -> None:
    cell = _note_added_to_inline(
        tmp_path,
        b'<r><rPr><b/></rPr><t>Hold</t></r><r><t xml:space="preserve"> - see HR</t></r>',
    )
    # s="1": a second line shows only with Wrap Text (the styles part esp adds has it).
    assert cell == (
        b'<c r="H2" s="1" t="inlineStr"><is><r><rPr><b/></rPr><t>Hold</t></r>'
        b'<r><t xml:space="preserve"> - see HR</t></r>'
        b'<r><t xml:space="preserve">\n11/24/2026 - T - ok</t></r></is></c>'
    )


# A note typed with a Japanese input method keeps its reading (furigana: <rPh>, positions in
# the text, which appending at its end leaves where they were) and its <phoneticPr>.
PHONETIC = (
    b'<si><t xml:space="preserve">11/23/2026 - \xe5\xb1\xb1\xe7\x94\xb0 - call back</t>'
    b'<rPh sb="13" eb="15"><t>\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0</t></rPh>'
    b'<phoneticPr fontId="1"/></si>'
)


def test_a_note_appended_to_text_with_a_phonetic_guide_keeps_it(tmp_path: Path) -> None:
    folder, _count, now = _note_added_to_string(tmp_path, PHONETIC)
    assert now[now.rfind(b"<si>") :] == (
        b'<si><t xml:space="preserve">11/23/2026 - \xe5\xb1\xb1\xe7\x94\xb0 - call back\n'
        b"11/24/2026 - T - third</t>"
        b'<rPh sb="13" eb="15"><t>\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0</t></rPh>'
        b'<phoneticPr fontId="1"/></si></sst>'
    )
    assert read(folder, 25, 26) == "11/23/2026 - 山田 - call back\n11/24/2026 - T - third"
    if checks_schemas():
        assert ooxml.validate_part("xl/sharedStrings.xml", now) == []


def test_an_inline_note_with_a_phonetic_guide_keeps_it(tmp_path: Path) -> None:
    cell = _note_added_to_inline(
        tmp_path,
        b"<t>\xe5\xb1\xb1\xe7\x94\xb0</t>"
        b'<rPh sb="0" eb="2"><t>\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0</t></rPh>',
    )
    assert cell == (
        b'<c r="H2" s="1" t="inlineStr"><is><t xml:space="preserve">\xe5\xb1\xb1\xe7\x94\xb0'
        b"\n11/24/2026 - T - ok</t>"
        b'<rPh sb="0" eb="2"><t>\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0</t></rPh></is></c>'
    )

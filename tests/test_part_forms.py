"""Parts written in forms Excel never uses but OOXML allows: esp reads them as XML and
writes them back valid.

Each test spells one part of the sample tracker otherwise — a comment in a relationships
part, the 1904 flag in single quotes, a UTF-16 part, a pretty-printed sheet, no styles
part, a rich-text Notes cell — and runs the commands the team runs on it.
"""

from __future__ import annotations

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
from esp_cli.cli.demo import copy_sample
from esp_cli.xlsx.package import Package
from esp_cli.xlsx.workbook import Workbook
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
    if name in (SHEET, "xl/sharedStrings.xml"):
        # Written by esp: UTF-8, its declaration saying so.
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

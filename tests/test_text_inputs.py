"""What people feed esp reaches the cells as the text they meant, or is refused saying what
and where: answers saved as UTF-16, control characters, a name in ESP_USER with bytes that
are not UTF-8, dates before March 1900, drop-downs listing a whole column, and the messages
for a lock left by someone else, an import that matches no one, a What-If data table.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app
from esp_cli.core.values import serial_to_datetime
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.xlsx.patch import excel_serial
from tests.support.packages import copy_with_parts, zip_parts

DAY = "2026-11-24"
ROUND = ["round", "--sme", "Keisha Grant", "--by", "Keisha Grant", "--yes"]
ANSWERS = "Module 3 of 8\r\n\r\nOn module 5 \u010a\r\nq\r\n"  # Ċ: LE bytes 0A 01


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy_sample(tmp_path / "s")
    return tmp_path / "s"


def esp(folder: Path, *args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(app, [*args, "--config", str(folder / "esp.toml")], input=input)


def sheet(folder: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"]


# -- answers in UTF-16 -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_round_answers_saved_as_unicode_are_read_as_typed(tmp_path: Path, encoding: str) -> None:
    """Notepad's "Unicode" and PowerShell 5's `>` write UTF-16 (with a byte-order mark, or
    without one): the notes are what was typed, not ÿþM_x0000_o..."""
    typed = sample_round(tmp_path / "utf8", ANSWERS.encode("utf-8"))
    got = sample_round(tmp_path / encoding, ANSWERS.encode(encoding))
    assert got == typed
    assert any(v and v.endswith("On module 5 \u010a") for v in got.values())
    assert not any(v and "_x0000_" in v for v in got.values())


def sample_round(where: Path, answers: bytes) -> dict[str, Any]:
    copy_sample(where)
    res = esp(where, *ROUND, input=answers)
    assert res.exit_code == 0, res.output
    ws = sheet(where)
    return {f"AA{r}": ws[f"AA{r}"].value for r in range(5, 79)}


def test_read_line_follows_the_first_line_for_the_whole_stream() -> None:
    class Stream:
        def __init__(self, data: bytes) -> None:
            self.buffer = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]

    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        stream = Stream("one \u0a0d\r\ntwo\n\nthree".encode(encoding))
        lines = []
        while (line := system.read_line(stream)) is not None:
            lines.append(line)
        assert lines == ["one \u0a0d", "two", "", "three"], encoding


# -- control characters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["call\x00back", "\x1b[31mURGENT\x1b[0m", "a\x07b", "SPOC called x\x9b1m", "a\x81b"]
)
def test_a_note_with_a_control_character_is_refused_naming_it(folder: Path, text: str) -> None:
    """The C0 controls and the C1 ones (U+0080-U+009F: U+009B is the 8-bit escape that
    starts a terminal's codes) alike."""
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    res = esp(folder, "note", "add", "Tyrone Jackson", text, "--date", DAY)
    assert res.exit_code == 2, res.output
    assert "'ESP Tracker'!Z25" in res.stderr and "which no cell can show" in res.stderr
    assert re.search(r"U\+00(00|1B|07|9B|81)", res.stderr)
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before


@pytest.mark.parametrize(("char", "named"), [("\x07", "U+0007 (BEL)"), ("\x9b", "U+009B (CSI)")])
def test_a_note_file_row_with_a_control_character_is_not_applied(
    folder: Path, char: str, named: str
) -> None:
    (folder / "n.csv").write_text(f"agent,note\nTyrone Jackson,ring{char}bell\n", encoding="utf-8")
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    res = esp(folder, "note", "import", str(folder / "n.csv"))
    assert res.exit_code == 5, res.output
    assert named in res.stdout and "n.csv" in res.stdout
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before


def test_a_round_line_with_control_characters_is_written_without_them(folder: Path) -> None:
    res = esp(folder, *ROUND, input="\x1b[AModule 3 of 8\nq\n")
    assert res.exit_code == 0, res.output
    assert "the Up arrow key, which no cell can show; left out" in res.stderr
    # The key's whole code is left out, not only its escape: no "[A" in the note.
    assert sheet(folder)["AA60"].value.endswith(" - Module 3 of 8")


def test_a_cell_that_held_a_control_character_can_still_be_added_to(folder: Path) -> None:
    sst = zip_parts(folder / "ESP Tracker.xlsx")["xl/sharedStrings.xml"]
    old = re.search(rb"<t>(11/23/2026 - Jordan Reyes - Call Cert started[^<]*)</t>", sst)
    assert old is not None
    edited = sst.replace(old.group(0), b"<t>" + old.group(1) + b"_x0007_</t>")
    copy_with_parts(
        folder / "ESP Tracker.xlsx", folder / "e.xlsx", {"xl/sharedStrings.xml": edited}
    )
    (folder / "e.xlsx").replace(folder / "ESP Tracker.xlsx")
    res = esp(folder, "note", "add", "Tyrone Jackson", "ok", "--date", DAY)
    assert res.exit_code == 0, res.output


# -- who signs -------------------------------------------------------------------------------


def test_esp_user_with_bytes_that_are_not_utf8_is_named(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESP_USER", os.fsdecode(b"Jo\xffe"))
    res = esp(folder, "note", "add", "Tyrone Jackson", "hi", "--date", DAY)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("esp: ESP_USER holds bytes that are not UTF-8 (b'\\xff')")
    assert "set ESP_USER again" in res.stderr and "type the text again" not in res.stderr


# -- messages ----------------------------------------------------------------------------------


def test_a_note_import_that_matches_no_one_says_so(folder: Path) -> None:
    (folder / "n.csv").write_text("agent,note\nNobody Here,x\n")
    res = esp(folder, "note", "import", str(folder / "n.csv"), "--by", "T")
    assert res.exit_code == 5
    last = res.stderr.strip().splitlines()[-1]
    assert "already says so" not in last
    assert last.endswith("is unchanged: no row of n.csv could be applied; nothing written.")


def test_a_lock_file_left_by_another_user_is_named_with_its_owner(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = folder / ".ESP Tracker.xlsx.esp-lock"
    lock.write_bytes(b"")

    def refused(self: Any) -> None:
        raise PermissionError(13, "Permission denied", str(lock))

    monkeypatch.setattr(system.ExclusiveLock, "acquire", refused)
    monkeypatch.setattr(system, "file_owner", lambda path: "jsmith" if path == lock else None)
    res = esp(folder, "note", "add", "Tyrone Jackson", "hi", "--date", DAY)
    assert res.exit_code == 6, res.output
    assert ".ESP Tracker.xlsx.esp-lock" in res.stderr and "belongs to jsmith" in res.stderr
    assert "ask jsmith or an administrator to delete .ESP Tracker.xlsx.esp-lock" in res.stderr
    assert "check that the folder is writable" not in res.stderr


def test_a_cell_of_a_data_table_is_named_a_data_table(folder: Path) -> None:
    data = zip_parts(folder / "ESP Tracker.xlsx")["xl/worksheets/sheet1.xml"]
    cell = re.search(rb'<c r="Z25"[^>]*>.*?</c>', data)
    assert cell is not None
    table = b'<c r="Z25"><f t="dataTable" ref="Z25:Z26" dt2D="0" dtr="0" r1="N25"/><v>1</v></c>'
    edited = data.replace(cell.group(0), table)
    copy_with_parts(folder / "ESP Tracker.xlsx", folder / "e.xlsx",
                    {"xl/worksheets/sheet1.xml": edited})  # fmt: skip
    (folder / "e.xlsx").replace(folder / "ESP Tracker.xlsx")
    res = esp(folder, "note", "add", "Natalie Ford", "hi", "--date", DAY)
    assert res.exit_code == 1, res.output
    assert "is part of a What-If data table (Z25:Z26)" in res.stderr
    assert "array formula" not in res.stderr


# -- January and February 1900 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "serial"),
    [
        (date(1900, 1, 1), 1),
        (date(1900, 2, 28), 59),
        (date(1900, 3, 1), 61),
        (date(2026, 11, 24), 46350),
    ],
)
def test_dates_and_serials_follow_excels_1900_calendar(day: date, serial: int) -> None:
    assert excel_serial(day, date1904=False) == serial
    assert serial_to_datetime(serial).date() == day
    assert excel_serial(datetime(day.year, day.month, day.day, 12), False) == serial + 0.5


def test_a_date_in_february_1900_is_written_as_excel_counts_it(folder: Path) -> None:
    res = esp(folder, "access", "set", "Tyrone Jackson", "Password Reset", "--spoc-called",
              "1900-02-28", "--by", "Jo")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = zip_parts(folder / "ESP Tracker.xlsx")["xl/worksheets/sheet1.xml"]
    cell = re.search(rb'<c r="R25"[^>]*><v>([^<]+)</v>', data)  # SPOC Called Date
    assert cell is not None and cell.group(1) == b"59"  # Excel's 02/28/1900 (60 is 02/29)
    assert sheet(folder)["R25"].value.date() == date(1900, 2, 28)


def test_a_date_before_the_workbooks_first_is_refused(tmp_path: Path) -> None:
    """A 1904-system workbook stores no date before 01/01/1904 (the command line takes
    dates from 1900 on)."""
    from esp_cli.errors import UsageError
    from esp_cli.workbook.xlsx.package import Package
    from esp_cli.workbook.xlsx.patch import Patcher
    from tests.factories import tracker

    path = tracker(tmp_path / "t.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    workbook = zip_parts(path)["xl/workbook.xml"]
    workbook = re.sub(rb"<workbookPr[^>]*/>", b'<workbookPr date1904="1"/>', workbook)
    copy_with_parts(path, tmp_path / "w.xlsx", {"xl/workbook.xml": workbook})
    patcher = Patcher(Package.open(tmp_path / "w.xlsx"))
    with pytest.raises(UsageError, match="before 01/01/1904, the first date Excel can store"):
        patcher.set("ESP Tracker", 3, 7, date(1903, 6, 1))
    patcher.set("ESP Tracker", 3, 7, date(1904, 1, 1))


# -- a drop-down listing a whole column --------------------------------------------------------


def test_a_drop_down_listing_a_whole_column_accepts_its_values(folder: Path) -> None:
    """Citrix TBT Access's list given as Lists!$A:$A: a custom value in it is accepted."""
    path = folder / "ESP Tracker.xlsx"
    parts = zip_parts(path)
    lists = parts["xl/worksheets/sheet2.xml"]
    sst = parts["xl/sharedStrings.xml"]
    count = len(re.findall(rb"<si>", sst))
    sst = sst.replace(b"</sst>", b"<si><t>VPN Down</t></si></sst>")
    sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="%d"' % (count + 1), sst)
    lists = re.sub(rb"(<row r=\"8\"[^>]*>.*?</row>)", rb'\1<row r="9"><c r="A9" t="s"><v>%d'
                   rb"</v></c></row>" % count, lists, count=1, flags=re.S)  # fmt: skip
    lists = lists.replace(b'<dimension ref="A1:B8"/>', b'<dimension ref="A1:B9"/>')
    sheet1 = (
        parts["xl/worksheets/sheet1.xml"]
        .replace(
            b"<xm:f>Lists!$A$2:$A$8</xm:f><xm:sqref>Q5:Q200</xm:sqref>",
            b"<xm:f>Lists!$A:$A</xm:f><xm:sqref>Q:Q</xm:sqref>",
        )
        .replace(b"<xm:f>Lists!$A$2:$A$8</xm:f>", b"<xm:f>Lists!$A:$A</xm:f>")
    )
    assert b"Lists!$A:$A" in sheet1 and b'r="A9"' in lists
    copy_with_parts(path, folder / "e.xlsx", {"xl/worksheets/sheet2.xml": lists,
                    "xl/worksheets/sheet1.xml": sheet1, "xl/sharedStrings.xml": sst})  # fmt: skip
    (folder / "e.xlsx").replace(path)
    res = esp(folder, "access", "set", "Marcus Lee", "VPN Down", "--date", DAY)
    assert res.exit_code == 0, res.output
    assert sheet(folder)["Q44"].value == "VPN Down"

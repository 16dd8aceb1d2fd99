"""Where esp puts a column the tracker lacks: after the last header where the whole column is
free — no value and no formula, not even one showing nothing — else after the last column the
sheet uses; the columns one write adds stay together; and when no column is left (XFD is
used), a refusal naming the cell.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import copy_sample
from tests.support.packages import copy_with_parts, zip_parts

DAY = "2026-11-24"
SHEET = "xl/worksheets/sheet1.xml"
COMPUTED = ["Escalation Stage", "Next Action", "Next Action Due"]


def esp(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--config", str(folder / "esp.toml")])


def sample(tmp_path: Path, edit: Any = None) -> Path:
    """The sample (headers A..AB; escalations --write adds its three columns after AB),
    edited with openpyxl as someone would in Excel."""
    folder = tmp_path / "s"
    copy_sample(folder)
    if edit is not None:
        path = folder / "ESP Tracker.xlsx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path)
        edit(wb["ESP Tracker"])
        wb.save(path)
    return folder


def headers(folder: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"]
    return {c.column_letter: c.value for c in ws[4] if c.value is not None}


def cell(folder: Path, ref: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"][ref].value


def escalations_written(folder: Path) -> Any:
    """The tracker's sheet after escalations --write (which adds three columns)."""
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"]


def test_the_new_columns_go_right_after_the_last_header_when_free(tmp_path: Path) -> None:
    folder = sample(tmp_path)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AC"], got["AD"], got["AE"]] == COMPUTED
    assert "placed after" not in res.stderr


def test_a_formula_showing_nothing_is_not_a_free_column(tmp_path: Path) -> None:
    """AC40 holds ="" (it shows nothing): the columns go after it, and it is kept."""
    folder = sample(tmp_path, lambda ws: ws.__setitem__("AC40", '=""'))
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert "AC" not in got and [got["AD"], got["AE"], got["AF"]] == COMPUTED
    assert cell(folder, "AC40") == '=""'
    for letter, header in zip(("AD", "AE", "AF"), COMPUTED, strict=True):
        assert (
            f"Added column ESP Tracker!{letter} '{header}' (placed after the last used column: "
            "AC holds data without a header (AC40))." in res.stderr
        )
    res = esp(folder, "note", "add", "Tyrone Jackson", "x", "--tbt", "--date", DAY)
    assert res.exit_code == 0, res.output  # TBT Notes is there (AA): nothing to add


def test_a_note_column_is_not_added_over_a_formula(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        ws.delete_cols(27, 2)  # TBT Notes and Status: the headers end at Z
        ws["AA40"] = '=""'

    folder = sample(tmp_path, edit)
    res = esp(folder, "note", "add", "Tyrone Jackson", "x", "--tbt", "--date", DAY, "--by", "T")
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert "AA" not in got and got["AB"] == "TBT Notes"
    assert cell(folder, "AA40") == '=""'
    assert cell(folder, "AB25") == "T - 11/24/2026 - x"


def test_a_shared_formulas_members_make_a_column_used(tmp_path: Path) -> None:
    """A shared formula's members carry only <f t="shared" si="9"/> and an empty result:
    the column is used."""
    folder = sample(tmp_path)
    path = folder / "ESP Tracker.xlsx"
    sheet = zip_parts(path)[SHEET]
    for r in range(30, 34):
        member = (
            b'<c r="AC30"><f t="shared" ref="AC30:AC33" si="9">""</f><v></v></c>'
            if r == 30
            else b'<c r="AC%d"><f t="shared" si="9"/><v></v></c>' % r
        )
        sheet, n = re.subn(
            rb'(<row r="%d"[^>]*>.*?)(</row>)' % r,
            lambda m, member=member: m.group(1) + member + m.group(2),
            sheet,
            count=1,
            flags=re.S,
        )
        assert n == 1
    edited = folder / "e.xlsx"
    copy_with_parts(path, edited, {SHEET: sheet})
    edited.replace(path)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AD"], got["AE"], got["AF"]] == COMPUTED
    assert b'<c r="AC31"><f t="shared" si="9"/><v></v></c>' in zip_parts(path)[SHEET]


def test_the_columns_of_one_write_stay_together(tmp_path: Path) -> None:
    """Data without a header at AE, the third place: all three go after it, not AC, AD and
    then AF."""
    folder = sample(tmp_path, lambda ws: ws.__setitem__("AE12", "kept"))
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert "AC" not in got and "AD" not in got
    assert [got["AF"], got["AG"], got["AH"]] == COMPUTED
    assert cell(folder, "AE12") == "kept"
    assert res.stderr.count("(placed after the last used column: AE holds data without a "
                            "header (AE12))") == 3  # fmt: skip
    # What the command reports is where the cells are.
    data = esp(folder, "history", "--format", "json").stdout
    assert '"cell":"AC' not in data.replace(" ", "") and '"cell":"AF5"' in data.replace(" ", "")


def test_the_note_names_the_column_that_sets_the_place(tmp_path: Path) -> None:
    """AD holds a value and AE another further right: the columns go after AE, and the
    note names AE, which sets the place, not AD, the first in the way."""

    def edit(ws: Any) -> None:
        ws["AD9"] = "stray"
        ws["AE11"] = "more"

    folder = sample(tmp_path, edit)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AF"], got["AG"], got["AH"]] == COMPUTED
    assert "(placed after the last used column: AE holds data without a header (AE11))" in (
        res.stderr
    )


def test_a_stray_value_in_the_last_column_is_refused_naming_it(tmp_path: Path) -> None:
    folder = sample(tmp_path, lambda ws: ws.cell(4, 16384, "x"))
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    for dry in ([], ["--dry-run"]):
        res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY, *dry)
        assert res.exit_code == 1, res.output
        (line,) = res.stderr.strip().splitlines()
        assert "XFD4" in line and "'x'" in line and "no column after it" in line
        assert "Fix: clear XFD4" in line
        assert "Traceback" not in res.output
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before


def test_a_drop_down_reaching_the_last_column_is_named_with_a_fix_that_works(
    tmp_path: Path,
) -> None:
    """A drop-down set on part of rows 5:200 from AC to the sheet's end leaves no free column
    and nothing is typed in XFD: the refusal names the drop-down, not a value in XFD."""

    def validation(ws: Any) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        dv = DataValidation(type="list", formula1='"Yes,No"')
        dv.add("AC5:XFD200")
        ws.add_data_validation(dv)

    folder = sample(tmp_path, validation)
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    for dry in ([], ["--dry-run"]):
        res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY, *dry)
        assert res.exit_code == 1, res.output
        (line,) = res.stderr.strip().splitlines()
        assert "no column after it" in line and "data validation (AC5:XFD200)" in line
        assert "Data > Data Validation" in line and "clear XFD" not in line
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before


def test_a_stray_value_in_the_last_column_leaves_free_columns_usable(tmp_path: Path) -> None:
    folder = sample(tmp_path, lambda ws: ws.cell(40, 16384, "x"))
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AC"], got["AD"], got["AE"]] == COMPUTED


def test_new_columns_go_clear_of_a_chart_beside_the_agents(tmp_path: Path) -> None:
    """A chart floating over AD:AK beside the agents would hide the new columns' cells: they
    go after it, and the note names it."""

    def chart(ws: Any) -> None:
        from openpyxl.chart import BarChart, Reference

        bar = BarChart()
        bar.add_data(Reference(ws, min_col=1, min_row=5, max_row=9))
        ws.add_chart(bar, "AD10")  # 15 cm x 7.5 cm from AD10

    folder = sample(tmp_path, chart)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    first = min(k for k, v in got.items() if v == COMPUTED[0])
    assert len(first) == 2 and first > "AK", got
    assert "is under the chart" in res.stderr


def test_a_picture_above_the_header_row_does_not_move_the_new_columns(tmp_path: Path) -> None:
    def logo(ws: Any) -> None:
        from openpyxl.chart import BarChart, Reference

        bar = BarChart()
        bar.add_data(Reference(ws, min_col=1, min_row=5, max_row=9))
        bar.height = 1.5  # cm: rows 1 to 3, above the headers on row 4
        ws.add_chart(bar, "AC1")

    folder = sample(tmp_path, logo)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AC"], got["AD"], got["AE"]] == COMPUTED


def test_every_kind_of_anchor_is_read_as_its_cells() -> None:
    from lxml import etree

    from esp_cli.workbook.xlsx.patch import _anchors

    xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    root = etree.fromstring(
        f'''<xdr:wsDr xmlns:xdr="{xdr}">
        <xdr:twoCellAnchor><xdr:from><xdr:col>32</xdr:col><xdr:row>10</xdr:row></xdr:from>
          <xdr:to><xdr:col>39</xdr:col><xdr:row>24</xdr:row></xdr:to>
          <xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 2"/>
          </xdr:nvGraphicFramePr></xdr:graphicFrame></xdr:twoCellAnchor>
        <xdr:oneCellAnchor><xdr:from><xdr:col>2</xdr:col><xdr:row>0</xdr:row></xdr:from>
          <xdr:ext cx="1219200" cy="381000"/><xdr:pic><xdr:nvPicPr>
          <xdr:cNvPr id="3" name="Logo"/></xdr:nvPicPr></xdr:pic></xdr:oneCellAnchor>
        <xdr:oneCellAnchor><xdr:from><xdr:col>29</xdr:col><xdr:colOff>600000</xdr:colOff>
          <xdr:row>9</xdr:row></xdr:from><xdr:ext cx="5400000" cy="190500"/>
          <xdr:sp/></xdr:oneCellAnchor>
        <xdr:absoluteAnchor><xdr:pos x="0" y="0"/><xdr:ext cx="609600" cy="190500"/>
          <xdr:sp/></xdr:absoluteAnchor>
        <xdr:twoCellAnchor><xdr:from><xdr:col>x</xdr:col></xdr:from></xdr:twoCellAnchor>
        <mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="cx1">
          <xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:row>9</xdr:row></xdr:from>
          <xdr:to><xdr:col>5</xdr:col><xdr:row>12</xdr:row></xdr:to>
          <xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="4" name="Waterfall"/>
          </xdr:nvGraphicFramePr></xdr:graphicFrame></xdr:twoCellAnchor></mc:Choice>
          <mc:Fallback><xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:row>9</xdr:row>
          </xdr:from><xdr:to><xdr:col>5</xdr:col><xdr:row>12</xdr:row></xdr:to><xdr:sp/>
          </xdr:twoCellAnchor></mc:Fallback></mc:AlternateContent>
        </xdr:wsDr>'''.encode()
    )
    assert _anchors(root) == [
        ("chart 'Chart 2'", (11, 33, 25, 40)),
        ("picture 'Logo'", (1, 3, 3, 5)),
        ("shape", (10, 30, 11, 39)),  # 0.6M + 5.4M EMU past AD's edge: into AM
        ("shape", (1, 1, 2, 2)),
        ("chart 'Waterfall'", (10, 4, 13, 6)),  # a newer kind of chart, wrapped
    ]


def test_a_new_columns_cells_take_the_columns_own_style_and_its_header_the_headers(
    tmp_path: Path,
) -> None:
    """Columns formatted ahead (wrap text on AC to the sheet's end, as "format the columns to
    the right" leaves it): a cell esp writes there is styled as Excel styles one typed there;
    the header looks like the headers beside it."""

    def formatted(ws: Any) -> None:
        from openpyxl.styles import Alignment

        dim = ws.column_dimensions["AC"]
        dim.min, dim.max = 29, 16384
        dim.alignment = Alignment(wrap_text=True)

    folder = sample(tmp_path, formatted)
    ws = escalations_written(folder)
    assert [ws["AC4"].value, ws["AD4"].value] == COMPUTED[:2]
    assert ws["AC4"].font.b and ws["AC4"].fill.fgColor.rgb == ws["AB4"].fill.fgColor.rgb
    written = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 29).value is not None]
    assert written and all(ws.cell(r, 29).alignment.wrap_text for r in written)
    dated = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 31).value is not None]
    assert dated and all(ws.cell(r, 31).alignment.wrap_text for r in dated)
    assert all(ws.cell(r, 31).is_date for r in dated)


def test_a_chart_reaching_the_last_column_is_named_with_how_to_move_it(tmp_path: Path) -> None:
    def wide(ws: Any) -> None:
        from openpyxl.chart import BarChart, Reference
        from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

        bar = BarChart()
        bar.add_data(Reference(ws, min_col=1, min_row=5, max_row=9))
        bar.anchor = TwoCellAnchor(
            _from=AnchorMarker(col=29, row=9), to=AnchorMarker(col=16383, row=30)
        )
        ws.add_chart(bar)

    folder = sample(tmp_path, wide)
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "no column after it" in line and "is under the chart" in line
    assert "Fix: move the chart" in line and "make it narrower" in line
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before


def test_every_column_one_write_adds_looks_like_the_last_header_column(tmp_path: Path) -> None:
    """escalations --write adds three columns: each header is styled like AB4 (the last
    header), each column as wide as AB, and the cells under each styled as AB's cells."""

    def italic(ws: Any) -> None:
        from openpyxl.styles import Font

        for r in range(5, ws.max_row + 1):
            ws.cell(r, 28).font = Font(italic=True)

    folder = sample(tmp_path, italic)
    ws = escalations_written(folder)
    assert [ws["AC4"].value, ws["AD4"].value, ws["AE4"].value] == COMPUTED
    header = ws["AB4"]
    for letter in ("AC", "AD", "AE"):
        new = ws[f"{letter}4"]
        assert new.style_id == header.style_id, letter
        assert new.font.b and new.fill.fgColor.rgb == header.fill.fgColor.rgb
        assert new.alignment.wrap_text
        assert ws.column_dimensions[letter].width == ws.column_dimensions["AB"].width, letter
    for col in (29, 30, 31):
        written = [r for r in range(5, ws.max_row + 1) if ws.cell(r, col).value is not None]
        assert written and all(ws.cell(r, col).font.i for r in written), col


def test_columns_placed_further_right_still_look_like_the_last_header_column(
    tmp_path: Path,
) -> None:
    """AC holds data without a header (and a width of its own): the three columns go to
    AD:AF, each styled and sized like AB (the last header), the sheet's <col> elements
    still in column order."""

    def used(ws: Any) -> None:
        ws["AC40"] = "kept"
        ws.column_dimensions["AC"].width = 31

    folder = sample(tmp_path, used)
    ws = escalations_written(folder)
    assert [ws["AD4"].value, ws["AE4"].value, ws["AF4"].value] == COMPUTED
    for letter in ("AD", "AE", "AF"):
        assert ws[f"{letter}4"].style_id == ws["AB4"].style_id, letter
        assert ws.column_dimensions[letter].width == ws.column_dimensions["AB"].width, letter
    assert ws.column_dimensions["AC"].width == 31
    sheet = zip_parts(folder / "ESP Tracker.xlsx")[SHEET].decode()
    mins = [int(m) for m in re.findall(r'<col min="(\d+)"', sheet)]
    assert mins == sorted(mins) and {30, 31, 32} <= set(mins)


def _hide(folder: Path, cols: str) -> Path:
    """The sample with <col> elements added at the end of <cols> (hidden columns)."""
    path = folder / "ESP Tracker.xlsx"
    sheet = zip_parts(path)[SHEET]
    edited = folder / "edited.xlsx"
    copy_with_parts(path, edited, {SHEET: sheet.replace(b"</cols>", cols.encode() + b"</cols>")})
    edited.replace(path)
    return path


def test_every_hidden_column_the_write_needs_is_named_in_one_refusal(tmp_path: Path) -> None:
    """Every column right of the tracker hidden (AC:XFD): one refusal names the three
    columns the write needs, and doing what it says lets the next run write."""
    folder = sample(tmp_path)
    path = _hide(folder, '<col min="29" max="16384" width="9" hidden="1"/>')
    before = path.read_bytes()
    for dry in ((), ("--dry-run",)):
        res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY, *dry)
        assert res.exit_code == 1, res.output
        (line,) = res.stderr.strip().splitlines()
        assert "columns AC:AE are hidden" in line, line
        assert all(f"'{header}'" in line for header in COMPUTED), line
        assert "Fix: unhide columns AC:AE" in line and "AC1:AE1" in line, line
        assert path.read_bytes() == before
    # Unhide AC:AE as told (the columns after them stay hidden).
    sheet = zip_parts(path)[SHEET]
    unhidden = sheet.replace(
        b'<col min="29" max="16384" width="9" hidden="1"/>',
        b'<col min="29" max="31" width="9"/><col min="32" max="16384" width="9" hidden="1"/>',
    )
    copy_with_parts(path, folder / "edited.xlsx", {SHEET: unhidden})
    (folder / "edited.xlsx").replace(path)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    got = headers(folder)
    assert [got["AC"], got["AD"], got["AE"]] == COMPUTED


@pytest.mark.parametrize("width", ["0", "0.05"])
def test_a_column_of_width_0_is_hidden_for_the_write(tmp_path: Path, width: str) -> None:
    """A column dragged shut in Excel (width 0, no hidden="1"): Excel shows it hidden, so
    esp adds no column there unseen, as for a hidden one."""
    folder = sample(tmp_path)
    _hide(folder, f'<col min="30" max="30" width="{width}" customWidth="1"/>')
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "column AD is hidden" in line and "'Next Action'" in line, line


def test_only_the_hidden_columns_are_named(tmp_path: Path) -> None:
    folder = sample(tmp_path)
    _hide(folder, '<col min="30" max="30" width="9" hidden="1"/>')
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "column AD is hidden" in line and "'Next Action'" in line, line
    assert "'Escalation Stage'" not in line and "'Next Action Due'" not in line, line


def _ab_col(folder: Path, col: str, sheet_format: str | None = None) -> Path:
    """The sample with AB's <col> (the column the new ones take after) as `col`, and the
    sheet's <sheetFormatPr> as `sheet_format` when given."""
    path = folder / "ESP Tracker.xlsx"
    sheet = zip_parts(path)[SHEET]
    ab = b'<col min="28" max="28" width="10" customWidth="1"/>'
    assert ab in sheet
    sheet = sheet.replace(ab, col.encode())
    if sheet_format is not None:
        sheet = re.sub(rb"<sheetFormatPr[^>]*/>", sheet_format.encode(), sheet)
    copy_with_parts(path, folder / "edited.xlsx", {SHEET: sheet})
    (folder / "edited.xlsx").replace(path)
    return path


def _new_cols(path: Path) -> list[dict[str, str]]:
    """The attributes of the <col> elements of AC:AE after a write."""
    sheet = zip_parts(path)[SHEET].decode()
    found = {
        int(m.group(1)): dict(re.findall(r'(\w+)="([^"]*)"', m.group(0)))
        for m in re.finditer(r'<col min="(\d+)"[^>]*>', sheet)
    }
    return [found.get(c, {}) for c in (29, 30, 31)]


@pytest.mark.parametrize("width", ["inf", "INF", "1e400", "1e307", "-inf", "NaN"])
def test_a_width_that_is_no_number_stops_nothing(tmp_path: Path, width: str) -> None:
    """AB's <col> with a width that is no finite number (another program's): every command
    reads the sheet, and the columns added after AB get the sheet's standard width (one
    Excel can draw), said in the write's report."""
    plain = esp(sample(tmp_path / "plain"), "doctor")
    folder = sample(tmp_path)
    path = _ab_col(folder, f'<col min="28" max="28" width="{width}" customWidth="1"/>')
    doctor = esp(folder, "doctor")
    assert doctor.exit_code == plain.exit_code, doctor.output
    assert doctor.stdout.replace(str(tmp_path), "") == plain.stdout.replace(
        str(tmp_path / "plain"), ""
    )
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    assert [c.get("width") for c in _new_cols(path)] == ["8.43"] * 3
    assert "the sheet's standard width" in res.stderr and "column AB's width" in res.stderr
    assert f'width="{width}"' in zip_parts(path)[SHEET].decode()  # AB's own is kept


@pytest.mark.parametrize(
    ("col", "sheet_format", "width"),
    [
        ('<col min="28" max="28" width="0" customWidth="1"/>', None, "8.43"),
        ('<col min="28" max="28" width="0" hidden="1" customWidth="1"/>', None, "8.43"),
        ('<col min="28" max="28" width="0.05" customWidth="1"/>', None, "8.43"),
        (
            '<col min="28" max="28" width="0" customWidth="1"/>',
            '<sheetFormatPr defaultColWidth="14.5" defaultRowHeight="15"/>',
            "14.5",
        ),
        (
            '<col min="28" max="28" width="0" customWidth="1"/>',
            '<sheetFormatPr defaultColWidth="0" defaultRowHeight="15"/>',
            "8.43",
        ),
        ('<col min="28" max="28" width="10" hidden="1" customWidth="1"/>', None, "10"),
    ],
    ids=["width-0", "width-0-hidden", "too-narrow", "sheet-default", "sheet-default-0", "hidden"],
)
def test_a_column_added_beside_a_hidden_one_is_visible(
    tmp_path: Path, col: str, sheet_format: str | None, width: str
) -> None:
    """AB hidden (width 0, or hidden="1"): the columns esp adds after it look like it but
    are not hidden with it. Each gets AB's width when that one draws, else the sheet's
    standard width; AB stays hidden as the team left it; the report says so."""
    folder = sample(tmp_path)
    path = _ab_col(folder, col, sheet_format)
    dry = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY, "--dry-run")
    assert dry.exit_code == 0, dry.output
    said = "Would add column ESP Tracker!AC 'Escalation Stage' (column AB is hidden; this one is"
    assert said + " visible" in dry.stderr, dry.stderr
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    added = _new_cols(path)
    assert [c.get("width") for c in added] == [width] * 3, added
    assert not any("hidden" in c for c in added), added
    assert col in zip_parts(path)[SHEET].decode()
    for header, letter in zip(COMPUTED, ("AC", "AD", "AE"), strict=True):
        line = f"Added column ESP Tracker!{letter} '{header}' (column AB is hidden; this one is "
        assert line + "visible" in res.stderr, res.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    assert [ws["AC4"].value, ws["AD4"].value, ws["AE4"].value] == COMPUTED
    assert ws["AC4"].style_id == ws["AB4"].style_id


def test_a_column_added_beside_a_visible_one_says_nothing_of_its_width(tmp_path: Path) -> None:
    folder = sample(tmp_path)
    res = esp(folder, "escalations", "--write", "--write-past", "--as-of", DAY)
    assert res.exit_code == 0, res.output
    assert "Added column ESP Tracker!AC 'Escalation Stage'." in res.stderr
    assert [c.get("width") for c in _new_cols(folder / "ESP Tracker.xlsx")] == ["10"] * 3

"""Values read through calamine, with the error cells (#N/A…) calamine shows as blanks put back."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pytest
from scripts.sample_builder.build import (
    Cell,
    ErrorValue,
    Formula,
    SheetSpec,
    WorkbookSpec,
    write_workbook,
)

from esp_cli.core.values import ErrorValue as ReadError
from esp_cli.workbook.xlsx.reader import _error_cells, _errors_parsed, _restore_errors
from esp_cli.workbook.xlsx.workbook import Workbook

ROWS = 3000
ERROR_ROWS = {2: "#N/A", 1234: "#REF!", 2047: "#DIV/0!", ROWS + 1: "#VALUE!"}


def _sheet(path: Path) -> Path:
    """A sheet of several MB of XML (so it is read in many pieces) with error cells at the
    top, in the middle and in the last row, some of them formula results."""
    rows: dict[int, list[object]] = {1: ["Agent Name", "Notes", "Check"]}
    for r in range(2, ROWS + 2):
        check: object = "ok"
        if r in ERROR_ROWS:
            code = ERROR_ROWS[r]
            check = Formula("1/0", ErrorValue(code)) if r % 2 else Cell(ErrorValue(code))
        rows[r] = [f"Agent {r}", "a note", check, *range(r, r + 40)]
    return write_workbook(WorkbookSpec([SheetSpec("Agents", rows=rows)]), path)


def test_every_error_cell_comes_back_wherever_it_sits(tmp_path: Path) -> None:
    wb = Workbook.open(_sheet(tmp_path / "t.xlsx"))
    info = wb.sheets[0]
    assert wb.pkg.zf.getinfo(info.part).file_size > 2 << 20  # read in several pieces
    values = Workbook.open(wb.path).values(info)
    found = {
        r + 1: v.code for r, row in enumerate(values.rows) for v in row if isinstance(v, ReadError)
    }
    assert found == ERROR_ROWS
    assert values.get(3, 3) == "ok"


def test_the_first_rows_stop_reading_early(tmp_path: Path) -> None:
    wb = Workbook.open(_sheet(tmp_path / "t.xlsx"))
    head = wb.values(wb.sheets[0], nrows=30)
    assert len(head.rows) == 30
    assert head.get(2, 3) == ReadError("#N/A")


@pytest.mark.parametrize("size", [7, 64, 4096])
def test_pieces_of_any_size_find_the_same_errors(size: int) -> None:
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2"><v>1</v></c></row>'
        b'<row r="3"><c r="C3" t="e"><v>#N/A</v></c></row></sheetData></worksheet>'
    )
    pieces = [xml[i : i + size] for i in range(0, len(xml), size)]
    rows: list[list[object]] = [["x"], ["", 1], []]
    _restore_errors(rows, _error_cells(pieces), None, None)
    assert rows[1][0] == ReadError("#DIV/0!")
    assert rows[2] == ["", "", ReadError("#N/A")]


def test_a_workbook_opened_to_write_keeps_the_scanned_sheet(tmp_path: Path) -> None:
    """The scan for error cells decompresses the sheet anyway: a write keeps it for the
    writer; a read-only command does not hold it."""
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import locked_for_update

    path = _sheet(tmp_path / "t.xlsx")
    read_only = Workbook.open(path)
    read_table(read_only)
    part = read_only.sheets[0].part
    assert part not in read_only.pkg._xml
    with locked_for_update(path) as wb:
        read_table(wb)
        assert wb.pkg._xml[part] == wb.pkg.read(part)


@pytest.mark.parametrize(
    "cells",
    [
        b"<c r='B2' t='e'><v>#DIV/0!</v></c><c r = \"C2\" t = \"e\"><v>#N/A</v></c>",
        b'<c r="A2"><v>1</v></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c><c t="e"><v>#N/A</v></c>',
        b'<c r="B2" t="e"><v>#DIV/0!</v></c><!-- <c r="D2" t="e"><v>#REF!</v></c> -->'
        b'<c r="C2" t="e"><v>#N/A</v></c>',
    ],
    ids=["quoting", "cells without r", "a comment"],
)
def test_error_cells_are_found_however_the_sheet_spells_them(cells: bytes) -> None:
    xml = (
        b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>0</v></c></row>'
        b'<row r="2">' + cells + b"</row></sheetData></worksheet>"
    )
    pieces = [xml[i : i + 50] for i in range(0, len(xml), 50)]
    rows: list[list[object]] = [[0], []]
    _restore_errors(rows, _error_cells(pieces), None, None)
    assert rows[1][1:] == [ReadError("#DIV/0!"), ReadError("#N/A")]
    assert len(rows[1]) == 3


TEXT_FORMATS = {4: "0000000", 12: '"N"0000000'}


@pytest.mark.parametrize(
    ("cells", "formatted"),
    [
        # As Excel writes them; an index that only starts like a text format's (44) is not one.
        (b'<c r="B2" s="4"><v>0</v></c><c r="C2" s="12"><v>5</v></c>'
         b'<c r="D2" s="44"><v>6</v></c>', {"B2": 4, "C2": 12}),
        # A text cell so formatted holds no number to show as text (its type after its style
        # or before it, in any spelling); a number typed n does.
        (b'<c r="B2" s="4" t="s"><v>0</v></c><c r="C2" s="12" t = \'str\'><v>5</v></c>'
         b'<c r="D2" t="inlineStr" s="4"><is><t>7</t></is></c><c r="E2" s="4" t="n"><v>6</v></c>'
         b'<c r="F2" s="12" t=" b "><v>1</v></c><c t="e" r="G2" s="4"><v>#N/A</v></c>',
         {"E2": 4}),
        (b'<c s="4" r="B2"><v>1</v></c><c r="C2" t="n" s="12"><v>2</v></c>', {"B2": 4, "C2": 12}),
        (b"<c r='B2' s = '4'><v>1</v></c><c r=\"C2\" s=\" 12 \"><v>2</v></c>",
         {"B2": 4, "C2": 12}),
        (b'<c\tr="B2"\ts="4"><v>1</v></c><c r="C2"\n s="12"><v>2</v></c>', {"B2": 4, "C2": 12}),
        (b'<c r="$B$2" s="4"><v>1</v></c><c r="c2" s="12"><v>2</v></c>', {"B2": 4, "C2": 12}),
        (b'<x:c r="B2" s="4"><x:v>1</x:v></x:c>', {"B2": 4}),
        # The style's spelling inside another attribute's value, or in a cell's text.
        (b'<c r="B2" t="s" title="a s=\'4\'"><v>0</v></c>'
         b'<c r="C2" t="inlineStr"><is><t> s="4"</t></is></c>', {}),
    ],
    ids=["excel", "text", "order", "quoting", "tabs and lines", "references", "prefix",
         "not a style"],
)  # fmt: skip
@pytest.mark.parametrize("size", [37, 4096])
def test_text_formatted_cells_are_found_however_the_sheet_spells_them(
    cells: bytes, formatted: dict[str, int], size: int
) -> None:
    """The scan places a cell formatted as text as the sheet's full parse does, whether the
    cell is written as Excel writes it (read from one pattern) or any other way."""
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns:x="urn:x"><sheetData>'
        b'<row r="1" s="4" customFormat="1"><c r="A1"><v>0</v></c></row>'
        b'<row r="2">' + cells + b"</row></sheetData></worksheet>"
    )
    pieces = [xml[i : i + size] for i in range(0, len(xml), size)]
    expected = {(2, ord(ref[0]) - 64): TEXT_FORMATS[i] for ref, i in formatted.items()}
    assert _error_cells(pieces, None, TEXT_FORMATS).formats == expected
    assert _errors_parsed([xml], TEXT_FORMATS).formats == expected


# -- the tracker read ahead, while a command loads ----------------------------------------------


def _table_of(wb: Workbook) -> tuple[list[object], list[object]]:
    from esp_cli.workbook.tracker import read_table

    table = read_table(wb)
    return [(s.name, s.columns, s.headers, s.rows) for s in table.sheets], table.findings


def test_a_tracker_read_ahead_reads_as_one_opened_then(tmp_path: Path) -> None:
    """The tracker read in the background (xlsx.reader.read_ahead) gives the same rows,
    values and findings, in the same order, as the tracker opened when it is read; the
    open takes it (once)."""
    from scripts.sample_builder.sample import build_sample

    from esp_cli.workbook.xlsx import reader

    tracker = build_sample(tmp_path).tracker
    plain = _table_of(Workbook.open(tracker))
    early = reader.read_ahead(tracker)
    assert early is not None
    wb = Workbook.open(tracker)
    assert wb.pkg is early.package.result()
    assert reader.take_read_ahead(tracker) is None  # taken
    assert _table_of(wb) == plain
    assert plain[1]  # the sample's findings (an #N/A among them) are compared too


def test_two_workbooks_read_ahead_at_once_are_each_taken_by_their_own_open(
    tmp_path: Path,
) -> None:
    """The tracker and the Master (esp sync-nnumbers) read ahead side by side: each open
    takes its own, and reads as one opened then."""
    from scripts.sample_builder.sample import build_sample

    from esp_cli.workbook.xlsx import early as inputs
    from esp_cli.workbook.xlsx import reader

    files = build_sample(tmp_path)
    plain = {p: _table_of(Workbook.open(p)) for p in (files.tracker, files.master)}
    started = {}
    for path in (files.tracker, files.master):
        inputs.parse_early(path)
        started[path] = reader.read_ahead(path)
    for path in (files.master, files.tracker):
        wb = Workbook.open(path)
        assert wb.pkg is started[path].package.result()
        assert _table_of(wb) == plain[path]
        assert reader.take_read_ahead(path) is None  # taken


def test_a_read_ahead_for_a_write_of_every_row_hands_the_writer_its_sheets(
    tmp_path: Path,
) -> None:
    """A command that writes every row (escalations --write) has the tracker's sheets made
    ready while it loads (SheetXml.made_ahead): its writer takes each once; so does one that
    writes a few rows (esp sync-nnumbers)."""
    from scripts.sample_builder.sample import build_sample

    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx import reader
    from esp_cli.workbook.xlsx.workbook import locked_for_update

    tracker = build_sample(tmp_path).tracker
    reader.read_ahead(tracker, every_row=True)
    with locked_for_update(tracker) as wb:
        read_table(wb)
        assert wb.pkg.sheets_ahead is not None
        made = dict(wb.pkg.sheets_ahead.result())
        shown = [info for info in wb.sheets if info.visible]
        assert shown and set(made) == {info.part for info in shown}
        patcher = wb.patcher()
        for info in shown:
            assert patcher.sheet_xml(info.name) is made[info.part]
            assert wb.patcher().sheet_xml(info.name) is not made[info.part]  # taken once
    reader.read_ahead(tracker, write=True)
    with locked_for_update(tracker) as wb:
        read_table(wb)
        assert wb.pkg.sheets_ahead is not None
        made = dict(wb.pkg.sheets_ahead.result())
        for info in shown:
            assert wb.patcher().sheet_xml(info.name) is made[info.part]
    reader.read_ahead(tracker)
    with locked_for_update(tracker) as wb:
        assert wb.pkg.sheets_ahead is None  # a command that only reads: nothing made ahead


def test_a_tracker_parsed_from_the_command_line_on_reads_as_one_opened_then(
    tmp_path: Path,
) -> None:
    """The head start taken from the command line (calamine's parse of the visible sheets,
    workbook.inputs.parse_early) is what the read ahead uses, and reads the same."""
    from scripts.sample_builder.sample import build_sample

    from esp_cli.workbook.xlsx import early as inputs
    from esp_cli.workbook.xlsx import reader

    tracker = build_sample(tmp_path).tracker
    plain = _table_of(Workbook.open(tracker))
    inputs.parse_early(tracker)
    early = reader.read_ahead(tracker)
    assert early is not None and early.early is not None  # taken by the read ahead
    assert early.package.result().data is early.early.data.result()  # the same bytes
    assert _table_of(Workbook.open(tracker)) == plain


def test_a_fault_in_the_early_parse_is_raised_by_the_open(tmp_path: Path) -> None:
    from esp_cli.errors import InputFileError
    from esp_cli.workbook.xlsx import early as inputs
    from esp_cli.workbook.xlsx import reader

    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(InputFileError) as plain:
        Workbook.open(path)
    inputs.parse_early(path)
    reader.read_ahead(path)
    with pytest.raises(InputFileError) as after:
        Workbook.open(path)
    assert str(after.value) == str(plain.value)


def test_a_tracker_changed_after_it_was_read_ahead_is_read_again(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "t.xlsx")
    from esp_cli.workbook.xlsx import reader

    early = reader.read_ahead(path)
    assert early is not None
    early.package.result()
    changed = WorkbookSpec([SheetSpec("Agents", rows={1: ["Agent Name"], 2: ["Changed"]})])
    write_workbook(changed, path)
    wb = Workbook.open(path)
    assert wb.pkg is not early.package.result()
    assert wb.values(wb.sheets[0]).get(2, 1) == "Changed"


def test_a_fault_found_reading_ahead_is_raised_by_the_open(tmp_path: Path) -> None:
    """A read ahead never raises: the command's own open says what is wrong, as without."""
    from esp_cli.errors import InputFileError
    from esp_cli.workbook.xlsx import reader

    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(InputFileError) as plain:
        Workbook.open(path)
    early = reader.read_ahead(path)
    assert early is not None
    with pytest.raises(InputFileError):
        early.reader.result()
    with pytest.raises(InputFileError) as after:
        Workbook.open(path)
    assert str(after.value) == str(plain.value)


def test_a_read_ahead_keeps_the_sheet_for_a_write_only(tmp_path: Path) -> None:
    """The sheet the read ahead's scan decompresses is kept for the writer when the
    workbook is opened to be written, and let go once the rows are read otherwise."""
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx import reader
    from esp_cli.workbook.xlsx.workbook import locked_for_update

    path = _sheet(tmp_path / "t.xlsx")
    reader.read_ahead(path)
    read_only = Workbook.open(path)
    read_table(read_only)
    assert reader.take_read_ahead(path) is None  # it was the one read ahead
    assert read_only.sheets[0].part not in read_only.pkg._xml
    reader.read_ahead(path)
    with locked_for_update(path) as wb:
        assert reader.take_read_ahead(path) is None
        read_table(wb)
        part = wb.sheets[0].part
        assert wb.pkg._xml[part] == wb.pkg.read(part)


@pytest.mark.parametrize(
    ("piece", "spaced"),
    [
        (b'<row r="1"><c r="A1"><v>12</v></c><c r="B1" t="s"><v>0</v></c></row>', False),
        (b'<row r="1"><c r="A1"><v> 12</v></c></row>', True),
        (b'<row r="1"><c r="A1"><v>12 </v></c></row>', True),
        (b'<row r="1"><c r="A1"><x:v>\t12</x:v></c></row>', True),
        (b'<row r="1"><c r="A1"><v>12\r\n</v></c></row>', True),
        (b'<row r="1">\n<c r="A1"><v>12</v></c>\n</row>', False),
        (b'<row r="1"><c r="A1" t="inlineStr"><is><t> a b </t></is></c></row>', False),
        (b'<row r="1"><c r="A1" t="str"><f>B1</f><v> Open </v></c></row>', True),
    ],
    ids=[
        "plain",
        "space before",
        "space after",
        "tab, prefix",
        "line end",
        "lines between",
        "inline text",
        "formula text",
    ],  # fmt: skip
)
def test_values_with_spaces_around_them_are_noticed(piece: bytes, spaced: bool) -> None:
    """Only a <v> with spaces, tabs or line breaks around its value sends the sheet to be
    read through a copy without them (a formula's text keeps its spaces there)."""
    from esp_cli.workbook.xlsx.reader import _spaced

    assert _spaced(piece) is spaced


def test_a_large_tracker_is_read_when_the_command_reaches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No head start for a tracker past HEAD_START_MAX_BYTES (its reading takes seconds;
    memory counts more): nothing is read ahead, and it reads as ever."""
    from esp_cli.workbook.xlsx import early, reader

    path = _sheet(tmp_path / "t.xlsx")
    monkeypatch.setattr(early, "HEAD_START_MAX_BYTES", path.stat().st_size - 1)
    early._EARLY.clear()
    early.parse_early(path)
    assert not early._EARLY
    assert reader.read_ahead(path) is None
    assert reader.take_read_ahead(path) is None
    values = Workbook.open(path).values(Workbook.open(path).sheets[0])
    assert values.get(2, 3) == ReadError("#N/A")


def test_only_a_large_package_hands_freed_memory_back_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """malloc_trim costs a few milliseconds each time: a tracker of 25,000 agents or more
    (over 4 MB) has it done after each large step, so its peak stays low; a smaller one
    ends long before that matters."""
    import io
    import zipfile

    from esp_cli import system
    from esp_cli.workbook.xlsx import package

    trims: list[int] = []
    monkeypatch.setattr(system, "release_freed_memory", lambda: trims.append(1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    data = buf.getvalue()
    small = package.Package(path=tmp_path / "s.xlsx", data=data, zf=zipfile.ZipFile(buf))
    small.release_freed_memory()
    assert trims == []
    big = package.Package(
        path=tmp_path / "b.xlsx",
        data=data + b"\0" * package.TRIM_FROM_BYTES,
        zf=zipfile.ZipFile(buf),
    )
    big.release_freed_memory()
    assert trims == [1]


@pytest.mark.parametrize(
    ("decoy", "target"),
    [(False, "strings/shared.xml"), (True, "strings/shared.xml"), (False, "strings/Shared.xml")],
    ids=["alone", "beside another part", "named in another case"],
)
def test_shared_strings_kept_under_another_name_are_read_and_written_there(
    tmp_path: Path, decoy: bool, target: str
) -> None:
    """The workbook's relationship may put its shared strings anywhere (`xl/strings/
    shared.xml`: valid, and Excel, LibreOffice and openpyxl open it): esp reads the text
    there — not a part named `xl/sharedStrings.xml` the workbook does not use, whose names
    would put a note on another agent's row — and a write adds its text to that part."""
    import warnings
    import zipfile

    import openpyxl
    from typer.testing import CliRunner

    from esp_cli.cli import app
    from esp_cli.services.demo import copy_sample
    from tests.support.packages import zip_parts

    copy_sample(tmp_path)
    path = tmp_path / "ESP Tracker.xlsx"
    parts = zip_parts(path)
    moved = {}
    for name, data in parts.items():
        if name == "xl/sharedStrings.xml":
            name = "xl/strings/shared.xml"
        data = data.replace(b'Target="sharedStrings.xml"', f'Target="{target}"'.encode())
        moved[name] = data.replace(b"/xl/sharedStrings.xml", b"/xl/strings/shared.xml")
    if decoy:  # the same strings with two agents' names swapped, used by nothing
        real = parts["xl/sharedStrings.xml"]
        moved["xl/sharedStrings.xml"] = (
            real.replace(b"Maria Gonzalez", b"\0").replace(b"Tyrone Jackson", b"Maria Gonzalez")
        ).replace(b"\0", b"Tyrone Jackson")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in moved.items():
            z.writestr(name, data)
    config = str(tmp_path / "esp.toml")
    shown = CliRunner().invoke(app, ["explain", "Maria Gonzalez", "-c", config])
    assert shown.exit_code == 0, shown.output
    assert "Maria Gonzalez — class AET-1102" in shown.stdout
    added = CliRunner().invoke(app, ["note", "add", "Maria Gonzalez", "Read it", "-c", config])
    assert added.exit_code == 0, added.output
    names = set(zip_parts(path))
    assert "xl/strings/shared.xml" in names and ("xl/sharedStrings.xml" in names) == decoy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the sample's drop-down extension
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    notes = [c.value for c in ws[5] if isinstance(c.value, str) and "Read it" in c.value]
    assert notes and notes[0].endswith("Jordan Reyes - Read it")


def test_parts_named_alike_but_for_case_are_refused_before_anything_is_read(
    tmp_path: Path,
) -> None:
    """`xl/SharedStrings.xml` (the workbook's) beside `xl/sharedStrings.xml`: part names are
    the same in any case, so which one a reader takes is a guess — one guess would put a note
    on another agent's row. The file is refused as damaged, and left as it was."""
    import zipfile

    from typer.testing import CliRunner

    from esp_cli.cli import app
    from esp_cli.services.demo import copy_sample
    from tests.support.packages import zip_parts

    copy_sample(tmp_path)
    path = tmp_path / "ESP Tracker.xlsx"
    parts = zip_parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name == "xl/sharedStrings.xml":
                z.writestr("xl/SharedStrings.xml", data)
                z.writestr("xl/sharedStrings.xml", data.replace(b"Maria", b"Mario"))
            else:
                data = data.replace(b'Target="sharedStrings.xml"', b'Target="SharedStrings.xml"')
                z.writestr(name, data.replace(b"/xl/sharedStrings.xml", b"/xl/SharedStrings.xml"))
    before = path.read_bytes()
    config = str(tmp_path / "esp.toml")
    for argv in (["note", "add", "Maria Gonzalez", "x"], ["explain", "Maria Gonzalez"]):
        res = CliRunner().invoke(app, [*argv, "-c", config])
        assert res.exit_code == 3, res.output
        assert "names differ only in case (xl/SharedStrings.xml, xl/sharedStrings.xml)" in (
            res.stderr
        )
    assert path.read_bytes() == before


@pytest.mark.parametrize("case", ["two names, not two cases", "the workbook named otherwise"])
def test_part_names_compare_as_opc_compares_them(tmp_path: Path, case: str) -> None:
    """Only ASCII letters' case is set aside: `Straße.xml` and `Strasse.xml` are two parts.
    The package relationship may name the workbook `XL/Workbook.xml`."""
    import zipfile

    from typer.testing import CliRunner

    from esp_cli.cli import app
    from esp_cli.services.demo import copy_sample
    from tests.support.packages import zip_parts

    copy_sample(tmp_path)
    path = tmp_path / "ESP Tracker.xlsx"
    parts = zip_parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if case.startswith("the workbook") and name == "_rels/.rels":
                data = data.replace(b"xl/workbook.xml", b"XL/Workbook.xml")
            z.writestr(name, data)
        if case.startswith("two names"):
            z.writestr("customXml/Straße.xml", b"<a/>")
            z.writestr("customXml/Strasse.xml", b"<b/>")
    res = CliRunner().invoke(
        app, ["note", "add", "Maria Gonzalez", "x", "-c", str(tmp_path / "esp.toml")]
    )
    assert res.exit_code == 0, res.output


# -- numbers in date-formatted cells that are no date -------------------------------------------


def _formatted(path: Path, fmt: str, typed: bytes) -> Path:
    """A sheet whose B2 is formatted `fmt` and holds `typed` as written in its XML (a
    program other than Excel may write `<v>NaN</v>`), beside a real date in B3."""
    import zipfile
    from datetime import date

    from scripts.sample_builder.build import Style

    rows: dict[int, list[object]] = {
        1: ["Agent Name", "When"],
        2: ["A", Cell(77777, Style(num_format=fmt))],
        3: ["B", date(2026, 11, 24)],
    }
    write_workbook(WorkbookSpec([SheetSpec("Agents", rows=rows)]), path)
    with zipfile.ZipFile(path) as src:
        parts = {item: src.read(item) for item in src.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item, data in parts.items():
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>77777</v>", b"<v>" + typed + b"</v>")
            out.writestr(item, data)
    return path


@pytest.mark.parametrize("fmt", ["mm/dd/yyyy", "mm/dd/yyyy hh:mm", "h:mm", "[h]:mm"])
@pytest.mark.parametrize(
    "typed", [b"NaN", b"-inf", b"-1e400", b"-5", b"-0.5", b"-1E+17", b"1E+17", b"inf"]
)
def test_a_date_formatted_cell_holding_no_date_reads_as_the_number_it_holds(
    tmp_path: Path, fmt: str, typed: bytes
) -> None:
    """calamine would turn NaN into 12/30/1899, a negative number into 00:00, and stop at
    -inf with a panic: such a cell is read as its number, for the tracker to call it
    unreadable; the rest of the sheet is read as ever."""
    import math
    from datetime import date, datetime

    wb = Workbook.open(_formatted(tmp_path / "t.xlsx", fmt, typed))
    for columns in (None, {1, 2}):
        values = wb.values(wb.sheets[0], columns=columns)
        got = values.get(2, 2)
        assert isinstance(got, float), got
        want = float(typed)
        assert (math.isnan(got) and math.isnan(want)) or got == want
        assert values.get(3, 2) in (date(2026, 11, 24), datetime(2026, 11, 24))


@pytest.mark.parametrize("size", [23, 4096])
@pytest.mark.parametrize(
    ("cells", "odd"),
    [
        (b'<c r="B2" s="3"><v>46349.4</v></c><c r="C2" s="3"><v>0</v></c>', False),
        (b'<c r="B2" s="3"><v>NaN</v></c>', True),
        (b'<c r="B2" s="3"><f>A1-1</f><v>-3</v></c>', True),
        (b"<c r='B2' s = ' 3 '><v>-inf</v></c>", True),
        (b'<x:c r="B2" s="3"><x:v>-1E+400</x:v></x:c>', True),
        # A number in a cell not formatted as a date, or text: read as it is.
        (b'<c r="B2" s="2"><v>-3</v></c><c r="C2"><v>NaN</v></c>', False),
        (b'<c r="B2" s="3" t="str"><v>-3</v></c><c r="C2" s="3" t="e"><v>#NUM!</v></c>', False),
    ],
    ids=["dates", "nan", "formula", "quoting", "prefix", "not a date", "not a number"],
)
def test_numbers_that_are_no_date_are_noticed(cells: bytes, odd: bool, size: int) -> None:
    """The scan notices a date-formatted cell whose number is none of Excel's dates, as the
    sheet's full parse does; the copy calamine then reads has it without its format."""
    from esp_cli.workbook.xlsx.reader import numbers_read_plain

    xml = (
        b'<?xml version="1.0"?><worksheet xmlns:x="urn:x"><sheetData>'
        b'<row r="1"><c r="A1"><v>0</v></c></row>'
        b'<row r="2">' + cells + b"</row></sheetData></worksheet>"
    )
    pieces = [xml[i : i + size] for i in range(0, len(xml), size)]
    dates = frozenset({3})
    assert _error_cells(pieces, None, None, dates).odd is odd
    assert _errors_parsed([xml], None, dates).odd is odd
    plain = numbers_read_plain(xml, dates)
    assert (plain != xml) is odd
    assert not _errors_parsed([plain], None, dates).odd
    assert len(_errors_parsed([plain]).values) == len(_errors_parsed([xml]).values)


def test_a_number_calamine_stops_at_is_read_again_as_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date-formatted number the scan does not notice and calamine stops at (-inf: a
    panic of its Rust code, which Python raises as a BaseException) sends the sheet to be
    read again from the copy where it is a plain number, never a traceback."""
    import math
    import re

    from esp_cli.workbook.xlsx import reader

    monkeypatch.setattr(reader, "_AFTER_VALUE", re.compile(rb"(?!)"))  # the scan sees nothing
    wb = Workbook.open(_formatted(tmp_path / "t.xlsx", "mm/dd/yyyy", b"-inf"))
    got = wb.values(wb.sheets[0]).get(2, 2)
    assert isinstance(got, float) and math.isinf(got) and got < 0


def test_a_scan_of_some_columns_answers_for_those_columns_only(tmp_path: Path) -> None:
    """Workbook.preload: a later read of the scanned columns gets the scan; a read of any
    other column, or of the whole sheet, reads the sheet (a column the scan left out is not
    empty: a new column placed there, or a waiting cell compared with it, would be wrong)."""
    from tests import factories

    path = factories.make_workbook(
        tmp_path / "t.xlsx", {"S": [["Name", "Phone", None], ["Kim", "555", "badge"]]}
    )
    wb = Workbook.open(path)
    info = wb.pkg.sheet("S")
    wb.preload(info, {1})
    assert wb.values(info, columns={1}).get(2, 1) == "Kim"
    assert wb.values(info, columns={2}).get(2, 2) == "555"
    assert wb.first_value_in(info, 3) == 2
    whole = wb.values(info)
    assert (whole.get(2, 2), whole.get(2, 3)) == ("555", "badge")


@pytest.mark.parametrize(
    "cols",
    [
        b'<cols><col min="2" max="2" width="9"/><col min="4" max="6" hidden="1"/></cols>',
        b"<x:cols><x:col max = '6' hidden = 'true' min = '4'/></x:cols>",
        b'<cols><!-- a note --><col min="4" max="6" hidden="1"/></cols>',
        b'<cols><col min="4" max="6" hidden=" 1 "/><col min="8" max="8" hidden="0"/></cols>',
        # Width 0 (dragged shut, or written for hidden by another program) and a width
        # that draws no pixel: Excel shows them hidden; a narrow one that draws one is not.
        b'<cols><col min="4" max="5" width="0" customWidth="1"/><col min="6" max="6" '
        b'width="0.05" customWidth="1"/><col min="7" max="7" width="0.08" customWidth="1"/>'
        b'<col min="8" max="8" width="-1"/><col min="9" max="9" width="x"/></cols>',
        b"<cols><col min='4' max='6' width=' 0.0 '/></cols>",
        # A width that is no finite number (another program's, or typed in the XML) is no
        # hidden column, and no reason to stop reading the sheet.
        b'<cols><col min="2" max="2" width="inf"/><col min="3" max="3" width="1e400"/>'
        b'<col min="4" max="6" width="0"/><col min="7" max="7" width="1e307"/>'
        b'<col min="8" max="8" width="-INF"/><col min="9" max="9" width="NaN"/></cols>',
    ],
    ids=[
        "excel",
        "prefix-and-quoting",
        "a-comment",
        "spaced",
        "width-0",
        "width-0-spaced",
        "width-not-finite",
    ],
)
@pytest.mark.parametrize("size", [16, 4096])
def test_the_scan_finds_the_hidden_columns(cols: bytes, size: int) -> None:
    """The columns a sheet hides (`<col hidden="1">`) come with the one scan of its XML that
    finds its error cells: no second reading of the sheet for them."""
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns:x="x">'
        + cols
        + b'<sheetData><row r="1"><c r="A1"><v>0</v></c></row>'
        b'<row r="2"><c r="D2" t="e"><v>#N/A</v></c></row></sheetData></worksheet>'
    )
    pieces = [xml[i : i + size] for i in range(0, len(xml), size)]
    found = _error_cells(pieces)
    assert [c for c in range(1, 10) if found.hidden(c)] == [4, 5, 6]


def test_a_sheet_read_says_which_columns_it_hides(tmp_path: Path) -> None:
    from tests import factories

    path = factories.make_workbook(
        tmp_path / "t.xlsx", {"S": [["Name", "Phone", "Old"], ["Kim", "555", "x"]]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    wb["S"].column_dimensions["C"].hidden = True
    wb.save(path)
    book = Workbook.open(path)
    for values in (book.values(book.sheets[0], nrows=30), book.values(book.sheets[0])):
        assert [c for c in (1, 2, 3, 4) if values.col_hidden(c)] == [3]


def test_a_large_sheet_is_decompressed_after_freed_memory_is_handed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a command let go before a write reads the sheet's XML (esp sync-nnumbers lets
    the Master's rows go just then) is handed back first, not held beside the XML: the
    peak of a large write is there."""
    from esp_cli import system
    from esp_cli.workbook.xlsx import package
    from tests import factories

    path = factories.make_workbook(tmp_path / "t.xlsx", {"S": [["Name"], ["Ann"]]})
    wb = Workbook.open(path)
    steps: list[str] = []
    read_xml = package.Package.read_xml

    def reading(pkg: package.Package, name: str, keep: bool = True) -> bytes:
        steps.append(f"read {name}")
        return read_xml(pkg, name, keep)

    monkeypatch.setattr(package, "TRIM_FROM_BYTES", 0)  # a large package
    monkeypatch.setattr(system, "release_freed_memory", lambda: steps.append("trim"))
    monkeypatch.setattr(package.Package, "read_xml", reading)
    wb.patcher().sheet_xml("S")
    part = wb.pkg.sheet("S").part
    assert steps[steps.index(f"read {part}") - 1] == "trim"


@pytest.mark.parametrize("declared", [9000, 10**6, 400 * 1024 * 1024])
def test_a_part_that_declares_more_than_it_holds_reads_as_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: int
) -> None:
    """In a large package a part is read into a buffer made at its declared size (at most
    READ_ROOM_RATIO times its compressed bytes): the room it does not fill is cut off,
    whatever the size the directory claims."""
    import io
    import random
    import struct
    import zipfile

    from esp_cli.workbook.xlsx import package

    # 8,000 bytes that deflate to about half: the room is the declared size, or 32 times that
    text = b"<x>" + random.Random(1).randbytes(4000).hex().encode() + b"</x>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/part.xml", text)
    data = bytearray(buf.getvalue())
    # The uncompressed size, in the local header (offset 22) and the directory (24).
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at : at + 4] = struct.pack("<I", declared)
    raw = bytes(data)
    monkeypatch.setattr(package, "TRIM_FROM_BYTES", 0)  # a large package
    pkg = package.Package(path=tmp_path / "p.xlsx", data=raw, zf=zipfile.ZipFile(io.BytesIO(raw)))
    assert pkg.read("xl/part.xml") == text

"""`esp sync-nnumbers` on the bundled sample, checked from outside esp.

The command runs through the CLI on a copy of the sample's ESP Tracker. The package is then
read with the independent helpers in tests/support and with LibreOffice: only the tracker
sheet, the shared strings and the styles may change; the x14 drop-downs, the hidden Lists
sheet and every formula's cached result stay byte-identical; the package validates; and
LibreOffice shows the dates the sync filled. --dry-run and an open workbook (Excel's owner
file beside it) leave the file byte-identical.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from scripts.sample_builder.sample import (
    HEADER_ROW,
    LISTS_SHEET,
    TRACKER_SHEET,
    SampleFiles,
    build_sample,
)
from typer.testing import CliRunner, Result

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests.sample_facts import SYNC_FILLS
from tests.support.libreoffice import Rows, cell, convert_workbooks
from tests.support.marks import needs_schemas, needs_soffice
from tests.support.ooxml import validate_package
from tests.support.packages import (
    diff_parts,
    make_ref,
    related_part,
    sheet_cells,
    sheet_part,
    workbook_part,
    workbook_sheets,
    zip_parts,
)

pytestmark = pytest.mark.interop

DATE_HEADER = "Date of N Number Request"
_EXT_LST = re.compile(rb"<extLst>.*</extLst>", re.S)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return build_sample(tmp_path_factory.mktemp("sample"))


def copy_inputs(sample: SampleFiles, folder: Path) -> tuple[Path, Path]:
    """The sample's tracker and Master, copied under their own names into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    tracker, master = folder / sample.tracker.name, folder / sample.master.name
    shutil.copyfile(sample.tracker, tracker)
    shutil.copyfile(sample.master, master)
    return tracker, master


def sync(tracker: Path, master: Path, *options: str) -> Result:
    """`esp sync-nnumbers` as a user types it, from a folder without an esp.toml."""
    args = ["sync-nnumbers", "--tracker", str(tracker), "--from", str(master), *options]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tracker.parent)
        assert not (tracker.parent / "esp.toml").exists()
        return CliRunner().invoke(app, args)


@dataclass(frozen=True)
class Synced:
    original: Path  # the tracker as it was, kept beside under another name
    tracker: Path  # the tracker esp wrote
    result: Result
    sheet: str  # zip name of the tracker sheet's part
    columns: dict[str, int]  # header -> column number (1-based), from the original
    rows: dict[str, int]  # agent name -> row number, from the original


@pytest.fixture(scope="module")
def synced(sample: SampleFiles, tmp_path_factory: pytest.TempPathFactory) -> Synced:
    tracker, master = copy_inputs(sample, tmp_path_factory.mktemp("sync"))
    original = tracker.with_name("ESP Tracker (before).xlsx")
    shutil.copyfile(tracker, original)
    result = sync(tracker, master)

    values = CalamineWorkbook.from_path(str(original)).get_sheet_by_name(TRACKER_SHEET)
    grid = values.to_python(skip_empty_area=False)
    columns = {str(h): i for i, h in enumerate(grid[HEADER_ROW - 1], start=1) if h != ""}
    name_col = columns["Agent Name"] - 1
    rows = {
        str(row[name_col]): number
        for number, row in enumerate(grid, start=1)
        if number > HEADER_ROW and row[name_col] != ""
    }
    part = sheet_part(original, TRACKER_SHEET)
    return Synced(original, tracker, result, part, columns, rows)


def filled_refs(synced: Synced) -> set[str]:
    return {make_ref(synced.rows[name], synced.columns[DATE_HEADER]) for name in SYNC_FILLS}


def test_the_sync_writes_the_expected_dates(synced: Synced) -> None:
    assert synced.result.exit_code == 0, synced.result.output
    assert f"Wrote {len(SYNC_FILLS)} cell(s)" in synced.result.stderr
    assert set(SYNC_FILLS) <= set(synced.rows)


def test_only_the_sheet_strings_styles_and_the_calculation_flag_change(synced: Synced) -> None:
    before, after = zip_parts(synced.original), zip_parts(synced.tracker)
    wb = workbook_part(before)
    allowed = {
        synced.sheet,
        related_part(before, wb, "/sharedStrings"),
        related_part(before, wb, "/styles"),
        wb,
    }
    assert synced.sheet in diff_parts(before, after) <= allowed
    # The workbook (it holds formulas) only asks Excel to recalculate when it is opened.
    assert after[wb].replace(b' fullCalcOnLoad="1"', b"", 1) == before[wb] != after[wb]
    assert list(after) == list(before)
    # The hidden Lists sheet (the drop-downs' source) is untouched and still hidden.
    lists = sheet_part(before, LISTS_SHEET)
    assert lists not in allowed and after[lists] == before[lists]
    states = {entry.name: entry.state for entry in workbook_sheets(after)}
    assert states[LISTS_SHEET] == "hidden"


def test_x14_drop_downs_are_byte_identical(synced: Synced) -> None:
    before = zip_parts(synced.original)[synced.sheet]
    after = zip_parts(synced.tracker)[synced.sheet]
    old, new = _EXT_LST.search(before), _EXT_LST.search(after)
    assert old is not None and new is not None
    assert b"<x14:dataValidations" in old.group(0) and LISTS_SHEET.encode() in old.group(0)
    assert new.group(0) == old.group(0)


def test_only_the_filled_cells_change_and_formulas_keep_their_results(synced: Synced) -> None:
    old = sheet_cells(zip_parts(synced.original)[synced.sheet])
    new = sheet_cells(zip_parts(synced.tracker)[synced.sheet])
    changed = {ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref)}
    assert changed == filled_refs(synced)
    formulas = {ref for ref, c in old.items() if b"<f" in c.inner}
    assert len(formulas) >= len(synced.rows)  # the Status column
    assert all(new[ref] == old[ref] and b"<v>" in old[ref].inner for ref in formulas)


@needs_schemas
def test_the_written_package_validates(synced: Synced) -> None:
    assert validate_package(synced.original) == []
    assert validate_package(synced.tracker) == []


@needs_soffice
def test_libreoffice_shows_the_filled_dates(synced: Synced, tmp_path: Path) -> None:
    converted = convert_workbooks([synced.original, synced.tracker], tmp_path)
    before, after = converted[synced.original], converted[synced.tracker]
    old, new = before[TRACKER_SHEET], after[TRACKER_SHEET]
    date_col = synced.columns[DATE_HEADER]
    shown = {name: cell(new, make_ref(synced.rows[name], date_col)) for name in SYNC_FILLS}
    assert shown == {name: f"{day:%m/%d/%Y}" for name, day in SYNC_FILLS.items()}
    assert all(cell(old, make_ref(synced.rows[name], date_col)) == "" for name in SYNC_FILLS)
    assert after[LISTS_SHEET] == before[LISTS_SHEET]
    filled = filled_refs(synced)
    assert _other_cells(old, filled) == _other_cells(new, filled)


def _other_cells(rows: Rows, skip: set[str]) -> dict[str, str]:
    return {
        make_ref(r, c): text
        for r, row in enumerate(rows, start=1)
        for c, text in enumerate(row, start=1)
        if make_ref(r, c) not in skip
    }


def test_dry_run_leaves_the_file_byte_identical(sample: SampleFiles, tmp_path: Path) -> None:
    tracker, master = copy_inputs(sample, tmp_path / "dry")
    before = tracker.read_bytes()
    result = sync(tracker, master, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Dry run: {len(SYNC_FILLS)} cell(s) would change" in result.stderr
    assert tracker.read_bytes() == before
    assert not (tracker.parent / "esp-backups").exists()


def test_open_in_excel_exits_busy_and_writes_nothing(sample: SampleFiles, tmp_path: Path) -> None:
    tracker, master = copy_inputs(sample, tmp_path / "open")
    owner = tracker.with_name("~$" + tracker.name)
    assert owner.name == "~$ESP Tracker.xlsx"
    owner.write_bytes(b"\x0cJordan Reyes" + b" " * 40)
    before = tracker.read_bytes()
    result = sync(tracker, master, "--no-wait")
    assert result.exit_code == int(ExitCode.BUSY) == 4
    assert "open in Excel" in result.stderr and owner.name in result.stderr
    assert tracker.read_bytes() == before
    assert not (tracker.parent / "esp-backups").exists()
    # Without --no-wait the change waits beside it: nothing written yet, nothing lost.
    waited = sync(tracker, master)
    assert waited.exit_code == int(ExitCode.WAITING) == 7
    assert "open in Excel by Jordan Reyes" in waited.stderr
    assert tracker.read_bytes() == before
    assert not list((tracker.parent / "esp-backups").glob("*.xlsx"))

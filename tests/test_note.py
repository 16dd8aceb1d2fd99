"""esp note add: the right column and format, once, as text, within Excel's cell limit."""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories

EARLIER = "11/20/2026 - Jordan Reyes - Started TBTs.  \n11/23/2026 - Devon Price - 3 TBTs done"
AGENTS = [
    {
        "Class": "AET-1",
        "Agent Name": "Devon Price",
        "Agent ID": "E100",
        "Email": "Devon.Price@vendorcx.com",
        "N Number": "N100100",
        "Notes": EARLIER,
    },
    {"Class": "AET-1", "Agent Name": "Price, Dana", "Agent ID": "E101"},
    {"Class": "AET-2", "Agent Name": "Sam Lee", "Agent ID": "E200"},
    {"Class": "AET-2", "Agent Name": "Sam Lee", "Agent ID": "E201"},
]
# factories.TRACKER_HEADERS under one title row: Notes is K, TBT Notes L; Devon is row 3.
NOTES, TBT_NOTES, DEVON = "K", "L", 3


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "esp.toml"
    path.write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return path


def note(tracker: Path, *args: str, config: Path | None = None) -> Any:
    extra = ["--config", str(config)] if config else []
    return CliRunner().invoke(app, ["note", "add", *args, "--tracker", str(tracker), *extra])


def cell(path: Path, ref: str) -> Any:
    return openpyxl.load_workbook(path)["ESP Tracker"][ref].value


def cell_xml(path: Path, ref: str) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    m = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, re.S)
    assert m, ref
    return m.group(0)


def test_notes_line_after_the_earlier_lines(tracker: Path) -> None:
    res = note(tracker, "Devon Price", "Called  about\nthe TBTs", "--by", "Dana Whitfield")
    assert res.exit_code == 0, res.output
    today = date.today().strftime("%m/%d/%Y")
    assert cell(tracker, f"{NOTES}{DEVON}") == (
        EARLIER + f"\n{today} - Dana Whitfield - Called about the TBTs"
    )
    assert cell(tracker, f"{TBT_NOTES}{DEVON}") is None
    assert "backup:" in res.stderr


def test_tbt_notes_line_in_its_own_format(tracker: Path, config: Path) -> None:
    res = note(tracker, "E100", "On module 3", "--tbt", "--date", "2026-11-23", config=config)
    assert res.exit_code == 0, res.output
    assert cell(tracker, f"{TBT_NOTES}{DEVON}") == "Jordan Reyes - 11/23/2026 - On module 3"
    assert cell(tracker, f"{NOTES}{DEVON}") == EARLIER


@pytest.mark.parametrize(
    "query",
    ["Devon Price", "price, devon", "  PRICE   devon ", "Price Devon", "e100", "N100100",
     "devon.price@VENDORCX.com"],
)  # fmt: skip
def test_names_in_either_order_and_ids_select_the_same_agent(tracker: Path, query: str) -> None:
    res = note(tracker, query, "Checked in", "--by", "Dana", "--date", "2026-11-23", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["agent"], data["row"], data["cell"]) == (
        "Devon Price",
        DEVON,
        f"'ESP Tracker'!{NOTES}{DEVON}",
    )
    assert str(cell(tracker, f"{NOTES}{DEVON}")).endswith("\n11/23/2026 - Dana - Checked in")


def test_twice_adds_once(tracker: Path) -> None:
    args = ("Devon Price", "Checked in", "--by", "Dana", "--date", "2026-11-23")
    assert note(tracker, *args).exit_code == 0
    written = tracker.read_bytes()
    res = note(tracker, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["added"] is False and data["changes"] == []
    assert "already holds this line" in res.stderr and "nothing written" in res.stderr
    assert tracker.read_bytes() == written
    assert str(cell(tracker, f"{NOTES}{DEVON}")).count("Checked in") == 1


def test_formula_like_text_stays_text(tracker: Path) -> None:
    res = note(tracker, "E101", "=1+1", "--date", "2026-11-23", "--by", "Dana")
    assert res.exit_code == 0, res.output
    # A TBT note starts with the author: here the whole line starts with '='.
    res = note(tracker, "E101", "@SUM(A1)", "--tbt", "--by", "=1+1", "--date", "2026-11-23")
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tracker)
    notes, tbt = wb["ESP Tracker"][f"{NOTES}4"], wb["ESP Tracker"][f"{TBT_NOTES}4"]
    assert (notes.value, notes.data_type) == ("11/23/2026 - Dana - =1+1", "s")
    assert (tbt.value, tbt.data_type) == ("=1+1 - 11/23/2026 - @SUM(A1)", "s")
    assert "<f>" not in cell_xml(tracker, f"{TBT_NOTES}4")


def test_the_cell_limit_is_a_clear_error(tracker: Path) -> None:
    wb = openpyxl.load_workbook(tracker)
    wb["ESP Tracker"][f"{NOTES}4"] = "11/20/2026 - Jordan Reyes - " + "x" * 32_700
    wb.save(tracker)
    original = tracker.read_bytes()
    res = note(tracker, "E101", "one more line that does not fit", "--by", "Dana")
    assert res.exit_code == 1
    assert "32,767" in res.stderr and f"{NOTES}4" in res.stderr and "Fix:" in res.stderr
    assert res.stdout == ""
    assert tracker.read_bytes() == original


def test_author_from_by_else_config_else_a_clear_error(tracker: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    original = tracker.read_bytes()
    res = note(tracker, "E101", "Checked in", config=empty)
    assert res.exit_code == 2
    assert "--by" in res.stderr and "[people] user" in res.stderr
    assert tracker.read_bytes() == original


def test_dry_run_shows_the_change_and_writes_nothing(tracker: Path) -> None:
    original = tracker.read_bytes()
    args = ("E100", "Checked in", "--by", "Dana", "--date", "2026-11-23", "--dry-run")
    res = note(tracker, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dry_run"] is True and data["backup"] is None and data["added"] is True
    (change,) = data["changes"]
    assert (change["cell"], change["column"], change["old"]) == (
        f"{NOTES}{DEVON}",
        "Notes",
        EARLIER,
    )
    assert change["new"] == EARLIER + "\n11/23/2026 - Dana - Checked in"
    res = note(tracker, *args)
    assert "1 earlier line(s) kept" not in res.stdout and "2 earlier line(s) kept" in res.stdout
    assert "Dry run" in res.stderr
    assert tracker.read_bytes() == original


def test_a_missing_notes_column_is_added(tmp_path: Path) -> None:
    headers = factories.headers("class", "agent_name", "agent_id")
    path = factories.tracker(tmp_path / "t.xlsx", AGENTS[:1], headers=headers)
    res = note(path, "Devon Price", "First note", "--by", "Dana", "--date", "2026-11-23")
    assert res.exit_code == 0, res.output
    assert "Added column ESP Tracker!D 'Notes'." in res.stderr
    assert (cell(path, "D2"), cell(path, "D3")) == ("Notes", "11/23/2026 - Dana - First note")


def test_ambiguous_unknown_empty_and_future(tracker: Path) -> None:
    res = note(tracker, "Sam Lee", "x", "--by", "Dana")
    assert res.exit_code == 3
    assert "matches 2 agents" in res.stderr and "E200" in res.stderr and "E201" in res.stderr
    res = note(tracker, "Sam Lee", "x", "--by", "Dana", "--class", "AET-2")
    assert res.exit_code == 3  # both are in AET-2: still two
    res = note(tracker, "Devn Price", "x", "--by", "Dana")
    assert res.exit_code == 3 and "Devon Price" in res.stderr
    res = note(tracker, "E100", "   ", "--by", "Dana")
    assert res.exit_code == 2 and "empty" in res.stderr
    res = note(tracker, "E100", "x", "--by", "Dana", "--date", "2099-01-05")
    assert res.exit_code == 2 and "in the future" in res.stderr
    res = note(tracker, "E100", "x", "--by", "Dana", "--date", "someday")
    assert res.exit_code == 2 and "--date" in res.stderr


def _xf(path: Path, ref: str) -> tuple[int, Any, int]:
    """The cell's style index, its <xf> in cellXfs, and the cellXfs count."""
    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    found = re.search(rf'<c r="{ref}"[^>]*?\ss="(\d+)"', sheet)
    style = int(found.group(1)) if found else 0
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("xl/styles.xml"))
    xfs = root.find("m:cellXfs", ns)
    assert xfs is not None
    return style, xfs.findall("m:xf", ns)[style], int(xfs.get("count", "-1"))


def _wraps(xf: Any) -> bool:
    align = xf.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}alignment")
    return align is not None and align.get("wrapText") in ("1", "true")


def test_a_notes_cell_esp_starts_shows_its_second_line_as_the_teams_do(tmp_path: Path) -> None:
    """The sample's TBT Notes cells wrap (s=5); Kayla's is empty. Two notes later it holds
    two lines and wraps with the column's own wrap style (not its header's): no new format."""
    from esp_cli.services.demo import copy_sample

    folder = tmp_path / "s"
    copy_sample(folder)
    path = folder / "ESP Tracker.xlsx"
    config = str(folder / "esp.toml")
    _, _, count = _xf(path, "AA43")
    for day, text in (("2026-11-23", "first line"), ("2026-11-24", "second line")):
        res = CliRunner().invoke(
            app, ["note", "add", "Kayla Brooks", text, "--tbt", "--date", day, "--config", config]
        )
        assert res.exit_code == 0, res.output
    with path.open("rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's x14 drop-downs, which openpyxl drops
        assert "first line\n" in openpyxl.load_workbook(f)["ESP Tracker"]["AA43"].value
    style, xf, after = _xf(path, "AA43")
    assert _wraps(xf) and style == 5 and after == count


def test_a_cell_given_a_second_line_wraps_keeping_its_own_format(tracker: Path) -> None:
    """A tracker with no wrapping notes cell: Devon's Notes (already two lines, unwrapped,
    bold) keeps its bold and gains Wrap Text; Dana's empty TBT Notes gets two lines over two
    runs and the plain format plus Wrap Text, added once; styles.xml stays schema-valid."""
    from tests.support.marks import checks_schemas
    from tests.support.ooxml import validate_package

    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws[f"{NOTES}{DEVON}"].font = openpyxl.styles.Font(bold=True)
    for header in (f"{NOTES}2", f"{TBT_NOTES}2"):  # the headers wrap: not what notes look like
        ws[header].font = openpyxl.styles.Font(bold=True, italic=True)
        ws[header].alignment = openpyxl.styles.Alignment(wrap_text=True)
    wb.save(tracker)
    assert note(tracker, "Devon Price", "one more", "--by", "Jordan Reyes").exit_code == 0
    bold, xf, _ = _xf(tracker, f"{NOTES}{DEVON}")
    assert _wraps(xf) and xf.get("applyAlignment") == "1"
    assert openpyxl.load_workbook(tracker)["ESP Tracker"][f"{NOTES}{DEVON}"].font.b
    for day in ("11/23/2026", "11/24/2026"):
        for who in ("Price, Dana", "E200"):
            res = note(tracker, who, f"tbt {day}", "--tbt", "--date", day, "--by", "Jordan Reyes")
            assert res.exit_code == 0, res.output
    (dana, dana_xf, count), (sam, _sam_xf, _) = _xf(tracker, "L4"), _xf(tracker, "L5")
    assert _wraps(dana_xf) and dana == sam != bold
    assert dana != _xf(tracker, f"{TBT_NOTES}2")[0]
    assert dana_xf.get("fontId") == "0" and dana_xf.get("applyFont") in (None, "0")
    assert count == len(dana_xf.getparent())
    if checks_schemas():
        assert validate_package(tracker) == []


@pytest.mark.parametrize("length", [204, 222, 253])
def test_a_tracker_name_too_long_for_its_backups_name_says_so(
    tracker: Path, config: Path, length: int
) -> None:
    """The backup of `<name>.xlsx` is `<name>.<time>.op-<id>.xlsx`, written under a longer
    temporary name: a tracker whose name leaves no room for it is refused before anything is
    written, saying to shorten the tracker's name (not to free disk space) and by how much;
    one of the longest name that fits is written, and undone from its backup."""
    long = tracker.with_name("ESP Tracker " + "x" * (length - len("ESP Tracker .xlsx")) + ".xlsx")
    tracker.rename(long)
    before = long.read_bytes()
    res = note(long, "Devon Price", "long name", config=config)
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    err = " ".join(res.stderr.split())
    assert f"its file name ({length} characters) is too long for the backup" in err, err
    assert "rename the tracker to at most 199 characters" in err, err
    assert "disk" not in err and "Traceback" not in res.output
    assert long.read_bytes() == before
    fits = long.rename(long.with_name("ESP Tracker " + "x" * (199 - 17) + ".xlsx"))
    assert len(fits.name) == 199
    res = note(fits, "Devon Price", "long name", config=config)
    assert res.exit_code == 0, res.output
    undone = CliRunner().invoke(app, ["undo", "--tracker", str(fits), "--config", str(config)])
    assert undone.exit_code == 0, undone.output
    original = tracker.with_name("before.xlsx")
    original.write_bytes(before)
    assert _values(fits) == _values(original)


# 83 characters, 229 bytes in UTF-8, 83 UTF-16 units.
CJK_NAME = "ESP 追踪表 " + "培训" * 35 + ".xlsx"


@pytest.mark.parametrize("windows", [False, True], ids=["linux-macos", "windows"])
def test_a_long_name_is_measured_as_the_system_counts_and_said_in_characters(
    monkeypatch: pytest.MonkeyPatch, windows: bool
) -> None:
    """Windows limits a file name to 255 UTF-16 units, Linux and macOS to 255 bytes: an
    83-character Chinese name's backup fits on Windows; elsewhere it is refused, saying its
    83 characters (and the bytes the system counts) and how many characters to take off."""
    from esp_cli import system
    from esp_cli.errors import WriteFailedError
    from esp_cli.workbook.xlsx.safety import refuse_long_name

    assert len(CJK_NAME) == 83
    monkeypatch.setattr(system, "WINDOWS", windows)
    assert system.file_name_length(CJK_NAME) == (83 if windows else 229)
    assert system.file_name_length("x" * 300) == 300
    assert system.file_name_length("\U0001f600") == (2 if windows else 4)
    if windows:
        refuse_long_name(Path(CJK_NAME))
        return
    with pytest.raises(WriteFailedError) as caught:
        refuse_long_name(Path(CJK_NAME))
    said = " ".join(f"{caught.value} {caught.value.fix}".split())  # the fix, where it is
    assert "its file name (83 characters, 229 bytes as this system counts a name)" in said, said
    # Its backup's name is 30 bytes too long: 10 characters of 3 bytes each off its end.
    assert "rename the tracker to at most 73 characters (take 10 off its name)" in said, said
    shorter = Path(CJK_NAME[:68] + ".xlsx")
    assert len(shorter.name) == 73
    refuse_long_name(shorter)


def _values(path: Path) -> list[list[Any]]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]

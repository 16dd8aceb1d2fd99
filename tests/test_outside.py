"""Saves made outside esp: noticed by the next write at no extra cost, their cells worked
out when esp history asks for them (from the backups), and kept once worked out."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.oplog import CellRecord, tag
from esp_cli.core.refs import col_letter
from esp_cli.workbook import history
from esp_cli.workbook.xlsx import reader
from esp_cli.workbook.xlsx.package import Package
from esp_cli.workbook.xlsx.workbook import Workbook

from .factories import TRACKER_HEADERS, make_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "esp_cli" / "sample" / "ESP Tracker.xlsx"
AGENTS = [
    ["A", "Ann Lee", "E1"],
    ["A", "Bob Ray", "E2"],
    ["B", "Sam Lee", "E3"],
]


def esp(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> Any:
    res = esp(*args)
    assert res.exit_code == 0, res.output
    return res


def row(cls: str, name: str, agent_id: str) -> list[Any]:
    values = dict.fromkeys(TRACKER_HEADERS)
    values.update({"Class": cls, "Agent Name": name, "Agent ID": agent_id})
    return list(values.values())


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A tracker (Ann Lee is row 3, Bob Ray row 4; N Number column E) and a Lists sheet."""
    return make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "ESP Tracker": [list(TRACKER_HEADERS), *(row(*a) for a in AGENTS)],
            "Lists": [["Access"], ["No Issues"], ["Password Reset"]],
        },
        title_rows=1,
    )


def log_of(path: Path) -> Path:
    return path.parent / "esp-backups" / f"{path.name}.history.jsonl"


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_of(path).read_text(encoding="utf-8").splitlines()]


def note(path: Path, who: str, text: str) -> None:
    ok("note", "add", who, text, "--by", "Jo", "--date", "2026-11-24", "-t", str(path))


def outside_ops(path: Path) -> list[dict[str, Any]]:
    res = ok("history", "-t", str(path), "--format", "json")
    return [o for o in json.loads(res.stdout)["operations"] if o["kind"] == "outside"]


def save_as_excel_would(path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> None:
    """Someone saves the workbook: every part written again and recompressed (so every
    part's compressed bytes differ), the parts named in `edits` changed by them."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info, data in parts:
            fix = edits.get(info.filename)
            zout.writestr(info.filename, fix(data) if fix else data)
    path.write_bytes(out.getvalue())


def edit_in_excel(path: Path, changes: dict[str, Any]) -> None:
    """A save in Excel (openpyxl stands in): the shared strings are written anew."""
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb["ESP Tracker"][ref] = value
    wb.save(path)


class Reads:
    """What the code under watch read: the packages it opened, each whole-sheet read."""

    def __init__(self) -> None:
        self.packages: list[Path] = []
        self.sheets: list[str] = []


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    seen = Reads()
    opened = Package.from_bytes.__func__  # type: ignore[attr-defined]

    def from_bytes(cls: type[Package], path: Path, data: bytes) -> Package:
        seen.packages.append(Path(path))
        pkg: Package = opened(cls, path, data)
        return pkg

    values = reader.WorkbookReader.values

    def whole(self: reader.WorkbookReader, info: Any, *args: Any, **kwargs: Any) -> Any:
        nrows = kwargs.get("nrows", args[0] if args else None)
        columns = kwargs.get("columns", args[1] if len(args) > 1 else None)
        if nrows is None and columns is None:
            seen.sheets.append(info.name)
        return values(self, info, *args, **kwargs)

    monkeypatch.setattr(Package, "from_bytes", classmethod(from_bytes))
    monkeypatch.setattr(reader.WorkbookReader, "values", whole)
    yield seen


# -- the write that notices a save --------------------------------------------------------------


def test_a_write_after_an_outside_save_reads_no_backup_and_no_sheet_whole(
    book: Path, reads: Reads
) -> None:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777"})
    reads.packages.clear()
    note(book, "Bob Ray", "second")
    assert reads.packages == [book]  # the tracker, once; no backup
    assert reads.sheets == []  # only the columns the note needs
    first, outside, second = entries(book)
    assert outside["kind"] == "outside" and outside["cells"] == []
    assert outside["diff"]["since"] == first["op"] and outside["diff"]["by"] == second["op"]
    assert outside["diff"]["from"] == first["backup"] and outside["diff"]["to"] == second["backup"]


def test_the_cells_are_worked_out_when_history_asks_and_kept(book: Path, reads: Reads) -> None:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777", "C3": "E1"})  # one cell new, one the same
    note(book, "Bob Ray", "second")
    (shown,) = outside_ops(book)
    assert [
        (c["cell"], c["agent"], c["column"], c["before"], c["after"]) for c in shown["cells"]
    ] == [("E4", "Bob Ray", "N Number", None, "N777")]
    kept = history.worked_out_dir(log_of(book)) / f"{shown['op']}.json"
    assert kept.is_file()
    # Kept: no backup is read again, and removing the backups loses nothing.
    for backup in (book.parent / "esp-backups").glob("*.xlsx"):
        backup.unlink()
    reads.packages.clear()
    (again,) = outside_ops(book)
    assert again["cells"] == shown["cells"] and again["note"] == ""
    assert reads.packages == []
    # The agent's history shows it too.
    bob = json.loads(ok("history", "Bob Ray", "-t", str(book), "--format", "json").stdout)
    assert any(c["kind"] == "outside" and c["after"] == "N777" for c in bob["changes"])


def test_the_noticing_writes_backup_gone_is_said(book: Path) -> None:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777"})
    note(book, "Bob Ray", "second")
    _first, outside, second = entries(book)
    (book.parent / "esp-backups" / second["backup"]).unlink()
    for kept in history.worked_out_dir(log_of(book)).glob(f"{outside['op']}.to.*"):
        kept.unlink()  # and the state set aside
    (shown,) = outside_ops(book)
    assert shown["cells"] == []
    assert f"the backup {second['backup']} (operation {second['op']}) is not in" in shown["note"]
    assert not (history.worked_out_dir(log_of(book)) / f"{outside['op']}.json").exists()
    table = ok("history", "-t", str(book)).stdout
    assert "changed outside esp" in table and "?" in table


def test_an_outside_save_then_two_esp_writes_lists_only_the_saves_cells(book: Path) -> None:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777"})
    note(book, "Bob Ray", "second")
    note(book, "Sam Lee", "third")  # after it: no save outside esp in between
    assert [e["kind"] for e in entries(book)] == ["write", "outside", "write", "write"]
    (shown,) = outside_ops(book)
    assert [(c["cell"], c["after"]) for c in shown["cells"]] == [("E4", "N777")]


def test_two_saves_outside_esp_each_list_their_own_cells(book: Path) -> None:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777"})
    note(book, "Bob Ray", "second")
    edit_in_excel(book, {"E3": "N555"})
    note(book, "Sam Lee", "third")
    newer, older = outside_ops(book)
    assert [(c["cell"], c["after"]) for c in older["cells"]] == [("E4", "N777")]
    assert [(c["cell"], c["after"]) for c in newer["cells"]] == [("E3", "N555")]


# -- which parts changed -------------------------------------------------------------------------


def test_a_save_that_changed_no_sheet_lists_no_cells_and_reads_no_backup(
    book: Path, reads: Reads
) -> None:
    note(book, "Ann Lee", "first")
    save_as_excel_would(
        book,
        {
            "docProps/core.xml": lambda x: x.replace(
                b"</cp:coreProperties>", b"<dc:title>T</dc:title></cp:coreProperties>"
            )
        },
    )
    note(book, "Bob Ray", "second")
    outside = entries(book)[1]
    assert outside["kind"] == "outside" and outside["diff"]["sheets"] == []
    reads.packages.clear()
    (shown,) = outside_ops(book)
    assert shown["cells"] == [] and shown["note"] == ""
    assert reads.packages == []


def test_only_the_sheets_whose_parts_changed_are_compared(book: Path, reads: Reads) -> None:
    note(book, "Ann Lee", "first")
    rename = {"xl/worksheets/sheet1.xml": lambda x: x.replace(b">Bob Ray<", b">Bob Rae<")}
    save_as_excel_would(book, rename)
    note(book, "Sam Lee", "second")
    assert entries(book)[1]["diff"]["sheets"] == ["ESP Tracker"]
    reads.sheets.clear()
    (shown,) = outside_ops(book)
    assert [(c["cell"], c["before"], c["after"]) for c in shown["cells"]] == [
        ("B4", "Bob Ray", "Bob Rae")
    ]
    assert "ESP Tracker" in reads.sheets and "Lists" not in reads.sheets


def test_a_changed_shared_string_is_listed_though_no_sheet_part_changed(tmp_path: Path) -> None:
    """The text of a shared string changed in place: every cell showing it reads
    differently, though the sheets' parts are byte for byte the same."""
    path = tmp_path / "ESP Tracker.xlsx"
    path.write_bytes(SAMPLE.read_bytes())
    note(path, "Grace Kim", "first")
    sst = {"xl/sharedStrings.xml": lambda x: x.replace(b">Tyrone Jackson<", b">Tyrone Jacksen<")}
    save_as_excel_would(path, sst)
    note(path, "Natalie Ford", "second")
    assert entries(path)[1]["diff"]["sheets"] is None
    (shown,) = outside_ops(path)
    assert [(c["column"], c["before"], c["after"]) for c in shown["cells"]] == [
        ("Agent Name", "Tyrone Jackson", "Tyrone Jacksen")
    ]


# -- backups removed by the retention ----------------------------------------------------------


def test_a_backup_is_not_removed_before_the_cells_it_holds_are_worked_out(
    book: Path, tmp_path: Path
) -> None:
    """With the retention keeping one backup, the next write removes the backup an
    outside entry is worked out from: the cells are worked out (and kept) first."""
    cfg = tmp_path / "esp.toml"
    cfg.write_text("[backup]\nkeep_days = 0\nkeep_count = 1\n", encoding="utf-8")
    t = str(book)
    args = ("--by", "Jo", "-t", t, "--config", str(cfg))
    ok("note", "add", "Ann Lee", "first", *args)
    edit_in_excel(book, {"E4": "N777"})
    ok("note", "add", "Bob Ray", "second", *args)
    first, outside, _second = entries(book)
    folder = book.parent / "esp-backups"
    assert (folder / first["backup"]).is_file()  # kept until the entry is in the log
    old = time.time() - 3600
    for backup in folder.glob("*.xlsx"):
        os.utime(backup, (old, old))
    ok("note", "add", "Sam Lee", "third", *args)
    assert not (folder / first["backup"]).exists()
    assert (history.worked_out_dir(log_of(book)) / f"{outside['op']}.json").is_file()
    res = ok("history", "-t", t, "--config", str(cfg), "--format", "json")
    (shown,) = [o for o in json.loads(res.stdout)["operations"] if o["kind"] == "outside"]
    assert [(c["cell"], c["after"]) for c in shown["cells"]] == [("E4", "N777")]


# -- worked out later, the same cells as worked out at once --------------------------------------


def _eager(before: Path, first: dict[str, Any], saved: Path) -> list[tuple[Any, ...]]:
    """The cells as the write that noticed the save would have worked them out at once:
    the previous write's backup (with the cells it wrote) against the tracker as saved,
    every sheet compared, named as esp reads the saved tracker."""
    written = {
        (c["sheet"], c["row"], c["col"]): CellRecord.from_json(c).after for c in first["cells"]
    }
    now_ = Workbook.open(saved)
    cells, omitted, _note = history._diff(Workbook.open(before), written, now_, None)
    assert omitted == 0
    describe = history.names()(now_)
    assert describe is not None
    return [
        (c.sheet, f"{col_letter(c.col)}{c.row}", *describe(c.sheet, c.row, c.col),
         tag(c.before), tag(c.after))
        for c in cells
    ]  # fmt: skip


def _saved_in_excel_on_two_sheets(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    tracker = wb["ESP Tracker"]
    tracker["E4"] = "N777"  # a new value
    tracker["C3"] = "E1"  # the same value, written again
    tracker["B5"] = "Sam Leigh"  # a name (the agent is named as the save left it)
    tracker["G3"] = 45976  # a number where there was nothing
    tracker["E2"] = None  # a header cell emptied
    wb["Lists"]["A2"] = "No issues at all"
    wb.save(path)


def _sheet_rewritten_as_excel_would(path: Path) -> None:
    edit = {
        "xl/worksheets/sheet1.xml": lambda x: x.replace(b">Bob Ray<", b">Robert Ray<", 1),
    }
    save_as_excel_would(path, edit)


@pytest.mark.parametrize(
    "save",
    [_saved_in_excel_on_two_sheets, _sheet_rewritten_as_excel_would],
    ids=["openpyxl", "sheet"],
)
def test_the_cells_worked_out_later_are_those_worked_out_at_once(
    book: Path, tmp_path: Path, save: Callable[[Path], None]
) -> None:
    note(book, "Ann Lee", "first")
    save(book)
    saved = tmp_path / "as saved.xlsx"
    saved.write_bytes(book.read_bytes())
    note(book, "E3", "second")  # by Agent ID: the save renamed Sam Lee
    first = entries(book)[0]
    expected = _eager(book.parent / "esp-backups" / first["backup"], first, saved)
    assert expected  # the save changed cells
    (shown,) = outside_ops(book)
    got = [
        (c["sheet"], c["cell"], c["agent"], c["class"], c["column"], c["before"], c["after"])
        for c in shown["cells"]
    ]
    assert got == expected


# -- backups missing when history asks -----------------------------------------------------------


def _noticed_save(book: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    note(book, "Ann Lee", "first")
    edit_in_excel(book, {"E4": "N777"})
    note(book, "Bob Ray", "second")
    first, outside, second = entries(book)
    return first, outside, second


def test_backups_not_there_yet_are_said_and_the_cells_show_once_they_are(
    book: Path, tmp_path: Path
) -> None:
    """The backups folder synced after the log (or moved away for a while): history says
    which backup is missing, remembers nothing, and lists the cells once it is back."""
    first, _outside, _second = _noticed_save(book)
    folder = book.parent / "esp-backups"
    hold = tmp_path / "hold"
    hold.mkdir()
    for p in [*folder.glob("*.xlsx"), *folder.rglob("*.xlsx")]:
        if p.exists():
            p.rename(hold / f"{p.parent.name}-{p.name}")
    (shown,) = outside_ops(book)
    assert shown["cells"] == []
    assert first["backup"] in shown["note"] and "will be listed once" in shown["note"]
    assert "no longer kept" not in shown["note"]
    table = ok("history", "-t", str(book)).stdout
    assert "?" in table
    for p in hold.iterdir():
        where, _, name = p.name.partition("-")
        target = folder / name if where == "esp-backups" else folder / where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        p.rename(target)
    (again,) = outside_ops(book)
    assert [(c["cell"], c["after"]) for c in again["cells"]] == [("E4", "N777")]
    assert again["note"] == ""


def test_the_cells_survive_the_backups_being_deleted_by_hand(book: Path) -> None:
    """The team clears the backups folder before history first asks: the two states the
    cells are worked out from are kept aside until they are worked out."""
    _first, outside, _second = _noticed_save(book)
    folder = book.parent / "esp-backups"
    for backup in folder.glob("*.xlsx"):
        backup.unlink()
    (shown,) = outside_ops(book)
    assert [(c["cell"], c["after"]) for c in shown["cells"]] == [("E4", "N777")]
    kept = history.worked_out_dir(log_of(book))
    assert (kept / f"{outside['op']}.json").is_file()
    assert not list(kept.glob("*.xlsx"))  # let go once the cells are kept


def test_a_write_after_an_outside_save_keeps_no_copy_once_its_cells_are_kept(book: Path) -> None:
    _first, outside, _second = _noticed_save(book)
    kept = history.worked_out_dir(log_of(book))
    assert sorted(p.name for p in kept.glob("*.xlsx")) == sorted(
        [f"{outside['op']}.from.xlsx", f"{outside['op']}.to.xlsx"]
    )
    outside_ops(book)
    assert not list(kept.glob("*.xlsx"))


# -- esp's own added columns ---------------------------------------------------------------------


@pytest.mark.parametrize("header_row_recorded", [True, False], ids=["row", "no-row"])
def test_a_column_esp_added_is_not_changed_outside_esp(
    tmp_path: Path, header_row_recorded: bool
) -> None:
    headers = [h for h in TRACKER_HEADERS if h != "TBT Notes"]
    path = make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "ESP Tracker": [headers, *([*row(*a)[: len(headers)]] for a in AGENTS)],
            "Lists": [["Access"], ["No Issues"]],
        },
        title_rows=1,
    )
    ok("note", "add", "Ann Lee", "x", "--tbt", "--by", "Jo", "-t", str(path))
    (added,) = entries(path)[0]["added_columns"]
    assert added["row"] == 2
    if not header_row_recorded:  # as an older esp recorded it
        log_of(path).write_bytes(log_of(path).read_bytes().replace(b',"row":2}', b"}", 1))
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["E4"] = "N777"
    wb["Lists"]["A2"] = "Manual"
    wb.save(path)
    note(path, "Bob Ray", "second")
    (shown,) = outside_ops(path)
    assert [(c["sheet"], c["cell"], c["after"]) for c in shown["cells"]] == [
        ("ESP Tracker", "E4", "N777"),
        ("Lists", "A2", "Manual"),
    ]


# -- sheets renamed, saves that changed no value -----------------------------------------------


def test_a_cell_changed_in_a_sheet_renamed_outside_esp_is_listed(book: Path) -> None:
    note(book, "Ann Lee", "first")
    wb = openpyxl.load_workbook(book)
    wb["Lists"].title = "Lists 2"
    wb["Lists 2"]["A2"] = "Manual"
    wb.save(book)
    note(book, "Bob Ray", "second")
    (shown,) = outside_ops(book)
    assert [(c["sheet"], c["cell"], c["before"], c["after"]) for c in shown["cells"]] == [
        ("Lists 2", "A2", "Access", "Manual")
    ]
    assert "Lists renamed Lists 2" in shown["note"]
    assert "added" not in shown["note"] and "removed" not in shown["note"]


def test_a_save_that_changed_no_value_shows_no_cell_not_a_question_mark(book: Path) -> None:
    note(book, "Ann Lee", "first")
    wb = openpyxl.load_workbook(book)  # a column widened: the sheet's part changed
    wb["ESP Tracker"].column_dimensions["B"].width = 30
    wb.save(book)
    note(book, "Bob Ray", "second")
    assert entries(book)[1]["diff"]["sheets"] != []
    (shown,) = outside_ops(book)
    assert shown["cells"] == [] and shown["note"] == ""
    res = ok("history", "-t", str(book), "--limit", "2")
    (line,) = [ln for ln in res.stdout.splitlines() if "changed outside esp" in ln]
    assert "?" not in line and " 0 " in line


def test_a_save_that_changed_no_sheet_shows_no_cell_not_a_question_mark(book: Path) -> None:
    note(book, "Ann Lee", "first")
    props = {
        "docProps/core.xml": lambda x: x.replace(
            b"</cp:coreProperties>", b"<dc:title>T</dc:title></cp:coreProperties>"
        )
    }
    save_as_excel_would(book, props)
    note(book, "Bob Ray", "second")
    res = ok("history", "-t", str(book))
    (line,) = [ln for ln in res.stdout.splitlines() if "changed outside esp" in ln]
    assert "?" not in line


# -- long commands -------------------------------------------------------------------------------


def test_a_long_command_is_no_change_outside_esp(book: Path) -> None:
    """A note pasted from an e-mail makes a line whose digests sit far from its start."""
    note(book, "Sam Lee", "short")
    note(book, "Ann Lee", "long note " * 600)
    note(book, "Bob Ray", "short")
    assert [e["kind"] for e in entries(book)] == ["write", "write", "write"]


def test_a_long_command_of_an_older_log_is_read_whole(book: Path) -> None:
    """An entry written before the digests came first (the command before them)."""
    note(book, "Sam Lee", "short")
    note(book, "Ann Lee", "long note " * 600)
    head, line = log_of(book).read_bytes().rstrip(b"\n").split(b"\n")
    data = json.loads(line)
    old_order = ["op", "kind", "state", "time", "signer", "login", "machine", "esp_version",
                 "command", "digest_before", "digest_after", "backup", "undoes", "note",
                 "cells_omitted", "added_columns", "parts", "cells"]  # fmt: skip
    old = {k: data[k] for k in old_order if k in data}
    assert len(json.dumps(old)) > 5000 and json.dumps(old).index("digest_after") > 4096
    old_line = json.dumps(old, ensure_ascii=False, separators=(",", ":")).encode()
    log_of(book).write_bytes(head + b"\n" + old_line + b"\n")
    note(book, "Bob Ray", "short")
    assert [e["kind"] for e in entries(book)] == ["write", "write", "write"]


def test_a_stopped_write_of_a_long_command_is_settled(book: Path) -> None:
    note(book, "Ann Lee", "long note " * 600)
    log = log_of(book)
    line = log.read_bytes()
    # Stopped before the tracker was replaced: the entry is still pending.
    log.write_bytes(line.replace(b'"state":"written"', b'"state":"pending"', 1))
    before = json.loads(line)["digest_before"]
    history.settle(log, before)
    assert log.read_bytes() == b""


def test_a_shared_older_log_tells_trackers_apart_whatever_the_commands_length() -> None:
    """A log kept before trackers were told apart: a write's line is the .xlsx's by its
    backup's suffix, found however long the command before it."""
    line = json.dumps(
        {"op": "1a2b3c4d", "kind": "write", "command": "esp note add x '" + "y" * 9000 + "'",
         "digest_before": "aa", "digest_after": "bb",
         "backup": "ESP Tracker.2026-12-01_101500.op-1a2b3c4d.xlsx", "cells": []},
        separators=(",", ":"),
    ).encode()  # fmt: skip
    assert history.ours(Path("ESP Tracker.xlsx"))(line)
    assert not history.ours(Path("ESP Tracker.xlsm"))(line)


def test_without_hard_links_the_states_are_copied_aside(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk without hard links (FAT, some network shares): copies are set aside."""

    def no_links(*_args: Any) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    _first, outside, _second = _noticed_save(book)
    for backup in (book.parent / "esp-backups").glob("*.xlsx"):
        backup.unlink()
    (shown,) = outside_ops(book)
    assert [(c["cell"], c["after"]) for c in shown["cells"]] == [("E4", "N777")]

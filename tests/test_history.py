"""The operation log, esp history and esp undo: every write recorded, any esp write reversible."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import load_config
from esp_cli.core import oplog
from esp_cli.errors import ConfigError, ExitCode
from esp_cli.workbook import history
from esp_cli.workbook.xlsx import safety

from .factories import logged_write, master, tracker

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "esp_cli" / "sample" / "ESP Tracker.xlsx"
AGENTS = [
    {"Class": "A", "Agent Name": "Ann Lee", "Agent ID": "E1", "Notes": "11/20/2026 - Jo - Hi"},
    {"Class": "A", "Agent Name": "Bob Ray", "Agent ID": "E2", "Citrix TBT Access": "No Issues"},
    {"Class": "B", "Agent Name": "Sam Lee", "Agent ID": "E3"},
    {"Class": "B", "Agent Name": "Sam Lee", "Agent ID": "E4"},
]
# factories.TRACKER_HEADERS under one title row: Ann is row 3, Bob 4; N Number E, request F,
# Citrix TBT Access J, Notes K, TBT Notes L.


def esp(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> Any:
    res = esp(*args)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


def log_of(path: Path) -> Path:
    return path.parent / "esp-backups" / f"{path.name}.history.jsonl"


def entries(path: Path) -> list[dict[str, Any]]:
    log = log_of(path)
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def cell(path: Path, ref: str, sheet: str = "ESP Tracker") -> Any:
    return openpyxl.load_workbook(path)[sheet][ref].value


def history_json(path: Path, *args: str) -> dict[str, Any]:
    res = ok("history", "-t", str(path), "--format", "json", *args)
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def edit_in_excel(path: Path, changes: dict[str, Any]) -> None:
    """Someone saves the tracker outside esp (openpyxl stands in for Excel)."""
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb["ESP Tracker"][ref] = value
    wb.save(path)


# -- the log -------------------------------------------------------------------------------


def test_a_note_an_access_change_and_a_sync_are_listed_with_their_cells(
    book: Path, tmp_path: Path
) -> None:
    (tmp_path / "m").mkdir()
    mst = master(tmp_path / "m" / "master.xlsx", [("A", "Ann Lee", "E1", None, "N9", "11/09/2026")])
    t = str(book)
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", t)
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Al", "--date", "2026-11-24", "-t", t)
    ok("sync-nnumbers", "--from", str(mst), "-t", t)

    data = history_json(book)
    ops = data["operations"]
    assert [o["kind"] for o in ops] == ["write"] * 3
    assert [o["command"].split()[1] for o in ops] == ["sync-nnumbers", "access", "note"]
    sync, access, note = ops
    assert note["signer"] == "Jo" and access["signer"] == "Al" and sync["signer"] is None
    assert all(o["login"] and o["machine"] and o["esp_version"] for o in ops)
    assert note["command"] == (f"esp note add 'Ann Lee' Called --by Jo --date 2026-11-24 -t '{t}'")
    assert [(c["cell"], c["agent"], c["column"]) for c in note["cells"]] == [
        ("K3", "Ann Lee", "Notes")
    ]
    assert note["cells"][0]["before"] == "11/20/2026 - Jo - Hi"
    assert note["cells"][0]["after"] == "11/20/2026 - Jo - Hi\n11/24/2026 - Jo - Called"
    assert {(c["cell"], c["column"]) for c in access["cells"]} == {
        ("J4", "Citrix TBT Access"),
        ("L4", "TBT Notes"),
    }
    assert {c["cell"]: c["after"] for c in sync["cells"]} == {
        "E3": "N9",
        "F3": {"date": "2026-11-09"},
    }
    # One chain of digests: each write starts from what the one before left.
    assert note["digest_after"] == access["digest_before"]
    assert access["digest_after"] == sync["digest_before"]
    assert sync["digest_after"] == safety.digest_of(book)
    for o in ops:
        backup = book.parent / "esp-backups" / o["backup"]
        assert backup.is_file() and f".op-{o['op']}." in o["backup"]
        assert safety.digest_of(backup) == o["digest_before"]
    assert "before_xml" not in note["cells"][0]  # the log keeps it; history does not show it


def test_the_log_is_json_lines_with_each_cells_xml_before(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(book))
    (entry,) = entries(book)
    assert re.fullmatch(r"[0-9a-f]{8}", entry["op"])
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None
    (c,) = entry["cells"]
    assert c["before_xml"].startswith('<c r="K3"') and "11/20/2026 - Jo - Hi" in c["before_xml"]


def test_a_dry_run_records_nothing(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--dry-run", "-t", str(book))
    assert entries(book) == []
    res = ok("history", "-t", str(book))
    assert "no operations recorded" in res.stdout


def test_a_write_that_changes_nothing_records_nothing(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", str(book))
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", str(book))
    assert len(entries(book)) == 1


def test_the_command_is_recorded_without_secrets() -> None:
    assert history.typed_command(["report", "eod", "--password", "hunter2", "--by", "Jo"]) == (
        "esp report eod --password '***' --by Jo"
    )
    assert history.typed_command(["x", "--smtp-password=hunter2"]) == (
        "esp x '--smtp-password=***'"
    )
    assert history.typed_command(None) == ""


# -- changed outside esp ---------------------------------------------------------------------


def test_a_save_outside_esp_between_two_writes_appears_with_its_cells(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(book))
    edit_in_excel(book, {"E4": "N777", "C3": "E1"})  # N Number typed in; one cell the same
    ok("note", "add", "Bob Ray", "Checked", "--by", "Jo", "-t", str(book))

    ops = history_json(book)["operations"]
    assert [o["kind"] for o in ops] == ["write", "outside", "write"]
    outside = ops[1]
    assert [(c["sheet"], c["cell"], c["before"], c["after"]) for c in outside["cells"]] == [
        ("ESP Tracker", "E4", None, "N777")
    ]
    assert (outside["cells"][0]["agent"], outside["cells"][0]["column"]) == ("Bob Ray", "N Number")
    assert outside["digest_before"] == ops[2]["digest_after"]
    assert outside["digest_after"] == ops[0]["digest_before"]
    table = ok("history", "-t", str(book)).stdout
    assert "changed outside esp" in table
    bob = ok("history", "Bob Ray", "-t", str(book)).stdout
    assert "changed outside esp" in bob and "N777" in bob and "Checked" in bob


def test_an_outside_save_is_listed_without_cells_when_the_backup_is_gone(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(book))
    (first,) = entries(book)
    (book.parent / "esp-backups" / first["backup"]).unlink()
    edit_in_excel(book, {"E4": "N777"})
    ok("note", "add", "Bob Ray", "Checked", "--by", "Jo", "-t", str(book))
    outside = history_json(book)["operations"][1]
    assert outside["kind"] == "outside" and outside["cells"] == []
    assert f"the backup {first['backup']} (operation {first['op']}) is not in" in outside["note"]


# -- esp history ------------------------------------------------------------------------------


def test_history_selects_by_signer_day_and_count(book: Path) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Jo Park", "-t", str(book))
    ok("note", "add", "Bob Ray", "two", "--by", "Al", "-t", str(book))
    ok("note", "add", "Ann Lee", "three", "--by", "Jo Park", "-t", str(book))
    by_jo = history_json(book, "--by", "jo park")["operations"]
    assert [o["cells"][0]["after"].rsplit(" - ", 1)[1] for o in by_jo] == ["three", "one"]
    assert len(history_json(book, "--limit", "1")["operations"]) == 1
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert history_json(book, "--since", tomorrow)["operations"] == []
    assert len(history_json(book, "--since", date.today().isoformat())["operations"]) == 3
    res = esp("history", "-t", str(book), "--limit", "2")
    assert res.exit_code == 0 and "Showing the newest 2 of 3" in res.stderr
    csv = ok("history", "-t", str(book), "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("op,kind,time,signer") and len(csv) == 4


def by_refused(book: Path, by: str) -> str:
    """What esp history --by BY says, listing operations or cells alike: one line, a usage
    error."""
    said = set()
    for cells in ([], ["--cells"]):
        res = esp("history", "--by", by, *cells, "-t", str(book))
        assert res.exit_code == ExitCode.USAGE, res.output
        assert res.stdout == "" and res.stderr.count("\n") == 1
        said.add(res.stderr)
    assert len(said) == 1, said
    return said.pop()


def test_history_by_takes_the_name_in_either_order_and_refuses_a_name_nobody_signed(
    book: Path,
) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Tom Alvarez", "-t", str(book))
    ok("note", "add", "Bob Ray", "two", "--by", "Al", "-t", str(book))
    for by in ("Alvarez Tom", "Alvarez, Tom", "tom", "TOM ALVAREZ"):
        ops = history_json(book, "--by", by)["operations"]
        assert [o["signer"] for o in ops] == ["Tom Alvarez"], by
        cells = history_json(book, "--by", by, "--cells")["cells"]
        assert [c["agent"] for c in cells] == ["Ann Lee"], by
    said = by_refused(book, "Nobody Here")
    assert "signed by 'Nobody Here'" in said
    assert "Fix: give --by one of the names that signed: Al, Tom Alvarez." in said
    # A signer with nothing in the chosen days is an empty day, not a mistyped name.
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert history_json(book, "--by", "Al", "--since", tomorrow)["operations"] == []


def test_history_by_names_a_signer_as_any_name_typed_names_a_person(book: Path) -> None:
    """--by is taken as an agent's or an SME's name is: without its accents, by the start
    of its words; a name two signers share is asked, never both listed."""
    ok("note", "add", "Ann Lee", "one", "--by", "Zoë Núñez", "-t", str(book))
    ok("note", "add", "Bob Ray", "two", "--by", "Tom Alvarez", "-t", str(book))
    ok("note", "add", "Ann Lee", "three", "--by", "Tomás Ruiz", "-t", str(book))
    for by, signer in (("Zoe Nunez", "Zoë Núñez"), ("zoe", "Zoë Núñez"), ("alv", "Tom Alvarez"),
                       ("Tomas", "Tomás Ruiz"), ("Tom Alvarez", "Tom Alvarez")):  # fmt: skip
        ops = history_json(book, "--by", by)["operations"]
        assert [o["signer"] for o in ops] == [signer], by
    said = by_refused(book, "Tom")
    assert "'Tom' names 2 signers" in said and "(Tom Alvarez, Tomás Ruiz)" in said
    # Of Ann Lee's changes, only Tomás Ruiz's are signed by a Tom.
    ann = json.loads(ok("history", "Ann Lee", "--by", "Tom", "-t", str(book), "-f", "json").stdout)
    assert [c["after"].rsplit(" - ", 2)[1:] for c in ann["changes"]] == [["Tomás Ruiz", "three"]]


def test_what_did_i_do_today_lists_each_cell_written_with_its_agent(book: Path) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Jo Park", "-t", str(book))
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Jo Park", "-t", str(book))
    ok("note", "add", "Bob Ray", "not mine", "--by", "Al", "-t", str(book))
    res = ok("history", "--by", "Jo Park", "--since", "today", "-t", str(book))
    assert "Cells written by Jo Park since" in res.stdout
    rows = [line for line in res.stdout.splitlines() if line.startswith("│")]
    shown = "\n".join(rows)
    assert "Ann Lee" in shown and "Bob Ray" in shown and "Citrix TBT Access" in shown
    assert "not mine" not in res.stdout
    # The same as data: a row per cell, with the agent and its class.
    data = history_json(book, "--by", "jo", "--since", "today", "--cells")
    assert [(c["agent"], c["column"]) for c in data["cells"]] == [
        ("Bob Ray", "Citrix TBT Access"),
        ("Bob Ray", "TBT Notes"),
        ("Ann Lee", "Notes"),
    ]
    assert data["cells"][0]["after"] == "Password Reset" and data["cells"][0]["class"] == "A"
    csv = ok("history", "--by", "jo", "--cells", "-f", "csv", "-t", str(book)).stdout
    header = "op,kind,time,signer,login,sheet,cell,agent,class,column,before,after"
    assert csv.splitlines()[0] == header
    # JSON without --cells keeps its one shape: the operations.
    assert "operations" in history_json(book, "--by", "jo")


def test_the_cells_written_leave_out_a_change_dropped_unwritten(book: Path) -> None:
    """A note that waited (the tracker open in Excel) and was dropped was never written: "what
    did I do today" does not list its cell."""
    from tests.support.windows import excel_owner_file

    ok("note", "add", "Ann Lee", "one", "--by", "Jo Park", "-t", str(book))
    owner = book.parent / f"~${book.name}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    waited = esp("note", "add", "Bob Ray", "never written", "--by", "Jo Park", "-t", str(book))
    assert waited.exit_code == ExitCode.WAITING, waited.output
    owner.unlink()
    listed = json.loads(ok("pending", "-t", str(book), "-f", "json").stdout)["operations"]
    (op,) = [o["op"] for o in listed]
    ok("pending", "drop", op, "-t", str(book))
    for who in ([], ["--by", "Jo Park"]):
        data = history_json(book, *who, "--since", "today", "--cells")
        assert [c["agent"] for c in data["cells"]] == ["Ann Lee"], who


def test_history_of_an_agent_is_that_rows_cells_change_by_change(book: Path) -> None:
    t = str(book)
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "--date", "2026-11-23", "-t", t)
    ok("note", "add", "Bob Ray", "two", "--by", "Jo", "-t", t)
    ok("note", "add", "E1", "three", "--by", "Jo", "--date", "2026-11-24", "-t", t)
    res = ok("history", "ann lee", "-t", t, "--format", "json")
    data = json.loads(res.stdout)
    assert data["agent"] == "Ann Lee" and data["row"] == 3
    assert [c["after"].splitlines()[-1] for c in data["changes"]] == [
        "11/24/2026 - Jo - three",
        "11/23/2026 - Jo - one",
    ]
    # Two agents of one name: the row chosen is the one whose cells are shown.
    ok("note", "add", "E4", "for the second Sam", "--by", "Jo", "-t", t)
    assert json.loads(ok("history", "E3", "-t", t, "--format", "json").stdout)["changes"] == []
    second = json.loads(ok("history", "E4", "-t", t, "--format", "json").stdout)
    assert len(second["changes"]) == 1 and second["row"] == 6
    res = esp("history", "Sam Lee", "-t", t)
    assert res.exit_code == ExitCode.BAD_INPUT and "matches 2 agents" in res.stderr


def test_history_of_an_agent_follows_the_agent_after_a_sort(book: Path) -> None:
    t = str(book)
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "--date", "2026-11-23", "-t", t)
    ok("note", "add", "Bob Ray", "two", "--by", "Jo", "--date", "2026-11-23", "-t", t)
    sort_in_excel(book, lambda r: r[1] != "Bob Ray")  # Bob is row 3 now, Ann row 4
    ok("note", "add", "Ann Lee", "three", "--by", "Jo", "--date", "2026-11-24", "-t", t)
    ann = json.loads(ok("history", "Ann Lee", "-t", t, "--format", "json").stdout)
    assert ann["row"] == 4
    writes = [c for c in ann["changes"] if c["kind"] == "write"]
    assert [(c["cell"], c["after"].splitlines()[-1]) for c in writes] == [
        ("K4", "11/24/2026 - Jo - three"),
        ("K3", "11/23/2026 - Jo - one"),  # where her row was then
    ]
    # The sort itself changed her row's cells outside esp: listed, and only in her row.
    assert {c["cell"][1:] for c in ann["changes"] if c["kind"] == "outside"} == {"4"}
    bob = json.loads(ok("history", "Bob Ray", "-t", t, "--format", "json").stdout)
    writes = [c for c in bob["changes"] if c["kind"] == "write"]
    assert [c["after"].splitlines()[-1] for c in writes] == ["11/23/2026 - Jo - two"]


def test_a_damaged_log_line_is_skipped_with_a_warning_naming_it(book: Path) -> None:
    for text in ("one", "two", "three"):
        ok("note", "add", "Ann Lee", text, "--by", "Jo", "-t", str(book))
    log = log_of(book)
    lines = log.read_bytes().split(b"\n")
    lines[1] = b'{"op": "garbage'  # line 2 damaged
    log.write_bytes(b"\n".join(lines[:3]) + b"\n" + lines[2][:40])  # line 4 cut short
    res = esp("history", "-t", str(book), "--format", "json")
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["operations"]) == 2
    assert "line 2 is not a whole history entry" in res.stderr
    assert "line 4 is not a whole history entry" in res.stderr
    # The next write starts a line of its own: the cut-short line stays the only damage.
    ok("note", "add", "Bob Ray", "four", "--by", "Jo", "-t", str(book))
    res = esp("history", "-t", str(book), "--format", "json")
    assert len(json.loads(res.stdout)["operations"]) == 3
    assert res.stderr.count("is not a whole history entry") == 2


# -- esp undo ---------------------------------------------------------------------------------


def _cells_and_lists(path: Path) -> dict[str, Any]:
    """Every cell element of every sheet (formulas included), and the sheets' drop-downs."""
    out: dict[str, Any] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            data = z.read(name)
            out[name] = re.findall(rb"<c\b[^>]*?(?:/>|>.*?</c>)", data, re.S)
            out[name + "#lists"] = re.findall(
                rb"<dataValidations\b.*?</dataValidations>|<extLst>.*?</extLst>", data, re.S
            )
    return out


def test_undo_restores_exactly_the_cells_before_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "ESP Tracker.xlsx"
    shutil.copyfile(SAMPLE, path)
    original = _cells_and_lists(path)
    t = str(path)
    ok(
        "access",
        "set",
        "Kevin Tran",
        "Password Reset",
        "--spoc-called",
        "2026-11-23",
        "--incident",
        "INC42",
        "--phone",
        "513-555-0131",
        "--by",
        "Jo",
        "-t",
        t,
    )
    ok("note", "add", "Sofia Rossi", "Called", "--by", "Jo", "-t", t)
    assert _cells_and_lists(path) != original
    res = ok("undo", "-t", t)  # the note
    assert "Sofia Rossi" in res.stdout and "Put back 1 cell(s)" in res.stdout
    res = ok("undo", "-t", t)  # then the access change
    assert "Kevin Tran" in res.stdout
    assert _cells_and_lists(path) == original
    ops = history_json(path)["operations"]
    assert [o["kind"] for o in ops] == ["undo", "undo", "write", "write"]
    assert ops[0]["undoes"] == ops[3]["op"] and ops[1]["undoes"] == ops[2]["op"]


def test_an_undo_reads_the_tracker_ahead_while_it_reads_the_log(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """esp undo starts reading the tracker, made ready for a write, before it reads the log;
    its own open takes what was read (the file holds the same bytes)."""
    from esp_cli.services import inputs
    from esp_cli.workbook.xlsx import reader

    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", str(book))
    started: list[tuple[Path, bool]] = []
    read_ahead = inputs.read_ahead

    def recorded(path: Path, write: bool = False, every_row: bool = False) -> None:
        started.append((path, write))
        read_ahead(path, write, every_row)

    monkeypatch.setattr(inputs, "read_ahead", recorded)
    ok("undo", "-t", str(book))
    assert started == [(book, True)]
    assert reader.take_read_ahead(book) is None  # taken by the undo's open
    assert cell(book, "K3") == "11/20/2026 - Jo - Hi"


def test_an_undo_can_be_undone(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", str(book))
    after = cell(book, "K3")
    ok("undo", "-t", str(book))
    assert cell(book, "K3") == "11/20/2026 - Jo - Hi"
    undo_op = entries(book)[-1]["op"]
    ok("undo", undo_op[:5], "-t", str(book))
    assert cell(book, "K3") == after
    res = esp("undo", undo_op, "-t", str(book))
    assert res.exit_code == ExitCode.FAILED and "already undone" in res.stderr


def test_undo_with_nothing_to_undo_says_so(book: Path) -> None:
    res = esp("undo", "-t", str(book))
    assert res.exit_code == ExitCode.FAILED and "nothing to undo" in res.stderr
    assert res.stdout == ""
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(book))
    for bad, expect in (("zz", "too short"), ("ffffffff", "No operation")):
        res = esp("undo", bad, "-t", str(book))
        assert res.exit_code == ExitCode.USAGE and expect in res.stderr


def test_an_undo_whose_cell_was_edited_since_is_refused_naming_the_conflict(book: Path) -> None:
    t = str(book)
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Al", "-t", t)
    edit_in_excel(book, {"J4": "Learning Hub Issue"})
    before = book.read_bytes()
    log = log_of(book).read_bytes()
    res = esp("undo", "-t", t)
    assert res.exit_code == ExitCode.FAILED
    assert res.stdout == ""
    assert "ESP Tracker!J4 (Citrix TBT Access, Bob Ray)" in res.stderr
    assert "'Password Reset'" in res.stderr and "'Learning Hub Issue'" in res.stderr
    assert "--skip-conflicts" in res.stderr
    assert book.read_bytes() == before and log_of(book).read_bytes() == log
    # --dry-run shows the same refusal; --skip-conflicts puts back the other cell only.
    assert esp("undo", "--dry-run", "-t", t).exit_code == ExitCode.FAILED
    res = ok("undo", "--skip-conflicts", "-t", t, "--format", "csv")
    assert "Skipped ESP Tracker!J4" in res.stderr and "formatting is kept" in res.stderr
    assert cell(book, "J4") == "Learning Hub Issue" and cell(book, "L4") is None
    # The CSV has the cell left out too, after the ones put back, each with its status.
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0])[-3:] == ["waiting_op", "status", "reason"]
    assert [(r["cell"], r["status"]) for r in rows if r["status"] == "left_out"] == [
        ("J4", "left_out")
    ]
    (left,) = [r for r in rows if r["status"] == "left_out"]
    # As the cell is now (unchanged), what the undo would have put back in the reason.
    assert (left["old"], left["new"]) == ("Learning Hub Issue", "Learning Hub Issue")
    assert left["reason"].startswith("changed since operation ")
    assert left["reason"].endswith("would put back 'No Issues'")
    assert any(r["cell"] == "L4" and r["status"] == "changed" for r in rows)


def test_a_later_esp_write_to_the_cell_is_a_conflict_too(book: Path) -> None:
    t = str(book)
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "-t", t)
    first = entries(book)[0]["op"]
    ok("note", "add", "Ann Lee", "two", "--by", "Jo", "-t", t)
    res = esp("undo", first, "-t", t)
    assert res.exit_code == ExitCode.FAILED and "ESP Tracker!K3" in res.stderr


def test_undo_dry_run_shows_the_cells_and_writes_nothing(book: Path) -> None:
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", str(book))
    before = book.read_bytes()
    res = ok("undo", "--dry-run", "-t", str(book), "--format", "json")
    data = json.loads(res.stdout)
    assert data["dry_run"] is True and data["op"] is None
    assert [(c["cell"], c["new"]) for c in data["changes"]] == [("K3", "11/20/2026 - Jo - Hi")]
    assert book.read_bytes() == before and len(entries(book)) == 1


def test_undo_empties_a_column_esp_added_and_leaves_its_header(tmp_path: Path) -> None:
    path = tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "A", "Agent Name": "Ann Lee", "ESP Start Date": date(2026, 11, 16)}],
    )
    ok("record-step", "Ann Lee", "coaching", "--date", "2026-11-19", "--by", "Jo", "-t", str(path))
    (entry,) = entries(path)
    (added,) = entry["added_columns"]
    letter = added["column"]
    assert cell(path, f"{letter}3") is not None
    res = ok("undo", "-t", str(path))
    assert f"Column ESP Tracker!{letter} '{added['header']}'" in res.stderr
    assert "header is left" in res.stderr
    assert cell(path, f"{letter}2") == added["header"] and cell(path, f"{letter}3") is None
    assert cell(path, "K3") is None  # the note line went with it


def sort_in_excel(path: Path, key: Any, edits: dict[str, Any] | None = None) -> None:
    """Someone edits the tracker in Excel, then sorts its agent rows (row 3 down) by `key`
    (a function of a row's values) and saves."""
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    for ref, value in (edits or {}).items():
        ws[ref] = value
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    for r, values in enumerate(sorted(rows, key=key), start=3):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value
    wb.save(path)


def test_undo_after_a_sort_puts_back_the_agents_own_cells(book: Path) -> None:
    """The access set wrote Bob's row 4; in Excel Ann got the same access, then the sheet
    was sorted by ID descending, so Ann is now row 4 with the very value Bob was given.
    Undo finds Bob again (by his Agent ID) and leaves Ann's cells as they are."""
    t = str(book)
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Al", "--date", "2026-11-24", "-t", t)
    sort_in_excel(book, lambda r: r[2], {"J3": "Password Reset"})  # E1 Ann, E2 Bob, ...
    sort_in_excel(book, lambda r: r[2] != "E2")  # Bob first: Bob row 3, Ann row 4
    assert (cell(book, "B3"), cell(book, "B4")) == ("Bob Ray", "Ann Lee")
    assert cell(book, "J4") == "Password Reset"  # Ann's, same value as written to Bob
    res = ok("undo", "-t", t, "--format", "json")
    data = json.loads(res.stdout)
    assert sorted((c["cell"], c["agent"]) for c in data["changes"]) == [
        ("J3", "Bob Ray"),
        ("L3", "Bob Ray"),
    ]
    assert cell(book, "J3") == "No Issues" and cell(book, "L3") is None  # Bob's, put back
    assert cell(book, "J4") == "Password Reset"  # Ann's, untouched
    assert cell(book, "K4") == "11/20/2026 - Jo - Hi"


def test_undo_refuses_a_cell_whose_agent_cannot_be_found_naming_the_agent(book: Path) -> None:
    t = str(book)
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Al", "-t", t)
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", t)
    first = entries(book)[0]["op"]
    # Bob's row now holds another agent with the same access (Bob left the class).
    sort_in_excel(book, lambda r: 0, {"B4": "Cy Dee", "C4": "E9"})
    before = book.read_bytes()
    res = esp("undo", first, "-t", t)
    assert res.exit_code == ExitCode.FAILED, res.output
    assert "2 cell(s) whose agent cannot be found again" in res.stderr
    assert "ESP Tracker!J4 (Citrix TBT Access, Bob Ray): Bob Ray cannot be found" in res.stderr
    assert "no row has its Agent ID E2 or name in class A any more" in res.stderr
    # Bob's row is gone: nothing tells two agents apart, and leaving his cells out is the fix.
    assert "Fix: pass --skip-conflicts to put back only the other cells." in res.stderr
    assert "tell them apart" not in res.stderr
    assert book.read_bytes() == before
    # --skip-conflicts leaves those cells; the other agents' cells are not touched.
    res = ok("undo", first, "--skip-conflicts", "-t", t, "--format", "json")
    data = json.loads(res.stdout)
    assert data["changes"] == [] and len(data["skipped_conflicts"]) == 2
    assert data["skipped_conflicts"][0]["reason"].startswith("Bob Ray cannot be found")
    assert cell(book, "J4") == "Password Reset"


def test_undo_refuses_when_two_rows_answer_to_the_agent(book: Path) -> None:
    t = str(book)
    ok("note", "add", "E4", "second Sam", "--by", "Jo", "-t", t)
    # Sam's row copied over Ann's in Excel: two rows are Sam Lee, E4, class B.
    edit_in_excel(book, {"A3": "B", "B3": "Sam Lee", "C3": "E4", "K3": cell(book, "K6")})
    res = esp("undo", "-t", t)
    assert res.exit_code == ExitCode.FAILED, res.output
    assert "Sam Lee cannot be found: 2 rows have its Agent ID E4" in res.stderr
    assert "(ESP Tracker!row 3, ESP Tracker!row 6)" in res.stderr
    # A typo instead (Ann's ID now E4 too): her name tells the rows apart.
    edit_in_excel(book, {"A3": "A", "B3": "Ann Lee", "K3": "11/20/2026 - Jo - Hi"})
    res = ok("undo", "-t", t, "--format", "json")
    assert [c["cell"] for c in json.loads(res.stdout)["changes"]] == ["K6"]


def test_undo_follows_a_column_moved_in_excel(book: Path) -> None:
    t = str(book)
    ok("note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", "2026-11-24", "-t", t)
    wb = openpyxl.load_workbook(book)
    wb["ESP Tracker"].insert_cols(2)  # a new column B: Notes moves from K to L
    wb.save(book)
    assert cell(book, "L3").endswith("11/24/2026 - Jo - Called")
    res = ok("undo", "-t", t, "--format", "json")
    assert [c["cell"] for c in json.loads(res.stdout)["changes"]] == ["L3"]
    assert cell(book, "L3") == "11/20/2026 - Jo - Hi" and cell(book, "K3") is None


def test_an_entry_recorded_before_agent_ids_still_finds_the_agent_by_name(book: Path) -> None:
    t = str(book)
    ok("access", "set", "Bob Ray", "Password Reset", "--by", "Al", "-t", t)
    log = log_of(book)
    old = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for entry in old:
        for c in entry["cells"]:
            del c["agent_id"], c["email"]  # as esp recorded them before
    log.write_text("".join(json.dumps(e) + "\n" for e in old), encoding="utf-8")
    sort_in_excel(book, lambda r: r[2] != "E2", {"J3": "Password Reset"})
    res = ok("undo", "-t", t, "--format", "json")
    assert sorted(c["cell"] for c in json.loads(res.stdout)["changes"]) == ["J3", "L3"]
    assert cell(book, "J3") == "No Issues" and cell(book, "J4") == "Password Reset"


# -- failures -----------------------------------------------------------------------------------


def test_a_log_that_cannot_be_read_stops_the_write(book: Path) -> None:
    log_of(book).mkdir(parents=True)  # a folder where the log should be
    before = book.read_bytes()
    res = esp("note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(book))
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "history log cannot be read" in res.stderr and "nothing was written" in res.stderr
    assert res.stderr.count("\n") == 1 and res.stdout == ""
    assert book.read_bytes() == before


def test_a_log_that_cannot_be_written_stops_the_write_before_the_tracker_is_touched(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "-t", str(book))
    before, log = book.read_bytes(), log_of(book).read_bytes()
    real_open = Path.open

    def refuse_append(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name.endswith(".history.jsonl") and "a" in mode:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse_append)
    res = esp("note", "add", "Ann Lee", "two", "--by", "Jo", "-t", str(book))
    monkeypatch.undo()
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "history log cannot be written (Permission denied)" in res.stderr
    assert "the workbook is unchanged" in res.stderr and "Fix:" in res.stderr
    assert res.stderr.count("\n") == 1 and res.stdout == ""
    assert book.read_bytes() == before and log_of(book).read_bytes() == log


# -- backups --------------------------------------------------------------------------------


def _backups(folder: Path, ages_days: list[float], first: int = 0) -> list[Path]:
    out = []
    now = time.time()
    for i, age in enumerate(ages_days, start=first):
        p = folder / f"T.2026-01-01_0000{i:02d}.op-{i:08x}.xlsx"
        p.write_bytes(b"x")
        os.utime(p, (now - age * 86400, now - age * 86400))
        out.append(p)
    return out


def test_backups_are_kept_by_age_and_by_count(tmp_path: Path) -> None:
    folder = tmp_path / "esp-backups"
    folder.mkdir()
    # 40 backups of the last 14 days, 10 older: all the recent ones stay, the old ones go.
    recent = _backups(folder, [i * 0.3 for i in range(40)])
    old = _backups(folder, [20 + i for i in range(10)], first=40)
    safety._prune(folder, tmp_path / "T.xlsx", safety.Retention(days=14, count=30))
    assert all(p.exists() for p in recent) and not any(p.exists() for p in old)


def test_at_least_the_newest_backups_are_kept_however_old(tmp_path: Path) -> None:
    folder = tmp_path / "esp-backups"
    folder.mkdir()
    made = _backups(folder, [30 + i for i in range(12)])
    safety._prune(folder, tmp_path / "T.xlsx", safety.Retention(days=14, count=5))
    assert [p.exists() for p in made] == [True] * 5 + [False] * 7


def test_only_the_trackers_own_backups_are_ever_removed(tmp_path: Path) -> None:
    """A [backup] dir shared by several trackers, and the team's own files beside them: the
    pruning of T.xlsx's backups removes its old backups and nothing else, however old."""
    folder = tmp_path / "shared"
    folder.mkdir()
    mine = _backups(folder, [20 + i for i in range(3)])
    others = [
        "T.2026-09.xlsx",  # the team's September tracker
        "T.2026-09.2026-01-01_000001.op-0000aaaa.xlsx",  # that tracker's backups
        "T.2026-09.2026-01-01_000002.123456.xlsx",
        "T 2.2026-01-01_000001.op-0000bbbb.xlsx",  # another tracker's
        "T.2026-01-01_000001.op-0000cccc.xlsm",  # the macro workbook T.xlsm's
        "T.old copy.xlsx",
        "T.2026-01-01_000001.op-0000dddd.xlsx.txt",
        ".T.xlsx.esp-lock",
    ]
    long_ago = time.time() - 400 * 86400
    for name in others:
        (folder / name).write_bytes(b"team")
        os.utime(folder / name, (long_ago, long_ago))
    safety._prune(folder, tmp_path / "T.xlsx", safety.Retention(days=14, count=0))
    assert not any(p.exists() for p in mine)
    assert sorted(p.name for p in folder.iterdir()) == sorted(others)
    # A backup of another tracker being written (its temporary file) is not esp's to clear.
    dead = 2**22 + 1  # above any PID this system hands out
    temp = folder / f".T.2026-09.2026-01-01_000003.op-0000eeee.xlsx.esp-tmp-{dead}-abcdefgh"
    ours = folder / f".T.2026-01-01_000003.op-0000ffff.xlsx.esp-tmp-{dead}-abcdefgh"
    temp.write_bytes(b"x")
    ours.write_bytes(b"x")
    safety.remove_leftovers(tmp_path / "T.xlsx", folder)
    assert temp.exists() and not ours.exists()


def test_archived_round_journals_are_pruned_by_their_exact_names(tmp_path: Path) -> None:
    from esp_cli.config import Config
    from esp_cli.services.round import archive_journal

    folder = tmp_path / "esp-backups"
    folder.mkdir()
    others = [
        "T.round-notes.jsonl",
        "T.round-2.round-2026-01-01_000001_000001.jsonl",
        "T.xlsm.round-2026-01-01_000001_000001.jsonl",  # an .xlsm named alike: its own
    ]
    for name in others:
        (folder / name).write_text("{}\n")
    kept = []
    for i in range(3):
        journal = tmp_path / ".T.xlsx.esp-round.jsonl"
        journal.write_text(f'{{"n": {i}}}\n')
        kept.append(archive_journal(journal, tmp_path / "T.xlsx", Config(backup_keep_count=2)))
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([*others, kept[1].name, kept[2].name])


def test_the_backup_a_write_makes_is_never_removed_by_its_own_pruning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keep_days = 0 and keep_count = 0 (both accepted): the older backups go, the one
    just made stays — it is the one the write names. Made on a clock behind the pruning's
    (a share's), it is older than the cutoff and still stays."""
    folder = tmp_path / "esp-backups"
    folder.mkdir()
    older = _backups(folder, [1, 2])

    class Ahead(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + timedelta(hours=1)

    monkeypatch.setattr(safety, "datetime", Ahead)
    made = safety.make_backup(
        tmp_path / "T.xlsx", b"x", folder, "0000abcd", safety.Retention(days=0, count=0)
    )
    assert made.is_file()
    assert not any(p.exists() for p in older)


def test_with_keep_count_0_every_write_names_a_backup_that_is_there(
    book: Path, tmp_path: Path
) -> None:
    cfg = tmp_path / "esp.toml"
    cfg.write_text("[backup]\nkeep_days = 0\nkeep_count = 0\n", encoding="utf-8")
    args = ("--by", "Jo", "-t", str(book), "--config", str(cfg))
    folder = book.parent / "esp-backups"
    for text in ("first", "second", "third"):
        res = ok("note", "add", "Ann Lee", text, *args, "--format", "json")
        backup = Path(json.loads(res.stdout)["backup"])
        assert backup.is_file(), res.output
        assert [p.name for p in folder.glob("*.xlsx")] == [backup.name]


def test_an_archived_round_journal_stays_with_keep_count_0(tmp_path: Path) -> None:
    from esp_cli.config import Config
    from esp_cli.services.round import archive_journal

    folder = tmp_path / "esp-backups"
    folder.mkdir()
    made = []
    for i in range(2):
        journal = tmp_path / ".T.xlsx.esp-round.jsonl"
        journal.write_text(f'{{"n": {i}}}\n')
        made.append(archive_journal(journal, tmp_path / "T.xlsx", Config(backup_keep_count=0)))
    assert sorted(p.name for p in folder.iterdir()) == [made[1].name]


def test_backup_retention_is_read_from_esp_toml(tmp_path: Path) -> None:
    toml = tmp_path / "esp.toml"
    toml.write_text("[backup]\nkeep_days = 30\nkeep_count = 100\n")
    cfg = load_config(toml)
    assert (cfg.backup_keep_days, cfg.backup_keep_count) == (30, 100)
    assert (load_config(None, cwd=tmp_path / "none").backup_keep_days) == 14
    toml.write_text("[backup]\nkeep_days = -1\n")
    with pytest.raises(ConfigError, match="keep_days"):
        load_config(toml)


# -- values in the log -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [None, "", "text", 3, 2.5, True, date(2026, 11, 24), datetime(2026, 11, 24, 9, 30)],
)
def test_values_read_back_as_they_were_written(value: Any) -> None:
    assert oplog.untag(json.loads(json.dumps(oplog.tag(value)))) == value
    assert type(oplog.untag(oplog.tag(value))) is type(value)


@pytest.mark.parametrize(
    ("now", "recorded", "same"),
    [
        (datetime(2026, 11, 24), date(2026, 11, 24), True),
        (datetime(2026, 11, 24, 9, 29, 59, 999_990), datetime(2026, 11, 24, 9, 30), True),
        (datetime(2026, 11, 25), date(2026, 11, 24), False),
        (True, "Yes", True),
        (False, "Yes", False),
        (None, "", True),
        (7.0, 7, True),
        ("Yes", "yes", False),
        ("N9", None, False),
    ],
)
def test_a_cell_holds_what_was_written_as_excel_reads_it_back(
    now: Any, recorded: Any, same: bool
) -> None:
    assert oplog.same_value(now, recorded) is same


def test_a_write_made_by_a_program_records_no_command_line(book: Path) -> None:
    from esp_cli.config import Config
    from esp_cli.core.notes import NoteKind
    from esp_cli.services.notes import add_note

    ok("note", "add", "Ann Lee", "from the command line", "--by", "Jo", "-t", str(book))
    add_note(
        book, Config(), "Bob Ray", "from a script", kind=NoteKind.NOTES, by="Jo", on=date.today()
    )
    first, second = entries(book)
    assert first["command"].startswith("esp note add 'Ann Lee'")
    assert second["command"] == "" and second["signer"] == "Jo"


def test_a_change_made_outside_esp_is_not_undone_by_esp(book: Path) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "-t", str(book))
    edit_in_excel(book, {"E4": "N777"})
    ok("note", "add", "Bob Ray", "two", "--by", "Jo", "-t", str(book))
    outside = next(e for e in entries(book) if e["kind"] == "outside")
    res = esp("undo", outside["op"], "-t", str(book))
    assert res.exit_code == ExitCode.FAILED and "made outside esp" in res.stderr
    assert res.stdout == "" and cell(book, "E4") == "N777"


def test_a_days_work_can_always_be_rolled_back(book: Path) -> None:
    start = book.read_bytes()
    for i in range(35):  # a busy day: more writes than the 30 backups kept before
        ok(
            "note",
            "add",
            "Ann Lee" if i % 2 else "Bob Ray",
            f"call {i}",
            "--by",
            "Jo",
            "-t",
            str(book),
        )
    ops = entries(book)
    assert len(ops) == 35
    first = book.parent / "esp-backups" / ops[0]["backup"]
    assert first.read_bytes() == start  # the start of the day is still there
    assert len(list((book.parent / "esp-backups").glob("*.xlsx"))) == 35


def test_an_old_damaged_line_does_not_stop_an_exact_undo(book: Path) -> None:
    for text in ("one", "two"):
        ok("note", "add", "Ann Lee", text, "--by", "Jo", "-t", str(book))
    log = log_of(book)
    first, second = log.read_bytes().splitlines()
    log.write_bytes(first[:30] + b"\n" + second + b"\n")
    res = ok("undo", "-t", str(book), "--format", "json")
    data = json.loads(res.stdout)
    assert data["exact"] is True and data["undoes"] == json.loads(second)["op"]
    assert "line 1 is not a whole history entry" in res.stderr


@pytest.mark.parametrize(
    "line",
    [
        b"null",
        b"[]",
        b'{"op": 5}',
        b'{"op": "ab", "kind": "write", "time": "yesterday"}',
        b'{"op": "ab", "kind": "write", "time": "2026-11-24T10:00:00", "cells": 5}',
        b'{"op": "ab", "kind": "write", "time": "2026-11-24T10:00:00", "cells": [{"row": "x"}]}',
        b"[" * 100_000,
        b"\xff\xfe not text",
    ],
)
def test_any_line_that_is_not_an_entry_is_skipped(book: Path, line: bytes) -> None:
    ok("note", "add", "Ann Lee", "one", "--by", "Jo", "-t", str(book))
    log = log_of(book)
    log.write_bytes(line + b"\n" + log.read_bytes())
    res = esp("history", "-t", str(book), "--format", "json")
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["operations"]) == 1
    assert "line 1 is not a whole history entry" in res.stderr
    ok("note", "add", "Ann Lee", "two", "--by", "Jo", "-t", str(book))
    assert cell(book, "K3").endswith(" - Jo - two")


def test_an_agents_history_as_csv_has_plain_dates(book: Path, tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    mst = master(tmp_path / "m" / "master.xlsx", [("A", "Ann Lee", "E1", None, "N9", "11/09/2026")])
    ok("sync-nnumbers", "--from", str(mst), "-t", str(book))
    lines = ok("history", "Ann Lee", "-t", str(book), "--format", "csv").stdout.splitlines()
    assert lines[0] == "op,kind,time,signer,login,sheet,cell,column,before,after"
    assert sorted(line.split(",")[-4:] for line in lines[1:]) == [
        ["E3", "N Number", "", "N9"],
        ["F3", "Date of N Number Request", "", "2026-11-09"],
    ]


def test_an_entry_of_many_cells_is_written_as_each_cell_alone_would_be() -> None:
    """The log's cells are encoded in batches: the line is the very bytes of each cell's own
    JSON joined by commas, a cell whose text holds a byte that was not UTF-8 (a lone
    surrogate) escaped on its own, the cells around it as UTF-8."""
    cells = [
        {"sheet": "ESP Tracker", "cell": f"K{i}", "row": i, "col": 11, "after": f"Zoë {i}"}
        for i in range(2, 1300)
    ]
    cells[700]["after"] = "caf\udce9"  # a byte that was not UTF-8, kept by Python
    op = logged_write(cells, time=datetime(2026, 11, 24, 9, 30).astimezone())
    line = history._encode(op)
    head = history._json({**op.to_json(), "cells": []})
    alone = b",".join(history._json(c) for c in cells)
    assert line == head[: -len(b"[]}")] + b"[" + alone + b"]}\n"
    assert "Zoë 2".encode() in line and b"caf\\udce9" in line
    assert json.loads(line)["cells"] == cells


def test_history_and_undo_use_the_esp_toml_beside_the_tracker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from another folder with --tracker, esp history and esp undo take the esp.toml
    in the tracker's folder, as the command that wrote did: its backup folder holds the
    write's backup and log, and the undo's backup goes there too."""
    team = tmp_path / "Team"
    team.mkdir()
    book = tracker(team / "ESP Tracker.xlsx", AGENTS)
    (team / "esp.toml").write_text('[backup]\ndir = "Backups"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    ok("note", "add", "Bob Ray", "Called.", "--by", "Jo", "-t", str(book))
    assert (team / "Backups" / "ESP Tracker.xlsx.history.jsonl").is_file()
    assert [e["command"] for e in history_json(book)["operations"]] != []
    ok("undo", "-t", str(book))
    assert cell(book, "K4") is None
    assert not (team / "esp-backups").exists() and not (elsewhere / "esp-backups").exists()
    assert len(list((team / "Backups").glob("ESP Tracker.*.op-*.xlsx"))) == 2

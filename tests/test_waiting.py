"""A busy tracker loses nothing: a change esp cannot write waits beside it and is written by
the next write that finds it free.

- every writing command, run while Excel has the tracker, keeps its change (exit 7) and
  writes nothing; written later (esp apply), the tracker holds exactly what the command
  would have written on a free tracker;
- --no-wait is the refusal of old (exit 4), a dry run never leaves a waiting change;
- esp apply writes them oldest first in one write, each in the log under its own author,
  time and command; every other writing command writes them first, in its own write;
- the domain's conflict rules: note lines re-based, other cells only where they still hold
  what esp saw, rows found again by the agent, a change and the note documenting it both
  or neither; esp apply --skip-conflicts, esp pending drop;
- written once: never twice after a stop between the write and the file's removal, never
  lost to a stop at any moment, and two esp apply at once write it once;
- the reports count what waits, marked as not yet in the workbook.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core.waiting import APPEND, RESTORE, SET, WaitingCell, resolve
from esp_cli.errors import ExitCode
from esp_cli.services.apply import Waiter, apply_when_free
from esp_cli.services.demo import PROOFS_DIR, copy_sample
from esp_cli.workbook import history
from esp_cli.workbook.waiting import Store
from esp_cli.workbook.xlsx import safety
from tests import factories
from tests.support.processes import finish, read_until
from tests.support.windows import excel_owner_file

DAY = "2026-11-24"
TRACKER = "ESP Tracker.xlsx"
ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str) -> Any:
    return CliRunner().invoke(app, list(argv))


def sample(folder: Path) -> Path:
    """The bundled sample with the files the writing commands take, and who signs."""
    copy_sample(folder)
    (folder / "notes.csv").write_bytes(
        b"agent,note,column\r\nKayla Brooks,Module 5 of 8,TBT Notes\r\nE10316,Coaching booked\r\n"
    )
    return folder / "esp.toml"


def open_in_excel(folder: Path, user: str = "Keisha Grant") -> Path:
    owner = folder / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file(user))
    return owner


def values(path: Path) -> dict[str, Any]:
    """Every cell of every sheet, as openpyxl reads it."""
    with warnings.catch_warnings():  # the sample's x14 drop-down: openpyxl only warns
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    return {
        f"{ws.title}!{c.coordinate}": c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def log_entries(folder: Path) -> list[dict[str, Any]]:
    log = folder / "esp-backups" / f"{TRACKER}.history.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def backups(folder: Path) -> list[Path]:
    return sorted((folder / "esp-backups").glob("ESP Tracker.*.xlsx"))


# -- every writing command ---------------------------------------------------------------------


WRITERS: list[list[str]] = [
    ["note", "add", "Tyrone Jackson", "Called about Call Cert", "--date", DAY],
    ["record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--note", "Call Cert delay"],
    ["access", "set", "Marcus Lee", "password reset", "--spoc-called", DAY, "--incident",
     "INC0049377", "--phone", "513.555.0131", "--date", DAY],
    ["note", "import", "{folder}/notes.csv", "--by", "Zoë Ångström"],
    ["progress", "import", "--date", DAY],
    ["tbt", "proofs", f"{{folder}}/{PROOFS_DIR}"],
    ["sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Marcus Bell"],
    ["escalations", "--write", "--write-past", "--as-of", DAY],
    ["sync-nnumbers"],
    ["advise", "--due", "--as-of", DAY, "--out", "{folder}/drafts"],
    ["document", "Rebecca Stone", "coaching", "--date", DAY, "--out", "{folder}/documents",
     "--record"],
]  # fmt: skip


def _argv(step: list[str], folder: Path) -> list[str]:
    return [a.replace("{folder}", str(folder)) for a in step]


@pytest.mark.parametrize("step", WRITERS, ids=[" ".join(s[:2]) for s in WRITERS])
def test_a_change_made_while_excel_has_the_tracker_waits_and_is_written_as_made(
    tmp_path: Path, step: list[str]
) -> None:
    """The same command on two copies of the sample: on the free one it writes; on the one
    open in Excel it waits (exit 7, naming who has it, nothing written), and esp apply
    writes it once Excel closes it. The trackers then hold the very same cells."""
    free, busy = tmp_path / "free", tmp_path / "busy"
    free_config, busy_config = sample(free), sample(busy)
    direct = run(*_argv(step, free), "--config", str(free_config))
    assert direct.exit_code == 0, direct.output
    owner = open_in_excel(busy)
    before = (busy / TRACKER).read_bytes()
    waited = run(*_argv(step, busy), "--config", str(busy_config))
    assert waited.exit_code == ExitCode.WAITING, waited.output
    assert "open in Excel by Keisha Grant" in waited.stderr
    assert (busy / TRACKER).read_bytes() == before and backups(busy) == []
    (kept,) = Store(busy / TRACKER).unwritten().ops
    assert kept.op in waited.stderr and kept.why == "open in Excel by Keisha Grant"
    assert kept.command.startswith("esp " + step[0])
    owner.unlink()
    applied = run("apply", "--config", str(busy_config))
    assert applied.exit_code == 0, applied.output
    assert values(busy / TRACKER) == values(free / TRACKER)
    assert len(backups(busy)) == 1 and Store(busy / TRACKER).unwritten().ops == []
    (entry,) = [e for e in log_entries(busy) if e["op"] == kept.op]
    assert entry["command"] == kept.command and entry["note"].startswith("waited: open in")


def test_json_says_waiting_with_the_operation(tmp_path: Path) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    res = run(*WRITERS[0], "--config", str(config), "--format", "json")
    assert res.exit_code == ExitCode.WAITING, res.output
    data = json.loads(res.stdout)
    (kept,) = Store(tmp_path / TRACKER).unwritten().ops
    assert data["status"] == "waiting" and data["op"] == kept.op and data["backup"] is None
    assert data["changes"][0]["new"].endswith("Called about Call Cert")


@pytest.mark.parametrize("step", WRITERS, ids=[" ".join(s[:2]) for s in WRITERS])
def test_no_wait_refuses_and_a_dry_run_keeps_nothing(tmp_path: Path, step: list[str]) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    refused = run(*_argv(step, tmp_path), "--config", str(config), "--no-wait")
    assert refused.exit_code == ExitCode.BUSY, refused.output
    assert "esp: " in refused.stderr and "nothing was written" in refused.stderr
    assert Store(tmp_path / TRACKER).unwritten().ops == []
    dry = run(*_argv(step, tmp_path), "--config", str(config), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert Store(tmp_path / TRACKER).unwritten().ops == []
    assert not (tmp_path / "esp-backups").exists()


def test_undo_waits_too(tmp_path: Path) -> None:
    config = sample(tmp_path)
    before = values(tmp_path / TRACKER)
    assert run(*WRITERS[0], "--config", str(config)).exit_code == 0
    owner = open_in_excel(tmp_path)
    waited = run("undo", "--config", str(config))
    assert waited.exit_code == ExitCode.WAITING, waited.output
    owner.unlink()
    assert run("apply", "--config", str(config)).exit_code == 0
    assert values(tmp_path / TRACKER) == before
    assert log_entries(tmp_path)[-1]["kind"] == "undo"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ([], []),
        ([], ["--agent", "Tyrone Jackson"]),
        (["--agent", "Tyrone Jackson"],) * 2,
        (["--agent", "Tyrone Jackson"], []),
    ],
    ids=["whole twice", "agent after whole", "agent twice", "whole after agent"],
)
def test_an_undo_typed_twice_while_the_tracker_is_open_waits_once(
    tmp_path: Path, first: list[str], second: list[str]
) -> None:
    """The second `esp undo X` (or one agent's, `--agent`) finds an undo putting back the
    same cells waiting: it says so, keeps nothing more, and the cells are put back once
    (one undo in the history)."""
    config = sample(tmp_path)
    before = values(tmp_path / TRACKER)
    assert run(*WRITERS[0], "--config", str(config)).exit_code == 0
    target = log_entries(tmp_path)[-1]["op"]
    owner = open_in_excel(tmp_path)
    assert run("undo", target, *first, "--config", str(config)).exit_code == ExitCode.WAITING
    again = run("undo", target, *second, "--config", str(config))
    assert again.exit_code == ExitCode.FAILED, again.output
    assert "already by" in again.stderr and "which waits beside the tracker" in again.stderr
    assert "pending drop" in again.stderr
    owner.unlink()
    assert run("apply", "--config", str(config)).exit_code == 0
    assert values(tmp_path / TRACKER) == before
    assert len(log_entries(tmp_path)) == 2  # the write and one undo of it


def test_a_whole_undo_after_one_agents_undo_waits_for_it_then_puts_back_the_rest(
    tmp_path: Path,
) -> None:
    config = sample(tmp_path)
    before = values(tmp_path / TRACKER)
    argv = [a.format(folder=tmp_path) for a in WRITERS[3]]  # two agents' notes
    assert run(*argv, "--config", str(config)).exit_code == 0
    target = log_entries(tmp_path)[-1]["op"]
    owner = open_in_excel(tmp_path)
    one = run("undo", target, "--agent", "Kayla Brooks", "--config", str(config))
    assert one.exit_code == ExitCode.WAITING, one.output
    whole = run("undo", target, "--config", str(config))
    assert whole.exit_code == ExitCode.FAILED, whole.output
    assert "1 of the cells this undo puts back are put back already by" in whole.stderr
    assert f"then esp undo {target} --skip-conflicts puts back the rest" in whole.stderr
    owner.unlink()
    assert run("apply", "--config", str(config)).exit_code == 0
    rest = run("undo", target, "--skip-conflicts", "--config", str(config))
    assert rest.exit_code in (0, ExitCode.FINDINGS), rest.output
    assert values(tmp_path / TRACKER) == before


def test_undo_of_one_agent_the_operation_did_not_write_for_names_whose_it_did(
    tmp_path: Path,
) -> None:
    config = sample(tmp_path)
    assert run(*WRITERS[0], "--config", str(config)).exit_code == 0  # Tyrone's note only
    target = log_entries(tmp_path)[-1]["op"]
    res = run("undo", target, "--agent", "Marcus Lee", "--dry-run", "--config", str(config))
    assert res.exit_code == ExitCode.FAILED, res.output
    assert f"Operation {target} changed no cell of an agent 'Marcus Lee' names" in res.stderr
    assert "it wrote for Tyrone Jackson" in res.stderr and "as in the tracker" not in res.stderr


def test_undo_of_a_change_that_still_waits_points_to_pending_drop(tmp_path: Path) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    assert run(*WRITERS[0], "--config", str(config)).exit_code == ExitCode.WAITING
    (waits,) = Store(tmp_path / TRACKER).unwritten().ops
    tried = run("undo", waits.op, "--config", str(config))
    assert tried.exit_code == ExitCode.USAGE, tried.output
    assert "not written yet" in tried.stderr and f"esp pending drop {waits.op}" in tried.stderr


# -- writing them ------------------------------------------------------------------------------


def test_apply_writes_them_oldest_first_in_one_write_each_under_its_own_author(
    tmp_path: Path,
) -> None:
    config = sample(tmp_path)
    owner = open_in_excel(tmp_path)
    lines = ["First call", "Second call", "Third call"]
    for who, line in zip(("Tom Alvarez", "Priya Natarajan", "Tom Alvarez"), lines, strict=True):
        res = run("note", "add", "Tyrone Jackson", line, "--by", who, "--date", DAY,
                  "--config", str(config))  # fmt: skip
        assert res.exit_code == ExitCode.WAITING, res.output
    kept = Store(tmp_path / TRACKER).unwritten().ops
    assert [o.signer for o in kept] == ["Tom Alvarez", "Priya Natarajan", "Tom Alvarez"]
    owner.unlink()
    applied = run("apply", "--config", str(config), "--format", "json")
    assert applied.exit_code == 0, applied.output
    data = json.loads(applied.stdout)
    assert [a["op"] for a in data["applied"]] == [o.op for o in kept]
    assert data["status"] == "written" and len(backups(tmp_path)) == 1
    notes = values(tmp_path / TRACKER)["ESP Tracker!Z25"].splitlines()
    assert [n.split(" - ")[-1] for n in notes[-3:]] == lines  # oldest first
    entries = log_entries(tmp_path)
    assert [e["op"] for e in entries] == [o.op for o in kept]
    assert [e["signer"] for e in entries] == ["Tom Alvarez", "Priya Natarajan", "Tom Alvarez"]
    assert {e["backup"] for e in entries} == {backups(tmp_path)[0].name}
    assert all(e["written_at"] and e["time"] == o.time.isoformat() for e, o in zip(
        entries, kept, strict=True))  # fmt: skip
    # Each can be taken back on its own, the newest first: the line it added.
    undone = run("undo", kept[2].op, "--config", str(config))
    assert undone.exit_code == 0, undone.output
    notes = values(tmp_path / TRACKER)["ESP Tracker!Z25"].splitlines()
    assert [n.split(" - ")[-1] for n in notes[-2:]] == ["First call", "Second call"]
    refused = run("undo", kept[0].op, "--config", str(config))
    assert refused.exit_code == ExitCode.FAILED and "cannot be undone" in refused.stderr


def test_any_writing_command_writes_what_waits_first_in_its_own_write(tmp_path: Path) -> None:
    config = sample(tmp_path)
    owner = open_in_excel(tmp_path)
    assert run(*WRITERS[1], "--config", str(config)).exit_code == ExitCode.WAITING
    owner.unlink()
    # Tyrone's coaching waits: the next note builds on it (after its line), in one write.
    res = run("note", "add", "Tyrone Jackson", "Coaching signed", "--date", DAY,
              "--config", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    # Two cells in all (Tyrone's notes cell takes a line of each), both the waiting change's.
    assert "Wrote 2 cell(s)" in res.stderr
    assert "2 cell(s) of 1 change(s) that waited beside it were written first" in res.stderr
    got = values(tmp_path / TRACKER)
    assert got["ESP Tracker!V25"].date() == date(2026, 11, 24)
    assert got["ESP Tracker!Z25"].endswith(
        "11/24/2026 - Jordan Reyes - Coaching: Call Cert delay\n"
        "11/24/2026 - Jordan Reyes - Coaching signed"
    )
    assert len(backups(tmp_path)) == 1
    kinds = [(e["command"].split()[1], e["state"]) for e in log_entries(tmp_path)]
    assert kinds == [("record-step", "written"), ("note", "written")]


def test_a_command_run_while_a_change_waits_sees_it(tmp_path: Path) -> None:
    """Tyrone's coaching waits: recording it again is refused as recorded (counted)."""
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    assert run(*WRITERS[1], "--config", str(config)).exit_code == ExitCode.WAITING
    again = run(*WRITERS[1], "--config", str(config))
    assert again.exit_code != 0 and "already recorded" in again.stderr
    assert len(Store(tmp_path / TRACKER).unwritten().ops) == 1


# -- conflicts ---------------------------------------------------------------------------------

HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("coaching_date"))
AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E101",
     "ESP Start Date": date(2026, 11, 16)},
    {"Class": "AET-1", "Agent Name": "Dana Cole", "Agent ID": "E102",
     "ESP Start Date": date(2026, 11, 16)},
]  # fmt: skip
# The small tracker: a title row, the headers on row 2, Devon on row 3 and Dana on row 4;
# Citrix TBT Access J, Notes K, TBT Notes L, Coaching Date M.


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / TRACKER, AGENTS, headers=HEADERS)


def in_excel(path: Path, edit: Callable[[Any], None]) -> None:
    """Someone edits and saves the tracker in Excel (while esp's change waits)."""
    wb = openpyxl.load_workbook(path)
    edit(wb["ESP Tracker"])
    wb.save(path)


def test_a_note_line_goes_after_what_the_cell_holds_then(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Waiting on SPOC", "-t", str(small)).exit_code == 7
    owner.unlink()
    in_excel(small, lambda ws: ws.__setitem__("K4", "11/23/2026 - Tom Alvarez - Called her"))
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"] == (
        f"11/23/2026 - Tom Alvarez - Called her\n{date.today():%m/%d/%Y} - Jordan Reyes - "
        "Waiting on SPOC"
    )
    # Written once: applying again adds nothing.
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].count("Waiting on SPOC") == 1


def test_rows_are_found_again_by_the_agent_after_a_sort_and_an_inserted_row(small: Path) -> None:
    owner = open_in_excel(small.parent)
    res = run("access", "set", "Dana Cole", "equipment issue", "-t", str(small))
    assert res.exit_code == 7, res.output
    owner.unlink()

    def resort(ws: Any) -> None:  # Dana above Devon, and a new agent above both
        dana = [c.value for c in ws[4]]
        devon = [c.value for c in ws[3]]
        ws.insert_rows(3)
        for col, value in enumerate(["AET-1", "Ana Ruiz", "E103"], start=1):
            ws.cell(3, col, value)
        for col, value in enumerate(dana, start=1):
            ws.cell(4, col, value)
        for col, value in enumerate(devon, start=1):
            ws.cell(5, col, value)

    in_excel(small, resort)
    assert run("apply", "-t", str(small)).exit_code == 0
    got = values(small)
    assert got["ESP Tracker!B4"] == "Dana Cole" and got["ESP Tracker!J4"] == "Equipment Issue"
    assert "Citrix TBT Access: Equipment Issue" in got["ESP Tracker!L4"]
    assert "ESP Tracker!J3" not in got and "ESP Tracker!J5" not in got


def test_pending_shows_where_each_change_goes_now_after_a_row_is_inserted(small: Path) -> None:
    """Dana's note was made at K4; a row inserted above her moves her to row 5: esp pending
    shows K5, the cell the next write puts it in (and K4, where it was made)."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Moved", "-t", str(small)).exit_code == 7
    in_excel(small, lambda ws: ws.insert_rows(3))
    table = run("pending", "-t", str(small))
    assert table.exit_code == 0, table.output
    assert "ESP Tracker!K5 (made at K4)" in table.stdout
    data = json.loads(run("pending", "-t", str(small), "-f", "json").stdout)
    (op,) = data["operations"]
    assert op["moved"] == [{"sheet": "ESP Tracker", "cell": "K4", "now": "K5"}]
    assert op["cells"][0]["cell"] == "K4"  # as made, as before
    rows = list(csv.DictReader(io.StringIO(run("pending", "-t", str(small), "-f", "csv").stdout)))
    assert [(r["cell"], r["now_cell"]) for r in rows] == [("K4", "K5")]


def test_pending_says_when_a_changes_agent_is_no_longer_found(small: Path) -> None:
    """Dana's row deleted: her waiting note has no cell now — never shown at K4, which now
    holds nobody's or another agent's row."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Gone?", "-t", str(small)).exit_code == 7
    in_excel(small, lambda ws: ws.delete_rows(4))
    table = run("pending", "-t", str(small))
    assert "ESP Tracker!K4 (as made; the agent is not found now)" in table.stdout
    data = json.loads(run("pending", "-t", str(small), "-f", "json").stdout)
    assert data["operations"][0]["moved"] == [{"sheet": "ESP Tracker", "cell": "K4", "now": None}]
    rows = list(csv.DictReader(io.StringIO(run("pending", "-t", str(small), "-f", "csv").stdout)))
    assert [r["now_cell"] for r in rows] == [""]


def test_a_cell_changed_since_is_a_conflict_kept_with_both_values(small: Path) -> None:
    owner = open_in_excel(small.parent)
    res = run("record-step", "Devon Price", "coaching", "--date", DAY, "--note", "Late",
              "--early", "--reason", "test", "-t", str(small))  # fmt: skip
    assert res.exit_code == 7, res.output
    assert run("note", "add", "Dana Cole", "Unrelated", "-t", str(small)).exit_code == 7
    (op, other) = Store(small).unwritten().ops
    owner.unlink()
    in_excel(small, lambda ws: ws.__setitem__("M3", "11/20/2026"))  # coached another day
    pending = run("pending", "-t", str(small), "--format", "json")
    assert pending.exit_code == 0, pending.output
    shown = json.loads(pending.stdout)["operations"]
    assert [p["writable"] for p in shown] == [False, True]
    (conflict,) = shown[0]["conflicts"]
    assert conflict["column"] == "Coaching Date" and conflict["now"] == {"date": "2026-11-20"}
    assert conflict["seen"] is None and conflict["wanted"] == {"date": DAY}
    held = run("apply", "-t", str(small))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "esp saw —, it now holds 11/20/2026" in held.stderr
    got = values(small)
    assert got["ESP Tracker!M3"] == "11/20/2026"
    assert "ESP Tracker!K3" not in got  # the note documenting the coaching waits with it
    assert got["ESP Tracker!K4"].endswith("Unrelated")  # the other change was written
    assert [o.op for o in Store(small).unwritten().ops] == [op.op]
    # Settled: --skip-conflicts writes the rest of it, and records what it left out.
    assert run("apply", "-t", str(small), "--skip-conflicts").exit_code == 0
    got = values(small)
    assert got["ESP Tracker!M3"] == "11/20/2026"
    assert "ESP Tracker!K3" not in got  # both or neither: the note went with the date
    (entry,) = [e for e in log_entries(small.parent) if e["op"] == op.op]
    assert "left out" in entry["note"] and entry["cells"] == []
    assert Store(small).unwritten().ops == [] and other.op != op.op


def test_pending_drop_discards_one_and_records_it(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Typo'd note", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    dropped = run("pending", "drop", op.op[:5], "--by", "Priya Natarajan", "-t", str(small))
    assert dropped.exit_code == 0, dropped.output
    assert Store(small).unwritten().ops == []
    (entry,) = log_entries(small.parent)
    assert entry["kind"] == "dropped" and entry["op"] == op.op
    assert entry["signer"] == "Priya Natarajan" and "Typo'd note" in entry["cells"][0]["after"]
    owner.unlink()
    before = small.read_bytes()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert small.read_bytes() == before  # nothing was left to write
    history_out = run("history", "-t", str(small), "--format", "json")
    assert json.loads(history_out.stdout)["operations"][0]["kind"] == "dropped"


def test_a_damaged_waiting_file_is_reported_and_skipped(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    folder = Store(small).folder
    (folder / "20261124T090000000000Z-0badf00d.json").write_bytes(b'{"esp_waiting": 1, "op"')
    listed = run("pending", "-t", str(small))
    assert listed.exit_code == 0, listed.output
    assert "0badf00d" in listed.stderr and "not a whole waiting change" in listed.stderr
    owner.unlink()
    applied = run("apply", "-t", str(small))
    # What the file held may still wait, not written: said, and not exit 0 for a script.
    assert applied.exit_code == ExitCode.FINDINGS, applied.output
    assert "not a whole waiting change" in applied.stderr
    assert values(small)["ESP Tracker!K4"].endswith("Kept")
    assert run("pending", "drop", "0badf00d", "-t", str(small)).exit_code == 0
    assert not list(folder.glob("*.json"))
    assert run("apply", "-t", str(small)).exit_code == 0


def test_a_waiting_file_that_cannot_be_read_now_leaves_apply_short_of_done(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A waiting file esp cannot open now (a sync client or a virus scanner holding it):
    skipped and said, read again next time, and esp apply does not exit 0. JSON names it."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    owner.unlink()
    (held,) = Store(small).folder.glob("*.json")
    read_bytes = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self.name == held.name:
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    applied = run("apply", "-t", str(small), "-f", "json")
    assert applied.exit_code == ExitCode.FINDINGS, applied.output
    assert f"{held.name}: cannot be read (Permission denied)" in applied.stderr
    assert json.loads(applied.stdout)["skipped_files"] == [str(held)]
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].endswith("Kept")


def test_a_folder_named_like_a_change_is_left_alone_and_apply_is_done(small: Path) -> None:
    folder = Store(small).folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20261124T090000000000Z-0badf00d.json").mkdir()
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    assert "a folder, not a change esp keeps; left alone" in " ".join(applied.stderr.split())


def test_a_damaged_copy_of_a_change_written_already_is_said_so_and_dropped_apart(
    small: Path,
) -> None:
    """A sync service's cut-short copy of a change's file, left after the change is
    written: nothing waits in it, so esp apply is done (exit 0); esp pending drop removes it,
    recording the drop under an id of its own (esp undo still finds the change by its)."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    (kept,) = Store(small).folder.glob("*.json")
    copy = kept.with_name(kept.stem + " (1).json")
    copy.write_bytes(kept.read_bytes()[:40])
    owner.unlink()
    # While its original waits, the copy is skipped (said, exit 5); once written, it is done.
    assert run("apply", "-t", str(small)).exit_code == ExitCode.FINDINGS
    again = run("apply", "-t", str(small))
    assert again.exit_code == 0, again.output
    said = " ".join(again.stderr.split())
    op = kept.name.split("-")[-1].removesuffix(".json")
    assert f"a damaged copy of change {op}, which is done already" in said
    dropped = run("pending", "drop", copy.name, "-t", str(small))
    assert dropped.exit_code == 0, dropped.output
    assert f"a damaged copy of change {op}, which is done already" in dropped.stderr
    assert not copy.exists()
    (entry,) = [e for e in log_entries(small.parent) if e.get("kind") == "dropped"]
    assert entry["op"] != op and f"Recorded as {entry['op']}" in dropped.stderr
    assert run("undo", op, "-t", str(small)).exit_code == 0


# -- written once, never lost ------------------------------------------------------------------


def test_a_stop_between_the_write_and_the_files_removal_never_writes_it_twice(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = open_in_excel(small.parent)
    assert run("access", "set", "Dana Cole", "other", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    kept = (Store(small).folder / op.file).read_bytes()
    owner.unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    # As if esp had been stopped right after the write: the file is still there.
    (Store(small).folder / op.file).write_bytes(kept)
    in_excel(small, lambda ws: ws.__setitem__("J4", "No Issues"))  # changed back since
    assert Store(small).unwritten().ops == []  # the log says it is written
    again = run("note", "add", "Devon Price", "Next", "-t", str(small))
    assert again.exit_code == 0, again.output
    assert "Also wrote" not in again.stderr and "conflict" not in again.stderr
    assert values(small)["ESP Tracker!J4"] == "No Issues"
    assert not (Store(small).folder / op.file).exists()
    assert sum(e["op"] == op.op for e in log_entries(small.parent)) == 1


@pytest.mark.parametrize("when", ["before the replace", "after the replace"])
def test_a_stop_at_any_moment_loses_nothing(
    small: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Not lost", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    owner.unlink()
    if when == "before the replace":
        target, name = safety, "replace_atomically"
    else:
        target, name = history.Recorder, "confirm"
    real = getattr(target, name)

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C, or the power cut, right then

    monkeypatch.setattr(target, name, stopped)
    assert run("apply", "-t", str(small)).exit_code == 130
    monkeypatch.setattr(target, name, real)
    written = when == "after the replace"
    assert ("Not lost" in str(values(small).get("ESP Tracker!K4"))) is written
    # The next write settles it: written once, or written now.
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].count("Not lost") == 1
    assert [e["op"] for e in log_entries(small.parent)] == [op.op]
    assert log_entries(small.parent)[0]["state"] == "written"
    assert Store(small).unwritten().ops == []


_PAUSE_SITE = """
import os, sys
role = os.environ.get("ESP_TEST_ROLE")
if role:
    from esp_cli.workbook import history
    from esp_cli.workbook.xlsx import safety
    if role == "first":
        real_append = history.Recorder.append
        def append(self, *a, **k):
            real_append(self, *a, **k)
            sys.stderr.write("paused with the lock\\n"); sys.stderr.flush()
            sys.stdin.readline()
        history.Recorder.append = append
    else:
        real_exclusive = safety.exclusive
        def exclusive(*a, **k):
            sys.stderr.write("asking for the lock\\n"); sys.stderr.flush()
            return real_exclusive(*a, **k)
        safety.exclusive = exclusive
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_two_esp_apply_at_once_write_each_change_once(small: Path, tmp_path: Path) -> None:
    """Two computers run esp apply at the same moment: the first writes (held at the log,
    lock in hand, until told to go on); the second asks for the lock meanwhile, and once it
    has it finds the change written and writes nothing."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Once", "-t", str(small)).exit_code == 7
    owner.unlink()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_PAUSE_SITE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")])}
    argv = [sys.executable, "-m", "esp_cli", "apply", "-t", str(small)]

    def start(role: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            env={**env, "ESP_TEST_ROLE": role},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=small.parent,
        )

    first = start("first")
    assert first.stderr is not None and first.stdin is not None
    seen = bytearray()
    read_until(first.stderr.fileno(), b"paused with the lock", seen)
    second = start("second")
    assert second.stderr is not None
    second_seen = bytearray()
    read_until(second.stderr.fileno(), b"asking for the lock", second_seen)
    first.stdin.write(b"go on\n")
    first.stdin.flush()
    _, first_err = finish(first, said=bytes(seen))
    _, second_err = finish(second, said=bytes(second_seen))
    assert first.returncode == 0, first_err.decode()
    assert second.returncode == 0, second_err.decode()
    assert values(small)["ESP Tracker!K4"].count("Once") == 1
    assert len(log_entries(small.parent)) == 1 and len(backups(small.parent)) == 1
    assert b"Nothing waits" in second_err


def test_two_changes_kept_at_once_never_take_each_others_file(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two computers keep a change in the same instant with the same id: the second finds
    the name taken (a hard link never replaces a file) and takes a new id."""
    ids = iter(["0000aaaa", "0000aaaa", "0000aaaa", "0000bbbb"])
    monkeypatch.setattr(Store, "new_id", lambda self, taken=(): next(ids))
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "One", "-t", str(small)).exit_code == 7
    stamp = sorted(Store(small).folder.glob("*.json"))[0].name.split("-")[0]
    monkeypatch.setattr(
        "esp_cli.workbook.waiting.datetime",
        type("Clock", (), {"now": staticmethod(lambda tz=None: _at(stamp))}),
    )
    assert run("note", "add", "Devon Price", "Two", "-t", str(small)).exit_code == 7
    kept = Store(small).unwritten().ops
    assert [o.op for o in kept] == ["0000aaaa", "0000bbbb"]
    owner.unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    got = values(small)
    assert got["ESP Tracker!K4"].endswith("One") and got["ESP Tracker!K3"].endswith("Two")


def _at(stamp: str) -> Any:
    from datetime import UTC, datetime

    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def test_create_file_atomically_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    assert system.create_file_atomically(target, b"first")
    assert not system.create_file_atomically(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary file left


# -- waiting for the tracker -------------------------------------------------------------------


def test_apply_wait_looks_until_the_tracker_is_free(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Soon", "-t", str(small)).exit_code == 7
    said: list[str] = []

    def sleep(_seconds: float) -> None:  # Keisha closes the workbook while esp waits
        if len(said) == 2:
            owner.unlink()
        open_in_excel(small.parent, "Tom Alvarez") if len(said) == 1 else None

    clock = iter(range(0, 10_000, 5))
    waiter = Waiter(said.append, sleep=sleep, clock=lambda: float(next(clock)))
    result = apply_when_free(small, Config(user="Jordan Reyes"), waiter)
    assert result.write.status == "written"
    assert said[0].startswith(f"{TRACKER} is open in Excel by Keisha Grant; waiting")
    assert "open in Excel by Tom Alvarez" in said[1]
    assert values(small)["ESP Tracker!K4"].endswith("Soon")


def test_apply_wait_gives_up_after_its_timeout_with_nothing_lost(small: Path) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Later", "-t", str(small)).exit_code == 7
    clock = iter(range(0, 10_000, 30))
    waiter = Waiter(lambda _: None, sleep=lambda _: None, clock=lambda: float(next(clock)))
    result = apply_when_free(small, Config(user="Jordan Reyes"), waiter, timeout=90)
    assert result.write.status == "waiting" and len(result.waiting) == 1
    res = run("apply", "--wait", "--timeout", "0s", "-t", str(small))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert len(Store(small).unwritten().ops) == 1


def test_timeout_needs_wait_and_a_duration(small: Path) -> None:
    assert run("apply", "--timeout", "5m", "-t", str(small)).exit_code == ExitCode.USAGE
    bad = run("apply", "--wait", "--timeout", "soon", "-t", str(small))
    assert bad.exit_code == ExitCode.USAGE and "90s, 30m, 2h" in bad.stderr


# -- the reports count what waits --------------------------------------------------------------


def test_the_reports_count_a_waiting_coaching_as_delivered(tmp_path: Path) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    assert run(*WRITERS[1], "--config", str(config)).exit_code == ExitCode.WAITING
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    today = run("escalations", "--today", "--as-of", DAY, "--config", str(config), "-f", "json")
    tyrone = [i for i in json.loads(today.stdout) if i["agent"] == "Tyrone Jackson"]
    assert tyrone and all(i["action"] != "coaching" for i in tyrone)
    assert all(i["waiting"] == [op.op] for i in tyrone)
    table = run("escalations", "--today", "--as-of", DAY, "--config", str(config))
    assert "Tyrone Jackson *" in table.stdout and "not yet in the workbook" in table.stderr
    explain = run("explain", "Tyrone Jackson", "--as-of", DAY, "--config", str(config),
                  "-f", "json")  # fmt: skip
    data = json.loads(explain.stdout)
    assert data["pending_step"] == "written_cap"
    assert [w["op"] for w in data["waiting"]] == [op.op, op.op]
    coaching = next(c for c in data["cells"] if c["column"] == "Coaching Date")
    assert coaching["waiting"] == op.op and coaching["value"] == DAY
    eod = run("report", "eod", "--date", DAY, "--config", str(config), "-f", "json")
    assert json.loads(eod.stdout)["waiting"] == [op.op]
    missing = run("progress", "missing", "--date", DAY, "--config", str(config), "-f", "json")
    assert json.loads(missing.stdout)["waiting"] == [op.op]
    hist = json.loads(run("history", "--config", str(config), "-f", "json").stdout)
    assert hist["operations"][0]["op"] == op.op and hist["operations"][0]["waiting"] is True
    agent = run("history", "Tyrone Jackson", "--config", str(config), "-f", "json")
    assert json.loads(agent.stdout)["changes"][0]["waiting"] is True


# -- the rule, cell by cell --------------------------------------------------------------------


def _cell(action: str, seen: Any, value: Any) -> WaitingCell:
    return WaitingCell("S", 2, 3, "Dana", "AET-1", "Notes", "notes", action, seen, value, "E1")


def test_resolve_follows_the_domains_rule() -> None:
    line = "11/24/2026 - Jo - Called"
    assert resolve(_cell(APPEND, None, line), "11/23/2026 - Tom - x").new == (
        "11/23/2026 - Tom - x\n" + line
    )
    assert resolve(_cell(APPEND, None, line), f"a\n{line}").outcome == "already"
    assert resolve(_cell(SET, None, "Yes"), None).outcome == "write"
    assert resolve(_cell(SET, None, "Yes"), True).outcome == "already"  # a TRUE/FALSE cell
    assert resolve(_cell(SET, False, "Yes"), "No").outcome == "write"  # as esp read it
    clash = resolve(_cell(SET, None, date(2026, 11, 24)), date(2026, 11, 20))
    assert clash.outcome == "conflict" and clash.reason == "changed since esp saw it"


def test_a_header_an_undo_takes_out_with_its_column_is_never_a_conflict() -> None:
    """The header of a column an undo gives back is emptied while it holds what esp wrote;
    one the team changed is theirs: left as it is (its column stays), never a conflict."""
    header = replace(_cell(RESTORE, "Next Action Due", None), header=True)
    assert resolve(header, "Next Action Due").outcome == "write"
    assert resolve(header, None).outcome == "already"
    for changed in ("next action due", "Next Action Due ", "Due By"):
        assert resolve(header, changed).outcome == "left"
        assert resolve(replace(header, header=False), changed).outcome == "conflict"
    assert WaitingCell.from_json(header.to_json()).header is True
    assert "header" not in replace(header, header=False).to_json()


def test_a_waiting_file_is_utf8_json_that_reads_back_whole(small: Path) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Nguyễn — ça va 確認", "-t", str(small)).exit_code == 7
    (path,) = Store(small).folder.glob("*.json")
    data = json.loads(path.read_bytes().decode("utf-8"))
    assert data["esp_waiting"] == 1 and data["tracker"] == TRACKER
    assert "Nguyễn — ça va 確認" in data["units"][0]["cells"][0]["value"]
    (op,) = Store(small).unwritten().ops
    assert op.cells[0].value == data["units"][0]["cells"][0]["value"]


def test_the_waiting_folder_is_beside_the_log_in_a_shared_backup_dir(tmp_path: Path) -> None:
    shared = tmp_path / "shared-backups"
    team = tmp_path / "Team A"
    team.mkdir()
    path = factories.tracker(team / TRACKER, AGENTS, headers=HEADERS)
    (team / "esp.toml").write_text(
        f'[people]\nuser = "Jordan Reyes"\n[backup]\ndir = "{shared.as_posix()}"\n',
        encoding="utf-8",
    )
    open_in_excel(team)
    assert run("note", "add", "Dana Cole", "Shared", "-t", str(path)).exit_code == 7
    folder = shared / f"{TRACKER} (Team A)" / f"{TRACKER}.waiting"
    assert len(list(folder.glob("*.json"))) == 1
    shutil.rmtree(folder)


def test_an_undo_writes_what_waits_for_other_agents_too(tmp_path: Path) -> None:
    """An undo writes cells by their address; the changes waiting for agents are still
    placed on their agents' rows, in the same write."""
    config = sample(tmp_path)
    assert run(*WRITERS[0], "--config", str(config)).exit_code == 0
    owner = open_in_excel(tmp_path)
    assert run("note", "add", "Marcus Lee", "Waited", "--config", str(config)).exit_code == 7
    owner.unlink()
    undone = run("undo", "--config", str(config))
    assert undone.exit_code == 0, undone.output
    assert "Wrote 2 cell(s)" in undone.stderr
    assert "1 cell(s) of 1 change(s) that waited beside it were written first" in undone.stderr
    got = values(tmp_path / TRACKER)
    assert got["ESP Tracker!Z44"].endswith("Waited")
    assert not got["ESP Tracker!Z25"].endswith("Called about Call Cert")


def test_apply_with_nothing_waiting_says_so_even_while_excel_has_it(small: Path) -> None:
    open_in_excel(small.parent)
    res = run("apply", "-t", str(small))
    assert res.exit_code == 0, res.output
    assert "Nothing waits" in res.stderr


def test_a_change_already_in_the_tracker_is_recorded_without_writing_it(small: Path) -> None:
    """The line that waited was typed by hand meanwhile: nothing to write, no backup; the
    change is recorded as written and waits no more."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Typed twice", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    owner.unlink()
    line = op.cells[0].value
    in_excel(small, lambda ws: ws.__setitem__("K4", line))
    before = small.read_bytes()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert small.read_bytes() == before and backups(small.parent) == []
    (entry,) = log_entries(small.parent)
    assert entry["op"] == op.op and entry["backup"] is None and "held it already" in entry["note"]
    assert Store(small).unwritten().ops == []


_KILL_SITE = """
import os
point = os.environ.get("ESP_TEST_KILL_AT")
if point:
    from esp_cli.workbook import history, waiting
    from esp_cli.workbook.xlsx import safety

    def killed_at(owner, name, after):
        real = getattr(owner, name)
        def wrapper(*a, **k):
            if not after:
                os._exit(137)  # the power cut: no finally, no except, nothing flushed
            result = real(*a, **k)
            os._exit(137)
        setattr(owner, name, wrapper)

    where, name = {
        "before the log entry": (history.Recorder, "append"),
        "after the log entry": (history.Recorder, "append"),
        "after the replace": (safety, "replace_atomically"),
        "after the confirm": (history.Recorder, "confirm"),
        "after one file went": (waiting.Store, "remove"),
    }[point]
    killed_at(where, name, after=point != "before the log entry")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a process killed as on POSIX")
@pytest.mark.parametrize(
    "point",
    [
        "before the log entry",
        "after the log entry",
        "after the replace",
        "after the confirm",
        "after one file went",
    ],
)
def test_a_kill_at_each_step_of_the_write_writes_each_change_once(
    small: Path, tmp_path: Path, point: str
) -> None:
    """esp apply killed outright (no cleanup at all) at each step of its write: until the
    next write, what waits is still counted; the next write writes each change exactly
    once and leaves no file behind."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Not lost", "-t", str(small)).exit_code == 7
    assert run("access", "set", "Devon Price", "other", "-t", str(small)).exit_code == 7
    kept = sorted(o.op for o in Store(small).unwritten().ops)
    owner.unlink()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_KILL_SITE, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")]),
        "ESP_TEST_KILL_AT": point,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "esp_cli", "apply", "-t", str(small)],
        env=env,
        cwd=small.parent,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 137, proc.stderr.decode()
    replaced = point not in ("before the log entry", "after the log entry")
    assert ("Not lost" in str(values(small).get("ESP Tracker!K4"))) is replaced
    if not replaced:  # not in the workbook: still counted as waiting by every report
        listed = run("pending", "-t", str(small), "-f", "json")
        shown = json.loads(listed.stdout)["operations"]
        assert sorted(o["op"] for o in shown) == kept, listed.output
    assert run("apply", "-t", str(small)).exit_code == 0
    got = values(small)
    assert got["ESP Tracker!K4"].count("Not lost") == 1
    assert got["ESP Tracker!J3"] == "Other"
    entries = log_entries(small.parent)
    assert sorted(e["op"] for e in entries) == kept
    assert all(e["state"] == "written" for e in entries)
    assert Store(small).unwritten().ops == [] and list(Store(small).folder.glob("*")) == []
    assert run("apply", "-t", str(small)).exit_code == 0
    assert len(log_entries(small.parent)) == 2


# -- saves made outside esp after a write of changes that waited ----------------------------------


def _outside_cells(folder: Path, tracker: Path) -> list[tuple[str, Any]]:
    hist = json.loads(run("history", "-t", str(tracker), "-f", "json").stdout)
    (outside,) = [o for o in hist["operations"] if o["kind"] == "outside"]
    return [(c["cell"], c["after"]) for c in outside["cells"]]


def test_a_save_after_a_write_of_changes_that_waited_lists_only_its_own_cells(
    small: Path,
) -> None:
    """The write before the save wrote a change that waited and its own (an entry each):
    the save's cells are what it changed, never the cells of the change that waited."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Waiting on SPOC", "-t", str(small)).exit_code == 7
    owner.unlink()
    assert run("note", "add", "Devon Price", "Called him", "-t", str(small)).exit_code == 0
    assert len(log_entries(small.parent)) == 2
    in_excel(small, lambda ws: ws.__setitem__("J3", "Equipment Issue"))
    assert run("note", "add", "Devon Price", "Called again", "-t", str(small)).exit_code == 0
    assert _outside_cells(small.parent, small) == [("J3", "Equipment Issue")]


def test_a_save_after_a_change_recorded_without_a_write_is_still_listed(small: Path) -> None:
    """A change that waited and that the tracker held already is recorded without a write:
    the save noticed next is measured from the write before it, whose backup esp has."""
    assert run("note", "add", "Devon Price", "Called him", "-t", str(small)).exit_code == 0
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Typed twice", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    owner.unlink()
    in_excel(small, lambda ws: ws.__setitem__("K4", op.cells[0].value))
    assert run("apply", "-t", str(small)).exit_code == 0
    assert run("note", "add", "Devon Price", "Called again", "-t", str(small)).exit_code == 0
    assert _outside_cells(small.parent, small) == [("K4", op.cells[0].value)]


def test_the_kpis_and_the_evening_emails_kpi_section_count_a_waiting_coaching(
    tmp_path: Path,
) -> None:
    """A coaching that waits is delivered: no longer among the coachings due, in esp report
    kpi and in the KPI section at the top of the evening e-mail alike."""
    from datetime import datetime

    from esp_cli.config import load_config
    from esp_cli.services.eod import eod_report

    config = sample(tmp_path)

    def coachings_due() -> tuple[int, int, list[str]]:
        res = run("report", "kpi", "--to", DAY, "--config", str(config), "-f", "json")
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        cfg = load_config(config)
        now = datetime(2026, 11, 24, 17, 0)
        mail = eod_report(tmp_path / TRACKER, cfg, date(2026, 11, 24), now, kpis=True).kpi
        assert mail is not None
        return (
            data["overall"]["overdue_by_stage"]["coaching"],
            mail.overall.overdue_by_stage.coaching,
            data.get("waiting", []),
        )

    kpi, mail, waits = coachings_due()
    assert kpi == mail and waits == []
    open_in_excel(tmp_path)
    assert run(*WRITERS[1], "--config", str(config)).exit_code == ExitCode.WAITING
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    assert coachings_due() == (kpi - 1, mail - 1, [op.op])
    text = run("report", "kpi", "--to", DAY, "--config", str(config))
    assert "1 change still waiting beside the tracker" in text.stdout
    # Marked wherever the figures are read: the leadership workbook under its headline,
    # and beside a CSV (which has no place for it) on standard error.
    book = tmp_path / "KPIs.xlsx"
    made = run("report", "kpi", "--to", DAY, "--config", str(config), "--xlsx", str(book))
    assert made.exit_code == 0, made.output
    kpis = openpyxl.load_workbook(book)["KPIs"]
    assert "1 change still waiting beside the tracker" in str(kpis["A3"].value)
    for report in (("kpi", "--to", DAY), ("eod", "--date", DAY)):
        csv = run("report", *report, "--config", str(config), "-f", "csv")
        assert csv.exit_code == 0, csv.output
        assert "1 change still waiting beside the tracker" in csv.stderr, report
        assert "still waiting" not in csv.stdout


@pytest.mark.parametrize("skip", [False, True])
def test_an_access_change_in_conflict_never_writes_the_line_documenting_it(
    small: Path, skip: bool
) -> None:
    """esp access set waited; meanwhile the access cell was changed in Excel. Its value is
    a conflict, so the note line documenting it stays out too, held or skipped."""
    owner = open_in_excel(small.parent)
    res = run("access", "set", "Devon Price", "equipment issue", "-t", str(small))
    assert res.exit_code == 7, res.output
    owner.unlink()
    in_excel(small, lambda ws: ws.__setitem__("J3", "Password Reset"))
    done = run("apply", "-t", str(small), *(["--skip-conflicts"] if skip else []))
    assert done.exit_code == (0 if skip else ExitCode.FINDINGS), done.output
    got = values(small)
    assert got["ESP Tracker!J3"] == "Password Reset"
    assert "Equipment Issue" not in str(got.get("ESP Tracker!K3")) + str(got.get("ESP Tracker!L3"))


@pytest.mark.parametrize(
    "step",
    [
        ["note", "add", "Dana Cole", "Called about Call Cert", "--date", DAY],
        ["record-step", "Dana Cole", "coaching", "--date", DAY, "--note", "Call Cert delay"],
    ],
    ids=["note", "record-step"],
)
@pytest.mark.parametrize("agent", [[], ["--agent", "Dana Cole"]], ids=["whole", "one agent"])
def test_an_undo_written_later_leaves_the_tracker_as_a_direct_undo_does(
    small: Path, tmp_path: Path, step: list[str], agent: list[str]
) -> None:
    """The cells the operation created go again, byte for byte as a direct undo takes them
    out, when the undo waited (the tracker open) and esp apply writes it: the operation's
    undo, or one agent's (`--agent`, a write of its own that names no operation undone)."""
    from tests.support.packages import zip_parts

    assert run(*step, "-t", str(small)).exit_code == 0
    target = log_entries(tmp_path)[-1]["op"]
    later = tmp_path.with_name(f"{tmp_path.name}-later")
    shutil.copytree(tmp_path, later)
    assert run("undo", target, *agent, "-t", str(small)).exit_code == 0
    waited = later / TRACKER
    owner = open_in_excel(later)
    assert run("undo", target, *agent, "-t", str(waited)).exit_code == ExitCode.WAITING
    owner.unlink()
    applied = run("apply", "-t", str(waited))
    assert applied.exit_code == 0, applied.output
    part = "xl/worksheets/sheet1.xml"
    assert zip_parts(waited)[part] == zip_parts(small)[part]


def test_an_undo_written_later_reads_its_operations_entry_once_and_none_before_it(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by esp apply, an undo that waited reads the entry of the operation it undoes
    once — for the ranges that operation grew and for the cells it put back exactly — and
    never the entries before it (a months-long log of whole-column writes is not read
    again for each undo)."""
    for text in ("one", "two", "three"):
        step = ["note", "add", "Dana Cole", f"Called {text}", "--date", DAY]
        assert run(*step, "-t", str(small)).exit_code == 0
    assert run("note", "add", "Dana Cole", "Booked", "--date", DAY, "-t", str(small)).exit_code == 0
    earlier = [e["op"] for e in log_entries(small.parent)]
    target = earlier.pop()
    owner = open_in_excel(small.parent)
    assert run("undo", target, "-t", str(small)).exit_code == ExitCode.WAITING
    owner.unlink()
    read: list[str] = []
    decode = history._decode

    def counted(line: bytes, number: int, cell_filter: Any = None) -> Any:
        entry = decode(line, number, cell_filter)
        read.append(entry.op)
        return entry

    monkeypatch.setattr(history, "_decode", counted)
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    assert read == [target]
    assert "Booked" not in str(values(small).get("ESP Tracker!K4"))
    assert [e["undoes"] for e in log_entries(small.parent)][-1] == target


def a_change_waited_and_written(small: Path) -> tuple[Path, bytes, str]:
    """A note for Dana Cole that waited while Excel had the tracker, then written: its
    file (gone now), what it held, and its id."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    (kept,) = Store(small).folder.glob("*.json")
    text = kept.read_bytes()
    owner.unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    return kept, text, kept.name.split("-")[-1].removesuffix(".json")


def test_a_file_damaged_otherwise_under_a_done_changes_id_stays_skipped_and_drops_apart(
    small: Path,
) -> None:
    """A file under the id of a change written already, damaged in the middle (a hand's
    edit with a slip, not a transfer cut short), may hold another change: it is skipped
    (esp apply exits 5) as any damaged file, and its drop is recorded under an id of its
    own, so that esp undo still finds the written change by its id."""
    kept, text, op = a_change_waited_and_written(small)
    edited = kept.with_name(kept.stem + " (1).json")
    edited.write_bytes(text.replace(b'"cells"', b'"cells" "', 1))
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == ExitCode.FINDINGS, applied.output
    assert "not a whole waiting change" in applied.stderr
    assert run("pending", "drop", edited.name, "-t", str(small)).exit_code == 0
    dropped = [e for e in log_entries(small.parent) if e.get("kind") == "dropped"]
    assert len(dropped) == 1 and dropped[0]["op"] != op
    assert run("undo", op, "-t", str(small)).exit_code == 0


def test_a_done_changes_cut_short_copy_is_dropped_by_its_id_too(small: Path) -> None:
    kept, text, op = a_change_waited_and_written(small)
    # Cut in its text, and cut where a copy left room it did not fill (NUL bytes).
    kept.with_name(kept.stem + " (1).json").write_bytes(text[: len(text) // 2])
    kept.with_name(kept.stem + " (2).json").write_bytes(text[: len(text) // 3] + b"\0" * 99)
    assert run("apply", "-t", str(small)).exit_code == 0
    for copy in (1, 2):  # one file a drop, each recorded
        dropped = run("pending", "drop", op, "-t", str(small))
        assert dropped.exit_code == 0, dropped.output
        assert f"a damaged copy of change {op}, which is done already" in dropped.stderr
        assert len(list(Store(small).folder.glob("*.json"))) == 2 - copy
    assert len([e for e in log_entries(small.parent) if e.get("kind") == "dropped"]) == 2


def test_a_change_file_padded_with_nul_bytes_reads_as_the_change(small: Path) -> None:
    """A copy that made room for the whole file and filled it, NUL bytes left after the
    text: the change is whole, and written."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Padded", "-t", str(small)).exit_code == 7
    (kept,) = Store(small).folder.glob("*.json")
    kept.write_bytes(kept.read_bytes() + b"\0" * 512)
    owner.unlink()
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    assert values(small)["ESP Tracker!K4"].endswith("Padded")

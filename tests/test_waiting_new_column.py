"""A waiting change into a column the tracker does not have yet (esp adds it when it writes
the change): dropped, listed and recorded by its header, and an answer too long for a cell
held as a conflict like any other — never a traceback, never the team's writes blocked."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.support.windows import excel_owner_file

TRACKER = "ESP Tracker.xlsx"
DAY = "2026-12-04"
# No TBT Notes column: a TBT note's change writes into a column esp is to add.
HEADERS = factories.headers(*(k for k in factories.TRACKER_KEYS if k != "tbt_notes"))
AGENTS = [
    {"Class": "AET-1", "Agent Name": "Pat Kim", "Agent ID": "E101",
     "ESP Start Date": date(2026, 11, 30), "All TBTs Complete?": "No"},
    {"Class": "AET-1", "Agent Name": "Sam Ortiz", "Agent ID": "E102",
     "ESP Start Date": date(2026, 11, 30), "All TBTs Complete?": "No"},
]  # fmt: skip


def run(*argv: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(argv), input=stdin)


def make(folder: Path) -> Path:
    (folder / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(folder / TRACKER, AGENTS, headers=HEADERS)


def log(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "esp-backups" / f"{TRACKER}.history.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def waiting_tbt_note(tracker: Path) -> str:
    owner = tracker.parent / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    res = run("note", "add", "Pat Kim", "hello", "--tbt", "--date", DAY, "-t", str(tracker))
    assert res.exit_code == ExitCode.WAITING, res.output
    owner.unlink()
    (op,) = Store(tracker).unwritten().ops
    assert op.cells[0].col == 0  # its column is still to be added
    return op.op


def test_pending_lists_and_drop_discards_a_change_into_a_column_to_be_added(
    tmp_path: Path,
) -> None:
    tracker = make(tmp_path)
    op = waiting_tbt_note(tracker)
    listed = run("pending", "-t", str(tracker), "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert run("pending", "-t", str(tracker), "-f", "csv").exit_code == 0
    dropped = run("pending", "drop", op, "-t", str(tracker))
    assert dropped.exit_code == 0, dropped.output
    assert f"Dropped {op}" in dropped.stderr
    assert Store(tracker).unwritten().ops == []
    (cell,) = log(tmp_path)[-1]["cells"]
    assert cell["column"] == "TBT Notes" and cell["cell"] == "row 3"
    for fmt in ("table", "json", "csv"):
        shown = run("history", "-t", str(tracker), "-f", fmt)
        assert shown.exit_code == 0, shown.output
        assert op in shown.stdout
    # Never written: nothing to undo, said in one line.
    undo = run("undo", op, "-t", str(tracker))
    assert undo.exit_code == ExitCode.FAILED, undo.output
    assert "was dropped before it was written" in undo.stderr


def test_round_discard_drops_answers_into_a_column_to_be_added(tmp_path: Path) -> None:
    tracker = make(tmp_path)
    typed = run("round", "--class", "AET-1", "--date", DAY, "-t", str(tracker),
                stdin="short note\nq\n")  # fmt: skip
    assert "Not confirmed" in typed.output, typed.output
    assert Store(tracker).unwritten().ops
    dropped = run("round", "--discard", "-t", str(tracker))
    assert dropped.exit_code == 0, dropped.output
    assert Store(tracker).unwritten().ops == []


def test_an_answer_too_long_for_a_column_to_be_added_waits_as_a_conflict(tmp_path: Path) -> None:
    """A waiting TBT note over Excel's 32,767 characters, into the TBT Notes column esp is
    to add: held as a conflict naming it, as where the column is there — the team's other
    writes go ahead, and it can be dropped."""
    tracker = make(tmp_path)
    owner = tracker.parent / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    long = "é" * 40000
    res = run("note", "add", "Pat Kim", "short", "--tbt", "--date", DAY, "-t", str(tracker))
    assert res.exit_code == ExitCode.WAITING, res.output
    (op,) = Store(tracker).unwritten().ops
    # The line made over-long meanwhile, as a round's answer can be (a file esp keeps).
    folder = Store(tracker).folder
    data = json.loads((folder / op.file).read_text(encoding="utf-8"))
    data["units"][0]["cells"][0]["value"] = data["units"][0]["cells"][0]["value"] + long
    (folder / op.file).write_text(json.dumps(data), encoding="utf-8")
    owner.unlink()
    other = run("note", "add", "Sam Ortiz", "unrelated", "--date", DAY, "-t", str(tracker))
    assert other.exit_code == 0, other.output
    assert "1 waiting change(s) conflict with the tracker and still wait" in other.stderr
    held = run("apply", "-t", str(tracker))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert f"still waiting, {op.op}" in held.stderr
    assert "Excel allows 32,767" in held.stderr
    assert run("pending", "drop", op.op, "-t", str(tracker)).exit_code == 0
    assert Store(tracker).unwritten().ops == []


def test_the_round_refuses_a_note_too_long_for_its_cell_when_typed(tmp_path: Path) -> None:
    tracker = make(tmp_path)
    typed = run("round", "--class", "AET-1", "--date", DAY, "-t", str(tracker),
                stdin=f"{'é' * 40000}\nq\ny\n")  # fmt: skip
    assert typed.exit_code == 0, typed.output
    assert "Excel allows 32,767" in typed.output
    assert Store(tracker).unwritten().ops == []
    assert "Nothing typed" in typed.output or "TBT Notes" not in typed.output

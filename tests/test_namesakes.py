"""Namesakes nothing of who they are tells apart (no Agent ID, e-mail or N Number of their
own), named with their row ('Ana Lopez (row 4)'): a change that waits beside the tracker is
written on that row, follows the agent through a sort by what esp saw in the row, and says
so when it cannot tell which is the agent; esp history lists that row's agent's cells."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.support.windows import excel_owner_file

TRACKER = "ESP Tracker.xlsx"
KEYS = ("class", "agent_name", "agent_id", "email", "esp_start", "call_cert_complete",
        "tbts_complete", "coaching_date", "notes")  # fmt: skip
HEADERS = factories.headers(*KEYS)
COACHING, NOTES = "H", "I"  # columns; the headers on row 1, the agents from row 2
DAY = "2026-11-24"


def agent(name: str, start: str) -> dict[str, Any]:
    return {"Class": "AET-1", "Agent Name": name, "ESP Start Date": datetime.fromisoformat(start),
            "Call Cert Complete?": "No", "All TBTs Complete?": "No"}  # fmt: skip


def namesakes(folder: Path, second_start: str = "2026-11-17") -> Path:
    """Ana Lopez (started 11/18) on row 2, Bo Chen on row 3, Ana Lopez on row 4."""
    (folder / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    people = [agent("Ana Lopez", "2026-11-18"), agent("Bo Chen", "2026-11-18"),
              agent("Ana Lopez", second_start)]  # fmt: skip
    return factories.tracker(folder / TRACKER, people, title_rows=0, headers=HEADERS)


def run(*argv: str) -> Any:
    return CliRunner().invoke(app, list(argv))


def open_in_excel(tracker: Path) -> Path:
    owner = tracker.parent / f"~${tracker.name}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    return owner


def in_excel(tracker: Path, edit: Callable[[Any], None]) -> None:
    """Someone changes the tracker in Excel and saves it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(tracker)
    edit(wb.worksheets[0])
    wb.save(tracker)


def sort_by_start(ws: Any) -> None:
    """Excel's Sort by ESP Start Date (then name), as the team sorts."""
    rows = sorted(([c.value for c in r] for r in ws.iter_rows(min_row=2)),
                  key=lambda r: (r[4], r[1]))  # fmt: skip
    for i, values in enumerate(rows, 2):
        for j, v in enumerate(values, 1):
            ws.cell(i, j).value = v


def swap_namesakes(ws: Any) -> None:
    rows = {r: [c.value for c in ws[r]] for r in (2, 4)}
    for r, other in ((2, 4), (4, 2)):
        for j, v in enumerate(rows[other], 1):
            ws.cell(r, j).value = v


def cells(tracker: Path, column: str) -> dict[int, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(tracker).worksheets[0]
    return {r: ws[f"{column}{r}"].value for r in (2, 3, 4)}


def start_of(tracker: Path, row: int) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(tracker).worksheets[0][f"E{row}"].value


CHANGES = {
    "note": (("note", "add", "Ana Lopez (row 4)", "for the 11/17 starter", "--date", DAY), NOTES),
    "step": (("record-step", "Ana Lopez (row 4)", "coaching", "--date", DAY), COACHING),
}


# -- a change that waits beside the tracker -----------------------------------------------------


@pytest.mark.parametrize("change", CHANGES)
def test_a_namesakes_change_made_while_the_tracker_is_open_is_written_on_that_row(
    tmp_path: Path, change: str
) -> None:
    tracker = namesakes(tmp_path)
    argv, column = CHANGES[change]
    owner = open_in_excel(tracker)
    res = run(*argv, "-t", str(tracker))
    assert res.exit_code == ExitCode.WAITING, res.output
    owner.unlink()  # Excel closed, nothing saved: nothing moved
    done = run("apply", "-t", str(tracker))
    assert done.exit_code == 0, done.output
    written = cells(tracker, column)
    assert written[4] is not None and written[2] is None, written
    assert Store(tracker).unwritten().ops == []


@pytest.mark.parametrize("change", CHANGES)
def test_a_sort_meanwhile_takes_the_change_to_the_agents_row_by_what_esp_saw(
    tmp_path: Path, change: str
) -> None:
    # Sorted by ESP Start Date in Excel while the change waits: row 4's Ana Lopez (started
    # 11/17) is now on row 2; her ESP Start Date tells her from the other Ana Lopez.
    tracker = namesakes(tmp_path)
    argv, column = CHANGES[change]
    owner = open_in_excel(tracker)
    assert run(*argv, "-t", str(tracker)).exit_code == ExitCode.WAITING
    in_excel(tracker, sort_by_start)
    owner.unlink()
    done = run("apply", "-t", str(tracker))
    assert done.exit_code == 0, done.output
    assert start_of(tracker, 2).date().isoformat() == "2026-11-17"
    written = cells(tracker, column)
    assert written[2] is not None and written[3] is None and written[4] is None, written


def test_namesakes_alike_after_a_save_are_not_guessed_and_the_fix_works(tmp_path: Path) -> None:
    # Both started 11/18: after the rows were swapped in Excel nothing esp saw tells which
    # is row 4's agent. The change waits, saying so, with a fix that works.
    tracker = namesakes(tmp_path, second_start="2026-11-18")
    argv, _ = CHANGES["note"]
    owner = open_in_excel(tracker)
    assert run(*argv, "-t", str(tracker)).exit_code == ExitCode.WAITING
    in_excel(tracker, swap_namesakes)
    owner.unlink()
    before = tracker.read_bytes()
    held = run("apply", "-t", str(tracker))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert tracker.read_bytes() == before
    err = " ".join(held.stderr.split())
    assert (
        "two agents named Ana Lopez in class AET-1 (ESP Tracker!row 2, ESP Tracker!row 4); "
        "cannot tell which" in err
    )
    assert "no longer there" not in err and "put it back" not in err
    (op,) = Store(tracker).unwritten().ops
    assert f"esp pending drop {op.op}" in err and 'esp explain "Ana Lopez"' in err
    shown = json.loads(run("pending", "-t", str(tracker), "-f", "json").stdout)
    assert [c["kind"] for c in shown["operations"][0]["conflicts"]] == ["namesake"]
    # The fix: discard it, and make the change again with the row as it is now.
    assert run("pending", "drop", op.op, "-t", str(tracker)).exit_code == 0
    again = run(*argv, "-t", str(tracker))
    assert again.exit_code == 0, again.output
    assert cells(tracker, NOTES)[4] is not None and cells(tracker, NOTES)[2] is None


# -- esp history of a namesake --------------------------------------------------------------------


def history_of(tracker: Path, agent: str) -> set[str]:
    """The cells esp wrote that esp history lists for the agent (not those changed outside
    esp in the agent's row)."""
    res = run("history", agent, "-t", str(tracker), "-f", "json")
    assert res.exit_code == 0, res.output
    return {c["cell"] for c in json.loads(res.stdout)["changes"] if c["kind"] != "outside"}


def test_history_lists_the_cells_esp_wrote_for_that_namesake(tmp_path: Path) -> None:
    tracker = namesakes(tmp_path)
    argv, _ = CHANGES["step"]
    done = run(*argv, "-t", str(tracker))
    assert done.exit_code == 0, done.output
    mine = history_of(tracker, "Ana Lopez (row 4)")
    assert mine == {f"{COACHING}4", f"{NOTES}4"}
    assert history_of(tracker, "Ana Lopez (row 2)") == set()
    # What undo --agent finds for that row is what history lists.
    undo = run("undo", "--agent", "Ana Lopez (row 4)", "--dry-run", "-t", str(tracker), "-f",
               "json")  # fmt: skip
    assert undo.exit_code == 0, undo.output
    assert {c["cell"] for c in json.loads(undo.stdout)["changes"]} == mine
    # Sorted in Excel since (and noticed by the next write): her cells go with her, told
    # from the other Ana Lopez by the ESP Start Date esp saw.
    in_excel(tracker, sort_by_start)
    assert run("note", "add", "Bo Chen", "called", "-t", str(tracker)).exit_code == 0
    assert start_of(tracker, 2).date().isoformat() == "2026-11-17"
    assert history_of(tracker, "Ana Lopez (row 2)") == mine  # the cells as recorded
    assert history_of(tracker, "Ana Lopez (row 3)") == set()
    # ... and esp undo --agent finds them there.
    undo = run("undo", _write_op(tracker), "--agent", "Ana Lopez (row 2)", "--dry-run", "-t",
               str(tracker), "-f", "json")  # fmt: skip
    assert undo.exit_code == 0, undo.output
    assert {c["cell"] for c in json.loads(undo.stdout)["changes"]} == {f"{COACHING}2", f"{NOTES}2"}


def _write_op(tracker: Path) -> str:
    """The id of the first write in the log."""
    log = tracker.parent / "esp-backups" / f"{TRACKER}.history.jsonl"
    return str(json.loads(log.read_text(encoding="utf-8").splitlines()[0])["op"])


def test_only_esp_writes_since_keep_the_rows_where_they_were(tmp_path: Path) -> None:
    """The rows a change was made on are where they were while only esp has written the
    tracker since (esp moves no row); a save in Excel since may have moved them."""
    from esp_cli.workbook import history
    from esp_cli.workbook.xlsx import safety

    tracker = namesakes(tmp_path)
    log = history.log_path(tracker)
    then = safety.digest_of(tracker)
    assert history.only_esp_since(log, 0, then, then)
    assert run("note", "add", "Bo Chen", "called", "-t", str(tracker)).exit_code == 0
    now = safety.digest_of(tracker)
    assert now != then and history.only_esp_since(log, 0, then, now)
    in_excel(tracker, lambda ws: None)  # saved in Excel
    assert not history.only_esp_since(log, 0, then, safety.digest_of(tracker))
    assert run("note", "add", "Bo Chen", "again", "-t", str(tracker)).exit_code == 0
    assert not history.only_esp_since(log, 0, then, safety.digest_of(tracker))
    assert history.only_esp_since(log, 0, safety.digest_of(tracker), safety.digest_of(tracker))

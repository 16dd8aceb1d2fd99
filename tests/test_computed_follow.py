"""Every command that writes a cell the rules read keeps the sheet's computed columns
(Escalation Stage, Next Action, Next Action Due) as esp escalations computes them, as esp
round and esp record-step do: esp tbt proofs, esp access set, esp sync-nnumbers."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import escalation_tracker as et
from tests.factories import master

ROW = 4  # Devon Price
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def agent(name: str, agent_id: str, call_cert: str, access: str | None) -> et.Agent:
    return et.Agent(
        "AET-1",
        name,
        name,
        agent_id,
        date(2026, 11, 16),
        call_cert,
        "No",
        None,
        None,
        access,
        None,
        None,
        None,
        None,
        [None, None, None, None],
    )


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = et.build(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent("Devon Price", "E100", "Yes", "Password Reset"),
            agent("Ana Ruiz", "E101", "No", None),
        ],
    )
    res = CliRunner().invoke(app, ["escalations", "-t", str(path), "--write"])
    assert res.exit_code == 0, res.output
    return path


def esp(tracker: Path, *args: str) -> Any:
    res = CliRunner().invoke(app, [*args, "--tracker", str(tracker)])
    assert res.exit_code == 0, res.output
    return res


def computed(tracker: Path) -> list[Any]:
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    headers = {c.value: c.column for c in ws[ROW - 1]}
    out = []
    for name in ("Escalation Stage", "Next Action", "Next Action Due"):
        value = ws.cell(ROW, headers[name]).value
        out.append(value.date() if isinstance(value, datetime) else value)
    return out


def expected(tracker: Path) -> list[Any]:
    """What esp escalations computes for Devon now."""
    res = CliRunner().invoke(app, ["escalations", "-t", str(tracker), "-f", "json"])
    devon = next(s for s in json.loads(res.stdout) if s["agent"] == "Devon Price")
    due = devon["next_action_due"]
    return [devon["stage"], devon["next_action"], date.fromisoformat(due) if due else None]


def test_tbt_proofs_keeps_the_computed_columns(tracker: Path, tmp_path: Path) -> None:
    before = computed(tracker)
    folder = tmp_path / "proofs"
    folder.mkdir()
    (folder / "Devon Price TBT.pdf").write_bytes(PDF)
    esp(tracker, "tbt", "proofs", str(folder), "--by", "Dana Whitfield")
    # Complete: no further actions (esp escalations lists the agent no more).
    assert computed(tracker) == ["Complete", None, None] != before


def test_access_set_keeps_the_computed_columns(tracker: Path) -> None:
    before = computed(tracker)
    esp(tracker, "access", "set", "Devon Price", "Password Reset", "--spoc-called",
        "2026-11-20", "--incident", "INC1", "--phone", "513-555-0131", "--by", "Dana")  # fmt: skip
    assert computed(tracker) == expected(tracker) != before


def test_sync_nnumbers_keeps_the_computed_columns(tracker: Path, tmp_path: Path) -> None:
    ws_book = openpyxl.load_workbook(tracker)
    ws_book["ESP Tracker"].cell(ROW, 6).value = None  # no N Number Requested date yet
    ws_book.save(tracker)
    assert CliRunner().invoke(app, ["escalations", "-t", str(tracker), "--write"]).exit_code == 0
    before = computed(tracker)
    mst = master(tmp_path / "Master.xlsx", [("AET-1", "Devon Price", "E100", None, "N9",
                                             date(2026, 11, 2))])  # fmt: skip
    esp(tracker, "sync-nnumbers", "--from", str(mst))
    assert computed(tracker) == expected(tracker) != before


def test_a_sync_on_a_tracker_without_computed_columns_reads_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The computed columns follow only where the sheet has them: a tracker without them
    (before its first esp escalations --write) pays no second read for the rules' columns."""
    from esp_cli.services import escalations

    tracker = et.build(tmp_path / "ESP Tracker.xlsx", [agent("Devon Price", "E100", "Yes", None)])
    ws_book = openpyxl.load_workbook(tracker)
    ws_book["ESP Tracker"].cell(ROW, 6).value = None  # no N Number Requested date yet
    ws_book.save(tracker)

    def not_called(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the rules' columns read for a sheet without computed columns")

    monkeypatch.setattr(escalations, "keep_computed", not_called)
    mst = master(tmp_path / "Master.xlsx", [("AET-1", "Devon Price", "E100", None, "N9",
                                             date(2026, 11, 2))])  # fmt: skip
    esp(tracker, "sync-nnumbers", "--from", str(mst))
    assert openpyxl.load_workbook(tracker)["ESP Tracker"].cell(ROW, 6).value is not None


def test_the_teams_formula_in_a_computed_column_is_kept_and_refuses_nothing(
    tracker: Path, tmp_path: Path
) -> None:
    """The team keeps a formula in Devon's Next Action: esp access set, esp tbt proofs and
    esp sync-nnumbers write their own cells and the other computed cells, and leave the
    formula as it is (esp never overwrites one) — never refusing the whole write for it."""
    book = openpyxl.load_workbook(tracker)
    ws = book["ESP Tracker"]
    headers = {c.value: c.column for c in ws[ROW - 1]}
    formula = '=IF(TRUE,"Ask Dana","")'
    ws.cell(ROW, headers["Next Action"]).value = formula
    ws.cell(ROW, 6).value = None  # no N Number Requested date yet: the sync writes one
    book.save(tracker)
    esp(tracker, "access", "set", "Devon Price", "Password Reset", "--spoc-called",
        "2026-11-20", "--incident", "INC1", "--phone", "513-555-0131", "--by", "Dana")  # fmt: skip
    mst = master(tmp_path / "Master.xlsx", [("AET-1", "Devon Price", "E100", None, "N9",
                                             date(2026, 11, 2))])  # fmt: skip
    esp(tracker, "sync-nnumbers", "--from", str(mst))
    folder = tmp_path / "proofs"
    folder.mkdir()
    (folder / "Devon Price TBT.pdf").write_bytes(PDF)
    esp(tracker, "tbt", "proofs", str(folder), "--by", "Dana Whitfield")
    after = openpyxl.load_workbook(tracker)["ESP Tracker"]
    assert after.cell(ROW, headers["Next Action"]).value == formula
    assert after.cell(ROW, headers["Escalation Stage"]).value == "Complete"
    assert after.cell(ROW, 6).value is not None


@pytest.mark.parametrize("command", ["access", "sync", "proofs"])
def test_the_rules_columns_come_from_the_one_scan_of_the_sheet(
    tracker: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A write whose computed columns follow it scans the agents' sheet once: the rules'
    columns with its own (on 50,000 agents a second scan cost a second and 150 MB)."""
    from esp_cli.workbook.xlsx import reader

    scans: list[str] = []
    real = reader.WorkbookReader.values

    def counted(self: Any, sheet: Any, nrows: int | None = None, **kwargs: Any) -> Any:
        if nrows is None and sheet.name == "ESP Tracker":
            scans.append(sheet.name)
        return real(self, sheet, nrows=nrows, **kwargs)

    if command == "access":
        args = ["access", "set", "Devon Price", "Password Reset", "--spoc-called",
                "2026-11-20", "--incident", "INC1", "--phone", "513-555-0131",
                "--by", "Dana"]  # fmt: skip
    elif command == "sync":
        book = openpyxl.load_workbook(tracker)
        book["ESP Tracker"].cell(ROW, 6).value = None  # no N Number Requested date yet
        book.save(tracker)
        mst = master(tmp_path / "Master.xlsx", [("AET-1", "Devon Price", "E100", None, "N9",
                                                 date(2026, 11, 2))])  # fmt: skip
        args = ["sync-nnumbers", "--from", str(mst)]
    else:
        folder = tmp_path / "proofs"
        folder.mkdir()
        (folder / "Devon Price TBT.pdf").write_bytes(PDF)
        args = ["tbt", "proofs", str(folder), "--by", "Dana Whitfield"]
    monkeypatch.setattr(reader.WorkbookReader, "values", counted)
    before = computed(tracker)
    esp(tracker, *args)
    monkeypatch.undo()
    # Complete after the proofs: esp escalations lists Devon no more.
    want = ["Complete", None, None] if command == "proofs" else expected(tracker)
    assert computed(tracker) == want != before
    assert scans == ["ESP Tracker"]


def test_a_formula_without_a_saved_result_is_said_alike_by_every_write(tmp_path: Path) -> None:
    """Devon's ESP Start Date is a formula whose result the file does not hold (a workbook
    another program wrote): esp escalations --write says so in Next Action, and esp access
    set, whose computed cells follow from the rules' columns read for Devon alone, says the
    same, never "is empty"."""
    path = et.build(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent("Devon Price", "E100", "No", None),
            agent("Ana Ruiz", "E101", "No", None),
        ],
    )
    book = openpyxl.load_workbook(path)
    ws = book["ESP Tracker"]
    headers = {c.value: c.column for c in ws[ROW - 1]}
    ws.cell(ROW, headers["ESP Start Date"]).value = "=DATE(2026,11,16)"  # no result saved
    book.save(path)
    res = CliRunner().invoke(app, ["escalations", "-t", str(path), "--write"])
    assert res.exit_code == 0, res.output
    written = computed(path)
    assert "formula whose result is not saved" in str(written[1])
    esp(path, "access", "set", "Devon Price", "Equipment Issue", "--by", "Dana")
    assert computed(path) == expected(path)
    assert "formula whose result is not saved" in str(computed(path)[1])

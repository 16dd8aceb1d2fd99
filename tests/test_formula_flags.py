"""A cell the rules read that holds a formula whose result is not saved in the file (a
tracker written by a program, never saved by Excel) is not read as empty: Excel shows a
value there. A completion flag so is never "not complete": the agent is not evaluated, as
for a flag holding #N/A, and esp explain and esp escalations say why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app

FORMULA = '=IF(TRUE,"Yes","No")'
SAID = (
    "holds a formula whose result is not saved in the file (open the tracker in Excel and save it)"
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def tracker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ESP Tracker.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(
        ["Class", "Agent Name", "ESP Start Date", "Call Cert Complete?", "All TBTs Complete?",
         "Coaching Date", "Citrix TBT Access"]
    )  # fmt: skip
    ws.append(["AET-1", "Ana Ruiz", "11/10/2026", FORMULA, "Yes", None, "No Issues"])
    ws.append(["AET-1", "Ben Carter", "11/10/2026", "Yes", "=C3", None, "No Issues"])
    wb.save(path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ESP_TRACKER", str(path))
    return path


def test_explain_says_the_flag_holds_a_formula_and_does_not_judge_the_agent(
    tracker: Path,
) -> None:
    res = run("explain", "Ana Ruiz", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert (
        f"Completion: Call Cert Complete? {SAID}; All TBTs Complete? yes: completion unknown "
        "(the agent may be complete), so not evaluated."
    ) in res.stdout
    assert "not complete" not in res.stdout
    assert "Coaching due" not in res.stdout and "overdue" not in res.stdout


def test_escalations_leave_such_an_agent_not_evaluated_saying_why(tracker: Path) -> None:
    res = run("escalations", "--as-of", "2026-11-24", "--format", "json")
    assert res.exit_code == 0, res.output
    agents = {a["agent"]: a for a in json.loads(res.stdout)}
    for name, header in (("Ana Ruiz", "Call Cert Complete?"), ("Ben Carter", "All TBTs Complete?")):
        assert agents[name]["stage"] == "Not evaluated", agents[name]
        assert agents[name]["not_evaluated_reason"] == f"{header} {SAID}"

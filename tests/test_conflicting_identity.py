"""A row whose name and e-mail (or Agent ID) point at two different agents is filed on
neither: a self-report typed on a shared PC, a Master row of another vendor's agent with the
same name. It is listed with both, and nothing is written for it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.services.sync import sync_nnumbers
from tests import factories
from tests.test_self_reports import AGENTS, eml, import_json


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    path = tmp_path / "esp.toml"
    path.write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', encoding="utf-8")
    return path


# ---------------------------------------------------------------- self-reports


def test_a_sheet_row_whose_name_and_e_mail_are_two_agents_is_not_imported(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "shared-pc.csv"
    path.write_text(
        "Timestamp,Email Address,Agent Name,Update\r\n"
        "11/24/2026 17:02,devon.price@x.com,Sam Lee,Module 3 done (typed on the shared PC)\r\n"
        '11/24/2026 17:03,devon.price@x.com,"Price, Devon",Module 4 done\r\n'
        "11/24/2026 17:04,devon.price@x.com,Devon,Module 5 done\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert [(i["agent"], i["note"][-13:]) for i in data["imported"]] == [
        ("Devon Price", "Module 4 done"),
        ("Devon Price", "Module 5 done"),
    ]
    (conflict,) = data["unmatched"]
    assert conflict["source"] == "shared-pc.csv!row 2"
    assert "devon.price@x.com is Devon Price's" in conflict["reason"]
    assert "the name Sam Lee is Sam Lee's" in conflict["reason"]
    assert "ESP Tracker!row 3" in conflict["reason"] and "ESP Tracker!row 4" in conflict["reason"]
    ws = openpyxl.load_workbook(config.parent / "ESP Tracker.xlsx")["ESP Tracker"]
    assert ws["K4"].value is None  # nothing for Sam Lee


def test_an_e_mail_whose_display_name_is_another_agent_is_not_imported(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(eml("Module 3 done.", sender="Sam Lee <devon.price@x.com>"))
    data = import_json(config, path)
    assert data["imported"] == []
    assert "the name Sam Lee is Sam Lee's" in data["unmatched"][0]["reason"]


# ----------------------------------------------------------------- the Master

SYNC_AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100", "Email": "devon@x.com"},
    {"Class": "AET-1", "Agent Name": "Sam Price", "Agent ID": "E101", "Email": "sam@x.com"},
    {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Agent ID": "E102", "Email": "ana@x.com"},
    {"Class": "AET-2", "Agent Name": "Lee Park", "Email": "lee@x.com"},
    {"Class": "AET-2", "Agent Name": "Kim Ode", "Agent ID": "E104", "Email": "kim@x.com"},
]
DAY = date(2026, 11, 20)
MASTER = [
    ("AET-1", "Ruiz, Ana", "V77001", None, "N999001", DAY),  # another Ana Ruiz's ID
    ("AET-2", "Kim Ode", None, "kim.ode@othervendor.com", "N999002", DAY),  # another e-mail
    ("AET-1", "Devon Price", "E100", "sam@x.com", "N999003", DAY),  # ID and e-mail disagree
    ("AET-1", "Sam Price", "E100", None, "N999004", DAY),  # Devon's ID, Sam's name
    ("AET-2", "Lee Park", "V5", None, "N999005", DAY),  # no ID in the tracker: the name
]


def test_a_master_row_that_contradicts_the_tracker_is_matched_to_no_one(tmp_path: Path) -> None:
    esp = factories.tracker(tmp_path / "ESP.xlsx", SYNC_AGENTS)
    mst = factories.master(tmp_path / "Master.xlsx", MASTER)
    result = sync_nnumbers(esp, mst, Config())
    ws = openpyxl.load_workbook(esp)["ESP Tracker"]
    filled = {
        ws[f"B{r}"].value: (ws[f"E{r}"].value, ws[f"F{r}"].value)
        for r in range(3, 3 + len(SYNC_AGENTS))
    }
    assert filled == {
        "Devon Price": (None, None),
        "Sam Price": (None, None),
        "Ana Ruiz": (None, None),
        "Lee Park": ("N999005", datetime(2026, 11, 20)),
        "Kim Ode": (None, None),
    }
    assert result.conflicts == []
    reasons = {u.agent: u.reason for u in result.unmatched}
    assert set(reasons) == {"Ana Ruiz", "Kim Ode", "Devon Price", "Sam Price"}
    assert "Agent ID V77001" in reasons["Ana Ruiz"] and "E102" in reasons["Ana Ruiz"]
    assert "kim.ode@othervendor.com" in reasons["Kim Ode"] and "kim@x.com" in reasons["Kim Ode"]
    assert "Devon Price" in reasons["Devon Price"] and "Sam Price" in reasons["Devon Price"]
    assert "Agent ID E100 is Devon Price's" in reasons["Sam Price"]


def test_the_cli_lists_the_contradicting_row(tmp_path: Path) -> None:
    esp = factories.tracker(tmp_path / "ESP.xlsx", SYNC_AGENTS)
    mst = factories.master(tmp_path / "Master.xlsx", MASTER[:1])
    res = run("sync-nnumbers", "--tracker", str(esp), "--from", str(mst), "--dry-run", "-f",
              "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["changes"] == []
    assert [u["agent"] for u in data["unmatched"]] == ["Ana Ruiz"]

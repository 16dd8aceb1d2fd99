"""A ladder step that waited is written only where the ladder still holds it: the step
before it recorded (in the tracker as it is then, or by a change written before it in the
same write), on or before it. One that a direct esp record-step would refuse — its coaching
dropped unwritten (esp pending drop), or cleared in Excel meanwhile — is held as a conflict
with the same reason and fix."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.test_waiting import AGENTS, open_in_excel, run

TRACKER = "ESP Tracker.xlsx"
HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("coaching_date", "written_cap_date"))
# test_waiting's two agents: a title row, the headers on row 2, Devon on row 3: Notes K,
# Coaching Date M, Written CAP Date N.
COACHING = ["record-step", "Devon Price", "coaching", "--date", "2026-11-24", "--note", "coach"]
WRITTEN_CAP = ["record-step", "Devon Price", "written-cap", "--date", "2026-11-25", "--note"]
WRITTEN_CAP += ["wcap"]
REFUSED = "written CAP cannot be recorded before the coaching (Coaching Date is empty)"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / TRACKER, AGENTS, headers=HEADERS)


def devon(path: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path).worksheets[0]
    return {"coaching": ws["M3"].value, "written_cap": ws["N3"].value, "notes": ws["K3"].value}


def test_a_written_cap_counted_on_a_coaching_dropped_since_is_held(small: Path) -> None:
    t = ["-t", str(small)]
    owner = open_in_excel(small.parent)
    assert run(*COACHING, *t).exit_code == ExitCode.WAITING
    (coaching,) = Store(small).unwritten().ops
    # Accepted only because the waiting coaching counts.
    assert run(*WRITTEN_CAP, *t).exit_code == ExitCode.WAITING
    assert run("pending", "drop", coaching.op, *t).exit_code == 0
    (cap,) = Store(small).unwritten().ops
    owner.unlink()
    held = run("apply", *t)
    assert held.exit_code == ExitCode.FINDINGS, held.output
    said = " ".join(held.stderr.split())
    assert f"{REFUSED}; record the coaching first (the ladder never skips a step)" in said
    assert "a ladder step would be written without the step before it" in said
    assert devon(small) == {"coaching": None, "written_cap": None, "notes": None}
    shown = json.loads(run("pending", *t, "-f", "json").stdout)["operations"]
    assert [(o["op"], {c["kind"] for c in o["conflicts"]}) for o in shown] == [(cap.op, {"ladder"})]
    # The same record-step on the free tracker is refused with the same words.
    direct = run(*WRITTEN_CAP, "--no-wait", *t)
    assert direct.exit_code != 0 and REFUSED in " ".join(direct.stderr.split())


def test_a_written_cap_whose_coaching_was_cleared_in_excel_meanwhile_is_held(
    small: Path,
) -> None:
    t = ["-t", str(small)]
    assert run(*COACHING, *t).exit_code == 0
    owner = open_in_excel(small.parent)
    assert run(*WRITTEN_CAP, *t).exit_code == ExitCode.WAITING
    owner.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(small)
    wb.worksheets[0]["M3"] = None
    wb.save(small)
    held = run("apply", *t)
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert REFUSED in " ".join(held.stderr.split())
    assert devon(small)["written_cap"] is None
    # --skip-conflicts writes nothing of the step: neither its date nor the line about it.
    assert run("apply", "--skip-conflicts", *t).exit_code == 0
    got = devon(small)
    assert got["written_cap"] is None and "wcap" not in (got["notes"] or "")


def test_a_coaching_and_a_written_cap_that_both_waited_are_written_in_order(
    small: Path,
) -> None:
    t = ["-t", str(small)]
    owner = open_in_excel(small.parent)
    assert run(*COACHING, *t).exit_code == ExitCode.WAITING
    assert run(*WRITTEN_CAP, *t).exit_code == ExitCode.WAITING
    owner.unlink()
    done = run("apply", *t)
    assert done.exit_code == 0, done.output
    got = devon(small)
    assert got["coaching"] == datetime(2026, 11, 24) and got["written_cap"] == datetime(
        2026, 11, 25
    )

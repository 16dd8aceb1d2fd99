"""esp tbt proofs: a refused proof names, in JSON and CSV, the agent and class esp matched it
to (none when it cannot tell whose it is), and says its fix apart from what is wrong."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_tbt_proofs import (
    build_tracker,
    pdf,
    proof_folder,
    proofs,
    tracking_book,
    write,
)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    """Devon Price (row 3) and Ana Ruiz (4) of AET-1; Kim Lee (5), Omar Haddad (6) and Lia
    Wong (7) of AET-2."""
    return build_tracker(tmp_path / "ESP Tracker.xlsx")


def rejected_json(tracker: Path, folder: Path, *args: str) -> list[dict[str, Any]]:
    res = proofs(tracker, folder, "-n", "-f", "json", *args)
    assert res.exit_code == 0, res.output
    rejected: list[dict[str, Any]] = json.loads(res.stdout)["rejected"]
    return rejected


def rejected_csv(tracker: Path, folder: Path, *args: str) -> list[dict[str, str]]:
    res = proofs(tracker, folder, "-n", "-f", "csv", *args)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    return [r for r in rows if r["status"] == "rejected"]


def devon_and_omar(tmp_path: Path) -> Path:
    return proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Omar Haddad TBT.pdf": pdf("Omar Haddad")},
    )


CLAIM_WHY = (
    "sheet 'AET-1' is spelt as class 'AET 1' and class 'AET_1' alike: esp cannot tell whose "
    "tab it is"
)
CLAIM_FIX = (
    "if class 'AET_1' is a slip for 'AET 1', correct its Class cell 'ESP Tracker'!A4 in the "
    "tracker; else rename the tab in Excel to the exact name of the class it belongs to "
    "('AET 1' or 'AET_1'); or give the sheet with --tracking-tab"
)


def claimed_by_two(tracker: Path, tmp_path: Path) -> Path:
    """Class AET 1 (Devon, Kim), Ana's Class cell A4 typed 'AET_1': the tab 'AET-1' is
    spelt as both classes."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A4"], ws["A5"] = "AET 1", "AET_1", "AET 1"
    wb.save(tracker)
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    return devon_and_omar(tmp_path)


def test_a_tab_two_classes_claim_names_the_agent_and_class_and_says_the_fix_apart(
    tracker: Path, tmp_path: Path
) -> None:
    """The claim refusal: one short reason, the fix (naming the Class cell to correct) in
    its own field, and whose proof it is — Devon Price of class AET 1, row 3."""
    folder = claimed_by_two(tracker, tmp_path)
    assert rejected_json(tracker, folder) == [
        {
            "file": "Devon Price TBT.pdf",
            "agent": "Devon Price",
            "class": "AET 1",
            "sheet": "ESP Tracker",
            "row": 3,
            "reason": CLAIM_WHY,
            "fix": CLAIM_FIX,
            "expected": None,
        }
    ]
    (row,) = rejected_csv(tracker, folder)
    assert row == {
        "status": "rejected",
        "file": "Devon Price TBT.pdf",
        "agent": "Devon Price",
        "class": "AET 1",
        "received": "",
        "reason": CLAIM_WHY,
        "from_email": "",
        "sender_mismatch": "",
        "forwarded": "",
        "fix": CLAIM_FIX,
    }


def test_the_fix_is_shown_under_the_reason_with_the_agent(tracker: Path, tmp_path: Path) -> None:
    folder = claimed_by_two(tracker, tmp_path)
    res = proofs(tracker, folder, "-n")
    assert res.exit_code == 0, res.output
    table = res.stdout[res.stdout.index("Rejected (1)") :]
    header = table.splitlines()[2]
    assert ["File", "Agent", "Why"] == [c.strip() for c in header.strip("┃").split("┃")], header
    cells = [line.split("│") for line in table.splitlines() if line.startswith("│")]
    agent = " ".join(c[2].strip() for c in cells).strip()
    assert agent == "Devon Price", cells
    why = " ".join(" ".join(c[3].split()) for c in cells if len(c) > 3)
    at = why.index("Fix:")
    assert " ".join(why[:at].split()) == CLAIM_WHY
    assert " ".join(why[at:].split()) == " ".join(f"Fix: {CLAIM_FIX}".split())


def test_a_hidden_tab_refusal_names_the_agent_and_class(tracker: Path, tmp_path: Path) -> None:
    """Class AET-2's only tab is hidden and no visible sheet is free: Omar's proof is
    refused, naming him, his class, and how to unhide the tab apart."""
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "hidden")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    folder = devon_and_omar(tmp_path)
    why = (
        "class 'AET-2': its tab 'AET-2' is hidden in Excel, esp adds no rows to a hidden tab, "
        "and every visible sheet is another class's ('AET-1')"
    )
    fix = (
        "unhide it (right-click any sheet tab in Excel, choose Unhide, and pick it); or give "
        "the sheet with --tracking-tab (or [tracker] tbt_tracking_tab)"
    )
    assert rejected_json(tracker, folder) == [
        {
            "file": "Omar Haddad TBT.pdf",
            "agent": "Omar Haddad",
            "class": "AET-2",
            "sheet": "ESP Tracker",
            "row": 6,
            "reason": why,
            "fix": fix,
            "expected": None,
        }
    ]
    (row,) = rejected_csv(tracker, folder)
    assert (row["agent"], row["class"], row["reason"], row["fix"]) == (
        "Omar Haddad", "AET-2", why, fix
    )  # fmt: skip


def test_whose_file_is_carried_only_when_esp_knows(tracker: Path, tmp_path: Path) -> None:
    """A badly named file esp matched to Kim Lee names her; a file that is no PDF, one
    naming no agent and one two agents' names fit name nobody: never a guess."""
    wb = openpyxl.load_workbook(tracker)
    wb["ESP Tracker"]["B7"] = "Omar Haddad"  # Lia's row typed as Omar's name: two Omars
    wb.save(tracker)
    folder = tmp_path / "proofs"
    folder.mkdir()
    write(folder, "kim_lee_tbt.pdf", pdf("Kim Lee"))
    write(folder, "Devon Price TBT.pdf", b"PK\x03\x04 a Word file renamed")
    write(folder, "Zoe Quinn TBT.pdf", pdf("Zoe Quinn"))
    write(folder, "Omar Haddad TBT.pdf", pdf("Omar Haddad"))
    got = {r["file"]: r for r in rejected_json(tracker, folder)}
    assert got["kim_lee_tbt.pdf"] == {
        "file": "kim_lee_tbt.pdf",
        "agent": "Kim Lee",
        "class": "AET-2",
        "sheet": "ESP Tracker",
        "row": 5,
        "reason": "badly named (underscores for spaces, capitals differ): rename it to "
        "'Kim Lee TBT.pdf'",
        "expected": "Kim Lee TBT.pdf",
    }
    for file in ("Devon Price TBT.pdf", "Zoe Quinn TBT.pdf", "Omar Haddad TBT.pdf"):
        assert set(got[file]) == {"file", "reason", "expected"}, got[file]
    rows = {r["file"]: r for r in rejected_csv(tracker, folder)}
    assert (rows["kim_lee_tbt.pdf"]["agent"], rows["kim_lee_tbt.pdf"]["class"]) == (
        "Kim Lee", "AET-2"
    )  # fmt: skip
    for file in ("Devon Price TBT.pdf", "Zoe Quinn TBT.pdf", "Omar Haddad TBT.pdf"):
        assert (rows[file]["agent"], rows[file]["class"], rows[file]["fix"]) == ("", "", "")


def test_a_file_recorded_for_another_names_the_agent_it_came_as(
    tracker: Path, tmp_path: Path
) -> None:
    """Devon's transcript, recorded, saved again as Kim's: refused for Kim Lee, the fix
    apart."""
    first = proof_folder(tmp_path / "first", {"Devon Price TBT.pdf": pdf("Devon Price")})
    assert proofs(tracker, first).exit_code == 0
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Devon Price")})
    why = "the same file was recorded for Devon Price on 11/23/2026: not Kim Lee's own proof"
    assert rejected_json(tracker, later) == [
        {
            "file": "Kim Lee TBT.pdf",
            "agent": "Kim Lee",
            "class": "AET-2",
            "sheet": "ESP Tracker",
            "row": 5,
            "reason": why,
            "fix": "ask Kim Lee for it",
            "expected": None,
        }
    ]
    (row,) = rejected_csv(tracker, later)
    assert (row["agent"], row["class"], row["reason"], row["fix"]) == (
        "Kim Lee", "AET-2", why, "ask Kim Lee for it"
    )  # fmt: skip

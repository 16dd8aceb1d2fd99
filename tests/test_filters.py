"""--class and --sme on the commands that list agents: escalations, progress missing,
report eod."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories

HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("tbt_sme"))
START = date(2026, 11, 16)  # by Tue 11/24 everyone incomplete is behind target


def agent(cls: str, name: str, sme: str, done: bool = False) -> dict[str, Any]:
    return {
        "Class": cls,
        "Agent Name": name,
        "Agent ID": name.split()[0][:3].upper(),
        "ESP Start Date": START,
        "Call Cert Complete?": "Yes" if done else "No",
        "All TBTs Complete?": "Yes" if done else "No",
        "TBT SME": sme,
    }


AGENTS = [
    agent("AET-1", "Ana Ruiz", "Keisha Grant"),
    agent("AET-1", "Ben Cole", "Keisha Grant"),
    agent("AET-1", "Cleo Diaz", "Kim Green", done=True),
    agent("AET-1", "Dev Eng", "Kim Green"),
    agent("AET-2", "Eli Fox", "Keisha Grant"),
    agent("AET-2", "Fay Gray", "Tom Alvarez"),
]


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=HEADERS)


def run(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--tracker", str(tracker)])


def names(res: Any, key: str | None = None) -> set[str]:
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    return {a["agent"] for a in (data[key] if key else data)}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["--sme", "Keisha Grant"], {"Ana Ruiz", "Ben Cole", "Eli Fox"}),
        (["--sme", "grant, keisha"], {"Ana Ruiz", "Ben Cole", "Eli Fox"}),
        (["--sme", "Keisha"], {"Ana Ruiz", "Ben Cole", "Eli Fox"}),  # one SME has that name
        (["--sme", "keisha", "--class", "aet-2"], {"Eli Fox"}),
        (["--class", "AET-1"], {"Ana Ruiz", "Ben Cole", "Dev Eng"}),
        ([], {"Ana Ruiz", "Ben Cole", "Dev Eng", "Eli Fox", "Fay Gray"}),
    ],
)
def test_escalations_lists_only_the_class_or_smes_agents(
    tracker: Path, filters: list[str], expected: set[str]
) -> None:
    res = run(tracker, "escalations", "--as-of", "2026-11-24", "-f", "json", *filters)
    assert names(res) == expected
    today = run(tracker, "escalations", "--today", "--as-of", "2026-11-24", "-f", "json", *filters)
    assert names(today) == expected


def test_escalations_says_whose_list_it_is(tracker: Path) -> None:
    res = run(tracker, "escalations", "--today", "--as-of", "2026-11-24", "--sme", "keisha")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("As of Tue 11/24/2026, TBT SME Keisha Grant: ")


@pytest.mark.parametrize(
    ("sme", "message"),
    [
        ("Zed", "No TBT SME 'Zed' in ESP Tracker.xlsx (TBT SMEs: Keisha Grant, Kim Green, "
                "Tom Alvarez)."),
        ("gr", "'gr' matches 2 TBT SMEs in ESP Tracker.xlsx (TBT SMEs: Keisha Grant, Kim Green)."),
        # one letter is too little to name anyone, as for an agent
        ("k", "No TBT SME 'k' in ESP Tracker.xlsx (TBT SMEs: Keisha Grant, Kim Green, "
              "Tom Alvarez)."),
        ("Tom", "No TBT SME 'Tom' in ESP Tracker.xlsx class AET-1 (TBT SMEs: Keisha Grant, "
                "Kim Green)."),
    ],
)  # fmt: skip
def test_an_unknown_or_ambiguous_sme_lists_the_smes(tracker: Path, sme: str, message: str) -> None:
    extra = ["--class", "AET-1"] if sme == "Tom" else []
    res = run(tracker, "escalations", "--sme", sme, *extra)
    assert res.exit_code == ExitCode.USAGE
    assert res.stdout == ""
    assert message in res.stderr


def test_progress_missing_for_a_class_or_an_sme(tracker: Path) -> None:
    args = ("progress", "missing", "--date", "2026-11-24", "-f", "json")
    res = run(tracker, *args, "--sme", "Kim Green")
    assert names(res, "missing") == {"Dev Eng"}
    data = json.loads(res.stdout)
    assert (data["class"], data["tbt_sme"], data["incomplete"]) == (None, "Kim Green", 1)
    res = run(tracker, *args, "--class", "AET-2")
    assert names(res, "missing") == {"Eli Fox", "Fay Gray"}
    table = run(tracker, "progress", "missing", "--date", "2026-11-24", "--class", "AET-2")
    assert table.exit_code == 0, table.output
    assert "No self-report for Tue 11/24/2026, class AET-2: 2 of 2" in table.stdout


def test_report_eod_for_a_class_or_an_sme(tracker: Path) -> None:
    res = run(tracker, "report", "eod", "--date", "2026-11-24", "--class", "AET-1", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["scope"] == "class AET-1"
    assert [c["class"] for c in data["classes"]] == ["AET-1"]
    assert (data["totals"]["agents"], data["totals"]["fully_complete"]) == (4, 1)
    res = run(tracker, "report", "eod", "--date", "2026-11-24", "--sme", "keisha")
    assert res.exit_code == 0, res.output
    assert "TBT SME Keisha Grant" in res.stdout.splitlines()[0]
    text = run(tracker, "report", "eod", "--date", "2026-11-24", "--sme", "Keisha", "-f", "text")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("TBT Completion Report — Tue 11/24/2026 — TBT SME Keisha Grant")
    whole = run(tracker, "report", "eod", "--date", "2026-11-24", "-f", "json")
    assert "scope" not in json.loads(whole.stdout)
    assert json.loads(whole.stdout)["totals"]["agents"] == 6


def test_a_cell_naming_two_smes_belongs_to_both(tmp_path: Path) -> None:
    rows = [*AGENTS, agent("AET-2", "Gus Hale", "Tom Alvarez / Keisha Grant")]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)
    for sme in ("Tom Alvarez", "grant, keisha"):
        res = run(path, "escalations", "--sme", sme, "--as-of", "2026-11-24", "--format", "json")
        assert "Gus Hale" in names(res), sme
    res = run(
        path, "escalations", "--sme", "Kim Green", "--as-of", "2026-11-24", "--format", "json"
    )
    assert names(res) == {"Dev Eng"}


# -- agents whose Class is blank ----------------------------------------------------------------

NO_CLASS_AGENTS = [*AGENTS, agent("", "Gus Hale", "Keisha Grant"), agent("  ", "Hal Ives", "")]


@pytest.fixture
def classless(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", NO_CLASS_AGENTS, headers=HEADERS)


def _json(tracker: Path, *args: str) -> Any:
    res = run(tracker, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _csv_classes(tracker: Path, *args: str) -> list[str]:
    res = run(tracker, *args, "-f", "csv")
    assert res.exit_code == 0, res.output
    return [line.split(",")[0] for line in res.stdout.lstrip("\ufeff").splitlines()[1:]]


def test_a_blank_class_is_empty_in_every_commands_data(classless: Path) -> None:
    """A blank Class is "" wherever JSON or CSV gives a class — an agent's or a class's row
    of a report alike — so that two commands' data join on it."""
    day = ("--date", "2026-11-24")
    escalations = _json(classless, "escalations", "--as-of", "2026-11-24")
    assert {a["class"] for a in escalations if a["agent"] in ("Gus Hale", "Hal Ives")} == {""}
    missing = _json(classless, "progress", "missing", *day)["missing"]
    assert {a["class"] for a in missing if a["agent"] in ("Gus Hale", "Hal Ives")} == {""}
    assert "" in [c["class"] for c in _json(classless, "sme", "list")["classes"]]
    assert "" in [c["class"] for c in _json(classless, "report", "kpi", "--to", "2026-11-24")
                  ["classes"]]  # fmt: skip
    eod = _json(classless, "report", "eod", *day)
    assert "" in [c["class"] for c in eod["classes"]]
    assert "(no class)" not in json.dumps([escalations, missing, eod])
    for args in (("sme", "list"), ("report", "kpi", "--to", "2026-11-24"), ("report", "eod", *day)):
        classes = _csv_classes(classless, *args)
        assert "" in classes and "(no class)" not in classes, args


@pytest.mark.parametrize(
    "args",
    [
        ("escalations", "--as-of", "2026-11-24"),
        ("progress", "missing", "--date", "2026-11-24"),
        ("sme", "list"),
        ("report", "kpi", "--to", "2026-11-24"),
        ("report", "eod", "--date", "2026-11-24"),
    ],
)
def test_a_blank_class_reads_no_class_in_every_table(classless: Path, args: tuple[str]) -> None:
    res = run(classless, *args)
    assert res.exit_code == 0, res.output
    assert "│ (no class)" in res.stdout, res.stdout


@pytest.mark.parametrize("label", ["(no class)", "(No Class) "])
def test_the_no_class_label_names_the_agents_without_a_class(classless: Path, label: str) -> None:
    res = run(classless, "escalations", "--as-of", "2026-11-24", "-f", "json", "--class", label)
    assert names(res) == {"Gus Hale", "Hal Ives"}
    eod = _json(classless, "report", "eod", "--date", "2026-11-24", "--class", label)
    assert eod["totals"]["agents"] == 2


@pytest.mark.parametrize("label", ["(no class)", ""])
def test_sme_assign_for_no_class_says_how_to_reach_those_agents(
    classless: Path, label: str
) -> None:
    res = run(classless, "sme", "assign", label, "--sme", "Keisha Grant")
    assert res.exit_code == ExitCode.USAGE
    assert "Class" in res.stderr and "esp doctor" in res.stderr

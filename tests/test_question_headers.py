"""A header that asks a column as a question ('Notes?', 'SPOC Called?') where the sheet has no
such column: every command that reads the tracker says so at the header's cell, and no write
starts a second column of that name at the sheet's end beside it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.columns import a_or_an
from tests import factories

AGENTS: list[dict[str, Any]] = [
    {
        "Class": "AET-1",
        "Agent Name": "Sam Lee",
        "Email": "sam.lee@x.com",
        "ESP Start Date": date(2026, 11, 2),
        "Notes?": "11/03/2026 - Jordan Reyes - Called",
        # Two cells no command can read: counted in one line, the header's warning apart.
        "Call Cert Complete": "maybe",
        "TBTs Complete": "perhaps",
    },
    {"Class": "AET-1", "Agent Name": "Ana Ruiz", "ESP Start Date": "soon"},
    {"Class": "AET-1", "Agent Name": "Ben Cruz", "ESP Start Date": "later"},
]
# Row 2 holds the headers (a title row above): Notes is K, TBT Notes L, SPOC Called? M.
HEADERS = (*factories.TRACKER_HEADERS, "SPOC Called?")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def folder(tmp_path: Path, renamed: dict[str, str]) -> Path:
    """A tracker whose headers are renamed as `renamed` says, and its esp.toml."""
    headers = [renamed.get(h, h) for h in HEADERS]
    agents = [{renamed.get(k, k): v for k, v in a.items()} for a in AGENTS]
    agents = [{h: a.get(h) for h in headers} for a in agents]
    factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=headers)
    path = tmp_path / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n', encoding="utf-8"
    )
    return path


def header_row(config: Path) -> list[Any]:
    ws = openpyxl.load_workbook(config.parent / "ESP Tracker.xlsx")["ESP Tracker"]
    return [c.value for c in ws[2]]


WRITES = [
    pytest.param(
        {"Notes": "Notes?"}, ["note", "add", "Sam Lee", "Called"], "K2", "Notes", id="note"
    ),
    pytest.param(
        {"Notes": "Notes?"}, ["record-step", "Sam Lee", "coaching"], "K2", "Notes", id="step"
    ),
    pytest.param(
        {"TBT Notes": "TBT Notes?"},
        ["access", "set", "Sam Lee", "Password Reset"],
        "L2",
        "TBT Notes",
        id="access-notes",
    ),
    pytest.param(
        {},
        ["access", "set", "Sam Lee", "Password Reset", "--spoc-called", "2026-11-24"],
        "M2",
        "SPOC Called Date",
        id="access-spoc",
    ),
]


@pytest.mark.parametrize(("renamed", "command", "cell", "name"), WRITES)
def test_a_write_adds_no_column_a_question_header_spells(
    tmp_path: Path, renamed: dict[str, str], command: list[str], cell: str, name: str
) -> None:
    config = folder(tmp_path, renamed)
    before = header_row(config)
    res = run(*command, "--config", str(config))
    assert res.exit_code == 3, res.output
    header = renamed.get(name, "SPOC Called?")
    refusal = [line for line in res.stderr.splitlines() if line.startswith("esp:")]
    assert len(refusal) == 1, res.stderr
    assert f"'ESP Tracker'!{cell} ({header}): the sheet has no {name} column" in refusal[0]
    assert f"rename it to '{name}' or map it in esp.toml" in refusal[0]
    assert f'[columns] "{name}" = ["{header}"]' in refusal[0]
    assert header_row(config) == before  # nothing written, no column added


def test_progress_import_adds_no_notes_column_beside_notes_asked(tmp_path: Path) -> None:
    config = folder(tmp_path, {"Notes": "Notes?"})
    report = tmp_path / "reports.csv"
    report.write_text("Timestamp,Agent Name,Update\n11/24/2026 17:00,Sam Lee,Called SPOC\n")
    res = run("progress", "import", str(report), "--config", str(config))
    assert res.exit_code == 3, res.output
    assert "'ESP Tracker'!K2 (Notes?): the sheet has no Notes column" in res.stderr
    assert "Notes" not in header_row(config)


def test_a_question_header_mapped_in_esp_toml_is_written(tmp_path: Path) -> None:
    config = folder(tmp_path, {"Notes": "Notes?"})
    with config.open("a", encoding="utf-8") as f:
        f.write('[columns]\n"Notes" = ["Notes?"]\n')
    res = run("note", "add", "Sam Lee", "Called", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert "Added column" not in res.stderr
    assert "(Notes?)" not in res.stderr


WARNING = (
    "warning: 'ESP Tracker'!M2 (SPOC Called?): asks a yes or a no, so esp does not read it as "
    "the SPOC Called Date (a day), and the sheet has no SPOC Called Date column: if it holds a "
    "day for every agent, rename it to 'SPOC Called Date' or map it in esp.toml [columns] (esp "
    "doctor gives the lines); if it holds Yes or No, add a 'SPOC Called Date' column beside it"
)


@pytest.mark.parametrize(
    "command",
    [
        ["escalations", "--as-of", "2026-11-24"],
        ["report", "eod", "--date", "2026-11-24"],
        ["progress", "missing", "--date", "2026-11-24"],
        ["report", "kpi"],
        ["explain", "Sam Lee", "--as-of", "2026-11-24"],
        ["note", "add", "Sam Lee", "hi", "--dry-run"],
        ["access", "set", "Sam Lee", "Password Reset", "--dry-run"],
        ["history", "Sam Lee"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_reading_the_tracker_warns_at_the_question_header(
    tmp_path: Path, command: list[str]
) -> None:
    config = folder(tmp_path, {})
    res = run(*command, "--config", str(config))
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert lines.count(WARNING) == 1, res.stderr
    # A header read, not a cell lost: counted apart from the two start dates typed "soon".
    assert "3 cells" not in res.stderr, res.stderr


def with_master(config: Path, requested: str) -> Path:
    path = factories.master(
        config.parent / "Master.xlsx",
        [["AET-1", "Sam Lee", "", "sam.lee@x.com", "N1", "11/20/2026"]],
        headers=("Wave", "Employee Name", "Emp ID", "E-mail", "N#", requested),
    )
    text = config.read_text(encoding="utf-8")
    if "master =" not in text:
        config.write_text(text.replace("[people]", 'master = "Master.xlsx"\n[people]'), "utf-8")
    return path


def test_a_master_s_question_header_names_the_doctor_that_checks_the_master(
    tmp_path: Path,
) -> None:
    config = folder(tmp_path, {})
    with_master(config, "Date Requested?")
    res = run("sync-nnumbers", "--dry-run", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert "Master!F1 (Date Requested?): asks a yes or a no" in res.stderr
    assert '(esp doctor -t "Master.xlsx" gives the lines)' in res.stderr
    assert "add a 'Date of N Number Request' column beside it" in res.stderr


def test_doctor_on_the_master_lists_only_the_columns_sync_reads(tmp_path: Path) -> None:
    config = folder(tmp_path, {})
    master = with_master(config, "Date Requested?")
    res = run("doctor", "-t", str(master), "--config", str(config), "--format", "json")
    assert res.exit_code == 5, res.output
    (found,) = json.loads(res.stdout)["findings"]
    assert (found["rule"], found["cell"]) == ("ESP001", "Master!F1")
    assert found["fix"].endswith('[columns]\n"Date of N Number Request" = ["Date Requested?"]')
    with_master(config, "Date Requested")
    res = run("doctor", "-t", str(master), "--config", str(config))
    assert res.exit_code == 0, res.output


def test_a_missing_column_asked_as_a_question_gives_its_own_esp_toml_line(
    tmp_path: Path,
) -> None:
    config = folder(tmp_path, {"ESP Start Date": "ESP Start Date?"})
    res = run("escalations", "--config", str(config))
    assert res.exit_code == 3, res.output
    assert '"ESP Start Date" = ["ESP Start Date?"]' in res.stderr
    assert "Your Header" not in res.stderr
    assert "add an 'ESP Start Date' column beside it" in res.stderr


@pytest.mark.parametrize(
    ("header", "article"),
    [
        ("ESP Start Date", "an"),
        ("N Number", "an"),
        ("Notes", "a"),
        ("SPOC Called Date", "a"),
        ("TBT Notes", "a"),
        ("Date of N Number Request", "a"),
    ],
)
def test_the_article_before_a_header_is_as_it_is_said(header: str, article: str) -> None:
    assert a_or_an(header) == article

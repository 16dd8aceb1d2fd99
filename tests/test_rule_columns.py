"""A tracker without a column the rules need (ESP Start Date, Call Cert Complete?, All TBTs
Complete?) — or with it spelt a way esp does not know — stops every command whose result
follows the rules (exit 3, the sheet, its headers and the fix), and writes nothing; the
commands that do not use the rules go on working."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests.support.packages import copy_with_parts, zip_parts
from tests.support.windows import excel_owner_file

TRACKER = "ESP Tracker.xlsx"


def run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin)


def renamed(folder: Path, old: str, new: str) -> Path:
    """The tracker in `folder` with header `old` typed as `new` (a shared string)."""
    path = folder / TRACKER
    parts = zip_parts(path)
    strings = parts["xl/sharedStrings.xml"]
    assert strings.count(f"<t>{old}</t>".encode()) == 1
    copy_with_parts(
        path,
        folder / "renamed.xlsx",
        {
            "xl/sharedStrings.xml": strings.replace(
                f"<t>{old}</t>".encode(), f"<t>{new}</t>".encode()
            )
        },
    )
    (folder / "renamed.xlsx").replace(path)
    return path


@pytest.fixture
def unknown_tbts(sample: Path) -> Path:
    """The sample with its All TBTs Complete? header spelt a way esp does not know."""
    return renamed(sample, "All TBTs Complete?", "TBTs Finished?")


RULES_COMMANDS = [
    ("escalations", "--today", "--as-of", "2026-11-24"),
    ("escalations", "--write"),
    ("escalations", "--write", "--dry-run"),
    ("explain", "Maria Gonzalez", "--as-of", "2026-11-24"),
    ("report", "eod", "--date", "2026-11-24"),
    ("report", "kpi", "--from", "2026-11-01", "--to", "2026-11-24"),
    ("report", "locate"),
    ("progress", "missing", "--date", "2026-11-24"),
    ("record-step", "Maria Gonzalez", "coaching", "--date", "2026-11-24"),
    ("round", "--by", "Jordan Reyes", "--yes"),
    ("document", "Maria Gonzalez", "coaching", "--out", "doc.docx"),
    ("document", "--due", "--as-of", "2026-11-24", "--out", "docs"),
    ("advise", "Maria Gonzalez", "self-report", "--as-of", "2026-11-24"),
    ("advise", "--due", "--as-of", "2026-11-24"),
    ("sme", "list"),
]


@pytest.mark.parametrize("args", RULES_COMMANDS, ids=" ".join)
def test_a_command_of_the_rules_stops_naming_the_sheet_its_headers_and_the_fix(
    unknown_tbts: Path, args: tuple[str, ...]
) -> None:
    before = unknown_tbts.read_bytes()
    res = run(*args, stdin="")
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert "sheet 'ESP Tracker' has no 'All TBTs Complete?' column, which the rules need" in err
    assert str(unknown_tbts) in err or TRACKER in err
    assert "(headers in row 4: Class, Agent Name," in err and "TBTs Finished?" in err
    assert (
        "Fix: if one of the headers in row 4 holds it under another name ('TBTs Finished?' may "
        "be All TBTs Complete?: check what it holds), map it in esp.toml with the lines below"
    ) in err
    assert res.stderr.rstrip().endswith('\n[columns]\n"All TBTs Complete?" = ["Your Header"]')
    assert unknown_tbts.read_bytes() == before
    assert (
        not any(unknown_tbts.parent.glob("*.docx")) and not (unknown_tbts.parent / "docs").exists()
    )


@pytest.mark.parametrize(
    "header,key",
    [
        ("ESP Start Date", "ESP Start"),  # "ESP Start" is known: another word
        ("Call Cert Complete?", "Call Cert Complete?"),
    ],
)
def test_each_column_the_rules_need_is_asked_for(sample: Path, header: str, key: str) -> None:
    renamed(sample, header, "Column X")
    res = run("report", "eod", "--date", "2026-11-24")
    assert res.exit_code == 3, res.output
    wanted = "ESP Start Date" if header == "ESP Start Date" else header
    assert f"has no '{wanted}' column, which the rules need" in res.stderr
    err = " ".join(res.stderr.split())
    assert "Column X' may be" not in err  # it holds no word of the column's
    empty = "no agent is evaluated" if header == "ESP Start Date" else "nobody is complete"
    assert (
        "Only if the team does not keep it yet, add the column and fill it in for every agent "
        f"(left empty, {empty})."
    ) in err
    assert "may stay empty" not in err


def test_the_spelling_the_review_found_is_read_as_the_column(sample: Path) -> None:
    renamed(sample, "All TBTs Complete?", "All TBTs Completed?")
    res = run("report", "eod", "--date", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "33 of 67 agents fully complete" in res.stdout.splitlines()[0]


def test_a_mapping_in_esp_toml_is_the_fix(unknown_tbts: Path) -> None:
    config = unknown_tbts.parent / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[columns]\n"All TBTs Complete?" = ["TBTs Finished?"]\n',
        encoding="utf-8",
    )
    res = run("report", "eod", "--date", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "33 of 67 agents fully complete" in res.stdout.splitlines()[0]


def test_the_commands_that_do_not_use_the_rules_go_on(unknown_tbts: Path) -> None:
    res = run("note", "add", "Maria Gonzalez", "Called her", "--by", "Jordan Reyes")
    assert res.exit_code == 0, res.output
    res = run("history", "Maria Gonzalez")
    assert res.exit_code == 0, res.output
    res = run("sme", "assign", "AET-1116", "--sme", "Keisha Grant")
    assert res.exit_code == 0, res.output
    res = run("undo")
    assert res.exit_code == 0, res.output
    res = run("config", "user")
    assert res.exit_code == 0, res.output
    res = run("doctor")
    assert res.exit_code == 5
    assert "ESP001" in res.stdout and "All TBTs Complete?" in res.stdout


def test_a_waiting_note_is_applied(unknown_tbts: Path) -> None:
    owner = unknown_tbts.parent / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    res = run("note", "add", "Maria Gonzalez", "Called her", "--by", "Jordan Reyes")
    assert res.exit_code == 7, res.output
    owner.unlink()
    res = run("apply")
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(unknown_tbts) as z:
        assert b"Called her" in z.read("xl/worksheets/sheet1.xml") + z.read("xl/sharedStrings.xml")


@pytest.fixture
def computed_then_unknown(sample: Path) -> Path:
    """The sample with its computed columns written, then its All TBTs Complete? header
    spelt a way esp does not know."""
    res = run("escalations", "--write")
    assert res.exit_code == 0, res.output
    return renamed(sample, "All TBTs Complete?", "TBTs Finished?")


@pytest.mark.parametrize(
    "args",
    [
        ("access", "set", "Maria Gonzalez", "Password Reset", "--by", "Jordan Reyes"),
        ("tbt", "proofs", "tbt-proofs", "--by", "Jordan Reyes"),
        ("sync-nnumbers",),
    ],
    ids=" ".join,
)
def test_a_write_that_works_out_the_computed_columns_stops(
    computed_then_unknown: Path, args: tuple[str, ...]
) -> None:
    before = computed_then_unknown.read_bytes()
    res = run(*args)
    assert res.exit_code == 3, res.output
    assert "has no 'All TBTs Complete?' column, which the rules need" in res.stderr
    assert computed_then_unknown.read_bytes() == before
    assert not (computed_then_unknown.parent / "TBT Tracking Sheet.xlsx").exists()


def test_a_write_beside_no_computed_columns_goes_on(unknown_tbts: Path) -> None:
    res = run("access", "set", "Maria Gonzalez", "Password Reset", "--by", "Jordan Reyes")
    assert res.exit_code == 0, res.output


def test_a_waiting_change_is_written_without_working_out_the_computed_columns(
    sample: Path,
) -> None:
    """A change that waited while the header was as esp knows it, applied once it is not:
    its own cells are written, the computed ones left as they were, and a warning says why
    and how to bring them up to date."""
    assert run("escalations", "--write").exit_code == 0
    owner = sample / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    res = run("access", "set", "Erin Walsh", "Password Reset", "--by", "Jordan Reyes")
    assert res.exit_code == 7, res.output
    assert "Next Action" in res.stdout  # it would work out the computed columns
    owner.unlink()
    renamed(sample, "All TBTs Complete?", "TBTs Finished?")
    res = run("apply", "-f", "json")
    assert res.exit_code == 0, res.output
    written = {c["column"] for c in json.loads(res.stdout)["changes"]}
    assert written == {"Citrix TBT Access", "TBT Notes"}
    err = " ".join(res.stderr.split())
    assert "has no 'All TBTs Complete?' column, which the rules need" in err
    assert "Next Action Due of that sheet's agents are left as they are" in err
    assert "then esp escalations --write." in err


def fix_lines(stderr: str) -> str:
    """The esp.toml lines a refusal ends with, as printed."""
    _, _, lines = stderr.rstrip().partition("The esp.toml lines:\n")
    return lines + "\n"


def test_the_fix_leads_with_the_teams_own_header_not_a_count_that_looks_like_it(
    sample: Path,
) -> None:
    """A count named "TBTs Completed" beside the team's flag "All TBTs Finished?": the fix
    guesses the flag, never the count, and its lines pasted into esp.toml (the team's
    header typed in) give the tracker's figures."""
    renamed(sample, "All TBTs Complete?", "All TBTs Finished?")
    renamed(sample, "Status", "TBTs Completed")
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert "'All TBTs Finished?' may be All TBTs Complete?" in err
    assert "'TBTs Completed' may be" not in err and "TBTs Completed' holds" not in err
    lines = fix_lines(res.stderr)
    assert lines == '[columns]\n"All TBTs Complete?" = ["Your Header"]\n'
    config = sample / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\n"
        + lines.replace("Your Header", "All TBTs Finished?"),
        encoding="utf-8",
    )
    res = run("report", "eod", "--date", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "33 of 67 agents fully complete" in res.stdout.splitlines()[0]


def test_the_printed_lines_pasted_with_their_placeholder_are_named_so(sample: Path) -> None:
    renamed(sample, "All TBTs Complete?", "All TBTs Finished?")
    lines = fix_lines(run("escalations", "--as-of", "2026-11-24").stderr)
    config = sample / "esp.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert (
        'Fix: esp.toml still holds the placeholder Your Header ("All TBTs Complete?" = ["Your '
        'Header"]): replace Your Header with the header of your column, as row 4 spells it '
        "('All TBTs Finished?' may be All TBTs Complete?: check what it holds)."
    ) in err


def test_the_printed_lines_pasted_under_another_heading_are_named_so(sample: Path) -> None:
    """Pasted under [tracker], the first heading a user sees: its settings fall under
    [columns]. The refusal says so, not "No tracker given" while the file gives it."""
    renamed(sample, "All TBTs Complete?", "All TBTs Finished?")
    lines = fix_lines(run("escalations", "--as-of", "2026-11-24").stderr)
    config = sample / "esp.toml"
    text = config.read_text(encoding="utf-8")
    pasted = lines.replace("Your Header", "All TBTs Finished?")
    config.write_text(text.replace("[tracker]\n", "[tracker]\n" + pasted, 1), encoding="utf-8")
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 2, res.output
    err = " ".join(res.stderr.split())
    assert "No tracker given" not in err and "not a column esp knows" not in err
    assert (
        "[columns] holds path, master, progress_report, self_reports, tbt_tracking_sheet, "
        "settings of [tracker]: the [columns] lines (its heading on line 5) were put above "
        "them, under the [tracker] heading, so they are read as columns. Fix: move the "
        "[columns] heading and the lines that map your headers after [tracker]'s settings "
        "(below tbt_tracking_sheet = ...), or to the end of the file under their own "
        "[columns] heading."
    ) in err


def test_a_start_date_of_another_step_is_never_guessed_for_the_esp_start_date(
    sample: Path,
) -> None:
    renamed(sample, "ESP Start Date", "Go-Live Date")
    renamed(sample, "Call Cert Start", "Call Cert Start Date")
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert "has no 'ESP Start Date' column" in err
    assert "may be" not in err
    assert "Go-Live Date" in err  # among the headers the fix asks to look at
    assert fix_lines(res.stderr) == '[columns]\n"ESP Start Date" = ["Your Header"]\n'


def with_roster(folder: Path, hidden: bool = False, start: str = "Hire Date") -> None:
    """The tracker in `folder` with a Roster sheet beside it: each agent's name, ID, class,
    hire date (headed `start`) and supervisor, none of the tracker's own columns."""
    import warnings

    import openpyxl

    path = folder / TRACKER
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    tracker = wb["ESP Tracker"]
    roster = wb.create_sheet("Roster")
    roster.append(["Agent Name", "Agent ID", "Class", start, "Supervisor"])
    for row in tracker.iter_rows(min_row=5, values_only=True):
        if row[1]:
            roster.append([row[1], row[2], row[0], "10/01/2026", "Pat Doe"])
    if hidden:
        roster.sheet_state = "hidden"
    wb.save(path)


@pytest.mark.parametrize("start", ["Hire Date", "Start Date"])
@pytest.mark.parametrize(
    "args",
    [
        ("escalations", "--as-of", "2026-11-24"),
        ("sme", "list"),
        ("report", "locate", "--dry-run"),
        ("report", "eod", "--date", "2026-11-24"),
    ],
    ids=" ".join,
)
def test_a_roster_sheet_beside_the_agents_is_named_with_hiding_it_as_the_fix(
    sample: Path, args: tuple[str, ...], start: str
) -> None:
    """A roster's own "Start Date" (the ESP Start Date's spelling) makes it no sheet of
    agents: every command names it alike."""
    with_roster(sample, start=start)
    res = run(*args)
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert (
        "sheet 'Roster' holds who the agents are but none of the tracker's own columns: no " in err
    )
    assert "'Call Cert Complete?' or 'All TBTs Complete?' column" in err
    assert "and sheet 'ESP Tracker' has" in err
    assert (
        "Fix: if 'Roster' holds no agents to follow (a roster, a summary), hide it: esp reads "
        "the visible sheets only"
    ) in err
    assert "may stay empty" not in err and "map it in esp.toml" not in err


def test_a_hidden_roster_sheet_is_no_sheet_of_agents(sample: Path) -> None:
    with_roster(sample, hidden=True)
    res = run("report", "eod", "--date", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "33 of 67 agents fully complete" in res.stdout.splitlines()[0]


@pytest.fixture
def per_class(sample: Path) -> Path:
    """The sample as one sheet per class (no Class column), the newest class's sheet made
    before its TBTs: without an All TBTs Complete? column."""
    return class_sheets(sample, {"All TBTs Complete?"})


def class_sheets(sample: Path, drop: set[str]) -> Path:
    """The sample as one sheet per class (no Class column), the newest class's sheet
    without the columns headed as in `drop`."""
    import warnings

    import openpyxl

    path = sample / TRACKER
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    tracker = wb["ESP Tracker"]
    header = [c.value for c in tracker[4]]
    rows = [r for r in tracker.iter_rows(min_row=5, values_only=True) if r[1]]
    for cls in sorted({r[0] for r in rows}):
        keep = [i for i, h in enumerate(header) if i and not (cls == "AET-1116" and h in drop)]
        ws = wb.create_sheet(cls)
        ws.append([header[i] for i in keep])
        for r in rows:
            if r[0] == cls:
                ws.append([None if str(r[i]).startswith("=") else r[i] for i in keep])
    wb.remove(tracker)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("escalations", "--class", "AET-1102", "--as-of", "2026-11-24"),
        ("explain", "Maria Gonzalez", "--as-of", "2026-11-24"),
        ("record-step", "Tyrone Jackson", "coaching", "--date", "2026-11-24", "-n"),
        ("report", "eod", "--date", "2026-11-24", "--class", "AET-1102"),
        ("report", "kpi", "--to", "2026-11-24", "--class", "AET-1102"),
        ("progress", "missing", "--class", "AET-1102", "--date", "2026-11-24"),
        ("sme", "list", "--class", "AET-1102"),
        ("round", "--class", "AET-1102", "--by", "Jordan Reyes", "-n"),
        ("document", "Maria Gonzalez", "coaching", "--out", "doc.docx"),
        ("advise", "Maria Gonzalez", "self-report", "--as-of", "2026-11-24", "-n"),
    ],
    ids=" ".join,
)
def test_a_class_sheet_without_a_column_stops_no_work_on_another_class(
    per_class: Path, args: tuple[str, ...]
) -> None:
    res = run(*args, stdin="")
    assert "AET-1116" not in res.stderr and "column, which" not in res.stderr, res.output
    assert res.exit_code != 3, res.output


def test_a_report_of_the_whole_tracker_needs_the_column_on_every_class_sheet(
    per_class: Path,
) -> None:
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 3, res.output
    assert "sheet 'AET-1116' has no 'All TBTs Complete?' column" in res.stderr
    res = run("escalations", "--class", "AET-1116", "--as-of", "2026-11-24")
    assert res.exit_code == 3, res.output
    assert "sheet 'AET-1116' has no 'All TBTs Complete?' column" in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("escalations", "--as-of", "2026-11-24"),
        ("sme", "list"),
        ("report", "locate", "--dry-run"),
    ],
    ids=" ".join,
)
def test_a_class_sheet_made_before_its_flags_is_a_sheet_of_agents_not_a_roster(
    sample: Path, args: tuple[str, ...]
) -> None:
    """Its ESP Start Date, TBT Hours, ladder dates make it a sheet of agents to follow:
    hiding it would drop its class from every command without a word."""
    class_sheets(sample, {"Call Cert Complete?", "All TBTs Complete?"})
    res = run(*args)
    assert res.exit_code == 3, res.output
    err = " ".join(res.stderr.split())
    assert (
        "sheet 'AET-1116' has no 'Call Cert Complete?' or 'All TBTs Complete?' column, which "
        "the rules need"
    ) in err
    assert "hide" not in err and "roster" not in err
    assert "map it in esp.toml" in err


def test_a_roster_is_told_by_the_tracker_columns_it_lacks_not_by_the_command() -> None:
    from esp_cli.core.columns import RULES_NEED, roster_beside

    tracker = {"ESP Tracker": ["agent_name", "esp_start", "call_cert_complete", "tbts_complete"]}
    roster = ["agent_name", "agent_id", "email", "class", "esp_start", "notes"]
    flags = ("call_cert_complete", "tbts_complete")
    assert roster_beside(roster, tracker, RULES_NEED) == "ESP Tracker"
    assert roster_beside(roster, tracker, flags) == "ESP Tracker"
    # A class sheet made before its flags: its own columns make it a sheet of agents.
    assert roster_beside([*roster, "tbt_hours"], tracker, flags) is None
    assert roster_beside([*roster, "coaching_date"], tracker, RULES_NEED) is None
    # Beside no sheet of agents with the columns, it is the sheet of agents.
    assert roster_beside(roster, {"Other": roster}, flags) is None


def test_the_printed_lines_pasted_under_spoc_keep_its_phone_named_so(sample: Path) -> None:
    """Pasted under [spoc]: its phone falls under [columns], where Phone is also a column's
    name. A phone number there is [spoc]'s, said so, never the team's SPOC number dropped
    for the built-in one."""
    renamed(sample, "All TBTs Complete?", "All TBTs Finished?")
    lines = fix_lines(run("escalations", "--as-of", "2026-11-24").stderr)
    config = sample / "esp.toml"
    text = config.read_text(encoding="utf-8")
    pasted = lines.replace("Your Header", "All TBTs Finished?")
    text = text.replace("[spoc]\n", "[spoc]\n" + pasted, 1).replace(
        "(888) 905-9500", "(513) 555-0100"
    )
    config.write_text(text, encoding="utf-8")
    res = run("escalations", "--as-of", "2026-11-24")
    assert res.exit_code == 2, res.output
    assert "[columns] holds phone, a setting of [spoc]" in " ".join(res.stderr.split())

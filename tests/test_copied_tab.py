"""A copy of the tracker's tab (Excel's Move or Copy > Create a copy: 'ESP Tracker (2)') puts
every agent on two sheets. A command that acts on one agent refuses ("matches 2 agents");
one that acts on many at once (a class, every agent due) refuses the same way, naming both
rows, rather than take each agent twice: split a class across the copy, ask a round's
questions twice, draft two e-mails to one agent."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories
from tests import test_advise as advise

HEADERS = factories.headers(
    "class", "agent_name", "agent_id", "email", "tbt_sme", "call_cert_complete", "tbts_complete"
)
CLASS = "AET-1116"


def agents(count: int, sme: str | None = "Keisha Grant") -> list[list[Any]]:
    return [
        [CLASS, f"Agent {i}", f"E104{i:02}", f"agent{i}@example.com", sme, "No", "No"]
        for i in range(count)
    ]


def copied(path: Path, rows: list[list[Any]], copy: list[list[Any]] | None = None) -> Path:
    """The tracker's tab and a copy of it made in Excel (`copy`: its rows, default the
    same)."""
    sheets = {
        "ESP Tracker": [list(HEADERS), *rows],
        "ESP Tracker (2)": [list(HEADERS), *(rows if copy is None else copy)],
    }
    return factories.make_workbook(path, sheets)


def run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin)


def smes(path: Path, sheet: str) -> list[Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [ws.cell(r, 5).value for r in range(2, ws.max_row + 1)]


def said_once(stderr: str) -> str:
    """The refusal: one line (its fix after it on the same line)."""
    lines = [line for line in stderr.splitlines() if "is on two sheets" in line]
    assert len(lines) == 1, stderr
    return lines[0]


def test_sme_assign_refuses_a_class_whose_agents_are_on_a_copy_of_the_tab(tmp_path: Path) -> None:
    tracker = copied(tmp_path / "ESP Tracker.xlsx", agents(4))
    before = tracker.read_bytes()
    res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--sme", "Marcus Bell",
              "--tracker", str(tracker))  # fmt: skip
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    line = said_once(res.stderr)
    assert "Agent 0 is on two sheets" in line
    assert "'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in line
    assert "Agent ID E10400" in line
    assert "and 3 more agent(s) of these are too (Agent 1, Agent 2, Agent 3)" in line
    assert "delete 'ESP Tracker (2)' or hide it" in line
    assert "right-click its tab > Hide" in line
    assert tracker.read_bytes() == before  # nothing written, on either sheet
    assert not (tmp_path / "esp-backups").exists()


def test_sme_assign_splits_two_sheets_of_different_agents_as_before(tmp_path: Path) -> None:
    """Namesakes on two sheets whose Agent IDs and e-mails differ are two people, and a
    class kept on two sheets is split across both as one class."""
    rows = agents(2)
    others = [[CLASS, r[1], r[2] + "9", "x" + r[3], r[4], "No", "No"] for r in rows]
    tracker = copied(tmp_path / "ESP Tracker.xlsx", rows, others)
    res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--sme", "Marcus Bell",
              "--tracker", str(tracker))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert smes(tracker, "ESP Tracker") == ["Keisha Grant", "Keisha Grant"]
    assert smes(tracker, "ESP Tracker (2)") == ["Marcus Bell", "Marcus Bell"]


@pytest.mark.parametrize("blank", [(), (2,), (3,), (2, 3)])
def test_a_copy_is_the_same_name_in_the_class_holding_the_same_ids(
    tmp_path: Path, blank: tuple[int, ...]
) -> None:
    """A copy: the same name in the same class on another sheet, the same Agent ID and
    e-mail on both rows (a cell empty on both is alike)."""
    rows = agents(1, sme=None)
    for col in blank:
        rows[0][col] = None
    tracker = copied(tmp_path / "ESP Tracker.xlsx", rows)
    res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--tracker", str(tracker))
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert "'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in said_once(res.stderr)


@pytest.mark.parametrize("blank", [2, 3])
def test_a_namesake_with_an_id_the_other_lacks_is_another_agent(tmp_path: Path, blank: int) -> None:
    """A new hire of the same name in the class, her Agent ID (or e-mail) not in yet, on
    another sheet: two people, never refused, each written."""
    rows = agents(1, sme=None)
    copy = [list(rows[0])]
    copy[0][blank] = None
    tracker = copied(tmp_path / "ESP Tracker.xlsx", rows, copy)
    res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert smes(tracker, "ESP Tracker") == smes(tracker, "ESP Tracker (2)") == ["Keisha Grant"]


@pytest.mark.parametrize("differs", [2, 3])
def test_the_same_name_told_apart_by_an_id_is_two_agents(tmp_path: Path, differs: int) -> None:
    """The same name in one class on two sheets with different Agent IDs (or e-mails) is
    two people, even when the other cell is alike: never refused, each written."""
    rows = agents(1, sme=None)
    copy = [list(rows[0])]
    copy[0][differs] = f"other{differs}"
    tracker = copied(tmp_path / "ESP Tracker.xlsx", rows, copy)
    res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert smes(tracker, "ESP Tracker") == smes(tracker, "ESP Tracker (2)") == ["Keisha Grant"]


def outstanding(today: date) -> list[dict[str, Any]]:
    """Agent 0 and Agent 1 of the class, each with an Agent ID, their Call Cert not done."""
    return [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
         "esp_start": today, "call_cert_complete": "No"}
        for i in range(2)
    ]  # fmt: skip


def test_round_leaves_out_an_agent_on_two_sheets_and_asks_about_the_others(
    tmp_path: Path, today: date
) -> None:
    """A daily loop goes on: the agent on both sheets is left out (said once, both rows
    named), the others are asked about."""
    headers = factories.TRACKER_HEADERS
    cells = outstanding(today)
    rows = [[agent.get(key) for key in factories.TRACKER_KEYS] for agent in cells]
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [list(headers), *rows], "ESP Tracker (2)": [list(headers), rows[0]]},
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    res = run("round", "--class", CLASS, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    line = said_once(res.stderr)
    assert "Agent 0 is on two sheets" in line
    assert "'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in line
    assert "esp round asks about neither of them" in line
    assert "Agent 1" in res.stderr and "[1/1]" in res.stderr, res.stderr


def test_advise_due_leaves_out_an_agent_on_two_sheets_and_advises_the_others(
    tmp_path: Path,
) -> None:
    rows = [[a.get(h) for h in advise.HEADERS] for a in advise.AGENTS]
    factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [list(advise.HEADERS), *rows], "Copy": [list(advise.HEADERS), rows[0]]},
    )
    config = advise.write_config(tmp_path)
    out = tmp_path / "drafts"
    alone = tmp_path / "alone"
    alone.mkdir()
    factories.make_workbook(
        alone / "ESP Tracker.xlsx", {"ESP Tracker": [list(advise.HEADERS), *rows]}
    )
    res = run("advise", "--due", "--as-of", advise.DAY.isoformat(), "--out", str(out),
              "-c", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    line = said_once(res.stderr)
    assert "Ana Lopez is on two sheets" in line and "'Copy'!row 2" in line
    drafted = sorted(f.name for f in out.iterdir())
    assert drafted and not any("Ana Lopez" in name for name in drafted)
    # The others get what they would get without the copy.
    res = run("advise", "--due", "--as-of", advise.DAY.isoformat(), "--out",
              str(alone / "drafts"), "--tracker", str(alone / "ESP Tracker.xlsx"),
              "-c", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert drafted == sorted(
        f.name for f in (alone / "drafts").iterdir() if "Ana Lopez" not in f.name
    )


def test_advise_due_is_not_held_up_by_an_old_row_it_does_not_advise(tmp_path: Path) -> None:
    """A re-hire's old row on another class's sheet (complete, so advised nothing) is no
    reason to refuse the agents due, nor to leave her out: another class, another agent.
    (The same class on another sheet is her row copied: test_advise_due_leaves_out_an_agent_
    whose_other_row_is_not_due.)"""
    rows = [[a.get(h) for h in advise.HEADERS] for a in advise.AGENTS]
    old = [list(rows[0])]
    done = {"call_cert_complete": "Yes", "tbts_complete": "Yes", "citrix_access": "No Issues",
            "class": advise.C2, "esp_start": date(2026, 3, 2)}  # fmt: skip
    for key, value in done.items():
        old[0][advise.HEADERS.index(factories.headers(key)[0])] = value
    factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [list(advise.HEADERS), *rows], "Old": [list(advise.HEADERS), *old]},
    )
    config = advise.write_config(tmp_path)
    res = run("advise", "--due", "--as-of", advise.DAY.isoformat(), "--out",
              str(tmp_path / "drafts"), "-c", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert any(f.name.startswith(f"{advise.DAY.isoformat()} Ana Lopez") or "Ana Lopez" in f.name
               for f in (tmp_path / "drafts").iterdir())  # fmt: skip


def test_document_due_leaves_out_an_agent_on_two_sheets(tmp_path: Path) -> None:
    from tests import test_document as document

    head = list(document.H.values())
    rows = [[a.get(h) for h in head] for a in document.AGENTS]
    twice = next(i for i, a in enumerate(document.AGENTS) if "Kayla Brooks" in str(a.values()))
    book = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [head, *rows], "ESP Tracker (2)": [head, rows[twice]]},
    )
    config = document.write_config(tmp_path)
    out = tmp_path / "out"
    res = document.run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out))
    # (1: the fixture's Cy Dunn has no Agent ID for the template, as without the copy)
    assert res.exit_code == ExitCode.FAILED, res.output
    assert "Kayla Brooks is on two sheets" in said_once(res.stderr)
    made = [f.name for f in out.rglob("*") if f.is_file()]
    assert "2026-11-25 Ana Ruiz - Written CAP.docx" in made
    assert not any("Kayla Brooks" in name for name in made)


def test_report_locate_leaves_out_a_case_on_two_sheets(tmp_path: Path) -> None:
    import json

    from tests import test_locate as locate

    folder = locate.make_folder(tmp_path)
    tracker = folder / "ESP Tracker.xlsx"
    ws = openpyxl.load_workbook(tracker).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    factories.make_workbook(tracker, {"ESP Tracker": rows, "ESP Tracker (2)": rows})
    eml = folder / "locate.eml"
    res = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
              "--dry-run", "-c", str(folder / "esp.toml"))  # fmt: skip
    assert res.exit_code == 0, res.output
    line = said_once(res.stderr)
    assert "Ethan Brooks is on two sheets" in line and "(the same name and class)" in line
    assert "esp report locate e-mails and sets neither" in line
    # Every open case is left out: not "no open cases", but none other than those.
    assert "No other open Cannot Locate TBT cases: no e-mail made." in res.stderr
    assert "No open Cannot" not in res.stderr
    assert "no other open cases (3 left out: on two sheets)" in " ".join(res.stdout.split())
    # Her screenshots are said to be hers, left out, not to name no case.
    data = json.loads(
        run(
            "report",
            "locate",
            "--screenshots",
            str(folder / "shots"),
            "--dry-run",
            "--format",
            "json",
            "-c",
            str(folder / "esp.toml"),
        ).stdout  # fmt: skip
    )
    why = {Path(u["file"]).name: u["reason"] for u in data["unmatched_files"]}
    assert why["Ethan Brooks course number.png"] == (
        "names Ethan Brooks, left out: on two sheets"
    ), why
    # Without screenshots or an e-mail, the cases are only shown, as every report shows them.
    assert run("report", "locate", "-c", str(folder / "esp.toml")).exit_code == 0


# -- only one of her two rows due: the other row (the team's, or a stale copy) holds her back --


def twice_one_due(stderr: str, name: str, first: str, again: str) -> str:
    """The warning for an agent on two sheets whose rows differ, one of them due: one line,
    naming both rows and the column that differs. The fix names neither tab for deleting
    (which one is stale is for a person to say): an old copy hidden, else the stale row
    deleted."""
    line = said_once(stderr)
    assert line.startswith("warning: "), stderr
    assert f"{name} is on two sheets, {first} and {again}" in line, line
    assert "their rows differ (" in line and "cannot tell the team's row" in line, line
    tabs = f"{first.split('!')[0]} and {again.split('!')[0]}"
    assert f"Fix: keep one row per agent: if one of {tabs} is an old copy no one works" in (line), (
        line
    )
    assert "otherwise delete the stale row" in line, line
    assert "delete '" not in line, line
    return line


@pytest.mark.parametrize("due_first", [True, False])
@pytest.mark.parametrize("by_sme", [False, True])
def test_advise_due_leaves_out_an_agent_whose_other_row_is_not_due(
    tmp_path: Path, due_first: bool, by_sme: bool
) -> None:
    """A month's tab copied on from the last and worked on: Ana Lopez finished on one
    (complete, so advised nothing), not on the other (advice due). Neither row is hers to
    advise from: she is left out, said once naming both rows; the others are advised. Her
    other row may have another TBT SME: --sme chooses only the row due, and still she is
    left out."""
    rows = [[a.get(h) for h in advise.HEADERS] for a in advise.AGENTS]
    done = [list(rows[0])]
    finished = {"call_cert_complete": "Yes", "tbts_complete": "Yes", "tbt_sme": "Marcus Bell"}
    for key, value in finished.items():
        done[0][advise.HEADERS.index(factories.headers(key)[0])] = value
    head = list(advise.HEADERS)
    sheets = (
        {"Nov": [head, *rows], "Dec": [head, *done]}
        if due_first
        else {"Nov": [head, *done], "Dec": [head, *rows]}
    )
    tracker = factories.make_workbook(tmp_path / "ESP Tracker.xlsx", sheets)
    before = tracker.read_bytes()
    config = advise.write_config(tmp_path)
    out = tmp_path / "drafts"
    scope = ["--sme", advise.SIGNER] if by_sme else []
    res = run("advise", "--due", "--as-of", advise.DAY.isoformat(), "--out", str(out),
              *scope, "--dry-run", "-c", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    first, again = ("'Nov'!row 2", "'Dec'!row 2")
    line = twice_one_due(res.stderr, "Ana Lopez", first, again)
    assert "), so esp advise --due advises neither: esp cannot tell" in line
    assert "Ana Lopez" not in res.stdout, res.stdout
    assert "Ben" not in res.stdout and "Cara Diaz" in res.stdout  # the others go on
    assert tracker.read_bytes() == before


def test_advise_due_advises_an_agent_on_one_sheet_as_before(tmp_path: Path) -> None:
    """One sheet: nobody is on two, nobody is left out, nothing said."""
    rows = [[a.get(h) for h in advise.HEADERS] for a in advise.AGENTS]
    factories.make_workbook(tmp_path / "ESP Tracker.xlsx", {"Nov": [list(advise.HEADERS), *rows]})
    config = advise.write_config(tmp_path)
    res = run("advise", "--due", "--as-of", advise.DAY.isoformat(), "--out",
              str(tmp_path / "drafts"), "--dry-run", "-c", str(config))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert "Ana Lopez" in res.stdout and "Cara Diaz" in res.stdout


def test_document_due_leaves_out_an_agent_whose_other_row_is_not_due(tmp_path: Path) -> None:
    """Kayla Brooks' coaching is due on one tab; on the other she has finished. No document
    is made from either row (a stale row's would document a finished agent's coaching)."""
    from tests import test_document as document

    head = list(document.H.values())
    rows = [[a.get(h) for h in head] for a in document.AGENTS]
    twice = next(i for i, a in enumerate(document.AGENTS) if "Kayla Brooks" in str(a.values()))
    done = dict(document.AGENTS[twice])
    done.update({document.H["call_cert_complete"]: "Yes", document.H["tbts_complete"]: "Yes",
                 document.H["tbt_sme"]: "Marcus Bell"})  # fmt: skip
    book = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [head, *rows], "ESP Tracker (2)": [head, [done.get(h) for h in head]]},
    )
    config = document.write_config(tmp_path)
    out = tmp_path / "out"
    res = document.run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out),
                       "--sme", "Priya Natarajan")  # fmt: skip
    # (1: the fixture's Cy Dunn has no Agent ID for the template, as without the copy)
    assert res.exit_code == ExitCode.FAILED, res.output
    line = twice_one_due(
        res.stderr, "Kayla Brooks", f"'ESP Tracker'!row {twice + 2}", "'ESP Tracker (2)'!row 2"
    )
    assert "esp document --due makes neither's" in line
    made = [f.name for f in out.rglob("*") if f.is_file()]
    assert "2026-11-25 Ana Ruiz - Written CAP.docx" in made
    assert not any("Kayla Brooks" in name for name in made)


def ethan_finished_on_a_copy(tmp_path: Path) -> tuple[Path, Path, int]:
    """report locate's folder (tests/test_locate.py), its tab as 'Nov' and a copy of his
    class worked on since as 'Dec', on which Ethan Brooks has finished: the folder, the
    tracker, and the index of Ethan's row (his row is one more)."""
    from tests import test_locate as locate

    folder = locate.make_folder(tmp_path)
    tracker = folder / "ESP Tracker.xlsx"
    ws = openpyxl.load_workbook(tracker).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[1] == "Brooks, Ethan")
    title = [i for i, r in enumerate(rows) if "Agent Name" in r][0]
    finished = list(rows[at])
    for header in ("Call Cert Complete?", "All TBTs Complete?"):
        finished[rows[title].index(header)] = "Yes"
    # Another agent of his class carried on to the copy, with no case.
    carried = [None] * len(rows[at])
    carried[:2] = rows[at][:2]
    carried[1] = "Lee, Carried"
    factories.make_workbook(
        tracker, {"Nov": [*rows, carried], "Dec": [*rows[:at], finished, carried]}
    )
    return folder, tracker, at


def test_report_locate_leaves_out_a_case_whose_other_row_is_complete(tmp_path: Path) -> None:
    """Ethan Brooks' Cannot Locate TBT case is open on the old month's tab; on the tab worked
    on since, he has finished. With an e-mail and screenshots, neither row is sent nor set."""
    folder, tracker, at = ethan_finished_on_a_copy(tmp_path)
    before = tracker.read_bytes()
    eml = folder / "locate.eml"
    res = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
              "--dry-run", "-c", str(folder / "esp.toml"))  # fmt: skip
    assert res.exit_code == 0, res.output
    line = twice_one_due(res.stderr, "Ethan Brooks", f"'Nov'!row {at + 1}", f"'Dec'!row {at + 1}")
    assert "esp report locate e-mails and sets neither" in line
    shown = " ".join(res.stdout.split())
    assert "Ethan Brooks" not in shown and "Amira Hassan" in shown, shown
    assert tracker.read_bytes() == before


def test_report_locate_lists_a_case_whose_other_row_is_complete_and_says_so(
    tmp_path: Path,
) -> None:
    """Shown only (no e-mail, no screenshots), Ethan Brooks' case on the old month's tab is
    listed, as it is open there, and one warning line names both rows: on the tab worked on
    since he has finished, and esp cannot tell which row is the team's."""
    folder, tracker, at = ethan_finished_on_a_copy(tmp_path)
    res = run("report", "locate", "-c", str(folder / "esp.toml"))
    assert res.exit_code == 0, res.output
    line = twice_one_due(res.stderr, "Ethan Brooks", f"'Nov'!row {at + 1}", f"'Dec'!row {at + 1}")
    assert "esp report locate counts the one it reads" in line
    assert "Ethan Brooks" in " ".join(res.stdout.split())


@pytest.mark.parametrize("command", ["report eod", "escalations --today", "progress missing"])
def test_a_report_for_one_sme_says_when_an_agents_other_row_is_another_smes(
    tmp_path: Path, today: date, command: str
) -> None:
    """A month's tab copied on and worked on: Agent 0's TBT SME changed on the new tab. A
    report for one SME counts the row of hers it reads, and says her other row differs."""
    keys = (*factories.TRACKER_KEYS, "tbt_sme")
    cells = [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
         "esp_start": today, "tbt_sme": "Priya Natarajan"}
        for i in range(2)
    ]  # fmt: skip
    moved = {**cells[0], "tbt_sme": "Marcus Bell"}
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "ESP Tracker": [
                list(factories.headers(*keys)),
                *([c.get(k) for k in keys] for c in cells),
            ],
            "ESP Tracker (2)": [list(factories.headers(*keys)), [moved.get(k) for k in keys]],
        },
    )
    res = run(*command.split(), "--sme", "Priya Natarajan", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    line = twice_one_due(res.stderr, "Agent 0", "'ESP Tracker'!row 2", "'ESP Tracker (2)'!row 2")
    assert "their rows differ (TBT SME)" in line, line


def test_round_leaves_out_an_agent_whose_other_row_is_complete(tmp_path: Path, today: date) -> None:
    """Agent 0 is outstanding on one tab, complete on the other: the round asks about
    neither row, said once naming both; Agent 1 is asked about."""
    headers = factories.TRACKER_HEADERS
    cells = outstanding(today)
    rows = [[agent.get(key) for key in factories.TRACKER_KEYS] for agent in cells]
    done = {**cells[0], "call_cert_complete": "Yes", "tbts_complete": "Yes"}
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "ESP Tracker": [list(headers), *rows],
            "ESP Tracker (2)": [list(headers), [done.get(key) for key in factories.TRACKER_KEYS]],
        },
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    res = run("round", "--class", CLASS, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    line = twice_one_due(res.stderr, "Agent 0", "'ESP Tracker'!row 2", "'ESP Tracker (2)'!row 2")
    assert "esp round asks about neither of them" in line
    assert "Agent 1" in res.stderr and "[1/1]" in res.stderr, res.stderr


@pytest.mark.parametrize("others", [3, 1], ids=["tab of 4", "tab of 2"])
@pytest.mark.parametrize(
    ("placeholder", "new_hires", "key"),
    [
        (None, (0, 2, 4), "agent_id"),
        ("Pending", (0, 2, 4), "agent_id"),
        ("Pending", (0,), "agent_id"),
        ("n/a", (0,), "agent_id"),
        ("0", (0,), "agent_id"),
        ("000000", (0,), "agent_id"),
        ("n/a", (0,), "email"),
    ],
    ids=["blank", "Pending", "Pending once a tab", "n/a once a tab", "0 once a tab",
         "000000 once a tab", "e-mail n/a once a tab"],
)  # fmt: skip
def test_a_namesake_new_hire_on_another_smes_tab_is_no_copy(
    tmp_path: Path,
    today: date,
    placeholder: str | None,
    new_hires: tuple[int, ...],
    key: str,
    others: int,
) -> None:
    """Two new hires named Agent 0 in one class, no Agent ID yet (or `Pending` typed for
    each new hire, or only one on each tab: still no one's ID), on two SMEs' tabs: one
    outstanding, the other complete. By name and class alone,
    on tabs that share no other agent, they are two people: the round asks about the one
    outstanding, and says nothing of two sheets."""
    headers = factories.TRACKER_HEADERS

    def agent(i: int, **more: Any) -> list[Any]:
        ids: dict[str, Any] = {"agent_id": f"E104{i:02}", "email": f"agent{i}@example.com"}
        if i in new_hires:  # none yet, or the placeholder in one of them
            ids = {"agent_id": None, "email": None, key: placeholder}
        cells = {"class": CLASS, "agent_name": f"Agent {i}", "esp_start": today,
                 "call_cert_complete": "No", **ids, **more}  # fmt: skip
        return [cells.get(k) for k in factories.TRACKER_KEYS]

    done = {"call_cert_complete": "Yes", "tbts_complete": "Yes"}
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "Keisha Grant": [list(headers), *(agent(i) for i in range(3))],
            "Marcus Bell": [
                list(headers),
                agent(0, **done),
                *(agent(i) for i in range(3, 3 + others)),
            ],
        },
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    res = run("round", "--class", CLASS, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    assert "two sheets" not in res.stderr, res.stderr
    assert f"[1/{3 + others}] Agent 0 — AET-1116 (Keisha Grant!row 2)" in res.stderr, res.stderr


def test_a_class_split_between_two_smes_tabs_with_two_namesake_pairs_is_no_copy(
    tmp_path: Path, today: date
) -> None:
    """A class split between two SMEs' tabs, no IDs yet, and two names on both (Agent 0
    and Agent 1, two people each): half the class on the smaller tab is no copy. Agent 0
    on Keisha's tab is outstanding, her namesake on Marcus's has finished: the round asks
    about Keisha's, and says nothing of two sheets."""
    headers = factories.TRACKER_HEADERS

    def agent(i: int, **more: Any) -> list[Any]:
        cells = {"class": CLASS, "agent_name": f"Agent {i}", "esp_start": today,
                 "call_cert_complete": "No", **more}  # fmt: skip
        return [cells.get(k) for k in factories.TRACKER_KEYS]

    done = {"call_cert_complete": "Yes", "tbts_complete": "Yes"}
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "Keisha Grant": [list(headers), *(agent(i) for i in range(4))],
            "Marcus Bell": [list(headers), agent(0, **done), agent(1), agent(8), agent(9)],
        },
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    res = run("round", "--class", CLASS, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    assert "Agent 0 is on two sheets" not in res.stderr, res.stderr
    assert "] Agent 0 — AET-1116 (Keisha Grant!row 2)" in res.stderr, res.stderr


def test_a_class_carried_to_a_new_months_tab_is_a_copy_beside_other_classes(
    tmp_path: Path, today: date
) -> None:
    """October's tab holds a finished class and AET-1116; November's, AET-1116 carried on
    and a new class. No one has an ID yet. Agent 0 finished on November's tab, not on
    October's: her class is a copy on both tabs, though each tab holds more besides, so the
    round asks about neither of her rows, and says so (as of her classmates on both, whose
    rows are alike)."""
    headers = factories.TRACKER_HEADERS

    def agent(cls: str, i: int, **more: Any) -> list[Any]:
        cells = {"class": cls, "agent_name": f"{cls} Agent {i}", "esp_start": today,
                 "call_cert_complete": "No", **more}  # fmt: skip
        return [cells.get(k) for k in factories.TRACKER_KEYS]

    done = {"call_cert_complete": "Yes", "tbts_complete": "Yes"}
    carried = [agent(CLASS, i) for i in range(3)]
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "Oct": [list(headers), *(agent("AET-1001", i, **done) for i in range(5)), *carried],
            "Nov": [
                list(headers),
                agent(CLASS, 0, **done),
                *carried[1:],
                *(agent("AET-1201", i) for i in range(5)),
            ],
        },
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    res = run("round", "--class", CLASS, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    said = [line for line in res.stderr.splitlines() if f"{CLASS} Agent 0 is on two" in line]
    assert len(said) == 1, res.stderr
    assert "'Oct'!row 7 and 'Nov'!row 2" in said[0] and "their rows differ (" in said[0]
    assert "Agent 0 —" not in res.stderr  # not asked about


# -- the reports: an agent on two sheets counted once, said once on stderr ---------------------

REPORT_KEYS = (*factories.TRACKER_KEYS, "tbt_sme", "citrix_access")


def report_cells(today: date) -> list[dict[str, Any]]:
    """Three agents of one class, open, a Cannot Locate TBT case each."""
    return [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
         "tbt_sme": "Keisha Grant", "esp_start": today, "call_cert_complete": "No",
         "citrix_access": "Cannot Locate TBT"}
        for i in range(3)
    ]  # fmt: skip


def report_tracker(
    path: Path, today: date, copy_ids: bool = True, copy_class: str | None = None
) -> Path:
    """Three agents of one class, open, a Cannot Locate TBT case each, on the tracker's tab
    and a copy of it (`copy_ids`: else the copy holds three other agents of the same
    names, told apart by their Agent IDs; `copy_class`: the copy's rows in that class, as
    a re-hire's second class is kept on a sheet of its own)."""
    cells = report_cells(today)
    rows = [[agent.get(key) for key in REPORT_KEYS] for agent in cells]
    copy = [list(r) for r in rows]
    for r in copy:
        if not copy_ids:
            r[REPORT_KEYS.index("agent_id")] += "9"
        if copy_class is not None:
            r[REPORT_KEYS.index("class")] = copy_class
    head = list(factories.headers(*REPORT_KEYS))
    return factories.make_workbook(
        path, {"ESP Tracker": [head, *rows], "ESP Tracker (2)": [head, *copy]}
    )


def warned_once(stderr: str) -> str:
    """The warning: one line, naming both rows, saying the agents are counted once and the
    fix (the refusal's)."""
    line = said_once(stderr)
    assert line.startswith("warning: "), stderr
    assert "Agent 0 is on two sheets" in line
    assert "'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in line
    assert "(the same Agent ID E10400), and 2 more agent(s)" in line
    assert "counts each of them once." in line
    assert "Fix: if 'ESP Tracker (2)' is a copy of another tab, delete" in line
    return line


REPORTS: dict[str, tuple[list[str], Any]] = {
    "report eod": (
        ["report", "eod"],
        lambda out: (out["totals"]["agents"], out["totals"]["access_issues"]["Cannot Locate TBT"]),
    ),
    "report kpi": (
        ["report", "kpi"],
        lambda out: (out["overall"]["agents"], out["classes"][0]["agents"]),
    ),
    "sme list": (
        ["sme", "list"],
        lambda out: (out["classes"][0]["agents"], out["classes"][0]["smes"][0]["agents"]),
    ),
    "escalations": (
        ["escalations"],
        lambda out: (len(out), len({(a["sheet"], a["agent"]) for a in out})),
    ),
    "progress missing": (
        ["progress", "missing"],
        lambda out: (out["incomplete"], len(out["missing"])),
    ),
    "report locate": (
        ["report", "locate"],
        lambda out: (len(out["cases"]), len({c["agent"] for c in out["cases"]})),
    ),
}


@pytest.mark.parametrize("report", list(REPORTS))
def test_a_report_counts_an_agent_on_two_sheets_once_and_says_so(
    tmp_path: Path, today: date, report: str
) -> None:
    import json

    args, counts = REPORTS[report]
    tracker = report_tracker(tmp_path / "ESP Tracker.xlsx", today)
    before = tracker.read_bytes()
    res = run(*args, "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    warned_once(res.stderr)
    assert "two sheets" not in res.stdout  # the data stays data
    assert counts(json.loads(res.stdout)) == (3, 3)
    if report == "escalations":  # the row kept: the first sheet's, in tab order
        assert {a["sheet"] for a in json.loads(res.stdout)} == {"ESP Tracker"}
    assert tracker.read_bytes() == before
    # In words (the default format) too, the warning once on stderr only.
    res = run(*args, "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    warned_once(res.stderr)
    assert "two sheets" not in res.stdout


@pytest.mark.parametrize("report", list(REPORTS))
def test_a_report_counts_namesakes_on_two_sheets_as_two_agents(
    tmp_path: Path, today: date, report: str
) -> None:
    import json

    args, counts = REPORTS[report]
    tracker = report_tracker(tmp_path / "ESP Tracker.xlsx", today, copy_ids=False)
    res = run(*args, "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert counts(json.loads(res.stdout))[0] == 6


@pytest.mark.parametrize("report", list(REPORTS))
def test_a_report_counts_an_agent_in_two_classes_on_two_sheets_twice(
    tmp_path: Path, today: date, report: str
) -> None:
    """A re-hire: her Agent ID on a second sheet, in another class, is no copy of the tab:
    each class counts her, and nothing is said."""
    import json

    args, counts = REPORTS[report]
    tracker = report_tracker(tmp_path / "ESP Tracker.xlsx", today, copy_class="AET-1230")
    res = run(*args, "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    out = json.loads(res.stdout)
    if report == "sme list":  # one load per class
        assert [c["agents"] for c in out["classes"]] == [3, 3]
    else:
        assert counts(out)[0] == 6


def test_the_evening_email_counts_an_agent_on_two_sheets_once(tmp_path: Path, today: date) -> None:
    tracker = report_tracker(tmp_path / "ESP Tracker.xlsx", today)
    config = tmp_path / "esp.toml"
    config.write_text(
        '[report]\nto = ["lead@example.com"]\nfrom = "Jordan Reyes <jordan@example.com>"\n',
        encoding="utf-8",
    )
    eml = tmp_path / "eod.eml"
    res = run("report", "eod", "--eml", str(eml), "--tracker", str(tracker), "-c", str(config))
    assert res.exit_code == 0, res.output
    warned_once(res.stderr)
    import email
    from email.message import EmailMessage
    from email.policy import default

    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "0 of 3 agents fully complete (0%); 3 outstanding" in text
    assert "(0 of the 3 agents who have started)" in text  # the KPI section too
    assert "two sheets" not in text


@pytest.mark.parametrize("report", list(REPORTS))
@pytest.mark.parametrize(
    ("key", "placeholder"), [("n_number", "Pending"), ("agent_id", "TBD"), ("email", "n/a")]
)
def test_agents_of_one_class_on_two_sheets_sharing_a_placeholder_are_all_counted(
    tmp_path: Path, today: date, report: str, key: str, placeholder: str
) -> None:
    """A class kept on two sheets (one per SME), its new hires' N Number 'Pending' (or
    Agent ID 'TBD', e-mail 'n/a') alike: different people, none of them a copy."""
    import json

    keys = (*REPORT_KEYS, "n_number") if "n_number" not in REPORT_KEYS else REPORT_KEYS
    head = list(factories.headers(*keys))

    def sheet(first: int, sme: str) -> list[list[Any]]:
        cells = [
            {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
             "email": f"agent{i}@example.com", "tbt_sme": sme, "esp_start": today,
             "call_cert_complete": "No", "citrix_access": "Cannot Locate TBT", key: placeholder}
            for i in range(first, first + 3)
        ]  # fmt: skip
        return [head, *([agent.get(k) for k in keys] for agent in cells)]

    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"Keisha": sheet(0, "Keisha Grant"), "Marcus": sheet(3, "Marcus Bell")},
    )
    args, counts = REPORTS[report]
    res = run(*args, "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    out = json.loads(res.stdout)
    if report == "sme list":
        assert sorted(s["agents"] for s in out["classes"][0]["smes"]) == [3, 3]
    else:
        assert counts(out)[0] == 6
    if report == "report eod":  # a class-wide write is not refused either
        res = run("sme", "assign", CLASS, "--sme", "Keisha Grant", "--sme", "Marcus Bell",
                  "--dry-run", "--tracker", str(tracker))  # fmt: skip
        assert res.exit_code == 0, res.output


def test_two_rows_of_an_agent_that_differ_are_both_counted(tmp_path: Path, today: date) -> None:
    """A stale copy (put first, as Excel's Move or Copy may) and the team's tab where a
    change was recorded since: no telling which row is the team's, so both are counted and
    the warning says their rows differ; the agents whose rows are alike are counted once."""
    import json

    cells = report_cells(today)
    stale = [[agent.get(key) for key in REPORT_KEYS] for agent in cells]
    cells[0]["tbt_notes"] = "Searched 'HIPAA Basics'"  # noted since the copy, on one tab
    rows = [[agent.get(key) for key in REPORT_KEYS] for agent in cells]
    head = list(factories.headers(*REPORT_KEYS))
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker (2)": [head, *stale], "ESP Tracker": [head, *rows]},
    )
    res = run("report", "locate", "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    cases = json.loads(res.stdout)["cases"]
    assert sorted((c["sheet"], c["agent"]) for c in cases) == [
        ("ESP Tracker", "Agent 0"), ("ESP Tracker (2)", "Agent 0"),
        ("ESP Tracker (2)", "Agent 1"), ("ESP Tracker (2)", "Agent 2"),
    ]  # fmt: skip
    lines = [line for line in res.stderr.splitlines() if "two sheets" in line]
    assert len(lines) == 2, res.stderr
    assert "Agent 1 is on two sheets" in lines[0] and "counts each of them once." in lines[0]
    assert "Agent 0 is on two sheets" in lines[1]
    assert "their rows differ (TBT Notes), so esp report locate counts both" in lines[1]


@pytest.mark.parametrize("report", ["report eod", "escalations"])
def test_namesakes_of_one_class_who_started_on_different_days_are_two_agents(
    tmp_path: Path, today: date, report: str
) -> None:
    """Weekly sheets, the same name and e-mail typed on both (a namesake's e-mail copied
    by mistake), different ESP Start Dates: two people, as `esp document` names them apart."""
    import json
    from datetime import timedelta

    cells = report_cells(today)
    rows = [[agent.get(key) for key in REPORT_KEYS] for agent in cells]
    for agent in cells:
        agent["esp_start"] = today - timedelta(days=7)
    later = [[agent.get(key) for key in REPORT_KEYS] for agent in cells]
    head = list(factories.headers(*REPORT_KEYS))
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx", {"Wk 1": [head, *later], "Wk 2": [head, *rows]}
    )
    args, counts = REPORTS[report]
    res = run(*args, "--format", "json", "--tracker", str(tracker))
    assert res.exit_code == 0, res.output
    assert "two sheets" not in res.stderr
    assert counts(json.loads(res.stdout))[0] == 6


def test_sync_nnumbers_leaves_a_class_rows_date_off_an_agent_on_two_sheets(
    tmp_path: Path,
) -> None:
    """A Master class row fills its date for every agent of the class: an agent on a copy of
    the tab is neither row's to fill (her own Master row is refused as "2 agents are
    named…"), so both her rows are left as they were and one warning names the copy and the
    fix; her classmate only on the team's tab, and the other classes, are written."""
    import json

    keys = ("class", "agent_name", "agent_id", "email", "n_number_requested")
    agents_on_both = [
        [CLASS, f"Agent {i}", f"E104{i:02}", f"agent{i}@example.com", None] for i in range(2)
    ]
    only_here = [[CLASS, "Agent 9", "E10409", "agent9@example.com", None]]
    other_class = [["AET-1200", "Lena Ortiz", "E20001", "lena@example.com", None]]
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {
            "ESP Tracker": [list(factories.headers(*keys)), *agents_on_both, *only_here,
                            *other_class],
            "ESP Tracker (2)": [list(factories.headers(*keys)), *agents_on_both],
        },
    )  # fmt: skip
    master = factories.master(
        tmp_path / "Master.xlsx",
        [
            (CLASS, None, None, None, None, date(2026, 11, 11)),  # class row
            ("AET-1200", None, None, None, None, date(2026, 11, 12)),  # class row
            (CLASS, "Agent 1", None, None, None, date(2026, 11, 10)),  # her own row
        ],
    )
    res = run("sync-nnumbers", "--tracker", str(tracker), "--from", str(master), "-f", "json")
    assert res.exit_code == 0, res.output
    line = said_once(res.stderr)
    assert "Agent 0 is on two sheets, 'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in line
    assert "1 more agent(s) of these are too" in line
    assert "class row" in line and "neither" in line
    assert "delete 'ESP Tracker (2)' or hide it" in line
    data = json.loads(res.stdout)
    assert [(c["sheet"], c["cell"], c["agent"], c["new"]) for c in data["changes"]] == [
        ("ESP Tracker", "E4", "Agent 9", "2026-11-11"),
        ("ESP Tracker", "E5", "Lena Ortiz", "2026-11-12"),
    ]
    assert [(u["row"], u["reason"]) for u in data["unmatched"]] == [
        (4, f"2 agents are named Agent 1 in class {CLASS}")
    ]
    # A script reading the JSON sees the cells left, each naming the agent's other row.
    assert [(c["sheet"], c["cell"], c["agent"], c["master"]) for c in data["conflicts"]] == [
        ("ESP Tracker", f"E{r}", f"Agent {r - 2}", "2026-11-11") for r in (2, 3)
    ] + [("ESP Tracker (2)", f"E{r}", f"Agent {r - 2}", "2026-11-11") for r in (2, 3)]
    assert data["conflicts"][0]["reason"] == (
        "the agent is on two sheets of the tracker (also 'ESP Tracker (2)'!row 2): neither "
        "row is filled; delete or hide the copied tab"
    )
    assert "also 'ESP Tracker'!row 3" in data["conflicts"][3]["reason"]
    # --overwrite would not fill them: neither the JSON nor the screen sends anyone to it.
    assert not any(c["overwrite"] for c in data["conflicts"])
    again = run("sync-nnumbers", "--tracker", str(tracker), "--from", str(master))
    assert again.exit_code == 0, again.output
    assert "Conflicts kept (4)" in again.stdout and "--overwrite" not in again.stdout
    # ... nor the CSV.
    table = run("sync-nnumbers", "--tracker", str(tracker), "--from", str(master), "-f", "csv")
    conflicts = [r for r in csv.DictReader(io.StringIO(table.stdout)) if r["kind"] == "conflict"]
    assert [(r["cell"], r["overwrite"]) for r in conflicts] == [("E2", "no"), ("E3", "no")] * 2
    # Nothing else to write: not "already up to date" under the conflicts listed.
    assert "ESP Tracker.xlsx keeps the conflicts listed; nothing written." in again.stderr
    wb = openpyxl.load_workbook(tracker)
    for sheet in ("ESP Tracker", "ESP Tracker (2)"):
        assert [wb[sheet].cell(r, 5).value for r in (2, 3)] == [None, None], sheet


def test_a_change_waiting_for_an_agent_now_on_a_copy_of_the_tab_says_so(tmp_path: Path) -> None:
    """A change made while the tracker was open waits for Agent 1's row; the tab is copied
    since (`ESP Tracker (2)`): esp apply and esp pending say her row is on two sheets now,
    naming both and the fix — not that it is no longer there."""
    import json

    from tests.support.windows import excel_owner_file

    cells = [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
         "email": f"agent{i}@example.com"}
        for i in range(2)
    ]  # fmt: skip
    rows = [[agent.get(key) for key in factories.TRACKER_KEYS] for agent in cells]
    headers = list(factories.TRACKER_HEADERS)
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx", {"ESP Tracker": [headers, *rows]}
    )
    owner = tmp_path / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    res = run("note", "add", "Agent 1", "Called", "--by", "Jordan Reyes", "-t", str(tracker))
    assert res.exit_code == ExitCode.WAITING, res.output
    owner.unlink()
    # In Excel: Move or Copy > Create a copy of the tab, saved.
    factories.make_workbook(tracker, {"ESP Tracker": [headers, *rows],
                                      "ESP Tracker (2)": [headers, *rows]})  # fmt: skip
    before = tracker.read_bytes()
    said = "Agent 1 is on two sheets now: 'ESP Tracker'!row 3 and 'ESP Tracker (2)'!row 3"
    fix = "fix: delete or hide the copy, 'ESP Tracker (2)'"

    held = run("apply", "-t", str(tracker))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert said in held.stderr and fix in held.stderr
    assert "no longer there" not in held.stderr and "put it back" not in held.stderr
    assert tracker.read_bytes() == before

    listed = run("pending", "-t", str(tracker), "-f", "json")
    assert listed.exit_code == 0, listed.output
    (op,) = json.loads(listed.stdout)["operations"]
    (conflict,) = op["conflicts"]
    assert conflict["kind"] == "twice"
    assert conflict["reason"].startswith(said) and fix in conflict["reason"]
    shown = run("pending", "-t", str(tracker))
    assert "the agent is on two sheets now" in shown.stdout + shown.stderr
    assert "no longer there" not in shown.stdout + shown.stderr


def test_an_undo_for_an_agent_now_on_a_copy_of_the_tab_says_so(tmp_path: Path) -> None:
    """esp undo of a note written to Agent 1's row, the tab copied since: refused, saying
    her row is on two sheets now, naming both and the fix."""
    cells = [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}"} for i in range(2)
    ]
    rows = [[agent.get(key) for key in factories.TRACKER_KEYS] for agent in cells]
    headers = list(factories.TRACKER_HEADERS)
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx", {"ESP Tracker": [headers, *rows]}
    )
    res = run("note", "add", "Agent 1", "Called", "--by", "Jordan Reyes", "-t", str(tracker))
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    now = [[c.value for c in row] for row in ws.iter_rows()]
    factories.make_workbook(tracker, {"ESP Tracker": now, "ESP Tracker (2)": now})
    before = tracker.read_bytes()
    res = run("undo", "-t", str(tracker))
    assert res.exit_code == ExitCode.FAILED, res.output
    assert (
        "Agent 1 is on two sheets now: 'ESP Tracker'!row 3 and 'ESP Tracker (2)'!row 3; "
        "fix: delete or hide the copy, 'ESP Tracker (2)'"
    ) in res.stderr
    assert tracker.read_bytes() == before


def test_only_a_name_of_the_class_on_another_sheet_too_is_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What tells an agent from a namesake (her IDs and e-mail) is worked out only for a
    name of the class that is on another sheet too, and for no row of a one-sheet tracker:
    the daily commands look for agents on two sheets on every run."""
    from esp_cli.workbook import finder
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import Workbook

    rows = agents(3)
    other = [CLASS, "Someone Else", "E99999", "else@example.com", None, "No", "No"]
    two_sheets = copied(tmp_path / "two.xlsx", rows, [other, rows[1]])
    one_sheet = factories.make_workbook(
        tmp_path / "one.xlsx", {"ESP Tracker": [list(HEADERS), *rows]}
    )
    asked: list[tuple[str, int]] = []
    who, identities = finder._who, finder._identities

    def told_apart(row: Any) -> Any:
        asked.append((row.sheet, row.row))
        return who(row)

    def identified(row: Any) -> Any:
        asked.append((row.sheet, row.row))
        return identities(row)

    monkeypatch.setattr(finder, "_who", told_apart)
    twice = finder.agents_twice(read_table(Workbook.open(two_sheets), keys=None).rows())
    assert [(a.sheet, a.row, b.sheet, b.row, shared) for a, b, shared in twice] == [
        ("ESP Tracker", 3, "ESP Tracker (2)", 3, "Agent ID E10401")
    ]
    assert sorted(asked) == [("ESP Tracker", 3), ("ESP Tracker (2)", 3)]
    asked.clear()
    monkeypatch.setattr(finder, "_identities", identified)
    assert finder.agents_twice(read_table(Workbook.open(one_sheet), keys=None).rows()) == []
    assert asked == []


def test_a_past_round_says_an_agent_copied_alike_is_a_copy(tmp_path: Path, today: date) -> None:
    """A round for an earlier day reads more of the chosen agents' cells (their dates, to
    tell who was outstanding then): her other row, read alike, is a copy no one changed
    since, and the warning says so, not that the rows differ."""
    from datetime import timedelta

    keys = (*factories.TRACKER_KEYS, "call_cert_date")
    cells = [
        {"class": CLASS, "agent_name": f"Agent {i}", "agent_id": f"E104{i:02}",
         "esp_start": today - timedelta(days=7), "call_cert_complete": "Yes",
         "call_cert_date": today, "tbts_complete": "Yes"}
        for i in range(2)
    ]  # fmt: skip
    rows = [[agent.get(key) for key in keys] for agent in cells]
    head = list(factories.headers(*keys))
    tracker = factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {"ESP Tracker": [head, *rows], "ESP Tracker (2)": [head, rows[0]]},
    )
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    day = (today - timedelta(days=1)).isoformat()
    res = run("round", "--class", CLASS, "--date", day, "--tracker", str(tracker), "--dry-run",
              "-c", str(tmp_path / "esp.toml"), stdin="q\n")  # fmt: skip
    line = said_once(res.stderr)
    assert "'ESP Tracker'!row 2 and 'ESP Tracker (2)'!row 2" in line
    assert "rows differ" not in line and "delete 'ESP Tracker (2)' or hide it" in line, line
    assert "Agent 1" in res.stderr and "[1/1]" in res.stderr, res.stderr

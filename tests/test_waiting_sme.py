"""A TBT SME assignment made while Excel has the tracker waits beside it; until it is written
every command that chooses agents by --sme chooses them as it leaves the TBT SME cells, and
says it counted a change not yet in the workbook, also in a list it took agents out of.

On the sample, class AET-1116 (rows 57-78) is Keisha Grant's; `esp sme assign AET-1116 --sme
"Keisha Grant" --sme "Marcus Bell"` gives rows 68-78 to Marcus Bell: Keisha keeps 11 agents (8
outstanding), Marcus gets 11 (10 outstanding).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.waiting import Store
from tests.support.windows import excel_owner_file

DAY = "2026-11-24"
TRACKER = "ESP Tracker.xlsx"
SPLIT = ("sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Marcus Bell")


def run(config: Path, *argv: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, [*argv, "--config", str(config)], input=stdin)


def waiting_assignment(folder: Path, *assign: str) -> tuple[Path, str]:
    """The sample, open in Excel, with an assignment waiting beside it: (esp.toml, its id)."""
    copy_sample(folder)
    (folder / f"~${TRACKER}").write_bytes(excel_owner_file("Dana Whitfield"))
    config = folder / "esp.toml"
    res = run(config, *(assign or SPLIT))
    assert res.exit_code == ExitCode.WAITING, res.output
    (op,) = Store(folder / TRACKER).unwritten().ops
    return config, op.op


@pytest.fixture
def split(tmp_path: Path) -> tuple[Path, str]:
    return waiting_assignment(tmp_path)


REPORTS: dict[str, tuple[str, ...]] = {
    "escalations": ("escalations", "--as-of", DAY),
    "escalations --today": ("escalations", "--today", "--as-of", DAY),
    "progress missing": ("progress", "missing", "--date", DAY),
    "report eod": ("report", "eod", "--date", DAY),
    "report kpi": ("report", "kpi", "--to", DAY),
}
# What each report says of its agents: (Keisha's, Marcus's) as the waiting split leaves them.
COUNTS = {
    "escalations": ("8 outstanding agents", "10 outstanding agents"),
    "escalations --today": ("TBT SME Keisha Grant:", "TBT SME Marcus Bell:"),
    "progress missing": ("8 of 8 incomplete", "10 of 10 incomplete"),
    "report eod": ("3 of 11 agents fully complete", "1 of 7 agents fully complete"),
    "report kpi": ("3 of 11 agents complete", "1 of 7 agents complete"),
}


@pytest.mark.parametrize("report", list(REPORTS))
def test_every_report_by_sme_counts_a_waiting_assignment_and_says_so(
    split: tuple[Path, str], report: str
) -> None:
    """The SME the waiting assignment names is known; the SME it takes agents from has a
    shorter list, marked as counted with the change (no listed agent is touched by it); an
    SME it does not touch is not marked."""
    config, _op = split
    for sme, count in zip(("Keisha Grant", "Marcus Bell"), COUNTS[report], strict=True):
        res = run(config, *REPORTS[report], "--sme", sme)
        assert res.exit_code == 0, res.output
        assert count in res.output, res.output
        assert "Counted with 1 change" in res.output, (sme, res.output)
    untouched = run(config, *REPORTS[report], "--sme", "Dana Whitfield")
    assert untouched.exit_code == 0, untouched.output
    assert "Counted with" not in untouched.output


def test_the_json_of_a_list_the_waiting_change_took_agents_from_names_it(
    split: tuple[Path, str],
) -> None:
    config, op = split
    for argv in (REPORTS["progress missing"], REPORTS["report eod"], REPORTS["report kpi"]):
        res = run(config, *argv, "--sme", "Keisha Grant", "-f", "json")
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["waiting"] == [op], argv


def test_sme_list_counts_the_waiting_assignment_marked(split: tuple[Path, str]) -> None:
    config, op = split
    res = run(config, "sme", "list", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (aet1116,) = [c for c in data["classes"] if c["class"] == "AET-1116"]
    assert aet1116["smes"] == [
        {"sme": "Keisha Grant", "agents": 11, "outstanding": 8, "waiting": [op]},
        {"sme": "Marcus Bell", "agents": 11, "outstanding": 10, "waiting": [op]},
    ]
    assert data["waiting"] == [op]
    others = [s for c in data["classes"] if c["class"] != "AET-1116" for s in c["smes"]]
    assert others and all("waiting" not in s for s in others)
    table = run(config, "sme", "list")
    assert "Marcus Bell *" in table.stdout and "Keisha Grant *" in table.stdout
    assert "Dana Whitfield *" not in table.stdout
    assert "Counted with 1 change(s) waiting beside the tracker" in table.stderr


def test_sme_list_marks_nothing_when_nothing_waits(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    res = run(tmp_path / "esp.toml", "sme", "list", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "waiting" not in data
    assert all("waiting" not in s for c in data["classes"] for s in c["smes"])


def test_a_round_by_sme_says_the_waiting_assignment_chose_its_agents(
    split: tuple[Path, str],
) -> None:
    config, _op = split
    for sme, count in (("Keisha Grant", 8), ("Marcus Bell", 10)):
        res = run(config, "round", "--sme", sme, "--date", DAY, "-n", stdin="")
        assert res.exit_code == 0, res.output
        assert f"{count} outstanding agent(s)" in res.stderr
        assert f"Agents of TBT SME {sme} counted with 1 change" in res.stderr
    untouched = run(config, "round", "--sme", "Dana Whitfield", "--date", DAY, "-n", stdin="")
    assert untouched.exit_code == 0, untouched.output
    assert "counted with" not in untouched.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ("advise", "--due", "--as-of", DAY, "-n"),
        ("document", "--due", "--as-of", DAY, "-n", "--out", "{folder}/documents"),
    ],
    ids=["advise", "document"],
)
def test_advise_and_document_by_sme_say_the_waiting_assignment_chose_their_agents(
    split: tuple[Path, str], argv: tuple[str, ...]
) -> None:
    config, _op = split
    args = [a.replace("{folder}", str(config.parent)) for a in argv]
    for sme in ("Keisha Grant", "Marcus Bell"):
        res = run(config, *args, "--sme", sme)
        assert res.exit_code == 0, res.output
        assert f"Agents of TBT SME {sme} counted with 1 change" in res.stderr
    untouched = run(config, *args, "--sme", "Dana Whitfield")
    assert untouched.exit_code == 0, untouched.output
    assert "counted with" not in untouched.stderr


def test_an_sme_a_waiting_change_takes_every_agent_from_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    config, op = waiting_assignment(
        tmp_path, "sme", "assign", "AET-1116", "--sme", "Tom Alvarez", "--sme", "Marcus Bell"
    )
    for argv in (REPORTS["progress missing"], ("round", "-n", "--date", DAY)):
        res = run(config, *argv, "--sme", "Keisha Grant", stdin="")
        assert res.exit_code == ExitCode.USAGE, res.output
        assert "No TBT SME 'Keisha Grant'" in res.stderr
        assert f"once the change waiting beside it is counted: {op} gives each of" in res.stderr
        assert "esp pending" in res.stderr
    # An SME the tracker never named is refused as before, with no word of the change.
    res = run(config, *REPORTS["progress missing"], "--sme", "Nobody Known")
    assert res.exit_code == ExitCode.USAGE and "waiting" not in res.stderr


def test_an_sme_only_a_held_waiting_change_names_is_refused_pointing_to_it(
    split: tuple[Path, str],
) -> None:
    """A teammate saves one of the TBT SME cells the split would write: the change is held
    by that conflict, counted nowhere, and --sme with the SME it names says it waits."""
    from tests.test_waiting_skip import edit_cell

    config, op = split
    (config.parent / f"~${TRACKER}").unlink()
    edit_cell(config.parent / TRACKER, "I68", "Dana Whitfield")
    for argv in (REPORTS["escalations"], REPORTS["report eod"]):
        res = run(config, *argv, "--sme", "Marcus Bell")
        assert res.exit_code == ExitCode.USAGE, res.output
        err = " ".join(res.stderr.split())
        assert "No TBT SME 'Marcus Bell'" in err
        assert (
            f"the change waiting beside it {op} names 'Marcus Bell' as TBT SME (held by a "
            "conflict, not yet in the workbook)"
        ) in err
        assert "(esp pending lists what waits)" in err


# Every command that takes --sme, as REPORTS and the tests above run them.
BY_SME = {
    **REPORTS,
    "round": ("round", "--date", DAY, "-n"),
    "advise": ("advise", "--due", "--as-of", DAY, "-n"),
    "document": ("document", "--due", "--as-of", DAY, "-n", "--out", "{folder}/documents"),
}


@pytest.mark.parametrize("command", list(BY_SME))
def test_a_held_assignment_is_said_by_every_list_of_the_smes_it_concerns(
    tmp_path: Path, command: str
) -> None:
    """AET-1116's second half is given to Dana Whitfield while Excel has the tracker; a
    teammate then types Tom Alvarez in Kendra Hayes's TBT SME: the change is held by that
    conflict and counted nowhere. Each list by an SME it would give agents to, or take
    them from, says so on standard error in one line naming them and esp pending; a list
    of an SME it does not concern says nothing of it."""
    from tests.test_waiting_skip import edit_cell

    config, op = waiting_assignment(
        tmp_path, "sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Dana Whitfield"
    )
    (tmp_path / f"~${TRACKER}").unlink()
    edit_cell(tmp_path / TRACKER, "I68", "Tom Alvarez")
    argv = [a.replace("{folder}", str(tmp_path)) for a in BY_SME[command]]
    said = {
        "Dana Whitfield": "would make Dana Whitfield the TBT SME of Kendra Hayes, Lucas Moreno, "
        "Mei Tanaka and 8 more",
        "Keisha Grant": "would give Lucas Moreno, Mei Tanaka, Noah Fischer and 7 more another "
        "TBT SME than Keisha Grant",
        "Tom Alvarez": "would give Kendra Hayes another TBT SME than Tom Alvarez",
    }
    for sme, words in said.items():
        res = run(config, *argv, "--sme", sme, stdin="")
        assert res.exit_code == 0, res.output
        lines = [line for line in res.stderr.splitlines() if op in line]
        assert lines == [
            f"warning: {op}, a TBT SME change waiting beside the tracker, {words}, but a "
            "conflict holds it: not counted here (esp pending shows it and what holds it)."
        ], (sme, res.stderr)
    untouched = run(config, *argv, "--sme", "Priya Natarajan", stdin="")
    assert untouched.exit_code == 0, untouched.output
    assert op not in untouched.stderr


def test_sme_list_says_a_held_assignment_is_not_counted(split: tuple[Path, str]) -> None:
    """The loads are as the tracker reads without the held split; one line says which
    agents' TBT SME it would change, and esp pending."""
    from tests.test_waiting_skip import edit_cell

    config, op = split
    (config.parent / f"~${TRACKER}").unlink()
    edit_cell(config.parent / TRACKER, "I68", "Dana Whitfield")
    res = run(config, "sme", "list", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "waiting" not in json.loads(res.stdout)
    assert [line for line in res.stderr.splitlines() if op in line] == [
        f"warning: {op}, a TBT SME change waiting beside the tracker, would change the TBT SME "
        "of Kendra Hayes, Lucas Moreno, Mei Tanaka and 8 more, but a conflict holds it: not "
        "counted here (esp pending shows it and what holds it)."
    ]


def test_a_round_by_its_signer_says_a_held_assignment_of_theirs(split: tuple[Path, str]) -> None:
    """esp round --by Keisha Grant (her own agents, no --sme) says the held split as a
    list by --sme does."""
    from tests.test_waiting_skip import edit_cell

    config, op = split
    (config.parent / f"~${TRACKER}").unlink()
    edit_cell(config.parent / TRACKER, "I68", "Dana Whitfield")
    res = run(config, "round", "--by", "Keisha Grant", "--date", DAY, "-n", stdin="")
    assert res.exit_code == 0, res.output
    assert [line for line in res.stderr.splitlines() if op in line] == [
        f"warning: {op}, a TBT SME change waiting beside the tracker, would give Lucas Moreno, "
        "Mei Tanaka, Noah Fischer and 7 more another TBT SME than Keisha Grant, but a conflict "
        "holds it: not counted here (esp pending shows it and what holds it)."
    ]

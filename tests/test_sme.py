"""esp sme assign / list: 1-2 TBT SMEs per class, an even and stable split, the load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.services.smes import split_evenly
from tests import factories

HEADERS = list(
    factories.headers(
        "class",
        "agent_name",
        "tbt_sme",
        "call_cert_complete",
        "tbts_complete",
    )
)
# Headers in row 1; agents from row 2. C: TBT SME.
AGENTS = [
    ["AET-1", "Devon Price", None, "Yes", "Yes"],
    ["AET-2", "Omar Haddad", "Keisha Grant", "No", "No"],
    ["AET-1", "Ana Ruiz", None, "No", "No"],
    ["AET-1", "Kim Lee", None, "Yes", "No"],
    ["aet-1 ", "Bo Chen", None, "No", "No"],  # the class typed another way
    ["AET-1", "Eva Stone", None, "Y", "Y"],
]
AET1_ROWS = [2, 4, 5, 6, 7]


def build(path: Path, agents: list[list[Any]] = AGENTS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(HEADERS)
    for agent in agents:
        ws.append(agent)
    wb.save(path)
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return build(tmp_path / "ESP Tracker.xlsx")


def esp(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--tracker", str(tracker)])


def smes(path: Path) -> dict[int, Any]:
    ws = openpyxl.load_workbook(path)["Roster"]
    return {r: ws[f"C{r}"].value for r in range(2, ws.max_row + 1)}


PRIYA_AND_TOM = ("sme", "assign", "AET-1", "--sme", "Priya Natarajan", "--sme", "Tom Alvarez")


def test_two_smes_split_the_class_evenly(tracker: Path) -> None:
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Priya Natarajan", "--sme", "Tom Alvarez",
              "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["smes"] == [
        {"sme": "Priya Natarajan", "agents": 3},
        {"sme": "Tom Alvarez", "agents": 2},
    ]
    assert [a["row"] for a in data["assignments"]] == AET1_ROWS
    assert smes(tracker) == {
        2: "Priya Natarajan",
        3: "Keisha Grant",  # another class: untouched
        4: "Tom Alvarez",
        5: "Priya Natarajan",
        6: "Tom Alvarez",
        7: "Priya Natarajan",
    }


def test_three_smes_are_refused_citing_the_seed(tracker: Path) -> None:
    before = tracker.read_bytes()
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "A B", "--sme", "C D", "--sme", "E F")
    assert res.exit_code == ExitCode.USAGE
    assert "1-2 Certifiers as TBT SMEs" in res.stderr
    assert tracker.read_bytes() == before


@pytest.mark.parametrize(
    ("names", "message"),
    [((), "No TBT SME given"), (("Tom Alvarez", "alvarez, tom"), "The same TBT SME")],
)
def test_no_sme_or_the_same_twice_is_refused(
    tracker: Path, names: tuple[str, ...], message: str
) -> None:
    res = esp(tracker, "sme", "assign", "AET-1", *(a for n in names for a in ("--sme", n)))
    assert res.exit_code == ExitCode.USAGE
    assert message in res.stderr


def test_running_it_again_changes_nothing(tracker: Path) -> None:
    args = ("sme", "assign", "AET-1", "--sme", "Priya Natarajan", "--sme", "Tom Alvarez")
    assert esp(tracker, *args).exit_code == 0
    written = tracker.read_bytes()
    res = esp(tracker, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["changes"] == [] and not any(a["changed"] for a in data["assignments"])
    assert "nothing written" in res.stderr
    assert tracker.read_bytes() == written


def test_a_new_agent_does_not_reshuffle_the_others(tmp_path: Path) -> None:
    agents = [list(a) for a in AGENTS]
    for row, sme in zip(AET1_ROWS, ["Tom Alvarez", "Tom Alvarez", "Priya Natarajan",
                                    "Priya Natarajan", "Tom Alvarez"], strict=True):  # fmt: skip
        agents[row - 2][2] = sme
    agents.append(["AET-1", "Zed Park", None, "No", "No"])
    tracker = build(tmp_path / "t.xlsx", agents)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Priya Natarajan", "--sme", "Tom Alvarez",
              "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    changes = json.loads(res.stdout)["changes"]
    assert [(c["cell"], c["old"], c["new"]) for c in changes] == [("C8", None, "Priya Natarajan")]


def test_replacing_an_sme_moves_only_their_agents(tracker: Path) -> None:
    assert esp(tracker, *PRIYA_AND_TOM).exit_code == 0
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Priya Natarajan", "--sme", "Marcus Bell")
    assert res.exit_code == 0, res.output
    assert smes(tracker) == {
        2: "Priya Natarajan",
        3: "Keisha Grant",
        4: "Marcus Bell",
        5: "Priya Natarajan",
        6: "Marcus Bell",
        7: "Priya Natarajan",
    }


def test_one_sme_takes_the_whole_class_and_dry_run_writes_nothing(tracker: Path) -> None:
    before = tracker.read_bytes()
    res = esp(
        tracker, "sme", "assign", "aet-1", "--sme", " Tom  Alvarez ", "--dry-run", "-f", "json"
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {c["new"] for c in data["changes"]} == {"Tom Alvarez"} and len(data["changes"]) == 5
    assert data["dry_run"] is True
    assert tracker.read_bytes() == before


def test_an_unknown_class_lists_the_classes(tracker: Path) -> None:
    res = esp(tracker, "sme", "assign", "AET-9", "--sme", "Tom Alvarez")
    assert res.exit_code == ExitCode.USAGE
    assert "AET-1" in res.stderr and "AET-2" in res.stderr


def test_a_missing_tbt_sme_column_is_added(tmp_path: Path) -> None:
    agents = [[a[0], a[1], a[3], a[4]] for a in AGENTS]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append([h for h in HEADERS if h != "TBT SME"])
    for agent in agents:
        ws.append(agent)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    res = esp(path, "sme", "assign", "AET-2", "--sme", "Keisha Grant", "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added_columns"] == ["Roster!E 'TBT SME'"]
    ws = openpyxl.load_workbook(path)["Roster"]
    assert (ws["E1"].value, ws["E3"].value, ws["E2"].value) == ("TBT SME", "Keisha Grant", None)


def test_list_shows_each_smes_load(tracker: Path) -> None:
    assert esp(tracker, *PRIYA_AND_TOM).exit_code == 0
    res = esp(tracker, "sme", "list", "-f", "json")
    assert res.exit_code == 0, res.output
    classes = json.loads(res.stdout)["classes"]
    assert classes == [
        {
            "class": "AET-1",
            "agents": 5,
            "outstanding": 3,  # Ana Ruiz, Kim Lee, Bo Chen
            "smes": [
                {"sme": "Priya Natarajan", "agents": 3, "outstanding": 1},
                {"sme": "Tom Alvarez", "agents": 2, "outstanding": 2},
            ],
            "unassigned": {"agents": 0, "outstanding": 0},
        },
        {
            "class": "AET-2",
            "agents": 1,
            "outstanding": 1,
            "smes": [{"sme": "Keisha Grant", "agents": 1, "outstanding": 1}],
            "unassigned": {"agents": 0, "outstanding": 0},
        },
    ]


def test_list_counts_agents_without_an_sme(tracker: Path) -> None:
    res = esp(tracker, "sme", "list")
    assert res.exit_code == 0, res.output
    assert "(no TBT SME)" in res.stdout and "Keisha Grant" in res.stdout
    assert "No TBT SME yet: AET-1" in res.stderr


def test_agents_with_a_blank_class_are_listed_as_no_class(tmp_path: Path) -> None:
    """Shown as "(no class)" as esp report kpi does, never as the class above them (in JSON
    and CSV, the blank cell's ""); the agents with no class and no TBT SME are named, with
    their rows."""
    agents = [
        ["AET-1", "Devon Price", "Keisha Grant", "No", "No"],
        [None, "Ana Ruiz", "Keisha Grant", "No", "No"],  # row 3: her class left blank
        ["  ", "Kim Lee", None, "Yes", "No"],  # row 4: no class, no TBT SME
        ["AET-2", "Omar Haddad", None, "No", "No"],
    ]
    tracker = build(tmp_path / "ESP Tracker.xlsx", agents)
    table = esp(tracker, "sme", "list")
    assert table.exit_code == 0, table.output
    assert "│ (no class) │ Keisha Grant │" in table.stdout, table.stdout
    assert "│ (no class) │ (no TBT SME) │" in table.stdout
    assert "No TBT SME yet: AET-2 (esp sme assign CLASS --sme NAME)." in table.stderr
    assert "No class: Kim Lee (Roster!row 4) has no TBT SME either" in table.stderr
    assert "  (" not in table.stderr  # no empty class named
    rows = esp(tracker, "sme", "list", "-f", "csv").stdout.splitlines()
    assert ",Keisha Grant,1,1" in rows and ",(no TBT SME),1,1" in rows
    data = json.loads(esp(tracker, "sme", "list", "-f", "json").stdout)
    assert [c["class"] for c in data["classes"]] == ["AET-1", "", "AET-2"]


# -- the SME named as a person types it -------------------------------------------------------

KNOWN = [
    ["AET-1", "Devon Price", None, "No", "No"],
    ["AET-1", "Ana Ruiz", None, "No", "No"],
    ["AET-2", "Omar Haddad", "Dana Whitfield", "No", "No"],
    ["AET-3", "Kim Lee", "Zoë Núñez", "No", "No"],
    ["AET-4", "Bo Chen", "Dana Ortiz / Keisha Grant", "No", "No"],
]


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("Whitfield", "Dana Whitfield"),
        ("dana w", "Dana Whitfield"),
        ("whitfield, dana", "Dana Whitfield"),
        ("Zoe Nunez", "Zoë Núñez"),  # typed on a US keyboard
        ("zoe", "Zoë Núñez"),
        ("Keisha", "Keisha Grant"),  # one of two SMEs in one cell
        ("Marcus", "Marcus Bell"),  # [people] sme_emails
    ],
)
def test_part_of_a_known_smes_name_is_that_sme(tmp_path: Path, typed: str, known: str) -> None:
    """A first name, a last name, the start of each word or the name without its accents,
    when one known TBT SME (in the TBT SME column, or in [people] sme_emails) has it: that
    SME, as the tracker spells them, never what was typed."""
    tracker = build(tmp_path / "ESP Tracker.xlsx", KNOWN)
    config = tmp_path / "esp.toml"
    config.write_text('[people]\nsme_emails = { "Marcus Bell" = "marcus@example.com" }\n')
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", typed, "--config", str(config))
    assert res.exit_code == 0, res.output
    assert smes(tracker)[2] == smes(tracker)[3] == known
    assert "new" not in res.stderr


def test_a_name_two_known_smes_share_is_refused_naming_them(tracker: Path) -> None:
    tracker = build(tracker, KNOWN)
    before = smes(tracker)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Dana")
    assert res.exit_code == ExitCode.USAGE
    assert "'Dana' matches 2 TBT SMEs" in res.stderr
    assert "Dana Ortiz, Dana Whitfield" in res.stderr and "--sme" in res.stderr
    assert smes(tracker) == before


def test_a_name_no_known_sme_has_is_written_in_full_and_said_to_be_new(tracker: Path) -> None:
    tracker = build(tracker, KNOWN)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Sam  Lead")
    assert res.exit_code == 0, res.output
    assert smes(tracker)[2] == "Sam Lead"
    assert "Sam Lead is new" in res.stderr
    assert "Dana Whitfield" in res.stderr  # the SMEs there are, for a name mistyped


def test_a_part_and_the_full_name_of_one_sme_are_the_same_sme_twice(tracker: Path) -> None:
    tracker = build(tracker, KNOWN)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Dana W", "--sme", "Dana Whitfield")
    assert res.exit_code == ExitCode.USAGE
    assert "The same TBT SME is given twice" in res.stderr


def test_one_sme_given_twice_quotes_each_name_as_typed(tracker: Path) -> None:
    """A name with a comma ("Whitfield, Dana") is one name: each is quoted, not joined
    with commas into what reads as three names."""
    tracker = build(tracker, KNOWN)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Dana W", "--sme", "Whitfield, Dana")
    assert res.exit_code == ExitCode.USAGE
    assert (
        "The same TBT SME is given twice: 'Dana W' and 'Whitfield, Dana' both name Dana "
        "Whitfield." in res.stderr
    )


# ------------------------------------------------------------------------------ pure

SME_NAMES = ["Priya Natarajan", "Tom Alvarez", "Marcus Bell"]


@given(
    current=st.lists(st.sampled_from([None, "", *SME_NAMES, "tom alvarez"]), max_size=30),
    count=st.integers(min_value=1, max_value=2),
)
def test_split_is_even_stable_and_idempotent(current: list[str | None], count: int) -> None:
    chosen = SME_NAMES[:count]
    out = split_evenly(current, chosen)
    assert len(out) == len(current) and set(out) <= set(chosen)
    loads = [out.count(s) for s in chosen]
    assert max(loads, default=0) - min(loads, default=0) <= 1
    assert split_evenly(out, chosen) == out
    # An agent keeps an SME they already had unless that SME had more than their share.
    share = -(-len(current) // count)
    for sme in chosen:
        had = [i for i, c in enumerate(current) if c and c.casefold() == sme.casefold()]
        kept = [i for i in had if out[i] == sme]
        assert len(kept) == min(len(had), share)


def test_a_new_sme_is_said_with_every_known_sme_those_named_too(tracker: Path) -> None:
    """Every known TBT SME is listed beside a new name, those the command names too: the
    list is there to show a slip of one of them, never "none yet" when there are some."""
    tracker = build(tracker, KNOWN)
    res = esp(tracker, "sme", "assign", "AET-1", "--sme", "Sam Lead", "--sme", "Dana Whitfield")
    assert res.exit_code == 0, res.output
    said = next(line for line in res.stderr.splitlines() if "Sam Lead is new" in line)
    listed = said.split("(TBT SMEs: ", 1)[1].split(")", 1)[0]
    assert listed == "Dana Whitfield, Zoë Núñez, Dana Ortiz, Keisha Grant"

"""One rule for a person's name typed on the command line: an agent (every command that
takes one, `esp undo --agent` too), a TBT SME (`--sme` on the commands that list agents, and
of `esp sme assign`), a signer (`esp history --by`, in tests/test_history.py), the name a
quote hint takes from words typed without quotes, and what Tab offers: the same words pick
the same person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.cli.complete import name_at_start, offered
from esp_cli.core.names import MIN_PARTIAL, name_key, names_meant
from esp_cli.errors import ExitCode, UsageError
from esp_cli.services.agents import AgentLookupError, agents_of_sme, pick_agent
from esp_cli.services.smes import named_smes
from esp_cli.workbook.tracker import Row, read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests import factories
from tests.support.paths import SAMPLE_DATA


def agent_rows(names: list[str]) -> list[Row]:
    return [
        Row("S", i + 2, "AET-1", {"agent_name": n}, {"agent_name": n}) for i, n in enumerate(names)
    ]


def as_agent(names: list[str], query: str) -> list[str]:
    """The agents `query` names (esp explain, record-step, note add...): one, or the
    candidates of an ambiguous query; [] for none."""
    try:
        return [pick_agent(agent_rows(names), query, "ESP Tracker.xlsx").name]
    except AgentLookupError as exc:
        return [r.name for r in exc.candidates] if exc.ambiguous else []


def as_sme(names: list[str], query: str) -> list[str]:
    """The TBT SMEs `query` names as --sme of esp escalations, round, report...: one, the
    SMEs an ambiguous name matches, or [] for none."""
    rows = [
        Row("S", i + 2, "AET-1", {"tbt_sme": n}, {"agent_name": f"Agent {i}"})
        for i, n in enumerate(names)
    ]
    try:
        return [agents_of_sme(rows, query, "ESP Tracker.xlsx")[1]]
    except UsageError as exc:
        if " matches " not in exc.message:
            return []
        listed = exc.message.split("(TBT SMEs: ", 1)[1].rstrip(").")
        return [n for n in names if n in listed.split(", ")]


def as_assigned_sme(names: list[str], query: str) -> list[str]:
    """The known SMEs `query` names as esp sme assign --sme: one, the SMEs an ambiguous
    name matches, or [] for a new SME."""
    try:
        smes, new = named_smes([query], names)
    except UsageError as exc:
        listed = exc.message.split(" (", 1)[1].rstrip(").")
        return [n for n in names if n in listed.split(", ")]
    return [] if new else list(smes)


# (names, typed, the people it names: one, several (asked which), or nobody)
CASES = [
    # exactly: any order, case, apostrophe or dash
    (["Dana Whitfield", "Dana Ortiz"], "whitfield, dana", ["Dana Whitfield"]),
    (["Dana Whitfield", "Dana Ortiz"], "Ortiz Dana", ["Dana Ortiz"]),
    (["Brian O'Connor", "Mary-Jane Lee"], "oconnor brian", ["Brian O'Connor"]),
    (["Brian O'Connor", "Mary-Jane Lee"], "mary jane lee", ["Mary-Jane Lee"]),
    # by the start of words: a first name, a last name, prefixes
    (["Keisha Grant", "Kim Green"], "Keisha", ["Keisha Grant"]),
    (["Keisha Grant", "Kim Green"], "grant", ["Keisha Grant"]),
    (["Keisha Grant", "Kim Green"], "ke gr", ["Keisha Grant"]),
    (["Dana Whitfield", "Dana Ortiz"], "dan wh", ["Dana Whitfield"]),
    (["Brian O'Connor", "Mary-Jane Lee"], "O’Con", ["Brian O'Connor"]),
    (["Brian O'Connor", "Mary-Jane Lee"], "jane", ["Mary-Jane Lee"]),
    (["Sam Sam", "Sam Lee"], "sa sa", ["Sam Sam"]),  # each word a different word
    # a prefix two people share: both, and the command asks which
    (["Dana Whitfield", "Dana Ortiz"], "Dana", ["Dana Whitfield", "Dana Ortiz"]),
    (["Ana Lee", "Ana Leeds"], "ana le", ["Ana Lee", "Ana Leeds"]),
    # the whole name before any name it starts
    (["Ana Lee", "Ana Leeds"], "Lee Ana", ["Ana Lee"]),
    # one letter is too little to go on
    (["Keisha Grant", "Tom Alvarez"], "k", []),
    (["Keisha Grant", "Kim Green"], "k", []),
    (["Æsa Berg", "Ann Lee"], "æ", []),
    # typed without accents (a US keyboard): the accents set aside on both sides
    (["Zoë Núñez", "Ann Lee"], "Zoe Nunez", ["Zoë Núñez"]),
    (["Zoë Núñez", "Ann Lee"], "Nunez, Zoe", ["Zoë Núñez"]),
    (["Zoë Núñez", "Ann Lee"], "zoe", ["Zoë Núñez"]),
    (["Łukasz Wróbel", "Ann Lee"], "Lukasz Wrobel", ["Łukasz Wróbel"]),
    (["Łukasz Wróbel", "Ann Lee"], "wro", ["Łukasz Wróbel"]),
    (["Æsa Berg", "Ann Lee"], "Aesa", ["Æsa Berg"]),
    # ... the whole name so before the start of another's ...
    (["René Martin", "Rene Martinez"], "Rene Martin", ["René Martin"]),
    (["José Ortega", "Jose Ortiz"], "Jose Ortega", ["José Ortega"]),
    # ... and a start typed plain fits the accented name too: asked which
    (["René Martin", "Rene Martinez"], "Rene", ["Rene Martinez", "René Martin"]),
    (["José Ortega", "Jose Ortiz"], "Jose", ["Jose Ortiz", "José Ortega"]),
    # typed with its accent, only the accented name
    (["José Ortega", "Jose Ortiz"], "José", ["José Ortega"]),
    # nobody
    (["Dana Whitfield", "Dana Ortiz"], "Sam Lead", []),
    (["Dana Whitfield", "Dana Ortiz"], "-", []),
]
IDS = [f"{typed}|{'/'.join(names)}" for names, typed, _ in CASES]


@pytest.mark.parametrize(("names", "typed", "meant"), CASES, ids=IDS)
def test_an_agent_is_named_by_the_one_rule(names: list[str], typed: str, meant: list[str]) -> None:
    assert names_meant(names, typed) == meant
    assert as_agent(names, typed) == meant


@pytest.mark.parametrize(("names", "typed", "meant"), CASES, ids=IDS)
def test_a_tbt_sme_is_named_by_the_one_rule(names: list[str], typed: str, meant: list[str]) -> None:
    """--sme of the commands that list agents, and of esp sme assign."""
    assert sorted(as_sme(names, typed)) == sorted(meant)
    assert sorted(as_assigned_sme(names, typed)) == sorted(meant)


@pytest.mark.parametrize(("names", "typed", "meant"), CASES, ids=IDS)
def test_a_name_typed_without_quotes_ends_where_the_one_rule_says(
    names: list[str], typed: str, meant: list[str]
) -> None:
    """The quote hint takes as the name the words the command would take for one."""
    words = typed.split()
    assert name_at_start([*words, "Called,", "no", "answer"], names) == (len(words) if meant else 0)


@pytest.mark.parametrize(("names", "typed", "meant"), CASES, ids=IDS)
def test_tab_offers_whom_the_command_would_take_the_name_for(
    names: list[str], typed: str, meant: list[str]
) -> None:
    assert set(meant) <= set(offered(names, typed))


def test_tab_offers_every_name_that_starts_with_what_is_typed() -> None:
    """Too little typed to name anyone, or a whole name that also starts a longer one: the
    names it starts are offered as well (one letter, nothing at all)."""
    names = ["Kayla Brooks", "Keisha Grant", "Ana Lee", "Ana Leeds"]
    assert offered(names, "K") == ["Kayla Brooks", "Keisha Grant"]
    assert offered(names, "") == names
    assert offered(names, "Ana Lee") == ["Ana Lee", "Ana Leeds"]
    assert offered(names, "brooks") == ["Kayla Brooks"]


def test_every_name_tab_offers_is_the_agent_the_command_then_finds() -> None:
    """The sample tracker: every start of every agent's name, Tab, and the name it offers
    given to the command finds the agent of that name."""
    table = read_table(Workbook.open(SAMPLE_DATA / "ESP Tracker.xlsx"), keys=("agent_name",))
    rows = list(table.rows())
    names = [r.name for r in rows]
    for name in names:
        for end in range(1, len(name) + 1):
            for shown in offered(names, name[:end]):
                assert pick_agent(rows, shown, "ESP Tracker.xlsx").name == shown, name[:end]


@given(
    st.lists(st.sampled_from(["Zoë", "Zoe", "Núñez", "Nunez", "Ana", "Anabel", "Lee", "O'Lee"]),
             min_size=1, max_size=3),
    st.lists(st.sampled_from(["zoe", "zo", "nu", "ana", "an", "lee", "z", "olee", "núñez"]),
             min_size=1, max_size=2),
)  # fmt: skip
def test_the_agent_and_the_sme_rules_agree_on_any_names(words: list[str], typed: list[str]) -> None:
    names = ["Ana Lee", " ".join(words), "Zoe Ruiz"]
    names = list({name_key(n): n for n in names}.values())  # one spelling of each
    query = " ".join(typed)
    meant = names_meant(names, query)
    assert as_agent(names, query) == meant
    assert sorted(as_sme(names, query)) == sorted(meant)
    if meant:
        assert max(map(len, name_key(query).split())) >= MIN_PARTIAL or any(
            name_key(n) == name_key(query) for n in meant
        )


# -- the same, through the commands ------------------------------------------------------------


def test_an_sme_typed_without_accents_is_that_sme_on_every_command(tmp_path: Path) -> None:
    path = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "A", "Agent Name": "Ann Lee", "TBT SME": "Zoë Núñez"},
            {"Class": "A", "Agent Name": "Bob Ray", "TBT SME": "Rene Martinez"},
            {"Class": "A", "Agent Name": "Cy Fox", "TBT SME": "René Martin"},
        ],
        headers=(*factories.TRACKER_HEADERS, *factories.headers("tbt_sme")),
    )

    def missing(sme: str) -> Any:
        args = ["progress", "missing", "--sme", sme, "-f", "json", "-t", str(path)]
        return CliRunner().invoke(app, args)

    for typed, sme in (
        ("Zoe Nunez", "Zoë Núñez"),
        ("zoe", "Zoë Núñez"),
        ("Rene Martin", "René Martin"),
    ):
        got = missing(typed)
        assert got.exit_code == 0, got.output
        assert json.loads(got.stdout)["tbt_sme"] == sme
    got = missing("Rene")
    assert got.exit_code == ExitCode.USAGE
    assert "'Rene' matches 2 TBT SMEs" in got.stderr
    assert "(TBT SMEs: Rene Martinez, René Martin)" in got.stderr

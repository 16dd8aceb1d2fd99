"""Choosing one agent from what a person types, and a tracker row as the rules' facts."""

from __future__ import annotations

import shlex
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.config import Config
from esp_cli.core.calendar import COMPANY_DAY_OFF, BusinessCalendar, RememberingCalendar
from esp_cli.core.columns import BY_KEY, Kind
from esp_cli.core.names import display_name
from esp_cli.core.rules import AgentFacts
from esp_cli.core.values import is_blank, text_of
from esp_cli.errors import AgentNotFoundError, ConfigError, ExitCode, UsageError
from esp_cli.services.agents import AgentLookupError, agent_words, agents_in_class, find_agent
from esp_cli.services.facts import (
    FACT_KEYS,
    calendar_config,
    calendar_from,
    facts_from_row,
)
from esp_cli.workbook.tracker import Table, parse_cell, read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests import factories

from .factories import make_workbook

HEADERS = list(
    factories.headers(
        "agent_name",
        "agent_id",
        "email",
        "n_number",
        "esp_start",
        "tbts_complete",
    )
)


@pytest.fixture
def table(tmp_path: Path) -> Table:
    """One sheet per class (no Class column): the sheet name is the class."""
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {
            "AET-1": [
                HEADERS,
                ["Devon Price", "E100", "devon.price@x.com", "N100100", date(2026, 11, 20), "No"],
                ["Lee, Sam", "E101", "sam.lee@x.com", "N100101", "11/31/2026", "maybe"],
                ["Ana Ruiz", "E102", "ana@x.com", None, None, None],
            ],
            "AET-2": [
                HEADERS,
                ["Sam Lee", "E201", "sam.lee2@x.com", "N200201", date(2026, 11, 23), "Yes"],
                ["Dana Price", "E202", "dana@x.com", "N200202", None, None],
            ],
        },
    )
    return read_table(Workbook.open(path))


@pytest.mark.parametrize(
    "query",
    [
        "Devon Price",
        "price, devon",
        "  PRICE ,  Devon ",
        "devon   price",
        "Price Devon",
        " e100 ",
        "N100100",
        "Devon.Price@X.com",
        "mailto:devon.price@x.com",
    ],
)
def test_one_agent_by_name_in_either_order_id_n_number_or_email(table: Table, query: str) -> None:
    row = find_agent(table, query)
    assert (row.sheet, row.row, row.name) == ("AET-1", 2, "Devon Price")


@pytest.mark.parametrize("query", ["Zoe Nunez", "zoe", "Núñez, Zoe", "Zoë Nunez", "nun"])
def test_a_name_typed_without_its_accents_finds_the_agent(tmp_path: Path, query: str) -> None:
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {"AET-1": [HEADERS, ["Zoë Núñez", "E1", "z@x.com", None, None, None], ["Ann Lee", "E2"]]},
    )
    assert find_agent(read_table(Workbook.open(path)), query).name == "Zoë Núñez"


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Łukasz Wróbel", "Lukasz Wrobel"),
        ("Søren Kierkegaard", "Soren Kierkegaard"),
        ("Đorđe Petrović", "Dorde Petrovic"),
        ("Ayşe Yılmaz", "Ayse Yilmaz"),
        ("Ærin Baek", "Aerin Baek"),
    ],
)
def test_letters_with_their_mark_built_in_are_found_typed_plain(
    tmp_path: Path, name: str, typed: str
) -> None:
    path = make_workbook(
        tmp_path / "ESP.xlsx", {"AET-1": [HEADERS, [name, "E1"], ["Ann Lee", "E2"]]}
    )
    assert find_agent(read_table(Workbook.open(path)), typed).name == name


def test_a_name_typed_without_its_accent_is_that_agent_before_any_by_prefix(
    tmp_path: Path,
) -> None:
    """René Martin typed "Rene Martin" is René Martin, not Rene Martinez (whose name the
    words start); "Angel Zapata" is Ángel Zapata, not also Ángel Zapatas."""
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {
            "AET-1": [
                HEADERS,
                ["René Martin", "E1"],
                ["Rene Martinez", "E2"],
                ["Ángel Zapata", "E3"],
                ["Ángel Zapatas", "E4"],
            ]
        },
    )
    table = read_table(Workbook.open(path))
    assert find_agent(table, "Rene Martin").text("agent_id") == "E1"
    assert find_agent(table, "Angel Zapata").text("agent_id") == "E3"
    assert find_agent(table, "Zapatas, Angel").text("agent_id") == "E4"


def test_a_start_of_a_name_that_fits_an_accented_name_too_is_asked(tmp_path: Path) -> None:
    """ "Jose" typed on a US keyboard fits José Garcia as well as Jose Garcia-Lopez: asked."""
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {"AET-1": [HEADERS, ["José Garcia", "E1"], ["Jose Garcia-Lopez", "E2"], ["Ann Lee", "E3"]]},
    )
    table = read_table(Workbook.open(path))
    with pytest.raises(AgentNotFoundError) as caught:
        find_agent(table, "Jose")
    err = caught.value
    assert isinstance(err, AgentLookupError) and err.ambiguous
    assert {r.text("agent_id") for r in err.candidates} == {"E1", "E2"}
    assert find_agent(table, "José").text("agent_id") == "E1"  # as typed, only one


def test_two_names_told_apart_by_an_accent_stay_apart(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {"AET-1": [HEADERS, ["José Ruiz", "E1"], ["Jose Ruiz", "E2"], ["Renée Ng", "E3"]]},
    )
    table = read_table(Workbook.open(path))
    assert find_agent(table, "Jose Ruiz").text("agent_id") == "E2"
    assert find_agent(table, "José Ruiz").text("agent_id") == "E1"
    with pytest.raises(AgentNotFoundError) as caught:
        find_agent(table, "Renee Ng, Jose")
    assert not getattr(caught.value, "ambiguous", True)
    assert find_agent(table, "renee").text("agent_id") == "E3"


def test_an_ambiguous_name_lists_every_match_with_sheet_row_and_class(table: Table) -> None:
    with pytest.raises(AgentNotFoundError) as caught:
        find_agent(table, "sam lee")
    err = caught.value
    assert isinstance(err, AgentLookupError) and err.ambiguous
    assert [(r.sheet, r.row) for r in err.candidates] == [("AET-1", 3), ("AET-2", 2)]
    text = str(err)
    assert "'sam lee' matches 2 agents in ESP.xlsx:" in text
    assert "Sam Lee — class AET-1, AET-1!row 3 (ID E101" in text
    assert "Sam Lee — class AET-2, AET-2!row 2 (ID E201" in text
    assert text.endswith("Fix: give the Agent ID, N Number or e-mail instead (or --class).")
    assert err.exit_code is ExitCode.BAD_INPUT


def test_the_class_narrows_an_ambiguous_name(table: Table) -> None:
    assert find_agent(table, "Sam Lee", cls="aet-2").row == 2
    with pytest.raises(UsageError, match=r"No class 'AET-9' in ESP.xlsx \(classes: AET-1, AET-2\)"):
        find_agent(table, "Sam Lee", cls="AET-9")


def test_an_unknown_name_suggests_the_closest_never_picks_one(table: Table) -> None:
    with pytest.raises(AgentLookupError) as caught:
        find_agent(table, "Devn Prce")
    assert not caught.value.ambiguous
    assert [r.name for r in caught.value.candidates][0] == "Devon Price"
    assert "No agent matches 'Devn Prce' exactly in ESP.xlsx. Closest:" in str(caught.value)
    # Part of a name shared by several agents lists them all; esp never picks one.
    with pytest.raises(AgentLookupError) as partial:
        find_agent(table, "price")
    assert partial.value.ambiguous
    assert {r.name for r in partial.value.candidates} == {"Devon Price", "Dana Price"}
    assert "'price' matches 2 agents in ESP.xlsx:" in str(partial.value)
    with pytest.raises(AgentLookupError) as nothing:
        find_agent(table, "Zzyzx Qwerty")
    assert nothing.value.candidates == ()
    assert "nor any name like it" in str(nothing.value)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Devon", "Devon Price"),  # a first name only one agent has
        ("ruiz", "Ana Ruiz"),  # a last name
        ("Dev", "Devon Price"),  # the start of a name
        ("pr dev", "Devon Price"),  # the start of each word, in any order
        ("Dana P", "Dana Price"),
        ("an", "Ana Ruiz"),  # "Dana" has "an" inside, not at the start
    ],
)
def test_a_unique_part_of_a_name_is_enough(table: Table, query: str, name: str) -> None:
    assert find_agent(table, query).name == name


@pytest.mark.parametrize("query", ["Sam", "pri", "d"])
def test_a_shared_or_too_short_part_is_not(table: Table, query: str) -> None:
    with pytest.raises(AgentLookupError):
        find_agent(table, query)


def test_a_partial_name_within_a_class(table: Table) -> None:
    assert find_agent(table, "Sam", cls="AET-2").sheet == "AET-2"
    assert find_agent(table, "price", cls="AET-2").name == "Dana Price"


def test_agents_in_class_ignores_case_and_spacing(table: Table) -> None:
    assert [r.name for r in agents_in_class(table, "  aet-2 ")] == ["Sam Lee", "Dana Price"]
    assert len(agents_in_class(table, None)) == 5


# -- facts ------------------------------------------------------------------------------------


def test_every_fact_is_a_tracker_column() -> None:
    assert set(FACT_KEYS) <= set(BY_KEY)
    assert set(AgentFacts._fields) == {*FACT_KEYS, "unreadable", "uncalculated"}
    # facts_from_row makes the tuple in this order, `unreadable` and `uncalculated` last.
    assert AgentFacts._fields == (*FACT_KEYS, "unreadable", "uncalculated")


def test_facts_from_a_row_with_unreadable_cells(table: Table) -> None:
    devon = facts_from_row(find_agent(table, "E100"))
    assert devon == AgentFacts(esp_start=date(2026, 11, 20), tbts_complete=False)
    sam = facts_from_row(find_agent(table, "E101"))
    assert sam.esp_start is None and sam.tbts_complete is None
    assert sam.unreadable == ("esp_start", "tbts_complete")


def test_calendar_from_config() -> None:
    cal = calendar_from(
        Config(
            extra_days_off=(date(2026, 12, 24),),
            working_holidays=(date(2026, 11, 11),),
        )
    )
    assert not cal.is_business_day(date(2026, 12, 24))
    assert cal.holidays_between(date(2026, 12, 24), date(2026, 12, 24)) == [
        (date(2026, 12, 24), COMPANY_DAY_OFF)
    ]
    assert cal.is_business_day(date(2026, 11, 11))  # Veterans Day, worked
    assert not cal.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert calendar_from(Config(country="CA", subdivision="on")).is_business_day(date(2026, 11, 26))
    assert not calendar_from(Config(country="CA")).is_business_day(date(2026, 7, 1))


def test_calendar_from_an_unknown_country_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        calendar_from(Config(country="XX"))
    assert caught.value.exit_code is ExitCode.USAGE
    assert "[calendar]" in str(caught.value)


def test_facts_carry_date_times_numbers_and_text(tmp_path: Path) -> None:
    headers = list(
        factories.headers(
            "agent_name",
            "call_cert_start",
            "tbt_hours",
            "incident_number",
            "citrix_access",
            "searched_course",
        )
    )
    path = make_workbook(
        tmp_path / "t.xlsx",
        {
            "AET-1": [
                headers,
                ["Ana Ruiz", datetime(2026, 11, 23, 9, 30), "8:30", 4821, " password reset", "Y"],
            ]
        },
    )
    row = next(read_table(Workbook.open(path)).rows())
    facts = facts_from_row(row)
    assert facts.tbt_hours == 8.5 and facts.incident_number == "4821"
    assert facts.citrix_access == "password reset" and facts.searched_course is True
    assert facts.call_cert_start is not None and facts.call_cert_start.date() == date(2026, 11, 23)


def test_the_remembering_calendar_gives_the_plain_calendars_answers() -> None:
    config = Config(extra_days_off=(date(2026, 12, 24),))
    memo, plain = calendar_from(config), BusinessCalendar(calendar_config(config))
    assert isinstance(memo, RememberingCalendar)
    days = [date(2026, 11, 1) + timedelta(days=k) for k in range(0, 90, 3)]
    for _ in range(2):  # the second round comes from memory
        for day in days:
            for n in (0, 1, 2, 3, 10):
                assert memo.clock_day(day, n) == plain.clock_day(day, n)
                assert memo.add(day, n) == plain.add(day, n)
            assert memo.next_business_day(day) == plain.next_business_day(day)
            for other in days[::5]:
                assert memo.elapsed(day, other) == plain.elapsed(day, other)


# Every kind of space str.split() splits on, and characters near them.
_SPACES = " \t\n\r\xa0\u2003\u3000\x1f\x85\u2028\ufeffaZ9-'.éß"


@given(st.text(alphabet=st.sampled_from(_SPACES), max_size=12))
def test_a_text_cell_is_tidied_as_its_words_joined_by_one_space(text: str) -> None:
    """A text cell reads as its words joined by one space (a multi-line one only trimmed),
    and an all-space one as empty — however few cells need it, with any whitespace."""
    tidied = " ".join(text.split()) if "\n" not in text else text.strip()
    assert parse_cell(Kind.TEXT, text, False) == (tidied or None)


@given(st.text(alphabet=st.sampled_from(_SPACES + ","), max_size=12))
def test_a_name_cell_reads_as_its_display_name_with_any_spaces_and_commas(text: str) -> None:
    """A name reads as display_name of its text ('Price,  Devon ' -> 'Devon Price'), an
    all-space one as empty; the names typed plainly, nearly all, are taken as they are."""
    expected = None if is_blank(text) else display_name(text_of(text))
    assert parse_cell(Kind.NAME, text, False) == expected


def test_an_ambiguous_match_suggests_only_what_tells_the_rows_apart(tmp_path: Path) -> None:
    """The fix names what differs between the rows: not the Agent ID just typed when both rows
    hold it; rows alike in every way (a re-hire's new row beside the old) are one agent twice,
    and the fix says how to keep one row per agent."""
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {
            "AET-1": [
                HEADERS,
                ["Rita Moreno", "E10", "rita@x.com", None, date(2026, 6, 1), "Yes"],
                ["Rita Moreno", "E10", "rita@x.com", None, date(2026, 11, 30), "No"],
                ["Kim Ho", "E20", "kim@x.com", "N1", date(2026, 11, 30), "No"],
                ["Kim Ho", "E20", "kim.ho@x.com", "N2", date(2026, 11, 30), "No"],
            ],
            "AET-2": [HEADERS, ["Rita Moreno", "E10", "rita@x.com", None, None, None]],
        },
    )
    table = read_table(Workbook.open(path))
    with pytest.raises(AgentLookupError) as twice:
        find_agent(table, "E10", cls="AET-1")
    assert "one agent twice" in twice.value.fix and "Agent ID" not in twice.value.fix.split(":")[0]
    with pytest.raises(AgentLookupError) as classes:
        find_agent(table, "E10")
    assert classes.value.fix == "give --class CLASS as well."
    with pytest.raises(AgentLookupError) as by_email:
        find_agent(table, "E20")
    assert by_email.value.fix == "give the N Number or e-mail instead."


def test_one_agent_twice_without_an_agent_id_is_told_to_get_one(tmp_path: Path) -> None:
    """Marking an Agent ID the rows do not have changes nothing: the fix asks for one."""
    path = make_workbook(
        tmp_path / "ESP.xlsx",
        {
            "AET-1": [
                HEADERS,
                ["Xan Yu", None, None, None, date(2026, 11, 30), "No"],
                ["Xan Yu", None, None, None, date(2026, 12, 1), "No"],
            ]
        },
    )
    with pytest.raises(AgentLookupError) as caught:
        find_agent(read_table(Workbook.open(path)), "Xan Yu")
    fix = caught.value.fix
    assert "give the new row an Agent ID of its own and type that" in fix
    assert "mark its Agent ID" not in fix


# -- the agent in a command to run later ------------------------------------------------------


def each_row_found_by_its_words(table: Table) -> None:
    """The words esp names each agent with in a command to run later (as a shell splits
    them) find that agent's row with find_agent, and only it."""
    for row in table.rows():
        words = shlex.split(agent_words(table, row) or "")
        cls = words[2] if len(words) == 3 and words[1] == "--class" else None
        assert len(words) == (1 if cls is None else 3), words
        found = find_agent(table, words[0], cls)
        assert (found.sheet, found.row) == (row.sheet, row.row), words


_NAMES = ["Ana Lopez", "Ana Lopez", "Kim O'Neil", "Sam $Lee", "Bo Chen"]


@settings(max_examples=40, deadline=None)
@given(
    agents=st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.sampled_from([None, None, "E1", "E2"]),
            st.sampled_from([None, None, "a@x.com", "b@x.com"]),
            st.sampled_from(["AET-1", "AET-2"]),
        ),
        min_size=1,
        max_size=7,
    ),
    one_sheet=st.booleans(),
)
def test_the_words_for_an_agent_name_that_agent_only(
    agents: list[tuple[str, str | None, str | None, str]], one_sheet: bool
) -> None:
    """Namesakes, shared IDs and e-mails, whole rows alike: the agent esp names in a command
    to run later (record-step, note add, history) is found by find_agent as that row only."""
    keys = ("class", "agent_name", "agent_id", "email") if one_sheet else HEADERS[:3]
    header = list(factories.headers(*keys)) if one_sheet else list(keys)
    if one_sheet:
        sheets = {"ESP Tracker": [header, *[[c, n, i, e] for n, i, e, c in agents]]}
    else:
        sheets = {
            cls: [header, *[[n, i, e] for n, i, e, c in agents if c == cls]]
            for cls in ("AET-1", "AET-2")
        }
    with tempfile.TemporaryDirectory() as folder:
        table = read_table(Workbook.open(make_workbook(Path(folder) / "ESP.xlsx", sheets)))
        each_row_found_by_its_words(table)


def test_a_name_with_parentheses_is_found_with_its_sheet_and_row(tmp_path: Path) -> None:
    """A nickname in parentheses, then the sheet and row: the row form esp prints for a
    namesake ('Maria (Mia) Soto (Wk 1!row 3)') finds that row."""
    header = list(factories.headers("class", "agent_name", "esp_start"))
    rows = [["AET-1", "Bo Chen", date(2026, 11, 18)], ["AET-1", "Maria (Mia) Soto", None]]
    path = make_workbook(tmp_path / "ESP.xlsx", {"Wk 1": [header, *rows], "Wk 2": [header, *rows]})
    table = read_table(Workbook.open(path))
    for sheet in ("Wk 1", "Wk 2"):
        found = find_agent(table, f"Maria (Mia) Soto ({sheet}!row 3)")
        assert (found.sheet, found.row) == (sheet, 3)
        assert shlex.split(agent_words(table, found)) == [f"Maria (Mia) Soto ({sheet}!row 3)"]


# Names and sheet names as a tracker may hold them: parentheses (a nickname), "!", quotes,
# "row" and digits, spaces; a sheet name as Excel allows it (no : \ / ? * [ ], no ' at
# either end, 31 characters at most).
_NAME_PARTS = ["Ana", "Lopez", "(Mia)", "O'Neil", "Row", "row 2", "(row 3)", "!", "Sam!", '"Jo"',
               "(Wk 1!row 2)", "$x", "José", "-", "(", ")"]  # fmt: skip
_SHEET_PARTS = ["Wk", "1", "(2)", "!", "it's", "row 3", " ", "AET-1", '"', "$"]


@st.composite
def _sheet_names(draw: st.DrawFn) -> str:
    name = "".join(draw(st.lists(st.sampled_from(_SHEET_PARTS), min_size=1, max_size=4)))
    name = name.strip("'").strip()[:31].strip()
    return name or "Sheet"


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(
        st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=4).map(" ".join),
        min_size=1,
        max_size=3,
    ),
    sheets=st.lists(_sheet_names(), min_size=1, max_size=3, unique_by=str.casefold),
)
def test_the_row_form_esp_prints_finds_that_row_for_any_name(
    names: list[str], sheets: list[str]
) -> None:
    """Whatever the names and sheet names (parentheses, '!', quotes, "row" in them), every
    agent esp names in a command to run later is found by find_agent as that row only: each
    name on every sheet, twice (namesakes on one sheet and across sheets)."""
    header = list(factories.headers("class", "agent_name"))
    body = [["AET-1", n] for n in names for _ in range(2)]
    with tempfile.TemporaryDirectory() as folder:
        path = make_workbook(Path(folder) / "ESP.xlsx", {s: [header, *body] for s in sheets})
        table = read_table(Workbook.open(path))
        each_row_found_by_its_words(table)


def test_an_agent_nothing_typed_finds_alone_is_never_named_by_a_query_that_fails(
    tmp_path: Path,
) -> None:
    """Two Ana of one sheet, and Agent IDs spelling their row forms: no words find row 2's
    Ana alone, so none are printed: the command says what to do instead."""
    from esp_cli.services.agents import command_for

    header = list(factories.headers("class", "agent_name", "agent_id"))
    body = [["AET-1", "Ana", None], ["AET-1", "Ana", None], ["AET-1", "Bo", "Ana (row 2)"],
            ["AET-1", "Cy", "Ana (S!row 2)"]]  # fmt: skip
    table = read_table(Workbook.open(make_workbook(tmp_path / "ESP.xlsx", {"S": [header, *body]})))
    ana = next(table.rows())
    assert agent_words(table, ana) is None
    said = command_for(table, ana, "esp history")
    assert said.startswith("esp history AGENT, AGENT being the Agent ID of S!row 2")
    assert agent_words(table, list(table.rows())[1]) == '"Ana (row 3)"'

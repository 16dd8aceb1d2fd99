"""What says a row of an agent sheet holds no agent: a formula that shows a count of other
rows, a totals label, the header's own texts (core.formulas, core.nonagents)."""

from __future__ import annotations

from typing import Any

import pytest

from esp_cli.core.columns import alias_table
from esp_cli.core.formulas import is_a_count, shifted
from esp_cli.core.nonagents import (
    HeaderText,
    counting_row,
    is_totals_label,
    odd_texts,
    repeats_header,
)


@pytest.mark.parametrize(
    ("formula", "row"),
    [
        ("COUNTA(B5:B78)", 80),
        ('COUNTIF(L5:L78,"Yes")', 80),
        ('COUNTIFS($L$5:$L$78,"Yes",$O$5:$O$78,"Yes")', 79),
        ("SUBTOTAL(103,B5:B78)", 80),
        ("_xlfn.AGGREGATE(3,5,B5:B78)", 80),
        ('"Total: "&COUNTA(B5:B78)', 80),
        ('COUNTA(B5:B78)&" agents"', 80),
        ("SUBTOTAL(103,Agents[Agent Name])", 80),
        ("SUM(N5:N78)", 2),  # a total above the agents
        ("COUNTA(5:78)", 80),
    ],
)
def test_a_count_of_other_rows(formula: str, row: int) -> None:
    assert is_a_count(formula, row)


@pytest.mark.parametrize(
    ("formula", "row"),
    [
        ("COUNTA($B$5:B9)", 9),  # a running count holds its own row
        ("MAX(A$4:A78)+1", 79),  # the next number down the column
        ('IF(COUNTIF(B$4:B9,C10)>1,C10&" (2)",C10)', 10),  # tests a count, shows a name
        ("COUNTA(Roster!B5:B78)", 80),  # another sheet's rows
        ("COUNTA('Roster 2026'!B5:B78)", 80),
        ("COUNTA(B:B)-1", 80),
        ("SUM(B80:F80)", 80),  # one row: the row's own cells
        ("SUBTOTAL(103,Agents[@Agent Name])", 80),
        ("TRIM(C5)", 5),
        ('PROPER(C5)&" "&PROPER(D5)', 5),
        ("VLOOKUP(C5,Roster!A:B,2,0)", 5),
        ("ROW()-4", 9),
        ('"Total: "&C5', 80),
        ("", 5),
    ],
)
def test_no_count_of_other_rows(formula: str, row: int) -> None:
    assert not is_a_count(formula, row)


@pytest.mark.parametrize(
    ("formula", "rows", "cols", "moved"),
    [
        ('COUNTIF(L5:L78,"Yes")', 0, 3, 'COUNTIF(O5:O78,"Yes")'),
        ("SUM($A5:A$9)+A:A", 2, 1, "SUM($A7:B$9)+B:B"),
        ('"L5"&L5', 1, 0, '"L5"&L6'),  # text in quotes is kept
        ("SUM(5:78)", 1, 0, "SUM(6:79)"),
        ("A1", -1, 0, "#REF!"),
        ("Roster!A1", 1, 1, "Roster!B2"),
    ],
)
def test_a_shared_formula_moved_to_another_cell(
    formula: str, rows: int, cols: int, moved: str
) -> None:
    assert shifted(formula, rows, cols) == moved


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Total", True),
        ("TOTALS:", True),
        ("Grand Total", True),
        ("Sub-total", True),
        ("  total: 72 ", True),
        ("Count", True),
        ("Count Basie", False),
        ("Total Care 1102", False),
        ("Sumner", False),
        ("", False),
        (72, False),
    ],
)
def test_a_totals_label_is_the_whole_cell(text: Any, label: bool) -> None:
    assert is_totals_label(text) is label


def test_the_odd_texts_of_a_column_are_found_among_many() -> None:
    names = [f"Agent {i}" for i in range(2000)]
    header = HeaderText.of(n for n, k in alias_table().items() if k == "agent_name")
    assert odd_texts(names, header) == set()
    assert odd_texts([*names, "Agent  name", "TOTAL:"], header) == {"Agent  name", "TOTAL:"}
    assert odd_texts([*names, "74 agents"], None, numbers=True) == {"74 agents"}
    assert odd_texts([*names, "74 agents"], None) == set()


def test_a_row_repeats_the_header_when_its_own_cells_read_as_their_headers() -> None:
    table = alias_table()
    assert repeats_header({"class": "Class", "agent_name": "Agent Name"}, table)
    assert repeats_header({"class": "Wave", "agent_name": "Employee Name", "email": None}, table)
    assert not repeats_header({"class": "AET-1102", "agent_name": "Agent Name"}, table)
    assert not repeats_header({"agent_name": "Devon Price", "email": "Email"}, table)
    assert not repeats_header({}, table)


@pytest.mark.parametrize(
    ("cells", "formulas", "others", "why"),
    [
        (
            {"class": "Total", "agent_name": 74},
            {"agent_name": "COUNTA(B5:B78)"},
            ["COUNTA(B5:B78)"],
            "its Agent Name is a count a formula makes (=COUNTA(B5:B78))",
        ),
        (
            {"agent_name": 3.0},
            {"agent_name": "ROWS(B5:B7)"},
            ["ROWS(B5:B7)"],
            "its Agent Name is a count a formula makes (=ROWS(B5:B7))",
        ),
        (
            {"agent_id": 74},
            {"agent_id": "COUNTA(C5:C78)"},
            ["COUNTA(C5:C78)"],
            "its only identity is an Agent ID a formula counts (=COUNTA(C5:C78))",
        ),
        (
            {"agent_name": "Total:"},
            {},
            ['COUNTIF(L5:L78,"Yes")'],
            "it reads 'Total:' and counts other rows (=COUNTIF(L5:L78,\"Yes\"))",
        ),
        ({"agent_name": 12345}, {}, [], None),  # typed: an agent, shown by esp doctor
        ({"agent_name": "Lee Park", "agent_id": 6}, {"agent_id": "COUNTA(C5:C78)"}, [], None),
        ({"class": "Total", "agent_name": "Lee Park"}, {}, ["MAX(C$4:C79)+1"], None),
        ({"agent_name": "Total"}, {}, [], None),
    ],
)
def test_a_row_that_counts_the_agents(
    cells: dict[str, Any], formulas: dict[str, str], others: list[str], why: str | None
) -> None:
    assert counting_row(80, cells, formulas, others) == why

"""Where new rows go in a list under a header row (core.records): after the last row in
use, inside the Excel table the list is kept in, above a total typed under it."""

from __future__ import annotations

import pytest

from esp_cli.core.records import ListTable, Total, place_rows, ranges_in, totals_under
from esp_cli.errors import UnsafeWriteError


@pytest.mark.parametrize(
    ("formula", "ranges"),
    [
        ("COUNTA(C2:C5)", [(2, 3, 5, 3)]),
        ("SUM($D$2:$D$40)-SUM(E2:E3)", [(2, 4, 40, 4), (2, 5, 3, 5)]),
        ("COUNTA(C5:C2)", [(2, 3, 5, 3)]),
        ("COUNTA(Sheet2!C2:C5)", []),  # another sheet's
        ("COUNTA('Other sheet'!C2:C5)", []),
        ('COUNTIF(C2:C5,"A1:A9")', [(2, 3, 5, 3)]),  # text in quotes is no range
        ("COUNTA(Proofs[File])", []),
        ("LOG10(C2)", []),
    ],
)
def test_the_ranges_a_formula_names_on_its_own_sheet(
    formula: str, ranges: list[tuple[int, int, int, int]]
) -> None:
    assert ranges_in(formula) == ranges


def test_a_total_adds_up_rows_above_it_and_is_no_record() -> None:
    formulas = [
        (6, 3, "COUNTA(C2:C5)"),  # the total
        (3, 7, "SUM($F$2:F3)"),  # a running total: its own row in its range
        (4, 7, "D4-D3"),
        (9, 3, "COUNTA(C2:C8)"),  # a second total further down
        (5, 7, "SUM(F2:F4)"),  # in a record's row (its File cell holds a file name)
    ]
    got = totals_under(1, formulas, records={2, 3, 4, 5})
    assert [(t.row, t.col, t.ranges) for t in got] == [(6, 3, ((2, 5),)), (9, 3, ((2, 8),))]


TOTAL = Total(6, 3, "COUNTA(C2:C5)", ((2, 5),))
SHORT = Total(6, 3, "COUNTA(C2:C3)", ((2, 3),))


@pytest.mark.parametrize(
    ("used", "table", "totals", "count", "first", "uncounted"),
    [
        ({2, 3, 9}, None, (), 2, 10, None),  # a plain list: after the last row in use
        ({2, 3}, ListTable("P", 3, False), (), 2, 4, None),  # the table grows over 4-5
        ({2, 3, 9}, ListTable("P", 3, False), (), 2, 4, None),  # room under it up to 9
        ({2, 3}, ListTable("P", 6, False), (), 2, 4, None),  # its own blank rows first
        ({2, 3, 6}, ListTable("P", 5, True), (), 2, 4, None),  # above its Total Row
        ({2, 3, 6}, None, (TOTAL,), 2, 4, None),  # above a typed total counting them
        ({2, 3, 6}, None, (SHORT,), 1, 4, SHORT),  # ... one that would not
        ({2, 3, 6}, ListTable("P", 3, False), (SHORT,), 2, 4, SHORT),
    ],
)
def test_new_rows_go_where_a_person_would_type_them(
    used: set[int],
    table: ListTable | None,
    totals: tuple[Total, ...],
    count: int,
    first: int,
    uncounted: Total | None,
) -> None:
    got = place_rows("S", 1, count, used, table, totals)
    assert (got.first, got.uncounted) == (first, uncounted)


@pytest.mark.parametrize(
    ("used", "table", "totals", "said"),
    [
        ({2, 3, 4}, ListTable("P", 3, True), (), "Total Row of the Excel table 'P'"),
        ({2, 3, 5}, ListTable("P", 4, True), (), "which has 1 blank row left"),
        ({2, 3, 4}, None, (Total(4, 3, "COUNTA(C2:C3)", ((2, 3),)),), "S!C4: the 2 new rows"),
        ({2, 3, 5}, ListTable("P", 3, False), (), "but row 5 under it is in use"),
    ],
)
def test_rows_that_do_not_fit_are_refused_naming_the_row(
    used: set[int], table: ListTable | None, totals: tuple[Total, ...], said: str
) -> None:
    with pytest.raises(UnsafeWriteError) as refused:
        place_rows("S", 1, 2, used, table, totals)
    assert said in str(refused.value)

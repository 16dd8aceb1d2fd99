"""Finding an agent's row again (a waiting change, the log) by who the agent is."""

from __future__ import annotations

from pathlib import Path

from esp_cli.core.model import AgentRef
from esp_cli.workbook.finder import RowFinder
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests import factories

HEADERS = list(factories.headers("class", "agent_name", "agent_id", "email"))


def finder(tmp_path: Path, rows: list[list[object]]) -> RowFinder:
    path = factories.make_workbook(tmp_path / "t.xlsx", {"ESP Tracker": [HEADERS, *rows]})
    return RowFinder(read_table(Workbook.open(path)))


def ref(name: str = "", agent_id: str = "", email: str = "", cls: str = "AET-1") -> AgentRef:
    return AgentRef(name=name, cls=cls, sheet="ESP Tracker", row=0, agent_id=agent_id, email=email)


def test_an_agent_found_by_id_reads_only_the_id_column(tmp_path: Path) -> None:
    """Thirty waiting changes found by Agent ID index the IDs of the rows, not their
    e-mails, N Numbers and names too (10,000 rows each)."""
    f = finder(
        tmp_path, [["AET-1", "Ann Lee", "E1", "ann@x.com"], ["AET-1", "Bo Kim", "E2", "bo@x.com"]]
    )
    row, why = f.find(ref("Bo Kim", " e2 ", "bo@x.com"))
    assert row is not None and row.row == 3 and why == ""
    assert set(f._by) == {"agent_id"}


def test_two_rows_with_one_id_are_told_apart_by_the_next_of_what_is_recorded(
    tmp_path: Path,
) -> None:
    f = finder(
        tmp_path,
        [
            ["AET-1", "Ann Lee", "E1", "ann@x.com"],
            ["AET-1", "Ann Lee", "E1", "other@x.com"],
            ["AET-2", "Cy Diaz", "E3", ""],
        ],
    )
    row, _ = f.find(ref("Ann Lee", "E1", "ann@x.com"))
    assert row is not None and row.row == 2
    row, why = f.find(ref("Ann Lee", "E1"))
    assert (
        row is None and why == "2 rows have its Agent ID E1 (ESP Tracker!row 2, ESP Tracker!row 3)"
    )
    row, _ = f.find(ref("cy diaz", cls="aet-2"))
    assert row is not None and row.row == 4
    row, why = f.find(ref("Nobody", "E9", "no@x.com"))
    assert row is None
    assert why == "no row has its Agent ID E9 or e-mail no@x.com or name in class AET-1 any more"


def test_a_change_placed_in_memory_does_not_change_whom_later_changes_find(tmp_path: Path) -> None:
    """esp apply puts each waiting change on the rows in memory before it places the next:
    an N Number one change fills in must not make another change's agent found where the
    tracker as read would not say who it is (every index is built from the rows as read)."""
    from esp_cli.workbook.waiting import Applier

    path = factories.make_workbook(
        tmp_path / "t.xlsx",
        {
            "ESP Tracker": [
                [*HEADERS, *factories.headers("n_number")],
                ["AET-1", "Cy Diaz", None, None, None],
                ["AET-1", "Cy Diaz", None, None, None],
                ["AET-1", "Di Fox", "E7", None, None],
            ]
        },
    )
    wb = Workbook.open(path)
    table = read_table(wb)
    applier = Applier(wb, table)
    assert applier.finder is not None
    fox, _ = applier.finder.find(ref("Di Fox", "E7"))
    assert fox is not None and fox.row == 4
    first = next(table.rows())
    applier._update(first, "n_number", "N9")  # as a waiting sync-nnumbers puts it
    cy = AgentRef(name="Cy Diaz", cls="AET-1", sheet="ESP Tracker", row=0, agent_id="",
                  email="", n_number="N9")  # fmt: skip
    row, why = applier.finder.find(cy)
    assert row is None
    assert why == (
        "two agents named Cy Diaz in class AET-1 (ESP Tracker!row 2, ESP Tracker!row 3); "
        "cannot tell which"
    )


def test_rows_that_may_have_namesakes_are_worked_out_without_keeping_a_name_index(
    tmp_path: Path,
) -> None:
    """Three rows of one name in a class (the name typed differently), a row without a
    name; not a name shared across classes. The check keeps no index of every name (a
    write of 50,000 cells asks it while the new workbook is built)."""
    f = finder(
        tmp_path,
        [
            ["AET-1", "Ann Lee", "E1", ""],
            ["AET-1", "Bo Kim", "E2", ""],
            ["AET-1", "ann  LEE", "E3", ""],
            ["AET-2", "Bo Kim", "E4", ""],
            ["AET-1", "", "E5", "e5@x.com"],
            ["aet-1", "Ann Lee", "", ""],
        ],
    )
    assert f.maybe_namesakes() == {("ESP Tracker", r) for r in (2, 4, 6, 7)}
    assert "name" not in f._by


# -- a row found by name only, for an agent recorded with an ID ------------------------------


def test_a_row_found_by_name_holding_none_of_the_recorded_ids_is_not_surely_the_agent(
    tmp_path: Path,
) -> None:
    """Ann Lee was recorded with Agent ID E1 and her e-mail; her row is gone, and a new hire
    of her name in her class has neither typed yet: not taken for her, and why."""
    f = finder(tmp_path, [["AET-1", "Bo Kim", "E2", "bo@x.com"], ["AET-1", "Ann Lee", "", ""]])
    found = f.locate(ref("Ann Lee", "E1", "ann@x.com"))
    assert found.row is None and found.unsure
    assert found.why == (
        "the row found by the name in class AET-1, ESP Tracker!row 3, holds no Agent ID or "
        "e-mail, and the change was made for Agent ID E1 (e-mail ann@x.com)"
    )
    # Recorded without any (she had none then): found by her name, as always.
    row, _ = f.find(ref("Ann Lee"))
    assert row is not None and row.row == 3
    # A word typed for every new hire is no one's ID: found by her name too.
    row, _ = f.find(ref("Ann Lee", "Pending"))
    assert row is not None and row.row == 3


def test_a_sheet_without_any_column_for_the_recorded_ids_still_finds_the_agent_by_name(
    tmp_path: Path,
) -> None:
    """The Agent ID and Email columns deleted: no row can hold them, so their absence tells
    nothing, and the agent is found by name within the class."""
    path = factories.make_workbook(
        tmp_path / "t.xlsx",
        {"ESP Tracker": [list(factories.headers("class", "agent_name")), ["AET-1", "Ann Lee"]]},
    )
    f = RowFinder(read_table(Workbook.open(path)))
    row, _ = f.find(ref("Ann Lee", "E1", "ann@x.com"))
    assert row is not None and row.row == 2


def test_a_row_that_has_the_agents_id_but_is_another_agents_is_named(tmp_path: Path) -> None:
    """Agent IDs swapped in Excel: E1, recorded for Ann Lee, is on Bo Kim's row now; Ann's
    row (by her e-mail and name) has E2. Neither is hers, and the reason says whose they are,
    never that no row has E1."""
    f = finder(
        tmp_path, [["AET-1", "Ann Lee", "E2", "ann@x.com"], ["AET-1", "Bo Kim", "E1", "bo@x.com"]]
    )
    row, why = f.find(ref("Ann Lee", "E1", "ann@x.com"))
    assert row is None
    assert why == (
        "the row with its Agent ID E1, ESP Tracker!row 3, is Bo Kim's now; the row with its "
        "e-mail ann@x.com and name in class AET-1, ESP Tracker!row 2, has Agent ID E2"
    )


def test_namesakes_none_holding_the_recorded_id_stay_namesakes_told_apart_by_what_esp_saw(
    tmp_path: Path,
) -> None:
    """Two Ann Lees, neither with the e-mail recorded for one of them (cleared in Excel):
    which is hers is told by what esp saw in her row, else it cannot be told — as for any
    namesakes. One Ann Lee left that holds what esp saw in hers is hers."""
    path = factories.make_workbook(
        tmp_path / "t.xlsx",
        {
            "ESP Tracker": [
                [*HEADERS, "Phone"],
                ["AET-1", "Ann Lee", "", "", "555-0101"],
                ["AET-1", "Ann Lee", "", "", "555-0102"],
            ]
        },
    )
    f = RowFinder(read_table(Workbook.open(path)))
    found = f.locate(ref("Ann Lee", email="ann@x.com"))
    assert found.row is None and found.namesakes and not found.unsure
    found = f.locate(ref("Ann Lee", email="ann@x.com"), facts=(("phone", "555-0102"),))
    assert found.row is not None and found.row.row == 3
    alone = factories.make_workbook(
        tmp_path / "u.xlsx",
        {"ESP Tracker": [[*HEADERS, "Phone"], ["AET-1", "Ann Lee", "", "", "555-0102"]]},
    )
    f = RowFinder(read_table(Workbook.open(alone)))
    assert f.locate(ref("Ann Lee", email="ann@x.com")).unsure
    found = f.locate(ref("Ann Lee", email="ann@x.com"), facts=(("phone", "555-0102"),))
    assert found.row is not None and found.row.row == 2

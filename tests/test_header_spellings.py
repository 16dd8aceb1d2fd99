"""The header matcher knows the common spellings of the columns the rules need, and no
header it knows reads as two columns."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from esp_cli.core.columns import (
    COLUMNS,
    Kind,
    alias_table,
    asked_column,
    match_header,
    normalise_header,
)
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests.support.paths import SAMPLE_DATA


@pytest.mark.parametrize(
    "header",
    [
        "All TBTs Complete?",
        "All TBTs Completed?",
        "All TBT's Completed?",
        "All TBT Complete?",
        "TBTs Complete (Y/N)",
        "TBTs Complete? (Y/N)",
        "All TBTs Complete (Yes/No)",
        "All TBTs Done?",
        "TBT's Done?",
        "TBT Done?",
        "TBTs Completed?",
        "TBT Completed (Y/N)",
    ],
)
def test_the_tbts_complete_column_spelt_the_common_ways(header: str) -> None:
    assert match_header(header, alias_table()) == "tbts_complete"


@pytest.mark.parametrize(
    "header",
    [
        "Call Cert Complete?",
        "Call Cert Completed?",
        "Call Certs Completed?",
        "Call Cert Complete (Y/N)",
        "Call Cert Done?",
        "Call Certs Done (Yes/No)",
    ],
)
def test_the_call_cert_complete_column_spelt_the_common_ways(header: str) -> None:
    assert match_header(header, alias_table()) == "call_cert_complete"


@pytest.mark.parametrize(
    "header,key",
    [
        ("TBT Complete Date", "tbt_complete_date"),
        ("TBTs Complete Date", "tbt_complete_date"),
        ("Call Cert Complete Date", "call_cert_date"),
        ("Searched by Course Number (Y/N)", "searched_course"),
        # How many, or when: the flag only when asked as a question.
        ("TBTs Completed", None),  # the progress report's count
        ("TBT Done", None),
        ("Call Cert Completed", None),
        ("Done?", None),  # a task list's column, no tracker's
        ("Complete?", None),
        ("Y/N", None),
        # A yes or a no: never a date, text or number column's, whatever its words.
        ("SPOC Called (Y/N)", None),
        ("N Number Requested (Y/N)", None),
        ("SPOC Called (Yes/No)", None),
        ("TBT Access (Y/N)", None),
        ("TBT Hours (Y/N)", None),
        ("Searched by Course # (Yes/No)", "searched_course"),
    ],
)
def test_near_headers_keep_their_own_column(header: str, key: str | None) -> None:
    assert match_header(header, alias_table()) == key


def test_every_known_spelling_reads_as_its_own_column_only() -> None:
    """A spelling of one column that another column's spellings also give (after case,
    spaces and punctuation are ignored) would make a header read as the wrong column."""
    owners: dict[str, set[str]] = {}
    for col in COLUMNS:
        for spelling in (col.header, col.key, *col.aliases, *col.questions):
            norm = normalise_header(spelling)
            for form in (norm, norm.replace(" ", "")):
                owners.setdefault(form, set()).add(col.key)
    assert {form: keys for form, keys in owners.items() if len(keys) > 1} == {}
    table = alias_table()
    for col in COLUMNS:
        for spelling in (col.header, *col.aliases):
            assert match_header(spelling, table) == col.key, spelling
        for spelling in col.questions:
            assert match_header(f"{spelling}?", table) == col.key, spelling


def test_the_sample_trackers_headers_read_as_before() -> None:
    wb = Workbook.open(Path(SAMPLE_DATA) / "ESP Tracker.xlsx")
    sheet = read_table(wb, keys=()).sheets[0]
    table = alias_table()
    read = {h: match_header(h, table) for h in sheet.headers.values()}
    assert read["All TBTs Complete?"] == "tbts_complete"
    assert read["Call Cert Complete?"] == "call_cert_complete"
    assert read["Call Cert Complete Date"] == "call_cert_date"
    assert read["TBT Complete Date"] == "tbt_complete_date"
    assert read["Status"] is None
    keys = [k for k in read.values() if k is not None]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "header",
    [
        "All TBTs Completed",
        "All TBT's Completed",
        "All TBT Complete",
        "All TBTs Done",
        "All TBT Done",
    ],
)
def test_the_newer_completion_spellings_need_their_question(header: str) -> None:
    """Without its '?' or '(Y/N)', such a header may hold the day the TBTs were done."""
    table = alias_table()
    assert match_header(header, table) is None
    assert match_header(f"{header}?", table) == "tbts_complete"
    assert match_header(f"{header} (Y/N)", table) == "tbts_complete"


@pytest.mark.parametrize(
    "loose,exact",
    [
        ("All TBTs Completed?", "TBTs Complete?"),
        ("TBTs Complete (Y/N)", "All TBTs Complete?"),
        ("Call Cert Done?", "Call Cert Complete?"),
    ],
)
def test_a_header_spelt_exactly_is_the_column_over_a_looser_one_left_of_it(
    tmp_path: Path, loose: str, exact: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The exact header is read; the looser one, holding a day (no Yes or No), is set
    aside: not counted among the cells that cannot be read, nor said by a command that only
    reads (esp doctor lists it, and a write names it)."""
    import openpyxl

    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["Class", "Agent Name", loose, exact])
    ws.append(["AET-1", "Ana Ruiz", "11/20/2026", "Yes"])
    wb.save(path)
    sheet = read_table(Workbook.open(path), keys=None)
    (found,) = sheet.sheets
    key = match_header(exact, alias_table())
    assert key is not None
    assert found.columns[key] == 4
    assert sheet.findings == []
    assert not [r for r in caplog.records if "both name" in r.getMessage()]
    assert found.duplicate_headers == [(key, 4, 3)]


def test_a_question_header_names_only_a_yes_no_column() -> None:
    """A trailing '?' asks a yes or a no: every yes/no column's spellings read as it with
    one, no date, text, number or name column's does ('SPOC Called?' holding Yes is never
    the SPOC Called Date)."""
    table = alias_table()
    for col in COLUMNS:
        for spelling in (col.header.rstrip("?"), *col.aliases):
            got = match_header(f"{spelling}?", table)
            assert got == (col.key if col.kind is Kind.YESNO else None), spelling


@pytest.mark.parametrize(
    "header,key",
    [
        ("SPOC Called?", None),
        ("Date SPOC Called?", None),
        ("SPOC Called ?", None),
        ("N Number Requested?", None),
        ("ESP Start Date?", None),
        ("Incident #?", None),
        ("Notes?", None),
        ("Call Cert Complete?", "call_cert_complete"),
        ("All TBTs Complete?", "tbts_complete"),
        ("Searched by Course Number?", "searched_course"),
        ("Searched by Course #?", "searched_course"),
        ("SPOC Called", "spoc_called"),
        ("Date SPOC Called", "spoc_called"),
    ],
)
def test_a_date_or_text_column_asked_as_a_question_is_not_it(header: str, key: str | None) -> None:
    assert match_header(header, alias_table()) == key


def test_a_question_mapped_in_esp_toml_is_the_column_it_is_mapped_to() -> None:
    """The team's own 'Date SPOC Called?' holding the day, mapped in esp.toml [columns]."""
    table = alias_table({"SPOC Called Date": ["Date SPOC Called?"]})
    assert match_header("Date SPOC Called?", table) == "spoc_called"
    assert match_header("SPOC Called?", table) is None


def test_the_question_spelling_of_a_column_the_sheet_lacks_is_named() -> None:
    table = alias_table()
    assert asked_column("SPOC Called?", table) == "spoc_called"
    assert asked_column("Date of N Number Request?", table) == "n_number_requested"
    assert asked_column("SPOC Called", table) is None  # the column itself
    assert asked_column("Call Cert Complete?", table) is None  # a yes/no column
    assert asked_column("Anything else?", table) is None


def test_a_master_n_number_trackers_question_is_no_request_date(tmp_path: Path) -> None:
    """The client's Master N Number Tracker is read by the same headers: its 'N Number
    Requested?' holding Yes is no Date of N Number Request, its 'Date Requested' is."""
    from tests.factories import master

    path = master(
        tmp_path / "Master.xlsx",
        [["AET-1", "Ana Ruiz", "E1", "a@x.com", "N1", "Yes"]],
        headers=("Wave", "Employee Name", "Emp ID", "E-mail", "N#", "N Number Requested?"),
    )
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert "n_number_requested" not in sheet.columns
    assert sheet.columns["n_number"] == 5


def test_a_date_column_asked_as_a_question_is_said_where_it_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every command reading the tracker is told, at the header's cell, that 'SPOC
    Called?' is no SPOC Called Date (and how to fix it): a warning of its own, never
    counted among the cells that could not be read; a sheet that has the date column
    beside it is told nothing."""
    import openpyxl

    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["Class", "Agent Name", "SPOC Called?", "Notes?"])
    ws.append(["AET-1", "Ana Ruiz", "Yes", "x"])
    other = wb.create_sheet("AET-2")
    other.append(["Agent Name", "SPOC Called?", "SPOC Called Date"])
    other.append(["Ben Cruz", "Yes", "11/20/2026"])
    wb.save(path)
    with caplog.at_level(logging.WARNING, logger="esp"):
        table = read_table(Workbook.open(path), keys=None)
    assert table.findings == []
    assert table.sheet("ESP Tracker").asked == {"spoc_called": 3, "notes": 4}
    assert table.sheet("AET-2").asked == {}
    assert [r.getMessage() for r in caplog.records] == [
        "'ESP Tracker'!C1 (SPOC Called?): asks a yes or a no, so esp does not read it as the "
        "SPOC Called Date (a day), and the sheet has no SPOC Called Date column: if it holds a "
        "day for every agent, rename it to 'SPOC Called Date' or map it in esp.toml [columns] "
        "(esp doctor gives the lines); if it holds Yes or No, add a 'SPOC Called Date' column "
        "beside it",
        "'ESP Tracker'!D1 (Notes?): asks a yes or a no, so esp does not read it as the Notes "
        "(a text), and the sheet has no Notes column: if it holds a text for every agent, "
        "rename it to 'Notes' or map it in esp.toml [columns] (esp doctor gives the lines); if "
        "it holds Yes or No, add a 'Notes' column beside it",
    ]
    assert table.sheet("AET-2").columns["spoc_called"] == 3

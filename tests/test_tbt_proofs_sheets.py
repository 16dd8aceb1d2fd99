"""esp tbt proofs and the TBT Tracking Sheet's tabs: a class's tab spelt otherwise than the
class, the rows typed by hand on a tab esp does not record on, and a Received column left
empty beside the Date the team fills."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esp_cli.errors import ExitCode
from tests.test_tbt_proofs import (
    book_rows,
    build_tracker,
    dated_book,
    pdf,
    proof_folder,
    proofs,
    said_of,
    tracking_book,
)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    """Devon Price and Ana Ruiz of AET-1; Kim Lee, Omar Haddad and Lia Wong of AET-2."""
    return build_tracker(tmp_path / "ESP Tracker.xlsx")


def with_classes(tracker: Path, first: str, second: str) -> Path:
    """The tracker's AET-1 agents (rows 3-4) in class `first`, its AET-2 ones in `second`."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    for r in range(3, 8):
        ws[f"A{r}"] = first if r < 5 else second
    wb.save(tracker)
    return tracker


def devon_and_omar(tmp_path: Path) -> Path:
    return proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Omar Haddad TBT.pdf": pdf("Omar Haddad")},
    )


def tabs_of(data: dict[str, Any]) -> dict[str, str]:
    return {p["agent"]: p["tracking_tab"] for p in data["recorded"]}


# --------------------------------------------------------------- a tab per class, spelt


@pytest.mark.parametrize(
    ("classes", "tabs"),
    [
        (("AET-1101", "AET-1102"), ("AET 1101", "AET 1102")),  # spaces for dashes
        (("AET-1101", "AET-1102"), ("aet_1101", "AET_1102")),  # underscores, other capitals
        (("AET/1101", "AET/1102"), ("AET-1101", "AET-1102")),  # '/' no tab name can hold
        (("AET 1101", "AET 1102"), ("AET.1101", "AET - 1102")),  # a run of them is one
        (("AET:1101", "AET:1102"), ("AET 1101", "AET-1102")),  # ':' no tab name can hold
    ],
)
def test_a_class_tab_spelt_otherwise_than_the_class_is_that_classs_tab(
    tracker: Path, tmp_path: Path, classes: tuple[str, str], tabs: tuple[str, str]
) -> None:
    """A sheet per class, each tab named as the team spells its class where Excel allows:
    each proof goes to its own class's tab, never the first tab."""
    with_classes(tracker, *classes)
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx", [(tabs[0], [], "visible"), (tabs[1], [], "visible")]
    )
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": tabs[0], "Omar Haddad": tabs[1]}
    after = book_rows(sheet)
    assert [r[0] for r in after[tabs[0]][1:]] == ["Devon Price"]
    assert [r[0] for r in after[tabs[1]][1:]] == ["Omar Haddad"]
    assert "warning" not in res.stderr, res.stderr


def test_the_tab_spelt_as_the_class_is_taken_over_one_spelt_otherwise(
    tracker: Path, tmp_path: Path
) -> None:
    with_classes(tracker, "AET-1101", "AET-1102")
    tabs = [("AET 1102", [], "visible"), ("AET-1102", [], "visible"), ("AET-1101", [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    data = json.loads(proofs(tracker, devon_and_omar(tmp_path), "-n", "-f", "json").stdout)
    assert tabs_of(data) == {"Devon Price": "AET-1101", "Omar Haddad": "AET-1102"}


def test_two_tabs_spelt_alike_for_one_class_are_said_and_nothing_is_written(
    tracker: Path, tmp_path: Path
) -> None:
    """Class AET/1102 has no tab of that name (Excel refuses '/'), nor one named as esp
    names its tab ('AET-1102'); 'AET_1102' and 'AET 1102' are both spelt as it: esp cannot
    tell which, says so, and writes nothing."""
    with_classes(tracker, "AET/1101", "AET/1102")
    tabs = [("AET-1101", [], "visible"), ("AET_1102", [], "visible"), ("AET 1102", [], "visible")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    res = proofs(tracker, devon_and_omar(tmp_path))
    assert res.exit_code == ExitCode.USAGE, res.output
    said = " ".join(res.stderr.split())
    assert "class 'AET/1102'" in said and "'AET_1102' and 'AET 1102'" in said, said
    assert sheet.read_bytes() == before


@pytest.mark.parametrize("other", ["AET 1102", "AET_1102", "aet.1102"])
@pytest.mark.parametrize("first", [False, True])
def test_the_tab_esp_names_for_a_class_is_taken_over_one_spelt_otherwise(
    tracker: Path, tmp_path: Path, other: str, first: bool
) -> None:
    """Class AET/1102: the tab 'AET-1102', the name esp itself tells the team to give it,
    is its tab beside another spelt as it — in either order; other classes' proofs are
    written as ever."""
    with_classes(tracker, "AET-1101", "AET/1102")
    mine, theirs = ("AET-1102", [], "visible"), (other, [], "visible")
    tabs = [("AET-1101", [], "visible"), *((theirs, mine) if first else (mine, theirs))]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "AET-1101", "Omar Haddad": "AET-1102"}
    assert "warning" not in res.stderr, res.stderr


@pytest.mark.parametrize(
    ("cls", "tabs", "went"),
    [
        ("AET-1-102", ["Log", "AET-11-02"], "Log"),  # digit groups kept apart
        ("AET-11-02", ["Log", "AET-1-102"], "Log"),
        ("Wave 1.2", ["Log", "Wave 12"], "Log"),
        ("AET 1102", ["Log", "AET1102"], "Log"),  # a separator is not nothing
        ("AET 1102", ["Log", "AET--1102"], "AET--1102"),  # a run of them is one
        ("AET-1102", ["Log", "AET _ 1102"], "AET _ 1102"),
    ],
)
def test_a_tab_is_spelt_as_its_class_only_with_its_separators_in_place(
    tracker: Path, tmp_path: Path, cls: str, tabs: list[str], went: str
) -> None:
    """A class's tab may spell each run of separators (space - _ . / and those Excel
    refuses) otherwise, never drop one: 'AET-11-02' is not class AET-1-102's tab, nor
    'Wave 12' Wave 1.2's — their proofs go to the tab that is no class's, said."""
    with_classes(tracker, "AET-0901", cls)
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [(t, [], "visible") for t in tabs])
    res = proofs(tracker, devon_and_omar(tmp_path), "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout))["Omar Haddad"] == went, res.output


def test_a_class_with_no_tab_of_its_own_beside_class_tabs_is_said(
    tracker: Path, tmp_path: Path
) -> None:
    """A sheet per class and a class with no tab yet: its proof goes to the one tab that is
    no class's, and esp says so, naming the class and the tab (never silently)."""
    with_classes(tracker, "AET-1101", "AET-1109")
    tabs = [("AET 1101", [], "visible"), ("Log", [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "AET 1101", "Omar Haddad": "Log"}
    said = " ".join(res.stderr.split())
    assert "class 'AET-1109' has no tab of its own" in said, said
    assert "its proof rows go to sheet 'Log'" in said, said
    assert "class 'AET-1101'" not in said, said


def test_the_tab_esp_tells_to_add_for_a_class_is_one_excel_takes(
    tracker: Path, tmp_path: Path
) -> None:
    """Every tab another class's, and class AET/1109 with none: the tab to add is named as
    Excel takes it ('AET-1109'), and esp takes a tab so named as the class's."""
    with_classes(tracker, "AET/1101", "AET/1109")
    sheet = tmp_path / "TBT Tracking Sheet.xlsx"
    tracking_book(sheet, [("AET-1101", [], "visible")])
    later = devon_and_omar(tmp_path)
    res = proofs(tracker, later)
    assert res.exit_code == ExitCode.USAGE, res.output
    said = " ".join(res.stderr.split())
    assert "add a tab named 'AET-1109'" in said, said
    tracking_book(sheet, [("AET-1101", [], "visible"), ("AET-1109", [], "visible")])
    data = json.loads(proofs(tracker, later, "-n", "-f", "json").stdout)
    assert tabs_of(data) == {"Devon Price": "AET-1101", "Omar Haddad": "AET-1109"}


def test_tracking_tab_given_as_the_class_is_spelt_finds_its_tab(
    tracker: Path, tmp_path: Path
) -> None:
    """--tracking-tab 'AET/1102', as the class is spelt: the tab 'AET-1102'."""
    tabs = [("AET-1101", [], "visible"), ("AET-1102", [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(
        tracker, devon_and_omar(tmp_path), "-n", "-f", "json", "--tracking-tab", "AET/1102"
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tracking_tab"] == "AET-1102"


@pytest.mark.parametrize(
    ("given", "tabs", "taken"),
    [
        ("AET/1102", ["AET 1102", "AET-1102"], "AET-1102"),  # the name esp gives its tab
        ("AET 1102", ["AET_1102", "AET-1102", "AET 1102"], "AET 1102"),  # as it is
        ("aet_1102", ["Log", "AET-1102"], "AET-1102"),
    ],
)
def test_tracking_tab_takes_the_best_spelt_tab(
    tracker: Path, tmp_path: Path, given: str, tabs: list[str], taken: str
) -> None:
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [(t, [], "visible") for t in tabs])
    res = proofs(tracker, devon_and_omar(tmp_path), "-n", "-f", "json", "--tracking-tab", given)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tracking_tab"] == taken


@pytest.mark.parametrize(
    ("given", "tabs"),
    [
        ("AET-1-102", ["Log", "AET-11-02"]),
        ("Wave 1.2", ["Log", "Wave 12"]),
        ("AET-1102", ["Log", "AET1102"]),
    ],
)
def test_tracking_tab_spelt_as_no_tab_is_refused(
    tracker: Path, tmp_path: Path, given: str, tabs: list[str]
) -> None:
    """--tracking-tab names a tab the workbook does not have: refused, naming those it has,
    never a tab whose digits run otherwise."""
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [(t, [], "visible") for t in tabs])
    before = sheet.read_bytes()
    res = proofs(tracker, devon_and_omar(tmp_path), "--tracking-tab", given)
    assert res.exit_code == ExitCode.USAGE, res.output
    said = " ".join(res.stderr.split())
    assert f"no sheet named '{given}'" in said and f"'{tabs[1]}'" in said, said
    assert sheet.read_bytes() == before


# ------------------------------------------- a hand row on a tab esp does not record on

DATED = ["Agent", "Class", "File", "Date"]
DEVON_BY_HAND = ["Devon Price", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 20)]


@pytest.mark.parametrize(
    ("first", "other", "headers"),
    [
        ("December", "November", DATED),  # last month's tab, laid out alike
        ("Proofs", "Reminders", ["Agent", "File", "Date"]),  # the day a reminder went out
    ],
)
def test_a_hand_row_under_date_on_a_tab_laid_out_alike_is_recorded_again_and_said(
    tracker: Path, tmp_path: Path, first: str, other: str, headers: list[str]
) -> None:
    """The team's own workbook, two tabs headed alike with a plain 'Date': esp records on
    the first, and cannot tell the other's row naming Devon's file for a proof (last
    month's) from a reminder sent that day. It records the proof again on the first tab,
    says which cell names the file, and flags the tracker only with that proof row."""
    row = ["Devon Price", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 20)]
    typed = [v for v, h in zip(row, DATED, strict=True) if h in headers]
    sheet = dated_book(
        tmp_path / "TBT Tracking Sheet.xlsx", [(first, headers, []), (other, headers, [typed])]
    )
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["already_recorded"] == [], data
    (proof,) = data["recorded"]
    assert proof["tracking_tab"] == first, proof
    assert f"{other}!A2" in proof["date_warning"], proof
    assert f"{other}!A2" in said_of(res)
    rows = book_rows(sheet)[first]
    assert [r[0] for r in rows[1:]] == ["Devon Price"], rows
    assert [c["cell"] for c in data["changes"]] == ["D3", "E3"], data


def test_a_hand_row_under_date_on_a_tab_laid_out_otherwise_is_said(
    tracker: Path, tmp_path: Path
) -> None:
    """A tab esp does not record on, laid out otherwise (Agent | File | Date: a reminder
    list, or a tab of the team's), names the file with a day: the file is recorded again,
    and esp says which cell names it, to delete one row if it is the same proof."""
    dated_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("December", DATED, []),
            ("Sent", ["Agent", "File", "Date"],
             [["Devon Price", "Devon Price TBT.pdf", date(2026, 11, 20)]]),
        ],
    )  # fmt: skip
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["tracking_tab"] == "December"
    assert "Sent!A2" in proof["date_warning"], proof
    assert "delete one of the two rows" in proof["date_warning"], proof
    assert "Sent!A2" in said_of(res)


@pytest.mark.parametrize("tab", ["TBT Tracking", "TBT_Tracking", "tbt-tracking"])
def test_a_hand_row_under_date_on_a_tbt_tracking_tab_esp_does_not_record_on_is_said(
    tracker: Path, tmp_path: Path, tab: str
) -> None:
    """A tab named TBT Tracking (esp's own name for the sheet it creates) that esp does not
    record on — the rows go to 'Log', first — is like any other tab: its row under a plain
    'Date' naming Devon's file is no proof recorded. The file is recorded again on 'Log',
    and esp names the row."""
    sheet = dated_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [("Log", ["Agent", "Class", "File", "Received"], []), (tab, DATED, [DEVON_BY_HAND])],
    )
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["already_recorded"] == [], data
    (proof,) = data["recorded"]
    assert proof["tracking_tab"] == "Log", proof
    assert f"'{tab}'!A2" in proof["date_warning"] or f"{tab}!A2" in proof["date_warning"], proof
    assert [r[0] for r in book_rows(sheet)["Log"][1:]] == ["Devon Price"]


@pytest.mark.parametrize("args", [(), ("--tracking-tab", "TBT Tracking")])
def test_a_hand_row_under_date_on_the_tbt_tracking_tab_esp_records_on_is_a_proof(
    tracker: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """The tab named TBT Tracking is the one esp records on (first, or named): its rows
    under 'Date' are recorded proofs, as on any sheet esp records on."""
    log = ("Log", ["Agent", "Class", "File", "Received"], [])
    tabs = [("TBT Tracking", DATED, [DEVON_BY_HAND]), log]
    dated_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs if not args else tabs[::-1])
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    data = json.loads(proofs(tracker, later, "-n", "-f", "json", *args).stdout)
    assert [(p["file"], p["tracking_tab"]) for p in data["already_recorded"]] == [
        ("Devon Price TBT.pdf", "TBT Tracking")
    ], data


# ---------------------------------------------- an empty Received beside a filled Date


DAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("headers", "row", "read", "empty"),
    [
        (["Agent", "Class", "File", "Date", "Received", "Recorded By", "SHA-256"],
         ["Devon Price", "AET-1", "Devon Price TBT.pdf", DAY, None, "Pat", None],
         "Date", "Received"),
        (["Agent", "Class", "File", "Received", "Date", "Recorded By", "SHA-256"],
         ["Devon Price", "AET-1", "Devon Price TBT.pdf", None, DAY, "Pat", None],
         "Date", "Received"),
        (["Agent", "Class", "File", "Date Received", "Date", "Recorded By"],
         ["Devon Price", "AET-1", "Devon Price TBT.pdf", None, DAY, "Pat"],
         "Date", "Date Received"),
        (["Agent", "Class", "File Name", "File", "Date", "Recorded By"],
         ["Devon Price", "AET-1", "Devon Price TBT.pdf", None, DAY, "Pat"],
         "File Name", "File"),
        (["Name", "Agent", "Class", "File", "Date", "Recorded By"],
         ["Devon Price", None, "AET-1", "Devon Price TBT.pdf", DAY, "Pat"],
         "Name", "Agent"),
    ],
    ids=["date-before", "date-after", "date-received", "file-name", "name"],
)  # fmt: skip
def test_an_empty_column_beside_a_filled_one_of_the_same_name_gives_way(
    tracker: Path, tmp_path: Path, headers: list[str], row: list[Any], read: str, empty: str
) -> None:
    """Two headers name one column, the one esp would read empty in every row and the
    other filled: the filled one is read — the team's rows typed by hand under it are
    proofs — and a new row is written under it, with a word saying which is read and why."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(headers)
    ws.append(row)
    path = tmp_path / "TBT Tracking Sheet.xlsx"
    wb.save(path)
    later = proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Kim Lee TBT.pdf": pdf("Kim Lee")},
    )
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"], data
    assert [p["file"] for p in data["recorded"]] == ["Kim Lee TBT.pdf"], data
    (new,) = book_rows(path)["TBT Tracking"][2:]
    written = {"Date": date(2026, 11, 23), "File Name": "Kim Lee TBT.pdf", "Name": "Kim Lee"}
    assert new[headers.index(read)] == written[read], new
    assert new[headers.index(empty)] is None, new
    said = " ".join(res.stderr.split())
    assert f"'{empty}' is empty in every row" in said, said


def test_an_empty_received_giving_way_to_a_filled_date_is_said_when_nothing_is_new(
    tracker: Path, tmp_path: Path
) -> None:
    """Only Devon's file in the folder, already typed by hand under the filled 'Date':
    nothing new is recorded, and esp still says it reads 'Date', not the empty
    'Received' — the reading that makes his file already recorded."""
    headers = ["Agent", "Class", "File", "Date", "Received", "Recorded By", "SHA-256"]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(headers)
    ws.append(["Devon Price", "AET-1", "Devon Price TBT.pdf", DAY, None, "Pat", None])
    wb.save(tmp_path / "TBT Tracking Sheet.xlsx")
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    for dry in ((), ("-n",)):
        res = proofs(tracker, later, "-f", "json", *dry)
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        assert data["recorded"] == [], data
        assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"], data
        said = " ".join(res.stderr.split())
        assert "'Received' is empty in every row" in said, said
        assert said.count("is empty in every row") == 1, said


# ------------------------------------------------------------------ a class's hidden tab


@pytest.mark.parametrize("log", [False, True])
def test_a_classs_hidden_tab_gets_its_rows_and_is_said_hidden(
    tracker: Path, tmp_path: Path, log: bool
) -> None:
    """Class AET-2's own tab is hidden (right-click > Hide in Excel): it is still its tab,
    never 'no tab of its own'. Its proof rows go there, and esp says the tab is hidden
    and how to see it; the other class's rows go to its visible tab as ever."""
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "hidden")]
    if log:
        tabs.append(("Log", [], "visible"))
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "AET-1", "Omar Haddad": "AET-2"}
    after = book_rows(sheet)
    assert [r[0] for r in after["AET-2"][1:]] == ["Omar Haddad"], after
    said = " ".join(res.stderr.split())
    assert "no tab of its own" not in said, said
    assert "sheet 'AET-2'" in said and "is hidden" in said and "Unhide" in said, said
    assert said.count("is hidden") == 1, said
    assert openpyxl.load_workbook(sheet)["AET-2"].sheet_state == "hidden"


def test_a_classs_very_hidden_tab_is_said_and_its_rows_go_to_a_visible_sheet(
    tracker: Path, tmp_path: Path
) -> None:
    """Class AET-2's tab is very hidden (Excel's Unhide does not list it): esp never
    writes where the team cannot see. The rows go to the visible sheet that is no class's,
    and esp names the very hidden tab and how to show it — not 'no tab of its own'."""
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "veryHidden"), ("Log", [], "visible")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "AET-1", "Omar Haddad": "Log"}
    assert book_rows(sheet)["AET-2"][1:] == []
    said = " ".join(res.stderr.split())
    assert "no tab of its own" not in said, said
    assert "class 'AET-2'" in said and "tab 'AET-2' is very hidden" in said, said
    assert "sheet 'Log'" in said, said


def test_a_classs_very_hidden_tab_with_no_other_sheet_for_it_is_refused_naming_it(
    tracker: Path, tmp_path: Path
) -> None:
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "veryHidden")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    res = proofs(tracker, devon_and_omar(tmp_path))
    assert res.exit_code == ExitCode.USAGE, res.output
    said = " ".join(res.stderr.split())
    assert "no tab of its own" not in said, said
    assert "class 'AET-2'" in said and "tab 'AET-2' is very hidden" in said, said
    assert sheet.read_bytes() == before


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_tracking_tab_naming_a_hidden_sheet_is_said_or_refused(
    tracker: Path, tmp_path: Path, state: str
) -> None:
    """--tracking-tab names a hidden sheet: the rows go there, said hidden with how to see
    it; a very hidden one (Excel's Unhide does not list it) is refused, nothing written."""
    tabs = [("December", [], "visible"), ("Archive", [], state)]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    res = proofs(tracker, devon_and_omar(tmp_path), "--tracking-tab", "Archive")
    said = " ".join(res.stderr.split())
    if state == "hidden":
        assert res.exit_code == 0, res.output
        assert [r[0] for r in book_rows(sheet)["Archive"][1:]] == ["Devon Price", "Omar Haddad"]
        assert "sheet 'Archive'" in said and "is hidden" in said and "Unhide" in said, said
    else:
        assert res.exit_code == ExitCode.USAGE, res.output
        assert "'Archive'" in said and "very hidden" in said, said
        assert sheet.read_bytes() == before


# ------------------------------------------------ a tab two classes can claim, refused


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize(
    ("classes", "tab"),
    [
        (("AET/1102", "AET 1102"), "AET-1102"),  # esp's name for one, spelt as the other
        (("AET 1102", "AET/1102"), "AET-1102"),
        (("AET/1102", "AET:1102"), "AET-1102"),  # esp's name for both
        (("AET 1102", "AET_1102"), "AET-1102"),  # spelt as both
    ],
)
def test_a_tab_two_classes_can_claim_is_refused_naming_both(
    tracker: Path, tmp_path: Path, classes: tuple[str, str], tab: str, log: bool
) -> None:
    """Classes AET/1102 and AET 1102 both in the tracker: the tab 'AET-1102' is the name
    esp gives AET/1102's tab and is spelt as AET 1102 too. esp never chooses: nothing is
    written for either class (nor for any other), and the message names the tab and both
    classes, with the fix."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A5"] = classes  # Devon in the first, Kim in the second
    wb.save(tracker)
    tabs = [(tab, [], "visible")] + ([("Log", [], "visible")] if log else [])
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    for who in ("Devon Price", "Kim Lee"):
        later = proof_folder(tmp_path / who, {f"{who} TBT.pdf": pdf(who)})
        res = proofs(tracker, later)
        assert res.exit_code == ExitCode.USAGE, res.output
        said = " ".join(res.stderr.split())
        assert f"sheet '{tab}'" in said, said
        assert f"class '{classes[0]}'" in said and f"class '{classes[1]}'" in said, said
        assert "exact name" in said, said
        assert sheet.read_bytes() == before


def test_a_tab_named_exactly_as_a_class_is_that_classs_beside_one_spelt_as_it(
    tracker: Path, tmp_path: Path
) -> None:
    """Classes AET/1102 and AET 1102 with tabs 'AET 1102' and 'AET-1102': each class has
    one it is named or esp names it as — the fix the refusal above gives works."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A5"] = "AET/1102", "AET 1102"
    wb.save(tracker)
    tabs = [("AET-1102", [], "visible"), ("AET 1102", [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    later = proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Kim Lee TBT.pdf": pdf("Kim Lee")},
    )
    res = proofs(tracker, later, "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "AET-1102", "Kim Lee": "AET 1102"}

"""esp tbt proofs and the TBT Tracking Sheet's tabs: a class's tab spelt otherwise than the
class, the rows typed by hand on a tab esp does not record on, and a Received column left
empty beside the Date the team fills."""

from __future__ import annotations

import json
import zipfile
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


def test_two_tabs_spelt_alike_for_one_class_refuse_only_its_proofs(
    tracker: Path, tmp_path: Path
) -> None:
    """Class AET/1102 has no tab of that name (Excel refuses '/'), nor one named as esp
    names its tab ('AET-1102'); 'AET_1102' and 'AET 1102' are both spelt as it: esp cannot
    tell which, refuses its proof naming both, and records the other class's."""
    with_classes(tracker, "AET/1101", "AET/1102")
    tabs = [("AET-1101", [], "visible"), ("AET_1102", [], "visible"), ("AET 1102", [], "visible")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tabs_of(data) == {"Devon Price": "AET-1101"}, data
    why = rejected_of(data)["Omar Haddad TBT.pdf"]
    assert "class 'AET/1102'" in why and "'AET_1102' and 'AET 1102'" in why, why
    after = book_rows(sheet)
    assert after["AET_1102"][1:] == [] and after["AET 1102"][1:] == []


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
    res = proofs(tracker, later, "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["agent"] for p in data["recorded"]] == ["Devon Price"], data
    why = rejected_of(data)["Omar Haddad TBT.pdf"]
    assert "class 'AET/1109'" in why and "add a tab named 'AET-1109'" in why, why
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


def test_a_classs_very_hidden_tab_with_no_other_sheet_for_it_refuses_its_proofs(
    tracker: Path, tmp_path: Path
) -> None:
    """No visible sheet takes class AET-2's rows: its proof is refused, naming its very
    hidden tab and how to show it; class AET-1's is recorded on its tab."""
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "veryHidden")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tabs_of(data) == {"Devon Price": "AET-1"}, data
    why = rejected_of(data)["Omar Haddad TBT.pdf"]
    assert "no tab of its own" not in why, why
    assert "class 'AET-2'" in why and "tab 'AET-2' is very hidden" in why, why
    assert "Alt+F11" in why, why
    assert book_rows(sheet)["AET-2"][1:] == []


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
    written for either class: each one's proof is refused, naming the tab and both classes,
    with the fix; another class's proof is recorded."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A5"] = classes  # Devon in the first, Kim in the second
    wb.save(tracker)
    tabs = [(tab, [], "visible")] + ([("Log", [], "visible")] if log else [])
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    for who in ("Devon Price", "Kim Lee"):
        files = {f"{who} TBT.pdf": pdf(who), "Omar Haddad TBT.pdf": pdf("Omar Haddad")}
        later = proof_folder(tmp_path / who, files if log else {f"{who} TBT.pdf": pdf(who)})
        res = proofs(tracker, later, "-f", "json")
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        first = who == "Devon Price"  # Omar's, recorded then, is in on the next run
        assert tabs_of(data) == ({"Omar Haddad": "Log"} if log and first else {}), data
        why = rejected_of(data)[f"{who} TBT.pdf"]
        assert f"sheet '{tab}'" in why, why
        assert f"class '{classes[0]}'" in why and f"class '{classes[1]}'" in why, why
        assert "exact name" in why, why
        if not log:
            assert sheet.read_bytes() == before
    assert book_rows(sheet)[tab][1:] == []


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


# ------------------------- a hidden tab, a tab claimed alike: only that class's proofs


def rejected_of(data: dict[str, Any]) -> dict[str, str]:
    """Each refused file's reason, then its fix (apart in the JSON), as one text."""
    return {
        r["file"]: " ".join(f"{r['reason']}; Fix: {r.get('fix')}".split()) for r in data["rejected"]
    }


def test_a_class_with_its_own_visible_tab_claims_no_hidden_tab(
    tracker: Path, tmp_path: Path
) -> None:
    """Classes AET/1102 (Devon) and AET 1102 (Kim): 'AET 1102' is visible and named as
    AET 1102, so the hidden 'AET-1102' is AET/1102's alone. Hidden, it gets no rows while
    a visible sheet can take them: Devon's go to 'Log' as ever, said with how to unhide
    the tab; Kim's go to 'AET 1102'; Omar's (AET-2, no tab) to 'Log'."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A5"] = "AET/1102", "AET 1102"
    wb.save(tracker)
    tabs = [("Log", [], "visible"), ("AET 1102", [], "visible"), ("AET-1102", [], "hidden")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    later = proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Kim Lee TBT.pdf": pdf("Kim Lee")},
    )
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "Log", "Kim Lee": "AET 1102"}
    assert book_rows(sheet)["AET-1102"][1:] == []
    said = " ".join(res.stderr.split())
    assert "class 'AET/1102'" in said and "'AET-1102' is hidden" in said, said
    assert "Unhide" in said and "sheet 'Log'" in said, said


def test_a_classs_hidden_old_tab_gets_no_rows_while_a_visible_sheet_takes_them(
    tracker: Path, tmp_path: Path
) -> None:
    """The team records everything on 'Log'; 'AET-2' is an old tab they hid, with rows
    typed by hand under a plain Date. Omar's row goes to 'Log' as before, said; the hidden
    tab is left as it was (no column added), and its hand rows are no proofs."""
    kim = ["Kim Lee", "AET-2", "Kim Lee TBT.pdf", date(2026, 11, 2)]
    tabs = [("Log", [], "visible"), ("AET-2", [kim], "hidden")]
    headers = {"AET-2": ["Agent", "Class", "File", "Date"]}
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs, headers)
    later = proof_folder(
        tmp_path / "later",
        {"Omar Haddad TBT.pdf": pdf("Omar Haddad"), "Kim Lee TBT.pdf": pdf("Kim Lee")},
    )
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tabs_of(data) == {"Omar Haddad": "Log", "Kim Lee": "Log"}, data
    after = book_rows(sheet)
    assert after["AET-2"] == [["Agent", "Class", "File", "Date"], [*kim[:3], kim[3]]], after
    said = " ".join(res.stderr.split())
    assert "class 'AET-2'" in said and "'AET-2' is hidden" in said and "Unhide" in said, said


def test_two_hidden_tabs_spelt_as_a_class_are_said_and_the_run_goes_on(
    tracker: Path, tmp_path: Path
) -> None:
    """'AET 2' and 'AET_2', both hidden (leftovers): no rows go to either; the proofs go
    to the visible 'Log' as before, and esp names both hidden tabs."""
    tabs = [("Log", [], "visible"), ("AET 2", [], "hidden"), ("AET_2", [], "hidden")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert tabs_of(json.loads(res.stdout)) == {"Devon Price": "Log", "Omar Haddad": "Log"}
    said = " ".join(res.stderr.split())
    assert "'AET 2' and 'AET_2'" in said and "hidden" in said, said


def test_a_classs_hidden_tab_with_no_visible_sheet_for_it_refuses_only_its_proofs(
    tracker: Path, tmp_path: Path
) -> None:
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "hidden")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tabs_of(data) == {"Devon Price": "AET-1"}, data
    why = rejected_of(data)["Omar Haddad TBT.pdf"]
    assert "class 'AET-2'" in why and "'AET-2' is hidden" in why and "Unhide" in why, why
    assert "--tracking-tab" in why, why
    after = book_rows(sheet)
    assert [r[0] for r in after["AET-1"][1:]] == ["Devon Price"] and after["AET-2"][1:] == []
    cells = openpyxl.load_workbook(tracker)["ESP Tracker"]
    assert cells["E6"].value is not None  # Omar's date was there already
    assert cells["D3"].value == "Y"  # Devon flagged; Omar's row left as it was


def test_a_tab_a_mistyped_class_cell_claims_refuses_only_that_classs_proofs(
    tracker: Path, tmp_path: Path
) -> None:
    """Class AET 1 in the tracker (Devon, Kim), but Ana's Class cell (A4) typed 'AET_1':
    the tab 'AET-1' is spelt as both. Devon's proof is refused, naming the tab, both
    classes and the cell to correct; Omar's (AET-2, a tab of its own) is recorded. Ana
    sent nothing."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["A3"], ws["A4"], ws["A5"] = "AET 1", "AET_1", "AET 1"
    wb.save(tracker)
    tabs = [("AET-1", [], "visible"), ("AET-2", [], "visible"), ("Log", [], "visible")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    res = proofs(tracker, devon_and_omar(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tabs_of(data) == {"Omar Haddad": "AET-2"}, data
    why = rejected_of(data)["Devon Price TBT.pdf"]
    assert "sheet 'AET-1'" in why and "class 'AET 1'" in why and "class 'AET_1'" in why, why
    assert "'ESP Tracker'!A4" in why, why
    assert book_rows(sheet)["AET-1"][1:] == []
    assert openpyxl.load_workbook(tracker)["ESP Tracker"]["D3"].value == "N"


def test_only_hidden_sheets_refuse_each_class_naming_it(tracker: Path, tmp_path: Path) -> None:
    """Every sheet hidden ('AET-2' only, hidden, and 'Archive'): no class's rows have a
    sheet; each refused proof names its class and what to unhide."""
    tabs = [("AET-2", [], "hidden"), ("Archive", [], "hidden"), ("Nov", [], "visible")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    # openpyxl keeps one sheet visible: hide the last one in the file itself.
    parts = {}
    with zipfile.ZipFile(sheet) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    xml = parts["xl/workbook.xml"]
    assert xml.count(b'state="visible"') == 1, xml
    parts["xl/workbook.xml"] = xml.replace(b'state="visible"', b'state="hidden"')
    with zipfile.ZipFile(sheet, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    res = proofs(tracker, devon_and_omar(tmp_path), "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    why = rejected_of(data)
    assert data["recorded"] == [], data
    assert "class 'AET-2'" in why["Omar Haddad TBT.pdf"], why
    assert "'AET-2' is hidden" in why["Omar Haddad TBT.pdf"], why
    assert "class 'AET-1'" in why["Devon Price TBT.pdf"], why
    assert "every sheet" in why["Devon Price TBT.pdf"] and "hidden" in why["Devon Price TBT.pdf"]


def test_a_very_hidden_tracking_tab_with_nothing_to_record_is_no_refusal(
    tracker: Path, tmp_path: Path
) -> None:
    tabs = [("December", [], "visible"), ("Archive", [], "veryHidden")]
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    before = sheet.read_bytes()
    empty = proof_folder(tmp_path / "empty", {})
    res = proofs(tracker, empty, "--tracking-tab", "Archive")
    assert res.exit_code == 0, res.output
    assert sheet.read_bytes() == before

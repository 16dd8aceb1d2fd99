"""esp tbt proofs: real PDFs named 'First Last TBT.pdf' recorded once, All TBTs Complete? set."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.results.proofs import Rejected
from esp_cli.services.proofs import check_name, misnaming, name_in, pdf_problem
from esp_cli.workbook.tracker import Row
from tests import factories
from tests.factories import make_workbook
from tests.support.marks import assert_schema_valid

HEADERS = list(
    factories.headers(
        "class",
        "agent_name",
        "agent_id",
        "tbts_complete",
        "tbt_complete_date",
    )
)
# Title in row 1, headers in row 2; agents from row 3. D: All TBTs Complete?, E: the date.
AGENTS = [
    ["AET-1", "Devon Price", "E100", "N", None],
    ["AET-1", "Ruiz, Ana", "E101", "N", None],  # typed 'Last, First'
    ["AET-2", "Kim Lee", "E102", "N", None],
    ["AET-2", "Omar Haddad", "E103", "Y", date(2026, 11, 20)],
    ["AET-2", "Lia Wong", "E104", "Yes", None],  # flagged by hand, no date yet
]
RECEIVED = datetime(2026, 11, 23, 16, 30)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def build_tracker(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["ESP Tracker — proofs test"])
    ws.append(HEADERS)
    for agent in AGENTS:
        ws.append(agent)
    ws["E6"].number_format = "m/d/yyyy"
    # The team's drop-down spells yes as 'Y': esp must write 'Y', not 'Yes'.
    yn = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    ws.add_data_validation(yn)
    yn.add("D3:D100")
    wb.save(path)
    return path


def pdf(agent: str) -> bytes:
    return PDF.replace(b"/Catalog", b"/Catalog /Title (" + agent.encode() + b")")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    stamp = RECEIVED.timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return build_tracker(tmp_path / "ESP Tracker.xlsx")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    write(proofs, "Devon Price TBT.pdf", pdf("Devon Price"))
    write(proofs, "Ana Ruiz TBT.pdf", pdf("Ana Ruiz"))
    write(proofs, "kim_lee_tbt.pdf", pdf("Kim Lee"))  # badly named
    write(proofs, "Zoe Quinn TBT.pdf", pdf("Zoe Quinn"))  # no such agent
    write(proofs, "Omar Haddad TBT.pdf", b"PK\x03\x04 a Word file renamed")  # not a PDF
    write(proofs, "notes.txt", b"call Kim tomorrow")
    write(proofs, "Kim Lee TBT.eml", b"From: Kim Lee <kim@x.com>\r\n\r\nattached")
    write(proofs, ".DS_Store", b"\x00\x00")  # hidden: not a proof at all
    return proofs


def proofs(tracker: Path, folder: Path, *args: str) -> Any:
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    return CliRunner().invoke(
        app,
        [
            "tbt", "proofs", str(folder), "--tracker", str(tracker),
            "--tracking-sheet", str(sheet), "--by", "Jordan Reyes", *args,
        ],
    )  # fmt: skip


def tracker_cells(path: Path) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    out = []
    for r in range(3, 3 + len(AGENTS)):
        done, when = ws[f"D{r}"].value, ws[f"E{r}"].value
        out.append([done, when.date() if isinstance(when, datetime) else when])
    return out


def sheet_rows(path: Path) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [
        [v.date() if isinstance(v, datetime) else v for v in row]
        for row in ws.iter_rows(values_only=True)
    ]


def test_only_good_files_are_recorded_and_flip_all_tbts_complete(
    tracker: Path, folder: Path
) -> None:
    res = proofs(tracker, folder, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["file"], p["agent"], p["row"]) for p in data["recorded"]] == [
        ("Ana Ruiz TBT.pdf", "Ana Ruiz", 4),
        ("Devon Price TBT.pdf", "Devon Price", 3),
    ]
    assert all(p["received"] == "2026-11-23" for p in data["recorded"])
    rejected = {r["file"]: r for r in data["rejected"]}
    assert set(rejected) == {
        "kim_lee_tbt.pdf",
        "Zoe Quinn TBT.pdf",
        "Omar Haddad TBT.pdf",
        "notes.txt",
        "Kim Lee TBT.eml",
    }
    assert rejected["Kim Lee TBT.eml"]["reason"].startswith("an e-mail with no PDF attached")
    assert rejected["kim_lee_tbt.pdf"]["expected"] == "Kim Lee TBT.pdf"
    assert "rename it to 'Kim Lee TBT.pdf'" in rejected["kim_lee_tbt.pdf"]["reason"]
    assert "matches no agent" in rejected["Zoe Quinn TBT.pdf"]["reason"]
    assert rejected["Omar Haddad TBT.pdf"]["reason"].startswith("not a PDF")
    assert rejected["notes.txt"]["reason"].startswith("not a PDF")
    # The drop-down's own 'Y'; the received day as TBT Complete Date; the rest untouched.
    assert tracker_cells(tracker) == [
        ["Y", date(2026, 11, 23)],
        ["Y", date(2026, 11, 23)],
        ["N", None],
        ["Y", date(2026, 11, 20)],
        ["Yes", None],
    ]
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    assert data["created_tracking_sheet"] is True
    rows = sheet_rows(sheet)
    assert rows[0] == ["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"]
    assert rows[1:] == [
        [
            "Ana Ruiz",
            "AET-1",
            "Ana Ruiz TBT.pdf",
            date(2026, 11, 23),
            "Jordan Reyes",
            hashlib.sha256(pdf("Ana Ruiz")).hexdigest(),
        ],
        [
            "Devon Price",
            "AET-1",
            "Devon Price TBT.pdf",
            date(2026, 11, 23),
            "Jordan Reyes",
            hashlib.sha256(pdf("Devon Price")).hexdigest(),
        ],
    ]


def test_a_new_tracking_sheet_is_laid_out_for_reading(tracker: Path, folder: Path) -> None:
    assert proofs(tracker, folder).exit_code == 0
    wb = openpyxl.load_workbook(tracker.parent / "TBT Tracking Sheet.xlsx")
    assert wb.sheetnames == ["TBT Tracking"]
    ws = wb["TBT Tracking"]
    assert [c.font.b for c in ws[1]] == [True] * 6
    assert [c.font.b for c in ws[2]] == [False] * 6
    assert ws.freeze_panes == "A2"
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEF"]
    assert widths == [24, 12, 30, 12, 18, 66]
    assert [ws.cell(r, 4).number_format for r in (2, 3)] == ["mm/dd/yyyy"] * 2
    assert ws["D2"].is_date and ws["D2"].value == datetime(2026, 11, 23)
    assert wb.properties.creator == "Jordan Reyes"
    assert not list(tracker.parent.glob("*.tmp"))  # written beside, then moved in place


def test_a_tracking_sheet_made_by_someone_while_esp_creates_it_is_kept(
    tracker: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate creates the TBT Tracking Sheet while esp creates it: theirs stays (not
    replaced by esp's), nothing is written to the tracker either, and the next run records
    the proofs in theirs."""
    from esp_cli import system

    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    theirs = make_workbook(
        tracker.parent / "theirs.xlsx",
        {"TBT Tracking": [["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"]]},
    ).read_bytes()
    before = tracker.read_bytes()
    real_beside = system._written_beside

    def written_then_theirs_made(target: Path, data: bytes) -> Path:
        made = real_beside(target, data)
        if target == sheet:
            sheet.write_bytes(theirs)
        return made

    monkeypatch.setattr(system, "_written_beside", written_then_theirs_made)
    res = proofs(tracker, folder)
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "was created by someone else while esp was creating it" in res.stderr
    assert sheet.read_bytes() == theirs and tracker.read_bytes() == before
    monkeypatch.undo()
    again = proofs(tracker, folder)
    assert again.exit_code == 0, again.output
    assert [r[0] for r in sheet_rows(sheet)[1:]] == ["Ana Ruiz", "Devon Price"]


def test_a_second_run_records_nothing_new(tracker: Path, folder: Path) -> None:
    assert proofs(tracker, folder).exit_code == 0
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    written = tracker.read_bytes(), sheet.read_bytes()
    res = proofs(tracker, folder, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    assert [p["file"] for p in data["already_recorded"]] == [
        "Ana Ruiz TBT.pdf",
        "Devon Price TBT.pdf",
    ]
    assert len(data["rejected"]) == 5
    assert (tracker.read_bytes(), sheet.read_bytes()) == written


def test_the_same_file_under_the_right_name_later_is_still_not_recorded_twice(
    tracker: Path, folder: Path, tmp_path: Path
) -> None:
    assert proofs(tracker, folder).exit_code == 0
    again = tmp_path / "again"
    again.mkdir()
    write(again, "Devon Price TBT.pdf", pdf("Devon Price"))
    write(again, "Kim Lee TBT.pdf", pdf("Kim Lee"))  # renamed as asked
    res = proofs(tracker, again, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["file"] for p in data["recorded"]] == ["Kim Lee TBT.pdf"]
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"]
    rows = sheet_rows(tracker.parent / "TBT Tracking Sheet.xlsx")
    assert [r[2] for r in rows[1:]] == [
        "Ana Ruiz TBT.pdf",
        "Devon Price TBT.pdf",
        "Kim Lee TBT.pdf",
    ]
    assert tracker_cells(tracker)[2] == ["Y", date(2026, 11, 23)]


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_copy_of_another_agents_recorded_proof_is_rejected_naming_whose_it_is(
    tracker: Path, folder: Path, tmp_path: Path, dry_run: bool
) -> None:
    """Devon's transcript, recorded yesterday, saved today as Kim's: not Kim's proof. It is
    rejected naming whose it is, Kim stays not complete and the sheet is unchanged (Devon's
    own file again is already in: test_a_second_run_records_nothing_new)."""
    assert proofs(tracker, folder).exit_code == 0
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    written = tracker.read_bytes(), sheet.read_bytes()
    later = tmp_path / "later"
    later.mkdir()
    write(later, "Kim Lee TBT.pdf", pdf("Devon Price"))
    res = proofs(tracker, later, "-f", "json", *(["--dry-run"] if dry_run else []))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    assert data["already_recorded"] == []
    assert [(r["file"], r["agent"], r["reason"], r["fix"]) for r in data["rejected"]] == [
        (
            "Kim Lee TBT.pdf",
            "Kim Lee",
            "the same file was recorded for Devon Price on 11/23/2026: not Kim Lee's own proof",
            "ask Kim Lee for it",
        )
    ]
    assert (tracker.read_bytes(), sheet.read_bytes()) == written
    table = proofs(tracker, later)
    assert "the same file was recorded for Devon Price on 11/23/2026" in table.stdout
    assert "already in" not in table.output


def test_the_owners_own_file_is_theirs_when_a_copy_for_another_agent_sorts_first(
    tracker: Path, folder: Path, tmp_path: Path
) -> None:
    """Devon's transcript, recorded yesterday, comes in again beside a copy saved as Ana's,
    whose name sorts first: Devon's own file is Devon's (already in), and the copy is the
    one rejected, naming whose the file is."""
    assert proofs(tracker, folder).exit_code == 0
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    written = tracker.read_bytes(), sheet.read_bytes()
    later = tmp_path / "later"
    later.mkdir()
    write(later, "Ana Ruiz TBT.pdf", pdf("Devon Price"))
    write(later, "Devon Price TBT.pdf", pdf("Devon Price"))
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"]
    assert [(r["file"], r["agent"], r["reason"], r["fix"]) for r in data["rejected"]] == [
        (
            "Ana Ruiz TBT.pdf",
            "Ana Ruiz",  # as a recorded proof names her
            "the same file was recorded for Devon Price on 11/23/2026: not Ana Ruiz's own proof",
            "ask Ana Ruiz for it",
        )
    ]
    assert (tracker.read_bytes(), sheet.read_bytes()) == written


def test_an_agent_flagged_by_hand_gets_only_the_date(tracker: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    write(one, "Lia Wong TBT.pdf", pdf("Lia Wong"))
    res = proofs(tracker, one, "-f", "json")
    assert res.exit_code == 0, res.output
    changes = json.loads(res.stdout)["changes"]
    assert [(c["cell"], c["old"], c["new"]) for c in changes] == [("E7", None, "2026-11-23")]
    assert tracker_cells(tracker)[4] == ["Yes", date(2026, 11, 23)]


def test_a_checkbox_is_reported_and_recorded_as_what_is_written(tmp_path: Path) -> None:
    """All TBTs Complete? as TRUE/FALSE cells (Excel checkboxes): esp ticks the box, and says
    so — TRUE in the table, true in the JSON and in the history — as it says what it held."""
    tracker = tmp_path / "ESP Tracker.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(HEADERS)
    ws.append(["AET-1", "Devon Price", "E101", False, None])
    wb.save(tracker)
    one = tmp_path / "one"
    one.mkdir()
    write(one, "Devon Price TBT.pdf", pdf("Devon Price"))
    dry = proofs(tracker, one, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "FALSE → TRUE" in dry.stdout and "Yes" not in dry.stdout
    res = proofs(tracker, one, "-f", "json")
    assert res.exit_code == 0, res.output
    changes = json.loads(res.stdout)["changes"]
    assert [(c["cell"], c["old"], c["new"]) for c in changes][0] == ("D2", False, True)
    assert openpyxl.load_workbook(tracker)["ESP Tracker"]["D2"].value is True
    history = CliRunner().invoke(app, ["history", "--tracker", str(tracker), "-f", "json"])
    assert history.exit_code == 0, history.output
    (op,) = json.loads(history.stdout)["operations"]
    assert [(c["cell"], c["before"], c["after"]) for c in op["cells"]][0] == ("D2", False, True)


def test_dry_run_writes_nothing(tracker: Path, folder: Path) -> None:
    before = tracker.read_bytes()
    res = proofs(tracker, folder, "--dry-run", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["recorded"]) == 2 and data["dry_run"] is True
    assert {(c["cell"], c["old"], c["new"]) for c in data["changes"]} == {
        ("D3", "N", "Y"),
        ("E3", None, "2026-11-23"),
        ("D4", "N", "Y"),
        ("E4", None, "2026-11-23"),
    }
    assert tracker.read_bytes() == before
    assert not (tracker.parent / "TBT Tracking Sheet.xlsx").exists()
    assert "Dry run" in res.stderr


def test_a_folder_of_rejects_changes_nothing(tracker: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad, "Devon Price.pdf", pdf("Devon Price"))
    write(bad, "Devon Price TBT.pdf.docx", b"PK\x03\x04")
    write(bad, "Ana Ruiz TBT.pdf", PDF[:40])  # cut short
    before = tracker.read_bytes()
    res = proofs(tracker, bad, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    reasons = {r["file"]: r["reason"] for r in data["rejected"]}
    assert "no ' TBT' before .pdf" in reasons["Devon Price.pdf"]
    assert reasons["Ana Ruiz TBT.pdf"].startswith("an incomplete PDF")
    assert tracker.read_bytes() == before
    assert not (tracker.parent / "TBT Tracking Sheet.xlsx").exists()


def test_an_existing_hand_made_tracking_sheet_is_appended_to(tracker: Path, folder: Path) -> None:
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Proofs"
    ws.append(["TBT Tracking Form"])
    ws.append(["Agent Name", "Class", "File Name", "Date Received", "Uploaded By"])
    ws.append(["Price, Devon", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 21), "Jordan Reyes"])
    ws["D3"].number_format = "m/d/yyyy"
    wb.save(sheet)
    res = proofs(tracker, folder, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # Recorded by hand earlier (no SHA-256 there): matched by agent and file name.
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"]
    assert [p["file"] for p in data["recorded"]] == ["Ana Ruiz TBT.pdf"]
    rows = sheet_rows(sheet)
    assert rows[1] == [
        "Agent Name",
        "Class",
        "File Name",
        "Date Received",
        "Uploaded By",
        "SHA-256",
    ]
    assert rows[3][:5] == [
        "Ana Ruiz",
        "AET-1",
        "Ana Ruiz TBT.pdf",
        date(2026, 11, 23),
        "Jordan Reyes",
    ]
    assert rows[3][5] == hashlib.sha256(pdf("Ana Ruiz")).hexdigest()
    # The flag is still set for the proof recorded by hand.
    assert tracker_cells(tracker)[0] == ["Y", date(2026, 11, 23)]


def test_a_hand_made_tracking_sheet_keeps_its_unlabelled_column(
    tracker: Path, folder: Path
) -> None:
    """The SHA-256 column esp adds goes after the sheet's last used column, never over a
    column of data that has no header."""
    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Proofs"
    ws.append(["Agent Name", "Class", "File Name", "Date Received", "Uploaded By"])
    ws.append(["Price, Devon", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 21), "Jo", "ok"])
    wb.save(sheet)
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert "Added column Proofs!G 'SHA-256' (placed after" in res.stderr
    rows = sheet_rows(sheet)
    assert rows[0][5:] == [None, "SHA-256"]
    assert rows[1][5] == "ok"


def test_no_folder_is_a_clear_error(tracker: Path, tmp_path: Path) -> None:
    res = proofs(tracker, tmp_path / "nowhere")
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "no such folder" in res.stderr


# ------------------------------------------------------------------------------ pure


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (PDF, None),
        (PDF + b"\n\n", None),
        (b"\xef\xbb\xbf" + PDF, None),
        (PDF[:-7], "an incomplete PDF"),
        (b"PK\x03\x04" + PDF[5:], "not a PDF"),
        (b"", "an empty file (0 bytes)"),
    ],
)
def test_pdf_by_content(data: bytes, problem: str | None) -> None:
    got = pdf_problem(data)
    assert (got is None) if problem is None else (got is not None and got.startswith(problem))


def _row(name: str, r: int = 3) -> Row:
    return Row("S", r, "AET-1", {"agent_name": name}, {"agent_name": name})


@pytest.mark.parametrize(
    ("file", "why"),
    [
        ("devon price TBT.pdf", "capitals differ"),
        ("Devon Price TBT.PDF", "capitals differ"),
        ("Devon_Price_TBT.pdf", "underscores for spaces"),
        ("Devon Price.pdf", "no ' TBT' before .pdf"),
        ("Price, Devon TBT.pdf", "'Last, First' order"),
        ("Devon Price TBT", "no '.pdf' at the end"),
        ("Devon Price", "no ' TBT' and no '.pdf' at the end"),
    ],
)
def test_close_names_say_the_expected_name(file: str, why: str) -> None:
    got = check_name(file, [_row("Devon Price"), _row("Ana Ruiz", 4)], "t.xlsx")
    assert isinstance(got, Rejected)
    assert got.expected == "Devon Price TBT.pdf"
    assert why in got.reason and misnaming(file, "Devon Price TBT.pdf") in got.reason


def test_the_right_name_matches_the_agent() -> None:
    devon = _row("Devon Price")
    assert check_name("Devon Price TBT.pdf", [devon, _row("Ana Ruiz", 4)], "t.xlsx") is devon
    assert name_in("price,_devon_tbt.pdf") == "devon price"


def test_two_agents_of_the_same_name_are_not_guessed() -> None:
    got = check_name("Devon Price TBT.pdf", [_row("Devon Price"), _row("Devon Price", 9)], "t")
    assert isinstance(got, Rejected) and "2 agents are named" in got.reason


MANY_NAMES = "Maria Fernanda Alejandra Guadalupe de los Santos Villanueva Rodriguez"


def test_a_long_name_is_taken_cut_as_esp_tells_it_and_whole_as_before() -> None:
    """A name over 60 characters: the file named with it cut (as esp advise tells it) is the
    agent's, the whole name too where a file can have it (told before names were cut); two
    agents whose names are one once cut are both named, never guessed between."""
    maria = _row(MANY_NAMES)
    cut = MANY_NAMES[:60].rstrip() + "… TBT.pdf"
    for file in (cut, f"{MANY_NAMES} TBT.pdf"):
        assert check_name(file, [maria, _row("Ana Ruiz", 4)], "t.xlsx") is maria, file
    typed = check_name(cut.replace("…", "..."), [maria], "t.xlsx")
    assert isinstance(typed, Rejected) and typed.expected == cut
    assert "(three dots for the ellipsis '…', typed Alt+0133 on Windows)" in typed.reason, typed
    got = check_name(cut, [maria, _row(MANY_NAMES + " Jr", 9)], "t")
    assert isinstance(got, Rejected) and "2 agents" in got.reason


# -------------------------------------------------- a tracking sheet that cannot be written


def _refuse_creating_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    # As root a folder's permissions would not stop the test, so the refusal a user gets is
    # simulated where a file is first created there.
    real = os.open

    def open_(file: Any, flags: int, *args: Any) -> int:
        if flags & os.O_CREAT and Path(file).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, flags, *args)

    monkeypatch.setattr(os, "open", open_)


def test_a_tracking_sheet_in_a_missing_folder_is_exit_6_and_the_tracker_unchanged(
    tracker: Path, folder: Path
) -> None:
    before = tracker.read_bytes()
    sheet = tracker.parent / "no such folder" / "TBT Tracking Sheet.xlsx"
    res = CliRunner().invoke(
        app,
        ["tbt", "proofs", str(folder), "--tracker", str(tracker), "--tracking-sheet", str(sheet),
         "--by", "Jordan Reyes"],
    )  # fmt: skip
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "the TBT Tracking Sheet cannot be created" in res.stderr
    assert "--tracking-sheet" in res.stderr and "no such folder" in res.stderr
    assert tracker.read_bytes() == before
    assert not sheet.parent.exists()


@pytest.mark.parametrize("existing", [False, True])
def test_a_tracking_sheet_folder_that_cannot_be_written_is_exit_6(
    tracker: Path, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    sheet = shared / "TBT Tracking Sheet.xlsx"
    if existing:
        make_workbook(sheet, {"TBT Tracking": [["Agent", "Class", "File"]]})
    sheet_before = sheet.read_bytes() if existing else None
    before = tracker.read_bytes()
    _refuse_creating_in(monkeypatch, shared)
    res = CliRunner().invoke(
        app,
        ["tbt", "proofs", str(folder), "--tracker", str(tracker), "--tracking-sheet", str(sheet),
         "--by", "Jordan Reyes"],
    )  # fmt: skip
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "Permission denied" in res.stderr
    assert "Traceback" not in res.output
    assert tracker.read_bytes() == before
    assert (sheet.read_bytes() if existing else None) == sheet_before
    assert sorted(p.name for p in shared.iterdir()) == (
        ["TBT Tracking Sheet.xlsx"] if existing else []
    )


@pytest.mark.parametrize(
    ("file", "agent"),
    [
        ("Brian O’Connor TBT.pdf", "Brian O'Connor"),
        ("Brian O'Connor TBT.pdf", "Brian O’Connor"),
        ("Brian OʼConnor TBT.pdf", "Brian O'Connor"),
        ("Brian O`Connor TBT.pdf", "Brian O'Connor"),
    ],
)
def test_any_apostrophe_in_a_proofs_name_is_well_named(file: str, agent: str) -> None:
    brian = _row(agent)
    assert check_name(file, [brian, _row("Ana Ruiz", 4)], "t.xlsx") is brian


# ------------------------------------ a tracking sheet kept as an Excel table, or with a total

TRACKING_HEADERS = ["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"]
EARLIER = [
    ["Maria Gonzalez", "AET-1", "Maria Gonzalez TBT.pdf", date(2026, 11, 18), "Jo", "abc"],
    ["James Whitaker", "AET-1", "James Whitaker TBT.pdf", date(2026, 11, 17), "Jo", "def"],
]
NEW = ["Ana Ruiz", "Devon Price"]  # the folder's two good proofs, in the order recorded


def tracking_sheet(
    tracker: Path,
    rows: list[list[Any]],
    table: str | None = None,
    totals: bool = False,
    autofilter: str | None = None,
) -> Path:
    """A TBT Tracking Sheet of `rows` under the headers; `table`: its range as an Excel
    table 'Proofs' (`totals`: its last row a Total Row); a Count sheet counts the table;
    `autofilter`: the range of a plain filter on the sheet (Data > Filter, no table)."""
    from openpyxl.worksheet.table import Table, TableStyleInfo

    path = tracker.parent / "TBT Tracking Sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TBT Tracking"
    ws.append(TRACKING_HEADERS)
    for row in rows:
        ws.append(row)
    if table is not None:
        t = Table(displayName="Proofs", ref=table, totalsRowCount=1 if totals else None)
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(t)
        wb.create_sheet("Count")["B1"] = "=COUNTA(Proofs[Agent])"
    if autofilter is not None:
        ws.auto_filter.ref = autofilter
    wb.save(path)
    return path


def table_refs(path: Path) -> tuple[str, str | None]:
    from tests.support.packages import zip_parts

    xml = zip_parts(path)["xl/tables/table1.xml"].decode()
    ref = re.search(r'<table [^>]*?\bref="([^"]+)"', xml)
    auto = re.search(r'<autoFilter [^>]*?\bref="([^"]+)"', xml)
    assert ref is not None
    return ref.group(1), auto.group(1) if auto else None


def agents_in(path: Path) -> list[Any]:
    return [row[0] for row in sheet_rows(path)]


def test_a_proof_joins_the_teams_excel_table(tracker: Path, folder: Path) -> None:
    """The proofs are an Excel table (A1:F3): the new rows 4 and 5 join it — its range and
    its filter grow — so the table's count and its banding take them in."""

    sheet = tracking_sheet(tracker, EARLIER, table="A1:F3")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert table_refs(sheet) == ("A1:F5", "A1:F5")
    assert_schema_valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")


def test_a_proof_fills_the_tables_blank_rows_first(tracker: Path, folder: Path) -> None:
    sheet = tracking_sheet(tracker, [*EARLIER, [None] * 6, [None] * 6], table="A1:F5")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert table_refs(sheet) == ("A1:F5", "A1:F5")


def test_a_proof_goes_above_the_tables_total_row(tracker: Path, folder: Path) -> None:
    """A table with a Total Row (A1:F6, totals in row 6) and blank rows 4-5 above it."""
    total = ["Total", None, "=SUBTOTAL(103,Proofs[File])", None, None, None]
    sheet = tracking_sheet(
        tracker, [*EARLIER, [None] * 6, [None] * 6, total], table="A1:F6", totals=True
    )
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW, "Total"]
    assert table_refs(sheet)[0] == "A1:F6"
    assert openpyxl.load_workbook(sheet).worksheets[0]["C6"].value == total[2]


def test_no_room_above_a_tables_total_row_is_refused_with_its_fix(
    tracker: Path, folder: Path
) -> None:
    total = ["Total", None, "=SUBTOTAL(103,Proofs[File])", None, None, None]
    sheet = tracking_sheet(tracker, [*EARLIER, total], table="A1:F4", totals=True)
    before = sheet.read_bytes(), tracker.read_bytes()
    res = proofs(tracker, folder)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "'TBT Tracking'!A4" in line and "'Proofs'" in line and "Total Row" in line, line
    assert "Fix:" in line and "Table Rows Above" in line and "2 " in line, line
    assert (sheet.read_bytes(), tracker.read_bytes()) == before


def test_a_proof_goes_above_a_typed_total_that_counts_it(tracker: Path, folder: Path) -> None:
    """No table: the proofs, two blank rows, then 'Total proofs' counting C2:C5 in row 6:
    the new proofs go in rows 4 and 5, where the total counts them; nothing is said."""
    total = ["Total proofs", None, "=COUNTA(C2:C5)", None, None, None]
    sheet = tracking_sheet(tracker, [*EARLIER, [None] * 6, [None] * 6, total])
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW, "Total proofs"]
    assert "total" not in res.stderr.lower()


def test_a_typed_total_that_would_not_count_the_new_rows_is_named(
    tracker: Path, folder: Path
) -> None:
    total = ["Total proofs", None, "=COUNTA(C2:C3)", None, None, None]
    sheet = tracking_sheet(tracker, [*EARLIER, [None] * 6, [None] * 6, total])
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW, "Total proofs"]
    assert "'TBT Tracking'!C6" in res.stderr and "COUNTA(C2:C3)" in res.stderr, res.stderr
    assert "rows 4 to 5" in res.stderr, res.stderr
    assert openpyxl.load_workbook(sheet).worksheets[0]["C6"].value == "=COUNTA(C2:C3)"


def test_no_room_above_a_typed_total_is_refused_with_its_fix(tracker: Path, folder: Path) -> None:
    total = ["Total proofs", None, "=COUNTA(C2:C3)", None, None, None]
    sheet = tracking_sheet(tracker, [*EARLIER, total])
    before = sheet.read_bytes(), tracker.read_bytes()
    res = proofs(tracker, folder)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "'TBT Tracking'!C4" in line and "COUNTA(C2:C3)" in line, line
    assert "Fix: insert 2 blank rows above row 4" in line, line
    assert (sheet.read_bytes(), tracker.read_bytes()) == before


def test_a_full_table_with_something_under_it_is_refused(tracker: Path, folder: Path) -> None:
    sheet = tracking_sheet(tracker, [*EARLIER, ["see HR about James", *[None] * 5]], "A1:F3")
    before = sheet.read_bytes()
    res = proofs(tracker, folder)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert "'Proofs'" in line and "row 4" in line and "Resize Table" in line, line
    assert sheet.read_bytes() == before


def _open_in_excel(path: Path) -> Path:
    from tests.support.windows import excel_owner_file

    owner = path.with_name(f"~${path.name}")
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    return owner


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_rows_waiting_beside_a_tracking_sheet_open_in_excel_are_said_to_wait(
    tracker: Path, folder: Path, fmt: str
) -> None:
    """The TBT Tracking Sheet open in Excel: its new rows wait beside it, and esp says so —
    never "Added" — with the operation and how they will be added; the tracker is written."""
    from esp_cli.workbook.waiting import Store

    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    before = sheet.read_bytes()
    res = proofs(tracker, folder, "-f", fmt)
    assert res.exit_code == ExitCode.WAITING, res.output
    assert sheet.read_bytes() == before
    (kept,) = Store(sheet).unwritten().ops
    assert "Added to" not in res.stderr
    said = f"Nothing added yet to {sheet}: it is open in Excel by Keisha Grant. 2 row(s) wait"
    assert said in res.stderr and f"as operation {kept.op}" in res.stderr
    assert "added by the next esp apply or esp tbt proofs that finds it free" in res.stderr
    assert "esp apply --wait --tracker" in res.stderr
    assert tracker_cells(tracker)[0] == ["Y", date(2026, 11, 23)]  # the tracker is written
    if fmt == "json":
        data = json.loads(res.stdout)
        assert data["tracking_sheet_status"] == "waiting"
        assert data["tracking_sheet_op"] == kept.op and data["status"] == "written"
    else:
        assert "Waiting to record 2 proof(s) in TBT Tracking Sheet.xlsx" in res.stdout
        assert "Recorded 2" not in res.stdout
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(sheet)])
    assert applied.exit_code == 0, applied.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]


def test_esp_pending_and_apply_on_the_tracker_say_what_waits_beside_its_tracking_sheet(
    tracker: Path, folder: Path
) -> None:
    """Rows esp tbt proofs could not add (the TBT Tracking Sheet open in Excel) are never
    out of sight: `esp pending` and `esp apply` on the tracker name them, with how to list
    them."""
    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    listed = CliRunner().invoke(app, ["pending", "--tracker", str(tracker), "-f", "json"])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert data["operations"] == []
    (also,) = data["also_waiting"]
    assert Path(also["workbook"]) == sheet and also["operations"] == 1 and also["cells"] > 0
    assert "also wait beside TBT Tracking Sheet.xlsx" in listed.stderr
    assert "esp pending --tracker" in listed.stderr
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(tracker), "-f", "json"])
    assert applied.exit_code == ExitCode.WAITING, applied.output  # the sheet's still wait
    assert json.loads(applied.stdout)["also_waiting"][0]["operations"] == 1
    assert "TBT Tracking Sheet.xlsx is open in Excel by Keisha Grant" in applied.stderr
    owner.unlink()
    assert CliRunner().invoke(app, ["apply", "--tracker", str(sheet)]).exit_code == 0
    again = CliRunner().invoke(app, ["pending", "--tracker", str(tracker), "-f", "json"])
    assert json.loads(again.stdout)["also_waiting"] == []
    assert "also wait" not in again.stderr


def test_rows_added_to_a_free_tracking_sheet_are_said_to_be_added(
    tracker: Path, folder: Path
) -> None:
    sheet = tracking_sheet(tracker, EARLIER)
    res = proofs(tracker, folder, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["tracking_sheet_status"] == "written" and data["tracking_sheet_op"]
    assert f"Added to {sheet}: 2 row(s)." in res.stderr


def test_pending_shows_what_a_checkbox_will_be_given(tmp_path: Path) -> None:
    """A change for a TRUE/FALSE cell (an Excel checkbox) waits beside the tracker: esp
    pending (and esp explain, counting it) shows TRUE, as the write writes it and reports
    it, not the text typed (Yes)."""
    tracker = tmp_path / "ESP Tracker.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    # With the columns the rules need, which esp explain reads (after D and E).
    ws.append([*HEADERS, *factories.headers("esp_start", "call_cert_complete")])
    ws.append(["AET-1", "Devon Price", "E101", False, None, date(2026, 11, 16), "No"])
    wb.save(tracker)
    one = tmp_path / "one"
    one.mkdir()
    write(one, "Devon Price TBT.pdf", pdf("Devon Price"))
    owner = _open_in_excel(tracker)
    res = proofs(tracker, one)
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "FALSE → TRUE" in res.stdout
    pending = ["pending", "--tracker", str(tracker)]
    shown = CliRunner().invoke(app, pending)
    assert shown.exit_code == 0, shown.output
    assert "FALSE → TRUE" in shown.stdout and "Yes" not in shown.stdout
    data = json.loads(CliRunner().invoke(app, [*pending, "-f", "json"]).stdout)
    (cell, _date) = data["operations"][0]["cells"]
    assert (cell["cell"], cell["seen"], cell["value"]) == ("D2", False, True)
    rows = CliRunner().invoke(app, [*pending, "-f", "csv"]).stdout
    assert ",D2," in rows and "Yes" not in rows
    # esp explain counts it, as what will be written too.
    told = CliRunner().invoke(app, ["explain", "Devon Price", "--tracker", str(tracker)])
    assert told.exit_code == 0, told.output
    assert "All TBTs Complete? → TRUE" in told.stdout and "→ Yes" not in told.stdout
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(tracker), "-f", "json"])
    assert applied.exit_code == 0, applied.output
    assert openpyxl.load_workbook(tracker)["ESP Tracker"]["D2"].value is True


def sheet_filter(path: Path) -> tuple[str | None, str | None]:
    """The tracking sheet's own filter range (<autoFilter ref>, not a table's) and its
    hidden _xlnm._FilterDatabase name, as written."""
    from tests.support.packages import zip_parts

    parts = zip_parts(path)
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    auto = re.search(r'<autoFilter [^>]*?\bref="([^"]+)"', sheet_xml)
    name = re.search(
        r'<definedName [^>]*name="_xlnm._FilterDatabase"[^>]*>([^<]*)</definedName>',
        parts["xl/workbook.xml"].decode(),
    )
    return auto.group(1) if auto else None, name.group(1) if name else None


def test_a_proof_joins_the_sheets_filter(tracker: Path, folder: Path) -> None:
    """The proofs under a plain filter (Data > Filter, A1:F3, no Excel table): the new rows
    4 and 5 join it — its range and its hidden _FilterDatabase name grow — as a table's do,
    and the parts stay schema-valid."""

    sheet = tracking_sheet(tracker, EARLIER, autofilter="A1:F3")
    assert sheet_filter(sheet) == ("A1:F3", "'TBT Tracking'!$A$1:$F$3")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert sheet_filter(sheet) == ("A1:F5", "'TBT Tracking'!$A$1:$F$5")
    assert_schema_valid(sheet, "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def test_a_filter_that_ends_above_the_last_proof_is_left_as_it_is(
    tracker: Path, folder: Path
) -> None:
    """Only a row written right under the filter joins it, as in Excel."""
    sheet = tracking_sheet(tracker, EARLIER, autofilter="A1:F2")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert sheet_filter(sheet) == ("A1:F2", "'TBT Tracking'!$A$1:$F$2")


def recorded_in(tracker: Path, folder: Path, **sheet: Any) -> Path:
    """A tracking sheet of the earlier proofs (see tracking_sheet), the folder's recorded."""
    path = tracking_sheet(tracker, EARLIER, **sheet)
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    return path


def undo_sheet(sheet: Path, *op: str) -> Any:
    argv = ["undo", *op, "--tracker", str(sheet), "--by", "Jordan Reyes"]
    return CliRunner().invoke(app, argv)


def test_undoing_proof_rows_that_grew_the_table_shrinks_it_back(
    tracker: Path, folder: Path
) -> None:
    """esp's write grew the table over the new rows; its undo empties them and gives the
    table (and its filter) back the range it had, schema-valid."""

    sheet = recorded_in(tracker, folder, table="A1:F3")
    assert table_refs(sheet) == ("A1:F5", "A1:F5")
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker"]
    assert table_refs(sheet) == ("A1:F3", "A1:F3")
    assert_schema_valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")
    # Undone in turn: the rows come back, and the table takes them in again.
    undone = re.search(r"undo with: esp undo (\w+)", res.stderr)
    assert undone is not None, res.stderr
    again = undo_sheet(sheet, undone.group(1))
    assert again.exit_code == 0, again.output
    assert table_refs(sheet) == ("A1:F5", "A1:F5")


def test_undoing_proof_rows_in_the_tables_own_blank_rows_leaves_its_range(
    tracker: Path, folder: Path
) -> None:
    """The table had the rows already (esp did not grow it): its range stays as it was."""
    sheet = tracking_sheet(tracker, [*EARLIER, [None] * 6, [None] * 6], table="A1:F5")
    assert proofs(tracker, folder).exit_code == 0
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert table_refs(sheet) == ("A1:F5", "A1:F5")


def test_undoing_proof_rows_that_grew_the_sheets_filter_shrinks_it_back(
    tracker: Path, folder: Path
) -> None:
    sheet = recorded_in(tracker, folder, autofilter="A1:F3")
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert sheet_filter(sheet) == ("A1:F3", "'TBT Tracking'!$A$1:$F$3")


def test_a_table_resized_in_excel_since_is_left_as_it_is_by_the_undo(
    tracker: Path, folder: Path
) -> None:
    """Only the range esp's write made is taken back: one changed since is the team's."""
    from tests.support.packages import copy_with_parts, zip_parts

    sheet = recorded_in(tracker, folder, table="A1:F3")
    table = zip_parts(sheet)["xl/tables/table1.xml"].replace(b'"A1:F5"', b'"A1:F6"')
    resized = sheet.with_name("resized.xlsx")
    copy_with_parts(sheet, resized, {"xl/tables/table1.xml": table})
    resized.replace(sheet)  # saved in Excel, the table resized
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert table_refs(sheet) == ("A1:F6", "A1:F6")


def test_an_undo_that_waited_gives_the_table_back_its_range_when_written(
    tracker: Path, folder: Path
) -> None:
    sheet = recorded_in(tracker, folder, table="A1:F3")
    owner = _open_in_excel(sheet)
    waited = undo_sheet(sheet)
    assert waited.exit_code == ExitCode.WAITING, waited.output
    assert table_refs(sheet) == ("A1:F5", "A1:F5")
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(sheet)])
    assert applied.exit_code == 0, applied.output
    assert table_refs(sheet) == ("A1:F3", "A1:F3")
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker"]


# -- esp apply on the tracker writes what waits beside its TBT Tracking Sheet ----------------


def _apply(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["apply", "--tracker", str(tracker), *args])


def _waiting_beside(path: Path) -> int:
    from esp_cli.workbook.waiting import Store

    return len(Store(path).unwritten().ops)


def test_esp_apply_on_the_tracker_writes_what_waits_beside_its_tracking_sheet(
    tracker: Path, folder: Path
) -> None:
    """The rows esp tbt proofs kept while the sheet was open are written by the usual
    `esp apply`, in a write of the sheet's own (its backup, its history, its undo id)."""
    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    owner.unlink()
    tracker_before = tracker.read_bytes()
    res = _apply(tracker, "-f", "json")
    assert res.exit_code == 0, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert tracker.read_bytes() == tracker_before  # nothing waited beside the tracker
    assert _waiting_beside(sheet) == 0
    data = json.loads(res.stdout)
    assert data["status"] == "unchanged" and data["applied"] == []  # the tracker's, as before
    assert data["also_waiting"] == []
    part = data["tracking_sheet"]
    assert Path(part["tracker"]) == sheet and part["status"] == "written"
    (written,) = part["applied"]
    assert part["backup"] and part["waiting_written"] == [written["op"]]
    assert len(part["changes"]) == 12
    history = CliRunner().invoke(app, ["history", "--tracker", str(sheet), "-f", "json"])
    assert written["op"] in history.stdout
    # Its undo id takes the rows back out of the sheet.
    assert undo_sheet(sheet, written["op"]).exit_code == 0
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker"]


def test_esp_apply_says_what_it_wrote_to_each_workbook_and_what_still_waits(
    tracker: Path, folder: Path
) -> None:
    """Both open while proofs were recorded: both wait. Each is written once it is free,
    the other said to wait on (exit 7) with who has it."""
    sheet = tracking_sheet(tracker, EARLIER)
    tracker_owner = _open_in_excel(tracker)
    sheet_owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    assert _waiting_beside(tracker) == 1 and _waiting_beside(sheet) == 1
    sheet_owner.unlink()  # the sheet is free, the tracker still open
    res = _apply(tracker)
    assert res.exit_code == ExitCode.WAITING, res.output
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert "Nothing written yet: ESP Tracker.xlsx is open in Excel by Keisha Grant" in res.stderr
    assert "Wrote 1 waiting change(s), 12 cell(s), to" in res.stderr
    assert "TBT Tracking Sheet.xlsx (backup:" in res.stderr
    assert "esp undo OP --tracker" in res.stderr
    assert "Still waiting beside ESP Tracker.xlsx" in res.stdout
    assert "Wrote " in res.stdout and "esp tbt proofs" in res.stdout
    # Then the tracker is free and the sheet open again (nothing waits beside it now).
    tracker_owner.unlink()
    _open_in_excel(sheet)
    res = _apply(tracker, "-f", "json")
    assert res.exit_code == 0, res.output
    assert tracker_cells(tracker)[0] == ["Y", date(2026, 11, 23)]
    assert "tracking_sheet" not in json.loads(res.stdout)


def test_esp_apply_says_the_tracking_sheet_still_waits_while_it_is_open(
    tracker: Path, folder: Path
) -> None:
    sheet = tracking_sheet(tracker, EARLIER)
    _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    before = sheet.read_bytes()
    res = _apply(tracker, "-f", "json")
    assert res.exit_code == ExitCode.WAITING, res.output  # something still waits
    assert sheet.read_bytes() == before and _waiting_beside(sheet) == 1
    data = json.loads(res.stdout)
    assert data["status"] == "unchanged"
    assert data["tracking_sheet"]["status"] == "waiting"
    assert len(data["tracking_sheet"]["waiting"]) == 1
    assert data["also_waiting"][0]["operations"] == 1
    said = "Nothing written yet: TBT Tracking Sheet.xlsx is open in Excel by Keisha Grant"
    assert said in res.stderr


def test_esp_apply_dry_run_shows_what_it_would_write_to_the_tracking_sheet(
    tracker: Path, folder: Path
) -> None:
    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    owner.unlink()
    before = sheet.read_bytes(), tracker.read_bytes()
    res = _apply(tracker, "--dry-run")
    assert res.exit_code == 0, res.output
    assert (sheet.read_bytes(), tracker.read_bytes()) == before
    assert "Would write" in res.stdout and "Devon Price TBT.pdf" in res.stdout
    assert "12 cell(s) would change in TBT Tracking Sheet.xlsx; nothing was written" in res.stderr
    data = json.loads(_apply(tracker, "--dry-run", "-f", "json").stdout)
    assert data["tracking_sheet"]["status"] == "dry_run"
    assert len(data["tracking_sheet"]["changes"]) == 12
    rows = _apply(tracker, "--dry-run", "-f", "csv").stdout
    assert "Devon Price TBT.pdf" in rows
    assert _waiting_beside(sheet) == 1


def test_esp_apply_wait_waits_for_the_tracking_sheet_too(tracker: Path, folder: Path) -> None:
    from esp_cli.config import Config
    from esp_cli.services.apply import Waiter, apply_when_free

    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    said: list[str] = []

    def sleep(_seconds: float) -> None:  # Keisha closes the sheet while esp waits
        owner.unlink()

    clock = iter(range(0, 10_000, 5))
    waiter = Waiter(said.append, sleep=sleep, clock=lambda: float(next(clock)))
    result = apply_when_free(tracker, Config(user="Jordan Reyes"), waiter)
    assert result.sheet is not None and result.sheet.write.status == "written"
    assert said == [
        "TBT Tracking Sheet.xlsx is open in Excel by Keisha Grant; waiting for it to be free "
        "(looking every 5 s; Ctrl-C stops, nothing is lost)."
    ]
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    assert result.also_waiting == []


def test_esp_apply_wait_timeout_counts_both_workbooks(tracker: Path, folder: Path) -> None:
    sheet = tracking_sheet(tracker, EARLIER)
    _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    res = _apply(tracker, "--wait", "--timeout", "0s")
    assert res.exit_code == ExitCode.WAITING, res.output
    assert _waiting_beside(sheet) == 1


def test_esp_apply_on_the_tracking_sheet_itself_is_as_before(tracker: Path, folder: Path) -> None:
    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    owner.unlink()
    res = _apply(sheet, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "tracking_sheet" not in data and data["status"] == "written"
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]


def test_a_tracking_sheet_esp_cannot_read_is_said_after_the_trackers_part(
    tracker: Path, folder: Path
) -> None:
    """The tracker's waiting change is written and said; the sheet's error follows, in one
    line with its exit code, and its changes wait on."""
    sheet = tracking_sheet(tracker, EARLIER)
    owners = [_open_in_excel(tracker), _open_in_excel(sheet)]
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    for owner in owners:
        owner.unlink()
    sheet.write_bytes(b"not a workbook")
    res = _apply(tracker)
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert tracker_cells(tracker)[0] == ["Y", date(2026, 11, 23)]
    assert "Wrote 1 waiting change(s)" in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("esp:")
    assert "TBT Tracking Sheet.xlsx" in res.stderr.strip().splitlines()[-1]
    assert _waiting_beside(sheet) == 1 and _waiting_beside(tracker) == 0


def test_a_tracking_sheet_esp_cannot_read_is_in_the_json_too(tracker: Path, folder: Path) -> None:
    """A script reading esp apply's JSON learns why the sheet's rows still wait."""
    sheet = tracking_sheet(tracker, EARLIER)
    owners = [_open_in_excel(tracker), _open_in_excel(sheet)]
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    for owner in owners:
        owner.unlink()
    sheet.write_bytes(b"not a workbook")
    res = _apply(tracker, "--format", "json")
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    said = json.loads(res.stdout)["tracking_sheet_error"]
    assert "TBT Tracking Sheet.xlsx" in said["message"] and said["fix"]
    assert said["exit_code"] == ExitCode.BAD_INPUT


# The layouts an undo of esp tbt proofs gives back: the rows it added (a TBT Tracking Sheet
# with its SHA-256 column, as is, under a table or a filter), the SHA-256 column it added to a
# hand-made sheet under a table or a filter with the rows, or the column alone (every proof
# recorded already).
UNDONE_LAYOUTS = ["rows", "rows-table", "rows-filter", "column-table", "column-filter"]
UNDONE_LAYOUTS += ["only-column-table", "only-column-filter"]


def _recorded_in_layout(tracker: Path, folder: Path, layout: str) -> Path:
    """A TBT Tracking Sheet in `layout` (see UNDONE_LAYOUTS), the folder's proofs recorded."""
    structure = {"table": "A1:F3"} if layout.endswith("table") else {}
    structure |= {"autofilter": "A1:F3"} if layout.endswith("filter") else {}
    if layout.startswith("rows"):
        return recorded_in(tracker, folder, **structure)
    rows = EARLIER if layout.startswith("column") else [*EARLIER, *ALREADY]
    end = 1 + len(rows)
    sheet = _filtered_without_sha(
        tracker,
        autofilter=f"A1:E{end}" if "autofilter" in structure else None,
        table=f"A1:E{end}" if "table" in structure else None,
        rows=rows,
    )
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    return sheet


ALREADY = [
    ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 23), "Jo"],
    ["Devon Price", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 23), "Jo"],
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_tracking_sheet_esp_cannot_read_while_the_tracker_still_waits_exits_7(
    tracker: Path, folder: Path, fmt: str
) -> None:
    """The tracker is still open in Excel (its change waits: 7, as README's exit codes say:
    something still waits) and the sheet cannot be read: whatever the format, esp apply
    exits 7 and still says the sheet's error last (the JSON carries it, with its own exit
    code)."""
    sheet = tracking_sheet(tracker, EARLIER)
    owners = [_open_in_excel(tracker), _open_in_excel(sheet)]
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    owners.pop().unlink()
    sheet.write_bytes(b"not a workbook")
    res = _apply(tracker, "--format", fmt)
    assert res.exit_code == ExitCode.WAITING, res.output
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("esp: ") and "TBT Tracking Sheet.xlsx" in last
    if fmt == "json":
        data = json.loads(res.stdout)
        assert data["status"] == "waiting"
        assert data["tracking_sheet_error"]["exit_code"] == ExitCode.BAD_INPUT
    assert _waiting_beside(sheet) == 1 and _waiting_beside(tracker) == 1


@pytest.mark.parametrize("layout", UNDONE_LAYOUTS)
def test_an_undo_written_later_gives_the_same_sheet_as_a_direct_undo(
    tracker: Path, folder: Path, tmp_path: Path, layout: str
) -> None:
    """What esp added is taken out the same way, byte for byte, whether the undo is written
    at once or waited (the sheet open in Excel) and is written by esp apply: the cells esp
    created go, never left behind empty with their style, and a table or filter it grew
    gets back its rows and its columns alike."""
    import shutil

    from tests.support.packages import zip_parts

    sheet = _recorded_in_layout(tracker, folder, layout)
    later = tmp_path.with_name(f"{tmp_path.name}-later")
    shutil.copytree(tracker.parent, later, ignore=shutil.ignore_patterns("proofs"))
    assert undo_sheet(sheet).exit_code == 0
    waited = later / sheet.name
    owner = _open_in_excel(waited)
    assert undo_sheet(waited).exit_code == ExitCode.WAITING
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(waited)])
    assert applied.exit_code == 0, applied.output
    direct, after = zip_parts(sheet), zip_parts(waited)
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/tables/table1.xml"):
        assert after.get(part) == direct.get(part), part
    rows = [*EARLIER, *ALREADY] if layout.startswith("only") else EARLIER
    assert agents_in(waited) == ["Agent", *(r[0] for r in rows)]


@pytest.mark.parametrize("layout", ["column-table", "only-column-filter"])
def test_an_undo_that_waited_leaves_a_sha_header_renamed_meanwhile_as_a_direct_undo(
    tracker: Path, folder: Path, tmp_path: Path, layout: str
) -> None:
    """The SHA-256 column esp added is renamed in Excel while its undo waits (the sheet
    open): esp apply writes the undo as a direct undo after the same rename does — the
    renamed header is the team's, left, its column with it — never held as a conflict on
    that header, and says so in the same words."""
    import shutil

    from tests.support.packages import zip_parts

    sheet = _recorded_in_layout(tracker, folder, layout)
    later = tmp_path.with_name(f"{tmp_path.name}-later")
    shutil.copytree(tracker.parent, later, ignore=shutil.ignore_patterns("proofs"))
    waited = later / sheet.name

    def renamed(path: Path) -> None:
        wb = openpyxl.load_workbook(path)
        wb.worksheets[0]["F1"] = "Checksum"
        wb.save(path)

    renamed(sheet)
    direct = undo_sheet(sheet)
    assert direct.exit_code == 0, direct.output
    owner = _open_in_excel(waited)
    assert undo_sheet(waited).exit_code == ExitCode.WAITING
    renamed(waited)
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(waited)])
    assert applied.exit_code == 0, applied.output
    assert "would write" not in applied.stderr
    left = [line for line in direct.stderr.splitlines() if "its header is left" in line]
    assert len(left) == 1 and "SHA-256' was added by operation" in left[0]
    assert [line for line in applied.stderr.splitlines() if "its header is left" in line] == left
    assert sheet_rows(waited)[0] == [*TRACKING_HEADERS[:5], "Checksum"]
    direct_parts, after = zip_parts(sheet), zip_parts(waited)
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/tables/table1.xml"):
        assert after.get(part) == direct_parts.get(part), part


def test_the_next_esp_tbt_proofs_says_the_column_a_waited_undo_leaves(
    tracker: Path, folder: Path
) -> None:
    """The undo of the run that added the SHA-256 column waited (the sheet open), and a
    checksum was typed in the column meanwhile: the next esp tbt proofs (its proofs taken
    out of the folder: it records none), which writes the undo first, says the column
    stays with its header, as esp undo written at once says."""
    sheet = _recorded_in_layout(tracker, folder, "column-table")
    owner = _open_in_excel(sheet)
    assert undo_sheet(sheet).exit_code == ExitCode.WAITING
    wb = openpyxl.load_workbook(sheet)
    wb.worksheets[0]["F2"] = "typed by hand"
    wb.save(sheet)
    owner.unlink()
    for name in ("Devon Price TBT.pdf", "Ana Ruiz TBT.pdf"):
        (folder / name).unlink()
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS
    (left,) = [line for line in res.stderr.splitlines() if "its header is left" in line]
    assert left.startswith("Column TBT Tracking!F 'SHA-256' was added by operation ")


def _filtered_without_sha(
    tracker: Path,
    autofilter: str | None = "A1:E3",
    table: str | None = None,
    rows: list[list[Any]] = EARLIER,
) -> Path:
    """A hand-made TBT Tracking Sheet with no SHA-256 column, under a plain filter (or, with
    `table`, an Excel table 'Proofs' of that range)."""
    from openpyxl.worksheet.table import Table, TableStyleInfo

    path = tracker.parent / "TBT Tracking Sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TBT Tracking"
    ws.append(TRACKING_HEADERS[:5])
    for row in rows:
        ws.append(row[:5])
    if autofilter is not None:
        ws.auto_filter.ref = autofilter
    if table is not None:
        t = Table(displayName="Proofs", ref=table)
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(t)
    wb.save(path)
    return path


def test_a_column_esp_adds_beside_the_sheets_filter_joins_it(tracker: Path, folder: Path) -> None:
    """The filter (A1:E3) is the header row's: the SHA-256 column esp adds (F) joins it, as
    the new rows do — its range and its hidden _FilterDatabase name — schema-valid; esp undo
    gives it back the range it had."""

    sheet = _filtered_without_sha(tracker)
    assert sheet_filter(sheet) == ("A1:E3", "'TBT Tracking'!$A$1:$E$3")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS
    assert sheet_filter(sheet) == ("A1:F5", "'TBT Tracking'!$A$1:$F$5")
    assert_schema_valid(sheet, "xl/workbook.xml", "xl/worksheets/sheet1.xml")
    undone = undo_sheet(sheet)
    assert undone.exit_code == 0, undone.output
    assert sheet_filter(sheet) == ("A1:E3", "'TBT Tracking'!$A$1:$E$3")
    assert_schema_valid(sheet, "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def test_a_column_esp_adds_away_from_the_sheets_filter_leaves_it(
    tracker: Path, folder: Path
) -> None:
    """A filter over part of the header row (A1:D3) does not reach the new column (the new
    rows join it all the same)."""
    sheet = _filtered_without_sha(tracker, autofilter="A1:D3")
    res = proofs(tracker, folder)
    assert res.exit_code == 0, res.output
    assert sheet_filter(sheet) == ("A1:D5", "'TBT Tracking'!$A$1:$D$5")


def test_an_undo_that_waited_gives_the_filter_back_its_columns_when_written(
    tracker: Path, folder: Path
) -> None:
    sheet = _filtered_without_sha(tracker)
    assert proofs(tracker, folder).exit_code == 0
    owner = _open_in_excel(sheet)
    assert undo_sheet(sheet).exit_code == ExitCode.WAITING
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(tracker)])
    assert applied.exit_code == 0, applied.output
    assert sheet_filter(sheet) == ("A1:E3", "'TBT Tracking'!$A$1:$E$3")


def _table_columns(path: Path) -> list[str]:
    from tests.support.packages import zip_parts

    xml = zip_parts(path)["xl/tables/table1.xml"].decode()
    count = re.search(r'<tableColumns [^>]*?\bcount="(\d+)"', xml)
    names = re.findall(r'<tableColumn [^>]*?\bname="([^"]*)"', xml)
    assert count is not None and int(count.group(1)) == len(names)
    return names


def _valid(path: Path, *names: str) -> None:
    from tests.support.marks import checks_schemas
    from tests.support.ooxml import validate_part
    from tests.support.packages import zip_parts

    if checks_schemas():
        parts = zip_parts(path)
        for name in names:
            assert validate_part(name, parts[name]) == [], name


def test_undoing_the_column_esp_added_to_a_table_gives_the_table_back_its_range(
    tracker: Path, folder: Path
) -> None:
    """esp tbt proofs added its SHA-256 column to a hand-made sheet that is an Excel table
    (A1:E3), which took it in with the new rows (A1:F5). Its undo gives the table back the
    range it had — its filter, its columns and their count too — schema-valid; the column's
    header goes with it (a table keeps no column without its header, and a header left
    beside the table would be filled again by esp outside it), and esp says nothing of a
    header left."""
    sheet = _recorded_in_layout(tracker, folder, "column-table")
    assert table_refs(sheet) == ("A1:F5", "A1:F5")
    assert _table_columns(sheet) == TRACKING_HEADERS
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert table_refs(sheet) == ("A1:E3", "A1:E3")
    assert _table_columns(sheet) == TRACKING_HEADERS[:5]
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS[:5]
    assert "header is left" not in res.stderr
    _valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")
    # Undone in turn: the column comes back with its header, beside the table, which
    # takes the rows back in.
    undone = re.search(r"undo with: esp undo (\w+)", res.stderr)
    assert undone is not None, res.stderr
    again = undo_sheet(sheet, undone.group(1))
    assert again.exit_code == 0, again.output
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS
    assert table_refs(sheet) == ("A1:E5", "A1:E5")
    _valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("layout", ["only-column-filter", "only-column-table"])
def test_undoing_a_run_that_only_added_the_sha_column_gives_the_range_its_columns_back(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Every proof was recorded already: the run only added the SHA-256 column, which the
    sheet's filter (or its table) took in. Its undo has no other cell to put back, and
    still gives the range back its columns, taking the column's header out with them."""
    sheet = _recorded_in_layout(tracker, folder, layout)
    table = layout.endswith("table")
    assert (table_refs(sheet)[0] if table else sheet_filter(sheet)[0]) == "A1:F5"
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert "Put back 1 cell(s)" in res.stdout and "Wrote 1 cell(s)" in res.stderr
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS[:5]
    if table:
        assert table_refs(sheet) == ("A1:E5", "A1:E5")
        assert _table_columns(sheet) == TRACKING_HEADERS[:5]
        _valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")
    else:
        assert sheet_filter(sheet) == ("A1:E5", "'TBT Tracking'!$A$1:$E$5")
        _valid(sheet, "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def _edited(path: Path, part: str, edit: Any) -> None:
    """The workbook as Excel saves it with `part` edited (the team's change)."""
    from tests.support.packages import copy_with_parts, zip_parts

    changed = path.with_name("edited.xlsx")
    copy_with_parts(path, changed, {part: edit(zip_parts(path)[part])})
    changed.replace(path)


@pytest.mark.parametrize(
    ("change", "ref"),
    [
        pytest.param(lambda xml: xml.replace(b'"A1:F5"', b'"A1:F6"'), "A1:F6", id="resized"),
        pytest.param(
            lambda xml: xml.replace(
                b'<autoFilter ref="A1:F5"/>',
                b'<autoFilter ref="A1:F5"><filterColumn colId="5"><filters blank="1"/>'
                b"</filterColumn></autoFilter>",
            ),
            "A1:F3",
            id="filtered on it",
        ),
        pytest.param(
            lambda xml: xml.replace(
                b'<autoFilter ref="A1:F5"/>',
                b'<autoFilter ref="A1:F5"/><sortState ref="A2:F5"><sortCondition ref="F2:F5"/>'
                b"</sortState>",
            ),
            "A1:F3",
            id="sorted by it",
        ),
    ],
)
def test_a_table_column_the_team_uses_is_left_with_its_header(
    tracker: Path, folder: Path, change: Any, ref: str
) -> None:
    """The table was resized in Excel since (left as it is), or filtered or sorted on the
    column esp added (its rows given back, not that column): the column is the team's now;
    the undo empties its cells and leaves it, header and all, in the table, saying so."""
    sheet = _recorded_in_layout(tracker, folder, "column-table")
    _edited(sheet, "xl/tables/table1.xml", change)
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert _table_columns(sheet) == TRACKING_HEADERS
    assert sheet_rows(sheet)[0] == TRACKING_HEADERS
    assert table_refs(sheet)[0] == ref
    assert "SHA-256' was added by operation" in res.stderr and "header is left" in res.stderr
    _valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")


def test_a_sorted_table_gives_back_a_column_its_sort_is_not_on(tracker: Path, folder: Path) -> None:
    """Sorted in Excel by another column: the column esp added goes all the same, and the
    sort's range ends where the table does."""
    sheet = _recorded_in_layout(tracker, folder, "column-table")
    _edited(
        sheet,
        "xl/tables/table1.xml",
        lambda xml: xml.replace(
            b'<autoFilter ref="A1:F5"/>',
            b'<autoFilter ref="A1:F5"/><sortState ref="A2:F5"><sortCondition ref="A2:A5"/>'
            b"</sortState>",
        ),
    )
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    assert _table_columns(sheet) == TRACKING_HEADERS[:5]
    from tests.support.packages import zip_parts

    assert b'<sortState ref="A2:E5">' in zip_parts(sheet)["xl/tables/table1.xml"]
    _valid(sheet, "xl/tables/table1.xml", "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(("header", "given_back"), [("SHA-256", True), ("Checksum", False)])
def test_after_a_save_in_excel_the_header_decides_whether_the_column_goes(
    tracker: Path, folder: Path, header: str, given_back: bool
) -> None:
    """The sheet was saved in Excel since (its strings shared, as Excel keeps them): the
    filter still gets its column back while the header is the one esp wrote; a header
    renamed since makes the column the team's, left in the filter with its new name."""
    sheet = _recorded_in_layout(tracker, folder, "column-filter")
    wb = openpyxl.load_workbook(sheet)
    wb.active["F1"] = header
    wb.save(sheet)
    res = undo_sheet(sheet)
    assert res.exit_code == 0, res.output
    headers = [h for h in sheet_rows(sheet)[0] if h is not None]  # formats stay: values only
    assert headers == [*TRACKING_HEADERS[:5], *([] if given_back else [header])]
    assert sheet_filter(sheet)[0] == ("A1:E3" if given_back else "A1:F3")
    _valid(sheet, "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def _proofs_after_undo(
    tracker: Path, folder: Path, tmp_path: Path, waited: bool, **sheet: Any
) -> tuple[Path, Any]:
    """The folder's proofs recorded, the run undone — written at once, or (`waited`) while
    the sheet is open in Excel, so the undo waits beside it — then esp tbt proofs run
    again on the same folder once the sheet is closed. The sheet and what the run said."""
    import shutil

    here = tmp_path / ("waited" if waited else "direct")
    here.mkdir()
    mine = build_tracker(here / tracker.name)
    proofs_dir = Path(shutil.copytree(folder, here / "proofs"))
    sheet_path = recorded_in(mine, proofs_dir, **sheet)
    owner = _open_in_excel(sheet_path) if waited else None
    assert undo_sheet(sheet_path).exit_code == (ExitCode.WAITING if waited else 0)
    if owner is not None:
        owner.unlink()
    return sheet_path, proofs(mine, proofs_dir, "-f", "json")


@pytest.mark.parametrize("layout", [{}, {"table": "A1:F3"}], ids=["rows", "table"])
def test_proofs_run_after_an_undo_that_waits_are_recorded_as_after_a_direct_one(
    tracker: Path, folder: Path, tmp_path: Path, layout: dict[str, str]
) -> None:
    """The undo of a run waits beside the sheet (open in Excel); the next esp tbt proofs
    writes it first, and judges the proofs on the sheet as the undo leaves it: the rows
    it takes out are no longer there, so the proofs are recorded again — never 'already
    in' rows the same write empties — the sheet byte for byte as after a direct undo."""
    from tests.support.packages import zip_parts

    direct, said_direct = _proofs_after_undo(tracker, folder, tmp_path, False, **layout)
    waited, said = _proofs_after_undo(tracker, folder, tmp_path, True, **layout)
    assert said.exit_code == 0, said.output
    data = json.loads(said.stdout)
    assert [p["agent"] for p in data["recorded"]] == NEW and data["already_recorded"] == []
    assert json.loads(said_direct.stdout)["recorded"] == data["recorded"]
    assert agents_in(waited) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW]
    direct_parts, waited_parts = zip_parts(direct), zip_parts(waited)
    for part in ("xl/worksheets/sheet1.xml", "xl/tables/table1.xml"):
        assert waited_parts.get(part) == direct_parts.get(part), part


def test_a_run_after_one_that_waits_records_only_the_proofs_it_does_not_add(
    tracker: Path, folder: Path
) -> None:
    """A run made while the sheet is open waits with its rows; the next run, the sheet
    closed, writes them first and sees them: the proofs they add are 'already in', and a
    new proof goes under them — never over them, never twice."""
    sheet = tracking_sheet(tracker, EARLIER)
    owner = _open_in_excel(sheet)
    assert proofs(tracker, folder).exit_code == ExitCode.WAITING
    owner.unlink()
    write(folder, "Lia Wong TBT.pdf", pdf("Lia Wong"))
    res = proofs(tracker, folder, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["agent"] for p in data["recorded"]] == ["Lia Wong"]
    assert sorted(p["agent"] for p in data["already_recorded"]) == sorted(NEW)
    assert agents_in(sheet) == ["Agent", "Maria Gonzalez", "James Whitaker", *NEW, "Lia Wong"]


@pytest.mark.parametrize("layout", ["rows-table", "rows-filter", "column-table", "column-filter"])
def test_a_run_after_an_undo_that_waited_is_undone_as_after_a_direct_undo(
    tracker: Path, folder: Path, tmp_path: Path, layout: str
) -> None:
    """The undo of a run waits (the sheet open); the next run writes it first and records
    the proofs again, in the rows (and the SHA-256 column a hand-made sheet lacked) the
    undo gives back. Its entry records the range grown over them (and the column added),
    as after a direct undo, so its own undo gives the table or filter back its range —
    and takes the column out — as there."""
    import shutil

    from tests.support.packages import zip_parts

    sheet = _recorded_in_layout(tracker, folder, layout)
    direct = tmp_path / "direct"
    shutil.copytree(tracker.parent, direct, ignore=shutil.ignore_patterns("direct"))
    owner = _open_in_excel(sheet)
    assert undo_sheet(sheet).exit_code == ExitCode.WAITING
    owner.unlink()
    assert undo_sheet(direct / sheet.name).exit_code == 0
    for path in (tracker, direct / tracker.name):
        again = proofs(path, path.parent / "proofs")
        assert again.exit_code == 0, again.output
    entries = []
    for path in (sheet, direct / sheet.name):
        log = path.parent / "esp-backups" / f"{path.name}.history.jsonl"
        entries.append(json.loads(log.read_text(encoding="utf-8").splitlines()[-1]))
    assert entries[0]["grown"] == entries[1]["grown"] != []
    assert entries[0]["added_columns"] == entries[1]["added_columns"]
    for path in (sheet, direct / sheet.name):
        res = undo_sheet(path)
        assert res.exit_code == 0, res.output
        assert "header is left" not in res.stderr

    def values(path: Path) -> list[list[Any]]:
        """The sheet's rows up to the last holding a value, each up to its last value (an
        emptied cell may stay, holding none)."""
        rows = [row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
                for row in sheet_rows(path)]  # fmt: skip
        return rows[: max((i + 1 for i, row in enumerate(rows) if row), default=0)]

    assert values(sheet) == values(direct / sheet.name)
    waited_parts, direct_parts = zip_parts(sheet), zip_parts(direct / sheet.name)
    for part in ("xl/tables/table1.xml", "xl/workbook.xml"):
        assert waited_parts.get(part) == direct_parts.get(part), part
    assert sheet_filter(sheet) == sheet_filter(direct / sheet.name)


# ------------------------------ a name holding characters no Windows file name can hold


@pytest.mark.parametrize(
    ("agent", "file"),
    [
        ('Robert "Bobby" Smith', "Robert Bobby Smith TBT.pdf"),
        ("Lee: Ann Kim", "Lee Ann Kim TBT.pdf"),
        ('Pat "Bo" O\'Brien & Sons', "Pat Bo O'Brien & Sons TBT.pdf"),
        ("Ana/Maria Lopez", "Ana Maria Lopez TBT.pdf"),
        ("Ana <Annie> Ruiz?", "Ana Annie Ruiz TBT.pdf"),
    ],
)
def test_a_name_windows_cannot_hold_is_matched_as_its_file_can_be_named(
    agent: str, file: str
) -> None:
    row = _row(agent)
    assert check_name(file, [row, _row("Devon Price", 4)], "t.xlsx") is row


@pytest.mark.parametrize(
    "file",
    ['Robert "Bobby" Smith TBT.pdf', "Robert 'Bobby' Smith TBT.pdf", "robert bobby smith TBT.pdf"],
)
def test_the_fix_for_a_name_windows_cannot_hold_is_a_name_a_file_can_have(file: str) -> None:
    got = check_name(file, [_row('Robert "Bobby" Smith'), _row("Devon Price", 4)], "t.xlsx")
    assert isinstance(got, Rejected)
    assert got.expected == "Robert Bobby Smith TBT.pdf"
    assert "rename it to 'Robert Bobby Smith TBT.pdf'" in got.reason


def test_two_agents_whose_names_make_the_same_file_name_are_both_named_not_guessed() -> None:
    rows = [_row("Lee: Ann Kim"), _row("Devon Price", 4), _row("Lee Ann Kim", 9)]
    got = check_name("Lee Ann Kim TBT.pdf", rows, "t.xlsx")
    assert isinstance(got, Rejected)
    assert "Lee: Ann Kim" in got.reason and "Lee Ann Kim" in got.reason
    assert "row 3" in got.reason and "row 9" in got.reason


# -------------------------------------------------- the names Windows gives a second copy


@pytest.mark.parametrize(
    "file",
    [
        "Carmen Ortiz TBT (1).pdf",
        "Carmen Ortiz TBT - Copy.pdf",
        "Carmen Ortiz TBT - Copy (2).pdf",
        "Carmen Ortiz TBT(2).pdf",
        "Carmen Ortiz TBT.pdf.pdf",
        "Carmen Ortiz TBT copy.pdf",
        "Carmen Ortiz TBT (1).PDF",
    ],
)
def test_a_copys_name_is_refused_with_the_name_to_give_it(file: str) -> None:
    got = check_name(file, [_row("Carmen Ortiz"), _row("Devon Price", 4)], "t.xlsx")
    assert isinstance(got, Rejected)
    assert got.expected == "Carmen Ortiz TBT.pdf"
    assert "rename it to 'Carmen Ortiz TBT.pdf'" in got.reason
    assert "a copy's name" in got.reason
    assert "no ' TBT'" not in got.reason


@pytest.mark.parametrize(
    "header,key",
    [
        ("Received", "received"),
        ("Date Received", "received"),
        ("Received?", None),
        ("File?", None),
        ("Agent", "agent"),
    ],
)
def test_a_tracking_sheet_header_asked_as_a_question_is_no_column(
    header: str, key: str | None
) -> None:
    """The TBT Tracking Sheet has no yes/no column: 'Received?' holds a yes or a no, never
    the day the proof was received."""
    from esp_cli.services.proofs import _tracking_key

    assert (_tracking_key(header) or (None,))[0] == key


# ------------------------------------------ names with an invisible character, or accents


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200e", "\u200f", "\u00ad", "\ufeff", "\u2060", "\u200d"],
)
def test_an_invisible_character_in_the_trackers_name_is_no_part_of_the_proofs_name(
    invisible: str,
) -> None:
    """A name pasted with a zero-width space, a direction mark or a soft hyphen: the file a
    person can type is the agent's proof, and a file carrying the mark is too."""
    kayla = _row(f"Kayla Brooks{invisible}")
    rebecca = _row(f"Re{invisible}becca Stone", 4)
    rows = [kayla, rebecca, _row("Ana Ruiz", 5)]
    assert check_name("Kayla Brooks TBT.pdf", rows, "t.xlsx") is kayla
    assert check_name("Rebecca Stone TBT.pdf", rows, "t.xlsx") is rebecca
    assert check_name(f"Kayla Brooks{invisible} TBT.pdf", rows, "t.xlsx") is kayla
    got = check_name("kayla brooks TBT.pdf", rows, "t.xlsx")
    assert isinstance(got, Rejected) and got.expected == "Kayla Brooks TBT.pdf"


def test_a_name_typed_without_its_accents_is_refused_with_the_name_it_should_have() -> None:
    zoe = _row("Zoë Núñez")
    got = check_name("Zoe Nunez TBT.pdf", [zoe, _row("Ana Ruiz", 4)], "t.xlsx")
    assert isinstance(got, Rejected)
    assert got.expected == "Zoë Núñez TBT.pdf"
    assert got.reason == "badly named (accents differ): rename it to 'Zoë Núñez TBT.pdf'"
    # With the accents it is hers; a name that is hers exactly wins over one without accents.
    assert check_name("Zoë Núñez TBT.pdf", [zoe], "t.xlsx") is zoe
    zoe_plain = _row("Zoe Nunez", 5)
    assert check_name("Zoe Nunez TBT.pdf", [zoe, zoe_plain], "t.xlsx") is zoe_plain


def test_a_name_without_accents_that_fits_two_agents_names_both() -> None:
    got = check_name("Jose Ortiz TBT.pdf", [_row("José Ortiz"), _row("Jose Órtiz", 4)], "t")
    assert isinstance(got, Rejected) and got.expected is None
    assert "2 agents are named" in got.reason
    assert "José Ortiz" in got.reason and "Jose Órtiz" in got.reason


def test_a_name_typed_without_its_zero_width_non_joiner_is_refused_with_the_name() -> None:
    """A Persian name needs its non-joiner ('علی‌رضا'), which is often typed without it: the
    file is refused with the tracker's name, as a name typed without its accents is."""
    alireza = _row("علی\u200cرضا احمدی")
    rows = [alireza, _row("Ana Ruiz", 4)]
    got = check_name("علیرضا احمدی TBT.pdf", rows, "t.xlsx")
    assert isinstance(got, Rejected)
    assert got.expected == "علی\u200cرضا احمدی TBT.pdf"
    assert got.reason == (
        "badly named (a zero-width joiner or non-joiner differs (U+200C, U+200D)): rename it "
        "to 'علی\u200cرضا احمدی TBT.pdf'"
    )
    assert check_name("علی\u200cرضا احمدی TBT.pdf", rows, "t.xlsx") is alireza
    # Typed without it where another agent's name has none: that agent's.
    plain = _row("علیرضا احمدی", 5)
    assert check_name("علیرضا احمدی TBT.pdf", [alireza, plain], "t.xlsx") is plain


# ----------------------------------- a TBT Tracking Sheet workbook with several sheets

TRACKING_HEADERS = ["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"]


def proof_folder(path: Path, files: dict[str, bytes]) -> Path:
    """A folder of proofs, each file received on RECEIVED."""
    path.mkdir()
    for name, data in files.items():
        write(path, name, data)
    return path


def tracking_book(
    path: Path,
    sheets: list[tuple[str, list[list[Any]], str]],
    headers: dict[str, list[str]] | None = None,
) -> Path:
    """A TBT Tracking Sheet workbook: (name, proof rows, state) for each sheet, in tab order,
    each headed as `headers` says (else esp's own headers)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, state in sheets:
        ws = wb.create_sheet(name)
        ws.append((headers or {}).get(name, TRACKING_HEADERS))
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.save(path)
    return path


def devon_row(day: date = date(2026, 11, 21)) -> list[Any]:
    sha = hashlib.sha256(pdf("Devon Price")).hexdigest()
    return ["Devon Price", "AET-1", "Devon Price TBT.pdf", day, "Jordan Reyes", sha]


def ana_row(day: date) -> list[Any]:
    sha = hashlib.sha256(pdf("Ana Ruiz")).hexdigest()
    return ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", day, "Jordan Reyes", sha]


def book_rows(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [
            [v.date() if isinstance(v, datetime) else v for v in row]
            for row in ws.iter_rows(values_only=True)
        ]
        for ws in wb.worksheets
    }


@pytest.mark.parametrize(
    "other",
    [("November", "visible"), ("Archive", "hidden"), ("Archive", "veryHidden")],
    ids=["last-months-tab", "hidden-archive", "very-hidden-archive"],
)
def test_a_copy_of_a_proof_recorded_on_another_sheet_of_the_workbook_is_rejected(
    tracker: Path, tmp_path: Path, other: tuple[str, str]
) -> None:
    """This month's tab first, Devon's proof recorded on last month's tab (or a hidden
    archive): Kim's copy of it is not Kim's proof, and Devon's own file is already in."""
    name, state = other
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [("December", [], "visible"), (name, [devon_row()], state)],
    )
    before = sheet.read_bytes()
    later = proof_folder(
        tmp_path / "later",
        {"Kim Lee TBT.pdf": pdf("Devon Price"), "Devon Price TBT.pdf": pdf("Devon Price")},
    )
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == []
    # Devon's proof, recorded, still flags Devon (a run stopped between the two workbooks).
    assert {c["agent"] for c in data["changes"]} == {"Devon Price"}
    assert tracker_cells(tracker)[2] == ["N", None]
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"]
    assert [(r["file"], r["agent"], r["reason"], r["fix"]) for r in data["rejected"]] == [
        (
            "Kim Lee TBT.pdf",
            "Kim Lee",
            f"the same file was recorded for Devon Price on 11/21/2026 (sheet {name}): not "
            "Kim Lee's own proof",
            "ask Kim Lee for it",
        )
    ]
    assert sheet.read_bytes() == before


def said_of(res: Any) -> str:
    return " ".join((res.stdout + res.stderr).split())


def kim_row(day: object, sha: str = "") -> list[Any]:
    return ["Kim Lee", "AET-2", "Kim Lee TBT.pdf", day, "Jordan Reyes", sha]


@pytest.mark.parametrize(
    "december",
    [
        [ana_row(date(2026, 12, 1))],
        [kim_row("Tue 12/1", "ab" * 32)],  # a day typed as text esp cannot read
        [kim_row(46359, "ab" * 32)],  # a date pasted as a number
        [],  # the new month's tab, just added
    ],
    ids=["dated", "day-as-text", "day-as-number", "empty"],
)
def test_new_proofs_go_to_the_first_visible_sheet_whatever_days_the_sheets_hold(
    tracker: Path, tmp_path: Path, december: list[list[Any]]
) -> None:
    """A sheet per month, this month's tab first: the new rows go to it, whatever days the
    others hold (a later day typed on last month's, none esp can read on this month's);
    a hidden archive and the other sheets are left as they were, and the output says where
    the rows went."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("Archive", [], "hidden"),
            ("December", december, "visible"),
            ("November", [devon_row(date(2026, 11, 30))], "visible"),
        ],
    )
    before = book_rows(sheet)
    later = proof_folder(tmp_path / "later", {"Ana Ruiz TBT.pdf": pdf("Ana Ruiz again")})
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["file"], p["tracking_tab"]) for p in data["recorded"]] == [
        ("Ana Ruiz TBT.pdf", "December")
    ]
    assert data["tracking_tab"] == "December"
    after = book_rows(sheet)
    assert after["November"] == before["November"] and after["Archive"] == before["Archive"]
    assert after["December"][:-1] == before["December"]
    assert after["December"][-1][2] == "Ana Ruiz TBT.pdf"
    write(later, "Devon Price TBT.pdf", pdf("Devon Price again"))
    said = said_of(proofs(tracker, later, "--dry-run"))
    assert "Would record 1 proof(s) in TBT Tracking Sheet.xlsx (sheet December)" in said, said
    assert "TBT Tracking Sheet.xlsx (sheet December): 1 row(s)" in said, said
    assert "1 proof(s) already in TBT Tracking Sheet.xlsx: Ana Ruiz TBT.pdf (sheet " in said


@pytest.mark.parametrize("by", ["option", "esp.toml"])
def test_the_sheet_named_by_tracking_tab_or_esp_toml_gets_the_rows(
    tracker: Path, tmp_path: Path, by: str
) -> None:
    """November's tab first, December's just added after it (a proof of late November
    recorded there): every run adds to the sheet named, never back to November."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("November", [devon_row(date(2026, 11, 30))], "visible"),
            ("December", [ana_row(date(2026, 11, 27))], "visible"),
        ],
    )
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\ntbt_tracking_tab = "december"\n', encoding="utf-8")
    named = ["--tracking-tab", "December"] if by == "option" else ["--config", str(config)]
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    res = proofs(tracker, later, *named, "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tracking_tab"] == "December"
    write(later, "Devon Price TBT.pdf", pdf("Devon Price again"))
    res = proofs(tracker, later, *named, "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tracking_tab"] == "December"
    after = book_rows(sheet)
    assert [r[2] for r in after["December"][1:]] == [
        "Ana Ruiz TBT.pdf",
        "Kim Lee TBT.pdf",
        "Devon Price TBT.pdf",
    ]
    assert after["November"][1:] == [devon_row(date(2026, 11, 30))]


def test_a_tab_in_esp_toml_the_workbook_lacks_is_refused_naming_the_setting(
    tracker: Path, tmp_path: Path
) -> None:
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("November", [devon_row()], "visible")])
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\ntbt_tracking_tab = "Decmber"\n', encoding="utf-8")
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    res = proofs(tracker, later, "--config", str(config))
    assert res.exit_code == ExitCode.USAGE, res.output
    said = " ".join(res.stderr.split())
    assert "'Decmber'" in said and "'November'" in said and "[tracker] tbt_tracking_tab" in said


def test_a_template_or_summary_sheet_first_with_no_proof_is_added_to_not_refused(
    tracker: Path, tmp_path: Path
) -> None:
    """A sheet with the headers and no proof (a template, a new tab) never makes a run
    refuse: the first visible one gets the rows, as the output says; hidden, it is passed
    over."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [("Template", [], "hidden"), ("Nov", [devon_row()], "visible"), ("Dec", [], "visible")],
    )
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    for _ in range(2):  # and the next day too
        res = proofs(tracker, later, "--dry-run")
        assert res.exit_code == 0, res.output
        assert "TBT Tracking Sheet.xlsx (sheet Nov)" in said_of(res)
    res = proofs(tracker, later)
    assert res.exit_code == 0, res.output
    assert [r[2] for r in book_rows(sheet)["Nov"][1:]] == [
        "Devon Price TBT.pdf",
        "Kim Lee TBT.pdf",
    ]


def test_a_sheet_per_class_gets_each_agents_proof_on_their_class_tab(
    tracker: Path, tmp_path: Path
) -> None:
    """Tabs named as the classes: each proof goes to its agent's class tab (Devon, AET-1;
    Kim, AET-2), whatever days they hold; the output names the sheet of each."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("AET-2", [kim_row(date(2026, 11, 10), "ab" * 32)], "visible"),
            ("aet-1", [ana_row(date(2026, 11, 2))], "visible"),
        ],
    )
    later = proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Omar Haddad TBT.pdf": pdf("Omar Haddad")},
    )
    table = proofs(tracker, later, "--dry-run")
    said = said_of(table)
    assert (
        "Would record 2 proof(s) in TBT Tracking Sheet.xlsx (sheets AET-2, aet-1)" in said
    )  # tab order
    assert re.search(r"Devon Price TBT\.pdf.*aet-1", said), said
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "tracking_tab" not in data
    assert {(p["agent"], p["tracking_tab"]) for p in data["recorded"]} == {
        ("Devon Price", "aet-1"),
        ("Omar Haddad", "AET-2"),
    }
    after = book_rows(sheet)
    assert [r[0] for r in after["aet-1"][1:]] == ["Ana Ruiz", "Devon Price"]
    assert [r[0] for r in after["AET-2"][1:]] == ["Kim Lee", "Omar Haddad"]


def test_a_list_of_expected_files_is_no_proof_recorded(tracker: Path, tmp_path: Path) -> None:
    """A reminder list with Agent and File columns and no Received day: the proof is
    recorded (its row and SHA-256 written) rather than taken as already there; a row typed
    by hand with its Received day is a proof recorded, said with its sheet."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("Proofs", [kim_row("12/01/2026")], "visible"),
            (
                "Roster",
                [["Devon Price", "AET-1", "Devon Price TBT.pdf", None, None, None]],
                "visible",
            ),
        ],
    )
    later = proof_folder(
        tmp_path / "later",
        {"Devon Price TBT.pdf": pdf("Devon Price"), "Kim Lee TBT.pdf": pdf("Kim")},
    )
    res = proofs(tracker, later, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["file"] for p in data["recorded"]] == ["Devon Price TBT.pdf"]
    assert [(p["file"], p["tracking_tab"]) for p in data["already_recorded"]] == [
        ("Kim Lee TBT.pdf", "Proofs")
    ]
    added = book_rows(sheet)["Proofs"][-1]
    assert added[0] == "Devon Price" and added[5] == hashlib.sha256(pdf("Devon Price")).hexdigest()
    said = said_of(proofs(tracker, later, "--dry-run"))
    assert (
        "2 proof(s) already in TBT Tracking Sheet.xlsx: Devon Price TBT.pdf (sheet Proofs), "
        "Kim Lee TBT.pdf (sheet Proofs)." in said
    ), said


@pytest.mark.parametrize("received", ["No", "Pending", "TBD"])
def test_a_hand_row_whose_received_is_no_day_is_no_proof_recorded(
    tracker: Path, tmp_path: Path, received: str
) -> None:
    """A row typed by hand naming the agent and the file, with `No`, `Pending` or `TBD`
    where the Received day goes, is no proof: the proof is recorded, its row and SHA-256
    written."""
    sheet = tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            (
                "Proofs",
                [["Devon Price", "AET-1", "Devon Price TBT.pdf", received, None, None]],
                "visible",
            )
        ],
    )
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    data = json.loads(proofs(tracker, later, "-f", "json").stdout)
    assert [p["file"] for p in data["recorded"]] == ["Devon Price TBT.pdf"]
    assert data["already_recorded"] == []
    added = book_rows(sheet)["Proofs"][-1]
    assert added[5] == hashlib.sha256(pdf("Devon Price")).hexdigest()


def test_a_hand_row_whose_received_is_a_date_serial_is_a_proof_recorded(
    tracker: Path, tmp_path: Path
) -> None:
    """A Received day pasted as a number (the date's serial, 46349 = 11/23/2026) is a day:
    the row is the proof recorded, not recorded again."""
    tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            (
                "Proofs",
                [["Devon Price", "AET-1", "Devon Price TBT.pdf", 46349, None, None]],
                "visible",
            )
        ],
    )
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    data = json.loads(proofs(tracker, later, "-f", "json").stdout)
    assert data["recorded"] == []
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"]


def test_tracking_tab_names_the_sheet_esp_creates(tracker: Path, tmp_path: Path) -> None:
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    res = proofs(tracker, later, "--tracking-tab", "De[c]", "-f", "json")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "'De[c]'" in res.stderr and not (tmp_path / "TBT Tracking Sheet.xlsx").exists()
    res = proofs(tracker, later, "--tracking-tab", "December")
    assert res.exit_code == 0, res.output
    assert "Created " in res.stderr and "(sheet December)" in said_of(res), res.output
    assert list(book_rows(tmp_path / "TBT Tracking Sheet.xlsx")) == ["December"]


def test_a_tracking_tab_that_is_not_in_the_workbook_is_refused(
    tracker: Path, tmp_path: Path
) -> None:
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("November", [devon_row()], "visible")])
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    res = proofs(tracker, later, "--tracking-tab", "Decmber")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "'Decmber'" in res.stderr and "'November'" in res.stderr


# ------------------------------------- one file sent as two agents' transcripts in one run


def test_the_same_file_as_two_agents_transcripts_is_neither_agents(
    tracker: Path, tmp_path: Path
) -> None:
    """Kim's and Ana's files have the same bytes, neither recorded before: esp cannot tell
    whose transcript it is, so both are refused, each naming the other, and nothing is
    written; a later run with only the right one records it."""
    both = proof_folder(
        tmp_path / "both", {"Ana Ruiz TBT.pdf": pdf("Kim Lee"), "Kim Lee TBT.pdf": pdf("Kim Lee")}
    )
    res = proofs(tracker, both, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    why = {r["file"]: r["reason"] for r in data["rejected"]}
    assert why["Ana Ruiz TBT.pdf"].startswith(
        "the same file as Kim Lee's (Kim Lee TBT.pdf): whose transcript is it?"
    ), why
    assert why["Kim Lee TBT.pdf"].startswith(
        "the same file as Ana Ruiz's (Ana Ruiz TBT.pdf): whose transcript is it?"
    ), why
    for refused in data["rejected"]:
        # Whose it is esp cannot tell: no agent named, the fix apart.
        assert "agent" not in refused and "class" not in refused, refused
        assert refused["fix"] == (
            "ask them, and run esp tbt proofs again with only its own agent's file"
        ), refused
    assert not (tracker.parent / "TBT Tracking Sheet.xlsx").exists()
    assert tracker_cells(tracker)[1:3] == [["N", None], ["N", None]]
    (both / "Ana Ruiz TBT.pdf").unlink()
    res = proofs(tracker, both, "-f", "json")
    assert res.exit_code == 0, res.output
    assert [p["file"] for p in json.loads(res.stdout)["recorded"]] == ["Kim Lee TBT.pdf"]
    assert tracker_cells(tracker)[2] == ["Y", date(2026, 11, 23)]


def test_the_same_file_as_two_agents_transcripts_leaves_an_existing_sheet_unchanged(
    tracker: Path, tmp_path: Path
) -> None:
    sheet = tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("Proofs", [], "visible")])
    before = tracker.read_bytes(), sheet.read_bytes()
    both = proof_folder(
        tmp_path / "both", {"Ana Ruiz TBT.pdf": pdf("Kim Lee"), "Kim Lee TBT.pdf": pdf("Kim Lee")}
    )
    write(both, "Kim Lee TBT (1).pdf", pdf("Kim Lee"))  # badly named: says nothing of whose
    res = proofs(tracker, both, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["already_recorded"] == []
    assert sorted(r["file"] for r in data["rejected"]) == [
        "Ana Ruiz TBT.pdf",
        "Kim Lee TBT (1).pdf",
        "Kim Lee TBT.pdf",
    ]
    assert (tracker.read_bytes(), sheet.read_bytes()) == before


@pytest.mark.parametrize("exists", [False, True], ids=["to-create", "to-add-to"])
def test_a_tracking_sheet_name_too_long_for_its_backup_is_refused_naming_it(
    tracker: Path, tmp_path: Path, exists: bool
) -> None:
    """A TBT Tracking Sheet whose name leaves no room for its backup's is refused before
    either workbook is written — when esp would create it too, not only once it is there —
    naming the TBT Tracking Sheet (not the tracker) and where its name is given."""
    long = tmp_path / ("TBT Tracking Sheet " + "y" * 200 + ".xlsx")
    if exists:
        tracking_book(long, [("Proofs", [devon_row()], "visible")])
    before = tracker.read_bytes()
    later = proof_folder(tmp_path / "later", {"Kim Lee TBT.pdf": pdf("Kim Lee")})
    res = CliRunner().invoke(
        app,
        [
            "tbt", "proofs", str(later), "--tracker", str(tracker),
            "--tracking-sheet", str(long), "--by", "Jordan Reyes",
        ],
    )  # fmt: skip
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    said = " ".join(res.stderr.split())
    assert "rename the TBT Tracking Sheet to at most 199 characters" in said, said
    assert "give that name with --tracking-sheet" in said, said
    assert "the tracker" not in said, said
    assert tracker.read_bytes() == before and long.exists() == exists


@pytest.mark.parametrize("comma", [",", "\u060c", "\uff0c"], ids=["ascii", "arabic", "full-width"])
def test_a_file_named_last_first_with_any_comma_is_said_to_be_so(comma: str) -> None:
    said = misnaming(f"Farouk{comma} Yasmin TBT.pdf", "Yasmin Farouk TBT.pdf", "Yasmin Farouk")
    assert said == "'Last, First' order", said


@pytest.mark.parametrize("name", ["Kim_Lee_TBT.pdf", "kim lee tbt.pdf", "Kim Lee.pdf"])
def test_the_same_file_as_two_agents_transcripts_is_neither_agents_when_one_is_misnamed(
    tracker: Path, tmp_path: Path, name: str
) -> None:
    """A copy refused for its name alone still came as that agent's transcript: the same
    bytes as Ana's, so whose it is cannot be told — neither is recorded, each naming the
    other, the misnamed one told its name too; renamed, it is still not recorded for Ana."""
    both = proof_folder(
        tmp_path / "both", {name: pdf("Kim Lee"), "Ana Ruiz TBT.pdf": pdf("Kim Lee")}
    )
    res = proofs(tracker, both, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    why = {r["file"]: r["reason"] for r in data["rejected"]}
    assert why["Ana Ruiz TBT.pdf"].startswith(
        f"the same file as Kim Lee's ({name}): whose transcript is it?"
    ), why
    assert why[name].startswith(
        "the same file as Ana Ruiz's (Ana Ruiz TBT.pdf): whose transcript is it?"
    ), why
    assert "rename it to 'Kim Lee TBT.pdf'" in why[name], why
    assert not (tracker.parent / "TBT Tracking Sheet.xlsx").exists()
    assert tracker_cells(tracker)[1:3] == [["N", None], ["N", None]]


@pytest.mark.parametrize("received", ["11/23", "Nov 23"])
def test_a_hand_row_whose_received_has_no_year_is_said_when_the_file_is_recorded(
    tracker: Path, tmp_path: Path, received: str
) -> None:
    """A row typed by hand naming the file with a day esp cannot read (`11/23`, no year):
    not taken for the proof, but the proof recorded again says so, naming the cell."""
    tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            (
                "Proofs",
                [["Devon Price", "AET-1", "Devon Price TBT.pdf", received, None, None]],
                "visible",
            )
        ],
    )
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-n", "-f", "json")
    (proof,) = json.loads(res.stdout)["recorded"]
    assert (
        f"Proofs!D2 names this file by hand with Received '{received}'" in (proof["date_warning"])
    ), proof


def dated_book(path: Path, tabs: list[tuple[str, list[str], list[list[Any]]]]) -> Path:
    """A TBT Tracking Sheet workbook with (tab, headers, rows) for each sheet, in tab order."""
    sheets = [(name, rows, "visible") for name, _, rows in tabs]
    return tracking_book(path, sheets, {name: headers for name, headers, _ in tabs})


@pytest.mark.parametrize("first", [False, True])
def test_a_reminder_tab_with_a_date_column_holds_no_proof(
    tracker: Path, tmp_path: Path, first: bool
) -> None:
    """A tab headed Agent | File | Date (the day a reminder went out) that esp does not
    record proofs on: its Date is no Received day, so its rows typed by hand are no proof;
    the file is recorded — on the sheet esp records on, given by --tracking-tab when the
    reminder tab comes first."""
    reminders = ("Reminders", ["Agent", "File", "Date"],
                 [["Devon Price", "Devon Price TBT.pdf", date(2026, 12, 1)]])  # fmt: skip
    log = ("Log", ["Agent", "Class", "File", "Received"], [])
    tabs = [reminders, log] if first else [log, reminders]
    dated_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs)
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    args = ("--tracking-tab", "Log") if first else ()
    data = json.loads(proofs(tracker, later, "-n", "-f", "json", *args).stdout)
    assert [p["file"] for p in data["recorded"]] == ["Devon Price TBT.pdf"], data
    assert data["already_recorded"] == []


@pytest.mark.parametrize(
    ("tabs", "args"),
    [
        (["Sheet1"], ()),
        (["TBT Tracker"], ()),
        (["AET-2", "AET-1"], ()),  # a sheet per class: Devon's class is AET-1
        (["Reminders", "Log"], ("--tracking-tab", "Log")),
        (["Reminders", "Log"], ("config",)),
    ],
)
def test_a_hand_row_under_date_on_the_sheet_esp_records_on_is_a_proof(
    tracker: Path, tmp_path: Path, tabs: list[str], args: tuple[str, ...]
) -> None:
    """The team's own tracking sheet under any name, headed Agent | Class | File | Date and
    typed by hand before esp: esp writes the day received under that Date there, so the
    rows with a day there are recorded proofs, not recorded again."""
    headers = ["Agent", "Class", "File", "Date"]
    devon = ["Devon Price", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 20)]
    sheets = []
    for tab in tabs:
        mine = tab in ("Sheet1", "TBT Tracker", "AET-1", "Log")
        sheets.append((tab, headers, [devon] if mine else []))
    dated_book(tmp_path / "TBT Tracking Sheet.xlsx", sheets)
    if args == ("config",):
        config = tmp_path / "esp.toml"
        config.write_text('[tracker]\ntbt_tracking_tab = "Log"\n', encoding="utf-8")
        args = ("--config", str(config))
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    data = json.loads(proofs(tracker, later, "-n", "-f", "json", *args).stdout)
    assert data["recorded"] == [], data
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"], data


def test_a_class_tab_cut_at_excels_31_characters_is_that_classs_tab(
    tracker: Path, tmp_path: Path
) -> None:
    """A class longer than an Excel tab name can be has its tab named as its first 31
    characters: that is its tab, not the first visible one."""
    long = "AET-2 Medicare Advantage Wave 3 Spring"
    assert omar_tab(tracker, tmp_path, [long] * 3, long[:31]) == long[:31]


@pytest.mark.parametrize(
    ("tab", "headers"),
    [
        ("TBT Tracking", ["Agent", "Class", "File", "Date"]),
        ("Proofs", ["Agent", "Class", "File", "Date", "Recorded By"]),
        ("Proofs", ["Agent Name", "File Name", "Date", "Uploaded By"]),
    ],
)
def test_a_hand_row_under_the_date_of_a_sheet_of_proofs_is_a_proof(
    tracker: Path, tmp_path: Path, tab: str, headers: list[str]
) -> None:
    """A team's TBT Tracking sheet whose day column is headed Date (esp writes its own rows'
    Received there): the rows the team typed in with a day there are recorded proofs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = tab
    ws.append(headers)
    values = {"Agent": "Devon Price", "Agent Name": "Devon Price", "Class": "AET-1",
              "File": "Devon Price TBT.pdf", "File Name": "Devon Price TBT.pdf",
              "Date": date(2026, 11, 20), "Recorded By": "Pat", "Uploaded By": "Pat"}  # fmt: skip
    ws.append([values[h] for h in headers])
    wb.save(tmp_path / "TBT Tracking Sheet.xlsx")
    assert_devon_already_in(tracker, tmp_path)


@pytest.mark.parametrize(
    ("file", "sha"),
    [
        ("devon price tbt.pdf", None),
        ("Devon Price TBT", None),
        ("Devon Price TBT.PDF", None),
        ("Devon Price TBT.pdf", "-"),
        ("Devon Price TBT.pdf", "n/a"),
        ("Devon Price TBT.pdf", "typed by hand"),
    ],
)
def test_a_hand_row_naming_the_file_in_other_capitals_or_with_no_sha256_is_the_proof(
    tracker: Path, tmp_path: Path, file: str, sha: str | None
) -> None:
    """A row typed by hand names the file as Windows takes it (any capitals, '.pdf' left
    off), or fills SHA-256 with a placeholder: it is the proof, not recorded again."""
    row = ["Devon Price", "AET-1", file, date(2026, 11, 20), "Pat", sha]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("TBT Tracking", [row], "visible")])
    assert_devon_already_in(tracker, tmp_path)


@pytest.mark.parametrize(
    ("received", "said"),
    [
        ("11/23", "(no year?), so it would be recorded again"),
        ("23/11/2026", "read as a day, so it would be recorded again"),
    ],
)
def test_a_hand_row_with_an_unread_day_is_said_as_it_is_in_a_dry_run(
    tracker: Path, tmp_path: Path, received: str, said: str
) -> None:
    """'(no year?)' only of a day with no year (`23/11/2026`, typed day first, has one); a
    dry run says the file would be recorded again."""
    row = ["Devon Price", "AET-1", "Devon Price TBT.pdf", received, None, None]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("Proofs", [row], "visible")])
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    (proof,) = json.loads(proofs(tracker, later, "-n", "-f", "json").stdout)["recorded"]
    assert said in proof["date_warning"], proof
    fix = "give that day its year" if "no year" in said else "write that day MM/DD/YYYY"
    assert fix in proof["date_warning"], proof


@pytest.mark.parametrize("cut_first", [False, True])
def test_a_tab_cut_to_31_characters_that_two_classes_share_is_neithers(
    tracker: Path, tmp_path: Path, cut_first: bool
) -> None:
    """Two classes alike in their first 31 characters: the tab named as those is neither's
    own, and the other visible tab is class AET-1's own: no sheet is theirs, so esp refuses
    the proof, saying which class has no tab, rather than filing it on another class's tab."""
    long = "Aetna Medicare Advantage Wave 12"
    wb = openpyxl.load_workbook(tracker)
    for r, cls in enumerate([f"{long} Columbus", f"{long} Dallas", f"{long} Dallas"], start=5):
        wb["ESP Tracker"][f"A{r}"] = cls
    wb.save(tracker)
    tabs = [("AET-1", [], "visible"), (long[:31], [], "visible")]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", tabs[::-1] if cut_first else tabs)
    later = proof_folder(tmp_path / "later", {"Omar Haddad TBT.pdf": pdf("Omar Haddad")})
    res = proofs(tracker, later, "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [], data
    (why,) = [r["reason"] for r in data["rejected"]]
    assert why.startswith("class 'Aetna Medicare Advantage Wave 12 "), why
    assert "it has no tab of its own, and every visible sheet is another class's" in why, why


@pytest.mark.parametrize(
    "file",
    ["C:\\Users\\pat\\TBT Proofs\\Devon Price TBT.pdf", '"C:\\Proofs\\Devon Price TBT.pdf"'],
)
def test_a_hand_row_whose_file_cell_holds_its_path_is_the_proof(
    tracker: Path, tmp_path: Path, file: str
) -> None:
    """The File cell holds the path Explorer's "Copy as path" gives: its file name is the
    file's."""
    row = ["Devon Price", "AET-1", file, date(2026, 11, 20), "Pat", None]
    tracking_book(tmp_path / "TBT Tracking Sheet.xlsx", [("TBT Tracking", [row], "visible")])
    assert_devon_already_in(tracker, tmp_path)


@pytest.mark.parametrize("header", ["Date Rec'd", "Rec'd", "Received On", "Date Submitted"])
def test_a_hand_row_under_the_teams_words_for_received_is_a_proof(
    tracker: Path, tmp_path: Path, header: str
) -> None:
    """The team heads the day received 'Date Rec'd' (or Rec'd, Received On, Date
    Submitted): its hand rows with a day there are proofs, on any sheet."""
    dated_book(
        tmp_path / "TBT Tracking Sheet.xlsx",
        [
            ("Log", ["Agent", "Class", "File", "Received"], []),
            ("Proofs", ["Agent", "Class", "File", header],
             [["Devon Price", "AET-1", "Devon Price TBT.pdf", date(2026, 11, 20)]]),
        ],
    )  # fmt: skip
    assert_devon_already_in(tracker, tmp_path)


def test_a_class_with_no_tab_of_its_own_skips_another_classs_tab(
    tracker: Path, tmp_path: Path
) -> None:
    """A sheet per class, and a class with no tab yet: its proof goes to the first visible
    sheet that is no class's own tab, not onto class AET-1's."""
    assert omar_tab(tracker, tmp_path, ["AET-9"] * 3, "Log") == "Log"


def test_two_received_headers_on_the_tracking_sheet_are_fixed_by_renaming_one(
    tracker: Path, tmp_path: Path
) -> None:
    """The TBT Tracking Sheet's `Date` beside its `Received`: the fix said is the one that
    works for this workbook (rename), not esp.toml [columns], which names the tracker's."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(["Agent", "Class", "File", "Date", "Received", "Recorded By", "SHA-256"])
    wb.save(tmp_path / "TBT Tracking Sheet.xlsx")
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-n", "-f", "json")
    assert "both name the Received column" in res.stderr, res.stderr
    assert "Fix: rename the one that does not hold the Received" in res.stderr, res.stderr
    assert "esp.toml" not in res.stderr, res.stderr


def test_a_received_header_set_aside_in_a_hidden_column_is_said_hidden(
    tracker: Path, tmp_path: Path
) -> None:
    """The tracking sheet's `Date` beside its `Received`, in a column Excel hides: said
    hidden, with how to see it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(["Agent", "Class", "File", "Date", "Received", "Recorded By", "SHA-256"])
    ws.column_dimensions["D"].hidden = True
    wb.save(tmp_path / "TBT Tracking Sheet.xlsx")
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    res = proofs(tracker, later, "-n", "-f", "json")
    (said,) = [line for line in res.stderr.splitlines() if "both name the Received" in line]
    assert "'TBT Tracking'!D1 'Date' (column D, hidden) and 'TBT Tracking'!E1" in said, said
    assert "Fix: unhide column D to see it" in said, said


def assert_devon_already_in(tracker: Path, tmp_path: Path) -> None:
    """Devon Price's proof again: reported as already recorded, nothing recorded."""
    later = proof_folder(tmp_path / "later", {"Devon Price TBT.pdf": pdf("Devon Price")})
    data = json.loads(proofs(tracker, later, "-n", "-f", "json").stdout)
    assert data["recorded"] == [], data
    assert [p["file"] for p in data["already_recorded"]] == ["Devon Price TBT.pdf"], data


def omar_tab(tracker: Path, tmp_path: Path, classes: list[str], tab: str) -> str:
    """The tab Omar Haddad's proof goes to with rows 5-7 in `classes` and the sheets AET-1
    and `tab`."""
    wb = openpyxl.load_workbook(tracker)
    for r, cls in enumerate(classes, start=5):
        wb["ESP Tracker"][f"A{r}"] = cls
    wb.save(tracker)
    tracking_book(
        tmp_path / "TBT Tracking Sheet.xlsx", [("AET-1", [], "visible"), (tab, [], "visible")]
    )
    later = proof_folder(tmp_path / "later", {"Omar Haddad TBT.pdf": pdf("Omar Haddad")})
    data = json.loads(proofs(tracker, later, "-n", "-f", "json").stdout)
    assert [p["agent"] for p in data["recorded"]] == ["Omar Haddad"], data
    return str(data["tracking_tab"])

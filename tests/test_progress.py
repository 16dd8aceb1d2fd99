"""esp progress import / missing on an independently built tracker, and on the sample."""

from __future__ import annotations

import csv
import io
import json
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from scripts.sample_builder.sample import PROGRESS_ROWS, REFERENCE_DATE, build_sample
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.selfreports import parse_email, reports_from_rows
from esp_cli.services.agents import same_person
from tests import factories

AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Email": "devon.price@x.com"},
    {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Email": "ana.ruiz@x.com",
     "Call Cert Complete?": "Yes", "All TBTs Complete?": "Y"},
    {"Class": "AET-1", "Agent Name": "Sam Lee", "Email": "sam.lee@x.com"},
    {"Class": "AET-2 ", "Agent Name": "Sam Lee", "Email": "sam.lee2@x.com"},
    {"Class": "AET-2", "Agent Name": "Nguyen, Thao", "Email": "thao.nguyen@x.com",
     "Call Cert Complete?": "Yes", "All TBTs Complete?": "No"},
    {"Class": "AET-2", "Agent Name": "Bo Chen", "Notes": "11/24/26 - chen, bo - All done"},
    {"Class": "AET-2", "Agent Name": "Cara Diaz",
     "Notes": "11/24/2026 - Jordan Reyes - Called Cara\n11/23/2026 - Cara Diaz - 2 TBTs"},
    {"Class": "AET-3", "Agent Name": "Eve Stark", "ESP Start Date": date(2026, 12, 1)},
    {"Class": "AET-3", "Agent Name": "Finn Wolfe", "Call Cert Complete?": "maybe",
     "All TBTs Complete?": "Yes"},
]  # fmt: skip
ROW = {"Devon Price": 3, "Ana Ruiz": 4, "Sam Lee 1": 5, "Sam Lee 2": 6, "Thao Nguyen": 7,
       "Bo Chen": 8, "Cara Diaz": 9, "Eve Stark": 10, "Finn Wolfe": 11}  # fmt: skip
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column
DAY = date(2026, 11, 24)
EASTERN = ZoneInfo("America/New_York")

SHEET_HEADER = ["Timestamp", "Agent Name", "Class", "Update", "TBTs Completed", "Blockers"]
SHEET_ROWS: list[list[Any]] = [
    [datetime(2026, 11, 23, 17, 0), "Devon Price", "AET-1", "Started TBTs.", 1, None],
    [datetime(2026, 11, 24, 17, 2), "price, devon", "AET-1", "Did 3 TBTs.", 4, None],
    [datetime(2026, 11, 24, 17, 5), "Sam Lee", "AET-2", "Waiting on SPOC.", 0, "Password"],
    [datetime(2026, 11, 24, 17, 9), "thao nguyen ", "AET-2", "+1 TBT =SUM(A1)", None, None],
    [datetime(2026, 11, 24, 17, 12), "Sam Lee", "AET-3", "Done for today.", 2, None],
    [datetime(2026, 11, 24, 17, 15), "Devn Price", "AET-1", "Typo in my name.", 3, None],
    ["soon", "Cara Diaz", "AET-2", "No date.", 1, None],
]


def eml(sender: str, sent: str, body: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: Jordan Reyes <jordan.reyes@x.com>\r\n"
        f"Subject: RE: ESP progress\r\nDate: {sent}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
        f"Hi Jordan,\r\n\r\n{body}\r\n\r\nThanks,\r\nX\r\n\r\n-- \r\nSignature line\r\n\r\n"
        "> From: Jordan Reyes\r\n> Please report before logging off.\r\n"
    ).encode()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    report = factories.make_workbook(
        tmp_path / "ESP Agent Progress Report.xlsx",
        {"Form Responses 1": [SHEET_HEADER, *SHEET_ROWS]},
        date_format="m/d/yyyy h:mm",
    )
    mails = tmp_path / "mails"
    mails.mkdir()
    tue = "Tue, 24 Nov 2026 18:30:00 -0500"
    (mails / "devon.eml").write_bytes(
        eml("D. P. <Devon.Price@X.com>", tue, "Finished the Privacy TBT.")
    )
    (mails / "ana.eml").write_bytes(eml('"Ruiz, Ana" <ana77@gmail.com>', tue, "All done."))
    (mails / "sam.eml").write_bytes(eml("Sam Lee <sam@gmail.com>", tue, "Which Sam am I?"))
    (mails / "stranger.eml").write_bytes(eml("Pat Doe <pat@doe.com>", tue, "Hello?"))
    (mails / "notes.txt").write_text("not an e-mail", encoding="utf-8")
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\nprogress_report = "ESP Agent Progress Report.xlsx"'
        '\nself_reports = "mails"\n[people]\nuser = "Jordan Reyes"\n',
        encoding="utf-8",
    )
    return {"tracker": tracker, "report": report, "mails": mails, "config": config}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def notes(path: Path, row: int) -> str:
    value = openpyxl.load_workbook(path)["ESP Tracker"][f"{NOTES}{row}"].value
    return "" if value is None else str(value)


def test_import_twice_gives_one_line_each(files: dict[str, Path]) -> None:
    args = ["progress", "import", "-f", "json", "--config", str(files["config"])]
    res = run(*args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["added"] == 6 and data["already_there"] == 0
    assert notes(files["tracker"], ROW["Devon Price"]) == (
        "11/23/2026 - Devon Price - Started TBTs. (TBTs Completed: 1)\n"
        "11/24/2026 - Devon Price - Did 3 TBTs. (TBTs Completed: 4)\n"
        "11/24/2026 - Devon Price - Finished the Privacy TBT."
    )
    assert notes(files["tracker"], ROW["Sam Lee 2"]) == (
        "11/24/2026 - Sam Lee - Waiting on SPOC. (TBTs Completed: 0; Blockers: Password)"
    )
    assert notes(files["tracker"], ROW["Sam Lee 1"]) == ""
    # Signed with the tracker's name for the agent, not as the report spelt it; text as text.
    assert (
        notes(files["tracker"], ROW["Thao Nguyen"]) == "11/24/2026 - Thao Nguyen - +1 TBT =SUM(A1)"
    )
    assert notes(files["tracker"], ROW["Ana Ruiz"]) == "11/24/2026 - Ana Ruiz - All done."
    by = {(i["agent"], i["source"]): i["matched_by"] for i in data["imported"]}
    assert by[("Devon Price", "devon.eml")] == "e-mail"
    assert by[("Ana Ruiz", "ana.eml")] == "name"
    assert by[("Sam Lee", "ESP Agent Progress Report.xlsx!row 4")] == "name and class"
    written = files["tracker"].read_bytes()

    res = run(*args)
    assert res.exit_code == 0, res.output
    again = json.loads(res.stdout)
    assert again["added"] == 0 and again["already_there"] == 6 and again["changes"] == []
    assert "nothing written" in res.stderr
    assert files["tracker"].read_bytes() == written


def test_unmatched_reports_are_listed_with_the_reason(files: dict[str, Path]) -> None:
    res = run("progress", "import", "-f", "json", "--config", str(files["config"]))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    reasons = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert set(reasons) == {
        "ESP Agent Progress Report.xlsx!row 6",
        "ESP Agent Progress Report.xlsx!row 7",
        "sam.eml",
        "stranger.eml",
    }
    assert reasons["ESP Agent Progress Report.xlsx!row 6"] == (
        "Sam Lee is in class AET-1, AET-2 in the tracker, not AET-3"
    )
    assert (
        "no agent of class AET-1 is named Devn Price"
        in reasons["ESP Agent Progress Report.xlsx!row 7"]
        and "closest: Devon Price" in reasons["ESP Agent Progress Report.xlsx!row 7"]
    )
    assert reasons["sam.eml"].startswith("2 agents are named Sam Lee: Sam Lee — class AET-1")
    assert reasons["stranger.eml"] == (
        "no agent has the e-mail pat@doe.com; no agent is named Pat Doe"
    )
    row_problem, txt = data["problems"]
    assert row_problem["source"] == "ESP Agent Progress Report.xlsx!row 8"
    assert "'soon' is not a date" in row_problem["problem"]
    # A file in the e-mails folder that is not an e-mail is said so, not passed over.
    assert txt["source"] == "notes.txt" and "not an e-mail" in txt["problem"]
    res = run("progress", "import", "--config", str(files["config"]))
    assert "Reports not imported (4)" in res.stdout and "Pat Doe" in res.stdout
    assert "warning: ESP Agent Progress Report.xlsx!row 8" in res.stderr


def test_date_limits_the_import_to_that_day(files: dict[str, Path]) -> None:
    res = run(
        "progress", "import", str(files["report"]), "--date", "2026-11-23",
        "-t", str(files["tracker"]), "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["added"] == 1 and data["other_days"] == 5 and data["date"] == "2026-11-23"
    assert notes(files["tracker"], ROW["Devon Price"]) == (
        "11/23/2026 - Devon Price - Started TBTs. (TBTs Completed: 1)"
    )


def test_dry_run_writes_nothing(files: dict[str, Path]) -> None:
    original = files["tracker"].read_bytes()
    res = run("progress", "import", "--dry-run", "-f", "json", "--config", str(files["config"]))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dry_run"] is True and data["added"] == 6 and data["backup"] is None
    cells = {c["cell"] for c in data["changes"]}
    assert cells == {f"{NOTES}{ROW[n]}" for n in ("Devon Price", "Ana Ruiz", "Sam Lee 2")} | {
        f"{NOTES}{ROW['Thao Nguyen']}"
    }
    assert files["tracker"].read_bytes() == original


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_a_csv_report(files: dict[str, Path], tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(
        (
            "Timestamp,Agent Name,Class,Update\r\n"
            '11/24/2026 17:03:00,"Price, Devon",AET-1,Can’t find the Appeals TBT — searched\r\n'
            "11/24/2026 17:10:00,Bo Chen,AET-2,All done\r\n"
        ).encode(encoding)
    )
    res = run("progress", "import", str(path), "-t", str(files["tracker"]), "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] == 1  # Bo Chen's line is already there
    assert notes(files["tracker"], ROW["Devon Price"]) == (
        "11/24/2026 - Devon Price - Can’t find the Appeals TBT — searched"
    )


def test_unreadable_and_unsupported_files_are_clear_errors(
    files: dict[str, Path], tmp_path: Path
) -> None:
    tracker = str(files["tracker"])
    original = files["tracker"].read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Timestamp,Agent Name\r\n\x81\x8d\xff\xfe,\x90\r\n")
    res = run("progress", "import", str(bad), "-t", tracker)
    assert res.exit_code == 3 and "UTF-8 or Windows-1252" in res.stderr and "Fix:" in res.stderr
    res = run("progress", "import", str(files["mails"] / "notes.txt"), "-t", tracker)
    assert res.exit_code == 3 and "not a progress report" in res.stderr
    res = run("progress", "import", str(tmp_path / "nope.xlsx"), "-t", tracker)
    assert res.exit_code == 3 and "no such file" in res.stderr
    res = run("progress", "import", str(files["tracker"]), "-t", tracker)  # not a report
    assert res.exit_code == 3 and "not a progress report: no date column" in res.stderr
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    res = run("progress", "import", "-t", tracker, "--config", str(empty))
    assert res.exit_code == 2 and "progress_report" in res.stderr
    assert files["tracker"].read_bytes() == original


@pytest.mark.parametrize("name", ["zero.msg", "zero.eml", "zero.csv", "zero.xlsx"])
def test_an_empty_file_named_on_the_command_line_is_said_to_be_empty(
    files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    """A copy that did not finish, a OneDrive file not downloaded: empty, not 'not an
    e-mail' nor 'no header row'."""
    empty = tmp_path / name
    empty.write_bytes(b"")
    res = run("progress", "import", str(empty), "-t", str(files["tracker"]))
    assert res.exit_code == 3
    assert f"{empty}: an empty file (0 bytes)" in res.stderr, res.stderr
    assert "not an e-mail" not in res.stderr and "header" not in res.stderr


def test_an_email_named_on_the_command_line_that_cannot_be_read_is_an_error(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Named on its own, a damaged .msg is a failed input (exit 3), not 'nothing to do';
    in a folder it is listed and the others imported."""
    from tests.test_msgfile import make_msg

    whole = make_msg(tmp_path / "whole.msg", name="Devon Price", smtp="devon.price@x.com")
    cut = tmp_path / "cut.msg"
    cut.write_bytes(whole.read_bytes()[:3000])
    (files["mails"] / "zero.msg").write_bytes(b"")
    (files["mails"] / "cut.msg").write_bytes(cut.read_bytes())
    original = files["tracker"].read_bytes()
    for args in ([], ["-f", "json"], ["--dry-run", "-f", "json"]):
        res = run("progress", "import", str(cut), "-t", str(files["tracker"]), *args)
        assert res.exit_code == 3, res.output
        assert f"{cut}: " in res.stderr and "corrupt" in res.stderr
        assert res.stdout == ""
    assert files["tracker"].read_bytes() == original
    res = run("progress", "import", str(files["mails"]), "-t", str(files["tracker"]), "-f", "json")
    assert res.exit_code == 0, res.output
    reasons = {
        Path(f["file"]).name: (f["status"], f["reason"]) for f in json.loads(res.stdout)["files"]
    }
    assert reasons["zero.msg"][0] == "unreadable"
    assert reasons["zero.msg"][1].startswith("an empty file (0 bytes)")
    assert reasons["cut.msg"][0] == "unreadable" and reasons["devon.eml"][0] == "imported"


def test_a_folder_of_emails(files: dict[str, Path]) -> None:
    res = run("progress", "import", str(files["mails"]), "-t", str(files["tracker"]), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    names = ("ana.eml", "devon.eml", "notes.txt", "sam.eml", "stranger.eml")
    assert data["sources"] == [str(files["mails"] / n) for n in names]
    assert data["added"] == 2 and len(data["unmatched"]) == 2
    status = {Path(f["file"]).name: f["status"] for f in data["files"]}
    assert status == {"ana.eml": "imported", "devon.eml": "imported", "notes.txt": "unreadable",
                      "sam.eml": "unmatched", "stranger.eml": "unmatched"}  # fmt: skip


def test_a_saved_copy_is_the_copy_not_its_original(files: dict[str, Path]) -> None:
    """Outlook and Explorer name a second save of a file `Name (1).eml`: the original is
    taken first and credited, the copy is "the same report as" it (sorted by plain name,
    the copy came first, a space sorting before a dot), and `(10)` comes after `(2)`."""
    mails = files["mails"]
    for n in (1, 2, 10):
        (mails / f"devon ({n}).eml").write_bytes((mails / "devon.eml").read_bytes())
    res = run("progress", "import", str(mails), "-t", str(files["tracker"]), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    order = [Path(s).name for s in data["sources"] if Path(s).name.startswith("devon")]
    assert order == ["devon.eml", "devon (1).eml", "devon (2).eml", "devon (10).eml"]
    reason = {Path(f["file"]).name: (f["status"], f["reason"]) for f in data["files"]}
    assert reason["devon.eml"][0] == "imported"
    for n in (1, 2, 10):
        status, why = reason[f"devon ({n}).eml"]
        assert status == "already_imported" and why.startswith("the same report as devon.eml")


def test_the_same_report_in_two_files_of_one_import_says_so(files: dict[str, Path]) -> None:
    """A report forwarded twice (the same e-mail saved twice): added once, and the second
    file is said to be the same report as the first, not "already in Notes" (it was not)."""
    mails = files["mails"]
    (mails / "devon again.eml").write_bytes((mails / "devon.eml").read_bytes())
    res = run("progress", "import", str(mails), "-t", str(files["tracker"]), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    reason = {Path(f["file"]).name: (f["status"], f["reason"]) for f in data["files"]}
    status, why = reason["devon again.eml"]
    assert status == "already_imported" and why.startswith("the same report as devon.eml")
    assert reason["devon.eml"][0] == "imported"
    assert (data["already_there"], data["repeated"]) == (0, 1)
    twins = [i for i in data["imported"] if "same_as" in i]
    assert [(i["added"], i["same_as"]) for i in twins] == [(False, "devon.eml")]
    table = run("progress", "import", str(mails), "-t", str(files["tracker"]), "--dry-run")
    assert "already in Notes" in table.stderr  # a second import: every line is there now
    assert notes(files["tracker"], ROW["Devon Price"]).count("Finished the Privacy TBT.") == 1


def test_a_row_repeated_in_one_csv_is_not_called_another_files(
    files: dict[str, Path], tmp_path: Path
) -> None:
    csv = tmp_path / "late.csv"
    row = "11/24/2026 17:52,Ana Ruiz,AET-1,Module 5 done.\r\n"
    csv.write_text(f"Timestamp,Agent Name,Class,Update\r\n{row}{row}", encoding="utf-8")
    res = run("progress", "import", str(csv), "-t", str(files["tracker"]))
    assert res.exit_code == 0, res.output
    assert "another file" not in res.stderr
    assert "1 added, 0 already in Notes, 1 the same as another report" in res.stderr


def missing(files: dict[str, Path], *extra: str) -> Any:
    return run("progress", "missing", "--date", "2026-11-24", "-t", str(files["tracker"]), *extra)


def test_missing_lists_exactly_the_incomplete_agents_without_a_report(
    files: dict[str, Path],
) -> None:
    res = missing(files, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # Ana is complete; Eve starts in December; Bo reported (his note, his name reversed).
    assert [m["agent"] for m in data["missing"]] == [
        "Devon Price", "Sam Lee", "Sam Lee", "Thao Nguyen", "Cara Diaz", "Finn Wolfe",
    ]  # fmt: skip
    assert (data["incomplete"], data["reported"]) == (7, 1)
    assert data["not_started"] == [
        {"agent": "Eve Stark", "class": "AET-3", "sheet": "ESP Tracker", "row": 10,
         "esp_start": "2026-12-01"}
    ]  # fmt: skip
    cara = next(m for m in data["missing"] if m["agent"] == "Cara Diaz")
    assert cara["last_report"] == "2026-11-23"

    assert run("progress", "import", "--config", str(files["config"])).exit_code == 0
    data = json.loads(missing(files, "-f", "json").stdout)
    assert [m["agent"] for m in data["missing"]] == ["Sam Lee", "Cara Diaz", "Finn Wolfe"]
    assert data["missing"][0]["row"] == ROW["Sam Lee 1"]
    assert (data["incomplete"], data["reported"]) == (7, 4)
    # Another day: nobody has reported then.
    other = run("progress", "missing", "--date", "2026-11-25", "-t", str(files["tracker"]),
                "-f", "json")  # fmt: skip
    assert len(json.loads(other.stdout)["missing"]) == 7


def test_missing_as_table_and_csv(files: dict[str, Path]) -> None:
    res = missing(files)
    assert res.exit_code == 0, res.output
    assert "No self-report for Tue 11/24/2026: 6 of 7 incomplete" in " ".join(res.stdout.split())
    assert "Eve Stark (12/01/2026)" in res.stderr
    assert "1 of 7 incomplete agent(s) reported" in res.stderr
    res = missing(files, "-f", "csv")
    lines = res.stdout.splitlines()
    assert lines[0] == "agent,class,sheet,row,agent_id,email,tbt_sme,last_report"
    assert lines[1] == "Devon Price,AET-1,ESP Tracker,3,,devon.price@x.com,,"
    assert len(lines) == 7


@pytest.mark.parametrize(
    ("author", "name", "same"),
    [
        ("Devon Price", "devon price", True),
        ("Price, Devon", "Devon Price", True),
        ("PRICE  Devon", "Devon Price", True),
        ("Devon J. Price", "Devon Price", True),
        ("Maria Luisa Gonzalez", "Maria Gonzalez", True),
        ("Devon", "Devon Price", False),
        ("Dana Price", "Devon Price", False),
        ("Jordan Reyes", "Devon Price", False),
        ("", "Devon Price", False),
    ],
)
def test_same_person(author: str, name: str, same: bool) -> None:
    assert same_person(author, name) is same


# ------------------------------------------------------------------------------ sample


def incomplete_sample_agents(path: Path) -> set[str]:
    """The sample's incomplete agents, read with openpyxl (not esp's reader)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    header = [c.value for c in ws[4]]
    at = {h: i for i, h in enumerate(header)}
    yes = {"yes", "y", "true", "x", "complete"}

    def is_yes(v: object) -> bool:
        return v is True or (isinstance(v, str) and v.strip().lower() in yes)

    names = set()
    for row in ws.iter_rows(min_row=5, values_only=True):
        name = row[at["Agent Name"]]
        if not name:
            continue
        if not (is_yes(row[at["Call Cert Complete?"]]) and is_yes(row[at["All TBTs Complete?"]])):
            last_first = str(name).split(", ")
            names.add(" ".join(reversed(last_first)).lower())
    return names


def test_the_sample_report_and_emails_twice_then_who_is_missing(tmp_path: Path) -> None:
    files = build_sample(tmp_path)
    args = ["progress", "import", "--config", str(files.config), "-f", "json"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["unmatched"] == [] and data["problems"] == []
    assert data["added"] == len(PROGRESS_ROWS) + len(files.emails)
    marcus = next(i for i in data["imported"] if i["agent"] == "Marcus Lee")
    assert marcus["matched_by"] == "name"  # personal address: by display name
    again = json.loads(run(*args).stdout)
    assert again["added"] == 0 and again["already_there"] == data["added"]

    res = run("progress", "missing", "--date", REFERENCE_DATE.isoformat(), "--config",
              str(files.config), "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    listed = {m["agent"].lower() for m in json.loads(res.stdout)["missing"]}
    reported = {str(r[1]).strip().lower() for r in PROGRESS_ROWS if r[0].date() == DAY}
    reported = {" ".join(reversed(n.split(", "))) for n in reported}
    reported |= {"kayla brooks", "marcus lee", "samuel okoye", "hector vargas"}
    assert listed == incomplete_sample_agents(files.tracker) - reported
    assert "rebecca stone" not in listed and "derek simmons" in listed


# ---------------------------------------------------------------------- parsing reports


def test_sheet_rows_carry_class_and_email() -> None:
    rows: list[list[object]] = [
        ["Timestamp", "E-mail", "Agent Name", "Class", "Update", "Blockers"],
        [datetime(2026, 11, 24, 17), "Devon.Price@x.com ", "Price, Devon", "AET-1", "Done", "-"],
    ]
    (report,), problems = reports_from_rows(rows, "r.xlsx", ("agent name",))
    assert problems == []
    assert (report.name, report.email, report.cls, report.source) == (
        "Devon Price",
        "devon.price@x.com",
        "AET-1",
        "r.xlsx!row 2",
    )
    assert report.text == "Done (Blockers: -)"


def test_email_body_without_quotes_greeting_or_signature() -> None:
    report = parse_email(eml("Ana Ruiz <ana@x.com>", "Tue, 24 Nov 2026 23:30:00 -0500",
                             "Line one\r\nline two."), "a.eml", EASTERN)  # fmt: skip
    assert (report.day, report.name, report.email) == (DAY, "Ana Ruiz", "ana@x.com")
    assert report.text == "Line one line two."


@pytest.mark.parametrize(
    ("zone", "day"),
    [("America/New_York", DAY), ("America/Los_Angeles", DAY), ("Asia/Manila", date(2026, 11, 25))],
)
def test_an_email_counts_for_the_teams_day(zone: str, day: date) -> None:
    """23:30 in New York is 04:30 UTC the next day and 12:30 in Manila: the team's zone
    decides which day the report is for."""
    sent = "Tue, 24 Nov 2026 23:30:00 -0500"
    report = parse_email(eml("Ana Ruiz <ana@x.com>", sent, "Done."), "a.eml", ZoneInfo(zone))
    assert report.day == day


def test_a_full_or_error_notes_cell_does_not_stop_the_others(files: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(files["tracker"])
    wb["ESP Tracker"][f"{NOTES}{ROW['Devon Price']}"] = "11/20/2026 - Jo - " + "x" * 32_740
    wb["ESP Tracker"][f"{NOTES}{ROW['Sam Lee 2']}"] = "#N/A"
    wb.save(files["tracker"])
    res = run("progress", "import", "--config", str(files["config"]), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    reasons = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert "32,767" in reasons["devon.eml"]
    assert "32,767" in reasons["ESP Agent Progress Report.xlsx!row 2"]
    assert "shows the error #N/A" in reasons["ESP Agent Progress Report.xlsx!row 4"]
    assert data["added"] == 2  # Thao and Ana
    assert notes(files["tracker"], ROW["Ana Ruiz"]) == "11/24/2026 - Ana Ruiz - All done."


def test_a_report_refused_for_its_agents_row_names_the_agent_matched(
    files: dict[str, Path],
) -> None:
    """A report matched to an agent but not imported because of her row (her Notes cell full
    or showing an error) says whom esp matched it to: `matched` in JSON, `matched_*` columns
    in CSV; the report's own name and class stay as typed. A report matched to nobody has
    none."""
    wb = openpyxl.load_workbook(files["tracker"])
    wb["ESP Tracker"][f"{NOTES}{ROW['Devon Price']}"] = "11/20/2026 - Jo - " + "x" * 32_740
    wb["ESP Tracker"][f"{NOTES}{ROW['Sam Lee 2']}"] = "#N/A"
    wb.save(files["tracker"])
    args = ["progress", "import", "--config", str(files["config"]), "--dry-run"]
    res = run(*args, "-f", "json")
    assert res.exit_code == 0, res.output
    by_source = {u["source"]: u for u in json.loads(res.stdout)["unmatched"]}
    devon = {"agent": "Devon Price", "class": "AET-1", "sheet": "ESP Tracker",
             "row": ROW["Devon Price"]}  # fmt: skip
    full = by_source["ESP Agent Progress Report.xlsx!row 2"]
    assert (full["name"], full["class"], full["matched"]) == ("Devon Price", "AET-1", devon)
    typo = by_source["ESP Agent Progress Report.xlsx!row 3"]  # typed 'price, devon'
    assert (typo["name"], typo["class"], typo["matched"]) == ("devon price", "AET-1", devon)
    mail = by_source["devon.eml"]
    assert (mail["name"], mail["class"], mail["matched"]) == ("D. P.", "", devon)
    error = by_source["ESP Agent Progress Report.xlsx!row 4"]
    assert (error["name"], error["class"], error["matched"]) == (
        "Sam Lee",
        "AET-2",
        {"agent": "Sam Lee", "class": "AET-2", "sheet": "ESP Tracker", "row": ROW["Sam Lee 2"]},
    )
    for nobody in ("stranger.eml", "sam.eml", "ESP Agent Progress Report.xlsx!row 7"):
        assert "matched" not in by_source[nobody], by_source[nobody]
    assert not [k for u in by_source.values() for k in u if k.startswith("matched_")]

    res = run(*args, "-f", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0])[-4:] == ["matched_agent", "matched_class", "matched_sheet", "matched_row"]
    by = {r["source"]: r for r in rows if r["status"] == "unmatched"}
    picked = ("agent", "class", "matched_agent", "matched_class", "matched_sheet", "matched_row")
    assert {s: tuple(by[s][k] for k in picked) for s in by} == {
        "ESP Agent Progress Report.xlsx!row 2": ("Devon Price", "AET-1", "Devon Price", "AET-1",
                                                 "ESP Tracker", str(ROW["Devon Price"])),
        "ESP Agent Progress Report.xlsx!row 3": ("devon price", "AET-1", "Devon Price", "AET-1",
                                                 "ESP Tracker", str(ROW["Devon Price"])),
        "devon.eml": ("D. P.", "", "Devon Price", "AET-1", "ESP Tracker", str(ROW["Devon Price"])),
        "ESP Agent Progress Report.xlsx!row 4": ("Sam Lee", "AET-2", "Sam Lee", "AET-2",
                                                 "ESP Tracker", str(ROW["Sam Lee 2"])),
        "ESP Agent Progress Report.xlsx!row 6": ("Sam Lee", "AET-3", "", "", "", ""),
        "ESP Agent Progress Report.xlsx!row 7": ("Devn Price", "AET-1", "", "", "", ""),
        "sam.eml": ("Sam Lee", "", "", "", "", ""),
        "stranger.eml": ("Pat Doe", "", "", "", "", ""),
    }  # fmt: skip
    # An imported row names its agent in agent and class alone.
    added = [r for r in rows if r["status"] == "added"]
    assert added and all(r["matched_agent"] == "" for r in added)

    # On screen, the table of reports not imported names the agent and her row.
    res = run(*args)
    assert res.exit_code == 0, res.output
    table = res.stdout[res.stdout.index("Reports not imported") :]
    for line in table.splitlines():
        if "devon.eml" in line or "stranger.eml" in line:
            mine = f"Devon Price, row {ROW['Devon Price']}"
            assert (mine in line) is ("devon.eml" in line), line


@pytest.mark.parametrize("args", [[], ["--dry-run"]])
def test_a_control_character_in_one_report_is_left_out_not_the_import(
    files: dict[str, Path], tmp_path: Path, args: list[str]
) -> None:
    """A character no cell can show (an escape code pasted into a form, a stray control in
    an e-mail) is left out of that report's note and said; every report is imported."""
    (files["mails"] / "devon.eml").write_bytes(
        eml("Devon Price <devon.price@x.com>", "Tue, 24 Nov 2026 18:30:00 -0500",
            "Finished module 3\x01 4 left.")
    )  # fmt: skip
    csv = tmp_path / "late.csv"
    csv.write_text(
        "Timestamp,Agent Name,Class,Update\r\n"
        '11/24/2026 17:52,Ana Ruiz,AET-1,"Citrix error: \x1b[0mSession failed"\r\n'
        '11/24/2026 17:53,Thao Nguyen,AET-2,"C1 \x9b char"\r\n',
        encoding="utf-8",
    )
    res = run("progress", "import", str(files["mails"]), str(csv), "--config", str(files["config"]),
              "-f", "json", *args)  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    lines = {i["source"]: i["note"] for i in data["imported"]}
    assert lines["devon.eml"] == "11/24/2026 - Devon Price - Finished module 3 4 left."
    assert lines["late.csv!row 2"] == "11/24/2026 - Ana Ruiz - Citrix error: [0mSession failed"
    problems = {p["source"]: p["problem"] for p in data["problems"]}
    assert "U+0001" in problems["devon.eml"] and "left out" in problems["devon.eml"]
    assert "U+001B (escape)" in problems["late.csv!row 2"]
    # The C1 controls (U+0080-U+009F) too.
    assert lines["late.csv!row 3"] == "11/24/2026 - Thao Nguyen - C1 char"
    assert "U+009B (CSI)" in problems["late.csv!row 3"]
    assert "warning: devon.eml: " in res.stderr


def test_a_raw_iso_2022_jp_subject_is_the_note_with_no_escape_left_in_it(
    files: dict[str, Path],
) -> None:
    """A Japanese mailer's Subject in ISO-2022-JP without encoded words, the message's only
    text: the note is the subject read as Japanese; a stray escape that designates no
    character set is left out and said."""
    subject = "進捗報告 モジュール5完了".encode("iso2022_jp") + b" \x1b[31mOK"
    mail = (
        b"From: Devon Price <devon.price@x.com>\r\nSubject: " + subject + b"\r\n"
        b"Date: Tue, 24 Nov 2026 18:30:00 -0500\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="iso-2022-jp"\r\n\r\n\r\n'
    )
    (files["mails"] / "devon.eml").write_bytes(mail)
    res = run("progress", "import", str(files["mails"]), "--config", str(files["config"]),
              "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    lines = {i["source"]: i["note"] for i in data["imported"]}
    assert lines["devon.eml"] == "11/24/2026 - Devon Price - 進捗報告 モジュール5完了 [31mOK"
    problems = {p["source"]: p["problem"] for p in data["problems"]}
    assert "U+001B (escape)" in problems["devon.eml"] and "$B" not in lines["devon.eml"]


def test_a_byte_its_character_set_cannot_read_is_replaced_and_said(
    files: dict[str, Path],
) -> None:
    """A correctly labelled body with one stray byte (a gateway's footer) keeps its text;
    the byte is U+FFFD in the note, and the warning names the file."""
    body = "I won’t finish the “Privacy” module – Citrix down.".encode() + b" Caf\xe9"
    mail = eml("Devon Price <devon.price@x.com>", "Tue, 24 Nov 2026 18:30:00 -0500", "BODY")
    (files["mails"] / "devon.eml").write_bytes(mail.replace(b"BODY", body))
    res = run("progress", "import", str(files["mails"]), "--config", str(files["config"]),
              "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    lines = {i["source"]: i["note"] for i in data["imported"]}
    assert lines["devon.eml"] == (
        "11/24/2026 - Devon Price - I won’t finish the “Privacy” module – Citrix down. Caf\ufffd"
    )
    problems = {p["source"]: p["problem"] for p in data["problems"]}
    assert "1 character" in problems["devon.eml"] and "\ufffd" in problems["devon.eml"]


def test_an_agents_reports_of_one_day_are_written_in_the_order_sent(
    files: dict[str, Path],
) -> None:
    """Outlook names a second message of the same subject `ESP (2).msg` whatever its time:
    the day's lines follow the times they were sent, so the last is the latest status."""
    mails = files["mails"]
    for path in mails.iterdir():
        path.unlink()
    devon = "Devon Price <devon.price@x.com>"
    (mails / "ESP.eml").write_bytes(eml(devon, "Tue, 24 Nov 2026 19:00:00 -0500", "Evening: 7."))
    (mails / "ESP (2).eml").write_bytes(eml(devon, "Tue, 24 Nov 2026 12:00:00 -0500", "Noon: 6."))
    (mails / "ESP (3).eml").write_bytes(eml(devon, "Mon, 23 Nov 2026 19:00:00 -0500", "Mon: 5."))
    config = files["config"]
    config.write_text(
        config.read_text(encoding="utf-8") + '[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    res = run("progress", "import", str(mails), "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes(files["tracker"], ROW["Devon Price"]).split("\n") == [
        "11/23/2026 - Devon Price - Mon: 5.",
        "11/24/2026 - Devon Price - Noon: 6.",
        "11/24/2026 - Devon Price - Evening: 7.",
    ]


@pytest.mark.parametrize("named", ["nope.eml", "nofolder", "zero.msg", "notes.txt"])
def test_a_file_named_that_cannot_be_imported_is_said_before_a_damaged_tracker(
    files: dict[str, Path], tmp_path: Path, named: str
) -> None:
    """What the user can fix first: the file she named (missing, empty, of no report's
    kind), not the tracker, which is never read."""
    (tmp_path / "zero.msg").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not an e-mail", encoding="utf-8")
    files["tracker"].write_bytes(b"PK\x03\x04 not a workbook")
    good = files["mails"] / "devon.eml"
    res = run("progress", "import", str(good), str(tmp_path / named), "-t", str(files["tracker"]))
    assert res.exit_code == 3, res.output
    assert f"{tmp_path / named}: " in res.stderr, res.stderr
    assert "damaged" not in res.stderr, res.stderr


def test_several_files_named_that_cannot_be_imported_are_said_at_once_before_the_tracker(
    files: dict[str, Path], tmp_path: Path
) -> None:
    zero = tmp_path / "zero.msg"
    zero.write_bytes(b"")
    notmail = tmp_path / "notmail.eml"
    notmail.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    files["tracker"].write_bytes(b"PK\x03\x04 not a workbook")
    res = run("progress", "import", str(zero), str(notmail), str(tmp_path / "nope.eml"),
              "-t", str(files["tracker"]))  # fmt: skip
    assert res.exit_code == 3, res.output
    assert "3 of the files named cannot be imported" in res.stderr, res.stderr
    for path, why in ((zero, "an empty file"), (notmail, "not an e-mail"),
                      (tmp_path / "nope.eml", "no such file")):  # fmt: skip
        assert f"{path}: {why}" in res.stderr, res.stderr
    assert "damaged" not in res.stderr, res.stderr


def test_every_unreadable_file_named_on_the_command_line_is_named_at_once(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Not the first only, to be fixed and run again for the next: each, with its reason;
    nothing is written."""
    zero = tmp_path / "zero.msg"
    zero.write_bytes(b"")
    notmail = tmp_path / "notmail.eml"
    notmail.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Timestamp,Agent Name\r\n\x81\x8d\xff\xfe,\x90\r\n")
    good = files["mails"] / "devon.eml"
    original = files["tracker"].read_bytes()
    res = run("progress", "import", str(good), str(zero), str(notmail), str(bad),
              str(tmp_path / "nope.eml"), "-t", str(files["tracker"]))  # fmt: skip
    assert res.exit_code == 3, res.output
    for path, why in (
        (zero, "an empty file"),
        (notmail, "not an e-mail"),
        (bad, "not a text CSV"),
        (tmp_path / "nope.eml", "no such file"),
    ):
        assert f"{path}: {why}" in res.stderr, res.stderr
    assert "4 of the files named cannot be imported" in res.stderr
    assert files["tracker"].read_bytes() == original

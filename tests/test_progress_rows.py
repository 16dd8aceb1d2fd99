"""esp progress import: every word of a report row is written or the row is refused with
the reason — a value under no header, a CSV row longer than its header, a quote never
closed, a date after today, an anonymous Forms response — and esp progress missing on a day
nobody reports."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Email": "devon.price@x.com"},
    {"Class": "AET-1", "Agent Name": "Sam Lee", "Email": "sam.lee@x.com"},
    {"Class": "AET-1", "Agent Name": "Erin Walsh", "Email": "erin@x.com"},
]
ROW = {a["Agent Name"]: n for n, a in enumerate(AGENTS, start=3)}
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    path = tmp_path / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n',
        encoding="utf-8",
    )
    return path


def notes(config: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(config.parent / "ESP Tracker.xlsx")["ESP Tracker"]
    return {name: str(ws[f"{NOTES}{row}"].value or "") for name, row in ROW.items()}


def import_json(config: Path, path: Path) -> dict[str, Any]:
    res = run("progress", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def test_a_value_under_no_header_is_part_of_the_note(tmp_path: Path, config: Path) -> None:
    """What an agent typed in a column with no header is in the note as `column E: …`; a
    report whose words are all there is never 'no details given'."""
    path = factories.make_workbook(
        tmp_path / "report.xlsx",
        {
            "Responses": [
                [None, "Timestamp", "Agent Name", "Update", None, "Blockers"],
                [None, datetime(2026, 11, 24, 17, 40), "Erin Walsh", "Did 3",
                 "my password expired", "LH"],
                [None, datetime(2026, 11, 24, 17, 41), "Sam Lee", None, "Only there", None],
                [None, datetime(2026, 11, 24, 17, 42), "Devon Price", "Update", None, None,
                 "past the last header"],
            ]
        },
    )  # fmt: skip
    data = import_json(config, path)
    assert data["problems"] == [] and data["added"] == 3
    assert notes(config) == {
        "Erin Walsh": "11/24/2026 - Erin Walsh - Did 3 (column E: my password expired; "
        "Blockers: LH)",
        "Sam Lee": "11/24/2026 - Sam Lee - (column E: Only there)",
        "Devon Price": "11/24/2026 - Devon Price - Update (column G: past the last header)",
    }


def test_a_csv_value_under_an_empty_last_header_is_part_of_the_note(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update,\r\n11/24/2026 17:40,Erin Walsh,Did 3,and my password "
        "expired\r\n",
        encoding="utf-8",
    )
    import_json(config, path)
    assert notes(config)["Erin Walsh"] == (
        "11/24/2026 - Erin Walsh - Did 3 (column D: and my password expired)"
    )


def test_a_csv_row_longer_than_its_header_is_not_imported(tmp_path: Path, config: Path) -> None:
    """An unquoted comma in the update: the row is refused with its row number and the
    fields left over, never written cut at the comma; the other rows are imported."""
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\n"
        "11/24/2026 17:40,Erin Walsh,Did 3, and my password expired, SPOC called\n"
        "11/24/2026 17:41,Sam Lee,On module 4\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    (refused,) = data["unmatched"]
    assert refused["source"] == "report.csv!row 2"
    assert "5 fields under a header of 3" in refused["reason"]
    assert "'and my password expired', 'SPOC called'" in refused["reason"]
    assert data["files"][0]["reason"] == "2 reports: 1 added, 1 not imported"
    assert notes(config)["Erin Walsh"] == ""
    assert notes(config)["Sam Lee"] == "11/24/2026 - Sam Lee - On module 4"


def test_a_csv_row_shorter_than_its_header_is_read_as_it_is(tmp_path: Path, config: Path) -> None:
    """Fewer fields are the empty ones at the end, which hand-made files leave out."""
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update,Blockers\r\n11/24/2026 17:40,Erin Walsh,Did 3\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["unmatched"] == [] and data["problems"] == []
    assert notes(config)["Erin Walsh"] == "11/24/2026 - Erin Walsh - Did 3"


def test_a_quote_never_closed_is_not_imported(tmp_path: Path, config: Path) -> None:
    """The rest of the file reads as one field of the row whose quote is left open: that
    row is refused, naming the line, and never written with the other rows inside it."""
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n11/24/2026 17:40,Sam Lee,On module 4\r\n"
        '11/24/2026 17:41,Erin Walsh,"Did 3\r\n11/24/2026 17:42,Devon Price,Did 2\r\n',
        encoding="utf-8",
    )
    data = import_json(config, path)
    refused, inside = data["unmatched"]
    assert refused["source"] == "report.csv!row 3"
    assert "opened on line 3 is never closed" in refused["reason"]
    # Devon's report, read inside it, is counted as not imported too.
    assert (inside["source"], inside["name"]) == ("report.csv!row 4", "Devon Price")
    assert inside["reason"] == "read inside row 3 of the file (see its reason)"
    assert notes(config)["Erin Walsh"] == "" and notes(config)["Devon Price"] == ""


def test_a_report_dated_after_today_is_not_imported(
    tmp_path: Path, config: Path, today: date
) -> None:
    later = today + timedelta(days=5)
    path = tmp_path / "report.csv"
    path.write_text(
        f"Timestamp,Agent Name,Update\r\n{later:%m/%d/%Y} 17:40,Erin Walsh,future\r\n"
        f"{today:%m/%d/%Y} 17:40,Sam Lee,today\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    (refused,) = data["unmatched"]
    assert refused["date"] == later.isoformat()
    assert refused["reason"].startswith(f"dated {later:%m/%d/%Y}, after today ({today:%m/%d/%Y})")
    assert notes(config)["Erin Walsh"] == ""
    assert notes(config)["Sam Lee"] == f"{today:%m/%d/%Y} - Sam Lee - today"


def test_an_anonymous_forms_export_with_its_name_column_names_the_fix(
    tmp_path: Path, config: Path
) -> None:
    """Forms keeps the Name column, empty, in an anonymous form's export: the responses are
    counted as not imported, and the fix is to record names in the form."""
    path = factories.make_workbook(
        tmp_path / "anon.xlsx",
        {
            "Sheet1": [
                ["ID", "Start time", "Completion time", "Email", "Name", "What did you do?"],
                [2, datetime(2026, 11, 24, 17, 50), datetime(2026, 11, 24, 17, 52),
                 "anonymous", None, "6/8"],
                [3, datetime(2026, 11, 24, 17, 50), datetime(2026, 11, 24, 17, 53),
                 "anonymous", None, "7/8"],
            ]
        },
    )  # fmt: skip
    res = run("progress", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [u["reason"] for u in data["unmatched"]] == [
        "no name, and the e-mail is 'anonymous'"
    ] * 2
    assert data["files"][0]["status"] == "unmatched"
    (problem,) = data["problems"]
    assert "Record name" in problem["problem"]
    assert "Record name" in res.stderr
    table = run("progress", "import", str(path), "--config", str(config))
    assert "2 report(s) from 1 file(s): 0 added, 0 already in Notes, 2 not imported" in (
        table.stderr
    )


@pytest.mark.parametrize(
    ("day", "why", "before"),
    [
        (
            "2026-11-26",
            "Thanksgiving Day",
            "Wednesday's list: esp progress missing --date 2026-11-25",
        ),
        ("2026-11-28", "a Saturday", "Friday's list: esp progress missing --date 2026-11-27"),
    ],
)
def test_progress_missing_on_a_day_off_says_nobody_reports(
    config: Path, day: str, why: str, before: str
) -> None:
    res = run("progress", "missing", "--date", day, "--config", str(config))
    assert res.exit_code == 0, res.output
    assert f"is not a business day ({why}): nobody self-reports on it" in res.stderr
    assert before in res.stderr
    eod = run("report", "eod", "--date", day, "--config", str(config))
    # One warning, in the same words, naming each its own command.
    said = next(ln for ln in res.stderr.splitlines() if "not a business day" in ln)
    assert said.replace("list: esp progress missing", "report: esp report eod") in eod.stderr


def test_progress_missing_on_a_business_day_says_nothing_of_it(config: Path) -> None:
    res = run("progress", "missing", "--date", "2026-11-24", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert "not a business day" not in res.stderr


def test_on_a_tracker_of_several_sheets_the_row_says_its_sheet(tmp_path: Path) -> None:
    """Row 3 of which sheet: the imported table says; and a class written otherwise than
    the tracker's (`aet 2`, `AET-2`) is said to be so, not as if it were another class."""
    headers = list(factories.TRACKER_HEADERS)
    agents = {"AET-1": "Sam Lee", "AET-2": "Erin Walsh"}
    factories.make_workbook(
        tmp_path / "ESP Tracker.xlsx",
        {cls: [headers, [{"Class": cls, "Agent Name": name}.get(h) for h in headers]]
         for cls, name in agents.items()},
        title_rows=1,
    )  # fmt: skip
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Class,Agent Name,Update\r\n11/24/2026 17:40,AET-1,Sam Lee,Did 3\r\n"
        "11/24/2026 17:41,aet 2,Erin Walsh,Did 4\r\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["progress", "import", str(path), "--tracker", str(tmp_path / "ESP Tracker.xlsx")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "│ Sam Lee │ AET-1!3 │" in res.stdout
    assert (
        "the report's class 'aet 2' is written otherwise than AET-2 (classes match ignoring "
        "case and spaces only)" in res.stdout
    )


def test_a_workbook_named_csv_is_said_to_be_one(tmp_path: Path, config: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "report.xlsx",
        {
            "Sheet1": [
                ["Timestamp", "Agent Name", "Update"],
                [datetime(2026, 11, 24), "Sam Lee", "x"],
            ]
        },
    )
    renamed = path.rename(tmp_path / "report.csv")
    res = run("progress", "import", str(renamed), "--config", str(config))
    assert res.exit_code == 3
    assert "report.csv: this is an Excel workbook named .csv" in res.stderr
    assert "rename it to 'report.xlsx'" in res.stderr and "CSV UTF-8" not in res.stderr
    res = run("note", "import", str(renamed), "--config", str(config))
    assert res.exit_code == 3 and "rename it to 'report.xlsx'" in res.stderr


def test_an_empty_sheet_is_passed_over_without_a_warning(tmp_path: Path, config: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "report.xlsx",
        {
            "Responses": [["Timestamp", "Agent Name", "Update"],
                          [datetime(2026, 11, 24, 17), "Sam Lee", "Did 3"]],
            "Sheet2": [],
            "Totals": [["Total", 1]],
        },
    )  # fmt: skip
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code == 0, res.output
    assert "Sheet2" not in res.stderr
    assert "report.xlsx [Totals]" in res.stderr  # a sheet with words in it is still named


def test_a_quote_closed_rows_later_by_an_inch_mark_is_not_imported(
    tmp_path: Path, config: Path
) -> None:
    """Erin's quote left open, 'closed' by the inch mark of Sam's `24" monitor` a line
    later: never Sam's report inside Erin's note; the row is refused naming the lines."""
    path = tmp_path / "report.csv"
    path.write_text(
        'Timestamp,Agent Name,Update\r\n11/24/2026 17:40,Erin Walsh,"Billing module was slow\r\n'
        '11/24/2026 17:41,Sam Lee,my 24" monitor broke\r\n11/24/2026 17:42,Devon Price,Did 5\r\n',
        encoding="utf-8",
    )
    data = import_json(config, path)
    refused, inside = data["unmatched"]
    assert refused["source"] == "report.csv!row 2"
    assert refused["reason"].startswith('a quote (") opened on line 2 is closed on line 3')
    assert (inside["source"], inside["name"]) == ("report.csv!row 3", "Sam Lee")
    assert [i["source"] for i in data["imported"]] == ["report.csv!row 4"]
    assert notes(config) == {
        "Devon Price": "11/24/2026 - Devon Price - Did 5",
        "Sam Lee": "",
        "Erin Walsh": "",
    }


def test_a_csv_row_is_numbered_by_its_line_in_the_file(tmp_path: Path, config: Path) -> None:
    """After Excel's `sep=` line and a report over two lines, the row named is the line of
    the file, as the quote's line is."""
    path = tmp_path / "eu.csv"
    path.write_text(
        'sep=;\r\nTimestamp;Agent Name;Update\r\n24/11/2026 17:40;Erin Walsh;"Did 3\r\nand 4"\r\n'
        "24/11/2026 17:41;Sam Lee;Called; no answer\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    (refused,) = data["unmatched"]
    assert refused["source"] == "eu.csv!row 5"
    assert [i["source"] for i in data["imported"]] == ["eu.csv!row 3"]


def test_row_numbers_under_no_header_are_no_part_of_the_note(tmp_path: Path, config: Path) -> None:
    """pandas' index, a sheet numbered in column A or `#`: no agent's words. They are left
    out, named once in a warning; words typed under no header are still in the note."""
    path = tmp_path / "pd.csv"
    path.write_text(
        ",#,Timestamp,Agent Name,Update,\r\n0,1,11/24/2026 17:40,Erin Walsh,Did 3,#N/A\r\n"
        "1,2,11/24/2026 17:41,Sam Lee,Did 4,my password expired\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert notes(config)["Erin Walsh"] == "11/24/2026 - Erin Walsh - Did 3"
    assert notes(config)["Sam Lee"] == (
        "11/24/2026 - Sam Lee - Did 4 (column F: my password expired)"
    )
    (problem,) = data["problems"]
    assert problem["source"] == "pd.csv"
    assert problem["problem"].startswith("columns A (no header), B ('#'), F (no header): ")
    assert "left out of the notes" in problem["problem"]


def test_a_hidden_helper_column_under_no_header_is_no_part_of_the_note(
    tmp_path: Path, config: Path
) -> None:
    """A hidden column of formulas (`=ROW()-1`, a VLOOKUP giving #N/A or a name): nobody
    typed it."""
    path = factories.make_workbook(
        tmp_path / "hid.xlsx",
        {
            "Responses": [
                ["Timestamp", "Agent Name", "Update", None],
                [datetime(2026, 11, 24, 17, 40), "Erin Walsh", "Did 3", 1],
                [datetime(2026, 11, 24, 17, 41), "Sam Lee", "Did 4", "Erin W."],
            ]
        },
    )
    wb = openpyxl.load_workbook(path)
    wb["Responses"].column_dimensions["D"].hidden = True
    wb.save(path)
    data = import_json(config, path)
    assert notes(config)["Erin Walsh"] == "11/24/2026 - Erin Walsh - Did 3"
    assert notes(config)["Sam Lee"] == "11/24/2026 - Sam Lee - Did 4"
    (problem,) = data["problems"]
    assert problem["problem"].startswith("column D (no header, hidden): ")


def test_a_renumbered_sheet_adds_no_report_twice(tmp_path: Path, config: Path) -> None:
    """The next evening's sheet has a newer report on top and its rows numbered again."""

    def sheet(reports: list[tuple[datetime, str, str]]) -> Path:
        return factories.make_workbook(
            tmp_path / "rn.xlsx",
            {
                "Responses": [
                    [None, "Timestamp", "Agent Name", "Update"],
                    *([i, *r] for i, r in enumerate(reports, start=1)),
                ]
            },
        )

    day = datetime(2026, 11, 24, 17, 41)
    import_json(config, sheet([(day, "Erin Walsh", "Did 3"), (day, "Sam Lee", "Did 4")]))
    later = datetime(2026, 11, 25, 17, 40)
    data = import_json(
        config,
        sheet([(later, "Erin Walsh", "Did 5"), (day, "Erin Walsh", "Did 3"), (day, "Sam Lee",
               "Did 4")]),
    )  # fmt: skip
    assert (data["added"], data["already_there"]) == (1, 2)
    assert notes(config)["Erin Walsh"] == (
        "11/24/2026 - Erin Walsh - Did 3\n11/25/2026 - Erin Walsh - Did 5"
    )


def test_a_report_whose_other_columns_are_written_otherwise_is_already_in_notes(
    tmp_path: Path, config: Path
) -> None:
    """The blank header fixed, the same file imported again: the same report, its other
    column now under its header, is not added a second time, nor is the one an earlier
    esp wrote without that column."""
    path = tmp_path / "h.csv"
    rows = "\r\n11/24/2026 17:40,Erin Walsh,Did 3,my password expired\r\n"
    rows += "11/24/2026 17:41,Sam Lee,,Only there\r\n"
    path.write_text("Timestamp,Agent Name,Update," + rows, encoding="utf-8")
    assert import_json(config, path)["added"] == 2
    before = notes(config)
    path.write_text("Timestamp,Agent Name,Update,Blockers" + rows, encoding="utf-8")
    data = import_json(config, path)
    assert (data["added"], data["already_there"]) == (0, 2)
    assert notes(config) == before
    erin = next(i for i in data["imported"] if i["agent"] == "Erin Walsh")
    assert erin["in_notes_as"] == "11/24/2026 - Erin Walsh - Did 3 (column D: my password expired)"
    res = run("progress", "import", str(path), "--config", str(config))
    assert "2 of them are in Notes with their other columns written otherwise" in res.stderr


def test_a_report_an_earlier_esp_wrote_without_its_other_columns_is_already_in_notes(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n11/24/2026 17:40,Erin Walsh,Did 3\r\n", encoding="utf-8"
    )
    import_json(config, path)
    path.write_text(
        "Timestamp,Agent Name,Update,\r\n11/24/2026 17:40,Erin Walsh,Did 3,my password expired\r\n"
        "11/24/2026 17:45,Erin Walsh,Did 4,\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert (data["added"], data["already_there"]) == (1, 1)
    assert notes(config)["Erin Walsh"] == (
        "11/24/2026 - Erin Walsh - Did 3\n11/24/2026 - Erin Walsh - Did 4"
    )


@pytest.fixture
def pc_far_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """The PC's clock in Pago Pago (UTC-11), the team's day in Kiritimati (UTC+14): the
    team's today is always a day or two after the PC's. Yields the team's today."""
    monkeypatch.setenv("TZ", "Pacific/Pago_Pago")
    time.tzset()
    yield datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    monkeypatch.undo()
    time.tzset()


def test_after_today_is_after_the_team_s_today(
    tmp_path: Path, config: Path, pc_far_behind: date
) -> None:
    """A report sent on the team's today (its `[calendar] timezone`), while the PC's clock
    is still on the day before, is today's report: in both imports."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '[calendar]\ntimezone = "Pacific/Kiritimati"\n', encoding="utf-8")
    day = pc_far_behind
    assert day > date.today()
    path = tmp_path / "report.csv"
    path.write_text(
        f"Timestamp,Agent Name,Update\r\n{day:%m/%d/%Y} 08:00,Erin Walsh,Did 3\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["unmatched"] == [] and data["added"] == 1
    notes_csv = tmp_path / "notes.csv"
    notes_csv.write_text(f"agent,note,date\r\nSam Lee,Called,{day:%m/%d/%Y}\r\n", encoding="utf-8")
    res = run("note", "import", str(notes_csv), "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes(config)["Sam Lee"] == f"{day:%m/%d/%Y} - Jordan Reyes - Called"


@pytest.mark.parametrize("command", [["progress", "missing"], ["report", "eod"]])
def test_the_json_of_a_day_off_says_it_is_one(config: Path, command: list[str]) -> None:
    """A script mailing the list to the TBT SMEs can tell nobody reports on Thanksgiving."""
    res = run(*command, "--date", "2026-11-26", "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["not_a_business_day"] == "Thanksgiving Day"
    assert data["business_day_before"] == "2026-11-25"
    res = run(*command, "--date", "2026-11-24", "--config", str(config), "-f", "json")
    assert "not_a_business_day" not in json.loads(res.stdout)


def test_a_second_report_of_the_day_with_other_details_is_added(
    tmp_path: Path, config: Path
) -> None:
    """The midday import, then the evening one of the same cumulative sheet: a second report
    with the same update but a blocker is a report of its own, not the first written
    otherwise."""
    path = tmp_path / "day.csv"
    head = "Timestamp,Agent Name,Update,Blockers\r\n"
    midday = "11/24/2026 09:10,Erin Walsh,Module 4,none\r\n11/24/2026 12:41,Sam Lee,Did 3,\r\n"
    path.write_text(head + midday, encoding="utf-8")
    assert import_json(config, path)["added"] == 2
    path.write_text(
        head + midday + "11/24/2026 17:40,Erin Walsh,Module 4,Citrix locked me out\r\n"
        "11/24/2026 17:45,Sam Lee,Did 3,password expired\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert (data["added"], data["already_there"]) == (2, 2)
    assert notes(config)["Erin Walsh"] == (
        "11/24/2026 - Erin Walsh - Module 4 (Blockers: none)\n"
        "11/24/2026 - Erin Walsh - Module 4 (Blockers: Citrix locked me out)"
    )
    assert notes(config)["Sam Lee"] == (
        "11/24/2026 - Sam Lee - Did 3\n11/24/2026 - Sam Lee - Did 3 (Blockers: password expired)"
    )


@pytest.mark.parametrize(
    "rows",
    [
        '11/24/2026 17:40,Erin Walsh,"Billing module was slow,\r\n'
        '11/24/2026 17:41,Sam Lee,my monitor is 24",\r\n',
        '11/24/2026 17:40,Erin Walsh,"Billing module was slow,none\r\n'
        '11/24/2026 17:41,Sam Lee,Did 2,monitor 24",ok\r\n',
        # the shape caught before: its swallowed report is counted too
        '11/24/2026 17:40,Erin Walsh,"Billing module was slow,\r\n'
        '11/24/2026 17:41,Sam Lee,my 24" monitor,\r\n',
    ],
)
def test_a_report_swallowed_by_a_quote_closed_at_a_line_end_is_not_imported(
    tmp_path: Path, config: Path, rows: str
) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "Timestamp,Agent Name,Update,Blockers\r\n" + rows
        + "11/24/2026 17:42,Devon Price,Did 5,\r\n",
        encoding="utf-8",
    )  # fmt: skip
    res = run("progress", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [i["agent"] for i in data["imported"]] == ["Devon Price"]
    refused = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert list(refused) == ["q.csv!row 2", "q.csv!row 3"]
    assert refused["q.csv!row 2"].startswith('a quote (") opened on line 2 is closed on line 3')
    assert notes(config)["Erin Walsh"] == notes(config)["Sam Lee"] == ""


@pytest.mark.parametrize(
    ("header", "swallowed"),
    [
        ("Timestamp,Agent Name,Update,Blockers", '24/11/2026 17:41,Sam Lee,my monitor is 24",'),
        ("Timestamp,Agent Name,Update,Blockers", ',Sam Lee,my monitor is 24",'),
        ("Timestamp,Agent Name,Update,Blockers", 'tuesday,Lee Sam,my monitor is 24",'),
        ("Timestamp,Email,Update,Blockers", '24/11/2026,sam.lee@x.com,my monitor is 24",'),
    ],
)
def test_a_swallowed_report_is_caught_whatever_its_date_says(
    tmp_path: Path, config: Path, header: str, swallowed: str
) -> None:
    """A line inside a quote closed late is a report of its own when its name (or e-mail)
    finds an agent of the tracker, its date day first, empty or unreadable: Erin's row is
    refused and Sam's report named, never put in Erin's Notes."""
    erin = "Erin Walsh" if "Agent Name" in header else "erin@x.com"
    devon = "Devon Price" if "Agent Name" in header else "devon.price@x.com"
    path = tmp_path / "q.csv"
    path.write_text(
        f'{header}\r\n11/24/2026 17:40,{erin},"Billing module was slow,\r\n{swallowed}\r\n'
        f"11/24/2026 17:42,{devon},Did 5,\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert [i["agent"] for i in data["imported"]] == ["Devon Price"]
    (refused,) = data["unmatched"]
    assert refused["source"] == "q.csv!row 2"
    assert refused["reason"].startswith('a quote (") opened on line 2 is closed on line 3')
    assert "line 3 is a row of its own" in refused["reason"]
    (inside,) = [p for p in data["problems"] if p["source"] == "q.csv!row 3"]
    assert inside["problem"].startswith("read inside row 2 of the file (see its reason)")
    assert notes(config)["Erin Walsh"] == notes(config)["Sam Lee"] == ""


def test_a_line_break_in_an_answer_naming_no_agent_is_one_report(
    tmp_path: Path, config: Path
) -> None:
    """An answer's second line with commas in it, under the name column a word that finds
    no agent: one report, as typed."""
    path = tmp_path / "q.csv"
    path.write_text(
        'Timestamp,Agent Name,Update,Blockers\r\n11/24/2026 17:40,Erin Walsh,"Did 3\r\n'
        'then, Citrix, locked me out",none\r\n',
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert [i["agent"] for i in data["imported"]] == ["Erin Walsh"]
    assert data["unmatched"] == [] and data["problems"] == []


def test_a_real_answer_over_two_lines_is_imported(tmp_path: Path, config: Path) -> None:
    """A line break typed in an answer, its second line holding commas: one report."""
    path = tmp_path / "q.csv"
    path.write_text(
        'Timestamp,Agent Name,Update,Blockers\r\n11/24/2026 17:40,Erin Walsh,"Did 3, 4\r\n'
        'Blocker: locked out, need SPOC, today",none\r\n',
        encoding="utf-8",
    )
    assert import_json(config, path)["added"] == 1


def test_an_agent_id_column_finds_the_agent_and_never_overrides_the_name(
    tmp_path: Path,
) -> None:
    """A form's Employee ID: it finds the agent when the name is blank; a name that is
    another agent's, or no agent's, is not imported, naming both; it is no part of the
    note."""
    agents = [
        {"Class": "AET-1", "Agent Name": "Erin Walsh", "Agent ID": "E10203"},
        {"Class": "AET-1", "Agent Name": "Emily Chen", "Agent ID": "E10207"},
    ]
    factories.tracker(tmp_path / "ESP Tracker.xlsx", agents)
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', encoding="utf-8")
    path = tmp_path / "id.csv"
    path.write_text(
        "Timestamp,Agent ID,Agent Name,Update\r\n"
        "11/24/2026 17:40,E10207,Erin Walsh,Did 3\r\n"
        "11/24/2026 17:41,E10207,,Did 4\r\n"
        "11/24/2026 17:42,E10203,Erin Walsh,Did 5\r\n"
        "11/24/2026 17:43,E10203,Erin Walsch,Did 6\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert [(i["agent"], i["note"]) for i in data["imported"]] == [
        ("Emily Chen", "11/24/2026 - Emily Chen - Did 4"),
        ("Erin Walsh", "11/24/2026 - Erin Walsh - Did 5"),
    ]
    refused = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert list(refused) == ["id.csv!row 2", "id.csv!row 5"]
    assert "E10207" in refused["id.csv!row 2"] and "Emily Chen" in refused["id.csv!row 2"]
    assert "Erin Walsch" in refused["id.csv!row 5"] and "Erin Walsh" in refused["id.csv!row 5"]


def test_a_helper_formula_column_under_no_header_is_no_part_of_the_note(
    tmp_path: Path, config: Path
) -> None:
    """A visible column with no header of `=VLOOKUP(…)` giving text: a formula's result is
    no agent's words; named in the one warning."""
    import re
    import zipfile

    path = factories.make_workbook(
        tmp_path / "f.xlsx",
        {
            "Responses": [
                ["Timestamp", "Agent Name", "Update", None],
                [datetime(2026, 11, 24, 17, 40), "Erin Walsh", "Did 3", "AET-1109"],
                [datetime(2026, 11, 24, 17, 41), "Sam Lee", "Did 4", "typed by Sam"],
            ]
        },
    )
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'<c r="D2"[^>]*>.*?</c>',
        b'<c r="D2" t="str"><f>VLOOKUP(B2,Roster!A:C,3,FALSE)</f><v>AET-1109</v></c>',
        parts[sheet],
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    data = import_json(config, path)
    assert notes(config)["Erin Walsh"] == "11/24/2026 - Erin Walsh - Did 3"
    assert notes(config)["Sam Lee"] == "11/24/2026 - Sam Lee - Did 4 (column D: typed by Sam)"
    (problem,) = data["problems"]
    assert problem["problem"].startswith("column D (no header): ")
    assert "a formula's result" in problem["problem"]


def test_a_dated_log_pasted_in_an_answer_is_one_report(tmp_path: Path, config: Path) -> None:
    """Erin pastes her log: lines that read as report rows inside her answer, as Excel for
    Windows saves it (rows CR LF, LF in the cell), are no quote closed too late: her report
    is imported whole, and no report of hers is made up."""
    update = "\n".join(["Log:", "11/23/2026 17:00, did module 2, quiz 80%", "Did module 3"])
    path = tmp_path / "p.csv"
    path.write_bytes(
        ("\ufeffTimestamp,Agent Name,Update\r\n"
         f'11/24/2026 17:40,Erin Walsh,"{update}"\r\n11/24/2026 17:42,Devon Price,Did 5\r\n')
        .encode()
    )  # fmt: skip
    data = import_json(config, path)
    assert [i["agent"] for i in data["imported"]] == ["Erin Walsh", "Devon Price"]
    assert data["unmatched"] == []


@pytest.mark.parametrize("header", ["Date", "Date?", "Submitted"])
def test_a_second_date_column_is_part_of_the_note(
    tmp_path: Path, config: Path, header: str
) -> None:
    """The report is dated by its Timestamp; what the agent typed under another date column
    (the day it is for) is in the note, never dropped."""
    path = tmp_path / "report.csv"
    path.write_text(
        f"Timestamp,Agent Name,{header},Update\r\n"
        "11/24/2026 17:00,Sam Lee,11/23/2026 - for yesterday,Called SPOC\r\n",
        encoding="utf-8",
    )
    import_json(config, path)
    assert notes(config)["Sam Lee"] == (
        f"11/24/2026 - Sam Lee - Called SPOC ({header}: 11/23/2026 - for yesterday)"
    )


def test_a_second_date_column_imported_by_an_earlier_esp_is_not_added_again(
    tmp_path: Path, config: Path
) -> None:
    """A row an earlier esp wrote from this file without its Date column's answer (as esp
    writes it from the file without that column) is already in Notes."""
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n11/24/2026 17:00,Sam Lee,Called SPOC\r\n",
        encoding="utf-8",
    )
    assert import_json(config, path)["added"] == 1
    path.write_text(
        "Timestamp,Agent Name,Date,Update\r\n"
        "11/24/2026 17:00,Sam Lee,for yesterday,Called SPOC\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["added"] == 0
    assert notes(config)["Sam Lee"] == "11/24/2026 - Sam Lee - Called SPOC"


@pytest.mark.parametrize(
    ("header", "row", "line"),
    [
        ("Timestamp,Agent Name,Update,", "11/24/2026 17:00,Sam Lee,Called SPOC,note tomorrow",
         "11/24/2026 - Sam Lee - Called SPOC (column D: note tomorrow)"),
        ("Timestamp,Date,Agent Name,Update", "11/24/2026 17:00,11/20/2026,Sam Lee,Called SPOC",
         "11/24/2026 - Sam Lee - Called SPOC (Date: 11/20/2026)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("typed", [True, False])
def test_the_same_words_from_another_source_do_not_swallow_a_rows_other_answers(
    tmp_path: Path, config: Path, header: str, row: str, line: str, typed: bool
) -> None:
    """A line of the same day and words typed by hand, or imported from another file, is
    no line an earlier esp wrote from this file: the row's unheaded or second-date answer
    is added."""
    bare = "11/24/2026 - Sam Lee - Called SPOC"
    if typed:
        res = run("note", "add", "Sam Lee", "Called SPOC", "--by", "Sam Lee", "--date",
                  "2026-11-24", "--config", str(config))  # fmt: skip
        assert res.exit_code == 0, res.output
    else:  # the same words from another file of reports (an e-mail saved as one)
        other = tmp_path / "other.csv"
        other.write_text(
            "Timestamp,Agent Name,Update\r\n11/24/2026 9:00,Sam Lee,Called SPOC\r\n",
            encoding="utf-8",
        )
        assert import_json(config, other)["added"] == 1
    assert notes(config)["Sam Lee"] == bare
    path = tmp_path / "report.csv"
    path.write_text(f"{header}\r\n{row}\r\n", encoding="utf-8")
    data = import_json(config, path)
    assert data["added"] == 1
    assert notes(config)["Sam Lee"] == f"{bare}\n{line}"


# Microsoft Forms' own columns, before the questions: who filled the form in.
FORMS = ["ID", "Start time", "Completion time", "Email", "Name"]


@pytest.mark.parametrize("question", ["Date?", "Email?", "Name?", "Date"])
def test_a_forms_question_headed_as_a_date_email_or_name_is_part_of_the_note(
    tmp_path: Path, config: Path, question: str
) -> None:
    path = tmp_path / "forms.csv"
    path.write_text(
        f"{','.join(FORMS)},{question},Notes?\r\n1,11/24/2026 16:01:00,11/24/2026 16:05:00,"
        "sam.lee@x.com,Sam Lee,Yesterday - forgot to send,Called SPOC\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["added"] == 1 and data["problems"] == []
    assert notes(config)["Sam Lee"] == (
        f"11/24/2026 - Sam Lee - Called SPOC ({question}: Yesterday - forgot to send)"
    )


def _sme_form(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A Forms export of the team's note form: who filled it in, the agent, the note."""
    lines = [f"{','.join(FORMS)},Agent Name,Update"]
    lines += [
        f"{n},11/24/2026 14:01,11/24/2026 14:03,{email},{name},{agent},{update}"
        for n, (email, name, agent, update) in enumerate(rows, start=1)
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_a_forms_response_filled_in_about_an_agent_by_someone_else_is_not_imported(
    tmp_path: Path, config: Path
) -> None:
    """A self-report is the agent's own: a response whose respondent (Forms' Email and Name)
    is someone other than the agent it names is a note about the agent, refused with the row
    and the fix; the agent's own response beside it, and an anonymous one, are imported."""
    path = _sme_form(
        tmp_path / "form.csv",
        [
            ("tom.alvarez@x.com", "Tom Alvarez", "Erin Walsh", "Called twice; left voicemail"),
            ("sam.lee@x.com", "Sam Lee", "Sam Lee", "On module 4"),
            ("anonymous", "", "Devon Price", "Did 3"),
            ("erin@x.com", "Erin Walsh", "Devon Price", "Devon is out"),
        ],
    )
    data = import_json(config, path)
    refused = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert set(refused) == {"form.csv!row 2", "form.csv!row 5"}
    assert (
        "filled in by Tom Alvarez (tom.alvarez@x.com), not by Erin Walsh"
        in (refused["form.csv!row 2"])
    )
    assert "use esp note import for notes about an agent" in refused["form.csv!row 2"]
    assert "filled in by Erin Walsh (erin@x.com), not by Devon Price" in refused["form.csv!row 5"]
    # The agent esp matched each to: the one it names, not who filled it in.
    matched = {u["source"]: (u["name"], u["matched"]) for u in data["unmatched"]}
    assert matched == {
        "form.csv!row 2": (
            "Erin Walsh",
            {"agent": "Erin Walsh", "class": "AET-1", "sheet": "ESP Tracker", "row": 5},
        ),
        "form.csv!row 5": (
            "Devon Price",
            {"agent": "Devon Price", "class": "AET-1", "sheet": "ESP Tracker", "row": 3},
        ),
    }
    assert notes(config) == {
        "Devon Price": "11/24/2026 - Devon Price - Did 3",
        "Sam Lee": "11/24/2026 - Sam Lee - On module 4",
        "Erin Walsh": "",
    }


def test_a_forms_export_every_response_of_which_is_about_an_agent_is_refused(
    tmp_path: Path, config: Path
) -> None:
    path = _sme_form(
        tmp_path / "form.csv",
        [("tom.alvarez@x.com", "Tom Alvarez", "Erin Walsh", "Called twice; left voicemail")],
    )
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code != 0, res.output
    assert "form.csv" in res.stderr and "esp note import" in res.stderr
    assert notes(config)["Erin Walsh"] == ""

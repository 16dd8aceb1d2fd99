"""esp note import never writes part of a row as the whole note: a CSV row longer than its
header, a quote never closed, text in a column esp does not read are refused with the
reason (exit code 5), and the columns it does not read are named; a Microsoft Forms
export's own columns (who filled it in, when) are never the agent nor the note's words."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

AGENTS = [
    {"Class": "AET-1", "Agent Name": "Marcus Lee", "Agent ID": "E100"},
    {"Class": "AET-1", "Agent Name": "Kayla Brooks", "Agent ID": "E101"},
]
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


def run(tracker: Path, path: Path) -> Any:
    return CliRunner().invoke(
        app,
        ["note", "import", str(path), "--tracker", str(tracker), "--by", "Jordan Reyes", "-f",
         "json"],
    )  # fmt: skip


def notes(tracker: Path) -> list[str]:
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    return [str(ws[f"{NOTES}{row}"].value or "") for row in (3, 4)]


def rows(res: Any) -> dict[int, tuple[str, str]]:
    data = json.loads(res.stdout)
    return {n["row"]: (n["status"], n["reason"]) for n in data["notes"]}


def test_a_csv_row_longer_than_its_header_is_not_applied(tmp_path: Path, tracker: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "agent,note\nMarcus Lee,Called, no answer, will retry at 3\nKayla Brooks,On module 4\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    status, reason = rows(res)[2]
    assert status == "not applied"
    assert "4 fields under a header of 2" in reason and "'will retry at 3'" in reason
    assert rows(res)[3][0] == "added"
    marcus, kayla = notes(tracker)
    assert marcus == "" and kayla.endswith("Jordan Reyes - On module 4")


def test_a_quote_never_closed_is_not_applied(tmp_path: Path, tracker: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        'agent,note\nMarcus Lee,"Called, no answer\nKayla Brooks,On module 4\n', encoding="utf-8"
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    status, reason = rows(res)[2]
    assert status == "not applied" and "opened on line 2 is never closed" in reason
    assert notes(tracker) == ["", ""]


def test_a_csv_row_shorter_than_its_header_is_applied(tmp_path: Path, tracker: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("agent,note,column,by\nMarcus Lee,Called\n", encoding="utf-8")
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert notes(tracker)[0].endswith("Jordan Reyes - Called")


def test_a_column_esp_does_not_read_is_named_and_its_text_not_lost(
    tmp_path: Path, tracker: Path
) -> None:
    path = factories.make_workbook(
        tmp_path / "notes.xlsx",
        {
            "Sheet": [
                [None, "Notes to add"],
                [],
                [None, "Agent", "Note", "Details", "Date"],
                [None, "Marcus Lee", "Called", "no answer, retry at 3", datetime(2026, 11, 24)],
                [None, "Kayla Brooks", "On module 4", None, datetime(2026, 11, 24)],
            ]
        },
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    status, reason = rows(res)[4]
    assert status == "not applied"
    assert reason.startswith("column D ('Details') holds 'no answer, retry at 3'")
    assert rows(res)[5][0] == "added"
    (problem,) = json.loads(res.stdout)["problems"]
    assert problem["problem"].startswith("column D 'Details' not read")
    assert res.stderr.count("column D 'Details' not read") == 1
    assert notes(tracker) == ["", "11/24/2026 - Jordan Reyes - On module 4"]


def test_text_under_no_header_is_not_applied(tmp_path: Path, tracker: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "notes.xlsx",
        {"Sheet": [["agent", "note"], ["Marcus Lee", "Called", "and left a voicemail"]]},
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    assert rows(res)[2] == (
        "not applied",
        "column C (no header) holds 'and left a voicemail', which esp does not read: put it "
        "in the note column, or delete it",
    )
    assert notes(tracker) == ["", ""]


def test_a_quote_closed_rows_later_by_an_inch_mark_is_not_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """Marcus's quote left open, 'closed' by the inch mark of Kayla's `24" monitor`: the
    row holding both is not applied, naming the lines; the row after is, numbered by the
    line of the file it is on."""
    path = tmp_path / "notes.csv"
    path.write_text(
        'agent,note\r\nMarcus Lee,"Billing module was slow\r\nKayla Brooks,her 24" monitor '
        "broke\r\nKayla Brooks,On module 4\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    got = rows(res)
    assert got[2][0] == "not applied"
    assert got[2][1].startswith('a quote (") opened on line 2 is closed on line 3')
    assert got[4][0] == "added"
    assert notes(tracker) == ["", f"{date.today():%m/%d/%Y} - Jordan Reyes - On module 4"]


def test_a_sheet_copied_from_the_tracker_with_a_note_column_is_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """The tracker's own columns (Class, Agent ID, Email, TBT SME: esp knows them), a `#`
    column and a headerless row-number column are no note text: never a reason to refuse
    a row, nor named as columns not read."""
    path = tmp_path / "copy.csv"
    path.write_text(
        ",#,Class,Agent Name,Agent ID,Email,Note,TBT SME\r\n"
        "0,1,AET-1,Marcus Lee,E100,marcus@x.com,Called twice,Dana Whitfield\r\n"
        "1,2,AET-1,Kayla Brooks,E101,,On module 4,Dana Whitfield\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["problems"] == []
    assert "not read" not in res.stderr
    day = f"{date.today():%m/%d/%Y}"
    assert notes(tracker) == [
        f"{day} - Jordan Reyes - Called twice",
        f"{day} - Jordan Reyes - On module 4",
    ]


def test_a_tick_column_and_row_numbers_are_passed_over(tmp_path: Path, tracker: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "notes.xlsx",
        {
            "Sheet": [
                ["No.", "Agent", "Note", "Done?", None],
                [1, "Marcus Lee", "Called", "✓", 7],
                [2, "Kayla Brooks", "On module 4", True, None],
            ]
        },
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert [s for s, _ in rows(res).values()] == ["added", "added"]


def test_text_under_an_unknown_header_next_to_known_ones_is_still_not_applied(
    tmp_path: Path, tracker: Path
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "#,Agent Name,Agent ID,Note,Details\r\n1,Marcus Lee,E100,Called,left a voicemail\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    status, reason = rows(res)[2]
    assert status == "not applied"
    assert reason.startswith("column E ('Details') holds 'left a voicemail'")
    (problem,) = json.loads(res.stdout)["problems"]
    assert problem["problem"].startswith("column E 'Details' not read")


def test_a_second_agent_column_finds_the_agent_the_name_cannot(tmp_path: Path) -> None:
    """Two Ana Lopez in the tracker: the row's Agent ID says which; a row whose name is
    blank is found by its e-mail."""
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ana Lopez", "Agent ID": "E200"},
            {"Class": "AET-1", "Agent Name": "Ana Lopez", "Agent ID": "E201"},
            {"Class": "AET-1", "Agent Name": "Kayla Brooks", "Email": "kayla@x.com"},
        ],
    )
    path = tmp_path / "notes.csv"
    path.write_text(
        "Agent Name,Agent ID,Email,Note\r\nAna Lopez,E201,,Called\r\n,,kayla@x.com,On module 4\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    day = f"{date.today():%m/%d/%Y}"
    assert [ws[f"{NOTES}{r}"].value for r in (3, 4, 5)] == [
        None,
        f"{day} - Jordan Reyes - Called",
        f"{day} - Jordan Reyes - On module 4",
    ]


def test_an_agent_id_never_overrides_the_name_typed(tmp_path: Path) -> None:
    """The Agent ID or e-mail beside a name chooses among namesakes, or finds the agent when
    the name is blank; a name that finds no one (a typo, an SME's name), or another agent
    than the ID's, is not applied, naming the name typed and whose the ID is."""
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Maria Gonzalez", "Agent ID": "E10201"},
            {"Class": "AET-1", "Agent Name": "Emily Chen", "Agent ID": "E10207"},
            {"Class": "AET-1", "Agent Name": "Aaliyah Johnson", "Agent ID": "E10203"},
        ],
    )
    path = tmp_path / "notes.csv"
    path.write_text(
        "Agent Name,Agent ID,Note\r\n"
        "Maria Gonzalez,E10207,Called twice\r\n"
        "Maria Gonzales,E10207,Typo name\r\n"
        "Dana Whitfield,E10203,an SME name\r\n"
        "Maria Gonzalez,E10201,Called\r\n"
        ",E10207,On module 4\r\n"
        "Maria Gonzalez,,No ID given\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    data = json.loads(res.stdout)["notes"]
    got = {n["row"]: (n["status"], n["agent"], n["typed"], n["reason"]) for n in data}
    assert [got[r][0] for r in range(2, 8)] == ["not applied"] * 3 + ["added"] * 3
    assert "'Maria Gonzalez'" in got[2][3] and "Emily Chen" in got[2][3]
    assert "'Maria Gonzales'" in got[3][3] and "E10207 is Emily Chen" in got[3][3]
    assert "'Dana Whitfield'" in got[4][3] and "Aaliyah Johnson" in got[4][3]
    assert got[3][2] == "Maria Gonzales"
    assert got[6][1:3] == ("Emily Chen", "E10207")
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    day = f"{date.today():%m/%d/%Y}"
    assert [ws[f"{NOTES}{r}"].value for r in (3, 4, 5)] == [
        f"{day} - Jordan Reyes - Called\n{day} - Jordan Reyes - No ID given",
        f"{day} - Jordan Reyes - On module 4",
        None,
    ]


def test_two_namesakes_and_an_id_that_is_neither_is_not_applied(tmp_path: Path) -> None:
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ana Lopez", "Agent ID": "E200"},
            {"Class": "AET-1", "Agent Name": "Ana Lopez", "Agent ID": "E201"},
            {"Class": "AET-1", "Agent Name": "Kayla Brooks", "Agent ID": "E202"},
        ],
    )
    path = tmp_path / "notes.csv"
    path.write_text("Agent ID,Agent Name,Note\r\nE202,Ana Lopez,Called\r\n", encoding="utf-8")
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    (note,) = json.loads(res.stdout)["notes"]
    assert note["status"] == "not applied"
    assert "'Ana Lopez'" in note["reason"] and "Kayla Brooks" in note["reason"]


def test_words_under_a_tracker_column_that_names_no_agent_are_not_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """A call sheet's own `Next Action` or `SPOC Incident #`: the tracker has columns of
    those names, but words under them are no copy of who the agent is; the row is not
    applied, naming the column, and the columns are named in the warning."""
    path = tmp_path / "notes.csv"
    path.write_text(
        "Agent Name,Note,Next Action,SPOC Incident #,Citrix TBT Access\r\n"
        "Marcus Lee,Called SPOC,call again Friday 10am,INC0048812,Password reset pending\r\n"
        "Kayla Brooks,On module 4,,,\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    got = rows(res)
    assert got[2] == (
        "not applied",
        "column C ('Next Action') holds 'call again Friday 10am', which esp does not read: "
        "put it in the note column, or delete it",
    )
    assert got[3][0] == "added"
    (problem,) = json.loads(res.stdout)["problems"]
    assert problem["problem"].startswith(
        "columns C 'Next Action', D 'SPOC Incident #', E 'Citrix TBT Access' not read"
    )


def test_a_note_swallowed_by_a_quote_closed_at_a_line_end_is_not_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """`her monitor is 24"` ends Kayla's line and closes Marcus's quote: both rows are not
    applied; a real note over two lines still is."""
    path = tmp_path / "notes.csv"
    path.write_text(
        'agent,note\r\nMarcus Lee,"Billing module was slow\r\nKayla Brooks,her monitor is 24"'
        '\r\nKayla Brooks,"On module 4\r\nCalled back at 3, all good"\r\n',
        encoding="utf-8",
    )
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    got = rows(res)
    assert [got[n][0] for n in (2, 3, 4)] == ["not applied", "not applied", "added"]
    assert got[2][1].startswith('a quote (") opened on line 2 is closed on line 3')
    assert got[3][1] == "read inside row 2 of the file (see its reason)"


def test_a_note_over_several_lines_naming_an_agent_is_applied_whole(
    tmp_path: Path, tracker: Path
) -> None:
    """As Excel for Windows saves a note typed over several lines: rows end CR LF, the line
    break in the cell is LF. A line of it that reads as a row (an agent, a comma, words) is
    the note's own, never a row a quote closed too late swallowed."""
    note = "Called her twice, no answer\nKayla Brooks, per her supervisor, is out sick"
    path = tmp_path / "notes.csv"
    path.write_bytes(
        ("\ufeffAgent Name,Note\r\n" f'Kayla Brooks,"{note}"\r\nMarcus Lee,On module 4\r\n')
        .encode()
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert [status for status, _ in rows(res).values()] == ["added", "added"]
    assert notes(tracker)[1].endswith(" ".join(note.split()))


@pytest.mark.parametrize(
    "text",
    [
        # The row the inch mark closes is typed without its empty last fields.
        'Agent Name,Note,Column,By\nKayla Brooks,"Quote: cannot log in,Notes,Jordan Reyes\n'
        'Marcus Lee,On module 4,Notes,Jordan Reyes\nMarcus Lee,Needs a 24"\n',
        # Its comma forgotten: no row, but the line before it is one.
        'Agent Name,Note\nKayla Brooks,"Quote: cannot log in\nMarcus Lee,On module 4\n'
        'Marcus Lee needs a 24"\n',
        # The agent named as a row's agent cell finds him, not spelt as the tracker does.
        'Agent Name,Note\nKayla Brooks,"Quote: cannot log in\nLee, Marcus,Needs a 24"\n',
        'Agent Name,Note\nKayla Brooks,"Quote: cannot log in\nMarcus,Needs a 24"\n',
    ],
)
def test_a_quote_closed_late_on_a_short_line_puts_no_note_on_another_agent(
    tmp_path: Path, tracker: Path, text: str
) -> None:
    """A file typed by hand (LF rows): Marcus's note inside Kayla's quote is not written
    into Kayla's Notes; the row is not applied, naming the line."""
    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")
    res = run(tracker, path)
    assert res.exit_code == 5, res.output
    got = rows(res)
    assert got[2][0] == "not applied"
    assert got[2][1].startswith('a quote (") opened on line 2')
    assert notes(tracker) == ["", ""]


def test_agent_name_is_the_agent_column_over_a_name_left_of_it(
    tmp_path: Path, tracker: Path
) -> None:
    """A form's export: `Name` is whoever filled it in, `Agent Name` the agent."""
    path = tmp_path / "notes.csv"
    path.write_text(
        "Name,Agent Name,Note\r\nJordan Reyes,Kayla Brooks,On module 4\r\n", encoding="utf-8"
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert notes(tracker)[1].endswith("On module 4")


# Microsoft Forms' own columns, before the questions; who filled the form in.
FORMS = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
PRIYA = ["priya.natarajan@x.com", "Priya Natarajan", ""]


def forms_csv(path: Path, rows: list[list[str]]) -> Path:
    """The rows as a CSV UTF-8 with its byte-order mark (Excel's "CSV UTF-8"), quoted where
    a field holds a comma."""
    quoted = [",".join(f'"{v}"' if "," in v else v for v in row) for row in rows]
    path.write_bytes(("\ufeff" + "\r\n".join(quoted) + "\r\n").encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("question", "marcus", "kayla"),
    [("Agent", "Marcus Lee", "Kayla Brooks"), ("Agent Name", "Lee, Marcus", "Kayla Brooks"),
     ("Agent ID", "E100", "E101")],
)  # fmt: skip
def test_a_forms_export_is_imported_dated_and_signed_by_its_response(
    tmp_path: Path, tracker: Path, question: str, marcus: str, kayla: str
) -> None:
    """The note's day is the Completion time's, signed by who filled the form in (Name);
    the respondent's Email is never checked as the agent's, nor Forms' columns read as
    words of the note."""
    path = forms_csv(
        tmp_path / "Notes form.csv",
        [
            [*FORMS, question, "Note"],
            ["1", "12/5/2026 9:12:40 AM", "12/5/2026 9:14:02 AM", *PRIYA, marcus,
             "Called, no answer"],
            ["2", "12/4/2026 4:58:10 PM", "12/4/2026 5:01:33 PM", *PRIYA, kayla, "On module 4"],
        ],
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [n["status"] for n in data["notes"]] == ["added", "added"]
    assert data["problems"] == []
    assert notes(tracker) == [
        "12/05/2026 - Priya Natarajan - Called, no answer",
        "12/04/2026 - Priya Natarajan - On module 4",
    ]


def test_a_forms_workbook_is_imported_as_its_csv(tmp_path: Path, tracker: Path) -> None:
    """The export as Forms gives it (.xlsx, its times Excel dates); an anonymous form's
    response (no Name) is signed by --by."""
    path = factories.make_workbook(
        tmp_path / "Notes form.xlsx",
        {
            "Sheet1": [
                [*FORMS, "Agent", "Note"],
                [1, datetime(2026, 12, 5, 9, 12, 40), datetime(2026, 12, 5, 9, 14, 2),
                 "anonymous", None, None, "Marcus Lee", "Called"],
            ]
        },
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert notes(tracker)[0] == "12/05/2026 - Jordan Reyes - Called"


def test_a_date_question_dates_the_note_over_the_completion_time(
    tmp_path: Path, tracker: Path
) -> None:
    path = forms_csv(
        tmp_path / "f.csv",
        [
            [*FORMS, "Agent", "Date", "Note"],
            ["1", "12/5/2026 9:12:40 AM", "12/5/2026 9:14:02 AM", *PRIYA, "Marcus Lee",
             "12/3/2026", "Called"],
        ],
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert notes(tracker)[0] == "12/03/2026 - Priya Natarajan - Called"


@pytest.mark.parametrize(
    ("questions", "column"),
    [
        (["Note"], "E 'Name'"),  # no question names the agent: only who filled it in
        (["Name", "Note"], "G 'Name'"),  # a question headed as the respondent's Name
        (["Email", "Note"], "G 'Email'"),
    ],
)
def test_a_forms_export_that_cannot_tell_the_agent_from_who_filled_it_is_refused(
    tmp_path: Path, tracker: Path, questions: list[str], column: str
) -> None:
    path = forms_csv(
        tmp_path / "f.csv",
        [
            [*FORMS, *questions],
            ["1", "12/5/2026 9:12:40 AM", "12/5/2026 9:14:02 AM", *PRIYA,
             *(["Marcus Lee"] if len(questions) > 1 else []), "Called"],
        ],
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 3, res.output
    assert "Microsoft Forms" in res.stderr and f"column {column}" in res.stderr
    assert "'Agent'" in res.stderr  # the fix: a question headed Agent
    assert notes(tracker) == ["", ""]


def test_a_forms_completion_time_dates_the_note_on_the_teams_day(
    tmp_path: Path, tracker: Path
) -> None:
    """A Completion time in UTC (an export made by a flow) is read on the team's clock:
    03:30 UTC on 6 December is still 5 December in Chicago."""
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[calendar]\ntimezone = "America/Chicago"\n',
        encoding="utf-8",
    )
    path = forms_csv(
        tmp_path / "f.csv",
        [
            [*FORMS, "Agent", "Note"],
            ["1", "2026-12-06T03:28:00Z", "2026-12-06T03:30:00Z", *PRIYA, "Marcus Lee", "Called"],
        ],
    )
    res = CliRunner().invoke(app, ["note", "import", str(path), "--config", str(config)])
    assert res.exit_code == 0, res.output
    assert notes(tracker)[0] == "12/05/2026 - Priya Natarajan - Called"


def test_a_forms_response_the_agent_filled_in_about_themself_is_not_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """Who filled the form in (Forms' Name or Email) is the agent it names: the agent's own
    self-report, never signed as a note of someone else's; refused with the fix. A note
    another person filled in beside it is applied."""
    path = forms_csv(
        tmp_path / "Self-report form.csv",
        [
            [*FORMS, "Agent Name", "Update"],
            ["1", "12/5/2026 9:01", "12/5/2026 9:03", "marcus.lee@x.com", "Marcus Lee", "",
             "Marcus Lee", "Finished module 5"],
            ["2", "12/5/2026 9:04", "12/5/2026 9:05", "kb@x.com", "Brooks, Kayla", "",
             "E101", "Stuck on 6"],
            ["3", "12/5/2026 9:12", "12/5/2026 9:14", *PRIYA, "Kayla Brooks", "Called"],
        ],
    )  # fmt: skip
    res = run(tracker, path)
    got = rows(res)
    for n, who in ((2, "Marcus Lee"), (3, "Brooks, Kayla")):
        status, reason = got[n]
        assert status == "not applied"
        assert f"filled in by {who}" in reason and "esp progress import" in reason
    assert got[4][0] == "added"
    assert notes(tracker) == ["", "12/05/2026 - Priya Natarajan - Called"]


@pytest.mark.parametrize(
    ("headers", "values", "column"),
    [
        (["Agent", "Note", "Date", "Day"], ["Marcus Lee", "Called", "12/3/2026", "for Friday"],
         "D ('Day')"),
        (["Agent", "Note", "By", "Author"], ["Marcus Lee", "Called", "Priya", "Sam"],
         "D ('Author')"),
    ],
)  # fmt: skip
def test_a_second_column_of_a_field_read_is_never_passed_over(
    tmp_path: Path, tracker: Path, headers: list[str], values: list[str], column: str
) -> None:
    """Of two columns naming the date (or the signer), one is read: words in the other are
    not dropped: the row is not applied, naming the column."""
    path = tmp_path / "notes.csv"
    path.write_text(f"{','.join(headers)}\r\n{','.join(values)}\r\n", encoding="utf-8")
    res = run(tracker, path)
    status, reason = rows(res)[2]
    assert status == "not applied"
    assert f"column {column}" in reason
    (problem,) = json.loads(res.stdout)["problems"]
    field = "date" if "Day" in column else "by"
    assert f"another {field} column, set aside: C " in problem["problem"]
    assert notes(tracker) == ["", ""]


@pytest.mark.parametrize(
    ("date", "by", "line"),
    [
        ("", "", "12/05/2026 - Priya Natarajan - Sent SPOC steps"),
        ("12/3/2026", "", "12/03/2026 - Priya Natarajan - Sent SPOC steps"),
        ("", "Pat Sme", "12/05/2026 - Pat Sme - Sent SPOC steps"),
    ],
)
def test_a_forms_question_left_empty_falls_back_on_the_completion_time_and_respondent(
    tmp_path: Path, tracker: Path, date: str, by: str, line: str
) -> None:
    """A form's optional Date and By questions left empty: the response is dated by its
    Completion time and signed by who filled it in, as when the form asks neither — never
    today and --by."""
    path = forms_csv(
        tmp_path / "f.csv",
        [
            [*FORMS, "Agent", "Date", "Note", "By"],
            ["1", "12/5/2026 9:12:40 AM", "12/5/2026 9:14:02 AM", *PRIYA, "Marcus Lee", date,
             "Sent SPOC steps", by],
        ],
    )  # fmt: skip
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert notes(tracker)[0] == line


def test_a_row_an_earlier_esp_wrote_without_its_second_column_is_already_there(
    tmp_path: Path, tracker: Path
) -> None:
    """A re-import of a file whose `Day` column an earlier esp left out: the row's line, as
    that esp wrote it from the file, is in the cell, so the row is already there (no
    refusal whose fix would add it twice); a row whose line is not there is refused for the
    column, and so is one naming no agent."""
    earlier = "12/03/2026 - Pat Sme - Called about Pharmacy TBT"
    path = tmp_path / "notes.csv"
    # As an earlier esp wrote it: without the Day column.
    path.write_text(
        "Agent,Date,Note,By\r\nMarcus Lee,12/3/2026,Called about Pharmacy TBT,Pat Sme\r\n"
    )
    assert run(tracker, path).exit_code == 0
    assert notes(tracker) == [earlier, ""]
    path.write_text(
        "Agent,Date,Day,Note,By\r\n"
        "Marcus Lee,12/3/2026,Thursday,Called about Pharmacy TBT,Pat Sme\r\n"
        "Kayla Brooks,12/3/2026,Thursday,On module 4,Pat Sme\r\n"
        "Nobody Here,12/3/2026,Thursday,On module 4,Pat Sme\r\n",
        encoding="utf-8",
    )
    res = run(tracker, path)
    got = rows(res)
    assert got[2] == ("already there", "")
    assert got[3][0] == got[4][0] == "not applied"
    assert "column C ('Day') holds 'Thursday'" in got[3][1]
    assert "column C ('Day') holds 'Thursday'" in got[4][1]
    assert notes(tracker) == [earlier, ""]


def test_the_same_line_typed_by_hand_does_not_pass_over_a_column_not_read(
    tmp_path: Path, tracker: Path
) -> None:
    """The row's words without its `Day` column typed by hand (no esp import of the file
    wrote them): the row is still not applied for that column, never taken as there."""
    typed = "12/03/2026 - Pat Sme - Called about Pharmacy TBT"
    tracker = factories.tracker(tracker, [{**AGENTS[0], "Notes": typed}, AGENTS[1]])
    path = tmp_path / "notes.csv"
    path.write_text(
        "Agent,Date,Day,Note,By\r\n"
        "Marcus Lee,12/3/2026,for Friday,Called about Pharmacy TBT,Pat Sme\r\n",
        encoding="utf-8",
    )
    status, reason = rows(run(tracker, path))[2]
    assert status == "not applied" and "column C ('Day') holds 'for Friday'" in reason
    assert notes(tracker) == [typed, ""]


def test_an_agent_column_spelled_as_esp_toml_maps_it_names_the_agent(
    tmp_path: Path, tracker: Path
) -> None:
    """A team whose tracker heads its agents `Associate` (esp.toml [columns]) heads its
    note list the same: the column names the agent, as it does in the tracker."""
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n'
        '[columns]\n"Agent Name" = ["Associate"]\n',
        encoding="utf-8",
    )
    path = tmp_path / "notes.csv"
    path.write_text("Associate,Note\nKayla Brooks,On module 4\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["note", "import", str(path), "--config", str(config)])
    assert res.exit_code == 0, res.output
    assert notes(tracker)[1].endswith("Jordan Reyes - On module 4")


def test_a_note_column_left_of_the_one_read_is_another_not_a_second(
    tmp_path: Path, tracker: Path
) -> None:
    """Of two note columns the one set aside may be the left one: it is "another", set
    aside, naming the one read."""
    path = tmp_path / "notes.csv"
    path.write_text("Notes,Agent,Note\nleft words,Kayla Brooks,right words\n", encoding="utf-8")
    res = run(tracker, path)
    (problem,) = json.loads(res.stdout)["problems"]
    said = problem["problem"]
    assert "column A 'Notes' (another note column, set aside: C 'Note' is read)" in said
    assert notes(tracker) == ["", ""]


@pytest.mark.parametrize(
    "by", ["Reyes, Jordan", "Brooks, Kayla", "Lee, Marcus"], ids=["other", "agent", "self"]
)
def test_a_note_ending_in_a_line_break_before_a_quoted_signer_is_applied(
    tmp_path: Path, tracker: Path, by: str
) -> None:
    """A note ending in a line break, then the signer last name first, quoted for its
    comma, in a file a script wrote (LF rows): the line between them (`","Reyes, Jordan"`)
    only ends the note and starts the next field; it is no row of its own, even when the
    signer's name is an agent's."""
    path = tmp_path / "notes.csv"
    path.write_bytes(
        (
            "Agent Name,Note,By\n"
            f'Marcus Lee,"Called him twice\n","{by}"\n'
            "Kayla Brooks,On module 4,Jordan Reyes\n"
        ).encode()
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert [status for status, _ in rows(res).values()] == ["added", "added"]


def test_a_first_column_note_ending_in_a_line_break_is_applied(
    tmp_path: Path, tracker: Path
) -> None:
    """The note first, ending in a line break, then the agent quoted (a script's file, LF
    rows): the line `","Marcus Lee",Jordan Reyes` ends the note and goes on with the row;
    it is no row of its own."""
    path = tmp_path / "notes.csv"
    path.write_bytes(
        b"Note,Agent Name,By\n"
        b'"Called SPOC\n","Marcus Lee",Jordan Reyes\n'
        b"All good,Kayla Brooks,Jordan Reyes\n"
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert [status for status, _ in rows(res).values()] == ["added", "added"]


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_signer_ending_in_a_line_break_before_the_agent_is_applied(
    tmp_path: Path, tracker: Path, end: str
) -> None:
    """The signer first, quoted, ending in a line break (a script's file, its rows and the
    cell's break alike): the line `",Marcus Lee,On module 4` closes that quote and goes on
    with the row; it is no row of its own."""
    path = tmp_path / "notes.csv"
    path.write_bytes(
        (
            f"By,Agent Name,Note{end}"
            f'"Jordan Reyes{end}",Marcus Lee,On module 4{end}'
            f"Jordan Reyes,Kayla Brooks,Called SPOC{end}"
        ).encode()
    )
    res = run(tracker, path)
    assert res.exit_code == 0, res.output
    assert [status for status, _ in rows(res).values()] == ["added", "added"]

"""Self-reports as Excel, Outlook, Microsoft Forms and European PCs make them: quoting,
automatic replies, every sheet of a workbook, dates in one order per file, names in any
Unicode form or order, forwards and replies, and a Forms export."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage, PropertyTypeCode
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.inbox import read_mail
from esp_cli.mail.selfreports import UnreadableMail, clean_body, html_to_text
from tests import factories

AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Email": "devon.price@x.com"},
    {"Class": "AET-1", "Agent Name": "Sam Lee", "Email": "sam.lee@x.com"},
    {"Class": "AET-1", "Agent Name": "Brian O'Connor", "Email": "brian@x.com"},
    {"Class": "AET-2", "Agent Name": "José García", "Email": "jose@x.com"},
    {"Class": "AET-2", "Agent Name": "Nguyen, Thao", "Email": "thao@x.com"},
]
ROW = {a["Agent Name"]: n for n, a in enumerate(AGENTS, start=3)}
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column
TUE = "Tue, 24 Nov 2026 17:30:00 -0500"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


@pytest.fixture
def config(tmp_path: Path, tracker: Path) -> Path:
    path = tmp_path / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n'
        '[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    return path


def notes(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {name: str(ws[f"{NOTES}{row}"].value or "") for name, row in ROW.items()}


def import_json(config: Path, *files: Path | str) -> dict[str, Any]:
    res = run("progress", "import", *map(str, files), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def eml(
    body: str,
    *,
    sender: str = "Devon Price <devon.price@x.com>",
    subject: str = "ESP progress",
    headers: str = "",
    content_type: str = 'text/plain; charset="utf-8"',
) -> bytes:
    return (
        f"From: {sender}\r\nTo: Jordan Reyes <jordan.reyes@x.com>\r\nSubject: {subject}\r\n"
        f"Date: {TUE}\r\nMIME-Version: 1.0\r\n{headers}Content-Type: {content_type}\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def make_msg(path: Path, message_class: str, body: str = "I am out of the office.") -> Path:
    msg = MapiMessage.create("Automatic reply: ESP progress", body)
    msg.message_class = message_class
    msg.set_property(0x0C1A, PropertyTypeCode.PTYP_STRING, "Devon Price")
    msg.set_property(0x0C1E, PropertyTypeCode.PTYP_STRING, "SMTP")
    msg.set_property(0x0C1F, PropertyTypeCode.PTYP_STRING, "devon.price@x.com")
    msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, datetime(2026, 11, 24, 22, 30))
    msg.save(path)
    return path


# ------------------------------------------------------------- 1. CSV quoting (RFC 4180)

QUOTED_COURSES = (
    "Timestamp,Agent Name,Class,Update,Blockers\r\n"
    "11/24/2026 17:00,Devon Price,AET-1,'HIPAA 101',none\r\n"
    "11/24/2026 17:01,Brian O'Connor,AET-1,'Privacy 200',none\r\n"
    '11/24/2026 17:05,Sam Lee,AET-1,"Did 2 TBTs, 1 left",Password reset\r\n'
    "11/24/2026 17:07,Thao Nguyen,AET-2,'Appeals 300',\r\n"
)


def test_single_quotes_in_a_csv_are_text_not_quoting(tmp_path: Path, config: Path) -> None:
    """Course names in single quotes do not make `'` the quote character: the double-quoted
    field holding a comma stays one field, and the Blockers column after it is kept."""
    path = tmp_path / "report.csv"
    path.write_text(QUOTED_COURSES, encoding="utf-8")
    data = import_json(config, path)
    assert data["problems"] == [] and data["added"] == 4
    after = notes(config.parent / "ESP Tracker.xlsx")
    assert after["Sam Lee"] == (
        "11/24/2026 - Sam Lee - Did 2 TBTs, 1 left (Blockers: Password reset)"
    )
    assert after["Devon Price"] == "11/24/2026 - Devon Price - 'HIPAA 101' (Blockers: none)"


def test_note_import_reads_the_same_csv_as_excel_does(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "agent,note,by\r\nDevon Price,'HIPAA 101',Jordan Reyes\r\n"
        "Brian O'Connor,'Privacy 200',Jordan Reyes\r\n"
        'Sam Lee,"Called, no answer",Jordan Reyes\r\n',
        encoding="utf-8",
    )
    res = run("note", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    lines = {n["agent"]: n["line"] for n in json.loads(res.stdout)["notes"]}
    assert lines["Sam Lee"].endswith(" - Jordan Reyes - Called, no answer")
    assert lines["Devon Price"].endswith(" - Jordan Reyes - 'HIPAA 101'")


@pytest.mark.parametrize(
    "text",
    [
        # Excel in a European locale: semicolons, commas inside the text.
        "Timestamp;Agent Name;Update\r\n11/24/2026 17:00;Sam Lee;Did 2, 1 left, more soon\r\n",
        # Excel's "sep=" first line names the delimiter.
        'sep=;\r\nTimestamp;Agent Name;Update\r\n11/24/2026 17:00;Sam Lee;"Did 2, 1 left; more '
        'soon"\r\n',
        # Tab-separated (Excel's "Unicode Text"), a quote inside a quoted field.
        'Timestamp\tAgent Name\tUpdate\r\n11/24/2026 17:00\tSam Lee\t"Did 2, 1 left; more soon"'
        "\r\n",
    ],
)
def test_the_delimiter_is_guessed_and_quoting_is_rfc_4180(
    tmp_path: Path, config: Path, text: str
) -> None:
    path = tmp_path / "report.csv"
    path.write_text(text, encoding="utf-8")
    data = import_json(config, path)
    assert data["problems"] == [] and data["added"] == 1
    assert data["imported"][0]["note"].startswith("11/24/2026 - Sam Lee - Did 2, 1 left")
    assert data["imported"][0]["note"].endswith(" more soon")


# --------------------------------------------------------------- 2. automatic replies

AUTO_REPLIES = {
    "oof.eml": eml(
        "I am out of the office until Monday.",
        subject="Out of office: ESP progress",
        headers="Auto-Submitted: auto-replied\r\n",
    ),
    "automatic reply.eml": eml(
        "I am out of the office until Monday.", subject="Automatic reply: ESP progress"
    ),
    "invite.eml": eml(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Coaching\r\n"
        "END:VEVENT\r\nEND:VCALENDAR",
        subject="Coaching",
        content_type='text/calendar; method=REQUEST; charset="utf-8"',
    ),
    "bounce.eml": eml(
        "--b1\r\nContent-Type: text/plain\r\n\r\nDelivery has failed.\r\n--b1--",
        sender="Mail Delivery System <MAILER-DAEMON@x.com>",
        subject="Undeliverable: ESP progress",
        content_type='multipart/report; report-type=delivery-status; boundary="b1"',
    ),
}
SKIPPED_MSG_CLASSES = {
    "oof.msg": "IPM.Note.Rules.OofTemplate.Microsoft",
    "rule reply.msg": "IPM.Note.Rules.ReplyTemplate.Microsoft",
    "meeting.msg": "IPM.Schedule.Meeting.Request",
}


def test_automatic_replies_and_meeting_requests_are_skipped_with_the_reason(
    tmp_path: Path, config: Path
) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    for name, data in AUTO_REPLIES.items():
        (folder / name).write_bytes(data)
    for name, message_class in SKIPPED_MSG_CLASSES.items():
        make_msg(folder / name, message_class)
    (folder / "real.eml").write_bytes(eml("Did 2 TBTs.", sender="Sam Lee <sam.lee@x.com>"))
    data = import_json(config, folder)
    files = {Path(f["file"]).name: f for f in data["files"]}
    assert {n: f["status"] for n, f in files.items()} == {
        **dict.fromkeys([*AUTO_REPLIES, *SKIPPED_MSG_CLASSES], "skipped"),
        "real.eml": "imported",
    }
    assert "automatic reply" in files["oof.eml"]["reason"]
    assert "Auto-Submitted: auto-replied" in files["oof.eml"]["reason"]
    assert "Automatic reply:" in files["automatic reply.eml"]["reason"]
    assert "meeting request" in files["invite.eml"]["reason"]
    assert "delivery report" in files["bounce.eml"]["reason"]
    assert "out-of-office" in files["oof.msg"]["reason"]
    assert "IPM.Note.Rules.OofTemplate.Microsoft" in files["oof.msg"]["reason"]
    assert "meeting request" in files["meeting.msg"]["reason"]
    assert data["added"] == 1
    assert notes(config.parent / "ESP Tracker.xlsx")["Devon Price"] == ""
    res = run("progress", "missing", "--date", "2026-11-24", "--config", str(config), "-f", "json")
    assert "Devon Price" in [m["agent"] for m in json.loads(res.stdout)["missing"]]
    table = run("progress", "import", str(folder), "--config", str(config))
    assert "oof.msg" in table.stdout and "skipped" in table.stdout
    assert "7 skipped (automatic replies, meeting requests" in table.stderr


def test_an_automatic_reply_in_the_transport_headers_of_a_msg_is_skipped(tmp_path: Path) -> None:
    """A reply saved from the Inbox keeps its Internet headers in the .msg."""
    path = make_msg(tmp_path / "a.msg", "IPM.Note", "Thank you for your message.")
    msg = MapiMessage.from_file(path)
    msg.set_property(
        0x007D,
        PropertyTypeCode.PTYP_STRING,
        "Received: from x\r\nAuto-Submitted: auto-generated\r\nSubject: ESP\r\n",
    )
    msg.save(path)
    with pytest.raises(UnreadableMail, match="automatic reply.*Auto-Submitted: auto-generated"):
        read_mail(path.read_bytes(), "a.msg")


def test_an_automatic_reply_below_a_subject_continued_unindented_in_a_msg_is_skipped(
    tmp_path: Path,
) -> None:
    """Gmail through Exchange Online continues a long encoded Subject on lines that are not
    indented: the .msg's Internet headers after it are still headers, as in an .eml."""
    path = make_msg(tmp_path / "a.msg", "IPM.Note", "Thank you for your message.")
    msg = MapiMessage.from_file(path)
    msg.set_property(0x0037, PropertyTypeCode.PTYP_STRING, "RE: ESP progress")
    msg.set_property(
        0x007D,
        PropertyTypeCode.PTYP_STRING,
        "Received: from x\r\nSubject: =?utf-8?B?UkU6IEVTUCA=?=\r\n=?utf-8?B?cHJvZ3Jlc3M=?=\r\n"
        "Auto-Submitted: auto-replied\r\n",
    )
    msg.save(path)
    with pytest.raises(UnreadableMail, match="automatic reply.*Auto-Submitted: auto-replied"):
        read_mail(path.read_bytes(), "a.msg")


def test_auto_submitted_no_is_an_ordinary_message() -> None:
    report = read_mail(eml("Did 2 TBTs.", headers="Auto-Submitted: no\r\n"), "a.eml")
    assert report.text == "Did 2 TBTs."


# ------------------------------------------------------------- 5. every sheet is accounted


def test_every_sheet_is_read_or_named_with_the_reason(tmp_path: Path, config: Path) -> None:
    report = factories.make_workbook(
        tmp_path / "report.xlsx",
        {
            "Form Responses 1": [
                ["Timestamp", "Agent Name", "Update"],
                [datetime(2026, 11, 24, 17), "Devon Price", "Did 2 TBTs."],
            ],
            "Late": [
                ["Submitted On", "Agent Name", "Update"],
                [datetime(2026, 11, 24, 19), "Sam Lee", "Sent late."],
            ],
            "Summary": [["Agents", "Reported"], [5, 2]],
        },
    )
    data = import_json(config, report)
    assert data["added"] == 2
    assert notes(config.parent / "ESP Tracker.xlsx")["Sam Lee"] == (
        "11/24/2026 - Sam Lee - Sent late."
    )
    (problem,) = data["problems"]
    assert problem["source"] == "report.xlsx [Summary]"
    assert "no header row" in problem["problem"] and "date" in problem["problem"]
    (outcome,) = data["files"]
    assert outcome["status"] == "imported" and "sheet Summary not read" in outcome["reason"]


@pytest.mark.parametrize("header", ["Submitted On", "Timestamp", "Completion time", "Start time",
                                    "Date Submitted", "Submission Date"])  # fmt: skip
def test_common_date_headers_are_recognised(tmp_path: Path, config: Path, header: str) -> None:
    path = tmp_path / "report.csv"
    path.write_text(f"{header},Agent Name,Update\r\n11/24/2026 17:00,Sam Lee,Done\r\n", "utf-8")
    assert import_json(config, path)["added"] == 1


# ----------------------------------------------------------- 7. one date order per file


def test_a_european_csv_is_read_day_first_throughout(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp;Agent Name;Update\r\n"
        "24.11.2026 17:00;Sam Lee;Late one\r\n"
        "05.11.2026 09:00;Devon Price;Early one\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["problems"] == []
    days = {i["agent"]: i["date"] for i in data["imported"]}
    assert days == {"Sam Lee": "2026-11-24", "Devon Price": "2026-11-05"}


def test_a_file_that_mixes_both_orders_guesses_nothing(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n"
        "24/11/2026,Sam Lee,Day first\r\n"
        "11/25/2026,Sam Lee,Month first\r\n"
        "05/11/2026,Devon Price,Either\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert sorted(i["date"] for i in data["imported"]) == ["2026-11-24", "2026-11-25"]
    (problem,) = data["problems"]
    assert problem["source"] == "report.csv!row 4"
    assert "'05/11/2026'" in problem["problem"] and "day first" in problem["problem"]


def test_a_utc_timestamp_is_filed_on_the_teams_day(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Update\r\n2026-11-25T03:30:00Z,Sam Lee,Late evening\r\n"
        "2026-11-25T01:30:00-05:00,Devon Price,Their own zone\r\n",
        encoding="utf-8",
    )
    days = {i["agent"]: i["date"] for i in import_json(config, path)["imported"]}
    assert days == {"Sam Lee": "2026-11-24", "Devon Price": "2026-11-25"}


def test_note_import_dates_follow_the_same_rules(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "agent;note;date\r\nSam Lee;One;24.11.2026\r\nDevon Price;Two;05.11.2026\r\n",
        encoding="utf-8",
    )
    res = run("note", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    lines = {n["agent"]: n["line"] for n in json.loads(res.stdout)["notes"]}
    assert lines == {
        "Sam Lee": "11/24/2026 - Jordan Reyes - One",
        "Devon Price": "11/05/2026 - Jordan Reyes - Two",
    }


# ------------------------------------------------------------------------------ 8. names


def test_an_encoded_last_first_sender_keeps_its_address() -> None:
    mail = eml("Did 2 TBTs.", sender="=?utf-8?Q?Price=2C_Devon?= <dp1990@gmail.com>")
    report = read_mail(mail, "a.eml")
    assert (report.name, report.email) == ("Price, Devon", "dp1990@gmail.com")


@pytest.mark.parametrize(
    ("sender", "agent"),
    [
        ("=?utf-8?Q?Price=2C_Devon?= <dp1990@gmail.com>", "Devon Price"),
        ("=?utf-8?Q?Brian_O=E2=80=99Connor?= <bo@gmail.com>", "Brian O'Connor"),
        ("Lee Sam <sl@gmail.com>", "Sam Lee"),
        ("=?utf-8?Q?Jose=CC=81_Garci=CC=81a?= <jg@gmail.com>", "José García"),  # NFD
        ("Nguyen Thao <tn@gmail.com>", "Thao Nguyen"),
    ],
)
def test_a_sender_name_matches_in_any_form(
    tmp_path: Path, config: Path, sender: str, agent: str
) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(eml("Did 2 TBTs.", sender=sender))
    data = import_json(config, path)
    assert [(i["agent"], i["matched_by"]) for i in data["imported"]] == [(agent, "name")]


def test_sheet_names_match_in_any_form(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    nfd = unicodedata.normalize("NFD", "García, José")
    path.write_text(
        f'Timestamp,Agent Name,Update\r\n11/24/2026,Brian O’Connor,A\r\n11/24/2026,"{nfd}",B\r\n'
        "11/24/2026,Price Devon,C\r\n11/24/2026,O‘CONNOR BRIAN,D\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert data["unmatched"] == []
    assert sorted(i["agent"] for i in data["imported"]) == [
        "Brian O'Connor", "Brian O'Connor", "Devon Price", "José García",
    ]  # fmt: skip


def test_a_master_name_in_any_form_finds_its_agent(tmp_path: Path, config: Path) -> None:
    master = factories.master(
        tmp_path / "Master.xlsx",
        [
            ("AET-1", "Price Devon", None, None, "N1", date(2026, 11, 9)),
            ("AET-1", "Brian O’Connor", None, None, "N2", date(2026, 11, 9)),
            ("AET-2", unicodedata.normalize("NFD", "José García"), None, None, "N3",
             date(2026, 11, 9)),
        ],
    )  # fmt: skip
    res = run("sync-nnumbers", "--from", str(master), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["unmatched"] == []


def test_a_proof_named_in_nfd_is_not_badly_named(tmp_path: Path, config: Path) -> None:
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    (proofs / unicodedata.normalize("NFD", "José García TBT.pdf")).write_bytes(pdf)
    res = run("tbt", "proofs", str(proofs), "--config", str(config), "--dry-run", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == [] and len(data["recorded"]) == 1


# ---------------------------------------------------------------- 9. forwards and replies

QUOTE_STARTS = [
    "---------- Forwarded message ---------\nFrom: Jordan Reyes <jordan@x.com>\n"
    "Date: Mon, Nov 23, 2026\nSubject: ESP\n\nPlease report.",
    "Begin forwarded message:\n\nFrom: Jordan Reyes <jordan@x.com>\nPlease report.",
    "On Tue, Nov 24, 2026 at 5:00 PM Jordan Reyes <\njordan.reyes@x.com> wrote:\n\n"
    "> Please report before logging off.",
    "On Tue, Nov 24, 2026 at 5:00 PM Jordan Reyes\n<jordan.reyes@x.com> wrote:\n"
    "Please report before logging off.",
    "-------- Original Message --------\nSubject: ESP\nPlease report.",
    "Sent from my iPhone",
    "Get Outlook for Android",
]


@pytest.mark.parametrize("quoted", QUOTE_STARTS)
def test_only_the_agents_own_new_text_is_kept(quoted: str) -> None:
    assert clean_body(f"Hi Jordan,\n\nDid 3 TBTs.\n\n{quoted}\n", "Devon Price") == "Did 3 TBTs."


def test_text_below_a_marked_quote_is_kept() -> None:
    body = (
        "On Mon, Nov 23, 2026 at 5:01 PM Jordan Reyes <\njordan@x.com> wrote:\n"
        "> Please report.\n\nDid 3 TBTs.\n> Any blockers?\nNone.\n"
    )
    assert clean_body(body, "Devon Price") == "Did 3 TBTs. None."


def test_an_agents_own_words_that_look_like_an_attribution_are_kept() -> None:
    body = "On Monday I wrote:\nthe Appeals TBT is missing.\nSent from home, Citrix was down."
    assert clean_body(body) == (
        "On Monday I wrote: the Appeals TBT is missing. Sent from home, Citrix was down."
    )


def test_an_html_reply_keeps_no_quoted_text() -> None:
    html = (
        '<div dir="ltr">Did 3 TBTs.</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "On Tue, Nov 24, 2026 at 5:00 PM Jordan Reyes &lt;jordan@x.com&gt; wrote:<br></div>"
        "<blockquote>Please report before logging off.</blockquote></div>"
    )
    assert clean_body(html_to_text(html)) == "Did 3 TBTs."
    outlook = (
        '<div>Did 3 TBTs.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">'
        "<b>From:</b> Jordan Reyes<br><b>Sent:</b> Tuesday</div><div>Please report.</div>"
    )
    assert clean_body(html_to_text(outlook)) == "Did 3 TBTs."


def test_an_html_source_wrapped_inside_a_line_is_one_line_of_text() -> None:
    """Word and Outlook wrap their HTML's source lines (after `<b>From:</b>`): a line break
    in HTML is a space, so the quoted header block is still found; `<pre>` keeps its lines."""
    wrapped = (
        "<p class=MsoNormal>Done 6 of 8 &#8211; Privacy still\r\nblocked.</p>\r\n<div><p "
        "class=MsoNormal><b>From:</b>\r\nJordan Reyes &lt;jordan.reyes@vendorcx.com&gt; <br>"
        "<b>Sent:</b> Tuesday, November 24, 2026 5:00 PM<br><b>To:</b> Team<br><b>Subject:"
        "</b> ESP</p></div>\r\n<p class=MsoNormal>Team, please send your progress.</p>"
    )
    assert clean_body(html_to_text(wrapped)) == "Done 6 of 8 – Privacy still blocked."
    assert html_to_text("<pre>Done 6\nof 8</pre>").split() == ["Done", "6", "of", "8"]
    assert "Done 6\nof 8" in html_to_text("<pre>Done 6\nof 8</pre>")


def test_a_last_first_sender_does_not_leave_their_name_as_the_note() -> None:
    assert clean_body("Did 3 TBTs.\n\nDevon", "Price, Devon") == "Did 3 TBTs."


def test_a_forward_with_no_text_of_its_own_is_its_subject_without_fw() -> None:
    mail = eml("---------- Forwarded message ---------\nFrom: X\n\nOld.", subject="Fwd: 7 of 8")
    assert read_mail(mail, "a.eml").text == "7 of 8"
    # A reply forwarded ("Fwd: RE:") answers the coordinator's message: not the agent's words.
    mail = eml("---------- Forwarded message ---------\nFrom: X\n\nOld.", subject="Fwd: RE: ESP")
    assert read_mail(mail, "a.eml").text == ""


# --------------------------------------------------------- 16. Forms export, a bad .eml

FORMS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name",
                "What did you complete today?", "Blockers"]  # fmt: skip


def test_a_microsoft_forms_export_is_read(tmp_path: Path, config: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "ESP Daily Report(1-3).xlsx",
        {
            "Sheet1": [
                FORMS_HEADER,
                [1, datetime(2026, 11, 24, 16, 55), datetime(2026, 11, 24, 17, 2),
                 "devon.price@x.com", "Price, Devon", "2 TBTs", None],
                [2, datetime(2026, 11, 24, 23, 58), datetime(2026, 11, 25, 0, 3),
                 "SLee@personal.com", "Sam Lee", "Privacy module", "Citrix down"],
                [3, datetime(2026, 11, 24, 18, 0), datetime(2026, 11, 24, 18, 1),
                 "anonymous", None, "No name here", None],
            ]
        },
    )  # fmt: skip
    data = import_json(config, path)
    lines = {i["agent"]: (i["date"], i["note"], i["matched_by"]) for i in data["imported"]}
    assert lines == {
        "Devon Price": ("2026-11-24", "11/24/2026 - Devon Price - 2 TBTs", "e-mail"),
        "Sam Lee": ("2026-11-25", "11/25/2026 - Sam Lee - Privacy module (Blockers: Citrix down)",
                    "name"),
    }  # fmt: skip
    # The anonymous response is a report not imported, and the sheet says how to fix the form.
    (unmatched,) = data["unmatched"]
    assert unmatched["source"].endswith("!row 4") and "no name" in unmatched["reason"]
    (problem,) = data["problems"]
    assert "anonymous" in problem["problem"] and "Record name" in problem["problem"]


def test_an_anonymous_forms_export_names_the_right_fix(tmp_path: Path, config: Path) -> None:
    path = factories.make_workbook(
        tmp_path / "ESP Daily Report.xlsx",
        {
            "Sheet1": [
                ["ID", "Start time", "Completion time", "Email", "What did you complete today?"],
                [1, datetime(2026, 11, 24, 17), datetime(2026, 11, 24, 17), "anonymous", "2"],
            ]
        },
    )
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code == 3
    assert "Microsoft Forms" in res.stderr and "Record name" in res.stderr
    assert "esp.toml" not in res.stderr  # no column to map: the form must ask


def test_a_report_without_a_date_column_says_so(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("Agent Name,Update\r\nSam Lee,Done\r\n", encoding="utf-8")
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code == 3
    assert "no date column" in res.stderr and "Timestamp" in res.stderr
    assert "map your name header" not in res.stderr


def test_a_picture_named_eml_on_the_command_line_is_exit_3(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.eml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    original = (config.parent / "ESP Tracker.xlsx").read_bytes()
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code == 3 and "not an e-mail" in res.stderr and "Fix:" in res.stderr
    assert res.stdout == ""
    assert (config.parent / "ESP Tracker.xlsx").read_bytes() == original


def test_note_import_names_a_second_sheet_of_notes(tmp_path: Path, config: Path) -> None:
    """Note import reads one sheet; another sheet holding notes too is named, not dropped."""
    path = factories.make_workbook(
        tmp_path / "notes.xlsx",
        {
            "Monday": [["agent", "note"], ["Sam Lee", "Called"]],
            "Tuesday": [["agent", "note"], ["Devon Price", "Coached"]],
            "Lists": [["Yes"], ["No"]],
        },
    )
    res = run("note", "import", str(path), "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [n["agent"] for n in data["notes"]] == ["Sam Lee"]
    (problem,) = data["problems"]
    assert problem["source"] == "notes.xlsx [Tuesday]"
    assert "only notes.xlsx [Monday] was read" in problem["problem"]
    assert "warning: notes.xlsx [Tuesday]" in res.stderr


def test_a_hidden_sheet_of_reports_is_named_and_a_hidden_list_is_not(
    tmp_path: Path, config: Path
) -> None:
    path = factories.make_workbook(
        tmp_path / "report.xlsx",
        {
            "Responses": [["Timestamp", "Agent Name", "Update"],
                          [datetime(2026, 11, 24, 17), "Sam Lee", "Done"]],
            "Old": [["Timestamp", "Email", "Update"],
                    [datetime(2026, 11, 23, 17), "devon.price@x.com", "Hidden"]],
            "Lists": [["Yes"], ["No"]],
        },
    )  # fmt: skip
    wb = openpyxl.load_workbook(path)
    wb["Old"].sheet_state = "hidden"
    wb["Lists"].sheet_state = "hidden"
    wb.save(path)
    data = import_json(config, path)
    assert [i["agent"] for i in data["imported"]] == ["Sam Lee"]
    (problem,) = data["problems"]
    assert problem["source"] == "report.xlsx [Old]"
    assert "hidden" in problem["problem"] and "unhide" in problem["problem"]
    assert "sheet Old not read" in data["files"][0]["reason"]


def test_a_row_with_an_e_mail_and_no_name_is_matched_by_the_e_mail(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Timestamp,Agent Name,Email,Update\r\n11/24/2026,,devon.price@x.com,Done\r\n"
        "11/24/2026,,,Nobody\r\n",
        encoding="utf-8",
    )
    data = import_json(config, path)
    assert [(i["agent"], i["matched_by"]) for i in data["imported"]] == [("Devon Price", "e-mail")]
    (unmatched,) = data["unmatched"]
    assert (unmatched["source"], unmatched["reason"]) == ("report.csv!row 3", "no agent name")
    assert data["problems"] == []


def test_a_message_whose_report_is_in_an_attachment_says_so(tmp_path: Path, config: Path) -> None:
    """No text of its own and a file attached: esp does not read attachments, so it says
    the report may be there rather than noting the subject without a word."""
    mail = eml(
        "--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b\r\nContent-Type: text/plain; "
        "name=report.txt\r\nContent-Disposition: attachment; filename=report.txt\r\n\r\n"
        "Citrix down all day.\r\n--b--",
        subject="ESP update",
        content_type="multipart/mixed; boundary=b",
    )
    (tmp_path / "farah.eml").write_bytes(mail)
    msg = MapiMessage.create("ESP update", "")
    msg.set_property(0x0C1A, PropertyTypeCode.PTYP_STRING, "Sam Lee")
    msg.set_property(0x0C1E, PropertyTypeCode.PTYP_STRING, "SMTP")
    msg.set_property(0x0C1F, PropertyTypeCode.PTYP_STRING, "sam.lee@x.com")
    msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, datetime(2026, 11, 24, 22, 30))
    msg.add_attachment("progress.docx", b"PK\x03\x04 a document")
    msg.save(tmp_path / "sam.msg")
    data = import_json(config, tmp_path / "farah.eml", tmp_path / "sam.msg")
    assert [i["note"] for i in data["imported"]] == [
        "11/24/2026 - Devon Price - ESP update",
        "11/24/2026 - Sam Lee - ESP update",
    ]
    problems = {p["source"]: p["problem"] for p in data["problems"]}
    assert "report.txt" in problems["farah.eml"] and "progress.docx" in problems["sam.msg"]
    assert "esp note add" in problems["farah.eml"]
    # With text of its own, an attachment is no matter.
    assert read_mail(eml("Module 5 done."), "a.eml").warning == ""

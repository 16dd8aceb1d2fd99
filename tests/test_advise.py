"""esp advise: the team's advice e-mails — templates, situations, drafts, Notes, sending."""

from __future__ import annotations

import email
import json
import re
import socket
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.advice import (
    PLACEHOLDERS,
    AdviceKind,
    MissingPlaceholderError,
    TemplateError,
    advised_on,
    built_in,
    course_text,
    fill,
    parse_kind,
    parse_template,
    situations,
    to_html,
)
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.rules import AgentFacts, evaluate
from esp_cli.errors import UsageError
from tests import factories

DAY = date(2026, 11, 24)  # a Tuesday; Veterans Day 11-11 and Thanksgiving 11-26 are holidays
TODAY: date  # set for each test by _dated_today
STAMP: str  # set for each test by _dated_today
SIGNER = "Priya Natarajan"
COORDINATOR = "Jordan Reyes"
COORDINATOR_EMAIL = "jordan.reyes@vendorcx.com"
HEADERS = factories.headers(
    "class",
    "agent_name",
    "agent_id",
    "email",
    "n_number",
    "n_number_requested",
    "tbt_sme",
    "esp_start",
    "call_cert_complete",
    "tbts_complete",
    "citrix_access",
    "spoc_called",
    "incident_number",
    "callback_phone",
    "notes",
    "tbt_notes",
)
C1, C2 = "AET-1109", "AET-1116"


@pytest.fixture(autouse=True)
def _dated_today(today: date) -> None:
    """TODAY, STAMP: the test's own day (conftest's `today`), not the day the module was
    imported, which a suite running across midnight leaves behind."""
    global TODAY, STAMP
    TODAY = today
    STAMP = f"{today:%m/%d/%Y}"


def agent(name: str, **cells: Any) -> dict[str, Any]:
    first = name.split()[0].lower()
    row: dict[str, Any] = {
        "Class": C1,
        "Agent Name": name,
        "Agent ID": f"E-{name.replace(' ', '').upper()}",
        "Email": f"{first}@example.com",
        "TBT SME": SIGNER,
        "ESP Start Date": date(2026, 11, 20),
        "Call Cert Complete?": "No",
        "All TBTs Complete?": "No",
        "Citrix TBT Access": "No Issues",
        "Date of N Number Request": date(2026, 11, 16),
    }
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return row


SPOC = dict(
    **{"Citrix TBT Access": "Password Reset", "Date of N Number Request": date(2026, 11, 9)},
    **{"SPOC Called Date": date(2026, 11, 12)},
)
AGENTS = [
    # due on DAY: 10 business days since the request (11-09 -> 11-24), no Incident Number
    agent("Ana Lopez", **SPOC),
    # the 10-day point is tomorrow (11-10 -> 11-25): nothing yet
    agent("Ben Carter", **{**SPOC, "Date of N Number Request": date(2026, 11, 10)}),
    agent(
        "Cara Diaz",
        **{
            "Citrix TBT Access": "Cannot Locate TBT",
            "TBT Notes": f"{SIGNER} - 11/23/2026 - Cannot find TBT 'Appeals & Grievances'",
        },
    ),
    agent("Dev Patel", **{"Citrix TBT Access": "equipment issue"}),
    agent("Eve Young", **{"ESP Start Date": DAY}),  # the class starts today
    agent(
        "Finn Hall",
        **{
            "Citrix TBT Access": "Equipment Issue",
            "Call Cert Complete?": "Yes",
            "All TBTs Complete?": "Yes",
        },
    ),  # fmt: skip
    agent("Gia Ross", **{"ESP Start Date": date(2026, 11, 23)}),  # on track
    agent("Hugo Sims", **{"Citrix TBT Access": "Equipment Issue", "Email": None}),
    agent("Ivy Ward", **{**SPOC, "SPOC Incident Number": "INC0012345", "Callback Phone": "555"}),
    agent(
        "Jay Kim",
        **{
            "Citrix TBT Access": "Equipment Issue",
            "Notes": f"11/20/2026 - {SIGNER} - Advised: Equipment Issue steps",
        },
    ),
    agent(
        "Kai Moss",
        **{
            "Class": C2,
            "Citrix TBT Access": "Equipment Issue",
            "TBT SME": "Marcus Lee / Dana Cruz",
        },
    ),
]
EXPECTED = {
    ("Ana Lopez", "spoc", "ana@example.com", ("priya@vendorcx.com",)),
    ("Cara Diaz", "cannot-locate", "cara@example.com", ("priya@vendorcx.com",)),
    ("Dev Patel", "equipment", "dev@example.com", ("priya@vendorcx.com",)),
    ("Eve Young", "self-report", "eve@example.com", ("priya@vendorcx.com",)),
    ("Kai Moss", "equipment", "kai@example.com", ("marcus@vendorcx.com",)),
}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def write_config(folder: Path, extra: str = "", port: int | None = None) -> Path:
    smtp = f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n' if port else ""
    path = folder / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f'[people]\nuser = "{SIGNER}"\nuser_email = "priya@vendorcx.com"\n'
        f'coordinator = "{COORDINATOR}"\ncoordinator_email = "{COORDINATOR_EMAIL}"\n'
        'sme_emails = { "Priya Natarajan" = "priya@vendorcx.com", '
        '"Marcus Lee" = "marcus@vendorcx.com" }\n' + extra + smtp,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=HEADERS)
    write_config(tmp_path)
    return tmp_path


def notes_by_name(path: Path) -> dict[str, str | None]:
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    name_col, notes_col = HEADERS.index("Agent Name") + 1, HEADERS.index("Notes") + 1
    return {
        str(ws.cell(r, name_col).value): ws.cell(r, notes_col).value
        for r in range(3, ws.max_row + 1)
    }


def parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    # Built with the SMTP policy, the parts' lines end in CRLF on the wire.
    plain, rich = (str(p.get_content()).replace("\r\n", "\n") for p in (text, html))
    return plain, rich


# -- templates (pure) ---------------------------------------------------------------------------

FULL = {
    "first_name": "Ana",
    "agent_name": "Ana Lopez",
    "file_name": "Ana Lopez TBT.pdf",
    "spoc_phone": "(888) 905-9500",
    "learning_hub_link": "http://cvshealth.sabacloud.com",
    "coordinator_name": COORDINATOR,
    "coordinator_email": COORDINATOR_EMAIL,
    "course": "the TBT 'Appeals & Grievances'",
    "due_date": "Monday 11/23/2026",
    "breakout": "https://teams.example.com/breakout at 2pm ET",
    "signer": SIGNER,
}

# What the TBT SME Team Expectations say each message must tell the agent, in that order.
KEY_INSTRUCTIONS = {
    AdviceKind.SPOC: [
        "Call SPOC: (888) 905-9500",
        "Obtain an Incident Number",
        "Give the Incident Number to the TBT SME team",
        "working phone number",
        "answer your phone when SPOC calls back",
    ],
    AdviceKind.CANNOT_LOCATE: [
        "the TBT 'Appeals & Grievances'",
        "by its course number",
        "screenshot",
        "by its course name",
        "Send both screenshots to the TBT SME team",
    ],
    AdviceKind.EQUIPMENT: [
        "DO NOT LOGIN TO CITRIX",
        "http://cvshealth.sabacloud.com",
        "Citrix credentials",
        "VIEW ALL",
        "LOAD MORE",
        "little printer",
        "PRINT",
        "SAVE TO PDF",
        "Ana Lopez TBT.pdf",
        "DOCUMENTS",
        "attach the file",
        f"Cert Coordinator, {COORDINATOR} ({COORDINATOR_EMAIL})",
    ],
    AdviceKind.SELF_REPORT: [
        "Monday 11/23/2026",
        "mandatory",
        "before logging off each evening",
        "ESP Agent Progress Report",
        f"e-mail your progress to the Cert Coordinator, {COORDINATOR} ({COORDINATOR_EMAIL})",
    ],
    AdviceKind.BREAKOUT: [
        "breakout room",
        "retake a failed TBT",
        "Ana Lopez TBT.pdf",
        "https://teams.example.com/breakout at 2pm ET",
    ],
}


@pytest.mark.parametrize("kind", list(AdviceKind))
def test_every_built_in_template_says_the_seeds_instructions_in_order(kind: AdviceKind) -> None:
    subject, text = fill(built_in(kind), FULL, "Ana Lopez")
    assert subject and "{" not in subject
    assert "{" not in text and "}" not in text
    assert text.startswith("Hi Ana,")
    assert text.rstrip().endswith(f"{SIGNER}\nTBT SME team")
    positions = [text.find(words) for words in KEY_INSTRUCTIONS[kind]]
    missing = [w for w, p in zip(KEY_INSTRUCTIONS[kind], positions, strict=True) if p < 0]
    assert not missing, missing
    assert positions == sorted(positions)


def test_every_placeholder_can_be_used_and_is_filled() -> None:
    body = "\n".join(f"{key}: {{{key}}}" for key in PLACEHOLDERS)
    for kind in AdviceKind:
        template = parse_template(kind, f"Subject: For {{first_name}}\n\n{body}\n", "custom.txt")
        assert template.keys == set(PLACEHOLDERS)
        subject, text = fill(template, FULL, "Ana Lopez")
        assert subject == "For Ana"
        for key, value in FULL.items():
            assert f"{key}: {value}\n" in text


@pytest.mark.parametrize("kind", list(AdviceKind))
def test_a_missing_placeholder_refuses_the_message_naming_it(kind: AdviceKind) -> None:
    for key in built_in(kind).keys:
        values = {**FULL, key: None}
        with pytest.raises(MissingPlaceholderError) as caught:
            fill(built_in(kind), values, "Ana Lopez")
        assert caught.value.key == key
        assert f"{{{key}}}" in str(caught.value) and "Ana Lopez" in str(caught.value)


def test_unknown_or_decorated_placeholders_and_stray_braces_are_refused() -> None:
    for body, shown in [
        ("Hi {firstname}", "{firstname}"),
        ("Hi {first_name.__class__}", "{first_name.__class__}"),
        ("Hi {first_name!r}", "{first_name!r}"),
        ("Hi {}", "{}"),
    ]:
        with pytest.raises(TemplateError) as caught:
            parse_template(AdviceKind.SPOC, f"Subject: x\n\n{body}\n", "spoc.txt")
        assert "spoc.txt" in str(caught.value) and shown in str(caught.value)
    with pytest.raises(TemplateError, match="brace"):
        parse_template(AdviceKind.SPOC, "Subject: x\n\nHi {first_name\n", "spoc.txt")
    with pytest.raises(TemplateError, match="first line must be the subject"):
        parse_template(AdviceKind.SPOC, "Hi {first_name}\n", "spoc.txt")
    # Doubled braces are literal braces.
    t = parse_template(AdviceKind.SPOC, "Subject: x\n\n{{literal}} {first_name}\n", "spoc.txt")
    assert fill(t, FULL, "Ana")[1] == "{literal} Ana\n"


def test_kinds_are_read_forgivingly() -> None:
    for text, kind in [
        ("SPOC", AdviceKind.SPOC),
        ("cannot_locate", AdviceKind.CANNOT_LOCATE),
        ("Cannot Locate TBT", AdviceKind.CANNOT_LOCATE),
        ("Equipment Issue", AdviceKind.EQUIPMENT),
        ("self report", AdviceKind.SELF_REPORT),
        ("SelfReport", AdviceKind.SELF_REPORT),
        ("breakout room", AdviceKind.BREAKOUT),
    ]:
        assert parse_kind(text) is kind
    with pytest.raises(UsageError, match="spoc, cannot-locate, equipment"):
        parse_kind("coaching")


def test_html_is_the_same_content_with_a_font_on_every_element() -> None:
    subject, text = fill(built_in(AdviceKind.EQUIPMENT), FULL, "Ana Lopez")
    html = to_html(subject, text)
    body = html.split("<body", 1)[1]
    tags = re.findall(r"<(p|ol|ul|li|a|div|body)\b([^>]*)>", "<body" + body)
    assert {t for t, _ in tags} >= {"p", "ol", "li", "a", "div", "body"}
    assert all("font-family" in attrs for _, attrs in tags)
    assert len(re.findall(r"<li\b", html)) == 12
    assert '<a href="http://cvshealth.sabacloud.com"' in html
    assert f'href="mailto:{COORDINATOR_EMAIL}"' in html
    assert 'name="viewport"' in html and "max-width:600px" in html
    assert "Ana Lopez TBT.pdf" in html
    hostile = to_html("s", "Hi <script>alert(1)</script> & co\n")
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile


def test_advised_lines_are_found_by_kind() -> None:
    notes = (
        "11/20/2026 - Priya Natarajan - Advised: SPOC steps\n"
        "11/21/2026 - Jo - spoke to agent\n"
        "11/22/2026 - Jo - advised: spoc  STEPS again"
    )
    assert advised_on(notes, AdviceKind.SPOC) == date(2026, 11, 22)
    assert advised_on(notes, AdviceKind.EQUIPMENT) is None
    assert advised_on(None, AdviceKind.SPOC) is None


def test_situations_follow_the_rules() -> None:
    cal = BusinessCalendar()
    now = datetime(2026, 11, 24, 23, 59)

    def kinds(**facts: Any) -> list[AdviceKind]:
        f = AgentFacts(
            **{"esp_start": date(2026, 11, 20), "call_cert_complete": False,
               "tbts_complete": False, **facts}
        )  # fmt: skip
        return situations(f, evaluate(f, DAY, now, cal), DAY)

    spoc = {"citrix_access": "Password Reset", "spoc_called": date(2026, 11, 12)}
    assert kinds(**spoc, n_number_requested=date(2026, 11, 9)) == [AdviceKind.SPOC]
    assert kinds(**spoc, n_number_requested=date(2026, 11, 10)) == []
    assert kinds(**spoc, n_number_requested=date(2026, 11, 9), incident_number="INC1") == []
    assert kinds(citrix_access="Cannot Locate TBT") == [AdviceKind.CANNOT_LOCATE]
    assert kinds(citrix_access="Equipment Issue") == [AdviceKind.EQUIPMENT]
    assert kinds(citrix_access="Equipment Issue", tbts_complete=True) == []
    assert kinds(esp_start=DAY) == [AdviceKind.SELF_REPORT]
    # A Saturday start: the clock starts on Monday; still "starting" on Monday.
    sat = date(2026, 11, 21)
    f = AgentFacts(esp_start=sat, call_cert_complete=False, tbts_complete=False)
    mon = date(2026, 11, 23)
    assert situations(f, evaluate(f, mon, now, cal), mon) == [AdviceKind.SELF_REPORT]
    assert situations(f, evaluate(f, DAY, now, cal), DAY) == []
    assert kinds() == []  # on track
    assert kinds(citrix_access="Equipment Issue", call_cert_complete=True,
                 tbts_complete=True) == []  # fmt: skip
    # A Complete? that cannot be read beside a No: not complete either way, so the advice
    # stands — the TBT advice too: an All TBTs Complete? that cannot be read is not yes.
    unread_cert = {"call_cert_complete": None, "unreadable": ("call_cert_complete",)}
    assert kinds(**spoc, **unread_cert, n_number_requested=date(2026, 11, 9)) == [AdviceKind.SPOC]
    assert kinds(**unread_cert, citrix_access="Equipment Issue") == [AdviceKind.EQUIPMENT]
    unread_tbts = {"tbts_complete": None, "unreadable": ("tbts_complete",)}
    assert kinds(**unread_tbts, citrix_access="Equipment Issue") == [AdviceKind.EQUIPMENT]
    assert kinds(**unread_tbts, citrix_access="Cannot Locate TBT") == [AdviceKind.CANNOT_LOCATE]
    # Beside a yes the agent may be complete: nothing.
    assert kinds(**spoc, **unread_tbts, call_cert_complete=True,
                 n_number_requested=date(2026, 11, 9)) == []  # fmt: skip


# -- esp advise --due ---------------------------------------------------------------------------


def test_due_drafts_exactly_the_expected_messages_and_notes_them(folder: Path) -> None:
    tracker = folder / "ESP Tracker.xlsx"
    out = folder / "drafts"
    config = str(folder / "esp.toml")
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                 "-c", config, "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert {(m["agent"], m["kind"], m["to"], tuple(m["cc"])) for m in got["messages"]} == EXPECTED
    assert [(s["agent"], s["kind"]) for s in got["no_address"]] == [("Hugo Sims", "equipment")]
    assert "no e-mail address" in got["no_address"][0]["reason"]
    assert [(s["agent"], s["advised_on"]) for s in got["already_advised"]] == [
        ("Jay Kim", "2026-11-20")
    ]
    assert got["smes_without_address"] == ["Dana Cruz"]
    assert got["refused"] == [] and got["failure"] is None
    assert "not addressed: Hugo Sims" in result.stderr
    assert "Dana Cruz has no address" in result.stderr

    files = sorted(out.iterdir())
    assert [p.name for p in files] == sorted(
        f"{TODAY:%Y-%m-%d} {name} - {label}.eml"
        for name, label in [
            ("Ana Lopez", "SPOC steps"),
            ("Cara Diaz", "Cannot Locate TBT screenshots"),
            ("Dev Patel", "Equipment Issue steps"),
            ("Eve Young", "Daily self-report"),
            ("Kai Moss", "Equipment Issue steps"),
        ]
    )
    by_agent = {m["agent"]: m for m in got["messages"]}
    for path in files:
        msg = parse(path)
        assert msg["X-Unsent"] == "1"
        assert msg["From"] == f"{SIGNER} <priya@vendorcx.com>"
        name = path.stem.split(" - ")[0][11:]
        assert msg["To"] == by_agent[name]["to"]
        assert msg["Cc"] == ", ".join(by_agent[name]["cc"])
        assert msg["Subject"] == by_agent[name]["subject"]
        text, html = parts(msg)
        assert f"Hi {name.split()[0]}," in text and f"Hi {name.split()[0]}," in html
    dev_text, _ = parts(parse(out / f"{TODAY:%Y-%m-%d} Dev Patel - Equipment Issue steps.eml"))
    assert "Name the file: Dev Patel TBT.pdf" in dev_text
    cara_text, _ = parts(
        parse(out / f"{TODAY:%Y-%m-%d} Cara Diaz - Cannot Locate TBT screenshots.eml")
    )
    assert "cannot locate the TBT 'Appeals & Grievances'" in cara_text
    eve_text, _ = parts(parse(out / f"{TODAY:%Y-%m-%d} Eve Young - Daily self-report.eml"))
    assert "complete by Wednesday 11/25/2026" in eve_text  # clock day 1 of a 11-24 start

    notes = notes_by_name(tracker)
    labels = {"Ana Lopez": "SPOC steps", "Cara Diaz": "Cannot Locate TBT screenshots",
              "Dev Patel": "Equipment Issue steps", "Eve Young": "daily self-report",
              "Kai Moss": "Equipment Issue steps"}  # fmt: skip
    for name, label in labels.items():
        assert notes[name] == f"{STAMP} - {SIGNER} - Advised: {label}"
    for name in ("Ben Carter", "Finn Hall", "Gia Ross", "Hugo Sims", "Ivy Ward"):
        assert notes[name] is None
    assert notes["Jay Kim"] == f"11/20/2026 - {SIGNER} - Advised: Equipment Issue steps"
    assert len(got["changes"]) == 5 and got["backup"]

    # A second run finds everyone advised: no message, no file, no write.
    before = tracker.read_bytes()
    again = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                "-c", config, "-f", "json")  # fmt: skip
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)
    assert second["messages"] == [] and second["changes"] == []
    assert len(second["already_advised"]) == 6
    assert sorted(out.iterdir()) == files
    assert tracker.read_bytes() == before


def test_a_message_and_its_note_for_two_situations_of_one_agent(tmp_path: Path) -> None:
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent(
                "Ana Lopez",
                **{
                    "ESP Start Date": DAY,
                    "Citrix TBT Access": "Equipment Issue",
                    "Notes": "11/23/2026 - Jo - welcome call",
                },
            )
        ],  # fmt: skip
        headers=HEADERS,
    )
    config = write_config(tmp_path)
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(tmp_path / "d"),
                 "-c", str(config))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "d").iterdir())) == 2
    assert notes_by_name(tracker)["Ana Lopez"] == (
        "11/23/2026 - Jo - welcome call\n"
        f"{STAMP} - {SIGNER} - Advised: Equipment Issue steps\n"
        f"{STAMP} - {SIGNER} - Advised: daily self-report"
    )


def test_listing_and_dry_run_write_nothing(folder: Path) -> None:
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    out = folder / "drafts"
    config = str(folder / "esp.toml")
    listed = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", config)
    assert listed.exit_code == 0, listed.output
    # Hugo Sims has no address: left out, and counted.
    assert "5 of 6 message(s) can be made; 1 left out (below)" in listed.stdout
    assert "Ana Lopez" in listed.stdout
    assert "ana@example.com" in listed.stdout and "listed" in listed.stdout
    assert "nothing saved, sent or noted" in listed.stderr

    dry = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out), "--dry-run",
              "-c", config, "-f", "json")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    got = json.loads(dry.stdout)
    assert got["dry_run"] is True and len(got["messages"]) == 5
    assert all(m["file"].startswith(str(out)) for m in got["messages"])
    assert {c["agent"] for c in got["changes"]} == {m["agent"] for m in got["messages"]}
    assert not out.exists()
    assert tracker.read_bytes() == before


def test_filters_by_class_and_sme(folder: Path) -> None:
    config = str(folder / "esp.toml")
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--class", C2, "-c", config,
                 "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [m["agent"] for m in json.loads(result.stdout)["messages"]] == ["Kai Moss"]
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--sme", "cruz, dana",
                 "-c", config, "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [m["agent"] for m in json.loads(result.stdout)["messages"]] == ["Kai Moss"]
    result = run("advise", "--due", "--sme", "Nobody", "-c", config)
    assert result.exit_code == 2
    assert "Priya Natarajan" in result.stderr


def test_a_missing_value_refuses_those_messages_only(folder: Path) -> None:
    # No coordinator and no user_email: the messages that name the coordinator's address
    # are refused, naming the key; the others are made.
    (folder / "esp.toml").write_text(
        f'[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "{SIGNER}"\n',
        encoding="utf-8",
    )
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(folder / "esp.toml"),
                 "-f", "json")  # fmt: skip
    assert result.exit_code == 1
    got = json.loads(result.stdout)
    assert {(s["agent"], s["missing"]) for s in got["refused"]} == {
        ("Dev Patel", "coordinator_email"),
        ("Eve Young", "coordinator_email"),
        ("Kai Moss", "coordinator_email"),
    }
    assert {m["agent"] for m in got["messages"]} == {"Ana Lopez", "Cara Diaz"}
    assert "{coordinator_email}" in result.stderr and "[people] coordinator_email" in result.stderr


def set_cell(book: Path, name: str, header: str, value: Any) -> None:
    """The agent `name`'s cell of the column `header`, typed over in Excel."""
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    assert ws is not None
    row = 2 + [a["Agent Name"] for a in AGENTS].index(name) + 1
    ws.cell(row, HEADERS.index(header) + 1).value = value
    wb.save(book)


def refusals(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith(("refused:", "not addressed:"))]


def test_each_refusal_is_one_line_naming_the_agent_once_the_cell_and_the_fix(
    folder: Path,
) -> None:
    # Hugo Sims has no address; Kai Moss's Email is not one; with no coordinator address the
    # equipment messages are refused too.
    set_cell(folder / "ESP Tracker.xlsx", "Kai Moss", "Email", "kai at x")
    (folder / "esp.toml").write_text(
        f'[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "{SIGNER}"\n',
        encoding="utf-8",
    )
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(folder / "esp.toml"))
    lines = refusals(result.stderr)
    assert lines == [
        "not addressed: Hugo Sims (AET-1109, equipment): no e-mail address ('ESP Tracker'!D10 "
        "is empty). Fix: type the agent's address in 'ESP Tracker'!D10.",
        "not addressed: Kai Moss (AET-1116, equipment): 'kai at x' in 'ESP Tracker'!D13 is not "
        "an e-mail address. Fix: correct 'ESP Tracker'!D13: one address, or several separated "
        "by ';'.",
        # One setting holds back two messages: said once, naming both.
        "refused: Dev Patel (AET-1109, equipment), Eve Young (AET-1109, self-report): the "
        "message needs {coordinator_email} (the Cert Coordinator's address ([people] "
        "coordinator_email, else [people] user_email)), which has no value. Fix: set [people] "
        'coordinator_email = "name@example.com" (or [people] user_email) in esp.toml.',
    ]
    # The headline counts what was left out.
    assert result.stdout.startswith("Advice as of Tue 11/24/2026: 2 of 6 message(s) can be made")
    data = json.loads(
        run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(folder / "esp.toml"),
            "-f", "json").stdout
    )  # fmt: skip
    assert data["no_address"][0]["fix"] == "type the agent's address in 'ESP Tracker'!D10."
    assert data["refused"][0]["reason"].startswith("the message needs {coordinator_email}")
    assert data["refused"][0]["fix"].startswith("set [people] coordinator_email")


def test_advice_all_held_back_by_one_setting_is_counted_and_said_once(tmp_path: Path) -> None:
    people = [agent(n, **{"Citrix TBT Access": "Equipment Issue"}) for n in ("Al Bo", "Cy Dee")]
    factories.tracker(tmp_path / "ESP Tracker.xlsx", people, headers=HEADERS)
    (tmp_path / "esp.toml").write_text(
        f'[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "{SIGNER}"\n',
        encoding="utf-8",
    )
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(tmp_path / "esp.toml"))
    assert result.exit_code == 1
    assert result.stdout == (
        "Advice as of Tue 11/24/2026: 0 of 2 message(s) can be made: 2 left out (below)\n"
    )
    (line,) = refusals(result.stderr)
    assert line.startswith(
        "refused: Al Bo (AET-1109, equipment), Cy Dee (AET-1109, equipment): the message "
        "needs {coordinator_email}"
    )
    assert line.count("coordinator_email =") == 1


def test_a_full_notes_cell_refuses_that_agent_only_before_the_message_is_made(
    folder: Path,
) -> None:
    # Dev Patel's Notes cannot take another line: his message is refused (naming the cell),
    # never saved unnoted; everyone else's drafts are saved and noted.
    book = folder / "ESP Tracker.xlsx"
    set_cell(book, "Dev Patel", "Notes", "11/20/2026 - Priya Natarajan - " + "x" * 32700)
    out = folder / "drafts"
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert refusals(result.stderr)[-1] == (
        "refused: Dev Patel (AET-1109, equipment): 'ESP Tracker'!O6: the text would be 32,793 "
        "characters; Excel allows 32,767 in one cell. Fix: shorten the text, or move older "
        "lines out of the cell first."
    )
    assert not any("Dev Patel" in p.name for p in out.iterdir())
    assert len(list(out.iterdir())) == len(EXPECTED) - 1
    notes = notes_by_name(book)
    assert all("Advised:" in (notes[name] or "") for name, *_ in EXPECTED if name != "Dev Patel")


def _spoil_notes(book: Path, name: str, spoil: Any) -> None:
    """The agent `name`'s Notes cell made one the write refuses, as `spoil` does it."""
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    assert ws is not None
    row = 2 + [a["Agent Name"] for a in AGENTS].index(name) + 1
    spoil(ws, ws.cell(row, HEADERS.index("Notes") + 1))
    wb.save(book)


def _formula(ws: Any, cell: Any) -> None:
    cell.value = '="11/20/2026 - Priya Natarajan - "&"Called SPOC"'


def _array_formula(ws: Any, cell: Any) -> None:
    from openpyxl.worksheet.formula import ArrayFormula

    # Anchored on the cell above: this cell holds no formula of its own, only its result.
    above = ws.cell(cell.row - 1, cell.column)
    above.value = ArrayFormula(f"{above.coordinate}:{cell.coordinate}", '=UPPER({"a";"b"})')


def _merged(ws: Any, cell: Any) -> None:
    ws.merge_cells(
        start_row=cell.row, start_column=cell.column - 1, end_row=cell.row, end_column=cell.column
    )


def _protected(ws: Any, cell: Any) -> None:
    ws.protection.sheet = True


@pytest.mark.parametrize(
    ("spoil", "refused", "words"),
    [
        (_formula, {"Dev Patel"}, "'ESP Tracker'!O6 holds a formula"),
        (_array_formula, {"Cara Diaz", "Dev Patel"}, "array formula"),
        (_merged, {"Dev Patel"}, "'ESP Tracker'!O6 is inside the merged cells N6:O6"),
        (_protected, {name for name, *_ in EXPECTED}, "is protected"),
    ],
    ids=["formula", "array-formula", "merged", "protected"],
)
def test_a_notes_cell_the_write_would_refuse_refuses_that_agent_before_anything_is_saved(
    folder: Path, spoil: Any, refused: set[str], words: str
) -> None:
    # Whatever makes the write refuse the Advised line refuses that agent's message before
    # it is made, in the write's words, naming the agent: the others are saved and noted.
    book = folder / "ESP Tracker.xlsx"
    _spoil_notes(book, "Dev Patel", spoil)
    out = folder / "drafts"
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                 "-c", str(folder / "esp.toml"), "-f", "json")  # fmt: skip
    assert result.exit_code == 1, result.output
    got = json.loads(result.stdout)
    assert {s["agent"] for s in got["refused"]} == refused
    (dev,) = [s for s in got["refused"] if s["agent"] == "Dev Patel"]
    assert words in dev["reason"] and dev["fix"]
    lines = [ln for ln in refusals(result.stderr) if "Dev Patel" in ln]
    assert lines and lines[0].startswith("refused: Dev Patel (AET-1109, equipment): ")
    made = {name for name, *_ in EXPECTED} - refused
    assert {m["agent"] for m in got["messages"]} == made
    assert sorted(p.name.split(" - ")[0][11:] for p in out.iterdir()) == sorted(made)
    notes = notes_by_name(book)
    assert all("Advised:" in (notes[name] or "") for name in made)
    # The next run makes nothing again for those noted.
    again = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                "-c", str(folder / "esp.toml"), "-f", "json")  # fmt: skip
    assert json.loads(again.stdout)["messages"] == []


def test_a_notes_cell_the_write_would_refuse_sends_nothing_to_that_agent(
    folder: Path, smtp: tuple[int, Recorder]
) -> None:
    # --send: the others are e-mailed once and noted; the agent whose Notes holds a formula
    # is not e-mailed at all, so no run e-mails anyone twice.
    port, handler = smtp
    config = write_config(folder, port=port)
    book = folder / "ESP Tracker.xlsx"
    _spoil_notes(book, "Dev Patel", _formula)
    for _ in range(2):
        result = run("advise", "--due", "--as-of", DAY.isoformat(), "--send", "-c", str(config))
        assert result.exit_code == 1, result.output
        assert "refused: Dev Patel (AET-1109, equipment): 'ESP Tracker'!O6 holds a formula" in (
            result.stderr
        )
    sent_to = sorted(email.message_from_bytes(c)["To"] for _, _, c in handler.envelopes)
    assert sent_to == sorted(to for name, _, to, _ in EXPECTED if name != "Dev Patel")
    assert "Advised:" in (notes_by_name(book)["Kai Moss"] or "")


def test_one_agent_whose_notes_cell_the_write_would_refuse_is_an_error_naming_them(
    folder: Path,
) -> None:
    book = folder / "ESP Tracker.xlsx"
    _spoil_notes(book, "Dev Patel", _formula)
    out = folder / "d"
    result = run("advise", "Dev Patel", "equipment", "--out", str(out),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "esp: Dev Patel's Advised line cannot be written to Notes, so no message was made: "
        "'ESP Tracker'!O6 holds a formula"
    ), result.stderr
    assert not out.exists() or not list(out.iterdir())


# -- esp advise AGENT KIND ----------------------------------------------------------------------


def test_one_agent_on_demand_never_overwrites_a_draft(folder: Path) -> None:
    out = folder / "drafts"
    config = str(folder / "esp.toml")
    args = ("advise", "gia ross", "Breakout Room", "--when", "2pm ET", "--out", str(out),
            "-c", config)  # fmt: skip
    first = run(*args)
    assert first.exit_code == 0, first.output
    second = run(*args)
    assert second.exit_code == 0, second.output
    stem = f"{TODAY:%Y-%m-%d} Gia Ross - Breakout room"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem} (2).eml", f"{stem}.eml"]
    text, html = parts(parse(out / f"{stem}.eml"))
    assert "Join us: 2pm ET" in text and "2pm ET" in html
    # The same line on the same day is noted once.
    assert notes_by_name(folder / "ESP Tracker.xlsx")["Gia Ross"] == (
        f"{STAMP} - {SIGNER} - Advised: breakout room"
    )


def test_one_agent_missing_placeholder_or_address_is_an_error(folder: Path) -> None:
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    config = str(folder / "esp.toml")
    result = run("advise", "Gia Ross", "breakout", "--out", str(folder / "d"), "-c", config)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "{breakout}" in result.stderr and "--breakout" in result.stderr
    result = run("advise", "Hugo Sims", "equipment", "--out", str(folder / "d"), "-c", config)
    assert result.exit_code == 1
    assert "Hugo Sims has no e-mail address" in result.stderr
    assert "'ESP Tracker'!D10 is empty" in result.stderr
    assert not list((folder / "d").iterdir())
    assert tracker.read_bytes() == before


def test_usage_errors(folder: Path) -> None:
    config = str(folder / "esp.toml")
    for args, words in [
        (("advise", "-c", config), "AGENT KIND"),
        (("advise", "Ana Lopez", "-c", config), "AGENT KIND"),
        (("advise", "Ana Lopez", "spoc", "--due", "-c", config), "--due"),
        (("advise", "Ana Lopez", "coaching", "-c", config), "cannot-locate"),
        (("advise", "Ana Lopez", "spoc", "--out", "x", "--send", "-c", config), "--send"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)


def test_custom_templates_replace_the_built_in_ones(folder: Path) -> None:
    templates = folder / "advice"
    templates.mkdir()
    (templates / "spoc.txt").write_text(
        "Subject: SPOC, {first_name}\n\nCall {spoc_phone} now, {agent_name}.\n", encoding="utf-8"
    )
    write_config(folder, '\n[advice]\ntemplates = "advice"\n[spoc]\nphone = "(800) 555-0100"\n')
    out = folder / "d"
    result = run("advise", "Ana Lopez", "spoc", "--out", str(out), "-c", str(folder / "esp.toml"))
    assert result.exit_code == 0, result.output
    (draft,) = out.iterdir()
    msg = parse(draft)
    assert msg["Subject"] == "SPOC, Ana"
    assert parts(msg)[0] == "Call (800) 555-0100 now, Ana Lopez.\n"

    (templates / "equipment.txt").write_text("Subject: x\n\nHi {agent}\n", encoding="utf-8")
    result = run("advise", "Ana Lopez", "spoc", "-c", str(folder / "esp.toml"))
    assert result.exit_code == 2
    assert "equipment.txt: unknown placeholder {agent}" in result.stderr


# -- sending ------------------------------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        assert isinstance(envelope.content, bytes)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, Recorder]]:
    handler = Recorder()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def test_send_delivers_each_message_to_the_agent_and_the_smes(
    folder: Path, smtp: tuple[int, Recorder]
) -> None:
    port, handler = smtp
    config = write_config(folder, port=port)
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--send", "-c", str(config),
                 "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert all(m["sent"] for m in got["messages"]) and len(got["messages"]) == 5
    delivered = {}
    for mail_from, rcpt, content in handler.envelopes:
        msg = email.message_from_bytes(content, policy=default_policy)
        assert mail_from == "priya@vendorcx.com"
        assert msg["X-Unsent"] is None
        delivered[msg["To"]] = (tuple(rcpt), msg["Subject"])
    assert {to: r for to, (r, _) in delivered.items()} == {
        to: (to, *cc) for _, _, to, cc in EXPECTED
    }
    assert "Sent 5 message(s)" in result.stderr
    assert notes_by_name(folder / "ESP Tracker.xlsx")["Ana Lopez"] == (
        f"{STAMP} - {SIGNER} - Advised: SPOC steps"
    )
    again = run("advise", "--due", "--as-of", DAY.isoformat(), "--send", "-c", str(config))
    assert again.exit_code == 0, again.output
    assert len(handler.envelopes) == 5


def test_a_failed_send_notes_nothing_and_saves_the_message(folder: Path) -> None:
    config = write_config(folder, port=_free_port())  # nothing listens there
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    result = run("advise", "Ana Lopez", "spoc", "--send", "-c", str(config))
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr
    assert tracker.read_bytes() == before
    (saved,) = folder.glob("*.eml")
    assert "Ana Lopez - SPOC steps" in saved.name


def test_a_failed_send_whose_copy_cannot_be_saved_says_it_was_not_sent(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esp_cli.mail import outgoing

    def full(*args: object, **kwargs: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outgoing, "create_file_atomically", full)
    config = write_config(folder, port=_free_port())  # nothing listens there
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    result = run("advise", "Ana Lopez", "spoc", "--send", "-c", str(config))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "The message was not sent: cannot connect" in line
    assert "Its copy could not be saved either: " in line and "No space left" in line
    assert tracker.read_bytes() == before and not list(folder.glob("*.eml"))


def test_csv_lists_one_row_per_message(folder: Path) -> None:
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(folder / "esp.toml"),
                 "-f", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("agent,class,sheet,row,kind,advice,to,cc,subject")
    assert len(lines) == 1 + len(EXPECTED)
    assert any(line.startswith("Kai Moss,AET-1116,") and "marcus@vendorcx.com" in line
               for line in lines)  # fmt: skip


def test_advice_settings_are_read_and_checked(tmp_path: Path) -> None:
    from esp_cli.config import LEARNING_HUB_LINK, load_config

    assert load_config(write_config(tmp_path)).advice.learning_hub_link == LEARNING_HUB_LINK
    cfg = load_config(
        write_config(
            tmp_path,
            '[advice]\nlearning_hub_link = "https://hub.example.com"\n'
            'templates = "t"\nbreakout = " 2pm  ET "\n',
        )
    )
    assert cfg.advice.learning_hub_link == "https://hub.example.com"
    assert cfg.advice.templates == tmp_path / "t"
    assert cfg.advice.breakout == "2pm ET"
    assert cfg.coordinator == COORDINATOR and cfg.coordinator_email == COORDINATOR_EMAIL
    assert cfg.sme_emails["Marcus Lee"] == "marcus@vendorcx.com"
    bad = tmp_path / "bad.toml"
    bad.write_text('[people]\nsme_emails = ["priya@vendorcx.com"]\n', encoding="utf-8")
    result = run("advise", "--due", "-c", str(bad))
    assert result.exit_code == 2
    assert "[people] sme_emails must be a table" in result.stderr
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=HEADERS)
    write_config(tmp_path, '[advice]\ntemplates = "nowhere"\n')
    result = run("advise", "--due", "-c", str(tmp_path / "esp.toml"))
    assert result.exit_code == 2
    assert "nowhere is not a folder" in result.stderr


class RefuseAfter(Recorder):
    """Accepts `n` messages, then refuses every recipient."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    async def handle_RCPT(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, _: list[str]
    ) -> str:
        if len(self.envelopes) >= self.n:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_when_sending_stops_the_messages_sent_are_noted_and_the_rest_wait(folder: Path) -> None:
    handler = RefuseAfter(2)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = write_config(folder, port=port)
        result = run("advise", "--due", "--as-of", DAY.isoformat(), "--send", "-c", str(config),
                     "-f", "json")  # fmt: skip
    finally:
        controller.stop()
    assert result.exit_code == 1
    got = json.loads(result.stdout)
    sent = [m["agent"] for m in got["messages"]]
    assert sent == ["Ana Lopez", "Cara Diaz"] and all(m["sent"] for m in got["messages"])
    assert "Dev Patel (equipment)" in got["failure"] and "refused" in got["failure"]
    assert "Sending stopped: Dev Patel" in result.stderr
    notes = notes_by_name(folder / "ESP Tracker.xlsx")
    assert notes["Ana Lopez"] == f"{STAMP} - {SIGNER} - Advised: SPOC steps"
    assert notes["Cara Diaz"] == f"{STAMP} - {SIGNER} - Advised: Cannot Locate TBT screenshots"
    assert notes["Dev Patel"] is None and notes["Eve Young"] is None
    (saved,) = folder.glob("*.eml")
    assert "Dev Patel - Equipment Issue steps" in saved.name


def test_the_course_reads_well_known_or_not(tmp_path: Path) -> None:
    cases = [("Cara Diaz", "Cannot find TBT 'Medicare Basics'"), ("Dan Roe", "cannot find it")]
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent(
                name,
                **{
                    "Citrix TBT Access": "Cannot Locate TBT",
                    "TBT Notes": f"{SIGNER} - 11/23/2026 - {note}",
                },
            )  # fmt: skip
            for name, note in cases
        ],
        headers=HEADERS,
    )
    write_config(tmp_path)
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", str(tmp_path / "esp.toml"),
                 "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [m["agent"] for m in json.loads(result.stdout)["messages"]] == ["Cara Diaz", "Dan Roe"]
    templates = {k: built_in(k) for k in AdviceKind}
    known = fill(templates[AdviceKind.CANNOT_LOCATE], {**FULL, "course": course_text("X")}, "")
    unknown = fill(templates[AdviceKind.CANNOT_LOCATE], {**FULL, "course": course_text(None)}, "")
    assert "but cannot locate the TBT 'X'. Please" in known[1]
    assert "but cannot locate one of your TBTs. Please" in unknown[1]


def test_msg_drafts_are_outlook_drafts_with_the_same_message(folder: Path) -> None:
    olefile = pytest.importorskip("olefile")
    out = folder / "drafts"
    args = ("advise", "gia ross", "breakout", "--when", "2pm ET", "--out", str(out), "--msg",
            "-c", str(folder / "esp.toml"))  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    (draft,) = out.iterdir()
    assert draft.name == f"{TODAY:%Y-%m-%d} Gia Ross - Breakout room.msg"
    with olefile.OleFileIO(str(draft)) as ole:
        subject = ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le")
        body = ole.openstream("__substg1.0_1000001F").read().decode("utf-16-le")
        props = ole.openstream("__properties_version1.0").read()
    assert subject.rstrip("\0") == "TBT help: join the TBT SME breakout room"
    assert "2pm ET" in body
    # PidTagMessageFlags (0x0E07, PT_LONG): the draft is unsent (MSGFLAG_UNSENT = 0x8).
    flags = next(
        int.from_bytes(props[i + 8 : i + 12], "little")
        for i in range(32, len(props), 16)
        if props[i : i + 4] == bytes.fromhex("0300070e")
    )
    assert flags & 0x8


def test_msg_goes_with_out(folder: Path) -> None:
    result = run("advise", "gia ross", "breakout", "--msg", "-c", str(folder / "esp.toml"))
    assert result.exit_code == 2 and "--msg goes with --out" in result.stderr


# -- drafts that cannot be written ----------------------------------------------------------------

LONG_NAME = "Zara " + "Quintanilla-" * 24 + "Okafor"


def test_a_very_long_name_still_makes_a_draft_and_is_noted(tmp_path: Path) -> None:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [agent("Ana Lopez", **SPOC), agent(LONG_NAME, **{**SPOC, "Email": "zara@example.com"})],
        headers=HEADERS,
    )
    write_config(tmp_path)
    out = tmp_path / "drafts"
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                 "-c", str(tmp_path / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and all(len(n) < 120 for n in names)
    assert any(n.startswith(f"{TODAY:%Y-%m-%d} Zara Quintanilla-") and "…" in n for n in names)
    notes = notes_by_name(tmp_path / "ESP Tracker.xlsx")
    assert notes["Ana Lopez"] == notes[LONG_NAME] == f"{STAMP} - {SIGNER} - Advised: SPOC steps"


def test_a_draft_that_cannot_be_written_stops_the_run_and_the_ones_before_are_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esp_cli.mail import outgoing as mail
    from esp_cli.services import advise as service

    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [agent("Ana Lopez", **SPOC), agent("Ben Carter", **SPOC), agent("Cy Moss", **SPOC)],
        headers=HEADERS,
    )
    write_config(tmp_path)
    written: list[str] = []

    write_new = mail.write_new

    def disk_full_on_the_second(path: Path, data: bytes) -> Path:
        if written:
            raise service.WriteFailedError(f"{path}: cannot be written (No space left on device).")
        written.append(path.name)
        return write_new(path, data)

    monkeypatch.setattr(mail, "write_new", disk_full_on_the_second)
    out = tmp_path / "drafts"
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out),
                 "-c", str(tmp_path / "esp.toml"))  # fmt: skip
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Saving drafts stopped: Ben Carter (spoc)" in result.stderr
    assert "No space left on device" in result.stderr
    assert [p.name for p in out.iterdir()] == written
    notes = notes_by_name(tmp_path / "ESP Tracker.xlsx")
    assert notes["Ana Lopez"] == f"{STAMP} - {SIGNER} - Advised: SPOC steps"
    assert notes["Ben Carter"] is None and notes["Cy Moss"] is None


def test_an_email_cell_esp_cannot_send_to_is_said_naming_the_address() -> None:
    """An address beyond ASCII stopped a draft with a traceback; a cell of several names
    the one that cannot be used."""
    from esp_cli.services.advise import address_problem

    where = "'ESP Tracker'!D9"
    assert address_problem("ana@x.com; bo@y.com", where) is None
    said = address_problem("ana@x.com; bo@bücher.de", where)
    assert said is not None and said.startswith(f"'bo@bücher.de' in {where} has a domain beyond")
    said = address_problem("ana@x.com; bo at y", where)
    assert said == f"'bo at y' in {where} is not an e-mail address"
    long = "a" * 64 + "@" + "b" * 200 + ".com"
    said = address_problem(long, where)
    assert said is not None and said.endswith(
        "is longer than the 254 characters a mail server takes"
    )
    assert address_problem("añá@x.com", where) == (
        f"'añá@x.com' in {where} has letters beyond ASCII before the @, which esp cannot send to"
    )


def test_an_agent_whose_name_windows_cannot_hold_is_told_the_name_esp_tbt_proofs_takes(
    tmp_path: Path,
) -> None:
    tracker = tmp_path / "ESP Tracker.xlsx"
    bobby = 'Robert "Bobby" Smith'
    factories.tracker(
        tracker, [agent(bobby, **{"Citrix TBT Access": "Equipment Issue"})], headers=HEADERS
    )
    config = str(write_config(tmp_path))
    out = tmp_path / "drafts"
    result = run("advise", bobby, "equipment", "--out", str(out), "-c", config)
    assert result.exit_code == 0, result.output
    (draft,) = out.iterdir()
    text, html = parts(parse(draft))
    assert "Name the file: Robert Bobby Smith TBT.pdf" in text
    assert "Robert Bobby Smith TBT.pdf" in html

    # The file named so is the agent's proof.
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    (proofs / "Robert Bobby Smith TBT.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run("tbt", "proofs", str(proofs), "-c", config, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [(p["file"], p["agent"]) for p in got["recorded"]] == [
        ("Robert Bobby Smith TBT.pdf", bobby)
    ]
    assert got["rejected"] == []


HUGE_NAME = "Maximiliana " + "Wolfeschlegelsteinhausenbergerdorff" * 6 + " Alexandrova"


def equipment_advice(tmp_path: Path, name: str) -> tuple[str, str, str]:
    """(text, HTML, esp.toml) of the equipment draft for the one agent `name` of a tracker."""
    equipment = {"Citrix TBT Access": "Equipment Issue", "Email": "a@example.com"}
    factories.tracker(tmp_path / "ESP Tracker.xlsx", [agent(name, **equipment)], headers=HEADERS)
    config = str(write_config(tmp_path))
    out = tmp_path / "drafts"
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "--out", str(out), "-c", config)
    assert result.exit_code == 0, result.output
    (draft,) = out.iterdir()
    text, html = parts(parse(draft))
    return text.replace("\r\n", "\n"), html, config


def proofs_recorded(tmp_path: Path, config: str, file: str) -> list[tuple[str, str]]:
    """(file, agent) of each proof esp tbt proofs records from a folder holding `file`."""
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    (proofs / file).write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run("tbt", "proofs", str(proofs), "-c", config, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["rejected"] == []
    return [(p["file"], p["agent"]) for p in got["recorded"]]


def test_a_name_too_long_for_a_file_is_told_cut_and_that_file_is_the_agents_proof(
    tmp_path: Path,
) -> None:
    """A 235-character name (a name pasted with more after it) would make a transcript name
    no file system holds: the agent is told the name cut as in every file esp names after an
    agent (60 characters and '…'), and esp tbt proofs takes the file named so as theirs."""
    text, html, config = equipment_advice(tmp_path, HUGE_NAME)
    told = "Maximiliana " + ("Wolfeschlegelsteinhausenbergerdorff" * 2)[:48] + "… TBT.pdf"
    assert f"Name the file: {told}\n" in text and told in html
    assert proofs_recorded(tmp_path, config, told) == [(told, HUGE_NAME)]


@pytest.mark.parametrize(
    ("name", "hello", "file"),
    [
        ("Dr. Rebecca Stone", "Hi Rebecca,", "Dr. Rebecca Stone TBT.pdf"),
        ("\u200fفاروق، ياسمين\u200f", "Hi ياسمين,", "ياسمين فاروق TBT.pdf"),
        # Typed with no direction marks around them, as most are.
        ("فاروق، ياسمين", "Hi ياسمين,", "ياسمين فاروق TBT.pdf"),
        ("Farouk\u060c Yasmin", "Hi Yasmin,", "Yasmin Farouk TBT.pdf"),
        ("Holt\uff0cZachary", "Hi Zachary,", "Zachary Holt TBT.pdf"),
        # A numeral not in capitals after a first name that begins a surname too: no
        # generation, the name greeted whole.
        ("Mr. Ben Iv", "Hi Mr. Ben Iv,", "Mr. Ben Iv TBT.pdf"),
    ],
    ids=[
        "a-title",
        "arabic-last-first",
        "arabic-unmarked",
        "arabic-comma-latin",
        "full-width",
        "no-generation",
    ],
)
def test_the_greeting_is_the_first_name_and_the_file_name_first_name_first(
    tmp_path: Path, name: str, hello: str, file: str
) -> None:
    """A title before the name is no first name; a name typed 'Last، First' with the Arabic
    comma is turned round as 'Last, First' is: greeted by the first name, and told the file
    name esp tbt proofs takes, first name first."""
    text, _html, config = equipment_advice(tmp_path, name)
    assert text.startswith(f"{hello}\n") and f"Name the file: {file}\n" in text, text
    assert [f for f, _agent in proofs_recorded(tmp_path, config, file)] == [file]


def test_agents_told_one_file_name_for_their_transcript_are_warned_of(tmp_path: Path) -> None:
    """Two agents whose names make the same file name (Windows ignores case and leaves out
    the ':') are told it both: esp tbt proofs would refuse the file naming both, so esp
    advise says so on standard error, naming both agents and their rows and the fix — for
    each of them advised, and for one advised alone."""
    tracker = tmp_path / "ESP Tracker.xlsx"
    equipment = {"Citrix TBT Access": "Equipment Issue", "Email": "lak@example.com"}
    factories.tracker(
        tracker,
        [agent("Lee: Ann Kim", **equipment, **{"Agent ID": "E101"}), agent("Gia Ross"),
         agent("lee ann kim", **equipment, **{"Agent ID": "E103"})],
        headers=HEADERS,
    )  # fmt: skip
    config = str(write_config(tmp_path))
    for args in (("--due",), ("E101", "equipment")):
        result = run("advise", *args, "--as-of", DAY.isoformat(), "-c", config)
        assert result.exit_code == 0, result.output
        warned = [line for line in result.stderr.splitlines() if "Lee Ann Kim TBT.pdf" in line]
        assert len(warned) == 1, result.stderr
        (line,) = warned
        assert "Lee: Ann Kim (row 3)" in line and "lee ann kim (row 5)" in line, line
        assert "esp tbt proofs" in line and "middle initial" in line, line

    factories.tracker(tracker, [agent("Lee Ann Kim", **equipment), agent("Lee Anne Kim",
                      **equipment)], headers=HEADERS)  # fmt: skip
    result = run("advise", "--due", "--as-of", DAY.isoformat(), "-c", config)
    assert result.exit_code == 0, result.output
    assert "TBT.pdf" not in result.stderr


def test_an_agent_whose_name_holds_an_invisible_character_is_told_a_name_one_can_type(
    tmp_path: Path,
) -> None:
    tracker = tmp_path / "ESP Tracker.xlsx"
    kayla = "Kayla Brooks\u200b"
    factories.tracker(
        tracker, [agent(kayla, **{"Citrix TBT Access": "Equipment Issue"})], headers=HEADERS
    )
    config = str(write_config(tmp_path))
    out = tmp_path / "drafts"
    result = run("advise", "Kayla Brooks", "equipment", "--out", str(out), "-c", config)
    assert result.exit_code == 0, result.output
    (draft,) = out.iterdir()
    assert "\u200b" not in draft.name
    text, _html = parts(parse(draft))
    assert "Name the file: Kayla Brooks TBT.pdf\n" in text.replace("\r\n", "\n")

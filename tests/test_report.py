"""esp report eod: counts against an independent reference, the formats, the .eml and
sending through a real SMTP server on loopback (aiosmtpd, started here)."""

from __future__ import annotations

import email
import json
import re
import socket
import subprocess
import sys
from collections import Counter, defaultdict
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
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import escalation_tracker as et
from tests import factories

DAY = date(2026, 11, 24)
SUBJECT = "TBT Completion Report — Tue 11/24/2026"
TO = ["lead-one@example.com", "lead-two@example.com"]
CC = ["cert-team@example.com"]
FROM = "Jordan Reyes <jordan.reyes@vendorcx.com>"
PASSWORD = "s3cret-Pa55word"
COUNT_KEYS = {
    "agents",
    "call_certs_complete",
    "tbts_complete",
    "fully_complete",
    "outstanding",
    "access_issues",
    "escalations_due",
    "not_reported",
    "not_evaluated",
}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def write_config(folder: Path, port: int = 25, *, username: str | None = None) -> Path:
    user = f'username = "{username}"\n' if username else ""
    path = folder / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f"[report]\nto = {json.dumps(TO)}\ncc = {json.dumps(CC)}\nfrom = {json.dumps(FROM)}\n\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n{user}',
        encoding="utf-8",
    )
    return path


# -- an independent count ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def agents() -> list[et.Agent]:
    return et.make_agents()


REPORTED_EVERY = 4  # every 4th agent sent a self-report on DAY


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, agents: list[et.Agent]) -> Path:
    path = et.build(tmp_path_factory.mktemp("eod") / "ESP Tracker.xlsx", agents)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    notes_col = et.HEADERS.index("Notes") + 1
    for i, agent in enumerate(agents):
        if i % REPORTED_EVERY == 0:
            cell = ws.cell(et.FIRST_ROW + i, notes_col)
            cell.value = f"{cell.value}\n{DAY:%m/%d/%Y} - {agent.name} - 2 TBTs done"
    wb.save(path)
    return path


def expected_counts(agents: list[et.Agent]) -> dict[str, dict[str, Any]]:
    """Per class, from the agents as built, docs/rules.md's reading, with no esp_cli code."""
    due: dict[str, Counter[str]] = defaultdict(Counter)
    for name, action, _, _, ahead in et.expected_actions(agents, DAY):
        if not ahead:
            due[name][action] += 1
    out: dict[str, dict[str, Any]] = {}
    for i, a in enumerate(agents):
        start = et._as_date(a.start)
        if not isinstance(start, date):
            continue  # no clock: listed apart (no_start_date), not counted
        if start > DAY:
            # Not in certification yet: listed apart (starting_later), not counted. (DAY is
            # a business day: a clock starts after it exactly when the start date is.)
            continue
        c = out.setdefault(
            a.cls,
            dict.fromkeys(COUNT_KEYS, 0)
            | {"access_issues": Counter(), "escalations_due": Counter()},
        )
        cert, tbts = et._yes(a.cert) is True, et._yes(a.tbts) is True
        c["agents"] += 1
        c["call_certs_complete"] += cert
        c["tbts_complete"] += tbts
        c["fully_complete"] += cert and tbts
        c["outstanding"] += not (cert and tbts)
        # An agent the rules cannot evaluate is counted apart, not as an escalation step.
        c["not_evaluated"] += due[a.name].pop("not_evaluated", 0)
        c["escalations_due"].update(due[a.name])
        if cert and tbts:
            continue
        if a.access not in (None, "No Issues"):
            c["access_issues"][a.access] += 1
        if i % REPORTED_EVERY != 0:
            c["not_reported"] += 1
    return out


def test_json_totals_agree_with_an_independent_count(
    built: Path, agents: list[et.Agent], tmp_path: Path
) -> None:
    result = run("report", "eod", "--tracker", str(built), "--date", DAY.isoformat(), "-f", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert set(got) == {
        "date", "classes", "totals", "problems", "waiting", "starting_later", "no_start_date"
    }  # fmt: skip
    unknown = [a.name for a in agents if not isinstance(et._as_date(a.start), date)]
    assert unknown, "the tracker has agents without a readable start date"
    assert [s["agent"] for s in got["no_start_date"]] == unknown
    # Each is for the team as a problem too, with the reason.
    assert {p["agent"] for p in got["problems"]} >= set(unknown)
    assert got["waiting"] == []  # nothing waits beside this tracker
    later = [
        (a.name, str(et._as_date(a.start)))
        for a in agents
        if isinstance(et._as_date(a.start), date) and et._as_date(a.start) > DAY
    ]
    assert later, "the tracker has agents who start after the day"
    assert [(s["agent"], s["esp_start"]) for s in got["starting_later"]] == later
    assert got["date"] == "2026-11-24"
    expected = expected_counts(agents)
    assert [c["class"] for c in got["classes"]] == sorted(expected)
    for c in got["classes"]:
        assert set(c) == COUNT_KEYS | {"class"}
        want = expected[c["class"]]
        for key in COUNT_KEYS:
            assert c[key] == want[key], (c["class"], key)
    assert set(got["totals"]) == COUNT_KEYS
    for key in COUNT_KEYS:
        if key in ("access_issues", "escalations_due"):
            total: Counter[str] = Counter()
            for want in expected.values():
                total.update(want[key])
            assert got["totals"][key] == dict(total), key
        else:
            assert got["totals"][key] == sum(w[key] for w in expected.values()), key
    # Not a degenerate tracker: every number the report gives is exercised.
    t = got["totals"]
    assert 0 < t["fully_complete"] < t["agents"]
    assert 0 < t["not_reported"] < t["outstanding"]
    assert {"coaching", "written_cap"} <= set(t["escalations_due"])
    assert "not_evaluated" not in t["escalations_due"] and t["not_evaluated"] > 0
    assert len(got["problems"]) == t["not_evaluated"] + len(got["no_start_date"])
    assert all(p["reason"] and p["row"] for p in got["problems"])


def test_csv_has_a_row_a_class_and_the_totals(built: Path) -> None:
    result = run("report", "eod", "-t", str(built), "--date", DAY.isoformat(), "-f", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("class,agents,call_certs_complete,tbts_complete,fully_complete")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["AET-1200", "AET-1201", "AET-1202", "Total"]


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("text", "Escalation steps due\n  Documented coaching:"),
        ("md", "| Class | Agents | Call Certs |"),
        ("table", "Outstanding agents:"),
        ("html", "<!DOCTYPE html>"),
    ],
)
def test_formats(built: Path, fmt: str, marker: str) -> None:
    result = run("report", "eod", "-t", str(built), "--date", DAY.isoformat(), "-f", fmt)
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    assert "Total" in result.stdout


def test_out_writes_the_file_not_stdout(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "eod.md"
    result = run(
        "report", "eod", "-t", str(built), "--date", "2026-11-24", "-f", "md", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith(f"# {SUBJECT}\n")
    assert str(out) in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html", "text"])
def test_out_holds_what_stdout_shows(built: Path, tmp_path: Path, fmt: str) -> None:
    """--out and stdout are one rendering: the file holds exactly what the screen shows
    (JSON and CSV as every other command writes them)."""
    args = ("report", "eod", "-t", str(built), "--date", "2026-11-24", "-f", fmt)
    shown = run(*args)
    out = tmp_path / f"eod.{fmt}"
    saved = run(*args, "-o", str(out))
    assert (shown.exit_code, saved.exit_code) == (0, 0), shown.output + saved.output
    mark = "\ufeff" if fmt == "csv" else ""  # so that Excel opens the file as UTF-8
    assert out.read_bytes().decode("utf-8") == mark + shown.stdout
    if fmt == "json":
        assert json.loads(shown.stdout)["date"] == "2026-11-24"


def test_csv_redirected_to_a_file_opens_in_excel_as_utf8(built: Path, tmp_path: Path) -> None:
    """`esp report eod --format csv > eod.csv`: the file starts with the byte-order mark."""
    out = tmp_path / "eod.csv"
    args = ["report", "eod", "-t", str(built), "--date", "2026-11-24", "-f", "csv"]
    with out.open("wb") as file:
        proc = subprocess.run(
            [sys.executable, "-m", "esp_cli", *args], stdout=file, stderr=subprocess.PIPE,
            timeout=120,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfclass,")


# -- a small tracker: escaping and the e-mail ------------------------------------------------------

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": HOSTILE, "ESP Start Date": date(2026, 11, 16),
             "Citrix TBT Access": "Password Reset",
             "Notes": "11/23/2026 - Jordan Reyes - said <b>hi</b> & left"},
            {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Call Cert Complete?": "Yes",
             "All TBTs Complete?": "Yes", "ESP Start Date": date(2026, 11, 16)},
            {"Class": "AET-2", "Agent Name": "Bo Chen", "Call Cert Complete?": "Yes",
             "ESP Start Date": date(2026, 11, 23),
             "Notes": "11/24/2026 - Bo Chen - one TBT left"},
        ],
    )  # fmt: skip
    return tmp_path


def test_html_escapes_tracker_values_and_is_outlook_safe(small: Path) -> None:
    result = run("report", "eod", "-t", str(small / "ESP Tracker.xlsx"), "--date", "2026-11-24",
                 "-f", "html")  # fmt: skip
    assert result.exit_code == 0, result.output
    html = result.stdout
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "said &lt;b&gt;hi&lt;/b&gt; &amp; left" in html
    for external in ("<img", "<link", "<style", "src=", "href=", "url("):
        assert external not in html.lower()
    # The chart: a fluid bar a class, the done share green (AET-1 1/2, AET-2 none, total 1/3).
    assert html.count('bgcolor="#2e7d32"') == 2
    assert 'width="50%" height="14" bgcolor="#2e7d32"' in html
    assert 'width="33%" height="14" bgcolor="#2e7d32"' in html
    assert 'width="100%" height="14" bgcolor="#e0e0e0"' in html  # AET-2: nothing done yet
    assert "50% (1/2)" in html and "33.3% (1/3)" in html


def _parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


def _check_message(msg: EmailMessage) -> tuple[str, str]:
    assert msg["Subject"] == SUBJECT
    assert msg["From"] == FROM
    assert [a.addr_spec for a in msg["To"].addresses] == TO
    assert [a.addr_spec for a in msg["Cc"].addresses] == CC
    assert msg["Date"] is not None and msg["Date"].datetime is not None
    assert msg["Message-ID"].endswith("@vendorcx.com>")
    assert msg.get_content_type() == "multipart/alternative"
    # The text, then the HTML with the KPI trend's picture it shows by Content-ID.
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "multipart/related"]
    related = [p.get_content_type() for p in list(msg.iter_parts())[1].iter_parts()]
    assert related == ["text/html", "image/png"]
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_eml_is_a_complete_message_with_the_configured_headers(small: Path) -> None:
    config = write_config(small)
    eml = small / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(config))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # --eml alone prints nothing
    msg = _parse(eml.read_bytes())
    text, html = _check_message(msg)
    assert msg["X-Unsent"] == "1"  # Outlook opens it as a draft ready to send
    assert "1 of 3 agents fully complete (33.3%)" in text
    assert HOSTILE in text  # the plain text is plain: nothing to escape
    assert "Password Reset: 1" in text
    assert "<script" not in html
    assert "Did not self-report: 1" in text  # Bo Chen reported; Ana is complete


# -- sending --------------------------------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler keeping what it receives; refuses RCPT to `refuse`."""

    def __init__(self, refuse: str | None = None) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, _: list[str]
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        assert isinstance(envelope.content, bytes)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def start_server(handler: Recorder, **options: Any) -> Controller:
    """An SMTP server on a free loopback port (aiosmtpd 1.4 cannot be given port 0: it
    connects to its own port to know it is up)."""
    controller = Controller(handler, hostname="127.0.0.1", port=_refused_port(), **options)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Recorder]]:
    handler = Recorder()
    controller = start_server(handler)
    try:
        yield controller, handler
    finally:
        controller.stop()


def _port(controller: Controller) -> int:
    return int(controller.port)


def test_send_delivers_to_every_recipient(
    small: Path, smtp_server: tuple[Controller, Recorder]
) -> None:
    controller, handler = smtp_server
    config = write_config(small, _port(controller))
    result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
    assert result.exit_code == 0, result.output
    assert len(handler.envelopes) == 1
    mail_from, rcpt, content = handler.envelopes[0]
    assert mail_from == "jordan.reyes@vendorcx.com"
    assert rcpt == TO + CC
    msg = _parse(content)
    text, _ = _check_message(msg)
    assert msg["X-Unsent"] is None  # a sent message is not a draft
    assert "1 of 3 agents fully complete" in text
    assert "Sent" in result.stderr and SUBJECT in result.stderr
    assert not list(small.glob("*.eml"))


def test_send_logs_in_with_the_password_from_the_environment_only(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Recorder()
    controller = start_server(handler, authenticator=_authenticate, auth_require_tls=False)
    try:
        config = write_config(small, _port(controller), username="jordan")
        monkeypatch.setenv("ESP_SMTP_PASSWORD", PASSWORD)
        eml = small / "copy.eml"
        result = run("report", "eod", "--date", "2026-11-24", "--send", "--eml", str(eml),
                     "-c", str(config))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert len(handler.envelopes) == 1
        assert PASSWORD not in result.stdout + result.stderr
        assert PASSWORD.encode() not in handler.envelopes[0][2]
        assert PASSWORD.encode() not in eml.read_bytes()

        monkeypatch.setenv("ESP_SMTP_PASSWORD", "wrong")
        result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
        assert result.exit_code == 1
        assert "rejected the login for 'jordan'" in result.stderr
        assert "wrong" not in result.stderr
        assert len(handler.envelopes) == 1
    finally:
        controller.stop()


def test_a_username_without_the_password_fails_before_connecting(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESP_SMTP_PASSWORD", raising=False)
    config = write_config(small, _refused_port(), username="jordan")
    result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
    assert result.exit_code == 2
    assert "ESP_SMTP_PASSWORD is not set" in result.stderr
    assert not list(small.glob("*.eml"))


def _refused_port() -> int:
    """A loopback port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_is_a_clear_error_and_the_message_is_saved(small: Path) -> None:
    port = _refused_port()
    config = write_config(small, port)
    result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"cannot connect to 127.0.0.1:{port}" in result.stderr
    saved = small / "TBT Completion Report 2026-11-24.eml"
    assert saved.is_file()
    assert str(saved) in result.stderr
    assert "Traceback" not in result.output
    _check_message(_parse(saved.read_bytes()))
    # Again: a second file, the first one kept.
    result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
    assert result.exit_code == 1
    assert (small / "TBT Completion Report 2026-11-24 (2).eml").is_file()


def test_a_rejected_recipient_is_a_clear_error_and_the_message_is_saved(small: Path) -> None:
    handler = Recorder(refuse=CC[0])
    controller = start_server(handler)
    try:
        config = write_config(small, _port(controller))
        result = run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(config))
    finally:
        controller.stop()
    # Sent to the others: said so, the refused one named, and a copy for that one only.
    assert result.exit_code == ExitCode.FINDINGS
    assert "was not sent" not in result.stderr and "the others were sent it" not in result.stderr
    assert f"Sent TBT Completion Report — Tue 11/24/2026 to {', '.join(TO)} via" in result.stderr
    assert f"refused {CC[0]} (550 5.1.1 no such user here): they did not get it" in result.stderr
    saved = small / "TBT Completion Report 2026-11-24.eml"
    assert saved.is_file() and str(saved) in result.stderr
    copy = _parse(saved.read_bytes())
    assert [a.addr_spec for a in copy["To"].addresses] == [CC[0]] and copy["Cc"] is None
    assert handler.envelopes[0][1] == TO


def test_dry_run_prints_the_message_and_sends_nothing(small: Path) -> None:
    config = write_config(small, _refused_port())  # sending would fail
    result = run("report", "eod", "--date", "2026-11-24", "--send", "--dry-run", "-c", str(config))
    assert result.exit_code == 0, result.output
    msg = _parse(result.stdout.encode("utf-8"))
    _check_message(msg)
    assert "nothing was sent" in result.stderr
    assert not list(small.glob("*.eml"))


def test_dry_run_writes_no_report_file_and_shows_it_instead(small: Path) -> None:
    """--dry-run means what it means for every command: show, write nothing."""
    out = small / "report.md"
    tracker = str(small / "ESP Tracker.xlsx")
    result = run("report", "eod", "--date", "2026-11-24", "-t", tracker, "-f", "md", "--out",
                 str(out), "--dry-run")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not out.exists()
    assert result.stdout.startswith("# TBT Completion Report")
    assert f"Dry run: would write the md report to {out}" in result.stderr


def test_dry_run_saves_no_draft_and_shows_the_message(small: Path) -> None:
    config = write_config(small, _refused_port())
    eml, msg = small / "report.eml", small / "report.msg"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "--msg", str(msg),
                 "--send", "--dry-run", "-c", str(config))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not eml.exists() and not msg.exists()
    assert not list(small.glob("*.eml"))
    _check_message(_parse(result.stdout.encode("utf-8")))
    assert f"would save the e-mail as {eml}" in result.stderr
    assert f"would save the e-mail as the Outlook draft {msg}" in result.stderr
    assert "nothing was sent" in result.stderr


def test_dry_run_alone_shows_the_report(small: Path) -> None:
    tracker = str(small / "ESP Tracker.xlsx")
    plain = run("report", "eod", "--date", "2026-11-24", "-t", tracker, "-f", "json")
    dry = run("report", "eod", "--date", "2026-11-24", "-t", tracker, "-f", "json", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == plain.stdout


def test_no_recipients_is_a_config_error(small: Path) -> None:
    config = small / "esp.toml"
    config.write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', encoding="utf-8")
    result = run("report", "eod", "--eml", str(small / "x.eml"), "-c", str(config))
    assert result.exit_code == 2
    assert "[report] from" in result.stderr
    assert not (small / "x.eml").exists()


def test_report_date_defaults_to_today(small: Path) -> None:
    result = run("report", "eod", "-t", str(small / "ESP Tracker.xlsx"), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["date"] == datetime.now().date().isoformat()


@pytest.mark.parametrize("fmt", ["text", "md", "html", "table"])
def test_agents_who_start_later_are_listed_apart_in_every_layout(
    built: Path, agents: list[et.Agent], fmt: str
) -> None:
    later = [
        a for a in agents if isinstance(et._as_date(a.start), date) and et._as_date(a.start) > DAY
    ]
    result = run("report", "eod", "-t", str(built), "--date", DAY.isoformat(), "-f", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"; {len(later)} start later and " in " ".join(out.split())
    assert f"Starting later (not counted above): {len(later)}" in out
    first = later[0]
    starts = f"starts {et._as_date(first.start):%m/%d/%Y}"
    if fmt == "html":  # the class kept on one line
        shown = f'{first.name} <span style="white-space:nowrap">({first.cls})</span>, {starts}'
    else:
        shown = f"{first.name} ({first.cls}), {starts}"
    assert shown in out


@pytest.mark.parametrize(
    ("argv", "day", "why", "again"),
    [
        (
            ["report", "eod", "--date"],
            "2026-11-28",
            "a Saturday",
            "esp report eod --date 2026-11-27",
        ),
        (
            ["report", "eod", "--date"],
            "2026-11-26",
            "Thanksgiving",
            "esp report eod --date 2026-11-25",
        ),
        (
            ["escalations", "--today", "--as-of"],
            "2026-11-29",
            "a Sunday",
            "esp escalations --today --as-of 2026-11-27",
        ),
        (
            ["escalations", "--as-of"],
            "2026-11-26",
            "Thanksgiving",
            "esp escalations --as-of 2026-11-25",
        ),
    ],
)
def test_a_day_that_is_not_a_business_day_is_said_with_the_day_before(
    built: Path, argv: list[str], day: str, why: str, again: str
) -> None:
    result = run(*argv, day, "-t", str(built), "-f", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # the data is as on any day
    assert "is not a business day (" in result.stderr and why in result.stderr
    assert again in result.stderr


@pytest.mark.parametrize("argv", [["report", "eod", "--date"], ["escalations", "--as-of"]])
def test_a_business_day_says_nothing_of_it(built: Path, argv: list[str]) -> None:
    result = run(*argv, "2026-11-27", "-t", str(built), "-f", "json")
    assert result.exit_code == 0, result.output
    assert "not a business day" not in result.stderr


@pytest.mark.parametrize(
    ("start", "day", "later"),
    [
        (date(2026, 11, 30), date(2026, 11, 27), True),  # after the day
        (date(2026, 11, 27), date(2026, 11, 27), False),  # the day itself
        (date(2026, 11, 28), date(2026, 11, 29), True),  # a Saturday start: clock Monday
        (date(2026, 11, 28), date(2026, 11, 30), False),
        (date(2026, 11, 26), date(2026, 11, 26), True),  # Thanksgiving: clock Friday
        (datetime(2026, 11, 26, 0, 0), date(2026, 11, 26), True),  # a date with a time
    ],
)
def test_an_agent_starts_later_when_the_clock_starts_after_the_day(
    start: date, day: date, later: bool
) -> None:
    from esp_cli.core.calendar import BusinessCalendar
    from esp_cli.services.eod import _starts_after

    assert _starts_after(start, day, BusinessCalendar()) is later


def test_an_agent_without_a_start_date_is_in_no_count_as_in_the_kpis(tmp_path: Path) -> None:
    """The report's completion rate and its KPI section's agree: an agent without a readable
    ESP Start Date (no clock) is in neither, and is listed apart for the team."""
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ann Lee", "ESP Start Date": date(2026, 11, 16),
             "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes",
             "Call Cert Complete Date": date(2026, 11, 17),
             "TBT Complete Date": date(2026, 11, 17)},
            {"Class": "AET-1", "Agent Name": "Bo Chen", "ESP Start Date": date(2026, 11, 16)},
            {"Class": "AET-1", "Agent Name": "Cy Dunn", "ESP Start Date": "TBD",
             "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes"},
        ],
        headers=factories.headers(
            *factories.TRACKER_KEYS, "call_cert_date", "tbt_complete_date"
        ),
    )  # fmt: skip
    tracker = str(tmp_path / "ESP Tracker.xlsx")
    got = json.loads(
        run("report", "eod", "-t", tracker, "--date", "2026-11-24", "-f", "json").stdout
    )
    assert (got["totals"]["agents"], got["totals"]["fully_complete"]) == (2, 1)
    assert [a["agent"] for a in got["no_start_date"]] == ["Cy Dunn"]
    assert any(p["agent"] == "Cy Dunn" for p in got["problems"])
    text = run("report", "eod", "-t", tracker, "--date", "2026-11-24", "-f", "text").stdout
    assert "1 of 2 agents fully complete (50%)" in text and "1 without a start date" in text
    assert "Not counted, no ESP Start Date yet (the team is checking): 1\n  Cy Dunn (AET-1)" in text
    kpi = json.loads(run("report", "kpi", "-t", tracker, "--to", "2026-11-24", "-f", "json").stdout)
    assert kpi["overall"]["agents"] == 2


def test_a_class_whose_agents_all_lack_a_start_date_says_none_is_counted(tmp_path: Path) -> None:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ann Lee", "ESP Start Date": date(2026, 11, 16)},
            {"Class": "AET-2", "Agent Name": "Bo Chen", "ESP Start Date": "TBD"},
            {"Class": "AET-2", "Agent Name": "Cy Dunn"},
        ],
    )
    tracker = str(tmp_path / "ESP Tracker.xlsx")
    for fmt in ("text", "md", "html"):
        res = run(
            "report", "eod", "-t", tracker, "--date", "2026-11-24", "--class", "AET-2", "-f", fmt
        )
        assert res.exit_code == 0, res.output
        out = res.stdout
        assert "No agent counted: 2 without a start date." in out
        assert (
            "every agent is complete" not in out.lower() and "everyone reported" not in out.lower()
        )
        assert "0 of 0" not in out


def test_a_share_of_no_agents_is_shown_as_a_dash_never_as_zero(tmp_path: Path) -> None:
    """Nobody started by the day: the report's Total reads "—" (it read "0%") as its KPI
    section does; the CSV's cell is empty; JSON says null."""
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ann Lee", "ESP Start Date": date(2026, 12, 7)},
            {"Class": "AET-1", "Agent Name": "Bo Chen", "ESP Start Date": date(2026, 12, 8)},
        ],
    )
    tracker = str(tmp_path / "ESP Tracker.xlsx")
    for fmt in ("text", "md", "html"):
        res = run("report", "eod", "-t", tracker, "--date", "2026-11-24", "-f", fmt)
        assert res.exit_code == 0, res.output
        out = re.sub(r'(width|width:)\s*=?\s*"?\d+%', "", res.stdout)  # HTML's layout widths
        assert not re.search(r"\b0%", out) and "—" in out, (fmt, out)
    res = run("report", "eod", "-t", tracker, "--date", "2026-11-24", "-f", "csv")
    total = next(ln for ln in res.stdout.splitlines() if ln.startswith("Total,"))
    assert total.split(",")[6] == "", total


LADDER_HEADERS = factories.TRACKER_HEADERS + factories.headers(
    "coaching_date", "written_cap_date", "final_cap_date", "term_review_date"
)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "table"])
def test_an_agent_whose_ladder_has_ended_is_said_so_in_every_layout(
    tmp_path: Path, fmt: str
) -> None:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "K2", "Agent Name": "Ned Fourteen", "ESP Start Date": date(2026, 12, 16),
             "Coaching Date": date(2026, 12, 21), "Written CAP Date": date(2026, 12, 22),
             "Final CAP Date": date(2026, 12, 23), "Term Review Date": date(2026, 12, 24)},
            {"Class": "K2", "Agent Name": "Odd Date", "ESP Start Date": date(2026, 12, 16),
             "Coaching Date": "12/21"},
        ],
        headers=LADDER_HEADERS,
    )  # fmt: skip
    write_config(tmp_path)
    result = run(
        "report", "eod", "-c", str(tmp_path / "esp.toml"), "--date", "2026-12-30", "-f", fmt
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "term review delivered 12/24/2026" in out
    assert "nothing pending" not in out
    # Only the agent the rules could not evaluate is being checked.
    assert out.count("being checked by the team") == 1

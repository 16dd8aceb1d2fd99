"""Who a message is from when it was sent on behalf of someone (a delegate, a shared
mailbox: "Uriel Castillo on behalf of Tamara Wells"), and from an Exchange sender with no
address stored: the same answer from a .msg and an .eml, in esp progress import and esp tbt
proofs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage, PropertyTypeCode
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.attachments import read_files
from esp_cli.mail.inbox import read_mail
from tests import factories

EASTERN = ZoneInfo("America/New_York")
EX_DN = "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN="
SENT = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
TAMARA = ("Tamara Wells", "tamara.wells@x.com")
URIEL = ("Uriel Castillo", "uriel.castillo@x.com")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HEADERS = factories.headers(
    "class", "agent_name", "agent_id", "email", "tbts_complete", "tbt_complete_date", "notes"
)


def make_msg(
    path: Path,
    body: str = "Tamara: 5 of 8 today.",
    *,
    sender: tuple[str, str | None] | None = URIEL,
    mailbox: tuple[str, str | None] | None = TAMARA,
    pdf: str | None = None,
) -> Path:
    """A .msg as Outlook saves one sent on behalf of another: the sender (the delegate who
    sent it) in PidTagSender*, the mailbox it is from in PidTagSentRepresenting*; each an
    Exchange user, with its SMTP address stored or not (None)."""
    msg = MapiMessage.create("ESP progress", body)
    string = PropertyTypeCode.PTYP_STRING
    for who, (name_pid, type_pid, addr_pid, smtp_pid) in (
        (sender, (0x0C1A, 0x0C1E, 0x0C1F, 0x5D01)),
        (mailbox, (0x0042, 0x0064, 0x0065, 0x5D02)),
    ):
        if who is None:
            continue
        name, smtp = who
        msg.set_property(name_pid, string, name)
        msg.set_property(type_pid, string, "EX")
        msg.set_property(addr_pid, string, EX_DN + name.split()[-1])
        if smtp:
            msg.set_property(smtp_pid, string, smtp)
    msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, SENT)
    if pdf:
        msg.add_attachment(pdf, PDF, mime_type="application/pdf")
    msg.save(path)
    return path


def eml(body: str = "Tamara: 5 of 8 today.", *, sender: str | None = None) -> bytes:
    """The same message as a MIME client saves it: From the mailbox, Sender the delegate."""
    line = f"Sender: {sender}\r\n" if sender else ""
    return (
        f"From: {TAMARA[0]} <{TAMARA[1]}>\r\n{line}To: Jordan Reyes <jordan.reyes@x.com>\r\n"
        "Subject: ESP progress\r\nDate: Tue, 24 Nov 2026 17:30:00 -0500\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


ON_BEHALF_EML = eml(sender=f"{URIEL[0]} <{URIEL[1]}>")


# ------------------------------------------------------------------------------ reading


def test_a_msg_and_an_eml_sent_on_behalf_are_from_the_same_mailbox(tmp_path: Path) -> None:
    from_msg = read_mail(make_msg(tmp_path / "a.msg").read_bytes(), "a.msg", EASTERN)
    from_eml = read_mail(ON_BEHALF_EML, "a.eml", EASTERN)
    for report in (from_msg, from_eml):
        assert (report.name, report.email) == TAMARA
        assert (report.sender_name, report.sender_email) == URIEL


def test_a_message_sent_by_its_own_mailbox_has_no_other_sender(tmp_path: Path) -> None:
    both = make_msg(tmp_path / "a.msg", sender=TAMARA)
    only_sender = make_msg(tmp_path / "b.msg", mailbox=None, sender=TAMARA)
    no_smtp = make_msg(tmp_path / "c.msg", sender=(TAMARA[0], None), mailbox=TAMARA)
    same_eml = eml(sender=f"{TAMARA[0]} <{TAMARA[1].upper()}>")
    for data in (both.read_bytes(), only_sender.read_bytes(), no_smtp.read_bytes(), same_eml):
        report = read_mail(data, "a", EASTERN)
        assert (report.name, report.email, report.sender_name, report.sender_email) == (
            *TAMARA,
            "",
            "",
        )


def test_the_proofs_reader_takes_the_same_mailbox(tmp_path: Path) -> None:
    msg = read_files(make_msg(tmp_path / "a.msg", pdf="Tamara Wells TBT.pdf").read_bytes())
    mime = read_files(ON_BEHALF_EML)
    for found in (msg, mime):
        assert (found.sender_name, found.sender) == TAMARA
        assert found.sent_by == URIEL[1]


# ---------------------------------------------------------------------------- importing


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    agents = [
        ["AET-1", "Tamara Wells", "E100", TAMARA[1], "No", None, None],
        ["AET-1", "Uriel Castillo", "E101", URIEL[1], "No", None, None],
        ["AET-1", "Elena Vasquez", "E102", "", "No", None, None],
    ]
    rows = [dict(zip(HEADERS, a, strict=True)) for a in agents]
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)


def run(tracker: Path, *args: str) -> Any:
    res = CliRunner().invoke(
        app, [*args, "--config", str(tracker.parent / "esp.toml"), "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_report_sent_by_one_agent_on_behalf_of_another_is_for_a_person_to_say(
    tracker: Path, tmp_path: Path
) -> None:
    mails = tmp_path / "mails"
    mails.mkdir()
    make_msg(mails / "on behalf.msg")
    (mails / "on behalf.eml").write_bytes(ON_BEHALF_EML)
    before = tracker.read_bytes()
    data = run(tracker, "progress", "import", str(mails))
    assert data["imported"] == []
    reasons = {u["source"]: u["reason"] for u in data["unmatched"]}
    assert sorted(reasons) == ["on behalf.eml", "on behalf.msg"]
    for reason in reasons.values():
        assert "sent by Uriel Castillo" in reason and "on behalf of Tamara Wells" in reason
        assert "which of them reported is for a person to say" in reason
    assert tracker.read_bytes() == before


def test_a_report_sent_on_an_agents_behalf_by_someone_else_is_the_agents(
    tracker: Path, tmp_path: Path
) -> None:
    """A team assistant or a shared mailbox's delegate who is no agent: the mailbox counts."""
    mails = tmp_path / "mails"
    mails.mkdir()
    make_msg(mails / "a.msg", sender=("Pat Doe", "pat.doe@x.com"))
    (mails / "b.eml").write_bytes(eml("Module 6 done.", sender="Pat Doe <pat.doe@x.com>"))
    data = run(tracker, "progress", "import", str(mails))
    assert [(i["agent"], i["matched_by"]) for i in data["imported"]] == [
        ("Tamara Wells", "e-mail"),
        ("Tamara Wells", "e-mail"),
    ]
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    assert ws["G3"].value == (
        "11/24/2026 - Tamara Wells - Tamara: 5 of 8 today.\n"
        "11/24/2026 - Tamara Wells - Module 6 done."
    )


# ------------------------------------------------------------------------------ proofs


def test_a_proof_sent_on_behalf_says_who_sent_it(tracker: Path, tmp_path: Path) -> None:
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    make_msg(proofs / "transcript.msg", pdf="Tamara Wells TBT.pdf")
    data = run(tracker, "tbt", "proofs", str(proofs), "--by", "Jordan Reyes", "--dry-run")
    (proof,) = data["recorded"]
    assert (proof["agent"], proof["sender"]) == ("Tamara Wells", TAMARA[1])
    assert proof["sender_mismatch"] == (
        f"sent by {URIEL[1]}, the address of Uriel Castillo (AET-1, row 4), on behalf of "
        f"{TAMARA[1]}"
    )


@pytest.mark.parametrize(
    ("name", "mismatch"),
    [
        ("Vasquez, Elena", None),
        ("Elena Vasquez", None),
        (
            "Ana Ruiz",
            "sent by Ana Ruiz, an Exchange user whose e-mail address the message does not "
            "hold: check who sent it",
        ),
    ],
)
def test_an_exchange_sender_without_an_address_is_named_not_called_a_draft(
    tracker: Path, tmp_path: Path, name: str, mismatch: str | None
) -> None:
    proofs = tmp_path / "proofs"
    proofs.mkdir()
    make_msg(proofs / "t.msg", sender=(name, None), mailbox=None, pdf="Elena Vasquez TBT.pdf")
    data = run(tracker, "tbt", "proofs", str(proofs), "--by", "Jordan Reyes", "--dry-run")
    (proof,) = data["recorded"]
    assert proof["agent"] == "Elena Vasquez"
    assert proof.get("sender_mismatch") == mismatch

"""esp progress import on replies and forwards of what was sent to the agent: her words
under a phone's line, her hours typed like a header, the coordinator's reminder she
answers (a forward line inside it, any subject prefix), a notice sent to her that she
forwards."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aspose.email_foss.msg import MapiMessage

from esp_cli.mail.selfreports import address_header, clean_body, html_to_text
from tests import factories
from tests.test_progress_forwards import AGENTS, FORWARDED, run

XAVIER = "Xavier Dunn <xavier.dunn@x.com>"
JORDAN = "Jordan Reyes <jordan.reyes@x.com>"
SENT = "Tuesday, November 24, 2026 8:00 AM"
# The coordinator's reminder, quoted under Outlook's rule.
REMINDER = (
    "\n\n________________________________\nFrom: Reyes, Jordan <jordan.reyes@x.com>\n"
    f"Sent: {SENT}\nTo: ESP Agents <esp.agents@x.com>\nSubject: ESP progress - please reply "
    "by EOD\n\nPlease reply with your progress.\n"
)
# The same reminder, carrying a manager's note he forwarded from Gmail.
FORWARDING_REMINDER = REMINDER + (
    "\n---------- Forwarded message ---------\nFrom: Pat Manager <pat.manager@x.com>\n"
    "Date: Mon, Nov 23, 2026 at 4:00 PM\nSubject: ESP\nTo: Jordan Reyes <jordan.reyes@x.com>\n"
    "\nJordan, please get every agent's progress today.\n"
)
NOTICE_SENT = "Tuesday, November 24, 2026 10:12 AM"


def _notice(sender: str, subject: str, text: str) -> str:
    return (
        f"\n\n________________________________\nFrom: {sender}\nSent: {NOTICE_SENT}\n"
        f"To: Xavier Dunn <xavier.dunn@x.com>\nSubject: {subject}\n\n{text}\n"
    )


LMS = _notice(
    "Learning Hub <noreply@learninghub.x.com>",
    "You completed TBT 5 - Billing Basics",
    "Congratulations Xavier Dunn, you completed TBT 5 - Billing Basics on 11/24/2026.",
)
SPOC = _notice(
    "SPOC Team <spoc.team@helpdesk-partner.com>",
    "RE: INC-12 Citrix apps missing",
    "Hi, your Citrix access is restored. Ticket INC-12 closed.",
)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    mails = tmp_path / "mails"
    mails.mkdir()
    return mails


def _mail(subject: str, body: str, *, to: str = JORDAN, pdf: bool = False) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = XAVIER
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = FORWARDED
    msg.set_content(body)
    if pdf:
        msg.add_attachment(
            b"%PDF-1.4\n", maintype="application", subtype="pdf", filename="Xavier Dunn TBT.pdf"
        )
    return msg


def _import(tracker: Path, folder: Path, msg: EmailMessage, *, as_msg: bool = False) -> Any:
    """The import of `msg` alone in the folder (as an Outlook .msg when `as_msg`)."""
    if as_msg:
        (folder / "mail.msg").write_bytes(MapiMessage.from_email_message(msg).to_bytes())
    else:
        (folder / "mail.eml").write_bytes(msg.as_bytes())
    return run(tracker, folder)


def _notes(data: Any) -> list[str]:
    assert data["unmatched"] == [], data["unmatched"]
    return [i["note"].split(" - Xavier Dunn - ", 1)[1] for i in data["imported"]]


def _problems(data: Any) -> list[str]:
    return [p["problem"] for p in data["problems"]]


# ------------------------------------------------- her words under "Sent from my phone, …"


@pytest.mark.parametrize(
    "body",
    [
        "Sent from my phone, laptop is dead\nTBT 6 done",
        "Sent from my personal phone since laptop died\nTBT 6 done",
        "Sent from my tablet, VPN down.\nTBT 6 and 7 done, quiz tomorrow",
        "Sent from my work device\nTBT 6 done",
    ],
)
@pytest.mark.parametrize("as_msg", [False, True])
def test_her_words_on_a_line_starting_sent_from_my_phone_are_hers(
    tracker: Path, folder: Path, body: str, as_msg: bool
) -> None:
    data = _import(tracker, folder, _mail("ESP progress", body), as_msg=as_msg)
    assert _notes(data) == [" ".join(body.split())]
    assert _problems(data) == []


@pytest.mark.parametrize(
    "line",
    [
        "Sent from my iPhone",
        "Sent from my Verizon, Samsung Galaxy smartphone",
        "Sent from Outlook for Android",
        "Sent from Outlook for iOS",
        "Get Outlook for iOS",
        "Sent from my BlackBerry 10 smartphone.",
        "Sent from Yahoo Mail on Android",
        # Outlook mobile's plain text writes its link on the line; K-9 its excuse.
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Get Outlook for Android<https://aka.ms/AAb9ysg>",
        "Sent from my Android device with K-9 Mail. Please excuse my brevity.",
        "Sent from my BlackBerry 10 smartphone on the Verizon Wireless 4G LTE network.",
        "Sent with Proton Mail secure email.",
    ],
)
def test_a_whole_line_that_is_a_phones_signature_ends_her_text(line: str) -> None:
    assert clean_body(f"TBT 6 done\n\n{line}\n\nold text", "Xavier Dunn") == "TBT 6 done"


@pytest.mark.parametrize("as_msg", [False, True])
def test_outlook_mobiles_signature_with_its_link_is_no_part_of_the_note(
    tracker: Path, folder: Path, as_msg: bool
) -> None:
    body = "6/8 done, Citrix ok\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n"
    data = _import(tracker, folder, _mail("ESP progress", body), as_msg=as_msg)
    assert _notes(data) == ["6/8 done, Citrix ok"]


def test_her_words_under_a_phone_line_in_html_are_hers() -> None:
    html = "<p>Sent from my phone, laptop is dead</p><p>TBT 6 done</p>"
    assert clean_body(html_to_text(html), "Xavier Dunn") == (
        "Sent from my phone, laptop is dead TBT 6 done"
    )


# ----------------------------------------------------------- her hours typed like a header


@pytest.mark.parametrize(
    "body",
    [
        "Da: 9:00\nA: 17:30\nFatto il TBT 6",
        "Horario\nDe: 9:00\nA: 17:30\nTBT 6 listo",
        "6/8 done\n\nTraining block\nDe: 9:00\nA: 12:00\nTBT 7 in progress",
        "6/8 done\nOd: 9:00\nDo: 12:00 szkolenie TBT 7",
        "From: 9:00\nTo: 17:30\nTBT 6 done",
    ],
)
def test_her_hours_typed_like_a_header_are_her_words(
    tracker: Path, folder: Path, body: str
) -> None:
    data = _import(tracker, folder, _mail("ESP progress", body))
    assert _notes(data) == [" ".join(body.split())]
    assert _problems(data) == []


def test_a_header_block_mixing_two_languages_words_is_hers() -> None:
    body = "6/8 done\nDe: Amira Hassan\nDo: TBT 7 tomorrow\nTBT 6 in progress"
    assert clean_body(body, "Xavier Dunn") == " ".join(body.split())


def test_a_spanish_header_block_is_still_a_quote() -> None:
    body = (
        "Listo 6/8\n\nDe: Jordan Reyes <jordan.reyes@x.com>\nEnviado: martes, 24 de noviembre "
        "de 2026 8:00\nPara: Xavier Dunn\nAsunto: ESP\n\nPor favor responde."
    )
    assert clean_body(body, "Xavier Dunn") == "Listo 6/8"


# ------------------------------------------------ the coordinator's reminder she answers


@pytest.mark.parametrize("to", [JORDAN, "ESP Agents <esp.agents@x.com>"])
@pytest.mark.parametrize(("typed", "pdf"), [("", False), ("As requested", True), ("Done", False)])
def test_a_forward_line_inside_the_reminder_she_answers_makes_no_forward(
    tracker: Path, folder: Path, to: str, typed: str, pdf: bool
) -> None:
    mail = _mail("RE: ESP progress - please reply by EOD", typed + FORWARDING_REMINDER, to=to)
    data = _import(tracker, folder, mail)
    assert _notes(data) == [typed or "Self-report (no details given)"]
    assert not any("report" in p.split(":")[0] for p in _problems(data))
    if typed:
        assert _problems(data) == []


@pytest.mark.parametrize("typed", ["Attached.", "Please see attached."])
def test_a_reply_pointing_at_her_attachment_is_not_warned(
    tracker: Path, folder: Path, typed: str
) -> None:
    mail = _mail("RE: ESP progress - please reply by EOD", typed + REMINDER, pdf=True)
    data = _import(tracker, folder, mail)
    assert _notes(data) == [typed]
    assert _problems(data) == []


@pytest.mark.parametrize("subject", ["Vá: ESP progress - please reply by EOD", "ESP progress"])
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_reply_to_the_coordinator_under_any_prefix_is_hers(
    tracker: Path, folder: Path, subject: str, as_msg: bool
) -> None:
    data = _import(tracker, folder, _mail(subject, "Kész, 8/8" + REMINDER), as_msg=as_msg)
    assert _notes(data) == ["Kész, 8/8"]
    assert _problems(data) == []
    empty = _import(tracker, folder, _mail(subject, REMINDER), as_msg=as_msg)
    assert [i["date"] for i in empty["imported"]] == ["2026-11-24"]
    assert empty["unmatched"] == []
    assert _problems(empty) == [
        f"nothing is typed above the e-mail it answers, the one Jordan Reyes sent {SENT}: if "
        "Xavier Dunn answered inside it, add the report with esp note add"
    ]


# The coordinator at the client's domain, not the agents': her directory spells him with
# his company, the e-mails he sends without it.
CLIENT_COORDINATOR = '"Reyes, Jordan (Aetna)" <jordan.reyes@aetna.com>'
CLIENT_REMINDER = REMINDER.replace("jordan.reyes@x.com", "jordan.reyes@aetna.com")


def _import_as_outlook_saves(tracker: Path, folder: Path, msg: EmailMessage, as_msg: bool) -> Any:
    """The import of `msg`, as an .eml or as the .msg Outlook saves: its display To holds
    the names alone, as the directory spells them (the addresses are in its recipient
    table)."""
    if not as_msg:
        return _import(tracker, folder, msg)
    saved = MapiMessage.from_email_message(msg)
    shown = "; ".join(n for n, _ in address_header(msg, "to"))
    saved.set_property(0x0E04, 0x001F, shown)  # PidTagDisplayTo
    (folder / "mail.msg").write_bytes(saved.to_bytes())
    return run(tracker, folder)


@pytest.mark.parametrize("as_msg", [False, True])
def test_her_reply_pointing_below_at_a_coordinator_of_another_domain_is_said(
    tracker: Path, folder: Path, as_msg: bool
) -> None:
    """He is the one she writes to, by the address she sent it to: his reminder is the
    e-mail she answers, her answers perhaps inside it, whatever name Outlook shows."""
    mail = _mail("RE: ESP progress - please reply by EOD", "See below" + CLIENT_REMINDER)
    mail.replace_header("To", CLIENT_COORDINATOR)
    data = _import_as_outlook_saves(tracker, folder, mail, as_msg)
    assert _notes(data) == ["See below"]
    assert _problems(data) == [
        f"her words 'See below' point into the e-mail she answers, the one Jordan Reyes sent "
        f"{SENT}: her answers may be typed inside it; open it, and add them with esp note add"
    ]


@pytest.mark.parametrize("as_msg", [False, True])
def test_her_forward_of_a_person_at_the_domain_she_writes_to_is_no_notice(
    tracker: Path, folder: Path, as_msg: bool
) -> None:
    """An e-mail from the domain of the coordinator she forwards it to is a person's, not a
    notice sent to her, whatever name Outlook shows for him."""
    quoted = _notice("Dana Whitfield <dana.whitfield@aetna.com>", "ESP", "Your progress: 6/8")
    mail = _mail("FW: ESP", quoted)
    mail.replace_header("To", CLIENT_COORDINATOR)
    data = _import_as_outlook_saves(tracker, folder, mail, as_msg)
    assert data["imported"] == []
    ((reason,),) = [(u["reason"],) for u in data["unmatched"]]
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        "quotes a report Dana Whitfield (dana.whitfield@aetna.com) sent "
    ), reason


@pytest.mark.parametrize("reply", [True, False])
def test_her_pdf_sent_with_her_signature_alone_gets_one_warning(
    tracker: Path, folder: Path, reply: bool
) -> None:
    signature = "Xavier Dunn\nCustomer Care Agent | VendorCX\n(614) 555-0146"
    body = signature + (REMINDER if reply else "")
    subject = "RE: ESP progress - please reply by EOD" if reply else "TBT 5 certificate"
    data = _import(tracker, folder, _mail(subject, body, pdf=True))
    assert _problems(data) == [
        "no text of its own but the lines 'Xavier Dunn / Customer Care Agent | VendorCX / (614) "
        "555-0146', taken for her signature, and Xavier Dunn TBT.pdf attached: esp reads only "
        "a message's text; if the report is in the attachment, add it with esp note add"
    ]


# ----------------------------------------------------- a notice sent to her, forwarded


@pytest.mark.parametrize(
    ("typed", "quoted", "note", "named"),
    [
        ("", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        # A courtesy word or a pointer alone is no note (as attached): the notice's subject is.
        ("As requested", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("FYI", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("fyi.", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("See below", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("Please see below:", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("Thanks!", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("Sent from my iPhone", LMS, "You completed TBT 5 - Billing Basics",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("FYI", SPOC, "INC-12 Citrix apps missing", "SPOC Team (spoc.team@helpdesk-partner.com)"),
        ("  F.Y.I. ", SPOC, "INC-12 Citrix apps missing",
         "SPOC Team (spoc.team@helpdesk-partner.com)"),
        ("", SPOC, "INC-12 Citrix apps missing", "SPOC Team (spoc.team@helpdesk-partner.com)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_her_forward_of_a_notice_sent_to_her_is_her_report_of_its_day(
    tracker: Path, folder: Path, typed: str, quoted: str, note: str, named: str, as_msg: bool
) -> None:
    subject = "FW: " + ("You completed TBT 5 - Billing Basics" if quoted == LMS else note)
    data = _import(tracker, folder, _mail(subject, typed + quoted), as_msg=as_msg)
    assert [i["date"] for i in data["imported"]] == ["2026-11-24"]
    assert _notes(data) == [note]
    assert _problems(data) == [
        f"nothing of her own is typed above the e-mail it forwards, one {named} sent "
        f"{NOTICE_SENT}: read as her report of the day; if more of hers is in that e-mail, add "
        "it with esp note add"
    ]


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("TBT 5 done", LMS),
        ("Citrix fixed, back on TBTs", SPOC),
        ("did 3 more today", LMS),
        ("FYI - did 3 more today", LMS),
        ("FYI 11/24", SPOC),
        ("Thanks! 6 of 8 done", LMS),
    ],
)
def test_her_words_above_a_forwarded_notice_are_her_report(
    tracker: Path, folder: Path, typed: str, quoted: str
) -> None:
    data = _import(tracker, folder, _mail("FW: notice", typed + quoted))
    assert _notes(data) == [typed]
    assert _problems(data) == []


@pytest.mark.parametrize("copied", [False, True])
def test_a_forward_of_a_colleagues_report_with_nothing_typed_is_still_refused(
    tracker: Path, folder: Path, copied: bool
) -> None:
    quoted = _notice("Rebecca Stone <rebecca.stone@x.com>", "ESP progress", "6/8 done")
    mail = _mail("FW: ESP progress", "FYI" + quoted)
    if copied:  # the colleague copied on it
        mail["Cc"] = "Rebecca Stone <rebecca.stone@x.com>"
    data = _import(tracker, folder, mail)
    assert data["imported"] == []
    ((reason,),) = [(u["reason"],) for u in data["unmatched"]]
    assert "of another person's report: it quotes a report Rebecca Stone" in reason

"""esp progress import on an e-mail quoting another's, told by the tracker's agents: a
colleague's report is hers whatever address she sent it from and whoever it is addressed
to; a notice from a mailbox at the agents' own domain that no agent has is a notice sent to
the agent."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aspose.email_foss.msg import MapiMessage

from tests import factories
from tests.test_progress_forwards import AGENTS, FORWARDED, REPORT, run

XAVIER = "Xavier Dunn <xavier.dunn@x.com>"
JORDAN = "Jordan Reyes <jordan.reyes@x.com>"
KAYLA_AT_HOME = "Kayla Brook <kayla.brook77@gmail.com>"
COLLEAGUES = [
    *AGENTS,
    {"Class": "AET-1", "Agent Name": "Brook, Kayla", "Email": "kayla.brook@x.com"},
]
SENT = "Monday, November 23, 2026 5:00 PM"
NOTICE_SENT = "Tuesday, November 24, 2026 10:12 AM"
NOTHING = "Self-report (no details given)"


@pytest.fixture(params=["email column", "no email column"])
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The agents, with their work addresses in an Email column, or with no Email column
    (their names alone)."""
    keys = [k for k in factories.TRACKER_KEYS if request.param == "email column" or k != "email"]
    headers = factories.headers(*keys)
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", COLLEAGUES, headers=headers)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    mails = tmp_path / "mails"
    mails.mkdir()
    return mails


def _outlook(sender: str, to: str = "Jordan Reyes <jordan.reyes@x.com>", when: str = SENT) -> str:
    """A message by `sender` as Outlook quotes it under its separator, its report below."""
    return (
        f"\n\n-----Original Message-----\nFrom: {sender}\nSent: {when}\nTo: {to}\n"
        f"Subject: ESP progress\n\n{REPORT}\n"
    )


_GMAIL = (
    "\n\n---------- Forwarded message ---------\nFrom: {sender}\nDate: Mon, Nov 23, 2026 at "
    "5:00 PM\nSubject: ESP progress\nTo: Jordan Reyes <jordan.reyes@x.com>\n\n" + REPORT + "\n"
)


def _mail(subject: str, body: str, *, to: str = JORDAN, cc: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = XAVIER
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = FORWARDED
    msg.set_content(body)
    return msg


def _import(tracker: Path, folder: Path, msg: EmailMessage, *, as_msg: bool = False) -> Any:
    if as_msg:
        (folder / "mail.msg").write_bytes(MapiMessage.from_email_message(msg).to_bytes())
    else:
        (folder / "mail.eml").write_bytes(msg.as_bytes())
    return run(tracker, folder)


def _refused(data: Any) -> str:
    assert data["imported"] == [], data["imported"]
    ((reason,),) = [(u["reason"],) for u in data["unmatched"]]
    return str(reason)


# ------------------------------------------- a colleague's report from her personal address


@pytest.mark.parametrize(
    "quoted",
    [
        _outlook(KAYLA_AT_HOME),
        _outlook("Brook, Kayla <kayla.brook77@gmail.com>"),
        _outlook("Kayla Brook [mailto:kayla.brook77@gmail.com]"),
        _GMAIL.format(sender=KAYLA_AT_HOME),
    ],
)
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_colleagues_report_from_her_personal_address_forwarded_is_not_the_forwarders(
    tracker: Path, folder: Path, quoted: str, as_msg: bool
) -> None:
    """Kayla is an agent of the tracker: her report, from Gmail, is hers, not a notice."""
    data = _import(tracker, folder, _mail("FW: ESP progress", quoted), as_msg=as_msg)
    reason = _refused(data)
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        "quotes a report Kayla Brook (kayla.brook77@gmail.com) sent "
    ), reason
    assert data["problems"] == []


def test_words_typed_above_a_colleagues_report_from_her_personal_address_say_whose_it_quotes(
    tracker: Path, folder: Path
) -> None:
    data = _import(
        tracker, folder, _mail("FW: ESP progress", "Mine: 5/8" + _outlook(KAYLA_AT_HOME))
    )
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Xavier Dunn - Mine: 5/8"]
    assert [p["problem"] for p in data["problems"]] == [
        f"it also quotes an e-mail Kayla Brook (kayla.brook77@gmail.com) sent {SENT}: if that "
        "is Kayla Brook's report, import that person's own e-mail, or add the report with esp "
        "note add"
    ]


@pytest.mark.parametrize("sender", [KAYLA_AT_HOME, "Rebecca Stone <rebecca.stone@x.com>"])
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_colleagues_report_quoted_in_a_reply_with_nothing_typed_is_not_the_repliers(
    tracker: Path, folder: Path, sender: str, as_msg: bool
) -> None:
    data = _import(tracker, folder, _mail("RE: ESP progress", _outlook(sender)), as_msg=as_msg)
    name, address = sender.removesuffix(">").split(" <")
    assert _refused(data) == (
        f"a reply by Xavier Dunn with nothing typed above the e-mail it quotes, a report "
        f"{name} ({address}) sent {SENT}: that report is {name}'s, not Xavier Dunn's; import "
        "that person's own e-mail, and if Xavier Dunn answered inside it, add the report with "
        "esp note add"
    )


# ---------------------------------------- whoever the forward of her report is addressed to


@pytest.mark.parametrize(
    ("sender", "to", "cc"),
    [
        ("Rebecca Stone <rebecca.stone@x.com>", f"{JORDAN}, Rebecca Stone <rebecca.stone@x.com>",
         ""),
        ("Stone, Rebecca <rebecca.stone@x.com>", f"{JORDAN}, Rebecca Stone <rebecca.stone@x.com>",
         ""),
        (KAYLA_AT_HOME, f"{JORDAN}, {KAYLA_AT_HOME}", ""),
        (KAYLA_AT_HOME, JORDAN, KAYLA_AT_HOME),
        ("Rebecca Stone <rebecca.stone@x.com>", "Rebecca Stone <rebecca.stone@x.com>", JORDAN),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_colleagues_report_forwarded_to_her_too_is_still_hers(
    tracker: Path, folder: Path, sender: str, to: str, cc: str, as_msg: bool
) -> None:
    """Xavier forwards Rebecca's report to the coordinator and to Rebecca: not his reply."""
    mail = _mail("FW: ESP progress", _outlook(sender), to=to, cc=cc)
    reason = _refused(_import(tracker, folder, mail, as_msg=as_msg))
    assert "of another person's report: it quotes a report " in reason, reason
    assert f"sent {SENT}" in reason


# ---------------------------------------------- a notice from a mailbox at the agents' domain


def _notice(sender: str, text: str, to: str = XAVIER) -> str:
    return (
        f"\n\n________________________________\nFrom: {sender}\nSent: {NOTICE_SENT}\n"
        f"To: {to}\nSubject: Your ticket\n\n{text}\n"
    )


@pytest.mark.parametrize(
    ("sender", "shown", "to"),
    [
        ("SPOC Team <spoc.team@x.com>", "SPOC Team (spoc.team@x.com)", XAVIER),
        ("SPOC Team <spoc.team@x.com>", "SPOC Team (spoc.team@x.com)", "Dunn, Xavier"),
        ("Learning Hub <learninghub@x.com>", "Learning Hub (learninghub@x.com)", XAVIER),
        ("Learning Hub <learninghub@x.com>", "Learning Hub (learninghub@x.com)",
         f"{XAVIER}; Stone, Rebecca <rebecca.stone@x.com>"),
        ("spoc.team@x.com", "spoc.team@x.com", "xavier.dunn@x.com"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_notice_from_a_mailbox_at_the_agents_domain_is_her_report(
    tracker: Path, folder: Path, sender: str, shown: str, to: str, as_msg: bool
) -> None:
    """No agent has that address or name, and it was sent to her: a notice."""
    quoted = _notice(sender, "Your Citrix access is restored. Ticket INC-12 closed.", to)
    data = _import(tracker, folder, _mail("FW: Your ticket", quoted), as_msg=as_msg)
    assert data["unmatched"] == []
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in data["problems"]] == [
        f"nothing of her own is typed above the e-mail it forwards, one {shown} sent "
        f"{NOTICE_SENT}: read as her report of the day; if more of hers is in that e-mail, add "
        "it with esp note add"
    ]


def test_a_message_a_colleague_sent_to_her_is_still_the_colleagues(
    tracker: Path, folder: Path
) -> None:
    """Kayla's report sent to Xavier, forwarded by him: an agent's, whoever it was sent to."""
    quoted = _notice("Kayla Brook <kayla.brook@x.com>", "6/8 done")
    reason = _refused(_import(tracker, folder, _mail("FW: Your ticket", quoted)))
    assert "it quotes a report Kayla Brook (kayla.brook@x.com) sent " in reason, reason


# ------------------------------------------------ a notice forwarded as an attachment

CLOSED = "Your Citrix access is restored. Ticket INC-12 closed."
NOTICE_DATE = "Tue, 24 Nov 2026 15:12:00 +0000"  # 10:12 AM in New York


def _message(
    sender: str, subject: str, text: str, *, to: str = XAVIER, cc: str = ""
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = NOTICE_DATE
    msg.set_content(text)
    return msg


def _forward_attaching(
    inner: EmailMessage, layout: str, typed: str = "", *more: EmailMessage, pdf: bool = False
) -> tuple[str, bytes]:
    """Xavier's forward of `inner` (and of `more`) as attachments, `typed` in it, a PDF of
    his before them when `pdf`: attached as messages (.eml), embedded in an Outlook message
    (.msg), or attached as saved .msg files."""
    fw = _mail(f"FW: {inner['Subject']}", typed)
    if pdf:
        fw.add_attachment(
            b"%PDF-1.4\n", maintype="application", subtype="pdf", filename="TBT 5 cert.pdf"
        )
    mails = (inner, *more)
    if layout == "eml":
        for one in mails:
            fw.add_attachment(one)
        return "fw.eml", fw.as_bytes()
    if layout == "msg":
        outer = MapiMessage.from_email_message(fw)
        for one in mails:
            outer.add_embedded_message_attachment(
                MapiMessage.from_email_message(one), filename=str(one["Subject"])
            )
        return "fw.msg", outer.to_bytes()
    for i, one in enumerate(mails):
        fw.add_attachment(
            MapiMessage.from_email_message(one).to_bytes(),
            maintype="application", subtype="vnd.ms-outlook", filename=f"notice{i or ''}.msg",
        )  # fmt: skip
    return "fw.eml", fw.as_bytes()


LAYOUTS = ["eml", "msg", "saved msg"]


@pytest.mark.parametrize(
    ("sender", "to", "cc", "shown"),
    [
        ("SPOC Team <spoc.team@x.com>", XAVIER, "", "SPOC Team (spoc.team@x.com)"),
        # Sent to a list, she copied: her own Cc makes it hers.
        ("SPOC Team <spoc.team@x.com>", "ESP Agents <esp.agents@x.com>", XAVIER,
         "SPOC Team (spoc.team@x.com)"),
        ("Learning Hub <learninghub@x.com>", f"{XAVIER}, Rebecca Stone <rebecca.stone@x.com>",
         "", "Learning Hub (learninghub@x.com)"),
        ("Learning Hub <noreply@learninghub.x.com>", XAVIER, "",
         "Learning Hub (noreply@learninghub.x.com)"),
        ("SPOC Team <spoc.team@helpdesk-partner.com>", XAVIER, "",
         "SPOC Team (spoc.team@helpdesk-partner.com)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_notice_forwarded_as_an_attachment_is_her_report_as_inline(
    tracker: Path, folder: Path, sender: str, to: str, cc: str, shown: str, layout: str
) -> None:
    """The attached notice is told as the same notice quoted inline is: by its own sender
    and the people it was sent to."""
    name, data = _forward_attaching(_message(sender, "Your ticket", CLOSED, to=to, cc=cc), layout)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert got["unmatched"] == []
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in got["problems"]] == [
        f"nothing of her own is typed in it, only the e-mail it forwards attached, one {shown} "
        "sent on 11/24/2026: read as her report of the day; if more of hers is in that e-mail, "
        "add it with esp note add"
    ]


def test_an_automatic_reply_forwarded_as_an_attachment_is_still_no_report(
    tracker: Path, folder: Path
) -> None:
    """An out-of-office reply (Auto-Submitted: auto-replied) attached is no notice of hers."""
    inner = _message("Jordan Reyes <jordan.reyes@x.com>", "Automatic reply: ESP", "I am out.")
    inner["Auto-Submitted"] = "auto-replied"
    name, data = _forward_attaching(inner, "eml")
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert "whose attached e-mail esp cannot read" in reason, reason


@pytest.mark.parametrize("typed", ["FYI", "See below", "Thanks!"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_courtesy_word_above_an_attached_notice_is_no_note(
    tracker: Path, folder: Path, typed: str, layout: str
) -> None:
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    name, data = _forward_attaching(inner, layout, typed)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert len(got["problems"]) == 1


# A PDF attached beside what it forwards, said as esp says it of any message.
PDF_SAID = (
    "no text of its own, and TBT 5 cert.pdf attached: esp reads only a message's text; if the "
    "report is in the attachment, add it with esp note add"
)


def test_a_pdf_beside_a_notice_forwarded_inline_is_said(tracker: Path, folder: Path) -> None:
    """The words an attached notice's forward is held to (below)."""
    mail = _mail("FW: Your ticket", _notice("SPOC Team <spoc.team@x.com>", CLOSED))
    mail.add_attachment(
        b"%PDF-1.4\n", maintype="application", subtype="pdf", filename="TBT 5 cert.pdf"
    )
    (folder / "fw.eml").write_bytes(mail.as_bytes())
    got = run(tracker, folder)
    assert [p["problem"] for p in got["problems"]] == [
        f"{PDF_SAID}; nothing of her own is typed above the e-mail it forwards, one SPOC Team "
        f"(spoc.team@x.com) sent {NOTICE_SENT}: read as her report of the day; if more of hers "
        "is in that e-mail, add it with esp note add"
    ]


@pytest.mark.parametrize(
    ("more", "said"),
    [
        ((), "the e-mail it forwards attached, one SPOC Team (spoc.team@x.com) sent on "
         "11/24/2026: read as her report of the day; if more of hers is in that e-mail"),
        # A second notice is named too.
        ((("Learning Hub <noreply@learninghub.x.com>", "TBT 5 done", "Completed."),),
         "the e-mails it forwards attached, one SPOC Team (spoc.team@x.com) sent on 11/24/2026 "
         "and one Learning Hub (noreply@learninghub.x.com) sent on 11/24/2026: read as her "
         "report of the day; if more of hers is in those e-mails"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_pdf_beside_attached_notices_is_said_as_inline(
    tracker: Path, folder: Path, layout: str, more: tuple[tuple[str, str, str], ...], said: str
) -> None:
    """The attached notice is her report; the PDF beside it, which esp does not read, is
    said as beside a notice forwarded inline."""
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    others = [_message(*m) for m in more]
    name, data = _forward_attaching(inner, layout, "", *others, pdf=True)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in got["problems"]] == [
        f"{PDF_SAID}; nothing of her own is typed in it, only {said}, add it with esp note add"
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_pdf_beside_her_own_attached_report_is_said(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Her own report attached is the report; the PDF beside it is said, as beside a
    notice."""
    inner = _message(XAVIER, "ESP progress", "6/8 done", to=JORDAN)
    name, data = _forward_attaching(inner, layout, pdf=True)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - 6/8 done"]
    assert [p["problem"] for p in got["problems"]] == [PDF_SAID]


TRANSCRIPT = b"%PDF-1.4 transcript\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _own_report_with_transcript() -> EmailMessage:
    """Her report with text, and the transcript it covers attached to it."""
    inner = _message(XAVIER, "ESP progress", "8/8 TBTs done, call cert booked Friday.", to=JORDAN)
    inner.add_attachment(
        TRANSCRIPT, maintype="application", subtype="pdf", filename="transcript.pdf"
    )
    return inner


@pytest.mark.parametrize("pdf", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_files_inside_her_attached_report_are_not_said_beside_it(
    tracker: Path, folder: Path, layout: str, pdf: bool
) -> None:
    """Her report, read from its text, came with the transcript it covers: that file is
    inside the attached e-mail, not beside it, and is not said; a PDF of the forward's own,
    beside it, is said alone."""
    name, data = _forward_attaching(_own_report_with_transcript(), layout, pdf=pdf)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == [
        "11/24/2026 - Xavier Dunn - 8/8 TBTs done, call cert booked Friday."
    ]
    assert [p["problem"] for p in got["problems"]] == ([PDF_SAID] if pdf else [])


def _html_notice() -> EmailMessage:
    """A SPOC Team notice in HTML, its logo a picture of its text (cid:)."""
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    inner.add_alternative(f'<p>{CLOSED}</p><img src="cid:logo1">', subtype="html")
    html = inner.get_payload()[1]
    html.add_related(PNG, maintype="image", subtype="png", cid="<logo1>", filename="image001.png")
    return inner


NOTICE_SAID = (
    "nothing of her own is typed in it, only the e-mail it forwards attached, one SPOC Team "
    "(spoc.team@x.com) sent on 11/24/2026: read as her report of the day; if more of hers is in "
    "that e-mail, add it with esp note add"
)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_logo_of_an_attached_notice_is_not_said_beside_it(
    tracker: Path, folder: Path, layout: str
) -> None:
    name, data = _forward_attaching(_html_notice(), layout)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in got["problems"]] == [NOTICE_SAID]


def _with_hidden_logo(message: Any, referenced: bool, text: str) -> None:
    """An Outlook message's picture of its HTML (`text` its words), as Outlook keeps it: a
    hidden attachment (PidTagAttachmentHidden), or one its HTML names by its content id
    (PidTagAttachContentId)."""
    logo = message.add_attachment("image001.png", PNG, mime_type="image/png")
    logo.set_property(0x3712, 0x001F, "logo1@01DB")
    if referenced:
        html = f'<html><body><p>{text}</p><img src="cid:logo1@01DB"></body></html>'
        message.set_property(0x1013, 0x0102, html.encode())  # PidTagHtml
    else:
        logo.set_property(0x7FFE, 0x000B, True)


@pytest.mark.parametrize("referenced", [False, True])
@pytest.mark.parametrize("where", ["in the notice", "in the forward"])
def test_a_hidden_picture_of_an_outlook_message_is_no_file_beside_the_notice(
    tracker: Path, folder: Path, where: str, referenced: bool
) -> None:
    """The logo of the attached notice, or of the forward's own signature, is a picture of
    its text, not a file attached: not said, as in an .eml."""
    inner = MapiMessage.from_email_message(
        _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    )
    outer = MapiMessage.from_email_message(_mail("FW: Your ticket", ""))
    if where == "in the notice":
        _with_hidden_logo(inner, referenced, CLOSED)
    else:
        _with_hidden_logo(outer, referenced, "")
    outer.add_embedded_message_attachment(inner, filename="Your ticket")
    (folder / "fw.msg").write_bytes(outer.to_bytes())
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in got["problems"]] == [NOTICE_SAID]


PASTED_SAID = (
    "no text of its own, and {name} attached: esp reads only a message's text; if the report "
    "is in the attachment, add it with esp note add"
)


def _pasted(subject: str, layout: str, *, hidden: bool = True) -> tuple[str, bytes, str]:
    """Xavier's e-mail with nothing typed, only a picture pasted in it (a screenshot of his
    transcript): in Outlook a hidden attachment (or one not hidden) that its HTML shows by
    its content id; in an .eml a part its HTML shows by cid:, given as an attachment or
    inline."""
    if layout == "msg":
        message = MapiMessage.from_email_message(_mail(subject, ""))
        shot = message.add_attachment("image001.png", PNG, mime_type="image/png")
        shot.set_property(0x3712, 0x001F, "image001.png@01DB1234.5678")  # its content id
        if hidden:
            shot.set_property(0x7FFE, 0x000B, True)  # PidTagAttachmentHidden
        html = '<html><body><p><img src="cid:image001.png@01DB1234.5678"></p></body></html>'
        message.set_property(0x1013, 0x0102, html.encode())  # PidTagHtml
        return "p.msg", message.to_bytes(), "image001.png"
    mail = _mail(subject, "")
    mail.add_alternative('<p><img src="cid:shot1"></p>', subtype="html")
    mail.get_payload()[1].add_related(
        PNG, maintype="image", subtype="png", cid="<shot1>",
        filename="Screenshot 2026-11-24.png", disposition=layout.removeprefix("eml "),
    )  # fmt: skip
    return "p.eml", mail.as_bytes(), "Screenshot 2026-11-24.png"


PASTED = [("msg", True), ("msg", False), ("eml attachment", True), ("eml inline", True)]


@pytest.mark.parametrize("subject", ["TBT update", "FW: TBT update"])
@pytest.mark.parametrize(("layout", "hidden"), PASTED)
def test_a_picture_pasted_in_her_email_with_nothing_typed_is_said(
    tracker: Path, folder: Path, layout: str, hidden: bool, subject: str
) -> None:
    """Nothing typed, only a screenshot pasted (her transcript): her report may be in that
    picture, which esp does not read, and that is said, as of a file attached. So for a
    forward whose only content is that picture: no e-mail it forwards is read instead."""
    name, data, shown = _pasted(subject, layout, hidden=hidden)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - TBT update"]
    assert [p["problem"] for p in got["problems"]] == [PASTED_SAID.format(name=shown)]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_her_words_above_an_attached_notice_are_her_report_and_nothing_is_carried(
    tracker: Path, folder: Path, layout: str
) -> None:
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    name, data = _forward_attaching(inner, layout, "Citrix fixed, did 3 more today")
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == [
        "11/24/2026 - Xavier Dunn - Citrix fixed, did 3 more today"
    ]
    assert got["problems"] == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_team_mailboxs_message_to_another_agent_attached_is_still_another_persons(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Sent to another agent, not to her: as inline, no notice of hers."""
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED, to=REBECCA)
    name, data = _forward_attaching(inner, layout)
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        "carries a report SPOC Team (spoc.team@x.com) sent on 11/24/2026"
    ), reason


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_colleagues_report_sent_to_her_attached_is_still_the_colleagues(
    tracker: Path, folder: Path, layout: str
) -> None:
    inner = _message("Kayla Brook <kayla.brook@x.com>", "ESP progress", "6/8 done")
    name, data = _forward_attaching(inner, layout)
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        "carries a report Kayla Brook (kayla.brook@x.com) sent on 11/24/2026"
    ), reason


@pytest.mark.parametrize("layout", LAYOUTS)
def test_her_own_report_from_her_personal_address_attached_is_hers(
    tracker: Path, folder: Path, layout: str
) -> None:
    inner = _message("Xavier Dunn <xdunn1990@gmail.com>", "ESP progress", "6/8 done", to=JORDAN)
    name, data = _forward_attaching(inner, layout)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert got["unmatched"] == [] and got["problems"] == []
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - 6/8 done"]


# ------------------------------------------------------- a reply quoting a notice, said so


@pytest.mark.parametrize(
    ("sender", "shown"),
    [
        ("Learning Hub <noreply@learninghub.x.com>", "Learning Hub (noreply@learninghub.x.com)"),
        ("SPOC Team <spoc.team@helpdesk-partner.com>",
         "SPOC Team (spoc.team@helpdesk-partner.com)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_reply_with_nothing_typed_quoting_a_notice_says_it_answers_it(
    tracker: Path, folder: Path, sender: str, shown: str, as_msg: bool
) -> None:
    quoted = _notice(sender, "Your Citrix access is restored. Ticket INC-12 closed.")
    data = _import(tracker, folder, _mail("RE: Your ticket", quoted), as_msg=as_msg)
    assert [i["note"] for i in data["imported"]] == [f"11/24/2026 - Xavier Dunn - {NOTHING}"]
    assert [p["problem"] for p in data["problems"]] == [
        f"nothing of her own is typed above the e-mail it answers, one {shown} sent "
        f"{NOTICE_SENT}: read as her report of the day; if she answered inside it, add the "
        "report with esp note add"
    ]


# ------------------------------------------------------------- the reader without a tracker


def test_without_the_trackers_agents_the_reader_tells_by_the_domain() -> None:
    """Read with no tracker, an outside address sent to her is a notice, as before; a
    personal mailbox's sent to another (the coordinator, no agent) is not."""
    from esp_cli.core.reports import KnownAgents
    from esp_cli.mail.inbox import read_mail

    to_her = _mail("FW: ESP progress", _outlook(KAYLA_AT_HOME, to=XAVIER))
    alone = read_mail(to_her.as_bytes(), "mail.eml")
    assert alone.refused == "" and alone.warning.startswith("nothing of her own is typed")
    mail = _mail("FW: ESP progress", _outlook(KAYLA_AT_HOME))
    elsewhere = read_mail(mail.as_bytes(), "mail.eml")
    assert "addressed to Jordan Reyes (jordan.reyes@x.com), not to Xavier Dunn" in (
        elsewhere.refused
    ), elsewhere
    known = KnownAgents.of([("Brook, Kayla", "kayla.brook@x.com"), ("Xavier Dunn", "")])
    told = read_mail(mail.as_bytes(), "mail.eml", agents=known)
    assert told.refused.startswith("a forward by Xavier Dunn with nothing typed in it")


@pytest.mark.parametrize("to", [(), (("Support", "support@vendor.example"),)])
def test_with_her_own_address_unknown_an_outside_sender_is_no_notice(
    to: tuple[tuple[str, str], ...],
) -> None:
    """An Exchange sender whose .msg keeps no SMTP address: her domain unknown, the quoted
    sender may be of her own company, whatever the domain of the one she writes to."""
    from esp_cli.mail.selfreports import ANOTHERS, Quoted, whose_quote

    quoted = Quoted(("Cathy Grimonet", "commercial@arcenciel.example"), "", "", separated=True)
    assert whose_quote(quoted, ("Myriam Vareme", ""), to, forward=True) == ANOTHERS


def test_her_own_address_unknown_the_trackers_address_for_her_tells_a_notice() -> None:
    """An Exchange sender whose .msg keeps no SMTP address, whom the tracker's one agent of
    her name gives an address: her domain is that address's."""
    from esp_cli.core.reports import KnownAgents
    from esp_cli.mail.selfreports import ANOTHERS, NOTICE, Quoted, whose_quote

    quoted = Quoted(("Cornerstone LMS", "lms@csod.com"), "", "", separated=True)
    jordan = (("Reyes, Jordan", "jordan.reyes@x.com"),)
    known = KnownAgents.of([("Xavier Dunn", "xavier.dunn@x.com"), ("Rebecca Stone", "")])
    assert whose_quote(quoted, ("Dunn, Xavier", ""), jordan, known, forward=True) == NOTICE
    # No address in the tracker, or two agents of her name: her domain stays unknown.
    unknown = KnownAgents.of([("Xavier Dunn", "")])
    assert whose_quote(quoted, ("Xavier Dunn", ""), jordan, unknown, forward=True) == ANOTHERS
    two = KnownAgents.of([("Xavier Dunn", "xavier.dunn@x.com"), ("Xavier Dunn", "xd@y.com")])
    assert whose_quote(quoted, ("Xavier Dunn", ""), jordan, two, forward=True) == ANOTHERS


def test_an_exchange_senders_forward_of_an_outside_notice_is_hers_by_the_trackers_address(
    tmp_path: Path, folder: Path
) -> None:
    """Xavier's .msg keeps only his X.500 address; the tracker gives him his SMTP one: the
    LMS's notice sent to him, forwarded with nothing typed, is his report of the day."""
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", COLLEAGUES)
    block = (
        "\n\n________________________________\nFrom: Cornerstone LMS <lms@csod.com>\n"
        f"Sent: {NOTICE_SENT}\nTo: Dunn, Xavier\nSubject: Your ticket\n\n{CLOSED}\n"
    )
    fw = MapiMessage.from_email_message(_mail("FW: Your ticket", block))
    dn = "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc-dunn"
    for name, kind, address in ((0x0C1A, 0x0C1E, 0x0C1F), (0x0042, 0x0064, 0x0065)):
        fw.set_property(name, 0x001F, "Xavier Dunn")  # PidTagSenderName, SentRepresenting
        fw.set_property(kind, 0x001F, "EX")
        fw.set_property(address, 0x001F, dn)
    for smtp in (0x5D01, 0x5D02):
        fw.set_property(smtp, 0x001F, "")
    (folder / "fw.msg").write_bytes(fw.to_bytes())
    got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


def test_her_own_report_from_her_personal_address_forwarded_from_work_is_hers(
    tmp_path: Path, folder: Path
) -> None:
    """Her two addresses under two names, one agent of the tracker (by her work address in
    the Email column, and by her name): her own earlier e-mail, no colleague's."""
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", COLLEAGUES)
    mail = _mail("FW: ESP progress", _outlook("Xavier Dunn <xdunn1990@gmail.com>"))
    mail.replace_header("From", "X. Dunn <xavier.dunn@x.com>")
    reason = _refused(_import(tracker, folder, mail))
    assert reason.startswith("a forward of X. Dunn's own earlier e-mail"), reason


# --------------------------------- a person's message sent to her is no notice (not hers)

SME = "Maria Lopez <maria.lopez@x.com>"
REMINDER = "Please send your ESP update before you log off today."


def _sent_to_her(sender: str, text: str, to: str = XAVIER, subject: str = "ESP update") -> str:
    """A message `sender` sent her, as Outlook quotes it under its separator."""
    return (
        f"\n\n-----Original Message-----\nFrom: {sender}\nSent: {SENT}\nTo: {to}\n"
        f"Subject: {subject}\n\n{text}\n"
    )


@pytest.mark.parametrize(
    ("body", "to", "shown"),
    [
        # The coordinator's reminder to her, forwarded to her SME.
        (_sent_to_her(JORDAN, REMINDER), SME, "Jordan Reyes (jordan.reyes@x.com)"),
        # The same in Exchange's style (names only), a cover line only.
        ("FYI" + _sent_to_her("Reyes, Jordan", REMINDER, to="Dunn, Xavier; Stone, Rebecca"),
         SME, "Jordan Reyes"),
        # Her SME's instruction, forwarded to the coordinator.
        (_sent_to_her(SME, "Please finish TBT 5 today or coaching tomorrow."), JORDAN,
         "Maria Lopez (maria.lopez@x.com)"),
        # A colleague's report, sent to her, under a name the tracker does not spell so.
        (_sent_to_her("Kayla M Brook <kmbrook@x.com>", REPORT), JORDAN,
         "Kayla M Brook (kmbrook@x.com)"),
        # A person whose display name carries her department: a person's still.
        (_sent_to_her("Maria Lopez - Training <maria.lopez@x.com>", "Finish TBT 5 today."),
         JORDAN, "Maria Lopez - Training (maria.lopez@x.com)"),
        (_sent_to_her("Jordan Reyes - Training Team <jordan.reyes@x.com>", REMINDER),
         SME, "Jordan Reyes - Training Team (jordan.reyes@x.com)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_persons_message_sent_to_her_forwarded_is_not_her_report(
    tracker: Path, folder: Path, body: str, to: str, shown: str, as_msg: bool
) -> None:
    """Someone at her company who is no agent and reads as a person wrote it: another
    person's message, as any colleague's, never her self-report."""
    data = _import(tracker, folder, _mail("FW: ESP update", body, to=to), as_msg=as_msg)
    reason = _refused(data)
    assert reason.startswith(
        f"a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        f"quotes a report {shown} sent {SENT}"
    ), reason


@pytest.mark.parametrize(
    ("sender", "shown"),
    [
        ("IT Service Desk <servicedesk@x.com>", "IT Service Desk (servicedesk@x.com)"),
        ("Notifications <alerts@x.com>", "Notifications (alerts@x.com)"),
        ("SPOC Team", "SPOC Team"),
    ],
)
def test_a_team_mailbox_at_the_agents_domain_is_still_a_notice(
    tracker: Path, folder: Path, sender: str, shown: str
) -> None:
    quoted = _notice(sender, "Your Citrix access is restored. Ticket INC-12 closed.")
    data = _import(tracker, folder, _mail("FW: Your ticket", quoted))
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in data["problems"]] == [
        f"nothing of her own is typed above the e-mail it forwards, one {shown} sent "
        f"{NOTICE_SENT}: read as her report of the day; if more of hers is in that e-mail, add "
        "it with esp note add"
    ]


# ------------------- a reply to the one she writes to, whose name an agent of the tracker has


def _with(tmp_path: Path, *extra: dict[str, Any], email: bool = True) -> Path:
    keys = [k for k in factories.TRACKER_KEYS if email or k != "email"]
    return factories.tracker(
        tmp_path / "ESP Tracker.xlsx", [*COLLEAGUES, *extra], headers=factories.headers(*keys)
    )


@pytest.mark.parametrize(
    ("row", "sender", "text"),
    [
        # The coordinator, once an agent: her old class is still in the tracker.
        ({"Class": "AET-0", "Agent Name": "Reyes, Jordan", "Email": "jordan.reyes@x.com"},
         JORDAN, REMINDER),
        # The SME shares her name with an agent of another class.
        ({"Class": "AET-0", "Agent Name": "Lopez, Maria", "Email": "maria.lopez2@x.com"},
         SME, "What is your status today?"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_reply_with_nothing_typed_to_the_one_she_answers_is_hers_whatever_her_name(
    tmp_path: Path, folder: Path, row: dict[str, Any], sender: str, text: str, as_msg: bool
) -> None:
    tracker = _with(tmp_path, row)
    mail = _mail("RE: ESP update", _sent_to_her(sender, text), to=sender)
    data = _import(tracker, folder, mail, as_msg=as_msg)
    assert data["unmatched"] == []
    assert [i["note"] for i in data["imported"]] == [f"11/24/2026 - Xavier Dunn - {NOTHING}"]
    name = sender.split(" <")[0]
    assert [p["problem"] for p in data["problems"]] == [
        f"nothing is typed above the e-mail it answers, the one {name} sent {SENT}: if Xavier "
        "Dunn answered inside it, add the report with esp note add"
    ]


def test_an_address_at_the_agents_domain_no_agent_has_outranks_a_namesake(
    tmp_path: Path, folder: Path
) -> None:
    """The SME (maria.lopez@) quoted in a reply to the coordinator: no report of the agent
    Maria Lopez (maria.lopez2@), so the reply is hers with nothing typed, as any such."""
    tracker = _with(
        tmp_path, {"Class": "AET-0", "Agent Name": "Lopez, Maria", "Email": "maria.lopez2@x.com"}
    )
    mail = _mail("RE: status?", _sent_to_her(SME, "What is your status today?"))
    data = _import(tracker, folder, mail)
    assert [i["note"] for i in data["imported"]] == [f"11/24/2026 - Xavier Dunn - {NOTHING}"]
    assert [p["problem"] for p in data["problems"]] == [
        f"nothing is typed above the e-mail it quotes, one Maria Lopez (maria.lopez@x.com) sent "
        f"{SENT}: if that is Maria Lopez's report, import that person's own e-mail; if Xavier "
        "Dunn answered inside it, add the report with esp note add"
    ]


# ----------------------------------- a colleague the tracker spells otherwise, from Gmail


@pytest.mark.parametrize(
    ("row", "sender", "closest"),
    [
        (("Brook, Kayla Marie", "kayla.brook@x.com"), KAYLA_AT_HOME, "Kayla Marie Brook"),
        (("Brook, Kayla", "kayla.brook@x.com"), "Kayla M. Brook <kayla.brook77@gmail.com>",
         "Kayla Brook"),
        (("Zoë Adams", "zoe.adams@x.com"), "Zoe Adams <zoe.adams77@gmail.com>", "Zoë Adams"),
        (("Kayla Brook (LOA)", "kayla.brook@x.com"), KAYLA_AT_HOME, "Kayla Brook (LOA)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("reply", [False, True])
def test_a_near_match_to_an_agent_is_refused_naming_the_closest(
    tmp_path: Path, folder: Path, row: tuple[str, str], sender: str, closest: str, reply: bool
) -> None:
    """Not a notice credited to Xavier: perhaps that agent's report, which a person tells."""
    name, email = row
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [*AGENTS, {"Class": "AET-1", "Agent Name": name, "Email": email}],
    )
    subject = "RE: ESP progress" if reply else "FW: ESP progress"
    reason = _refused(_import(tracker, folder, _mail(subject, _outlook(sender))))
    shown, address = sender.removesuffix(">").split(" <")
    assert f"a report {shown} ({address}) sent {SENT}, perhaps an agent's (closest: {closest})" in (
        reason
    ), reason


@pytest.mark.parametrize(
    "email",
    [
        "kayla.brook@x.com; kayla.brook77@gmail.com",
        "kayla.brook@x.com, kayla.brook77@gmail.com",
        "Kayla Brook <kayla.brook77@gmail.com>",
        "mailto:kayla.brook77@gmail.com",
    ],
)
def test_an_email_cell_with_several_addresses_or_a_name_knows_each(
    tmp_path: Path, folder: Path, email: str
) -> None:
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [*AGENTS, {"Class": "AET-1", "Agent Name": "Brook, Kayla", "Email": email}],
    )
    mail = _mail("FW: ESP progress", _outlook("KB <kayla.brook77@gmail.com>"))
    reason = _refused(_import(tracker, folder, mail))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        f"quotes a report KB (kayla.brook77@gmail.com) sent {SENT};"
    ), reason


# ------------------------------------------------ her own report, attached from elsewhere


def test_her_report_attached_from_her_personal_address_the_tracker_knows_is_hers(
    tmp_path: Path, folder: Path
) -> None:
    """Her Email cell holds her personal address; she forwards from it, as an attachment,
    the report she sent from work: her own report, by the tracker."""
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [*AGENTS, {"Class": "AET-1", "Agent Name": "Brook, Kayla", "Email": "kb77@gmail.com"}],
    )
    inner = EmailMessage()
    inner["From"] = "Brook, Kayla <kayla.brook@x.com>"
    inner["To"] = JORDAN
    inner["Subject"] = "ESP progress"
    inner["Date"] = "Mon, 23 Nov 2026 22:00:00 +0000"
    inner.set_content(REPORT)
    outer = EmailMessage()
    outer["From"] = "KB <kb77@gmail.com>"
    outer["To"] = JORDAN
    outer["Subject"] = "FW: ESP progress"
    outer["Date"] = FORWARDED
    outer.set_content("")
    outer.add_attachment(inner)
    (folder / "mail.eml").write_bytes(outer.as_bytes())
    data = run(tracker, folder)
    assert data["unmatched"] == []
    assert [i["note"] for i in data["imported"]] == [f"11/23/2026 - Kayla Brook - {REPORT}"]


# ------------------------------- no near match for the client's people nor her own address


@pytest.mark.parametrize(
    "sender",
    [
        # A client's analyst whose name is near an agent's (Kevin Tan), or a first name alone.
        "Kevin Tran <kevin.tran@aetna.com>",
        "Kevin <kevin.tran@aetna.com>",
    ],
)
def test_a_client_persons_notice_near_an_agents_name_is_still_her_report(
    tmp_path: Path, folder: Path, sender: str
) -> None:
    """Only a personal mailbox (gmail.com…) may be a colleague the tracker spells otherwise:
    the client's people write from the client's domain, and their notices forwarded with
    nothing typed are her report of the day, as before."""
    tracker = _with(
        tmp_path,
        {"Class": "AET-0", "Agent Name": "Tan, Kevin", "Email": "kevin.tan@x.com"},
        {"Class": "AET-0", "Agent Name": "Kevin Ortiz", "Email": "kevin.ortiz@x.com"},
    )
    quoted = _notice(sender, "Your Citrix access is restored. Ticket INC-12 closed.")
    data = _import(tracker, folder, _mail("FW: Your ticket", "FYI" + quoted))
    assert data["unmatched"] == [], data["unmatched"]
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


def test_her_own_report_from_her_personal_address_under_a_middle_initial_is_hers(
    tmp_path: Path, folder: Path
) -> None:
    """Xavier forwards his own report sent from his Gmail as 'Xavier J. Dunn': the closest
    agent is himself, so it is no colleague's; imported for him as before."""
    tracker = _with(tmp_path)
    mail = _mail("FW: ESP progress", _outlook("Xavier J. Dunn <xjdunn@gmail.com>"))
    data = _import(tracker, folder, mail)
    assert data["unmatched"] == [], data["unmatched"]
    assert [i["agent"] for i in data["imported"]] == ["Xavier Dunn"], data["imported"]


@pytest.mark.parametrize(
    "sender",
    [
        "MARIA LOPEZ (HR) <maria.lopez@x.com>",
        "LOPEZ, MARIA - TRAINING <maria.lopez@x.com>",
        "AMY LI - IT SUPPORT <amy.li@x.com>",
    ],
)
def test_a_persons_name_in_capitals_is_no_mailbox(tracker: Path, folder: Path, sender: str) -> None:
    """A company directory shows people's names in capitals: a message such a person sent
    her, forwarded with nothing typed, is another person's, never her self-report."""
    data = _import(tracker, folder, _mail("FW: TBT 5", _sent_to_her(sender, "Finish TBT 5.")))
    assert _refused(data).startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report"
    ), data


# ------------------------- a notice sent to someone else is no report of hers, however sent

REBECCA = "Rebecca Stone <rebecca.stone@x.com>"
TO_REBECCA = (
    "addressed to Rebecca Stone (rebecca.stone@x.com), another agent of the tracker, not to Xavier "
    "Dunn"
)

# Every kind of sender a notice comes from, sent to someone else: (sender, To, shown, said).
SENT_ELSEWHERE = [
    ("Learning Hub <noreply@learninghub.x.com>", REBECCA,
     "Learning Hub (noreply@learninghub.x.com)", TO_REBECCA),  # a no-reply mailbox
    ("Dana Whitfield <dana.whitfield@aetna.com>", REBECCA,
     "Dana Whitfield (dana.whitfield@aetna.com)", TO_REBECCA),  # a client's person
    ("RS <rstone.home@gmail.com>", REBECCA, "RS (rstone.home@gmail.com)",
     TO_REBECCA),  # a colleague's personal address
    ("SPOC Team <spoc.team@x.com>", REBECCA, "SPOC Team (spoc.team@x.com)",
     TO_REBECCA),  # a team mailbox at the agents' own domain
]  # fmt: skip


@pytest.mark.parametrize(("sender", "to", "shown", "said"), SENT_ELSEWHERE)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_attached_email_sent_to_someone_else_is_refused_naming_to_whom(
    tracker: Path, folder: Path, sender: str, to: str, shown: str, said: str, layout: str
) -> None:
    """Its own To names someone else, not her: never her report of the day."""
    name, data = _forward_attaching(_message(sender, "Your ticket", CLOSED, to=to), layout)
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        f"carries a report {shown} sent on 11/24/2026, {said}, in an attached e-mail"
    ), reason


@pytest.mark.parametrize(("sender", "to", "shown", "said"), SENT_ELSEWHERE)
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_quoted_email_sent_to_someone_else_is_refused_naming_to_whom(
    tracker: Path, folder: Path, sender: str, to: str, shown: str, said: str, as_msg: bool
) -> None:
    """Forwarded inline, the same: its header block's To names someone else."""
    quoted = _notice(sender, CLOSED, to)
    reason = _refused(_import(tracker, folder, _mail("FW: Your ticket", quoted), as_msg=as_msg))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        f"quotes a report {shown} sent {NOTICE_SENT}, {said}"
    ), reason


# A person's own mailbox (gmail.com…) is no notice service: what it sends to someone else
# than her (the coordinator, no agent) is that person's, never a notice to her.
PERSONAL_TO_ANOTHER = "RS <rstone.home@gmail.com>"


@pytest.mark.parametrize("layout", [*LAYOUTS, "inline", "inline-msg"])
def test_a_personal_mailboxs_email_to_someone_else_than_her_is_never_her_notice(
    tracker: Path, folder: Path, layout: str
) -> None:
    """A colleague's report from her personal Gmail (a name no agent has) to the
    coordinator, forwarded by Xavier with nothing typed: not Xavier's report."""
    if layout.startswith("inline"):
        quoted = _notice(PERSONAL_TO_ANOTHER, CLOSED, JORDAN)
        data = _import(
            tracker, folder, _mail("FW: Your ticket", quoted), as_msg=layout == "inline-msg"
        )
    else:
        message = _message(PERSONAL_TO_ANOTHER, "Your ticket", CLOSED, to=JORDAN)
        name, raw = _forward_attaching(message, layout)
        (folder / name).write_bytes(raw)
        data = run(tracker, folder)
    assert data["imported"] == [], data["imported"]
    reason = _refused(data)
    assert "RS (rstone.home@gmail.com)" in reason and "addressed to Jordan Reyes" in reason, reason


@pytest.mark.parametrize(
    ("to", "cc"),
    [
        (XAVIER, ""),
        ("Dunn, Xavier", ""),  # her name alone, as Exchange shows it
        ("ESP Agents <esp.agents@x.com>", XAVIER),  # a list, she copied
        ("", ""),  # no one named (she was sent a blind copy): as before
    ],
)
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_quoted_notice_to_her_or_to_no_one_named_is_still_hers(
    tracker: Path, folder: Path, to: str, cc: str, as_msg: bool
) -> None:
    block = (
        f"\n\n________________________________\nFrom: Learning Hub <noreply@learninghub.x.com>\n"
        f"Sent: {NOTICE_SENT}\n"
        + (f"To: {to}\n" if to else "")
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: Your ticket\n\n{CLOSED}\n"
    )
    data = _import(tracker, folder, _mail("FW: Your ticket", block), as_msg=as_msg)
    assert data["unmatched"] == [], data["unmatched"]
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_attached_notice_to_undisclosed_recipients_is_as_one_with_no_to(
    tracker: Path, folder: Path, layout: str
) -> None:
    """A group with no members (`undisclosed-recipients:;`) names no one: a blind copy."""
    inner = _message(
        "Learning Hub <noreply@learninghub.x.com>", "Your ticket", CLOSED,
        to="undisclosed-recipients:;",
    )  # fmt: skip
    name, data = _forward_attaching(inner, layout)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


# -------------------------------------------- an automatic e-mail attached is no report


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("Learning Hub <noreply@learninghub.x.com>", "You completed TBT 5"),
        ("Dana Whitfield <dana.whitfield@aetna.com>", "Out of office until 11/30"),
        ("Mail Delivery System <MAILER-DAEMON@mx.aetna.com>", "Message not delivered: ESP"),
        ("Dana Whitfield <dana.whitfield@aetna.com>", "開封済み: ESP progress"),
        ("Microsoft Teams <noreply@email.teams.microsoft.com>", "You have been mentioned"),
    ],
)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_automatic_email_forwarded_as_an_attachment_is_refused(
    tracker: Path, folder: Path, sender: str, subject: str, layout: str
) -> None:
    """Auto-Submitted: auto-generated, whatever it is (a Learning Hub notice, an automatic
    reply, a bounce, a read receipt): an e-mail esp cannot read as anyone's report."""
    inner = _message(sender, subject, "Automatic.")
    inner["Auto-Submitted"] = "auto-generated"
    name, data = _forward_attaching(inner, layout)
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert "whose attached e-mail esp cannot read" in reason, reason
    assert "automatic reply (Auto-Submitted: auto-generated)" in reason, reason


# ------------------------------------- a courtesy word reads the same inline and attached


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("FYI 👍", "Your ticket"),
        ("FYI!!", "Your ticket"),
        ("fyi - see below", "Your ticket"),
        ("See below. Thanks!", "Your ticket"),
        ("FYI\n\nSent from my iPhone", "Your ticket"),
        ("FYI - did 3 today", "FYI - did 3 today"),
        ("FYI ticket closed", "FYI ticket closed"),
    ],
)
@pytest.mark.parametrize("how", ["inline", "eml", "msg", "saved msg"])
def test_a_courtesy_word_reads_the_same_inline_and_attached(
    tracker: Path, folder: Path, typed: str, note: str, how: str
) -> None:
    inner = _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED)
    if how == "inline":
        mail = _mail("FW: Your ticket", typed + _notice("SPOC Team <spoc.team@x.com>", CLOSED))
        name, data = "fw.eml", mail.as_bytes()
    else:
        name, data = _forward_attaching(inner, how, typed)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == [f"11/24/2026 - Xavier Dunn - {note}"]


# --------------------------------- a To or Cc the email package cannot parse stops nothing

DAMAGED = [
    "Undisclosed recipients:; <rebecca.stone@x.com>",
    "ESP: Jordan Reyes <jordan.reyes@x.com>; Rebecca Stone <rebecca.stone@x.com>",
    "AET-1 Agents:; Rebecca Stone <rebecca.stone@x.com>",
    'Z.:[@"@',
    "<[,:<[>>[[;=Z)",
]


def _raw(sender: str, header: str, value: str, text: str) -> bytes:
    return (
        f"From: {sender}\r\n{header}: {value}\r\nSubject: ESP progress\r\n"
        f"Date: {FORWARDED}\r\n\r\n{text}\r\n"
    ).encode()


@pytest.mark.parametrize("value", DAMAGED)
@pytest.mark.parametrize("header", ["To", "Cc"])
def test_a_to_or_cc_the_parser_chokes_on_never_stops_the_import(
    tracker: Path, folder: Path, header: str, value: str
) -> None:
    """Python's header parser raises on these (AttributeError…): esp reads them as written
    and imports every report of the folder."""
    (folder / "a.eml").write_bytes(_raw(XAVIER, header, value, "6/8 TBTs done"))
    (folder / "b.eml").write_bytes(_raw(REBECCA, "To", JORDAN, "5/8 TBTs done"))
    got = run(tracker, folder)
    assert sorted(i["note"] for i in got["imported"]) == [
        "11/24/2026 - Rebecca Stone - 5/8 TBTs done",
        "11/24/2026 - Xavier Dunn - 6/8 TBTs done",
    ]


@pytest.mark.parametrize(
    ("value", "hers"),
    [
        ("undisclosed-recipients:; Xavier Dunn <xavier.dunn@x.com>", True),
        ("ESP: Rebecca Stone <rebecca.stone@x.com>; Xavier Dunn <xavier.dunn@x.com>", True),
        ("Undisclosed recipients:; Rebecca Stone <rebecca.stone@x.com>", False),
        ('Z.:[@"@', True),  # no one read in it: as a blind copy
    ],
)
@pytest.mark.parametrize("header", ["To", "Cc"])
def test_an_attached_notice_with_a_to_the_parser_chokes_on_is_read(
    tracker: Path, folder: Path, header: str, value: str, hers: bool
) -> None:
    notice = _raw("Learning Hub <noreply@learninghub.x.com>", header, value, "Done.")
    inner = email.message_from_bytes(notice, policy=email.policy.default)
    fw = _mail("FW: ESP progress", "")
    fw.add_attachment(inner)
    (folder / "fw.eml").write_bytes(fw.as_bytes())
    got = run(tracker, folder)
    if hers:
        assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - ESP progress"]
    else:
        assert "addressed to Rebecca Stone (rebecca.stone@x.com)" in _refused(got)


def test_an_address_header_is_read_as_written() -> None:
    from esp_cli.mail.selfreports import address_header, read_message

    msg = read_message(
        b'From: a@x.com\r\nTo: Jordan Reyes <j@x.com>; "Stone, Rebecca" <r@x.com>\r\n'
        b"To: Dunn, Xavier <x@x.com>, undisclosed-recipients:;\r\n"
        b"Cc: =?utf-8?b?QnJvb2ssIEtheWxh?= <k@x.com>\r\nCc: ESP Agents:;\r\n\r\nx\r\n"
    )
    assert address_header(msg, "to") == (
        ("Jordan Reyes", "j@x.com"), ("Stone, Rebecca", "r@x.com"), ("Dunn, Xavier", "x@x.com")
    )  # fmt: skip
    assert address_header(msg, "cc") == (("Brook, Kayla", "k@x.com"),)


# ---------------------------- an attached .msg's recipients read from its recipient table


@pytest.mark.parametrize(
    ("to", "shown_to"),
    [
        ('"Dunn, Xavier J." <xavier.dunn@x.com>', "Dunn, Xavier J."),  # a middle initial
        ("xavier.dunn@x.com", "'xavier.dunn@x.com'"),  # Outlook's one-off recipient
        ('"Dunn, Xavier" <xavier.dunn@x.com>', ""),  # no display To at all
        ('ESP Agents <agents@x.com>, "Dunn, X" <xavier.dunn@x.com>', "ESP Agents; Dunn, X"),
    ],
)
def test_an_attached_msgs_recipients_are_read_by_their_addresses(
    tracker: Path, folder: Path, to: str, shown_to: str
) -> None:
    """Outlook's display To holds names only, as its directory spells them: the recipient
    table's SMTP addresses say it was sent to her."""
    fw = _mail("FW: Your ticket", "")
    outer = MapiMessage.from_email_message(fw)
    inner = MapiMessage.from_email_message(
        _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED, to=to)
    )
    inner.set_property(0x0E04, 0x001F, shown_to)
    outer.add_embedded_message_attachment(inner, filename="Your ticket")
    (folder / "fw.msg").write_bytes(outer.to_bytes())
    got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


EX_STONE = "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc-stone"
REBECCA_ROW = ("Stone, Rebecca", "SMTP", "rebecca.stone@x.com", "rebecca.stone@x.com")


@pytest.mark.parametrize(
    "rows",
    [
        # A resend: the To row's type carries a flag beside To (MS-OXOMSG), either one.
        [(0x10000001, *REBECCA_ROW)],
        [(0x80000001 - (1 << 32), *REBECCA_ROW)],
        [(0x80000002 - (1 << 32), *REBECCA_ROW)],
        # Rows no one can be told by (no name, an Exchange X.500 address alone): the display
        # To says who.
        [(1, "", "EX", EX_STONE, None)],
        # A blind copy alone in the table (the sender's own copy): the display To says who.
        [(3, "Dunn, Xavier", "SMTP", "xavier.dunn@x.com", "xavier.dunn@x.com")],
    ],
)
@pytest.mark.parametrize("layout", ["msg", "saved msg"])
def test_a_colleagues_notice_is_never_hers_whatever_its_recipient_table_holds(
    tracker: Path,
    folder: Path,
    rows: list[tuple[int, str, str, str, str | None]],
    layout: str,
) -> None:
    """Rebecca's notice, forwarded by Xavier with nothing typed: its recipient table, odd
    as a resend or another program writes it, still says it was sent to her, else its
    display To does."""
    name, data = _forward_with_rows(rows, "Stone, Rebecca", layout)
    (folder / name).write_bytes(data)
    reason = _refused(run(tracker, folder))
    assert "addressed to Rebecca Stone" in reason, reason
    assert "another agent of the tracker, not to Xavier Dunn" in reason, reason


@pytest.mark.parametrize("layout", ["msg", "saved msg"])
def test_a_row_no_one_can_be_told_by_is_read_from_the_display_to(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Rebecca's row has her address, Xavier's an X.500 address alone: the display To,
    which names him too, says the notice was sent to him as well."""
    rows = [(1, *REBECCA_ROW), (1, "", "EX", EX_STONE.replace("stone", "dunn"), None)]
    name, data = _forward_with_rows(rows, "Stone, Rebecca; Dunn, Xavier", layout)
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


def _forward_with_rows(
    rows: list[tuple[int, str, str, str, str | None]], shown_to: str, layout: str
) -> tuple[str, bytes]:
    """Xavier's forward, nothing typed, of a SPOC Team notice whose recipient table holds
    `rows` (type, name, address type, address, SMTP address) and whose display To is
    `shown_to`: embedded in his .msg, or attached to his .eml as a saved .msg."""
    from aspose.email_foss.msg import MapiRecipient

    inner = MapiMessage.from_email_message(
        _message("SPOC Team <spoc.team@x.com>", "Your ticket", CLOSED, to=REBECCA)
    )
    inner.recipients.clear()
    for kind, name, addrtype, address, smtp in rows:
        row = MapiRecipient(
            display_name=name, email_address=address, recipient_type=kind, address_type=addrtype
        )
        if smtp is not None:
            row.set_property(0x39FE, 0x001F, smtp)  # PidTagSmtpAddress
        inner.recipients.append(row)
    inner.preserve_declared_header_counts = False
    inner.set_property(0x0E04, 0x001F, shown_to)  # PidTagDisplayTo
    fw = _mail("FW: Your ticket", "")
    if layout == "msg":
        outer = MapiMessage.from_email_message(fw)
        outer.add_embedded_message_attachment(inner, filename="Your ticket")
        return "fw.msg", outer.to_bytes()
    fw.add_attachment(
        inner.to_bytes(), maintype="application", subtype="vnd.ms-outlook", filename="notice.msg"
    )
    return "fw.eml", fw.as_bytes()


# ------------------- a notice is another's only when its To or Cc names another agent

NOTICE_SENDERS = [
    "Learning Hub <noreply@learninghub.x.com>",  # a no-reply mailbox
    "SPOC Team <spoc.team@x.com>",  # a team mailbox at the agents' own domain
    "Dana Whitfield <dana.whitfield@aetna.com>",  # a client's person
]
# A To naming no agent of the tracker: a class list, her personal address the tracker does
# not know, a person no agent is, a blind copy written as a group or not written at all.
NO_AGENT_NAMED = [
    "AET-1 Agents <aet1@x.com>",
    "xd.home88@gmail.com",
    JORDAN,
    "undisclosed-recipients:;",
    "",
]


def _raw_notice(sender: str, to: str, cc: str = "") -> bytes:
    """A notice as its mailer writes it, its To and Cc as given (none when '')."""
    return (
        f"From: {sender}\r\n"
        + (f"To: {to}\r\n" if to else "")
        + (f"Cc: {cc}\r\n" if cc else "")
        + f"Subject: Your ticket\r\nDate: {NOTICE_DATE}\r\n\r\n{CLOSED}\r\n"
    ).encode()


def _attaching_raw(inner: bytes, layout: str) -> tuple[str, bytes]:
    msg = email.message_from_bytes(inner, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return _forward_attaching(msg, layout)


@pytest.mark.parametrize("to", NO_AGENT_NAMED)
@pytest.mark.parametrize("sender", NOTICE_SENDERS)
@pytest.mark.parametrize("how", ["inline", "inline msg", *LAYOUTS])
def test_a_notice_whose_to_names_no_agent_is_her_report(
    tracker: Path, folder: Path, sender: str, to: str, how: str
) -> None:
    """Only another agent named makes a notice someone else's: one sent to a list, to an
    address of hers the tracker does not know, to a person no agent is, or as a blind copy
    is her notice, inline and attached alike."""
    if how.startswith("inline"):
        block = (
            f"\n\n________________________________\nFrom: {sender}\nSent: {NOTICE_SENT}\n"
            + (f"To: {to}\n" if to else "")
            + f"Subject: Your ticket\n\n{CLOSED}\n"
        )
        got = _import(tracker, folder, _mail("FW: Your ticket", block), as_msg=how != "inline")
    else:
        name, data = _attaching_raw(_raw_notice(sender, to), how)
        (folder / name).write_bytes(data)
        got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    assert [p["problem"] for p in got["problems"]][0].startswith("nothing of her own is typed")


def test_without_the_tracker_a_notice_is_told_by_its_sender() -> None:
    """Read with no tracker, no agent is known: a notice is hers whoever it names."""
    from esp_cli.mail.inbox import read_mail

    mail = _mail("FW: ESP progress", _outlook("Learning Hub <noreply@learninghub.x.com>"))
    alone = read_mail(mail.as_bytes(), "mail.eml")
    assert alone.refused == "" and alone.warning.startswith("nothing of her own is typed")


# A To or Cc line wrapped in a quoted header block, as a plain-text forward writes a long one.
WRAPPED = [
    "To: Stone, Rebecca; Brook, Kayla; Adams, Tom; Baker, Sue; Clark, Ann; Davis, Bob;\n"
    " Dunn, Xavier\n",
    "To: Stone, Rebecca; Brook, Kayla; Adams, Tom; Baker, Sue; Clark, Ann; Davis, Bob;\n"
    "Dunn, Xavier\n",  # the wrap not indented
    "To: AET-1 Agents\nCc: Stone, Rebecca; Brook, Kayla; Adams, Tom; Baker, Sue; Evans,\n"
    " Carl; Dunn, Xavier\n",
    "To: Rebecca Stone <rebecca.stone@x.com>, Kayla Brook <kayla.brook@x.com>,\n"
    "  Xavier Dunn <xavier.dunn@x.com>\n",
]


@pytest.mark.parametrize("lines", WRAPPED)
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_wrapped_to_or_cc_in_a_quoted_header_block_is_read_whole(
    tracker: Path, folder: Path, lines: str, as_msg: bool
) -> None:
    block = (
        "\n\n________________________________\nFrom: Learning Hub <noreply@learninghub.x.com>\n"
        f"Sent: {NOTICE_SENT}\n{lines}Subject: You completed TBT 5\n\n{CLOSED}\n"
    )
    data = _import(tracker, folder, _mail("FW: You completed TBT 5", block), as_msg=as_msg)
    assert data["unmatched"] == [], data["unmatched"]
    assert [i["note"] for i in data["imported"]] == [
        "11/24/2026 - Xavier Dunn - You completed TBT 5"
    ]


# Gmail and Apple Mail write the To last in a forward's header block: wrapped there, its
# last line is followed by the blank line above the body.
WRAPPED_LAST = [
    "To: Rebecca Stone <rebecca.stone@x.com>, Kayla Brook <kayla.brook@x.com>, Xavier\n"
    "Dunn <xavier.dunn@x.com>\n",
    "To: Rebecca Stone <rebecca.stone@x.com>, Kayla Brook <kayla.brook@x.com>,\n"
    "xavier.dunn@x.com\n",
]


@pytest.mark.parametrize("lines", WRAPPED_LAST)
@pytest.mark.parametrize("as_msg", [False, True])
def test_a_wrapped_to_last_in_a_quoted_header_block_is_read_whole(
    tracker: Path, folder: Path, lines: str, as_msg: bool
) -> None:
    block = (
        "\n\n---------- Forwarded message ---------\n"
        "From: Learning Hub <noreply@learninghub.x.com>\n"
        f"Date: {NOTICE_SENT}\nSubject: You completed TBT 5\n{lines}\n{CLOSED}\n"
    )
    data = _import(tracker, folder, _mail("FW: You completed TBT 5", block), as_msg=as_msg)
    assert data["unmatched"] == [], data["unmatched"]
    assert [i["note"] for i in data["imported"]] == [
        "11/24/2026 - Xavier Dunn - You completed TBT 5"
    ]


def test_a_quoted_header_blocks_wrapped_lines_are_joined() -> None:
    from esp_cli.mail.selfreports import quoted_message

    body = (
        "________________________________\nFrom: Learning Hub <noreply@learninghub.x.com>\n"
        f"Sent: {NOTICE_SENT}\nTo: Stone, Rebecca; Evans,\n Carl;\nDunn, Xavier\n"
        "Subject: You completed TBT 5\n\nStone, Rebecca; you did it\n"
    )
    quoted = quoted_message(body)
    assert quoted is not None
    assert quoted.to == (("Stone, Rebecca", ""), ("Evans, Carl", ""), ("Dunn, Xavier", ""))
    # The body below the block is never read as a recipient, blank line or none.
    unparted = body.replace("TBT 5\n\n", "TBT 5\n")
    assert quoted_message(unparted) == quoted


def test_a_wrapped_to_naming_another_agent_only_is_still_refused(
    tracker: Path, folder: Path
) -> None:
    block = (
        "\n\n________________________________\nFrom: Learning Hub <noreply@learninghub.x.com>\n"
        f"Sent: {NOTICE_SENT}\nTo: Adams, Tom; Baker, Sue; Clark, Ann; Davis, Bob;\n"
        " Stone, Rebecca\nSubject: You completed TBT 5\n\nRebecca Stone completed TBT 5.\n"
    )
    reason = _refused(_import(tracker, folder, _mail("FW: You completed TBT 5", block)))
    assert "addressed to Rebecca Stone, another agent of the tracker, not to Xavier Dunn" in (
        reason
    ), reason


@pytest.mark.parametrize(
    ("value", "people"),
    [
        ("'xavier.dunn@x.com'", (("", "xavier.dunn@x.com"),)),
        (
            "Stone, Rebecca; 'xavier.dunn@x.com'",
            (("Stone, Rebecca", ""), ("", "xavier.dunn@x.com")),
        ),
        ("'xavier.dunn@x.com' <xavier.dunn@x.com>", (("", "xavier.dunn@x.com"),)),
        ("undisclosed-recipients:;", ()),
        ("Undisclosed recipients:;", ()),
        # A group's name with brackets or parentheses, its members after it.
        (
            "Team [AET-1]: Dunn, Xavier; Stone, Rebecca",
            (("Dunn, Xavier", ""), ("Stone, Rebecca", "")),
        ),
        ("AET-1 Agents (Nov): a@x.com, b@x.com;", (("", "a@x.com"), ("", "b@x.com"))),
    ],
)
def test_a_quoted_to_reads_outlooks_one_off_address_and_a_group(
    value: str, people: tuple[tuple[str, str], ...]
) -> None:
    from esp_cli.mail.selfreports import display_people

    assert display_people(value) == people


# ------------- one reading of a list of people: `;` parts Outlook's, commas part addresses

# Commas and semicolons in one list: each part with addresses split at its commas, a part
# without keeping its comma (`Dunn, Xavier`), a `;` inside quotes no separator.
MIXED_LISTS = [
    (
        "rebecca.stone@x.com, xavier.dunn@x.com; esp.agents@x.com",
        (("", "rebecca.stone@x.com"), ("", "xavier.dunn@x.com"), ("", "esp.agents@x.com")),
    ),
    (
        "Dunn, Xavier; Stone, Rebecca <rebecca.stone@x.com>",
        (("Dunn, Xavier", ""), ("Stone, Rebecca", "rebecca.stone@x.com")),
    ),
    (
        '"AET-1; Agents" <aet1@x.com>, Dunn, Xavier <xavier.dunn@x.com>',
        (("AET-1; Agents", "aet1@x.com"), ("Dunn, Xavier", "xavier.dunn@x.com")),
    ),
]
# Outlook's older quoted To, `Name [mailto:address]`: the comma in the name kept, as before
# `<address>`.
MAILTO_LISTS = [
    (
        "Stone, Rebecca [mailto:rebecca.stone@x.com]; Dunn, Xavier [mailto:xavier.dunn@x.com]",
        (("Stone, Rebecca", "rebecca.stone@x.com"), ("Dunn, Xavier", "xavier.dunn@x.com")),
    ),
    (
        "Stone, Rebecca [mailto:rebecca.stone@x.com]",
        (("Stone, Rebecca", "rebecca.stone@x.com"),),
    ),
    (
        "aet1@x.com, Stone, Rebecca [mailto:rebecca.stone@x.com]",
        (("", "aet1@x.com"), ("Stone, Rebecca", "rebecca.stone@x.com")),
    ),
]


@pytest.mark.parametrize(("value", "people"), MAILTO_LISTS)
def test_a_quoted_to_of_names_with_mailto_keeps_each_name_whole(
    value: str, people: tuple[tuple[str, str], ...]
) -> None:
    from esp_cli.mail.selfreports import display_people

    assert display_people(value) == people


def test_a_notice_to_a_colleague_named_with_mailto_names_her_whole(
    tracker: Path, folder: Path
) -> None:
    to = "Stone, Rebecca [mailto:rebecca.stone@x.com]; AET-1 Agents [mailto:aet1@x.com]"
    reason = _refused(
        _import(
            tracker,
            folder,
            _mail("FW: Your ticket", _notice("SPOC Team <spoc.team@x.com>", CLOSED, to)),
        )
    )
    assert "addressed to Rebecca Stone (rebecca.stone@x.com), another agent of the tracker" in (
        reason
    ), reason


@pytest.mark.parametrize(("value", "people"), MIXED_LISTS)
def test_a_list_of_commas_and_semicolons_is_read_alike_quoted_and_in_a_header(
    value: str, people: tuple[tuple[str, str], ...]
) -> None:
    from esp_cli.mail.selfreports import address_header, display_people, read_message

    assert display_people(value) == people
    msg = read_message(f"From: a@x.com\r\nTo: {value}\r\n\r\nx\r\n".encode())
    assert address_header(msg, "to") == people


@pytest.mark.parametrize("to", [value for value, _ in MIXED_LISTS[:2]])
def test_a_notice_to_her_in_a_list_of_commas_and_semicolons_is_hers(
    tracker: Path, folder: Path, to: str
) -> None:
    """She is in its To beside another agent: a notice sent to her, quoted or attached."""
    quoted = _notice("Learning Hub <noreply@learninghub.x.com>", CLOSED, to)
    inline = _import(tracker, folder, _mail("FW: Your ticket", quoted))
    assert [i["note"] for i in inline["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]
    (folder / "mail.eml").unlink()
    raw = _raw_notice("Learning Hub <noreply@learninghub.x.com>", to)
    name, data = _attaching_raw(raw, "eml")
    (folder / name).write_bytes(data)
    got = run(tracker, folder)
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


def test_an_attached_to_reads_outlooks_one_off_address() -> None:
    from esp_cli.mail.selfreports import address_header, read_message

    msg = read_message(
        b"From: a@x.com\r\nTo: Rebecca Stone <rebecca.stone@x.com>, 'xavier.dunn@x.com' "
        b"<xavier.dunn@x.com>\r\nCc: 'kayla.brook@x.com'\r\n\r\nx\r\n"
    )
    assert address_header(msg, "to", "cc") == (
        ("Rebecca Stone", "rebecca.stone@x.com"),
        ("", "xavier.dunn@x.com"),
        ("", "kayla.brook@x.com"),
    )


@pytest.mark.parametrize("sender", NOTICE_SENDERS)
@pytest.mark.parametrize("how", ["inline", "inline msg", *LAYOUTS])
def test_a_notice_to_another_agent_and_her_one_off_address_is_hers(
    tracker: Path, folder: Path, sender: str, how: str
) -> None:
    """Outlook shows a recipient typed as an address in quotes: `'xavier.dunn@x.com'`."""
    if how.startswith("inline"):
        block = (
            f"\n\n________________________________\nFrom: {sender}\nSent: {NOTICE_SENT}\n"
            f"To: Stone, Rebecca; 'xavier.dunn@x.com'\nSubject: Your ticket\n\n{CLOSED}\n"
        )
        got = _import(tracker, folder, _mail("FW: Your ticket", block), as_msg=how != "inline")
    else:
        inner = _raw_notice(sender, f"{REBECCA}, 'xavier.dunn@x.com' <xavier.dunn@x.com>")
        name, data = _attaching_raw(inner, how)
        (folder / name).write_bytes(data)
        got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]


# ------- other mail programs' ways of writing a person: `Name (address)`, `address (Name)`,
# `Name [address]`, and a name alone written last name first in a list with addresses

OTHER_FORMS = [
    ("Jordan Reyes (jordan.reyes@vendorcx.com)", (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
    ("jordan.reyes@vendorcx.com (Jordan Reyes)", (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
    ("Reyes, Jordan (jordan.reyes@vendorcx.com)",
     (("Reyes, Jordan", "jordan.reyes@vendorcx.com"),)),
    ("jordan.reyes@vendorcx.com (Reyes, Jordan)",
     (("Reyes, Jordan", "jordan.reyes@vendorcx.com"),)),
    ("Jordan Reyes [jordan.reyes@vendorcx.com]", (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
    ("Reyes, Jordan [jordan.reyes@vendorcx.com]",
     (("Reyes, Jordan", "jordan.reyes@vendorcx.com"),)),
    ("Jordan Reyes [jordan.reyes@vendorcx.com]; Xavier Dunn [x.dunn@vendorcx.com]",
     (("Jordan Reyes", "jordan.reyes@vendorcx.com"), ("Xavier Dunn", "x.dunn@vendorcx.com"))),
    ("Jordan Reyes (jordan.reyes@vendorcx.com), Dunn, Xavier (x.dunn@vendorcx.com)",
     (("Jordan Reyes", "jordan.reyes@vendorcx.com"), ("Dunn, Xavier", "x.dunn@vendorcx.com"))),
    ("Rebecca Stone <r.stone@vendorcx.com>, Dunn, Xavier",
     (("Rebecca Stone", "r.stone@vendorcx.com"), ("Dunn, Xavier", ""))),
    ("Dunn, Xavier, Rebecca Stone <r.stone@vendorcx.com>",
     (("Dunn, Xavier", ""), ("Rebecca Stone", "r.stone@vendorcx.com"))),
    ("r.stone@vendorcx.com, Dunn, Xavier J., AET-1 Agents, Brook, Kayla",
     (("", "r.stone@vendorcx.com"), ("Dunn, Xavier J.", ""), ("AET-1 Agents", ""),
      ("Brook, Kayla", ""))),
    # A name of its own after a one-word one: two people (a team's name, then an agent).
    ("spoc@client.com, Support, Kayla Brooks",
     (("", "spoc@client.com"), ("Support", ""), ("Kayla Brooks", ""))),
    # The address after its scheme (Exchange's SMTP:, mailto:) or before a stray period.
    ("Reyes, Jordan [SMTP:jordan.reyes@vendorcx.com]",
     (("Reyes, Jordan", "jordan.reyes@vendorcx.com"),)),
    ("Jordan Reyes (mailto:jordan.reyes@vendorcx.com)",
     (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
    ("Jordan Reyes [jordan.reyes@vendorcx.com.]",
     (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
    ("Jordan Reyes [SIP:jordan.reyes@vendorcx.com]",
     (("Jordan Reyes", "jordan.reyes@vendorcx.com"),)),
]  # fmt: skip


@pytest.mark.parametrize(("value", "people"), OTHER_FORMS)
def test_other_mail_programs_ways_of_writing_a_person_are_read_alike(
    value: str, people: tuple[tuple[str, str], ...]
) -> None:
    """Each read alike in a quoted header block's To, a .msg's display To, an attached
    message's To, and (one person) a quoted header block's From and a message's From."""
    from esp_cli.mail.selfreports import (
        address_header,
        display_people,
        quoted_message,
        read_message,
        sender_of,
    )

    assert display_people(value) == people
    msg = read_message(f"From: {value}\r\nTo: {value}\r\n\r\nx\r\n".encode())
    assert address_header(msg, "to") == people
    if len(people) == 1:
        assert sender_of(msg) == people[0]
        body = f"-----Original Message-----\nFrom: {value}\nSent: {SENT}\n\nx\n"
        quoted = quoted_message(body)
        assert quoted is not None and quoted.sender == people[0]


OWN_QUOTED = [
    "Xavier Dunn (xavier.dunn@x.com)",
    "xavier.dunn@x.com (Dunn, Xavier)",
    "Xavier Dunn [xavier.dunn@x.com]",
    "Dunn, Xavier [xavier.dunn@x.com]",
]


@pytest.mark.parametrize("sender", OWN_QUOTED)
@pytest.mark.parametrize("as_msg", [False, True])
def test_her_own_email_quoted_in_another_programs_way_is_hers(
    tracker: Path, folder: Path, sender: str, as_msg: bool
) -> None:
    """Xavier forwards his own earlier report, its header block written by another program:
    his own e-mail, never another person's report."""
    data = _import(tracker, folder, _mail("FW: ESP progress", _outlook(sender)), as_msg=as_msg)
    assert _refused(data).startswith(
        f"a forward of Xavier Dunn's own earlier e-mail (sent {SENT}) with nothing typed above"
    ), data["unmatched"]


@pytest.mark.parametrize(
    "sender",
    ["Kayla Brook (kayla.brook77@gmail.com)", "Kayla Brook [kayla.brook77@gmail.com]",
     "kayla.brook77@gmail.com (Kayla Brook)"],
)  # fmt: skip
def test_a_colleagues_report_quoted_in_another_programs_way_names_her(
    tracker: Path, folder: Path, sender: str
) -> None:
    reason = _refused(_import(tracker, folder, _mail("FW: ESP progress", _outlook(sender))))
    assert reason.startswith(
        "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
        f"quotes a report Kayla Brook (kayla.brook77@gmail.com) sent {SENT}"
    ), reason


@pytest.mark.parametrize(
    "to",
    ["Rebecca Stone (rebecca.stone@x.com)", "Stone, Rebecca [rebecca.stone@x.com]",
     "rebecca.stone@x.com (Stone, Rebecca)", "Stone, Rebecca (rebecca.stone@x.com)"],
)  # fmt: skip
def test_a_notice_to_a_colleague_written_in_another_programs_way_is_hers_not_his(
    tracker: Path, folder: Path, to: str
) -> None:
    block = _notice("SPOC Team <spoc.team@x.com>", CLOSED, to)
    reason = _refused(_import(tracker, folder, _mail("FW: Your ticket", block)))
    assert TO_REBECCA in reason, reason


@pytest.mark.parametrize(
    "to",
    ["Rebecca Stone <rebecca.stone@x.com>, Dunn, Xavier",
     "Dunn, Xavier, Rebecca Stone <rebecca.stone@x.com>",
     "Rebecca Stone (rebecca.stone@x.com), Dunn, Xavier"],
)  # fmt: skip
@pytest.mark.parametrize("how", ["inline", "eml"])
def test_a_notice_to_her_by_name_alone_beside_a_colleagues_address_is_hers(
    tracker: Path, folder: Path, to: str, how: str
) -> None:
    """Her name written last name first with no address, in a list of addresses: one person,
    she, not two names no agent has."""
    sender = "Learning Hub <noreply@learninghub.x.com>"
    if how == "inline":
        got = _import(tracker, folder, _mail("FW: Your ticket", _notice(sender, CLOSED, to)))
    else:
        name, data = _attaching_raw(_raw_notice(sender, to), how)
        (folder / name).write_bytes(data)
        got = run(tracker, folder)
    assert got["unmatched"] == [], got["unmatched"]
    assert [i["note"] for i in got["imported"]] == ["11/24/2026 - Xavier Dunn - Your ticket"]

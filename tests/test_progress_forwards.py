"""esp progress import on forwarded e-mails: an agent's forward of her own report with
nothing typed in it is that report, its words and its day; forwarded inline, it is refused
with the reason, never an empty note; an SME's forward of an agent's report says whose
report it carries."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from email.mime.base import MIMEBase
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from aspose.email_foss.msg import MapiMessage
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.selfreports import html_to_text, is_forward, subject_text
from tests import factories

AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1", "Agent Name": "Xavier Dunn", "Email": "xavier.dunn@x.com"},
    {"Class": "AET-1", "Agent Name": "Rebecca Stone", "Email": "rebecca.stone@x.com"},
]
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column
REPORT = "Citrix still not showing apps, SPOC ticket INC123"
# Mon 11/23 5:00 pm and Tue 11/24 10:00 am in New York.
REPORTED = "Mon, 23 Nov 2026 22:00:00 +0000"
FORWARDED = "Tue, 24 Nov 2026 15:00:00 +0000"


def message(sender: str, date: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Jordan Reyes <jordan.reyes@x.com>"
    msg["Subject"] = subject
    msg["Date"] = date
    msg.set_content(body)
    return msg


def forward(sender: str, agent: str, layout: str) -> bytes:
    """`agent`'s report forwarded by `sender` as an attachment, with nothing typed: an
    attached message (.eml), an Outlook embedded message (.msg), or a saved .msg attached."""
    report = message(agent, REPORTED, "ESP progress", REPORT)
    fw = message(sender, FORWARDED, "FW: ESP progress", "")
    if layout == "eml":
        fw.add_attachment(report)
        return fw.as_bytes()
    if layout == "msg":
        outer = MapiMessage.from_email_message(fw)
        outer.add_embedded_message_attachment(
            MapiMessage.from_email_message(report), filename="ESP progress"
        )
        return outer.to_bytes()
    fw.add_attachment(
        MapiMessage.from_email_message(report).to_bytes(),
        maintype="application", subtype="vnd.ms-outlook", filename="ESP progress.msg",
    )  # fmt: skip
    return fw.as_bytes()


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # aspose-email-foss writes an embedded message's fixed properties (its time among them)
    # after a 32-byte header, where Outlook writes a 24-byte one: esp reads either.
    mails = tmp_path / "mails"
    mails.mkdir()
    return mails


def run(tracker: Path, folder: Path) -> Any:
    config = tracker.parent / "esp.toml"
    config.write_text('[calendar]\ntimezone = "America/New_York"\n', encoding="utf-8")
    res = CliRunner().invoke(app, [
        "progress", "import", str(folder), "-t", str(tracker), "--config", str(config),
        "-f", "json", "--dry-run",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("layout", ["eml", "msg", "eml with a saved msg"])
def test_an_agents_forward_of_her_own_report_is_that_report_of_its_day(
    tracker: Path, folder: Path, layout: str
) -> None:
    name = "fw.msg" if layout == "msg" else "fw.eml"
    agent = "Xavier Dunn <xavier.dunn@x.com>"
    (folder / name).write_bytes(forward(agent, agent, layout))
    data = run(tracker, folder)
    assert data["unmatched"] == [] and data["problems"] == []
    assert [(i["agent"], i["date"], i["source"], i["note"]) for i in data["imported"]] == [
        ("Xavier Dunn", "2026-11-23", name, f"11/23/2026 - Xavier Dunn - {REPORT}")
    ]


def test_an_agents_inline_forward_of_her_own_report_is_refused_with_the_reason(
    tracker: Path, folder: Path
) -> None:
    body = (
        "\n\n-----Original Message-----\nFrom: Xavier Dunn <xavier.dunn@x.com>\n"
        "Sent: Monday, November 23, 2026 5:00 PM\nTo: Tom Alvarez <tom.alvarez@x.com>\n"
        f"Subject: ESP progress\n\n{REPORT}\n"
    )
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", body)
    (folder / "inline.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert data["imported"] == []
    assert [(u["source"], u["reason"]) for u in data["unmatched"]] == [
        (
            "inline.eml",
            "a forward of Xavier Dunn's own earlier e-mail (sent Monday, November 23, 2026 "
            "5:00 PM) with nothing typed above it: esp does not read a forwarded message as a "
            "report; import the original e-mail, or add the report with esp note add",
        )
    ]


@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_an_smes_forward_of_an_agents_report_says_whose_report_it_carries(
    tracker: Path, folder: Path, layout: str
) -> None:
    name = f"sme.{layout}"
    sme, agent = "Pat Sme <pat.sme@x.com>", "Rebecca Stone <rebecca.stone@x.com>"
    (folder / name).write_bytes(forward(sme, agent, layout))
    data = run(tracker, folder)
    assert data["imported"] == []
    assert [(u["source"], u["reason"]) for u in data["unmatched"]] == [
        (
            name,
            "a forward by Pat Sme with nothing typed in it, of another person's report: it "
            "carries a report Rebecca Stone (rebecca.stone@x.com) sent on 11/23/2026, in an "
            "attached e-mail: save that e-mail on its own and import it",
        )
    ]


@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_an_agents_forward_of_another_agents_report_is_not_hers(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Xavier forwards Rebecca's report with nothing typed: he wrote no report that day, so
    nothing is imported for him; the forward is listed, saying whose report it carries."""
    name = f"buddy.{layout}"
    xavier, rebecca = "Xavier Dunn <xavier.dunn@x.com>", "Rebecca Stone <rebecca.stone@x.com>"
    (folder / name).write_bytes(forward(xavier, rebecca, layout))
    data = run(tracker, folder)
    assert data["imported"] == []
    assert [(u["source"], u["reason"]) for u in data["unmatched"]] == [
        (
            name,
            "a forward by Xavier Dunn with nothing typed in it, of another person's report: "
            "it carries a report Rebecca Stone (rebecca.stone@x.com) sent on 11/23/2026, in an "
            "attached e-mail: save that e-mail on its own and import it",
        )
    ]


def test_an_agents_forward_of_another_agents_report_with_words_of_her_own_says_so(
    tracker: Path, folder: Path
) -> None:
    """What Xavier typed is his; the report he forwards is Rebecca's, and is said."""
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", "Mine: 5/8")
    fw.add_attachment(message("Rebecca Stone <rebecca.stone@x.com>", REPORTED, "ESP", REPORT))
    (folder / "typed.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert [(i["agent"], i["date"]) for i in data["imported"]] == [("Xavier Dunn", "2026-11-24")]
    assert [(p["source"], p["problem"]) for p in data["problems"]] == [
        (
            "typed.eml",
            "it carries a report Rebecca Stone (rebecca.stone@x.com) sent on 11/23/2026, in an "
            "attached e-mail: save that e-mail on its own and import it",
        )
    ]


def test_an_smes_forward_of_two_agents_reports_says_both(tracker: Path, folder: Path) -> None:
    fw = message("Pat Sme <pat.sme@x.com>", FORWARDED, "FW: ESP progress", "")
    fw.add_attachment(message("Rebecca Stone <rebecca.stone@x.com>", REPORTED, "ESP", REPORT))
    fw.add_attachment(message("Xavier Dunn <xavier.dunn@x.com>", REPORTED, "ESP", REPORT))
    (folder / "two.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    (refused,) = data["unmatched"]
    assert refused["reason"].endswith(
        "it carries reports Rebecca Stone (rebecca.stone@x.com) sent on 11/23/2026 and Xavier "
        "Dunn (xavier.dunn@x.com) sent on 11/23/2026, in attached e-mails: save each attached "
        "e-mail on its own and import them"
    ), refused


def _encoded(fw: EmailMessage, report: EmailMessage) -> None:
    """`report` attached base64-encoded, as some web mailers write an attached message."""
    part = MIMEBase("message", "rfc822")
    part.set_payload(base64.b64encode(report.as_bytes()).decode())
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = 'attachment; filename="ESP progress.eml"'
    fw.make_mixed()
    fw.attach(part)


def _shape(shape: str) -> EmailMessage:
    """Xavier's Monday report forwarded by him, as an attachment, with nothing typed, in
    one of the shapes mail programs give it."""
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    report = message(xavier, REPORTED, "ESP progress", REPORT)
    if shape == "base64":
        fw = message(xavier, FORWARDED, "FW: ESP progress", "")
        _encoded(fw, report)
    elif shape == "personal address":
        fw = message("Xavier Dunn <xdunn1990@gmail.com>", FORWARDED, "FW: ESP progress", "")
        fw.add_attachment(report)
    elif shape == "through his SME":
        sme = message("Pat Sme <pat.sme@x.com>", FORWARDED, "FW: ESP progress", "")
        sme.add_attachment(report)
        later = "Wed, 25 Nov 2026 15:00:00 +0000"
        fw = message(xavier, later, "FW: FW: ESP progress", "")
        fw.add_attachment(sme)
    else:  # Outlook's signature alone in the forward
        signature = "\n\nXavier Dunn\nCustomer Care Agent | VendorCX\n(614) 555-0146\n"
        fw = message(xavier, FORWARDED, "FW: ESP progress", signature)
        fw.add_attachment(report)
    return fw


@pytest.mark.parametrize(
    "shape", ["base64", "personal address", "through his SME", "signature only"]
)
def test_an_agents_forward_of_her_own_report_in_any_shape_is_that_report(
    tracker: Path, folder: Path, shape: str
) -> None:
    (folder / "fw.eml").write_bytes(_shape(shape).as_bytes())
    data = run(tracker, folder)
    assert data["unmatched"] == []
    assert [p["problem"] for p in data["problems"]] == (
        [
            "the lines 'Xavier Dunn / Customer Care Agent | VendorCX / (614) 555-0146' above it "
            "were taken for her signature: if they are her report, add it with esp note add"
        ]
        if shape == "signature only"
        else []
    )
    assert [(i["agent"], i["date"], i["note"]) for i in data["imported"]] == [
        ("Xavier Dunn", "2026-11-23", f"11/23/2026 - Xavier Dunn - {REPORT}")
    ]


def _attached(fw: EmailMessage, report: EmailMessage, layout: str) -> bytes:
    """`fw` with `report` attached: as a message (.eml), or embedded (.msg)."""
    if layout == "eml":
        fw.add_attachment(report)
        return fw.as_bytes()
    outer = MapiMessage.from_email_message(fw)
    outer.add_embedded_message_attachment(
        MapiMessage.from_email_message(report), filename="ESP progress"
    )
    return outer.to_bytes()


@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_an_agents_own_report_forwarded_with_no_date_is_of_the_forwards_day_and_said(
    tracker: Path, folder: Path, layout: str
) -> None:
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    report = message(xavier, "", "ESP progress", REPORT)
    del report["Date"]
    fw = message(xavier, FORWARDED, "FW: ESP progress", "")
    (folder / f"fw.{layout}").write_bytes(_attached(fw, report, layout))
    data = run(tracker, folder)
    assert [(i["agent"], i["date"], i["note"]) for i in data["imported"]] == [
        ("Xavier Dunn", "2026-11-24", f"11/24/2026 - Xavier Dunn - {REPORT}")
    ]
    assert [(p["source"], p["problem"]) for p in data["problems"]] == [
        (
            f"fw.{layout}",
            "the attached e-mail 'ESP progress' has no date: dated the day it was forwarded; "
            "check the day of the report",
        )
    ]


@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_a_forward_whose_attached_email_esp_cannot_read_is_not_imported(
    tracker: Path, folder: Path, layout: str
) -> None:
    """Nothing typed, and the attached e-mail (no sender) cannot be read: never a note of
    the subject alone on the forward's day."""
    report = message("", REPORTED, "ESP progress", REPORT)
    del report["From"]
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", "")
    (folder / f"fw.{layout}").write_bytes(_attached(fw, report, layout))
    data = run(tracker, folder)
    assert data["imported"] == []
    ((source, reason),) = [(u["source"], u["reason"]) for u in data["unmatched"]]
    assert source == f"fw.{layout}"
    assert reason.startswith(
        "a forward with nothing typed in it whose attached e-mail esp cannot read ('ESP "
        "progress': no "
    ), reason
    assert reason.endswith("): open it, and import it or add the report with esp note add")


def _inline(
    sender: str, quoted: str, html: bool, subject: str = "FW: ESP progress", above: str = ""
) -> bytes:
    """`sender`'s inline forward with nothing typed of the report whose quoted From line
    is `quoted`, as Outlook writes it in plain text or in HTML."""
    if html:
        value = quoted.replace("<", "&lt;").replace(">", "&gt;")
        body = (
            f"<html><body><p>&nbsp;</p>{above}<div style='border-top:solid #E1E1E1 1.0pt'>"
            f"<p><b>From:</b> {value}<br><b>Sent:</b> Monday, November 23, 2026 5:00 PM<br>"
            f"<b>To:</b> Tom Alvarez<br><b>Subject:</b> ESP progress</p></div><p>{REPORT}</p>"
            "</body></html>"
        )
    else:
        body = (
            f"{above}\n\n-----Original Message-----\nFrom: {quoted}\nSent: Monday, November 23, "
            f"2026 5:00 PM\nTo: Tom Alvarez <tom.alvarez@x.com>\nSubject: ESP progress\n\n"
            f"{REPORT}\n"
        )
    fw = message(sender, FORWARDED, subject, body)
    if html:
        fw.set_content(body, subtype="html")
    return fw.as_bytes()


@pytest.mark.parametrize(
    ("sender", "quoted", "html"),
    [
        ('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier <xavier.dunn@x.com>", False),
        ('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier [mailto:xavier.dunn@x.com]", False),
        ("Xavier Dunn <xavier.dunn@x.com>", "Xavier Dunn", False),
        ('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier", False),
        ('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier", True),
        ("Xavier Dunn <xavier.dunn@x.com>", "Xavier Dunn", True),
        ('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier <xavier.dunn@x.com>", True),
    ],
)
def test_an_inline_forward_of_her_own_report_is_refused_however_outlook_names_her(
    tracker: Path, folder: Path, sender: str, quoted: str, html: bool
) -> None:
    (folder / "inline.eml").write_bytes(_inline(sender, quoted, html))
    data = run(tracker, folder)
    assert data["imported"] == []
    ((source, reason),) = [(u["source"], u["reason"]) for u in data["unmatched"]]
    assert source == "inline.eml"
    assert reason.startswith(
        "a forward of Xavier Dunn's own earlier e-mail (sent Monday, November 23, 2026 5:00 PM) "
        "with nothing typed above it"
    ), reason


def test_her_own_memo_with_a_header_block_is_no_forward(tracker: Path, folder: Path) -> None:
    """Not a forward (no FW: in its subject): a block she typed at the top is hers."""
    memo = _inline('"Dunn, Xavier" <xavier.dunn@x.com>', "Dunn, Xavier", True, "ESP progress")
    (folder / "memo.eml").write_bytes(memo)
    data = run(tracker, folder)
    assert data["unmatched"] == []
    assert [(i["agent"], i["date"]) for i in data["imported"]] == [("Xavier Dunn", "2026-11-24")]


def test_her_own_report_dated_after_the_forward_carrying_it_is_of_the_forwards_day(
    tracker: Path, folder: Path
) -> None:
    """A wrong clock on the agent's computer: no e-mail is forwarded before it was sent."""
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    fw = message(xavier, FORWARDED, "FW: ESP progress", "")
    fw.add_attachment(message(xavier, "Fri, 27 Nov 2026 22:00:00 +0000", "ESP progress", REPORT))
    (folder / "fw.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert [(i["agent"], i["date"]) for i in data["imported"]] == [("Xavier Dunn", "2026-11-24")]
    assert [(p["source"], p["problem"]) for p in data["problems"]] == [
        (
            "fw.eml",
            "the attached report is dated 11/27/2026, after the forward carrying it "
            "(11/24/2026): a wrong clock on the agent's computer? Dated the forward's day",
        )
    ]


def _refusal(tracker: Path, folder: Path, name: str, data: bytes) -> str:
    """Why the e-mail `data`, saved as `name`, alone in the folder, is not imported."""
    (folder / name).write_bytes(data)
    found = run(tracker, folder)
    assert found["imported"] == []
    ((reason,),) = [(u["reason"],) for u in found["unmatched"]]
    return str(reason)


@pytest.mark.parametrize(
    ("quoted", "named"),
    [
        ("Rebecca Stone <rebecca.stone@x.com>", "Rebecca Stone (rebecca.stone@x.com)"),
        ("Stone, Rebecca <rebecca.stone@x.com>", "Rebecca Stone (rebecca.stone@x.com)"),
        ("Stone, Rebecca", "Rebecca Stone"),
        ("Stone, Rebecca [mailto:rebecca.stone@x.com]", "Rebecca Stone (rebecca.stone@x.com)"),
        ("Pat Sme <pat.sme@x.com>", "Pat Sme (pat.sme@x.com)"),
    ],
)
@pytest.mark.parametrize("html", [False, True])
def test_an_agents_inline_forward_of_a_colleagues_report_is_not_hers(
    tracker: Path, folder: Path, quoted: str, named: str, html: bool
) -> None:
    """Xavier's Outlook Forward of Rebecca's report, nothing typed: not credited to him."""
    (folder / "inline.eml").write_bytes(_inline("Xavier Dunn <xavier.dunn@x.com>", quoted, html))
    data = run(tracker, folder)
    assert data["imported"] == []
    assert [(u["source"], u["reason"]) for u in data["unmatched"]] == [
        (
            "inline.eml",
            "a forward by Xavier Dunn with nothing typed in it, of another person's report: it "
            f"quotes a report {named} sent Monday, November 23, 2026 5:00 PM; esp does not "
            "read a forwarded message as a report: import that person's own e-mail, or add the "
            "report with esp note add",
        )
    ]


def test_an_agents_inline_forward_of_a_colleagues_report_in_a_msg_is_not_hers(
    tracker: Path, folder: Path
) -> None:
    fw = MapiMessage.from_email_message(
        message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", _QUOTE)
    )
    reason = _refusal(tracker, folder, "inline.msg", fw.to_bytes())
    assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent Monday" in reason


_QUOTE = (
    "\n\n-----Original Message-----\nFrom: Rebecca Stone <rebecca.stone@x.com>\nSent: Monday, "
    f"November 23, 2026 5:00 PM\nTo: Tom Alvarez <tom.alvarez@x.com>\nSubject: ESP\n\n{REPORT}\n"
)
_OWN_QUOTE = _QUOTE.replace("Rebecca Stone <rebecca.stone", "Dunn, Xavier <xavier.dunn")
_SIGNATURE = "Xavier Dunn\nCustomer Care Agent | VendorCX\n(614) 555-0146"


@pytest.mark.parametrize(
    "above",
    [
        _SIGNATURE + "\n",
        "Thanks,\nXavier\n",
        "Sent from my iPhone\n\nBegin forwarded message:\n",
    ],
)
def test_her_inline_forward_under_her_signature_is_still_a_forward(
    tracker: Path, folder: Path, above: str
) -> None:
    """Outlook puts her signature above the quoted original when she clicks Forward."""
    quote = (
        _OWN_QUOTE.replace("-----Original Message-----\n", "") if "Begin" in above else _OWN_QUOTE
    )
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", above + quote)
    reason = _refusal(tracker, folder, "inline.eml", fw.as_bytes())
    assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail (sent Monday"), reason


def test_her_html_inline_forward_under_her_signature_is_still_a_forward(
    tracker: Path, folder: Path
) -> None:
    signature = "<p><b>Xavier Dunn</b><br>Customer Care Agent | VendorCX</p><p>&nbsp;</p>"
    quoted = "Dunn, Xavier <xavier.dunn@x.com>"
    html = _inline("Xavier Dunn <xavier.dunn@x.com>", quoted, True, above=signature)
    reason = _refusal(tracker, folder, "inline.eml", html)
    assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail (sent Monday"), reason


def test_a_colleagues_report_forwarded_under_her_signature_is_not_hers(
    tracker: Path, folder: Path
) -> None:
    body = f"{_SIGNATURE}\n{_QUOTE}"
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", body)
    reason = _refusal(tracker, folder, "inline.eml", fw.as_bytes())
    assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent Monday" in reason


def _own_forward(typed: str, layout: str = "eml") -> bytes:
    """Xavier's forward of his Monday report as an attachment, `typed` above it."""
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    fw = message(xavier, FORWARDED, "FW: ESP progress", typed)
    return _attached(fw, message(xavier, REPORTED, "ESP progress", REPORT), layout)


@pytest.mark.parametrize(
    "typed",
    [
        "FYI",
        "See below",
        "see attached",
        "fyi - see attached",
        "Resending my update from Monday.",
        "Please see my update below",
        "Hi Jordan,\n\nFYI\n\nThanks,\nXavier",
    ],
)
@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_a_cover_line_pointing_at_her_attached_report_is_nothing_typed(
    tracker: Path, folder: Path, typed: str, layout: str
) -> None:
    (folder / f"fw.{layout}").write_bytes(_own_forward(typed, layout))
    data = run(tracker, folder)
    assert data["unmatched"] == [] and data["problems"] == []
    assert [(i["agent"], i["date"], i["note"]) for i in data["imported"]] == [
        ("Xavier Dunn", "2026-11-23", f"11/23/2026 - Xavier Dunn - {REPORT}")
    ]


@pytest.mark.parametrize("typed", ["TBT complete", "Out sick", "Certified today"])
def test_words_typed_above_her_attached_report_are_the_report_and_it_is_said(
    tracker: Path, folder: Path, typed: str
) -> None:
    (folder / "fw.eml").write_bytes(_own_forward(typed))
    data = run(tracker, folder)
    assert [(i["date"], i["note"]) for i in data["imported"]] == [
        ("2026-11-24", f"11/24/2026 - Xavier Dunn - {typed}")
    ]
    assert [p["problem"] for p in data["problems"]] == [
        "it also carries Xavier Dunn's own report of 11/23/2026, in an attached e-mail: if "
        "that is the report, save that e-mail on its own and import it"
    ]


def test_an_fyi_above_her_own_inline_forward_is_refused_as_a_forward(
    tracker: Path, folder: Path
) -> None:
    fw = message(
        "Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", "FYI" + _OWN_QUOTE
    )
    reason = _refusal(tracker, folder, "inline.eml", fw.as_bytes())
    assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail (sent Monday"), reason


@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_her_forward_carrying_a_colleagues_report_too_imports_hers_and_says_the_other(
    tracker: Path, folder: Path, layout: str
) -> None:
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    fw = message(xavier, FORWARDED, "FW: ESP progress", "")
    rebecca = message("Rebecca Stone <rebecca.stone@x.com>", REPORTED, "ESP progress", "5/8")
    if layout == "eml":
        fw.add_attachment(message(xavier, REPORTED, "ESP progress", REPORT))
        fw.add_attachment(rebecca)
        data_bytes = fw.as_bytes()
    else:
        outer = MapiMessage.from_email_message(fw)
        for i, inner in enumerate((message(xavier, REPORTED, "ESP progress", REPORT), rebecca)):
            outer.add_embedded_message_attachment(
                MapiMessage.from_email_message(inner), filename=f"ESP {i}"
            )
        data_bytes = outer.to_bytes()
    (folder / f"fw.{layout}").write_bytes(data_bytes)
    data = run(tracker, folder)
    assert [(i["agent"], i["date"]) for i in data["imported"]] == [("Xavier Dunn", "2026-11-23")]
    assert [p["problem"] for p in data["problems"]] == [
        "it carries a report Rebecca Stone (rebecca.stone@x.com) sent on 11/23/2026, in an "
        "attached e-mail: save that e-mail on its own and import it"
    ]


def test_her_forward_carrying_an_unreadable_email_too_imports_hers_and_says_so(
    tracker: Path, folder: Path
) -> None:
    xavier = "Xavier Dunn <xavier.dunn@x.com>"
    fw = message(xavier, FORWARDED, "FW: ESP progress", "")
    fw.add_attachment(message(xavier, REPORTED, "ESP progress", REPORT))
    bad = message("", REPORTED, "Other", "x")
    del bad["From"]
    fw.add_attachment(bad)
    (folder / "fw.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert [(i["agent"], i["date"]) for i in data["imported"]] == [("Xavier Dunn", "2026-11-23")]
    ((problem,),) = [(p["problem"],) for p in data["problems"]]
    assert problem.startswith("it also carries an attached e-mail esp cannot read ('Other': no")


@pytest.mark.parametrize(
    "signature",
    [
        "Xavier Dunn | Customer Care Agent\nVendorCX | xavier.dunn@vendorcx.com",
        "Xavier Dunn\nCustomer Care Agent\nPronouns: he/him\nVendorCX",
        "Xavier Dunn\nCustomer Care Agent | VendorCX\nwww.vendorcx.com",
        "Xavier Dunn\nCustomer Care Agent, Ext. 4471\nVendorCX",
        "Xavier Dunn\nAgent - Customer Care\nVendorCX",
        "Xavier Dunn\nCustomer Care Agent | VendorCX\nMobile: (614) 555-0199",
    ],
)
@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_her_signature_alone_in_any_shape_is_nothing_typed_and_said(
    tracker: Path, folder: Path, signature: str, layout: str
) -> None:
    (folder / f"fw.{layout}").write_bytes(_own_forward(f"\n\n{signature}\n", layout))
    data = run(tracker, folder)
    assert [(i["date"], i["note"]) for i in data["imported"]] == [
        ("2026-11-23", f"11/23/2026 - Xavier Dunn - {REPORT}")
    ]
    lines = " / ".join(signature.split("\n"))
    assert [p["problem"] for p in data["problems"]] == [
        f"the lines {lines!r} above it were taken for her signature: if they are her report, "
        "add it with esp note add"
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "Xavier Dunn\nCompleted all TBTs | VendorCX",
        "Xavier Dunn\nCustomer Care Agent\nCertified today",
        "Xavier Dunn\nOut sick",
    ],
)
def test_words_under_her_name_shaped_like_a_signature_are_kept(
    tracker: Path, folder: Path, typed: str
) -> None:
    (folder / "fw.eml").write_bytes(_own_forward(typed))
    data = run(tracker, folder)
    ((date, note),) = [(i["date"], i["note"]) for i in data["imported"]]
    assert date == "2026-11-24" and typed.split("\n")[-1].split(" |")[0] in note


@pytest.mark.parametrize("html", [False, True])
def test_her_inline_forward_naming_her_alone_under_her_signature_is_still_a_forward(
    tracker: Path, folder: Path, html: bool
) -> None:
    """Outlook names an Exchange colleague without an address: "Dunn, Xavier"."""
    signature = (
        "<p><b>Xavier Dunn</b><br>Customer Care Agent | VendorCX</p><p>&nbsp;</p>"
        if html
        else f"{_SIGNATURE}\n"
    )
    fw = _inline("Xavier Dunn <xavier.dunn@x.com>", "Dunn, Xavier", html, above=signature)
    reason = _refusal(tracker, folder, "inline.eml", fw)
    assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail (sent Monday"), reason


def test_words_above_her_inline_forward_naming_her_alone_are_her_report(
    tracker: Path, folder: Path
) -> None:
    fw = _inline("Xavier Dunn <xavier.dunn@x.com>", "Dunn, Xavier", False, above="Still down")
    (folder / "inline.eml").write_bytes(fw)
    data = run(tracker, folder)
    ((date, note),) = [(i["date"], i["note"]) for i in data["imported"]]
    assert date == "2026-11-24" and note.startswith("11/24/2026 - Xavier Dunn - Still down"), note


# ------------------------------------------- a message quoting another person's message

# Rebecca's Monday report as Outlook quotes it in other languages: its From, Sent, To and
# Subject words, under Outlook's rule.
_LANGUAGES = {
    "vi": ("Từ", "Đã gửi", "Thứ Hai, ngày 23 tháng 11 năm 2026 17:00", "Đến", "Chủ đề"),
    "tr": ("Kimden", "Gönderildi", "23 Kasım 2026 Pazartesi 17:00", "Kime", "Konu"),
    "ru": ("От", "Отправлено", "23 ноября 2026 г. 17:00", "Кому", "Тема"),
    "pl": ("Od", "Wysłano", "poniedziałek, 23 listopada 2026 17:00", "Do", "Temat"),
    "ja": ("差出人", "送信日時", "2026年11月23日 17:00", "宛先", "件名"),
}


def _quoted_in(language: str, who: str = "Stone, Rebecca <rebecca.stone@x.com>") -> str:
    From, sent, when, to, subject = _LANGUAGES[language]
    return (
        f"\n\n________________________________\n{From}: {who}\n{sent}: {when}\n"
        f"{to}: Tom Alvarez\n{subject}: ESP progress\n\n{REPORT}\n"
    )


@pytest.mark.parametrize("language", sorted(_LANGUAGES))
@pytest.mark.parametrize("layout", ["eml", "msg"])
def test_an_outlook_forward_in_any_language_is_not_the_forwarders(
    tracker: Path, folder: Path, language: str, layout: str
) -> None:
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", "")
    fw.set_content(_quoted_in(language))
    data = fw.as_bytes() if layout == "eml" else MapiMessage.from_email_message(fw).to_bytes()
    reason = _refusal(tracker, folder, f"fw.{layout}", data)
    when = _LANGUAGES[language][2]
    assert f"it quotes a report Rebecca Stone (rebecca.stone@x.com) sent {when}" in reason


@pytest.mark.parametrize("language", sorted(_LANGUAGES))
def test_her_own_outlook_forward_in_any_language_is_refused_as_a_forward(
    tracker: Path, folder: Path, language: str
) -> None:
    body = _quoted_in(language, "Dunn, Xavier <xavier.dunn@x.com>")
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", body)
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail"), reason


def test_an_html_outlook_forward_in_russian_is_not_the_forwarders(
    tracker: Path, folder: Path
) -> None:
    html = (
        "<html><body><p>&nbsp;</p><div style='border-top:solid #E1E1E1 1.0pt'><p><b>От:</b> "
        "Stone, Rebecca &lt;rebecca.stone@x.com&gt;<br><b>Отправлено:</b> 23 ноября 2026 г. "
        f"17:00<br><b>Кому:</b> Tom Alvarez<br><b>Тема:</b> ESP</p></div><p>{REPORT}</p>"
        "</body></html>"
    )
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", "")
    fw.set_content(html, subtype="html")
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent 23 ноября" in reason


_SEPARATED = {
    "RV": ("-----Mensaje original-----", "De", "Enviado el", "lunes, 23 de noviembre 17:00"),
    "WG": ("-----Ursprüngliche Nachricht-----", "Von", "Gesendet", "Montag, 23. November 17:00"),
    "TR": ("-----Message d'origine-----", "De", "Envoyé", "lundi 23 novembre 2026 17:00"),
    "ENC": ("-----Mensagem original-----", "De", "Enviada em", "segunda-feira, 23 17:00"),
}  # fmt: skip


@pytest.mark.parametrize("prefix", sorted(_SEPARATED))
def test_outlooks_separator_in_its_languages_is_no_words_typed(
    tracker: Path, folder: Path, prefix: str
) -> None:
    line, From, sent, when = _SEPARATED[prefix]
    body = f"\n{line}\n{From}: Stone, Rebecca <rebecca.stone@x.com>\n{sent}: {when}\n\n{REPORT}"
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, f"{prefix}: ESP progress", body)
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    assert f"it quotes a report Rebecca Stone (rebecca.stone@x.com) sent {when}" in reason


def test_a_reply_above_outlooks_separator_in_spanish_is_her_words_alone(
    tracker: Path, folder: Path
) -> None:
    body = (
        "5 of 8 done, Citrix ok now\n\n-----Mensaje original-----\nDe: Tom Alvarez "
        "<tom.alvarez@x.com>\nEnviado el: lunes, 23 de noviembre de 2026 9:00\n\nSend your ESP"
    )
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "RE: ESP progress", body)
    (folder / "re.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert [i["note"] for i in data["imported"]] == [
        "11/24/2026 - Xavier Dunn - 5 of 8 done, Citrix ok now"
    ]
    assert data["problems"] == []


_IPHONE = (
    "Sent from my iPhone\n\nBegin forwarded message:\n\n> From: {who}\n"
    "> Date: November 23, 2026 at 5:00:00 PM EST\n> To: Tom Alvarez <tom.alvarez@x.com>\n"
    f"> Subject: ESP progress\n> \n> {REPORT}\n"
)
_IPHONE_HTML = (
    "<html><body><div>Sent from my iPhone</div><div><br>Begin forwarded message:<br><br>"
    '</div><blockquote type="cite"><div><b>From:</b> {who}<br><b>Date:</b> November 23, 2026 '
    "at 5:00:00 PM EST<br><b>To:</b> Tom Alvarez<br><b>Subject:</b> ESP progress<br></div>"
    f"<div>{REPORT}</div></blockquote></body></html>"
)
# Outlook on the web and the new Outlook, HTML only.
_OWA = (
    '<html><body><div>{typed}</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">'
    "<b>From:</b> {who}<br><b>Sent:</b> Monday, November 23, 2026 5:00 PM<br><b>To:</b> "
    f"Tom Alvarez<br><b>Subject:</b> ESP progress</div><div>{REPORT}</div></body></html>"
)
_GMAIL_HTML = (
    '<html><body><div dir="ltr">{typed}</div><div class="gmail_quote"><div dir="ltr" '
    'class="gmail_attr">---------- Forwarded message ---------<br>From: <strong '
    'class="gmail_sendername">{who}</strong><br>Date: Mon, Nov 23, 2026 at 5:00 PM<br>'
    f"Subject: ESP progress<br></div><div>{REPORT}</div></div></body></html>"
)


@pytest.mark.parametrize(
    ("shape", "typed"),
    [(_IPHONE, ""), (_IPHONE_HTML, ""), (_OWA, ""), (_OWA, "FYI"), (_GMAIL_HTML, "fyi")],
)
@pytest.mark.parametrize("own", [False, True])
def test_a_phones_and_web_mails_inline_forward_is_never_the_forwarders_report(
    tracker: Path, folder: Path, shape: str, typed: str, own: bool
) -> None:
    who = (
        "Xavier Dunn &lt;xavier.dunn@x.com&gt;"
        if own
        else "Rebecca Stone &lt;rebecca.stone@x.com&gt;"
    )
    html = shape.startswith("<html>")
    body = shape.format(who=who if html else unescape(who), typed=typed)
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "Fwd: ESP progress", "")
    fw.set_content(body, subtype="html" if html else "plain")
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    if own:
        assert reason.startswith("a forward of Xavier Dunn's own earlier e-mail"), reason
    else:
        assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent " in reason, reason


@pytest.mark.parametrize(
    "subject", ["[EXTERNAL] Fwd: ESP progress", "[EXT] FW: ESP progress", "Rebecca's progress"]
)
def test_a_forward_is_told_by_its_quoted_header_block_not_its_subject(
    tracker: Path, folder: Path, subject: str
) -> None:
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, subject, _QUOTE)
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent Monday" in reason


@pytest.mark.parametrize(
    "above",
    [
        "FYI\n\n" + _SIGNATURE,  # a cover line over her signature, no sign-off
        "See attached.\n\nXavier Dunn\nCustomer Care Agent | VendorCX",
        "Thanks,\nXavier Dunn\nCustomer Care Agent | VendorCX\nOffice: (614) 555-0146\n"
        "Mobile: (614) 555-0199\n1200 Polaris Pkwy, Suite 400\nColumbus, OH 43240\n"
        "www.vendorcx.com\n\nCONFIDENTIALITY NOTICE: This e-mail and any attachments are for\n"
        "the sole use of the intended recipient(s) and may contain confidential and\n"
        "privileged information. Any unauthorized review, use, disclosure or\n"
        "distribution is prohibited. If you are not the intended recipient, please\n"
        "contact the sender by reply e-mail and destroy all copies.",
        "Xavier Dunn\nCustomer Service Representative\nVendorCX Inc.",
        "Xavier K. Dunn\nCustomer Care Agent | VendorCX",
        "Sent from my Verizon, Samsung Galaxy smartphone",
    ],
)
def test_a_colleagues_report_under_any_signature_or_cover_line_is_not_hers(
    tracker: Path, folder: Path, above: str
) -> None:
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", above + _QUOTE)
    reason = _refusal(tracker, folder, "fw.eml", fw.as_bytes())
    assert "it quotes a report Rebecca Stone (rebecca.stone@x.com) sent Monday" in reason


@pytest.mark.parametrize(
    "typed", ["Rebecca asked me to send this, her Outlook is down", "FYI Citrix down again"]
)
def test_words_typed_above_a_colleagues_quoted_report_say_whose_it_quotes(
    tracker: Path, folder: Path, typed: str
) -> None:
    fw = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "FW: ESP progress", typed + _QUOTE)
    (folder / "fw.eml").write_bytes(fw.as_bytes())
    data = run(tracker, folder)
    assert [i["note"] for i in data["imported"]] == [f"11/24/2026 - Xavier Dunn - {typed}"]
    assert [p["problem"] for p in data["problems"]] == [
        "it also quotes an e-mail Rebecca Stone (rebecca.stone@x.com) sent Monday, November 23, "
        "2026 5:00 PM: if that is Rebecca Stone's report, import that person's own e-mail, or "
        "add the report with esp note add"
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "See attached.\n\n" + _SIGNATURE,
        "Resending my update from Monday.\n\nXavier Dunn | Customer Care Agent | VendorCX",
        "Please find attached",
        "PFA",
        "Kindly see below",
        "Kindly find attached",
        "See attachment",
        "Attached.",
        "As requested",
        "Sending again",
        "Please see attached my ESP update.",
    ],
)
def test_a_cover_line_over_her_signature_or_in_other_words_is_nothing_typed(
    tracker: Path, folder: Path, typed: str
) -> None:
    (folder / "fw.eml").write_bytes(_own_forward(typed))
    data = run(tracker, folder)
    assert [(i["date"], i["note"]) for i in data["imported"]] == [
        ("2026-11-23", f"11/23/2026 - Xavier Dunn - {REPORT}")
    ]
    said = [p["problem"] for p in data["problems"]]
    signed = [x for x in typed.split("\n")[1:] if x]
    lines = " / ".join(signed)
    aside = f"the lines {lines!r} above it were taken for her signature: if they are her report, "
    assert said == ([aside + "add it with esp note add"] if signed else [])


@pytest.mark.parametrize(
    ("body", "note"),
    [
        ("Xavier Dunn\nDONE", "DONE"),
        ("Xavier Dunn | OOO", "Xavier Dunn | OOO"),
        ("Xavier Dunn\nEmailed spoc.team@x.com about Citrix, no reply yet",
         "Emailed spoc.team@x.com about Citrix, no reply yet"),
        ("Xavier Dunn\nCitrix down again, called helpdesk 614-555-0100, ticket open",
         "Citrix down again, called helpdesk 614-555-0100, ticket open"),
        ("Xavier Dunn\nQuiz scores 85 90 92 100", "Quiz scores 85 90 92 100"),
    ],
)  # fmt: skip
def test_a_plain_report_under_her_name_keeps_her_words(
    tracker: Path, folder: Path, body: str, note: str
) -> None:
    mail = message("Xavier Dunn <xavier.dunn@x.com>", REPORTED, "ESP progress", body)
    (folder / "report.eml").write_bytes(mail.as_bytes())
    data = run(tracker, folder)
    assert [i["note"] for i in data["imported"]] == [f"11/23/2026 - Xavier Dunn - {note}"]
    assert data["problems"] == []


def test_a_plain_report_that_is_her_signature_alone_is_said(tracker: Path, folder: Path) -> None:
    body = "Xavier Dunn\nTechnical support"
    mail = message("Xavier Dunn <xavier.dunn@x.com>", REPORTED, "ESP progress", body)
    (folder / "report.eml").write_bytes(mail.as_bytes())
    data = run(tracker, folder)
    assert [i["note"] for i in data["imported"]] == ["11/23/2026 - Xavier Dunn - ESP progress"]
    assert [p["problem"] for p in data["problems"]] == [
        "the lines 'Xavier Dunn / Technical support' were taken for her signature: if they are "
        "her report, add it with esp note add"
    ]


_ASKED = (
    "\n\n-----Original Message-----\nFrom: Tom Alvarez <tom.alvarez@x.com>\nSent: Monday, "
    "November 23, 2026 9:00 AM\nSubject: ESP progress\n\nHow many TBTs done? 6 of 8 - XAVIER\n"
)


@pytest.mark.parametrize("typed", ["See below", "Answers below in red."])
def test_a_reply_pointing_below_says_her_answers_may_be_in_the_quote(
    tracker: Path, folder: Path, typed: str
) -> None:
    mail = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "RE: ESP progress", typed + _ASKED)
    (folder / "re.eml").write_bytes(mail.as_bytes())
    data = run(tracker, folder)
    assert [i["note"] for i in data["imported"]] == [f"11/24/2026 - Xavier Dunn - {typed}"]
    assert [p["problem"] for p in data["problems"]] == [
        f"her words {typed!r} point into the e-mail she answers, the one Tom Alvarez sent "
        "Monday, November 23, 2026 9:00 AM: her answers may be typed inside it; open it, and "
        "add them with esp note add"
    ]


def test_a_reply_with_nothing_typed_names_the_email_it_quotes(tracker: Path, folder: Path) -> None:
    mail = message("Xavier Dunn <xavier.dunn@x.com>", FORWARDED, "RE: ESP progress", _ASKED)
    (folder / "re.eml").write_bytes(mail.as_bytes())
    data = run(tracker, folder)
    assert [i["date"] for i in data["imported"]] == ["2026-11-24"]
    assert [p["problem"] for p in data["problems"]] == [
        "nothing is typed above the e-mail it quotes, one Tom Alvarez (tom.alvarez@x.com) sent "
        "Monday, November 23, 2026 9:00 AM: if that is Tom Alvarez's report, import that "
        "person's own e-mail; if Xavier Dunn answered inside it, add the report with esp note add"
    ]


@pytest.mark.parametrize("quote", ['"', "'", ""])
def test_a_quote_marked_in_html_is_cut_however_its_attribute_is_quoted(quote: str) -> None:
    html = (
        f"<html><body><div>Module 6 done</div><div class={quote}gmail_quote{quote}>On Mon, Nov "
        "23, 2026 at 5:00 PM Tom Alvarez wrote:<br>Send your ESP</div></body></html>"
    )
    assert html_to_text(html).split() == ["Module", "6", "done"]


@pytest.mark.parametrize(
    ("subject", "forward", "shown"),
    [
        ("[EXTERNAL] Fwd: ESP progress", True, "ESP progress"),
        ("[EXT] FW: ESP progress", True, "ESP progress"),
        ("(External) FW: ESP progress", True, "ESP progress"),
        ("[EXTERNAL] RE: ESP progress", False, ""),
        ("[URGENT] Citrix down", False, "[URGENT] Citrix down"),
    ],
)
def test_a_mail_gateways_tag_before_a_subject_is_no_part_of_it(
    subject: str, forward: bool, shown: str
) -> None:
    assert is_forward(subject) is forward
    assert subject_text(subject) == shown

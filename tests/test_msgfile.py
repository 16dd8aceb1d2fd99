"""Outlook .msg self-reports: real files saved by Outlook (the shared mail corpus) and made
ones (Exchange senders with and without an SMTP address, no sender, an RTF-only body,
S/MIME), imported into a tracker whose agents have those addresses or names."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage, PropertyTypeCode
from compressed_rtf import compress
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.inbox import read_mail
from esp_cli.mail.msgfile import parse_msg
from esp_cli.mail.selfreports import UnreadableMail
from tests import factories
from tests.support.paths import shared_dir, skip_unless_in_ci

CORPUS = shared_dir() / "mail-corpus"
needs_corpus = pytest.mark.skipif(
    skip_unless_in_ci(CORPUS.is_dir()), reason="the shared mail corpus is not here"
)
EASTERN = ZoneInfo("America/New_York")
EX_DN = "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN="
SENT = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # 10:30 pm on Tue 11/24 in New York
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column


def make_msg(
    path: Path,
    body: str | None = "Did 2 TBTs today.",
    *,
    name: str | None = "Price, Devon",
    smtp: str | None = "Devon.Price@x.com",
    exchange: bool = True,
    rtf: str | None = None,
    html: str | None = None,
    message_class: str | None = None,
    sent: datetime | None = SENT,
) -> Path:
    """A .msg as classic Outlook saves one: an Exchange sender's address is an X.500 DN,
    the SMTP address (when Exchange stores it) is in PidTagSenderSmtpAddress."""
    msg = MapiMessage.create("ESP progress", body or "")
    string = PropertyTypeCode.PTYP_STRING
    if message_class:
        msg.message_class = message_class
    if name:
        msg.set_property(0x0C1A, string, name)
        msg.set_property(0x0C1E, string, "EX" if exchange else "SMTP")
        msg.set_property(0x0C1F, string, EX_DN + "abc-" + name.split()[-1] if exchange else smtp)
    if smtp and exchange:
        msg.set_property(0x5D01, string, smtp)
    if html is not None:
        msg.body_html = html
    if rtf is not None:
        msg.set_property(0x1009, PropertyTypeCode.PTYP_BINARY, compress(rtf.encode("latin-1")))
    if sent is not None:
        msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, sent)
    msg.save(path)
    return path


def eml(sender: str, body: str, content_type: str = 'text/plain; charset="utf-8"') -> bytes:
    return (
        f"From: {sender}\r\nTo: Jordan Reyes <jordan.reyes@x.com>\r\nSubject: ESP progress\r\n"
        f"Date: Tue, 24 Nov 2026 18:30:00 -0500\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n\r\n{body}\r\n"
    ).encode()


SIGNED_EML = eml(
    "Devon Price <devon.price@x.com>",
    "--b1\r\nContent-Type: text/plain\r\n\r\nSigned update.\r\n--b1\r\nContent-Type: "
    "application/pkcs7-signature; name=smime.p7s\r\n\r\nMIIB\r\n--b1--",
    'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b1"',
)


# ------------------------------------------------------------------------- the reader


def test_an_exchange_sender_is_matched_by_the_smtp_address_not_the_x500_dn(
    tmp_path: Path,
) -> None:
    report = parse_msg(make_msg(tmp_path / "a.msg").read_bytes(), "a.msg", EASTERN)
    assert (report.name, report.email, report.text) == (
        "Price, Devon",
        "devon.price@x.com",
        "Did 2 TBTs today.",
    )
    assert report.day == date(2026, 11, 24)  # the UTC time is 11/25: the team's day counts
    assert parse_msg((tmp_path / "a.msg").read_bytes(), "a", ZoneInfo("UTC")).day == date(
        2026, 11, 25
    )


def test_an_exchange_sender_without_an_smtp_address_keeps_the_name(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "a.msg", name="Devon Price", smtp=None)
    report = parse_msg(path.read_bytes(), "a.msg", EASTERN)
    assert (report.name, report.email) == ("Devon Price", "")  # the DN is not an address


def test_an_rtf_only_body_is_read_as_text(tmp_path: Path) -> None:
    rtf = (
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}"
        r"\f0\fs22 Finished the Privacy TBT\par Caf\'e9 break at 3.\par}"
    )
    path = make_msg(tmp_path / "a.msg", body=None, rtf=rtf)
    report = parse_msg(path.read_bytes(), "a.msg", EASTERN)
    assert report.text == "Finished the Privacy TBT Café break at 3."


def test_an_html_only_body_is_read_as_text(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p{margin:0}</style></head><body><p>Hi Jordan,</p>"
        "<p>Finished the <b>Privacy</b> TBT &amp; half of HIPAA.</p><p>Thanks,<br>Devon</p>"
        "</body></html>"
    )
    path = make_msg(tmp_path / "a.msg", body=None, html=html)
    report = parse_msg(path.read_bytes(), "a.msg", EASTERN)
    assert report.text == "Finished the Privacy TBT & half of HIPAA."


@pytest.mark.parametrize(
    ("kwargs", "kind"),
    [
        ({"name": None, "smtp": None}, "no sender"),
        ({"message_class": "IPM.Note.SMIME"}, "encrypted or signed"),
        ({"sent": None}, "no date"),
    ],
)
def test_a_message_without_a_usable_report_says_why(
    tmp_path: Path, kwargs: dict[str, Any], kind: str
) -> None:
    path = make_msg(tmp_path / "a.msg", **kwargs)
    with pytest.raises(UnreadableMail) as caught:
        parse_msg(path.read_bytes(), "a.msg", EASTERN)
    assert caught.value.kind == kind


def test_a_damaged_msg_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    data = make_msg(tmp_path / "a.msg").read_bytes()
    for broken in (data[:700], data[:8] + b"\x00" * 600, data[:512] + b"\xff" * 1024):
        with pytest.raises(UnreadableMail) as caught:
            read_mail(broken, "a.msg", EASTERN)
        assert caught.value.kind == "corrupt"


def test_the_content_decides_not_the_name(tmp_path: Path) -> None:
    msg = make_msg(tmp_path / "a.msg").read_bytes()
    mime = eml("Devon Price <devon.price@x.com>", "From the web.")
    assert read_mail(msg, "renamed.eml", EASTERN).email == "devon.price@x.com"
    assert read_mail(mime, "renamed.msg", EASTERN).text == "From the web."
    assert read_mail(SIGNED_EML, "signed.eml", EASTERN).text == "Signed update."
    with pytest.raises(UnreadableMail) as caught:
        read_mail(b"call Kim tomorrow\r\n", "notes.eml", EASTERN)
    assert caught.value.kind == "not an e-mail"


# What each real file holds (the corpus README, checked with an independent reader).
CORPUS_SENDERS = {
    "EmailWith2Attachments.msg": ("Spelde van, CMMA (Kees)", "kees.van.spelde@achmea.nl"),
    "EmailWithAttachments.msg": ("Kees", "peterpan@neverland.com"),
    "EmailWithMsgAttachment.msg": ("Daniel Triendl", "d.triendl@cp-solutions.at"),
    "EmailWithReactions.msg": ("test1", "test1@readreceipts.onmicrosoft.com"),
    "EmailWithSpecialCharsInSubject.msg": ("Julie Clarebots", "julie.clarebots@qbere.com"),
    "HtmlSampleEmail.msg": ("Wilson, Chris", "chris.wilson@leeds.gov.uk"),
    "RtfSampleEmail.msg": ("Wilson, Chris", "chris.wilson@leeds.gov.uk"),
    "TxtSampleEmail.msg": ("Wilson, Chris", "chris.wilson@leeds.gov.uk"),
    "sender_not_found_from_exchange.msg": ("Myriam VAREME", ""),
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_SENDERS))
def test_real_outlook_files_give_the_smtp_sender(name: str) -> None:
    report = read_mail((CORPUS / name).read_bytes(), name, EASTERN)
    assert (report.name, report.email) == CORPUS_SENDERS[name]
    assert report.text and "/O=" not in report.email


@needs_corpus
def test_real_files_without_a_sender_are_said_so() -> None:
    for name in ("EmailWithInnerMailAndAttachments.msg", "RtfWithShortRussianString.msg"):
        with pytest.raises(UnreadableMail) as caught:
            read_mail((CORPUS / name).read_bytes(), name, EASTERN)
        assert caught.value.kind == "no sender"


@needs_corpus
def test_the_local_day_comes_from_the_stored_utc_time() -> None:
    data = (CORPUS / "sender_not_found_from_exchange.msg").read_bytes()  # 08:01 UTC 3/31/2026
    assert read_mail(data, "x", EASTERN).day == date(2026, 3, 31)
    assert read_mail(data, "x", ZoneInfo("Pacific/Honolulu")).day == date(2026, 3, 30)


# ----------------------------------------------------------------- a mixed folder, imported

AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Email": "devon.price@x.com"},
    {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Email": "ana.ruiz@x.com"},
    {"Class": "AET-2", "Agent Name": "Chris Wilson", "Email": "Chris.Wilson@leeds.gov.uk"},
    {"Class": "AET-2", "Agent Name": "Myriam Vareme"},
    {"Class": "AET-2", "Agent Name": "Julie Clarebots", "Email": "julie.clarebots@qbere.com"},
    {"Class": "AET-2", "Agent Name": "Bo Chen", "Email": "bo.chen@x.com"},
]
ROW = {a["Agent Name"]: n for n, a in enumerate(AGENTS, start=3)}


def notes(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {name: str(ws[f"{NOTES}{row}"].value or "") for name, row in ROW.items()}


def other_cells(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return [row[:10] + row[11:] for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def folder(tmp_path: Path) -> dict[str, Path]:
    mails = tmp_path / "self-reports"
    mails.mkdir()
    make_msg(mails / "devon.msg")  # Exchange sender with the SMTP address
    make_msg(mails / "ana.msg", "Waiting on SPOC.", name="Ruiz, Ana", smtp=None)  # name only
    make_msg(mails / "bo rtf.msg", None, name="Bo Chen", smtp="bo.chen@x.com",
             rtf=r"{\rtf1\ansi Two TBTs left.\par}")  # fmt: skip
    make_msg(mails / "draft.msg", name=None, smtp=None)
    make_msg(mails / "sealed.msg", message_class="IPM.Note.SMIME")
    (mails / "broken.msg").write_bytes(make_msg(tmp_path / "x.msg").read_bytes()[:900])
    shutil.copy(make_msg(tmp_path / "y.msg", "Renamed.", name="Bo Chen", smtp="bo.chen@x.com"),
                mails / "outlook renamed.eml")  # fmt: skip
    (mails / "web renamed.msg").write_bytes(eml("Ana Ruiz <ana.ruiz@x.com>", "From the web."))
    (mails / "signed.eml").write_bytes(SIGNED_EML)
    (mails / "encrypted.eml").write_bytes(
        eml("Devon Price <devon.price@x.com>", "MIAGCSqGSIb3DQEHA6CAMIACAQAx",
            'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"')
    )  # fmt: skip
    (mails / "stranger.eml").write_bytes(eml("Pat Doe <pat@doe.com>", "Hello?"))
    (mails / "notes.txt").write_text("call Kim tomorrow", encoding="utf-8")
    for junk in ("Thumbs.db", "desktop.ini", "~$draft.docx", ".DS_Store"):
        (mails / junk).write_bytes(b"\x00junk")
    (mails / "archive").mkdir()
    if CORPUS.is_dir():
        for name in ("HtmlSampleEmail.msg", "EmailWithSpecialCharsInSubject.msg",
                     "sender_not_found_from_exchange.msg", "EmailWithAttachments.msg",
                     "RtfWithShortRussianString.msg", "UTF-8_Test.eml"):  # fmt: skip
            shutil.copy(CORPUS / name, mails / name)
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\nself_reports = "self-reports"\n'
        '[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    return {"mails": mails, "tracker": tracker, "config": config}


EXPECTED = {
    "devon.msg": "imported",
    "ana.msg": "imported",
    "bo rtf.msg": "imported",
    "draft.msg": "unreadable",
    "sealed.msg": "unreadable",
    "broken.msg": "unreadable",
    "outlook renamed.eml": "imported",
    "web renamed.msg": "imported",
    "signed.eml": "imported",
    "encrypted.eml": "unreadable",
    "stranger.eml": "unmatched",
    "notes.txt": "unreadable",
    "Thumbs.db": "ignored",
    "desktop.ini": "ignored",
    "~$draft.docx": "ignored",
    ".DS_Store": "ignored",
    "archive": "ignored",
}
CORPUS_EXPECTED = {
    "HtmlSampleEmail.msg": "imported",
    "EmailWithSpecialCharsInSubject.msg": "imported",
    # Myriam's Outlook forward (TR:) of Cathy's e-mail, only her signature above the quote.
    "sender_not_found_from_exchange.msg": "unmatched",
    "EmailWithAttachments.msg": "unmatched",
    "RtfWithShortRussianString.msg": "unreadable",
    "UTF-8_Test.eml": "unmatched",
}


def test_every_file_of_a_mixed_folder_is_accounted_for(folder: dict[str, Path]) -> None:
    before = other_cells(folder["tracker"])
    args = ["progress", "import", "--config", str(folder["config"]), "-f", "json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    data = json.loads(res.stdout)
    files = {Path(f["file"]).name: f for f in data["files"]}
    expected = {**EXPECTED, **(CORPUS_EXPECTED if CORPUS.is_dir() else {})}
    assert {n: f["status"] for n, f in files.items()} == expected
    assert sorted(files) == sorted(p.name for p in folder["mails"].iterdir())
    assert files["draft.msg"]["reason"].startswith("no sender")
    assert files["sealed.msg"]["reason"].startswith("encrypted or signed")
    assert "matched by e-mail" in files["signed.eml"]["reason"]
    assert files["encrypted.eml"]["reason"].startswith(
        "encrypted or signed: encrypted (application/pkcs7-mime)"
    )
    assert files["broken.msg"]["reason"].startswith("corrupt")
    assert files["notes.txt"]["reason"].startswith("not an e-mail")
    assert files["Thumbs.db"]["reason"] == "a system file"
    assert "no agent has the e-mail pat@doe.com" in files["stranger.eml"]["reason"]
    assert "matched by e-mail" in files["devon.msg"]["reason"]
    assert "matched by name" in files["ana.msg"]["reason"]

    after = notes(folder["tracker"])
    # In the order sent: the signed e-mail at 6:30 pm, the .msg at 10:30 pm.
    assert after["Devon Price"] == (
        "11/24/2026 - Devon Price - Signed update.\n11/24/2026 - Devon Price - Did 2 TBTs today."
    )
    assert after["Ana Ruiz"] == (
        "11/24/2026 - Ana Ruiz - From the web.\n11/24/2026 - Ana Ruiz - Waiting on SPOC."
    )
    assert after["Bo Chen"] == (
        "11/24/2026 - Bo Chen - Two TBTs left.\n11/24/2026 - Bo Chen - Renamed."
    )
    if CORPUS.is_dir():
        assert after["Chris Wilson"].startswith("10/23/2017 - Chris Wilson - BOOK ONE: 1805")
        # A forward (TR:) of Cathy's message, only her sign-off and signature above the
        # quote: Cathy's report, not Myriam's.
        assert after["Myriam Vareme"] == ""
        assert (
            "it quotes a report Cathy GRIMONET (commercial@arcencielrecyclage.fr) sent lundi"
            in (files["sender_not_found_from_exchange.msg"]["reason"])
        )
        assert after["Julie Clarebots"] == (
            "03/27/2024 - Julie Clarebots - Testing .msg subject encoding"
        )
    assert other_cells(folder["tracker"]) == before  # only Notes changed

    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    statuses = {Path(f["file"]).name: f["status"] for f in json.loads(again.stdout)["files"]}
    assert statuses["devon.msg"] == "already_imported"
    assert statuses["ana.msg"] == "already_imported"


def test_the_table_names_every_file_with_no_report(folder: dict[str, Path]) -> None:
    """Files that need a look are named; the system's own files are only counted."""
    res = CliRunner().invoke(app, ["progress", "import", "--config", str(folder["config"])])
    assert res.exit_code == 0, res.output
    assert "Files with no report" in res.stdout
    for name in ("draft.msg", "sealed.msg", "broken.msg", "notes.txt"):
        assert name in res.stdout
    assert "Thumbs.db" not in res.stdout and "Thumbs.db" not in res.stderr
    assert "unreadable" in res.stderr and "ignored (system files)" in res.stderr


def test_a_msg_named_on_the_command_line_is_read(folder: dict[str, Path]) -> None:
    res = CliRunner().invoke(
        app,
        ["progress", "import", str(folder["mails"] / "devon.msg"), "-t", str(folder["tracker"]),
         "--config", str(folder["config"]), "-f", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] == 1


def test_a_bad_timezone_is_a_config_error(folder: dict[str, Path]) -> None:
    folder["config"].write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[calendar]\ntimezone = "America/Chicagoo"\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(app, ["progress", "import", "--config", str(folder["config"])])
    assert res.exit_code == 2
    assert "America/Chicagoo" in res.stderr and "IANA" in res.stderr
    assert res.stdout == ""


def test_a_name_split_across_encoded_words_is_read_whole() -> None:
    """Some mailers cut a name's UTF-8 bytes between two encoded words; joined before they
    are decoded, the name reads as sent (decoded one by one it gets broken characters)."""
    mail = (
        b"From: =?utf-8?Q?Zo=C3=AB_Nguy=E1=BB?=\r\n =?utf-8?Q?=85n?= <zoe@x.com>\r\n"
        b"Date: Tue, 24 Nov 2026 17:30:00 -0500\r\nSubject: progress\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nDid 2 TBTs.\r\n"
    )
    report = read_mail(mail, "split.eml", EASTERN)
    assert (report.name, report.email) == ("Zoë Nguyễn", "zoe@x.com")

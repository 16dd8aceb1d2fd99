"""esp tbt proofs on the agents' e-mails: each PDF attached to an .eml or Outlook .msg is
checked and recorded as a file would be, saved into the folder under its own name (never over
another file), and its sender matched to the agent by address — a mismatch said, not guessed."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories
from tests.support.paths import shared_dir, skip_unless_in_ci

CORPUS = shared_dir() / "mail-corpus"
needs_corpus = pytest.mark.skipif(
    skip_unless_in_ci(CORPUS.is_dir()), reason="the shared mail corpus is not here"
)

HEADERS = factories.headers(
    "class", "agent_name", "agent_id", "email", "tbts_complete", "tbt_complete_date"
)
AGENTS = [
    ["AET-1", "Devon Price", "E100", "devon.price@vendorcx.com", "No", None],
    ["AET-1", "Ana Ruiz", "E101", "ana.ruiz@vendorcx.com", "No", None],
    ["AET-2", "Kim Lee", "E102", "kim.lee@vendorcx.com", "No", None],
    ["AET-2", "Omar Haddad", "E103", "", "No", None],
]
# Sent 9:30 pm in New York on Mon 11/23, which is Tue 11/24 in UTC: the team's day counts.
SENT = "Tue, 24 Nov 2026 02:30:00 +0000"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OLD = datetime(2026, 11, 20, 9, 0).timestamp()


def pdf(agent: str) -> bytes:
    return PDF.replace(b"/Catalog", b"/Catalog /Title (" + agent.encode() + b")")


def message(sender: str, *files: tuple[str, bytes], date: str = SENT) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Jordan Reyes <jordan.reyes@vendorcx.com>"
    msg["Subject"] = "My TBT transcript"
    msg["Date"] = date
    msg.set_content("Hi Jordan, my transcript is attached.\n\nThanks,\nDevon")
    for name, data in files:
        kind = ("application", "pdf") if name.lower().endswith(".pdf") else ("image", "png")
        msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return msg


def save(folder: Path, name: str, msg: EmailMessage) -> Path:
    path = folder / name
    if name.endswith(".msg"):
        path.write_bytes(MapiMessage.from_email_message(msg).to_bytes())
    else:
        path.write_bytes(msg.as_bytes())
    os.utime(path, (OLD, OLD))  # saved from Outlook days later than it was sent: not used
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(HEADERS, a, strict=True))
                             for a in AGENTS], headers=HEADERS)  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "esp.toml"
    path.write_text('[calendar]\ntimezone = "America/New_York"\n', encoding="utf-8")
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "proofs"
    folder.mkdir()
    return folder


def proofs(tracker: Path, config: Path, folder: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [
        "tbt", "proofs", str(folder), "--tracker", str(tracker), "--config", str(config),
        "--by", "Jordan Reyes", "-f", "json", *args,
    ])  # fmt: skip


def cells(tracker: Path) -> list[list[Any]]:
    ws = openpyxl.load_workbook(tracker).active
    assert ws is not None
    out = []
    for row in ws.iter_rows(min_row=3, values_only=True):
        done, when = row[4], row[5]
        out.append([done, when.date() if isinstance(when, datetime) else when])
    return out


def test_a_pdf_in_an_eml_and_in_a_msg_is_recorded_and_saved(
    tracker: Path, config: Path, inbox: Path
) -> None:
    save(inbox, "RE TBT.eml", message("Devon Price <devon.price@vendorcx.com>",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    save(inbox, "Ana's transcript.msg", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
         ("image001.png", b"\x89PNG"), ("Ana Ruiz TBT.pdf", pdf("Ana Ruiz"))))  # fmt: skip
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["file"], p["agent"], p["from_email"], p["sender"]) for p in data["recorded"]] == [
        ("Ana Ruiz TBT.pdf", "Ana Ruiz", "Ana's transcript.msg", "ana.ruiz@vendorcx.com"),
        ("Devon Price TBT.pdf", "Devon Price", "RE TBT.eml", "devon.price@vendorcx.com"),
    ]
    assert all("sender_mismatch" not in p for p in data["recorded"])
    assert data["rejected"] == []
    # Saved under its own name, the very bytes; dated the day the e-mail was sent, there.
    for agent in ("Devon Price", "Ana Ruiz"):
        assert (inbox / f"{agent} TBT.pdf").read_bytes() == pdf(agent)
    assert all(p["received"] == "2026-11-23" for p in data["recorded"])
    assert cells(tracker)[:2] == [["Yes", date(2026, 11, 23)]] * 2
    sheet = openpyxl.load_workbook(tracker.parent / "TBT Tracking Sheet.xlsx").active
    assert sheet is not None
    assert [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        hashlib.sha256(pdf("Ana Ruiz")).hexdigest(),
        hashlib.sha256(pdf("Devon Price")).hexdigest(),
    ]
    assert "Saved 2 attachment(s) into" in res.stderr

    # Again: the saved files are the proofs now; nothing twice, nothing rejected.
    res = proofs(tracker, config, inbox)
    again = json.loads(res.stdout)
    assert again["recorded"] == [] and again["rejected"] == []
    assert [p["file"] for p in again["already_recorded"]] == ["Ana Ruiz TBT.pdf",
                                                               "Devon Price TBT.pdf"]  # fmt: skip
    assert again["already_recorded"][0]["received"] == "2026-11-23"  # the file's date


def test_a_sender_that_is_not_the_agent_is_said_not_guessed(
    tracker: Path, config: Path, inbox: Path
) -> None:
    save(inbox, "a.eml", message("Devon <devon.p@gmail.com>",
                                 ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    save(inbox, "b.msg", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                 ("Kim Lee TBT.pdf", pdf("Kim Lee"))))  # fmt: skip
    save(inbox, "c.eml", message("omar@home.net", ("Omar Haddad TBT.pdf", pdf("Omar Haddad"))))
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    found = {p["agent"]: p["sender_mismatch"] for p in json.loads(res.stdout)["recorded"]}
    assert found == {
        "Devon Price": "sent by devon.p@gmail.com, not the agent's address (the tracker has "
        "devon.price@vendorcx.com)",
        "Kim Lee": "sent by ana.ruiz@vendorcx.com, the address of Ana Ruiz (AET-1, row 4)",
        "Omar Haddad": "sent by omar@home.net, not the agent's address (the tracker has no "
        "address for them)",
    }
    assert "check the sender: Kim Lee TBT.pdf (from b.msg), Kim Lee: sent by ana.ruiz" in res.stderr


def test_an_email_without_a_real_pdf_is_listed_with_the_reason(
    tracker: Path, config: Path, inbox: Path
) -> None:
    save(inbox, "no pdf.eml", message("kim.lee@vendorcx.com", ("screenshot.png", b"\x89PNG")))
    save(inbox, "bare.msg", message("kim.lee@vendorcx.com"))
    save(inbox, "fake.eml", message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", b"PK\x03\x04")))
    save(inbox, "misnamed.eml", message("kim.lee@vendorcx.com", ("kim_lee.pdf", pdf("Kim Lee"))))
    (inbox / "broken.msg").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100)
    before = tracker.read_bytes()
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == []
    why = {(r["file"], r.get("from_email")): r["reason"] for r in data["rejected"]}
    assert why[("no pdf.eml", None)].startswith(
        "an e-mail with no PDF attached (its attachments are screenshot.png)"
    )
    assert why[("bare.msg", None)].startswith("an e-mail with no PDF attached (it has no")
    assert why[("Kim Lee TBT.pdf", "fake.eml")].startswith("not a PDF")
    assert "rename it to 'Kim Lee TBT.pdf'" in why[("kim_lee.pdf", "misnamed.eml")]
    assert why[("broken.msg", None)].startswith("an e-mail esp cannot read: a damaged Outlook")
    assert tracker.read_bytes() == before
    assert sorted(p.name for p in inbox.iterdir()) == [
        "bare.msg",
        "broken.msg",
        "fake.eml",
        "misnamed.eml",
        "no pdf.eml",
    ]  # fmt: skip: nothing saved


def test_never_over_another_file_and_never_twice(tracker: Path, config: Path, inbox: Path) -> None:
    (inbox / "Kim Lee TBT.pdf").write_bytes(pdf("Kim Lee, the first one"))
    save(inbox, "kim.eml", message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", pdf("Kim Lee"))))
    devon = pdf("Devon Price")
    save(inbox, "devon 1.eml", message("devon.price@vendorcx.com", ("Devon Price TBT.pdf", devon)))
    save(inbox, "devon 2.msg", message("devon.price@vendorcx.com", ("Devon Price TBT.pdf", devon)))
    save(inbox, "devon 3.eml", message("devon.price@vendorcx.com",
                                       ("Devon Price TBT.pdf", pdf("Devon Price v2"))))  # fmt: skip
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["file"], p.get("from_email")) for p in data["recorded"]] == [
        ("Devon Price TBT.pdf", "devon 1.eml"),
        ("Kim Lee TBT.pdf", None),  # the file that was there
    ]
    why = {(r["file"], r.get("from_email")): r["reason"] for r in data["rejected"]}
    assert why[("Devon Price TBT.pdf", "devon 2.msg")] == (
        "the same file as Devon Price TBT.pdf (in devon 1.eml)"
    )
    assert why[("Devon Price TBT.pdf", "devon 3.eml")] == (
        "a different 'Devon Price TBT.pdf' came in devon 1.eml and is the one taken; esp "
        "never saves over another file"
    )
    fix = {(r["file"], r.get("from_email")): r.get("fix") for r in data["rejected"]}
    assert fix[("Devon Price TBT.pdf", "devon 3.eml")] == (
        "compare the two, and if this one is the transcript, record it by hand"
    )
    assert why[("Kim Lee TBT.pdf", "kim.eml")].startswith(
        "a different 'Kim Lee TBT.pdf' is already in the folder; esp never saves over"
    )
    assert (inbox / "Kim Lee TBT.pdf").read_bytes() == pdf("Kim Lee, the first one")
    assert (inbox / "Devon Price TBT.pdf").read_bytes() == devon


def test_a_pdf_in_a_forwarded_message_and_a_sender_path_stay_in_the_folder(
    tracker: Path, config: Path, inbox: Path, tmp_path: Path
) -> None:
    inner = message("devon.price@vendorcx.com", ("Devon Price TBT.pdf", pdf("Devon Price")))
    outer = message("devon.price@vendorcx.com")
    outer.add_attachment(inner, filename="original.eml")
    save(inbox, "FW TBT.eml", outer)
    save(inbox, "path.eml", message("ana.ruiz@vendorcx.com",
                                    ("..\\..\\Ana Ruiz TBT.pdf", pdf("Ana Ruiz"))))  # fmt: skip
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    assert [p["file"] for p in json.loads(res.stdout)["recorded"]] == [
        "Devon Price TBT.pdf",  # in the message FW TBT.eml forwards
        "Ana Ruiz TBT.pdf",
    ]
    assert (inbox / "Ana Ruiz TBT.pdf").read_bytes() == pdf("Ana Ruiz")
    assert not (tmp_path / "Ana Ruiz TBT.pdf").exists()


def test_dry_run_saves_no_attachment(tracker: Path, config: Path, inbox: Path) -> None:
    save(inbox, "RE TBT.eml", message("devon.price@vendorcx.com",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    assert [p["file"] for p in json.loads(res.stdout)["recorded"]] == ["Devon Price TBT.pdf"]
    assert "Would save 1 attachment(s)" in res.stderr
    assert sorted(p.name for p in inbox.iterdir()) == ["RE TBT.eml"]


def test_an_attachment_that_cannot_be_saved_records_nothing(
    tracker: Path, config: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esp_cli.services import proofs as service

    def refuse(path: Path, data: bytes, *args: object, **kwargs: object) -> bool:
        raise PermissionError(13, "Permission denied", str(path))

    save(inbox, "RE TBT.eml", message("devon.price@vendorcx.com",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    before = tracker.read_bytes()
    monkeypatch.setattr(service, "create_file_atomically", refuse)
    res = proofs(tracker, config, inbox)
    assert res.exit_code == ExitCode.WRITE_FAILED
    assert "the attachment of RE TBT.eml cannot be saved" in res.stderr
    assert tracker.read_bytes() == before
    assert not (tracker.parent / "TBT Tracking Sheet.xlsx").exists()


def test_an_attachment_name_no_file_can_have_is_rejected_and_the_rest_recorded(
    tracker: Path, config: Path, inbox: Path
) -> None:
    long_name = "Leah Goldberg " + "x" * 300 + " TBT.pdf"
    save(inbox, "a-long.eml", message("ana.ruiz@vendorcx.com", (long_name, pdf("Leah"))))
    save(inbox, "b-good.eml", message("Devon Price <devon.price@vendorcx.com>",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["file"] for p in data["recorded"]] == ["Devon Price TBT.pdf"]
    (rejected,) = data["rejected"]
    assert (
        rejected["from_email"] == "a-long.eml"
        and "no file can have this name" in (rejected["reason"])
    )
    assert len(rejected["file"]) < 100  # shown shortened


@needs_corpus
def test_an_email_whose_attachment_is_an_email_says_so() -> None:
    from esp_cli.mail.attachments import read_files
    from esp_cli.services.proofs import incoming_proofs

    path = CORPUS / "EmailWithMsgAttachment.msg"
    assert read_files(path.read_bytes()).emails  # an attached e-mail, by its name
    incoming, rejected = incoming_proofs([path], path.parent)
    assert incoming == []
    (why,) = rejected
    assert "its attachments are an e-mail (" in why.reason and "with no PDF in it" in why.reason


def test_an_eml_forwarding_an_email_with_no_pdf_says_so(inbox: Path) -> None:
    from esp_cli.services.proofs import incoming_proofs

    inner = message("devon.price@vendorcx.com")
    inner.replace_header("Subject", "Fwd: my score")
    outer = message("Devon Price <devon.price@vendorcx.com>")
    outer.add_attachment(inner)
    path = save(inbox, "fwd.eml", outer)
    _, rejected = incoming_proofs([path], inbox)
    assert "its attachments are an e-mail (Fwd: my score) with no PDF in it" in rejected[0].reason


def outlook_msg(sender: str, *files: tuple[str, bytes]) -> bytes:
    """An agent's message as classic Outlook saves it (.msg), with these files attached."""
    return MapiMessage.from_email_message(message(sender, *files)).to_bytes()


def test_an_email_attached_as_a_file_is_opened_for_its_pdfs(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """An SME drags the agent's saved .msg into a web mail message, or attaches a saved
    .eml: the e-mail inside is read as a forwarded one is."""
    saved_msg = outlook_msg("devon.price@vendorcx.com", ("Devon Price TBT.pdf", pdf("Devon")))
    outer = message("Kim Lee <kim.lee@vendorcx.com>")
    outer.add_attachment(saved_msg, maintype="application", subtype="vnd.ms-outlook",
                         filename="RE My transcript.msg")  # fmt: skip
    save(inbox, "fw-with-msg-file.eml", outer)
    saved_eml = message("ana.ruiz@vendorcx.com", ("Ana Ruiz TBT.pdf", pdf("Ana"))).as_bytes()
    outer_msg = MapiMessage.from_email_message(message("kim.lee@vendorcx.com"))
    outer_msg.add_attachment("transcript.eml", saved_eml, mime_type="message/rfc822")
    (inbox / "fw-with-eml-file.msg").write_bytes(outer_msg.to_bytes())
    # A saved .eml attached as message/rfc822 but base64-encoded, as some web mail sends it.
    wrapped = message("Kim Lee <kim.lee@vendorcx.com>")
    wrapped.add_attachment(
        message("omar@home.net", ("Omar Haddad TBT.pdf", pdf("Omar"))).as_bytes(),
        maintype="application", subtype="octet-stream", filename="omar.eml",
    )  # fmt: skip
    wrapped.get_payload()[1].replace_header("Content-Type", 'message/rfc822; name="omar.eml"')
    save(inbox, "fw-base64.eml", wrapped)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == []
    assert sorted((p["file"], p["from_email"]) for p in data["recorded"]) == [
        ("Ana Ruiz TBT.pdf", "fw-with-eml-file.msg"),
        ("Devon Price TBT.pdf", "fw-with-msg-file.eml"),
        ("Omar Haddad TBT.pdf", "fw-base64.eml"),
    ]


def test_a_pdf_attached_without_pdf_in_its_name_is_called_badly_named(
    tracker: Path, config: Path, inbox: Path
) -> None:
    msg = message("kim.lee@vendorcx.com")
    msg.add_attachment(pdf("Kim Lee"), maintype="application", subtype="pdf",
                       filename="Kim Lee TBT")  # fmt: skip
    save(inbox, "noext.eml", msg)
    save(inbox, "octet.eml", message("ana.ruiz@vendorcx.com", ("Ana Ruiz", pdf("Ana Ruiz"))))
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == []
    why = {r["from_email"]: (r["file"], r["reason"], r["expected"]) for r in data["rejected"]}
    assert why == {
        "noext.eml": (
            "Kim Lee TBT",
            "badly named (no '.pdf' at the end): rename it to 'Kim Lee TBT.pdf'",
            "Kim Lee TBT.pdf",
        ),
        "octet.eml": (
            "Ana Ruiz",
            "badly named (no ' TBT' and no '.pdf' at the end): rename it to 'Ana Ruiz TBT.pdf'",
            "Ana Ruiz TBT.pdf",
        ),
    }


# -------------------------------------------------- the e-mail a PDF was found in


def embedded(outer_sender: str, inner: EmailMessage, name: str = "RE My transcript") -> bytes:
    """A .msg with the agent's message inside it, as Outlook's "Forward as attachment"
    keeps one (an embedded message, not a file)."""
    outer = MapiMessage.from_email_message(message(outer_sender))
    outer.add_embedded_message_attachment(MapiMessage.from_email_message(inner), filename=name)
    return outer.to_bytes()


def test_a_pdf_in_an_attached_email_is_checked_against_who_sent_that_email(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """An SME forwards the agent's own e-mail — as a saved .msg, as an attached message, as
    an Outlook embedded message: the PDF's sender is the agent's e-mail's, not the SME's;
    one another agent sent is said, naming both."""
    sme = "Pat Sme <pat.sme@vendorcx.com>"
    devon = message("Devon Price <devon.price@vendorcx.com>", ("Devon Price TBT.pdf", pdf("D")))
    as_file = message(sme)
    as_file.add_attachment(MapiMessage.from_email_message(devon).to_bytes(),
                           maintype="application", subtype="octet-stream",
                           filename="RE My transcript.msg")  # fmt: skip
    save(inbox, "p1.eml", as_file)
    forwarded = message(sme)
    forwarded.add_attachment(message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", pdf("A"))))  # fmt: skip
    save(inbox, "p2.eml", forwarded)
    (inbox / "p3.msg").write_bytes(
        embedded(sme, message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", pdf("K"))))
    )
    # Omar's PDF, in an e-mail Ana sent.
    other = message(sme)
    other.add_attachment(MapiMessage.from_email_message(message(
        "Ana Ruiz <ana.ruiz@vendorcx.com>", ("Omar Haddad TBT.pdf", pdf("O")))).to_bytes(),
        maintype="application", subtype="octet-stream", filename="FW.msg")  # fmt: skip
    save(inbox, "p4.eml", other)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == []
    found = {p["agent"]: (p["sender"], p.get("sender_mismatch")) for p in data["recorded"]}
    assert found == {
        "Devon Price": ("devon.price@vendorcx.com", None),
        "Ana Ruiz": ("ana.ruiz@vendorcx.com", None),
        "Kim Lee": ("kim.lee@vendorcx.com", None),
        "Omar Haddad": (
            "ana.ruiz@vendorcx.com",
            "sent by ana.ruiz@vendorcx.com, the address of Ana Ruiz (AET-1, row 4), in FW.msg "
            "forwarded by pat.sme@vendorcx.com",
        ),
    }


def test_an_attached_email_esp_cannot_open_is_said_so(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """A damaged e-mail attached as a file, or one attached more than five e-mails deep, is
    not "no PDF attached": esp says it could not open it."""
    whole = MapiMessage.from_email_message(
        message("ana.ruiz@vendorcx.com", ("Ana Ruiz TBT.pdf", pdf("A")))
    ).to_bytes()
    cut = message("Ana Ruiz <ana.ruiz@vendorcx.com>")
    cut.add_attachment(whole[: len(whole) // 2], maintype="application",
                       subtype="octet-stream", filename="mine.msg")  # fmt: skip
    save(inbox, "cut.eml", cut)
    deep = message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", pdf("K"))).as_bytes()
    for level in range(7, 0, -1):
        wrapper = message("kim.lee@vendorcx.com")
        wrapper.add_attachment(deep, maintype="application", subtype="octet-stream",
                               filename=f"level{level}.eml")  # fmt: skip
        deep = wrapper.as_bytes()
    (inbox / "deep.eml").write_bytes(deep)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    why = {(r["from_email"], r["file"]): r["reason"] for r in json.loads(res.stdout)["rejected"]}
    assert why[("cut.eml", "mine.msg")].startswith(
        "an attached e-mail esp cannot read: a damaged Outlook file"
    )
    assert why[("deep.eml", "level6.eml")] == (
        "an attached e-mail esp did not open: e-mails attached more than 5 deep are not "
        "opened; ask for the PDF itself"
    )
    assert not any("no PDF attached" in reason for reason in why.values())


def test_a_pdf_the_agent_sent_on_behalf_of_a_shared_mailbox_is_no_mismatch(
    tracker: Path, config: Path, inbox: Path
) -> None:
    msg = message("ESP Team <esp.team@vendorcx.com>", ("Kim Lee TBT.pdf", pdf("K")))
    msg["Sender"] = "Kim Lee <kim.lee@vendorcx.com>"
    save(inbox, "shared.eml", msg)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["agent"] == "Kim Lee" and "sender_mismatch" not in proof


def test_a_tracking_sheet_refused_for_a_hidden_column_saves_no_attachment(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """The TBT Tracking Sheet lacks SHA-256, and every column right of its headers is
    hidden: the refusal comes before the e-mail's PDF is saved into the folder."""
    from tests.support.packages import copy_with_parts, zip_parts

    sheet = tracker.parent / "TBT Tracking Sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Agent", "Class", "File", "Received", "Recorded By"])
    ws.append(["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo"])
    wb.save(sheet)
    part = "xl/worksheets/sheet1.xml"
    xml = zip_parts(sheet)[part].replace(
        b"<sheetData>", b'<cols><col min="6" max="16384" width="9" hidden="1"/></cols><sheetData>'
    )
    copy_with_parts(sheet, tracker.parent / "hidden.xlsx", {part: xml})
    (tracker.parent / "hidden.xlsx").replace(sheet)
    save(inbox, "RE TBT.eml", message("devon.price@vendorcx.com",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 1, res.output
    assert "column F is hidden" in res.stderr and "'SHA-256'" in res.stderr, res.stderr
    assert sorted(p.name for p in inbox.iterdir()) == ["RE TBT.eml"]


def raw_pdf_mail(sender: str, disposition: bytes) -> bytes:
    """An e-mail with one PDF whose Content-Disposition is written as given (8-bit bytes and
    all, as mailers write it)."""
    return (
        (
            f"From: {sender}\r\nTo: Jordan Reyes <jordan.reyes@vendorcx.com>\r\n"
            f"Subject: My TBT transcript\r\nDate: {SENT}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain\r\n\r\nAttached.\r\n--b\r\nContent-Type: application/pdf\r\n"
            "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
        ).encode()
        + disposition
        + b"\r\n\r\n"
        + base64.b64encode(pdf(sender))
        + b"\r\n--b--\r\n"
    )


def test_a_proof_named_in_raw_utf8_or_an_odd_character_set_is_recorded(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """A name written in unencoded UTF-8 is UTF-8; a character set that is a Python codec
    but no character set (base64, idna) is an unknown one: the name is read, never a crash."""
    agents = [*AGENTS, ["AET-2", "María González", "E104", "maria.g@vendorcx.com", "No", None]]
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(HEADERS, a, strict=True))
                                for a in agents], headers=HEADERS)  # fmt: skip
    (inbox / "a.eml").write_bytes(raw_pdf_mail(
        "María González <maria.g@vendorcx.com>",
        'filename="María González TBT.pdf"'.encode(),
    ))  # fmt: skip
    (inbox / "b.eml").write_bytes(raw_pdf_mail(
        "Devon Price <devon.price@vendorcx.com>", b"filename*=base64''Devon%20Price%20TBT.pdf"
    ))  # fmt: skip
    (inbox / "c.eml").write_bytes(raw_pdf_mail(
        "Ana Ruiz <ana.ruiz@vendorcx.com>", b"filename*=idna''Ana%20Ruiz%20TBT.pdf"
    ))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert sorted((p["file"], p["agent"]) for p in data["recorded"]) == [
        ("Ana Ruiz TBT.pdf", "Ana Ruiz"),
        ("Devon Price TBT.pdf", "Devon Price"),
        ("María González TBT.pdf", "María González"),
    ]
    assert data["rejected"] == []


def test_a_mailed_copy_of_another_agents_recorded_proof_is_rejected_and_not_saved(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Devon's transcript recorded, then the same PDF mailed by Kim as hers: rejected naming
    whose it is, not saved into the folder, Kim not flagged."""
    save(inbox, "RE TBT.eml", message("Devon Price <devon.price@vendorcx.com>",
                                      ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    assert proofs(tracker, config, inbox).exit_code == 0
    later = inbox.parent / "later"
    later.mkdir()
    save(later, "Kim.eml", message("Kim Lee <kim.lee@vendorcx.com>",
                                   ("Kim Lee TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    res = proofs(tracker, config, later)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    assert [(r["file"], r["from_email"]) for r in data["rejected"]] == [
        ("Kim Lee TBT.pdf", "Kim.eml")
    ]
    assert data["rejected"][0]["reason"].startswith(
        "the same file was recorded for Devon Price on 11/23/2026"
    )
    assert not (later / "Kim Lee TBT.pdf").exists()
    assert cells(tracker)[2] == ["No", None]


# Mon 11/23, 10:00 am in New York: the day each agent e-mailed the transcript.
AGENT_SENT = "Mon, 23 Nov 2026 15:00:00 +0000"
# Wed 11/25, 10:00 am in New York: the day an SME forwarded the agent's e-mail.
FORWARDED = "Wed, 25 Nov 2026 15:00:00 +0000"


def test_a_forwarded_transcript_is_dated_the_day_the_agent_sent_it(
    tracker: Path, config: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SME forwards the agent's own e-mail days later — as a saved .msg, an attached
    message, an Outlook embedded message, a saved .eml in a .msg: the transcript is complete
    the day the agent's e-mail was sent, and esp says both days."""
    # aspose-email-foss writes an embedded message's fixed properties (its time among them)
    # after a 32-byte header, where Outlook writes a 24-byte one: esp reads either.
    sme = "Pat Sme <pat.sme@vendorcx.com>"

    def agents(sender: str, file: str) -> EmailMessage:
        return message(sender, (file, pdf(file)), date=AGENT_SENT)

    as_file = message(sme, date=FORWARDED)
    as_file.add_attachment(
        MapiMessage.from_email_message(
            agents("Devon Price <devon.price@vendorcx.com>", "Devon Price TBT.pdf")
        ).to_bytes(),
        maintype="application", subtype="octet-stream", filename="RE My transcript.msg",
    )  # fmt: skip
    save(inbox, "p1.eml", as_file)
    forwarded = message(sme, date=FORWARDED)
    forwarded.add_attachment(agents("Ana Ruiz <ana.ruiz@vendorcx.com>", "Ana Ruiz TBT.pdf"))
    save(inbox, "p2.eml", forwarded)
    outer = MapiMessage.from_email_message(message(sme, date=FORWARDED))
    outer.add_embedded_message_attachment(
        MapiMessage.from_email_message(agents("kim.lee@vendorcx.com", "Kim Lee TBT.pdf")),
        filename="RE My transcript",
    )
    (inbox / "p3.msg").write_bytes(outer.to_bytes())
    outer = MapiMessage.from_email_message(message(sme, date=FORWARDED))
    outer.add_attachment(
        "omar.eml",
        agents("omar@home.net", "Omar Haddad TBT.pdf").as_bytes(),
        mime_type="message/rfc822",
    )
    (inbox / "p4.msg").write_bytes(outer.to_bytes())
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == []
    got = {p["agent"]: (p["received"], p["forwarded"]) for p in data["recorded"]}
    assert got == {
        "Devon Price": (
            "2026-11-23",
            "sent by devon.price@vendorcx.com on 11/23/2026, forwarded by "
            "pat.sme@vendorcx.com on 11/25/2026",
        ),
        "Ana Ruiz": (
            "2026-11-23",
            "sent by ana.ruiz@vendorcx.com on 11/23/2026, forwarded by "
            "pat.sme@vendorcx.com on 11/25/2026",
        ),
        "Kim Lee": (
            "2026-11-23",
            "sent by kim.lee@vendorcx.com on 11/23/2026, forwarded by "
            "pat.sme@vendorcx.com on 11/25/2026",
        ),
        "Omar Haddad": (
            "2026-11-23",
            "sent by omar@home.net on 11/23/2026, forwarded by pat.sme@vendorcx.com on 11/25/2026",
        ),
    }
    assert [row[1] for row in cells(tracker)] == [date(2026, 11, 23)] * 4
    assert "forwarded by pat.sme@vendorcx.com on 11/25/2026" in res.stderr
    # The saved PDFs keep the agent's day: a later run dates them so too.
    saved = datetime.fromtimestamp((inbox / "Ana Ruiz TBT.pdf").stat().st_mtime)
    assert saved.date() in (date(2026, 11, 23), date(2026, 11, 24))


@pytest.mark.parametrize(
    ("agents_date", "forward_date", "received", "forwarded"),
    [
        # The agent's e-mail holds no time: dated by the forward, as an e-mail of its own.
        (None, FORWARDED, "2026-11-25",
         "sent by ana.ruiz@vendorcx.com (no time in it), forwarded by pat.sme@vendorcx.com on "
         "11/25/2026"),
        # The forward holds none (saved from Drafts): the agent's, not the file's 11/20.
        (AGENT_SENT, None, "2026-11-23",
         "sent by ana.ruiz@vendorcx.com on 11/23/2026, forwarded by pat.sme@vendorcx.com "
         "(no time in it)"),
    ],
)  # fmt: skip
def test_an_email_without_a_time_in_a_forward_is_dated_by_the_other(
    tracker: Path,
    config: Path,
    inbox: Path,
    agents_date: str | None,
    forward_date: str | None,
    received: str,
    forwarded: str,
) -> None:
    inner = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("A")))
    outer = message("Pat Sme <pat.sme@vendorcx.com>")
    for msg, when in ((inner, agents_date), (outer, forward_date)):
        del msg["Date"]
        if when is not None:
            msg["Date"] = when
    outer.add_attachment(inner)
    save(inbox, "fw.eml", outer)  # the file's own time: 11/20
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert (proof["received"], proof["forwarded"]) == (received, forwarded)


def test_the_csv_says_a_transcript_was_forwarded_as_the_json_does(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """--format csv has the JSON's `forwarded`: who sent the transcript and when, who
    forwarded it and when; empty for a transcript the agent sent."""
    forwarded = message("Pat Sme <pat.sme@vendorcx.com>", date=FORWARDED)
    forwarded.add_attachment(
        message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("Ana Ruiz TBT.pdf")),
                date=AGENT_SENT)
    )  # fmt: skip
    save(inbox, "p2.eml", forwarded)
    own = "Devon Price <devon.price@vendorcx.com>"
    save(inbox, "p1.eml", message(own, ("Devon Price TBT.pdf", pdf("Devon Price TBT.pdf"))))
    res = proofs(tracker, config, inbox, "--dry-run", "-f", "csv")
    assert res.exit_code == 0, res.output
    rows = {r["agent"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert rows["Ana Ruiz"]["forwarded"] == (
        "sent by ana.ruiz@vendorcx.com on 11/23/2026, forwarded by pat.sme@vendorcx.com on "
        "11/25/2026"
    )
    assert rows["Ana Ruiz"]["received"] == "2026-11-23"
    assert rows["Devon Price"]["forwarded"] == ""


def _forward(inbox: Path, agents_date: str, forward_date: str = FORWARDED) -> None:
    inner = message(
        "Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("A")), date=agents_date
    )
    outer = message("Pat Sme <pat.sme@vendorcx.com>", date=forward_date)
    outer.add_attachment(inner)
    save(inbox, "fw.eml", outer)


def test_an_agents_email_dated_after_the_forward_carrying_it_is_dated_the_forwards_day(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """A wrong clock on the agent's computer: her e-mail cannot have been sent after the
    forward that carries it, so the forward's day is written, and esp says why."""
    _forward(inbox, "Tue, 05 Jan 2027 15:00:00 +0000")
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["received"] == "2026-11-25"
    assert proof["date_warning"] == (
        "the agent's e-mail is dated 01/05/2027, after the forward that carries it "
        "(11/25/2026): a wrong clock on the agent's computer? Dated the forward's day"
    )
    assert cells(tracker)[1] == ["Yes", date(2026, 11, 25)]
    assert "check the date: Ana Ruiz TBT.pdf (from fw.eml), Ana Ruiz: the agent's" in res.stderr
    assert ": dated 11/25/2026" in res.stderr
    # The saved PDF keeps that day: a later run dates it so too.
    saved = datetime.fromtimestamp((inbox / "Ana Ruiz TBT.pdf").stat().st_mtime)
    assert saved.date() in (date(2026, 11, 25), date(2026, 11, 26))


def test_an_agents_email_dated_before_her_esp_start_is_dated_the_forwards_day_and_said(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    headers = (*HEADERS, factories.headers("esp_start")[0])
    rows = [[*a, date(2026, 11, 16)] for a in AGENTS]
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(headers, a,
                                strict=True)) for a in rows], headers=headers)  # fmt: skip
    _forward(inbox, "Thu, 01 Oct 2026 15:00:00 +0000")
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["received"] == "2026-11-25"
    assert proof["date_warning"] == (
        "the agent's e-mail is dated 10/01/2026, before Ana Ruiz's ESP Start Date "
        "(11/16/2026): a wrong clock, or a transcript of an earlier enrolment? Dated the "
        "forward's day; check the transcript"
    )
    assert cells(tracker)[1] == ["Yes", date(2026, 11, 25)]


def test_an_email_dated_after_today_is_dated_today_and_said(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """No forward to bound it: an e-mail cannot have been sent after it was saved, today."""
    later = "Fri, 05 Jan 2099 15:00:00 +0000"
    mine = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("A")), date=later)
    save(inbox, "mine.eml", mine)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["received"] < "2099"
    assert proof["date_warning"].startswith(
        "the e-mail is dated 01/05/2099, after today: a wrong clock on the sender's computer? "
        "Dated today"
    )


def _starting(tmp_path: Path, start: date) -> Path:
    headers = (*HEADERS, factories.headers("esp_start")[0])
    rows = [[*a, start] for a in AGENTS]
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(headers, a,
                             strict=True)) for a in rows], headers=headers)  # fmt: skip


@pytest.mark.parametrize("forward", [None, "Mon, 02 Nov 2026 15:00:00 +0000"])
def test_a_transcript_dated_before_the_esp_start_with_nothing_later_is_dated_today(
    tmp_path: Path, config: Path, inbox: Path, forward: str | None
) -> None:
    """No completion day before the clock started is written (the KPIs would count it
    negative): with no forward on or after the start to date it by, the day it is read."""
    tracker = _starting(tmp_path, date(2026, 11, 16))
    if forward is None:
        sent = "Thu, 01 Oct 2026 15:00:00 +0000"
        save(inbox, "c.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf",
             pdf("A")), date=sent))  # fmt: skip
    else:
        _forward(inbox, "Thu, 01 Oct 2026 15:00:00 +0000", forward)
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    today = date.today()  # the team's day, within a day of this machine's
    assert proof["received"] in {(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}
    what = "the agent's e-mail" if forward else "the e-mail"
    assert proof["date_warning"].startswith(f"{what} is dated 10/01/2026, before Ana Ruiz's ")
    assert proof["date_warning"].endswith("Dated today, the day it is read; check the transcript")
    done, day = cells(tracker)[1]
    assert done == "Yes" and day >= date(2026, 11, 16)


def test_a_transcript_dated_before_an_esp_start_still_to_come_is_not_recorded(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    tracker = _starting(tmp_path, date(2099, 1, 5))
    save(inbox, "c.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf",
         pdf("A")), date="Thu, 01 Oct 2026 15:00:00 +0000"))  # fmt: skip
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == []
    (refused,) = data["rejected"]
    assert refused["reason"].endswith(
        "Not recorded: today is before the start too, and no day before it is written"
    )
    assert refused["fix"] == "check the transcript, and run esp tbt proofs again from 01/05/2099"
    assert (refused["agent"], refused["class"], refused["row"]) == ("Ana Ruiz", "AET-1", 4)
    assert cells(tracker)[1] == ["No", None]


def test_one_file_mailed_as_two_agents_transcripts_is_neither_saved_nor_recorded(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Kim's and Devon's e-mails carry the same PDF, recorded for neither: whose it is
    cannot be told, so neither is recorded nor saved into the folder, each naming the
    other; the same PDF in two of Devon's own e-mails stays one proof."""
    same = pdf("Kim Lee")
    save(inbox, "devon.eml", message("devon.price@vendorcx.com", ("Devon Price TBT.pdf", same)))
    save(inbox, "kim.eml", message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", same)))
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    why = {(r["file"], r.get("from_email")): r["reason"] for r in data["rejected"]}
    assert why[("Devon Price TBT.pdf", "devon.eml")].startswith(
        "the same file as Kim Lee's (Kim Lee TBT.pdf in kim.eml): whose transcript is it?"
    ), why
    assert why[("Kim Lee TBT.pdf", "kim.eml")].startswith(
        "the same file as Devon Price's (Devon Price TBT.pdf in devon.eml): whose transcript"
    ), why
    assert sorted(p.name for p in inbox.iterdir()) == ["devon.eml", "kim.eml"]
    (inbox / "devon.eml").unlink()
    save(inbox, "kim 2.eml", message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", same)))
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["file"] for p in data["recorded"]] == ["Kim Lee TBT.pdf"]
    (copy,) = data["rejected"]
    assert copy["reason"].startswith("the same file as Kim Lee TBT.pdf (in kim"), copy
    assert (inbox / "Kim Lee TBT.pdf").read_bytes() == same


def test_one_file_as_two_agents_transcripts_is_neither_when_one_waits_for_her_start(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """Kim's copy is held (her ESP Start Date is still ahead), Ana's has the same bytes:
    the file still came as both agents' transcripts, so neither is recorded."""
    headers = (*HEADERS, factories.headers("esp_start")[0])
    rows = [[*a, date(2099, 1, 5) if a[1] == "Kim Lee" else None] for a in AGENTS]
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(headers, a,
                                strict=True)) for a in rows], headers=headers)  # fmt: skip
    same = pdf("Kim Lee")
    save(inbox, "a kim.eml", message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", same)))
    save(inbox, "b ana.eml", message("ana.ruiz@vendorcx.com", ("Ana Ruiz TBT.pdf", same)))
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [] and data["changes"] == []
    why = {r["file"]: r["reason"] for r in data["rejected"]}
    assert why["Ana Ruiz TBT.pdf"].startswith(
        "the same file as Kim Lee's (Kim Lee TBT.pdf in a kim.eml): whose transcript is it?"
    ), why
    assert why["Kim Lee TBT.pdf"].startswith(
        "the same file as Ana Ruiz's (Ana Ruiz TBT.pdf in b ana.eml): whose transcript is it?"
    ), why
    assert "run esp tbt proofs again from 01/05/2099" in why["Kim Lee TBT.pdf"], why
    assert sorted(p.name for p in inbox.iterdir()) == ["a kim.eml", "b ana.eml"]


# Tue 11/24 and Mon 11/30, 10:00 am in New York: an SME forwards the agent's e-mail to the
# lead, who forwards the SME's to the coordinator days later.
SME_FORWARDED = "Tue, 24 Nov 2026 15:00:00 +0000"
LEAD_FORWARDED = "Mon, 30 Nov 2026 15:00:00 +0000"


def _twice_forwarded(
    layout: str, agent: str, agents_date: str | None, smes_date: str = SME_FORWARDED
) -> bytes:
    """The agent's e-mail (its PDF attached) forwarded as an attachment by an SME, whose
    forward the lead forwards as an attachment: as attached messages (.eml), as Outlook
    embedded messages (.msg), or an .eml with the SME's saved .msg attached to it."""
    name = agent.split(" <")[0]
    inner = message(agent, (f"{name} TBT.pdf", pdf(name)))
    del inner["Date"]
    if agents_date is not None:
        inner["Date"] = agents_date
    mid = message("Pat Sme <pat.sme@vendorcx.com>", date=smes_date)
    top = message("Lee Lead <lee.lead@vendorcx.com>", date=LEAD_FORWARDED)
    if layout == "eml":
        mid.add_attachment(inner)
        top.add_attachment(mid)
        return top.as_bytes()
    sme = MapiMessage.from_email_message(mid)
    sme.add_embedded_message_attachment(
        MapiMessage.from_email_message(inner), filename="My TBT transcript"
    )
    if layout == "msg":
        lead = MapiMessage.from_email_message(top)
        lead.add_embedded_message_attachment(sme, filename="FW My TBT transcript")
        return lead.to_bytes()
    top.add_attachment(
        sme.to_bytes(),
        maintype="application", subtype="vnd.ms-outlook", filename="FW My TBT transcript.msg",
    )  # fmt: skip
    return top.as_bytes()


@pytest.mark.parametrize("layout", ["eml", "msg", "eml with a saved msg"])
def test_a_transcript_forwarded_twice_is_dated_by_the_agent_and_checked_by_the_nearest_forward(
    tracker: Path, config: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Agent -> SME -> lead, each forward as an attachment: the agent's e-mail dates the
    transcript; one with no time is dated by the SME's forward that carries it, not the
    lead's days later; one dated after the SME's forward is a wrong clock, said; and both
    forwarders are named, the nearest first."""
    suffix = ".msg" if layout == "msg" else ".eml"
    for file, agent, when in (
        ("ana", "Ana Ruiz <ana.ruiz@vendorcx.com>", None),
        ("devon", "Devon Price <devon.price@vendorcx.com>", "Fri, 27 Nov 2026 15:00:00 +0000"),
        ("kim", "Kim Lee <kim.lee@vendorcx.com>", AGENT_SENT),
    ):
        (inbox / f"{file}{suffix}").write_bytes(_twice_forwarded(layout, agent, when))
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == []
    got = {p["agent"]: (p["received"], p["forwarded"], p.get("date_warning"))
           for p in data["recorded"]}  # fmt: skip
    chain = "forwarded by pat.sme@vendorcx.com on 11/24/2026, then by lee.lead@vendorcx.com on "
    chain += "11/30/2026"
    assert got == {
        "Ana Ruiz": ("2026-11-24", f"sent by ana.ruiz@vendorcx.com (no time in it), {chain}", None),
        "Devon Price": (
            "2026-11-24",
            f"sent by devon.price@vendorcx.com on 11/27/2026, {chain}",
            "the agent's e-mail is dated 11/27/2026, after the forward that carries it "
            "(11/24/2026): a wrong clock on the agent's computer? Dated the forward's day",
        ),
        "Kim Lee": ("2026-11-23", f"sent by kim.lee@vendorcx.com on 11/23/2026, {chain}", None),
    }
    assert [row[1] for row in cells(tracker)[:3]] == [
        date(2026, 11, 24), date(2026, 11, 24), date(2026, 11, 23)
    ]  # fmt: skip
    assert "check the date: Devon Price TBT.pdf" in res.stderr


@pytest.mark.parametrize("suffix", [".eml", ".msg"])
def test_the_same_transcript_in_the_forward_and_in_the_agents_email_is_the_agents(
    tracker: Path, config: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """An SME attaches the agent's transcript again beside the agent's own e-mail, which
    holds it too: one transcript, taken from the agent's e-mail — dated by it, her sender."""
    transcript = ("Ana Ruiz TBT.pdf", pdf("Ana Ruiz"))
    inner = message("Ana Ruiz <ana.ruiz@vendorcx.com>", transcript, date=AGENT_SENT)
    outer = message("Pat Sme <pat.sme@vendorcx.com>", transcript, date=FORWARDED)
    if suffix == ".eml":
        outer.add_attachment(inner)
        (inbox / "fw.eml").write_bytes(outer.as_bytes())
    else:
        sme = MapiMessage.from_email_message(outer)
        sme.add_embedded_message_attachment(
            MapiMessage.from_email_message(inner), filename="My TBT transcript"
        )
        (inbox / "fw.msg").write_bytes(sme.to_bytes())
    res = proofs(tracker, config, inbox)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rejected"] == []
    (proof,) = data["recorded"]
    assert (proof["received"], proof["sender"], proof.get("sender_mismatch")) == (
        "2026-11-23", "ana.ruiz@vendorcx.com", None
    )  # fmt: skip
    assert cells(tracker)[1] == ["Yes", date(2026, 11, 23)]
    assert "check the sender" not in res.stderr


def test_two_different_copies_in_one_email_say_which_was_taken(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """The SME's copy and the agent's own e-mail's differ: the SME's is taken, as before, and
    the other's reason says which copy each is and that the first was taken."""
    inner = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("new")),
                    date=AGENT_SENT)  # fmt: skip
    inner.replace_header("Subject", "Transcript attached")
    outer = message("Pat Sme <pat.sme@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("old")),
                    date=FORWARDED)  # fmt: skip
    outer.add_attachment(inner)
    save(inbox, "fw.eml", outer)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["sender"] for p in data["recorded"]] == ["pat.sme@vendorcx.com"]
    (rejected,) = data["rejected"]
    assert rejected["reason"] == (
        "a different 'Ana Ruiz TBT.pdf' came in the same e-mail (attached by "
        "pat.sme@vendorcx.com; this one in the attached e-mail 'Transcript attached' from "
        "ana.ruiz@vendorcx.com) and is the one taken; esp never saves over another file"
    )
    assert rejected["fix"] == (
        "compare the two, and if this one is the transcript, record it by hand"
    )
    assert (rejected["agent"], rejected["class"]) == ("Ana Ruiz", "AET-1")


@pytest.mark.parametrize("names", [("FW My TBT transcript.eml", "My TBT transcript.eml"),
                                   ("b mine.eml", "a sme.eml")])  # fmt: skip
def test_the_agents_own_email_is_the_proof_beside_her_smes_forward_of_it(
    tracker: Path, config: Path, inbox: Path, names: tuple[str, str]
) -> None:
    """The agent's e-mail and her SME's ordinary Forward of it (the PDF attached again) in
    one folder: the same file, taken from the agent's own e-mail — her day, her address —
    whichever e-mail file's name sorts first."""
    forward_name, own_name = names
    same = pdf("Ana Ruiz")
    save(inbox, own_name, message("ana.ruiz@vendorcx.com", ("Ana Ruiz TBT.pdf", same)))
    sme = message("pat.sme@vendorcx.com", ("Ana Ruiz TBT.pdf", same), date=SME_FORWARDED)
    save(inbox, forward_name, sme)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (proof,) = data["recorded"]
    assert (proof["from_email"], proof["received"]) == (own_name, "2026-11-23"), proof
    assert "sender_mismatch" not in proof and proof["sender"] == "ana.ruiz@vendorcx.com", proof
    (copy,) = data["rejected"]
    assert copy["from_email"] == forward_name
    assert copy["reason"] == f"the same file as Ana Ruiz TBT.pdf (in {own_name})"


def test_the_agents_own_copy_is_taken_when_her_smes_copy_is_another_agents_file(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """The SME attached Ana's name on a file that is also Kim's transcript, beside Ana's own
    e-mail holding another file: the SME's copy is neither agent's, so nothing says it was
    taken; Ana's own copy, from her address, is her proof."""
    shared = pdf("shared")
    inner = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("own")),
                    date=AGENT_SENT)  # fmt: skip
    outer = message("Pat Sme <pat.sme@vendorcx.com>", ("Ana Ruiz TBT.pdf", shared),
                    date=FORWARDED)  # fmt: skip
    outer.add_attachment(inner)
    save(inbox, "a fw.eml", outer)
    (inbox / "Kim Lee TBT.pdf").write_bytes(shared)  # saved by hand
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["agent"], p["sender"]) for p in data["recorded"]] == [
        ("Ana Ruiz", "ana.ruiz@vendorcx.com")
    ]
    reasons = [r["reason"] for r in data["rejected"]]
    assert len(reasons) == 2 and all("whose transcript is it?" in r for r in reasons), reasons
    assert not any("the one taken" in r for r in reasons), reasons


def test_an_smes_forward_dated_after_the_leads_forward_carrying_it_is_a_wrong_clock(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """The agent's e-mail holds no time, the SME's forward says Fri 12/04, the lead's that
    carries it Mon 11/30: no e-mail is forwarded before it was sent, so 11/30, said."""
    later = "Fri, 04 Dec 2026 15:00:00 +0000"
    chain = _twice_forwarded("eml", "Ana Ruiz <ana.ruiz@vendorcx.com>", None, later)
    (inbox / "ana.eml").write_bytes(chain)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert proof["received"] == "2026-11-30", proof
    assert proof["date_warning"] == (
        "pat.sme@vendorcx.com's forward is dated 12/04/2026, after the forward that carries it "
        "(lee.lead@vendorcx.com, 11/30/2026): a wrong clock on that computer? Dated 11/30/2026"
    )


IMCEAEX = (
    "IMCEAEX-_O=EXCHANGELABS_OU=EXCHANGE+20ADMINISTRATIVE+20GROUP+20+28FYDIBOHF23SPDLT+29_CN"
    "=RECIPIENTS_CN=a1b2-Ana+20Ruiz@namprd04.prod.outlook.com"
)


@pytest.mark.parametrize(
    ("sender", "shown"),
    [
        ("Ana Ruiz", "Ana Ruiz"),
        ('"Ruiz, Ana"', "Ruiz, Ana"),
        (f'"Ruiz, Ana" <{IMCEAEX}>', "Ruiz, Ana"),
    ],
)
def test_an_agents_email_with_no_smtp_address_passes_on_her_name(
    tracker: Path, config: Path, inbox: Path, sender: str, shown: str
) -> None:
    """An Exchange colleague's e-mail forwarded by her SME holds her name, no address (or
    an Exchange one, no SMTP address): her name is checked, and said as written."""
    inner = message(sender, ("Ana Ruiz TBT.pdf", pdf("Ana Ruiz")), date=AGENT_SENT)
    outer = message("Pat Sme <pat.sme@vendorcx.com>", date=FORWARDED)
    outer.add_attachment(inner)
    save(inbox, "fw.eml", outer)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    (proof,) = json.loads(res.stdout)["recorded"]
    assert "sender_mismatch" not in proof, proof
    assert proof["forwarded"] == (
        f"sent by {shown} on 11/23/2026, forwarded by pat.sme@vendorcx.com on 11/25/2026"
    ), proof


def test_an_email_forwarded_more_than_five_deep_as_a_message_is_not_opened(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """As deep as an e-mail attached as a file is opened, and no deeper: said, not taken
    for "no PDF attached"."""
    deep = message("kim.lee@vendorcx.com", ("Kim Lee TBT.pdf", pdf("K")))
    for level in range(7, 0, -1):
        wrapper = message("pat.sme@vendorcx.com")
        wrapper.replace_header("Subject", f"level {level}")
        wrapper.add_attachment(deep)
        deep = wrapper
    save(inbox, "deep.eml", deep)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == []
    ((file, reason),) = [(r["file"], r["reason"]) for r in data["rejected"]]
    assert reason == (
        "an attached e-mail esp did not open: e-mails attached more than 5 deep are not "
        "opened; ask for the PDF itself"
    ), (file, reason)


def test_one_file_from_an_agents_own_email_and_forwarded_as_anothers_is_neithers(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana sent `transcript.pdf` from her own address; her SME forwarded the same bytes
    renamed as Kim's: her own e-mail says the bytes are hers, so the file came as two
    agents' transcripts and is neither's, each refusal naming the other."""
    same = pdf("shared")
    save(inbox, "R1 mine.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                       ("transcript.pdf", same), date=AGENT_SENT))  # fmt: skip
    save(inbox, "R2 fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                     ("Kim Lee TBT.pdf", same), date=FORWARDED))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [], data["recorded"]
    reasons = {r["file"]: r["reason"] for r in data["rejected"]}
    assert reasons["Kim Lee TBT.pdf"].startswith(
        "the same file as Ana Ruiz's (transcript.pdf in R1 mine.eml): whose transcript is it?"
    ), reasons
    assert reasons["transcript.pdf"].startswith(
        "the same file as Kim Lee's (Kim Lee TBT.pdf in R2 fw.eml): whose transcript is it?"
    ), reasons
    assert "besides, badly named" in reasons["transcript.pdf"], reasons


@pytest.mark.parametrize("own_name", ["ana ruiz tbt.pdf", "transcript.pdf", "TBT transcript.pdf"])
@pytest.mark.parametrize("nested", [True, False])
def test_a_file_the_sme_renamed_is_dated_by_the_agents_own_email_holding_it(
    tracker: Path, config: Path, inbox: Path, own_name: str, nested: bool
) -> None:
    """The SME fixed the name of the agent's badly named file (`ana ruiz tbt.pdf`, or
    `transcript.pdf` naming no one) and attached it again as `Ana Ruiz TBT.pdf`, in her
    forward of the agent's e-mail or beside it: the bytes came from Ana's own address, so
    the well-named copy is dated by her e-mail, sent by her, and her copy is the same file,
    not one to rename."""
    same = pdf("Ana Ruiz")
    inner = message("Ana Ruiz <ana.ruiz@vendorcx.com>", (own_name, same), date=AGENT_SENT)
    outer = message("Pat Sme <pat.sme@vendorcx.com>", ("Ana Ruiz TBT.pdf", same),
                    date=FORWARDED)  # fmt: skip
    if nested:
        outer.add_attachment(inner)
    else:
        save(inbox, "D1.eml", inner)
    save(inbox, "D0 FW.eml", outer)
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (proof,) = data["recorded"]
    assert (proof["file"], proof["received"], proof["sender"]) == (
        "Ana Ruiz TBT.pdf", "2026-11-23", "ana.ruiz@vendorcx.com"
    ), proof  # fmt: skip
    assert "sender_mismatch" not in proof, proof
    (copy,) = data["rejected"]
    assert copy["reason"] == "the same file as Ana Ruiz TBT.pdf (in D0 FW.eml)", copy


@pytest.mark.parametrize("own_name", ["Ana Ruiz TBT.pdf", "transcript.pdf"])
def test_an_agents_own_email_from_her_personal_address_dates_her_smes_copy(
    tracker: Path, config: Path, inbox: Path, own_name: str
) -> None:
    """Ana sent her transcript from a personal address under her own name, and her SME
    forwarded it: the e-mail is hers by its display name (as progress import matches it),
    so the proof is dated the day she sent it, and the address is said as not the
    tracker's."""
    same = pdf("Ana Ruiz")
    save(inbox, "B mine.eml", message("Ana Ruiz <ana1999@gmail.com>", (own_name, same),
                                      date=AGENT_SENT))  # fmt: skip
    save(inbox, "A fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (proof,) = data["recorded"]
    assert (proof["received"], proof["sender"]) == ("2026-11-23", "ana1999@gmail.com"), proof
    assert "not the agent's address" in proof["sender_mismatch"], proof
    (copy,) = data["rejected"]
    assert copy["reason"].startswith("the same file as Ana Ruiz TBT.pdf (in "), copy


def test_an_agents_own_email_dated_after_her_smes_forward_of_it_is_the_forwards_day(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana's e-mail says Tue 12/01, her SME forwarded the same bytes on Wed 11/25: no one
    forwards a file before it was sent, so a wrong clock on Ana's computer; dated 11/25,
    said."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", same),
                                     date="Tue, 01 Dec 2026 15:00:00 +0000"))  # fmt: skip
    save(inbox, "B fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (proof,) = data["recorded"]
    assert (proof["from_email"], proof["received"]) == ("A own.eml", "2026-11-25"), proof
    assert proof["date_warning"] == (
        "the agent's e-mail is dated 12/01/2026, after pat.sme@vendorcx.com's forward of the "
        "same file (B fw.eml, 11/25/2026): a wrong clock on the agent's computer? Dated the "
        "forward's day"
    ), proof


def whose(data: dict[str, Any]) -> dict[tuple[str, str | None], str]:
    """The refused copies, by file and e-mail, with their reasons."""
    return {(r["file"], r.get("from_email")): r["reason"] for r in data["rejected"]}


@pytest.mark.parametrize("colleague", ["her own too", "forward on"])
def test_a_colleagues_unnamed_copy_of_an_agents_named_transcript_is_refused_with_hers(
    tracker: Path, config: Path, inbox: Path, colleague: str
) -> None:
    """Ana sent `Ana Ruiz TBT.pdf` from her own address; Kim's e-mail carries the same bytes
    as `transcript.pdf` (beside her own transcript, or forwarding Ana's on). That looks just
    like Kim's own transcript copied by Ana and renamed for herself: esp cannot tell, so
    neither is recorded, each refusal naming the other's e-mail."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", same), date=AGENT_SENT))  # fmt: skip
    files = [("transcript.pdf", same)]
    if colleague == "her own too":
        files.insert(0, ("Kim Lee TBT.pdf", pdf("Kim Lee")))
    save(inbox, "B kim.eml", message("Kim Lee <kim.lee@vendorcx.com>", *files,
                                     date="Tue, 24 Nov 2026 15:00:00 +0000"))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    taken = [p["file"] for p in data["recorded"]]
    assert taken == (["Kim Lee TBT.pdf"] if colleague == "her own too" else []), data
    reasons = whose(data)
    assert (
        "the same file as Kim Lee's (transcript.pdf in B kim.eml): whose transcript is it?"
        in (reasons[("Ana Ruiz TBT.pdf", "A own.eml")])
    ), reasons
    assert (
        "the same file as Ana Ruiz's (Ana Ruiz TBT.pdf in A own.eml)"
        in (reasons[("transcript.pdf", "B kim.eml")])
    ), reasons


@pytest.mark.parametrize("kims", ["transcript.pdf", "My TBT.pdf"])
def test_an_agents_own_transcript_copied_by_a_colleague_renamed_for_herself_is_neithers(
    tracker: Path, config: Path, inbox: Path, kims: str
) -> None:
    """Kim sent her own transcript from her address on Monday, named for no one; Ana sent
    the same bytes on Tuesday renamed `Ana Ruiz TBT.pdf` from hers: Ana is not recorded
    with Kim's transcript — both are refused, each naming the other's e-mail."""
    same = pdf("Kim Lee")
    save(inbox, "A kim.eml", message("Kim Lee <kim.lee@vendorcx.com>", (kims, same),
                                     date=AGENT_SENT))  # fmt: skip
    save(inbox, "B ana.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
         ("Ana Ruiz TBT.pdf", same), date="Tue, 24 Nov 2026 15:00:00 +0000"))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [], data
    reasons = whose(data)
    assert (
        f"the same file as Kim Lee's ({kims} in A kim.eml): whose transcript is it?"
        in (reasons[("Ana Ruiz TBT.pdf", "B ana.eml")])
    ), reasons
    assert (
        "the same file as Ana Ruiz's (Ana Ruiz TBT.pdf in B ana.eml)"
        in (reasons[(kims, "A kim.eml")])
    ), reasons


def test_the_smes_renamed_copy_of_a_file_in_two_agents_own_emails_is_no_ones(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana sent `transcript.pdf`; Kim sent the same bytes as `transcript.pdf` from her own
    address too; the SME sent it renamed `Ana Ruiz TBT.pdf`. Two agents' own e-mails each
    sent the file as theirs; the SME's renaming does not tell whose: all refused."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("transcript.pdf", same), date=AGENT_SENT))  # fmt: skip
    save(inbox, "B kim.eml", message("Kim Lee <kim.lee@vendorcx.com>", ("transcript.pdf", same),
                                     date="Tue, 24 Nov 2026 15:00:00 +0000"))  # fmt: skip
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["recorded"] == [], data
    reasons = whose(data)
    assert "Kim Lee's (transcript.pdf in B kim.eml)" in reasons[("Ana Ruiz TBT.pdf", "C fw.eml")]
    assert "Ana Ruiz's" in reasons[("transcript.pdf", "B kim.eml")], reasons


def test_a_forward_dated_before_the_agents_esp_start_does_not_date_her_own_email(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """Ana's e-mail says Mon 11/23; her SME's Forward of the same file says 11/16, before
    Ana's ESP Start Date (11/18): the forward's clock is wrong, not Ana's, so her e-mail
    keeps its day."""
    tracker = _starting(tmp_path, date(2026, 11, 18))
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", same), date=AGENT_SENT))  # fmt: skip
    save(inbox, "B fw.eml", message("Pat Sme <pat.sme@vendorcx.com>", ("Ana Ruiz TBT.pdf", same),
                                    date="Mon, 16 Nov 2026 15:00:00 +0000"))  # fmt: skip
    proof = _one_recorded(tracker, config, inbox)
    assert (proof["from_email"], proof["received"]) == ("A own.eml", "2026-11-23"), proof
    assert proof.get("date_warning") is None, proof


def test_an_agents_email_dated_before_her_esp_start_is_dated_by_a_forward_beside_it(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """Ana's e-mail says 02/02 (before her ESP Start Date), her SME's Forward of the same
    file, saved beside it, says Wed 11/25: dated 11/25, as when the forward carries it,
    not the day the folder is read."""
    tracker = _starting(tmp_path, date(2026, 11, 18))
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", same),
                                     date="Mon, 02 Feb 2026 15:00:00 +0000"))  # fmt: skip
    save(inbox, "B fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    proof = _one_recorded(tracker, config, inbox)
    assert (proof["from_email"], proof["received"]) == ("A own.eml", "2026-11-25"), proof
    assert proof["date_warning"] == (
        "the agent's e-mail is dated 02/02/2026, before Ana Ruiz's ESP Start Date "
        "(11/18/2026): a wrong clock, or a transcript of an earlier enrolment? Dated the day "
        "of pat.sme@vendorcx.com's forward of the same file (B fw.eml, 11/25/2026); check the "
        "transcript"
    ), proof


def _with_agents(tmp_path: Path, *more: list[Any]) -> Path:
    rows = [*AGENTS, *more]
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(HEADERS, a,
                             strict=True)) for a in rows], headers=HEADERS)  # fmt: skip


def _recorded(tracker: Path, *rows: list[Any]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"])
    for row in rows:
        ws.append(row)
    wb.save(tracker.parent / "TBT Tracking Sheet.xlsx")


def test_a_recorded_file_again_from_namesakes_and_a_colleague_is_refused_not_a_crash(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """A file recorded for Ana Ruiz comes again as `transcript.pdf` from both agents named
    Ana Ruiz (two classes) and from Kim: every copy is refused with its reason; the run
    goes on."""
    tracker = _with_agents(tmp_path, ["AET-2", "Ana Ruiz", "E104", "ana.ruiz2@vendorcx.com",
                                      "No", None])  # fmt: skip
    same = pdf("Ana Ruiz")
    digest = hashlib.sha256(same).hexdigest()
    _recorded(tracker, ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo",
                        digest])  # fmt: skip
    for name, sender in [("A.eml", "Ana Ruiz <ana.ruiz@vendorcx.com>"),
                         ("B.eml", "Ana Ruiz <ana.ruiz2@vendorcx.com>"),
                         ("C.eml", "Kim Lee <kim.lee@vendorcx.com>")]:  # fmt: skip
        save(inbox, name, message(sender, ("transcript.pdf", same), date=AGENT_SENT))
    save(inbox, "D.eml", message("Devon Price <devon.price@vendorcx.com>",
                                 ("Devon Price TBT.pdf", pdf("Devon Price"))))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    assert [p["file"] for p in data["recorded"]] == ["Devon Price TBT.pdf"], data
    reasons = {r["from_email"]: r["reason"] for r in data["rejected"]}
    assert reasons["C.eml"].startswith("the same file was recorded for Ana Ruiz on 11/20/2026")
    assert sorted(reasons) == ["A.eml", "B.eml", "C.eml"], reasons


@pytest.mark.parametrize("forward", [False, True])
@pytest.mark.parametrize(
    ("own_name", "first_name"),
    [
        ("Ana Ruiz TBT.pdf", "Ana Ruiz TBT.pdf"),
        ("transcript.pdf", "transcript.pdf"),
        ("Ana Ruiz TBT.pdf", "transcript.pdf"),  # her resend renamed as her SME asked
    ],
)
def test_a_file_the_agent_sent_twice_is_dated_by_her_first_sending(
    tracker: Path, config: Path, inbox: Path, forward: bool, own_name: str, first_name: str
) -> None:
    """Ana sent her transcript Monday and again Friday ("in case you didn't get it", or
    renamed `Ana Ruiz TBT.pdf` as her SME asked); the resend's e-mail file sorts first: the
    proof is dated Monday, with no wrong-clock word, beside her SME's Wednesday Forward
    too."""
    same = pdf("Ana Ruiz")
    save(inbox, "A resend.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>", (own_name, same),
                                        date="Fri, 27 Nov 2026 15:00:00 +0000"))  # fmt: skip
    save(inbox, "B first.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>", (first_name, same),
                                       date=AGENT_SENT))  # fmt: skip
    if forward or own_name == "transcript.pdf":
        save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                        ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    proof = _one_recorded(tracker, config, inbox)
    assert (proof["received"], proof["sender"]) == ("2026-11-23", "ana.ruiz@vendorcx.com"), proof
    assert proof.get("date_warning") is None, proof


def test_a_file_the_sme_forwarded_twice_is_dated_by_her_first_forward(
    tracker: Path, config: Path, inbox: Path
) -> None:
    same = pdf("Ana Ruiz")
    save(inbox, "A again.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                       ("Ana Ruiz TBT.pdf", same),
                                       date="Mon, 30 Nov 2026 15:00:00 +0000"))  # fmt: skip
    save(inbox, "B first.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                       ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    proof = _one_recorded(tracker, config, inbox)
    assert (proof["from_email"], proof["received"]) == ("B first.eml", "2026-11-25"), proof


def test_a_file_recorded_for_one_agent_is_not_recorded_for_another_with_a_longer_name(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """The file is recorded for Ana Ruiz; the SME sends the same bytes named for Ana Maria
    Ruiz, another agent: not already recorded for her — refused as Ana Ruiz's."""
    tracker = _with_agents(tmp_path, ["AET-2", "Ana Maria Ruiz", "E104",
                                      "ana.maria.ruiz@vendorcx.com", "No", None])  # fmt: skip
    same = pdf("Ana Ruiz")
    _recorded(tracker, ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo",
                        hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Maria Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    assert data["recorded"] == [] and data["already_recorded"] == [], data
    (refused,) = data["rejected"]
    assert refused["reason"].startswith(
        "the same file was recorded for Ana Ruiz on 11/20/2026: not Ana Maria Ruiz's own proof"
    ), refused
    assert cells(tracker)[4] == ["No", None]


def test_the_wrong_clock_word_names_the_sender_of_the_forward_whose_day_is_written(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana's e-mail says 12/01; her lead forwarded on 11/27 the SME's e-mail of 11/25 that
    holds the same file: dated 11/25, the SME's day, and the SME named with it."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("transcript.pdf", same),
                                     date="Tue, 01 Dec 2026 15:00:00 +0000"))  # fmt: skip
    sme = message("Pat Sme <pat.sme@vendorcx.com>", ("Ana Ruiz TBT.pdf", same), date=FORWARDED)
    lead = message("Lee Lead <lee.lead@vendorcx.com>", date="Fri, 27 Nov 2026 15:00:00 +0000")
    lead.add_attachment(sme)
    save(inbox, "B lead.eml", lead)
    proof = _one_recorded(tracker, config, inbox)
    assert proof["received"] == "2026-11-25", proof
    assert (
        "after pat.sme@vendorcx.com's forward of the same file (B lead.eml, 11/25/2026)"
        in (proof["date_warning"])
    ), proof


def _renamed_by_sme(tracker: Path, config: Path, inbox: Path, sender: str) -> Any:
    """`sender` sends Ana's transcript as `transcript.pdf` on Monday; her SME forwards the
    same bytes renamed `Ana Ruiz TBT.pdf` on Wednesday: the dry run's JSON."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message(sender, ("transcript.pdf", same), date=AGENT_SENT))
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    return _dry_run(tracker, config, inbox)


@pytest.mark.parametrize("address", ["kim.lee@client.com", "klee@comcast.net", "kl@mac.com"])
def test_an_email_under_an_agents_name_from_an_address_no_agent_has_is_hers(
    tracker: Path, config: Path, inbox: Path, address: str
) -> None:
    """`Kim Lee <…>` from an address the tracker does not have (her ISP's, Apple's, or a
    client's account) sends Ana's `transcript.pdf`; the SME sends it renamed as Ana's. The
    display name is Kim's, as progress import matches it: whose file it is cannot be told,
    so neither is recorded, each refusal naming the other's e-mail."""
    data = _renamed_by_sme(tracker, config, inbox, f"Kim Lee <{address}>")
    assert data["recorded"] == [], data
    reasons = whose(data)
    assert (
        "the same file as Kim Lee's (transcript.pdf in A own.eml)"
        in (reasons[("Ana Ruiz TBT.pdf", "C fw.eml")])
    ), reasons


@pytest.mark.parametrize("address", ["ana1999@gmail.com", "aruiz@comcast.net", "ar@pm.me"])
def test_an_agents_own_email_from_any_personal_address_dates_her_smes_renamed_copy(
    tracker: Path, config: Path, inbox: Path, address: str
) -> None:
    """Ana sent `transcript.pdf` from her home address under her own name (any service, her
    ISP's too); her SME forwarded it renamed: dated by Ana's own e-mail, not the forward."""
    data = _renamed_by_sme(tracker, config, inbox, f"Ana Ruiz <{address}>")
    (proof,) = data["recorded"]
    assert (proof["file"], proof["received"], proof["sender"]) == (
        "Ana Ruiz TBT.pdf", "2026-11-23", address
    ), proof  # fmt: skip


@pytest.mark.parametrize("saved", [date(2026, 12, 2), date(2026, 11, 24), date(2026, 11, 10)])
def test_an_agents_email_with_no_date_beside_a_forward_is_said_so(
    tmp_path: Path, config: Path, inbox: Path, saved: date
) -> None:
    """Ana's e-mail holds no Date (the file's own time, whenever it was copied, is no day
    it was sent: after the forward, before it, before her ESP Start Date); her SME's
    Forward of the same file says 11/25: dated 11/25, said as an e-mail with no date."""
    tracker = _starting(tmp_path, date(2026, 11, 18))
    same = pdf("Ana Ruiz")
    mine = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("transcript.pdf", same))
    del mine["Date"]
    path = save(inbox, "A own.eml", mine)
    late = datetime(saved.year, saved.month, saved.day, 9, 0).timestamp()
    os.utime(path, (late, late))
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Ana Ruiz TBT.pdf", same), date=FORWARDED))  # fmt: skip
    proof = _one_recorded(tracker, config, inbox)
    assert proof["received"] == "2026-11-25", proof
    assert proof["date_warning"] == (
        "the agent's e-mail holds no date (no time in it): dated by pat.sme@vendorcx.com's "
        "forward of the same file (C fw.eml, 11/25/2026)"
    ), proof


def _dry_run(tracker: Path, config: Path, inbox: Path) -> Any:
    res = proofs(tracker, config, inbox, "--dry-run")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _one_recorded(tracker: Path, config: Path, inbox: Path) -> Any:
    (proof,) = _dry_run(tracker, config, inbox)["recorded"]
    return proof


def test_an_agents_email_is_hers_by_name_when_the_tracker_has_no_addresses(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """A tracker with no agent's address: Ana's e-mail from her work address is hers by its
    display name, so the SME's renamed copy is dated by it."""
    rows = [[*a[:3], "", *a[4:]] for a in AGENTS]
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(HEADERS, a,
                                strict=True)) for a in rows], headers=HEADERS)  # fmt: skip
    data = _renamed_by_sme(tracker, config, inbox, "Ana Ruiz <ana.ruiz@vendorcx.com>")
    (proof,) = data["recorded"]
    assert (proof["received"], proof["sender"]) == ("2026-11-23", "ana.ruiz@vendorcx.com"), proof


def _coles(tmp_path: Path, *coles: tuple[str, str, str]) -> Path:
    """A tracker with Ana Ruiz (E101) and the agents (name, class, Agent ID) given."""
    rows = [AGENTS[1]] + [
        [cls, name, agent_id, name.lower().replace(" ", ".") + "@vendorcx.com", "No", None]
        for name, cls, agent_id in coles
    ]
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", [dict(zip(HEADERS, a,
                             strict=True)) for a in rows], headers=HEADERS)  # fmt: skip


ANN = ("Dana Ann Cole", "AET-1", "E201")
MARIE = ("Dana Marie Cole", "AET-2", "E202")


@pytest.mark.parametrize(
    ("agents", "row", "file", "mine"),
    [
        ([ANN], ["Dana Cole", "AET-1"], "Dana Ann Cole", True),
        ([ANN], ["Dana Cole", "AET-2"], "Dana Ann Cole", False),  # another class's row
        ([ANN, MARIE], ["Dana Cole", "AET-1"], "Dana Ann Cole", False),  # two could be meant
        ([ANN, MARIE], ["Dana Cole", "AET-1"], "Dana Marie Cole", False),
        ([ANN], ["E201", "AET-2"], "Dana Ann Cole", True),  # her Agent ID
        ([ANN], ["cole,  dana ann", "AET-2"], "Dana Ann Cole", True),  # her name, as esp reads it
    ],
)
def test_a_recorded_row_is_an_agents_by_name_or_id_and_a_looser_name_only_in_her_class(
    tmp_path: Path,
    config: Path,
    inbox: Path,
    agents: list[tuple[str, str, str]],
    row: list[str],
    file: str,
    mine: bool,
) -> None:
    """A file recorded for 'Dana Cole' is Dana Ann Cole's only when the row is of her class
    and no other agent could be meant; by her exact name or Agent ID, always. Otherwise it
    is refused as recorded for another, saying the row's name could be another agent."""
    tracker = _coles(tmp_path, *agents)
    same = pdf("Dana Cole")
    _recorded(tracker, [*row, "Dana Cole TBT.pdf", date(2026, 11, 20), "Jo",
                        hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    (f"{file} TBT.pdf", same), date=FORWARDED))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    assert [p["file"] for p in data["already_recorded"]] == ([f"{file} TBT.pdf"] if mine else [])
    if not mine:
        (refused,) = data["rejected"]
        assert refused["reason"].startswith(
            f"the same file was recorded for {row[0]} on 11/20/2026: not {file}'s own proof"
        ), refused
        assert refused["fix"].startswith(f"ask {file} for it ({row[0]} of class {row[1]} could "
                                         "be another agent"), refused  # fmt: skip


@pytest.mark.parametrize(
    ("agents", "cls", "mine"),
    [([ANN], "AET-1", True), ([ANN], "AET-2", False), ([ANN, MARIE], "AET-1", False)],
)
def test_a_hand_row_under_a_shorter_name_is_the_proof_only_when_she_alone_is_meant(
    tmp_path: Path,
    config: Path,
    inbox: Path,
    agents: list[tuple[str, str, str]],
    cls: str,
    mine: bool,
) -> None:
    """A row typed by hand names 'Dana Cole' with Dana Ann Cole's file: hers when the row
    is of her class and no other agent could be meant; otherwise the file is recorded again
    and the row named, to delete if it is the same."""
    tracker = _coles(tmp_path, *agents)
    _recorded(tracker, ["Dana Cole", cls, "Dana Ann Cole TBT.pdf", date(2026, 11, 20), "Jo"])
    save(inbox, "C fw.eml", message("Pat Sme <pat.sme@vendorcx.com>",
                                    ("Dana Ann Cole TBT.pdf", pdf("Dana Ann Cole")),
                                    date=FORWARDED))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    if mine:
        assert data["recorded"] == [], data
        assert [p["file"] for p in data["already_recorded"]] == ["Dana Ann Cole TBT.pdf"]
        return
    (proof,) = data["recorded"]
    assert (
        "A2, a row typed by hand, names 'Dana Cole' with this file: it would be recorded again "
        "for Dana Ann Cole — delete one row if it is the same"
    ) in proof["date_warning"], proof


def test_a_forward_carrying_her_email_dated_before_her_esp_start_does_not_date_it(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """The SME's Forward carries Ana's e-mail of Mon 11/23 as an attachment, but says 11/16,
    before Ana's ESP Start Date (11/18): the forwarder's clock is wrong, so Ana's e-mail keeps
    its day (not today's), and the words blame the forward."""
    tracker = _starting(tmp_path, date(2026, 11, 18))
    own = message("Ana Ruiz <ana.ruiz@vendorcx.com>", ("Ana Ruiz TBT.pdf", pdf("Ana Ruiz")),
                  date=AGENT_SENT)  # fmt: skip
    fw = message("Pat Sme <pat.sme@vendorcx.com>", date="Mon, 16 Nov 2026 15:00:00 +0000")
    fw.add_attachment(own)
    save(inbox, "B fw.eml", fw)
    proof = _one_recorded(tracker, config, inbox)
    assert proof["received"] == "2026-11-23", proof
    assert proof["date_warning"] == (
        "the forward that carries the agent's e-mail is dated 11/16/2026, before Ana Ruiz's "
        "ESP Start Date (11/18/2026): a wrong clock on the forwarder's computer? Dated by the "
        "agent's e-mail"
    ), proof


def test_a_lead_s_unnamed_copy_of_a_proof_taken_in_the_run_is_the_same_file(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana's own `Ana Ruiz TBT.pdf`, and her lead's e-mail carrying the same bytes as
    `transcript.pdf`: the lead's copy is the same file as Ana's, nothing to rename."""
    same = pdf("Ana Ruiz")
    save(inbox, "A own.eml", message("Ana Ruiz <ana.ruiz@vendorcx.com>",
                                     ("Ana Ruiz TBT.pdf", same), date=AGENT_SENT))  # fmt: skip
    save(inbox, "B lead.eml", message("Lee Lead <lee.lead@vendorcx.com>",
                                      ("transcript.pdf", same), date=FORWARDED))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    assert [p["file"] for p in data["recorded"]] == ["Ana Ruiz TBT.pdf"], data
    assert whose(data)[("transcript.pdf", "B lead.eml")] == (
        "the same file as Ana Ruiz TBT.pdf (in A own.eml)"
    ), data


def test_an_agents_unnamed_copy_of_a_file_recorded_for_another_says_so_first(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """The file is recorded for Ana Ruiz; Kim sends the same bytes as `transcript.pdf`
    from her own address: refused as recorded for Ana first (renaming it would not help),
    then its name."""
    same = pdf("Ana Ruiz")
    _recorded(tracker, ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo",
                        hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "B kim.eml", message("Kim Lee <kim.lee@vendorcx.com>", ("transcript.pdf", same),
                                     date=FORWARDED))  # fmt: skip
    data = _dry_run(tracker, config, inbox)
    (refused,) = data["rejected"]
    assert refused["reason"].startswith(
        "the same file was recorded for Ana Ruiz on 11/20/2026: not Kim Lee's own proof; "
        "besides, badly named"
    ), refused
    assert refused["fix"] == "ask Kim Lee for it", refused
    # Ana's file, come in Kim's e-mail under a name that names no one: not Kim's proof, so
    # it names no agent (the reason says whose it came as).
    assert not {"agent", "class", "sheet", "row"} & set(refused), refused


@pytest.mark.parametrize(
    ("sender", "file"),
    [
        ("Omar Haddad <omar@gmail.com>", "scan.pdf"),  # an address no agent has: a name alone
        ("Omar Haddad <omar@gmail.com>", "omar.pdf"),
        ("Kim Lee <kim.lee@vendorcx.com>", "Transcript.pdf"),
    ],
)
def test_a_file_recorded_for_another_that_names_no_agent_is_nobodys(
    tracker: Path, config: Path, inbox: Path, sender: str, file: str
) -> None:
    """Ana's recorded transcript comes again under a name that names no agent: refused as
    Ana's, with no agent of its own in JSON or CSV (never the sender's, whoever she is)."""
    same = pdf("Ana Ruiz")
    _recorded(tracker, ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo",
                        hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "B.eml", message(sender, (file, same), date=FORWARDED))
    (refused,) = _dry_run(tracker, config, inbox)["rejected"]
    assert refused["reason"].startswith(
        "the same file was recorded for Ana Ruiz on 11/20/2026: not "
    ), refused
    assert not {"agent", "class", "sheet", "row"} & set(refused), refused
    res = proofs(tracker, config, inbox, "--dry-run", "-f", "csv")
    (row,) = [r for r in csv.DictReader(io.StringIO(res.stdout)) if r["status"] == "rejected"]
    assert (row["agent"], row["class"]) == ("", ""), row


def test_an_agents_own_named_copy_of_a_file_recorded_for_another_is_hers(
    tracker: Path, config: Path, inbox: Path
) -> None:
    """Ana's recorded transcript, sent again named for Kim: refused, held back as Kim's."""
    same = pdf("Ana Ruiz")
    _recorded(tracker, ["Ana Ruiz", "AET-1", "Ana Ruiz TBT.pdf", date(2026, 11, 20), "Jo",
                        hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "B.eml", message("Omar Haddad <omar@gmail.com>", ("kim_lee_tbt.pdf", same)))
    (refused,) = _dry_run(tracker, config, inbox)["rejected"]
    assert refused["reason"].startswith("the same file was recorded for Ana Ruiz"), refused
    assert (refused["agent"], refused["class"], refused["row"]) == ("Kim Lee", "AET-2", 5)

"""Messages as real mailers write them, damaged or mislabelled: a header continued on lines
not indented, a body whose character set label is wrong or unknown, a byte-order mark, an
RTF body in its own code page with raw 8-bit bytes, an HTML body in the Internet code page."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage, PropertyTypeCode
from compressed_rtf import compress
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.mail.inbox import read_mail
from esp_cli.mail.selfreports import UnreadableMail, decode_text
from tests import factories
from tests.support.paths import shared_dir, skip_unless_in_ci

CORPUS = shared_dir() / "mail-corpus"
needs_corpus = pytest.mark.skipif(
    skip_unless_in_ci(CORPUS.is_dir()), reason="the shared mail corpus is not here"
)
EASTERN = ZoneInfo("America/New_York")
TUE = "Tue, 24 Nov 2026 17:30:00 -0500"
SENT = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)


def eml(body: bytes, *, headers: str = "", charset: str = "utf-8", cte: str = "8bit") -> bytes:
    return (
        (
            "From: Devon Price <devon.price@x.com>\r\nTo: Jordan Reyes <jordan.reyes@x.com>\r\n"
            f"Subject: ESP progress\r\nDate: {TUE}\r\nMIME-Version: 1.0\r\n{headers}"
            f'Content-Type: text/plain; charset="{charset}"\r\nContent-Transfer-Encoding: {cte}'
            "\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )


# ------------------------------------------------------------ a header continued unindented


@needs_corpus
def test_a_real_subject_continued_on_unindented_lines_is_read_whole() -> None:
    """Gmail through Exchange Online wrote the encoded subject over three lines, the last
    two not indented: the rest of the header and the base64 body are still the message's."""
    report = read_mail((CORPUS / "UTF-8_Test.eml").read_bytes(), "UTF-8_Test.eml", EASTERN)
    assert report.email == "system@example.com"
    assert report.text == "メッセージです。通常通りパースされることを確認済みです。"
    assert "Content-Type" not in report.text and "=?utf-8?" not in report.text


def test_an_unindented_encoded_subject_line_is_part_of_the_subject() -> None:
    mail = (
        (
            "From: Devon Price <devon.price@x.com>\r\n"
            "Subject: =?utf-8?B?UkU6IEVTUCA=?=\r\n=?utf-8?B?cHJvZ3Jlc3M=?=\r\n"
            f"Date: {TUE}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + base64.b64encode("Module 4 done – café.".encode())
        + b"\r\n"
    )
    report = read_mail(mail, "a.eml", EASTERN)
    assert report.text == "Module 4 done – café."


def test_header_lines_after_a_damaged_line_are_never_the_note() -> None:
    mail = (
        f"From: Devon Price <devon.price@x.com>\r\nSubject: ESP\r\nthis line is no header\r\n"
        f"Date: {TUE}\r\nContent-Type: text/plain\r\n\r\nModule 4 done.\r\n"
    ).encode()
    with pytest.raises(UnreadableMail) as caught:
        read_mail(mail, "a.eml", EASTERN)
    assert caught.value.kind == "corrupt"
    assert "this line is no header" in str(caught.value)


# ---------------------------------------------------------------- character set labels


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        # Labelled UTF-8, written in Windows-1252 (a PC's code page leaking through).
        (b"can\x92t open the caf\xe9 one \x96 3 left", "utf-8", "can’t open the café one – 3 left"),
        # A label no one knows: UTF-8, else Windows-1252.
        (b"All 8 TBTs done \x96 Call Cert tomorrow.", "x-mac-roman-bogus",
         "All 8 TBTs done – Call Cert tomorrow."),
        ("Готово 5 из 8".encode(), "x-unknown", "Готово 5 из 8"),
        # The five bytes Windows-1252 leaves undefined: Latin-1 reads every byte.
        (b"caf\xe9 \x81", "utf-8", "café \x81"),
        ("Готово".encode("koi8-r"), "koi8-r", "Готово"),
        # A byte-order mark is no part of the text.
        ("\ufeffFinished module 5.".encode(), "utf-8", "Finished module 5."),
        ("\ufeffFinished module 5.".encode(), None, "Finished module 5."),
    ],
)  # fmt: skip
def test_a_body_is_read_in_the_first_character_set_that_fits(
    data: bytes, charset: str | None, text: str
) -> None:
    assert decode_text(data, charset) == text


@pytest.mark.parametrize(
    ("body", "charset", "cte", "text"),
    [
        (b"I finished the \x93HIPAA\x94 module \x96 can\x92t open the caf\xe9 one.", "utf-8",
         "8bit", "I finished the “HIPAA” module – can’t open the café one."),
        (b"All 8 TBTs done \x96 Call Cert tomorrow.", "x-mac-roman-bogus", "8bit",
         "All 8 TBTs done – Call Cert tomorrow."),
        (base64.b64encode("\ufeffFinished module 5.".encode()), "utf-8", "base64",
         "Finished module 5."),
    ],
)  # fmt: skip
def test_a_mislabelled_body_keeps_every_character(
    body: bytes, charset: str, cte: str, text: str
) -> None:
    report = read_mail(eml(body, charset=charset, cte=cte), "a.eml", EASTERN)
    assert report.text == text
    assert "\ufffd" not in report.text

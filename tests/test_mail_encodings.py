"""Messages as real mailers write them, damaged or mislabelled: a header continued on lines
not indented, a body whose character set label is wrong or unknown, a byte-order mark, an
RTF body in its own code page with raw 8-bit bytes, an HTML body in the Internet code page."""

from __future__ import annotations

import base64
import functools
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aspose.email_foss.msg import MapiMessage, PropertyTypeCode
from compressed_rtf import compress
from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.mail.inbox import read_mail
from esp_cli.mail.selfreports import UnreadableMail, decode_text
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


PART = (
    '--b\r\nContent-Type: text/plain;\r\ncharset="utf-8"\r\nContent-Transfer-Encoding: base64'
    "\r\n\r\nRG9uZSA2IG9mIDgg4oCTIFByaXZhY3kgYmxvY2tlZC4=\r\n"
)


def multipart(parts: str, kind: str = "alternative") -> bytes:
    return (
        "From: Devon Price <devon.price@x.com>\r\nSubject: ESP\r\n"
        f"Date: {TUE}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/{kind}; boundary="b"\r\n\r\n{parts}--b--\r\n'
    ).encode()


def test_a_part_whose_header_is_damaged_gives_way_to_its_alternative() -> None:
    """The plain part's header goes on over an unindented line: its header lines and
    base64 are never the note; the HTML alternative beside it is."""
    html = (
        '--b\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n<p>Done 6 of 8 &ndash; ok.</p>\r\n'
    )
    assert read_mail(multipart(PART + html), "a.eml", EASTERN).text == "Done 6 of 8 – ok."


def test_a_damaged_part_with_no_alternative_is_unreadable() -> None:
    with pytest.raises(UnreadableMail) as caught:
        read_mail(multipart(PART, "mixed"), "a.eml", EASTERN)
    assert caught.value.kind == "corrupt"
    assert "charset=" in str(caught.value)


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
        # A byte Windows-1252 leaves undefined is replaced, never read as a control character.
        (b"caf\xe9 \x81", "utf-8", "café \ufffd"),
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
    ("data", "charset", "text"),
    [
        # Labels mail programs read as the Windows code page that extends them.
        ("モジュール①②完了、残り3つ～ ㈱テスト".encode("cp932"), "shift_jis",
         "モジュール①②完了、残り3つ～ ㈱テスト"),
        ("模組五完成，費用 €0。".encode("cp950"), "big5", "模組五完成，費用 €0。"),
        ("模块五完成。我們的系統".encode("gbk"), "gb2312", "模块五完成。我們的系統"),
        ("모듈 5 완료, 똠방각하".encode("cp949"), "euc-kr", "모듈 5 완료, 똠방각하"),
        ("모듈 5 완료".encode("cp949"), "ks_c_5601-1987", "모듈 5 완료"),
        ("Tamamlandı 5/8 – şimdi".encode("cp1254"), "iso-8859-9", "Tamamlandı 5/8 – şimdi"),
        ("モジュール①".encode("cp932"), "x-sjis", "モジュール①"),
        # A correctly labelled body with a stray byte keeps its character set: only that
        # byte is replaced.
        ("I won’t finish the “Privacy” module – Citrix down.".encode() + b" Caf\xe9 \xa9 2026",
         "utf-8", "I won’t finish the “Privacy” module – Citrix down. Caf\ufffd \ufffd 2026"),
        ("I won’t finish – café".encode() + b" \xa9", None, "I won’t finish – café \ufffd"),
        ("モジュール5完了".encode("cp932") + b" \x82", "shift_jis", "モジュール5完了 \ufffd"),
        ("Готово 5 из 8".encode("cp1251") + b"\x98", "windows-1251", "Готово 5 из 8\ufffd"),
        # Valid UTF-8 labelled Latin-1 (a mailer's default label): the text as written.
        ("I won’t finish – café".encode(), "iso-8859-1", "I won’t finish – café"),
        # UTF-16 without a label: by its byte-order mark, or its NUL every other byte.
        ("Finished module 5 – café".encode("utf-16"), None, "Finished module 5 – café"),
        ("Finished module 5 – café".encode("utf-16-le"), None, "Finished module 5 – café"),
        ("Finished module 5 – café".encode("utf-16-be"), "utf-8", "Finished module 5 – café"),
    ],
)  # fmt: skip
def test_a_body_keeps_its_character_set_when_it_mostly_fits(
    data: bytes, charset: str | None, text: str
) -> None:
    assert decode_text(data, charset) == text


def test_no_body_is_read_as_control_characters() -> None:
    """Whatever the bytes, the text never holds the C1 controls (U+0080-U+009F) a Latin-1
    reading gives."""
    for data, charset in [
        (b"The \x93Privacy\x94 module won\x92t load \x96 caf\xe9 \x81 INC77.", "cp1252"),
        (b"\x81\x8d\x8f\x90\x9d", None),
        (b"\x81\x8d\x8f\x90\x9d", "utf-8"),
        ("モジュール".encode("cp932") + b"\x81\x8d", "x-unknown"),
    ]:
        text = decode_text(data, charset)
        assert not any("\x80" <= ch <= "\x9f" for ch in text), (data, charset, text)


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


# ------------------------------------------------------------------- Outlook's own bodies


def make_msg(
    path: Path,
    *,
    rtf: bytes | None = None,
    html: bytes | None = None,
    codepages: tuple[int | None, int | None] = (None, None),
) -> Path:
    """A .msg with no plain-text body: its text only as RTF (compressed) or binary HTML, in
    the message's (PidTagMessageCodepage) and Internet (PidTagInternetCodepage) code pages."""
    msg = MapiMessage.create("ESP progress", "")
    string = PropertyTypeCode.PTYP_STRING
    msg.set_property(0x0C1A, string, "Devon Price")
    msg.set_property(0x0C1E, string, "SMTP")
    msg.set_property(0x0C1F, string, "devon.price@x.com")
    msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, SENT)
    for pid, number in zip((0x3FFD, 0x3FDE), codepages, strict=True):
        if number is not None:
            msg.set_property(pid, PropertyTypeCode.PTYP_INTEGER32, number)
    if rtf is not None:
        msg.set_property(0x1009, PropertyTypeCode.PTYP_BINARY, compress(rtf))
    if html is not None:
        msg.set_property(0x1013, PropertyTypeCode.PTYP_BINARY, html)
    msg.save(path)
    return path


@pytest.mark.parametrize(
    ("rtf", "text"),
    [
        # Word and Outlook leave 8-bit characters raw in the RTF, in its \ansicpg code page.
        (b"{\\rtf1\\ansi\\ansicpg1252\\deff0 The \x93Privacy\x94 module won\x92t load \x96 "
         b"SPOC ticket INC77.\\par}", "The “Privacy” module won’t load – SPOC ticket INC77."),
        ("{\\rtf1\\ansi\\ansicpg1251\\deff0 Готово 5\\par}".encode("cp1251"), "Готово 5"),
        # No code page given: Windows-1252, RTF's default.
        (b"{\\rtf1\\ansi Caf\xe9 \x96 done\\par}", "Café – done"),
        # Escaped characters as before.
        (b"{\\rtf1\\ansi\\ansicpg1252 can\\'92t \\u8212? done\\par}", "can’t — done"),
    ],
)  # fmt: skip
def test_an_rtf_only_msg_is_read_in_its_own_code_page(
    tmp_path: Path, rtf: bytes, text: str
) -> None:
    path = make_msg(tmp_path / "a.msg", rtf=rtf)
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == text


@needs_corpus
def test_a_real_outlook_rtf_body_keeps_its_curly_quotes(tmp_path: Path) -> None:
    real = MapiMessage.from_file(CORPUS / "RtfSampleEmail.msg").get_property_value(0x1009)
    assert isinstance(real, bytes)
    from compressed_rtf import decompress

    path = make_msg(tmp_path / "a.msg", rtf=bytes(decompress(real)))
    text = read_mail(path.read_bytes(), "a.msg", EASTERN).text
    assert "CHAPTER I “Well, Prince, so Genoa" in text
    assert not any("\x80" <= ch <= "\x9f" for ch in text)


@pytest.mark.parametrize(
    ("html", "codepages"),
    [
        # Outlook's own pair: the message in 1252, its HTML in UTF-8 (the Internet code page).
        ('<html><head><meta charset="utf-8"></head><body><p>I can’t open the “Privacy” '
         "module – café.</p></body></html>".encode(), (1252, 65001)),
        # No Internet code page: the HTML's own <meta charset>.
        ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
         "</head><body>I can’t open the “Privacy” module – café.</body></html>".encode(),
         (1252, None)),
        ("<p>I can’t open the “Privacy” module – café.</p>".encode("cp1252"), (1252, 28591)),
    ],
)  # fmt: skip
def test_an_html_only_msg_is_read_in_the_html_code_page(
    tmp_path: Path, html: bytes, codepages: tuple[int | None, int | None]
) -> None:
    path = make_msg(tmp_path / "a.msg", html=html, codepages=codepages)
    text = read_mail(path.read_bytes(), "a.msg", EASTERN).text
    assert text == "I can’t open the “Privacy” module – café."


@pytest.mark.parametrize(
    ("text", "codec", "codepage"),
    [
        ("Zażółć 5 z 8", "iso8859_2", 28592),
        ("Готово 5 из 8", "koi8_r", 20866),
        ("Готово 5 з 8", "koi8_u", 21866),
        ("Готово 5 из 8", "iso8859_5", 28595),
        ("モジュール5完了", "iso2022_jp", 50220),
        ("モジュール5完了", "euc_jp", 51932),
        ("模块五完成", "gb18030", 54936),
        ("모듈 5 완료", "euc_kr", 51949),
    ],
)
def test_an_html_only_msg_in_an_internet_code_page_python_spells_otherwise(
    tmp_path: Path, text: str, codec: str, codepage: int
) -> None:
    html = f"<html><body><p>{text}</p></body></html>".encode(codec)
    path = make_msg(tmp_path / "a.msg", html=html, codepages=(1252, codepage))
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == text


def test_an_rtf_byte_its_code_page_leaves_undefined_is_replaced_not_a_control(
    tmp_path: Path,
) -> None:
    rtf = (
        b"{\\rtf1\\ansi\\ansicpg1252 The \x93Privacy\x94 module won\x92t load \x96 caf\xe9 "
        b"\x81 INC77.\\par}"
    )
    path = make_msg(tmp_path / "a.msg", rtf=rtf)
    text = read_mail(path.read_bytes(), "a.msg", EASTERN).text
    assert text == "The “Privacy” module won’t load – café \ufffd INC77."


# ---------------------------------------------------------------- nested past any mailer


def nested(levels: int, kind: str) -> bytes:
    """An e-mail whose parts nest `levels` deep: messages inside messages, or multiparts."""
    head = f"From: Devon Price <devon.price@x.com>\r\nSubject: ESP\r\nDate: {TUE}\r\n"
    if kind == "message":
        mail = f"{head}Content-Type: text/plain\r\n\r\nDone 8 of 8.\r\n".encode()
        for _ in range(levels):
            mail = (
                f"{head}MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n".encode() + mail
            )
        return mail
    body = b"Content-Type: text/plain\r\n\r\nDone 8 of 8.\r\n"
    for i in range(levels):
        body = (
            f'Content-Type: multipart/mixed; boundary="x{i}"\r\n\r\n--x{i}\r\n'.encode()
            + body
            + f"\r\n--x{i}--\r\n".encode()
        )
    return f"{head}MIME-Version: 1.0\r\n".encode() + body


@pytest.mark.parametrize("levels", [150, 1000, 3000])
@pytest.mark.parametrize("kind", ["message", "multipart"])
def test_an_email_nested_past_any_mailer_is_unreadable_not_a_crash(levels: int, kind: str) -> None:
    from esp_cli.mail.attachments import read_files

    for read in (lambda data: read_mail(data, "a.eml", EASTERN), read_files):
        with pytest.raises(UnreadableMail) as caught:
            read(nested(levels, kind))
        assert caught.value.kind == "corrupt"
        assert "nest more than 100 levels deep" in str(caught.value)


def test_an_email_nested_as_deep_as_a_forward_chain_is_read() -> None:
    assert read_mail(nested(20, "multipart"), "a.eml", EASTERN).text == "Done 8 of 8."


# ------------------------------------------------------------ read as Windows reads them

# GBK as Windows writes it (cp936): 0x80, alone, is the euro sign. Mailers label it GB2312,
# GBK or GB18030 alike.
GBK_EURO = "费用 ".encode("gbk") + b"\x80" + "5，模块五完成".encode("gbk")
# ISO-2022-JP as Outlook writes it (Windows' cp50220/cp50221/cp50222): NEC's row 13 (①,
# Ⅰ, ㈱) in the JIS X 0208 set, half-width katakana after ESC ( I or between SO and SI.
JIS = b"\x1b$B"
ASCII = b"\x1b(B"
OUTLOOK_JIS = (
    "モジュール".encode("iso2022_jp")
    + JIS + b"-!-\"" + ASCII  # ①② (0x2D21, 0x2D22)
    + "完了".encode("iso2022_jp")
    + b" " + JIS + b"-5-6" + ASCII  # ⅠⅡ (0x2D35, 0x2D36)
    + b" " + JIS + b"-j" + ASCII  # ㈱ (0x2D6A)
    + b" \x1b(I12" + ASCII  # ｱｲ, cp50221
    + b" \x0e34\x0f"  # ｳｴ, cp50222
)  # fmt: skip
OUTLOOK_JIS_TEXT = "モジュール①②完了 ⅠⅡ ㈱ ｱｲ ｳｴ"


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "gb18030", "x-gbk", "cp936"])
def test_a_gbk_euro_sign_is_read_as_windows_reads_it(charset: str) -> None:
    assert decode_text(GBK_EURO, charset) == "费用 €5，模块五完成"


def test_a_byte_gbk_leaves_undefined_is_still_replaced() -> None:
    assert decode_text("模块五".encode("gbk") + b"\xff", "gb2312") == "模块五\ufffd"


@pytest.mark.parametrize("charset", ["iso-2022-jp", "ISO-2022-JP", "csISO2022JP", "iso-2022-jp-2"])
def test_outlooks_iso_2022_jp_keeps_its_circled_digits_and_roman_numerals(charset: str) -> None:
    assert decode_text(OUTLOOK_JIS, charset) == OUTLOOK_JIS_TEXT


def test_iso_2022_jp_never_reads_as_mojibake() -> None:
    """The sets ISO-2022-JP-2 and -2004 add are read too; an escape no set is known by, or
    a character cut short, is U+FFFD, never the escape's bytes."""
    text = (
        "模块五".encode("iso2022_jp_2") + "①".encode("iso2022_jp_2004") + b"\x1b$Z!!" + JIS + b"0"
    )
    assert decode_text(text, "iso-2022-jp") == "模块五①\ufffd!!\ufffd"


def test_an_iso_2022_jp_subject_and_body_from_outlook_are_read() -> None:
    subject = base64.b64encode("進捗①".encode("iso2022_jp_2004").replace(b"$(Q", b"$B"))
    mail = eml(
        OUTLOOK_JIS,
        headers=f"Subject: =?ISO-2022-JP?B?{subject.decode()}?=\r\n",
        charset="iso-2022-jp",
        cte="7bit",
    )
    assert read_mail(mail, "a.eml", EASTERN).text == OUTLOOK_JIS_TEXT
    no_text = eml(b"", headers=f"Subject: =?ISO-2022-JP?B?{subject.decode()}?=\r\n")
    no_text = no_text.replace(b"Subject: ESP progress\r\n", b"")
    assert read_mail(no_text, "b.eml", EASTERN).text == "進捗①"


def test_a_gbk_body_with_a_euro_sign_is_read_in_an_eml_and_a_msg(tmp_path: Path) -> None:
    assert read_mail(eml(GBK_EURO, charset="gb2312"), "a.eml", EASTERN).text == (
        "费用 €5，模块五完成"
    )
    html = b"<html><body><p>" + GBK_EURO + b"</p></body></html>"
    path = make_msg(tmp_path / "a.msg", html=html, codepages=(936, 936))
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == "费用 €5，模块五完成"


@pytest.mark.parametrize("codepage", [50220, 50221, 50222])
def test_an_html_only_msg_in_outlooks_iso_2022_jp_is_read(tmp_path: Path, codepage: int) -> None:
    html = b"<html><body><p>" + OUTLOOK_JIS + b"</p></body></html>"
    path = make_msg(tmp_path / "a.msg", html=html, codepages=(932, codepage))
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == OUTLOOK_JIS_TEXT


def with_pdf(disposition: str, *, headers: str = "") -> bytes:
    """A self-report with no text and a PDF attached under `disposition`."""
    return (
        "From: Devon Price <devon.price@x.com>\r\nTo: Jordan Reyes <jordan.reyes@x.com>\r\n"
        f"Subject: ESP progress\r\nDate: {TUE}\r\nMIME-Version: 1.0\r\n{headers}"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain\r\n\r\n\r\n--b\r\nContent-Type: application/pdf\r\n"
        f"Content-Disposition: attachment; {disposition}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        # RFC 2231, in each label's Windows code page: the email package's own reading of
        # ISO-2022-JP stops at ①, of Shift_JIS loses it, of GB2312 loses the euro sign and
        # of Latin-1 gives a control character for the dash.
        ("filename*=iso-2022-jp''%1B%24B-!%1B%28BTBT.pdf", "①TBT.pdf"),
        ("filename*=shift_jis''%87%40TBT.pdf", "①TBT.pdf"),
        ("filename*=gb2312''" + "".join(f"%{b:02X}" for b in GBK_EURO[:4]) + "%80.pdf",
         "费用€.pdf"),
        ("filename*=iso-8859-1''Caf%E9%20%96%20TBT.pdf", "Café – TBT.pdf"),
        # Continued over two parameters, and as an encoded word in quotes.
        ("filename*0*=iso-2022-jp''%1B%24B-!; filename*1*=%1B%28BTBT.pdf", "①TBT.pdf"),
        ('filename="=?iso-2022-jp?B?GyRCLSEbKEJUQlQucGRm?="', "①TBT.pdf"),
    ],
)  # fmt: skip
def test_an_attached_files_name_is_read_in_its_windows_code_page(
    disposition: str, name: str
) -> None:
    from esp_cli.mail.attachments import read_files

    mail = with_pdf(disposition)
    assert [f.name for f in read_files(mail).files] == [name]
    report = read_mail(mail, "a.eml", EASTERN)
    assert name in report.warning


def test_an_attached_emails_subject_is_read_in_its_windows_code_page() -> None:
    from esp_cli.mail.attachments import read_files

    subject = base64.b64encode(GBK_EURO).decode()
    inner = with_pdf('filename="TBT.pdf"').replace(
        b"Subject: ESP progress", f"Subject: =?gb2312?B?{subject}?=".encode()
    )
    outer = (
        (
            f"From: Sam Lee <sam.lee@x.com>\r\nSubject: FW\r\nDate: {TUE}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\nContent-Type: text/plain'
            "\r\n\r\nSee attached.\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n"
        ).encode()
        + inner
        + b"\r\n--o--\r\n"
    )
    found = read_files(outer)
    assert found.emails == ("费用 €5，模块五完成",)
    assert [f.via for f in found.files] == [("费用 €5，模块五完成",)]


# ------------------------------------------------------- an RTF body in several code pages

_POLISH = "Zażółć gęślą jaźń"


def _escaped(text: str, codec: str) -> bytes:
    """`text` as Word writes it in an RTF: each 8-bit byte of `codec` as \\'xx."""
    return b"".join(b"\\'%02x" % b if b > 0x7F else bytes([b]) for b in text.encode(codec))


@pytest.mark.parametrize(
    ("fonts", "body"),
    [
        # The Central European font is not the first, and the first gives no charset.
        (b"{\\f0\\fswiss Calibri;}{\\f1\\fswiss\\fcharset238 Calibri CE;}",
         b"\\f0 Caf\\'e9 done. \\f1 " + _escaped(_POLISH, "cp1250")),
        # The same with the characters left raw.
        (b"{\\f0\\fswiss\\fcharset0 Calibri;}{\\f1\\fswiss\\fcharset238 Calibri CE;}",
         b"\\f0 Caf\xe9 done. \\f1 " + _POLISH.encode("cp1250")),
        # The font table on one line, as Word writes it; the code page by \cpg.
        (b"{\\f0\\froman\\fcharset0 Times;}{\\f2\\fswiss Arial;}{\\f3\\fnil\\cpg1250 Arial CE;}",
         b"\\f0 Caf\\'e9 done. {\\f3 " + _escaped(_POLISH, "cp1250") + b"}"),
    ],
)  # fmt: skip
def test_each_rtf_font_is_read_in_its_own_code_page(
    tmp_path: Path, fonts: bytes, body: bytes
) -> None:
    rtf = b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl" + fonts + b"}" + body + b"\\par}"
    path = make_msg(tmp_path / "a.msg", rtf=rtf)
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == f"Café done. {_POLISH}"


def test_an_rtf_in_many_scripts_reads_each_in_its_font() -> None:
    """Cyrillic, Greek, Japanese (a double-byte code page, its Unicode fallbacks skipped)
    and Chinese with GBK's euro sign, each in its own font; a group ends its font."""
    from esp_cli.mail.rtf import rtf_text

    rtf = (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}"
        b"{\\f1\\fcharset204 Arial Cyr;}{\\f2\\fcharset161 Arial Greek;}"
        b"{\\f3\\fcharset128 MS Gothic;}{\\f4\\fcharset134 SimSun;}}"
        b"{\\f1 " + _escaped("Готово", "cp1251") + b"} "
        b"{\\f2 " + _escaped("Έτοιμο", "cp1253") + b"} "
        b"{\\f3\\uc2 " + _escaped("完了", "cp932") + b"\\u9312\\'87\\'40} "
        b"{\\f4 " + _escaped("费用", "gbk") + b"\\'80} caf\\'e9\\par}"
    )
    assert rtf_text(rtf) == "Готово Έτοιμο 完了① 费用€ café\n"


def test_a_character_right_after_a_control_word_is_text_not_its_argument() -> None:
    from esp_cli.mail.rtf import rtf_text

    rtf = b"{\\rtf1\\ansi\\ansicpg932 Step\\par\\'82\\'50 done\\par\\u65297?;\\par}"
    assert rtf_text(rtf) == "Step\n\uff11 done\n\uff11;\n"


def test_an_rtf_character_beyond_the_basic_plane_is_one_character() -> None:
    """Word writes an emoji as the two halves of its UTF-16 pair, each a \\uN."""
    from esp_cli.mail.rtf import rtf_text

    rtf = b"{\\rtf1\\ansi\\ansicpg1252 Done \\u-10180?\\u-8440?\\u9851?\\u-497? \\u-10180?!\\par}"
    assert rtf_text(rtf) == "Done \U0001f308\u267b\ufe0f \ufffd!\n"


@needs_corpus
@pytest.mark.parametrize(
    "name",
    ["RtfWithShortRussianString.msg", "EmailWithSpecialCharsInSubject.msg",
     "EmailWithSpecialCharsInSubject_2.msg", "TxtSampleEmail.msg", "EmailWithReactions.msg"],
)  # fmt: skip
def test_a_real_rtf_body_reads_as_outlooks_own_plain_text(name: str) -> None:
    """Outlook keeps the plain text beside the RTF: the RTF read alone says the same."""
    from compressed_rtf import decompress

    from esp_cli.mail.rtf import rtf_text

    msg = MapiMessage.from_file(CORPUS / name)
    rtf, plain = msg.get_property_value(0x1009), msg.get_property_value(0x1000)
    assert isinstance(rtf, bytes) and isinstance(plain, str)
    assert rtf_text(bytes(decompress(rtf))).split() == plain.split()


@needs_corpus
def test_a_real_rtf_emoji_is_read_whole() -> None:
    from compressed_rtf import decompress

    from esp_cli.mail.rtf import rtf_text

    rtf = MapiMessage.from_file(CORPUS / "sender_not_found_from_exchange.msg").get_property_value(
        0x1009
    )
    assert isinstance(rtf, bytes)
    text = rtf_text(bytes(decompress(rtf)))
    assert "\U0001f308\u267b\ufe0f" in text
    assert not any("\ud800" <= ch <= "\udfff" for ch in text)


# ------------------------------------------- text that is what it says, whatever it holds


def test_valid_utf8_holding_a_replacement_character_is_still_utf8() -> None:
    """A U+FFFD pasted into the message is the message's, not a byte UTF-8 could not read:
    the rest is not turned to Windows-1252 for it."""
    body = "The Learning Hub shows \ufffd\ufffd instead of my name — module 3 stuck."
    for charset in ("utf-8", "x-unknown"):
        assert decode_text(body.encode(), charset) == body
    assert read_mail(eml(body.encode()), "a.eml", EASTERN).text == body


def test_an_attached_files_name_in_raw_utf8_is_read_as_utf8() -> None:
    """Many mailers write the name unencoded, in 8-bit UTF-8."""
    from esp_cli.mail.attachments import read_files

    for name in ("María González TBT.pdf", "Zoë \ufffd TBT.pdf"):
        mail = with_pdf(f'filename="{name}"')
        assert [f.name for f in read_files(mail).files] == [name]
        assert name in read_mail(mail, "a.eml", EASTERN).warning


# ISO-2022-JP-2 as Python writes it: Latin-1 and Greek by the single shift ESC N.
JP2 = b"Caf\x1b.A\x1bNi, Se\x1bNq\x1bNq, \x1b.F\x1bNa ok. \x1b$B?JD=\x1b(B done"
JP2_TEXT = "Café, Seññ, α ok. 進捗 done"


@pytest.mark.parametrize("charset", ["iso-2022-jp-2", "iso-2022-jp", "csISO2022JP"])
def test_iso_2022_jp_2_keeps_its_latin_greek_and_japanese(charset: str) -> None:
    assert JP2.decode("iso2022_jp_2") == JP2_TEXT
    assert decode_text(JP2, charset) == JP2_TEXT
    mail = eml(JP2, charset=charset, cte="7bit")
    assert read_mail(mail, "a.eml", EASTERN).text == JP2_TEXT


def test_iso_2022_jp_2_that_outlooks_reading_cannot_read_is_read_by_its_own_codec() -> None:
    """ESC N before any G2 set: Python's iso2022_jp_2 reads it, so esp does."""
    data = b"ok \x1bNa \x1b$B?JD=\x1b(B"
    assert decode_text(data, "iso-2022-jp-2") == data.decode("iso2022_jp_2")


def test_seven_bit_iso_2022_jp_never_reads_as_its_escapes() -> None:
    """Escapes no set is known by outnumber what is read: still never the escape bytes."""
    data = b"\x1b$Z!!\x1b$Z\x1b$Z\x1b$Z ok \x1b$B?JD=\x1b(B"
    assert "\x1b" not in decode_text(data, "iso-2022-jp")
    assert "進捗" in decode_text(data, "iso-2022-jp")


@pytest.mark.parametrize(
    "charset",
    ["base64", "hex", "quopri", "uu", "zlib", "rot13", "bz2", "idna", "punycode", "undefined",
     "unicode_escape", "raw_unicode_escape", "charmap"],
)  # fmt: skip
def test_a_python_codec_that_is_no_character_set_is_an_unknown_label(charset: str) -> None:
    body = "Did 2 TBTs — café"
    assert decode_text(body.encode(), charset) == body
    assert decode_text(body.encode("cp1252"), charset) == body
    assert read_mail(eml(body.encode(), charset=charset), "a.eml", EASTERN).text == body


@pytest.mark.parametrize("charset", ["base64", "hex", "idna", "punycode", "undefined", "uu"])
def test_a_file_name_in_a_python_codec_that_is_no_character_set_is_read(charset: str) -> None:
    from esp_cli.mail.attachments import read_files

    mail = with_pdf(f"filename*={charset}''Devon%20Price%20TBT.pdf")
    assert [f.name for f in read_files(mail).files] == ["Devon Price TBT.pdf"]
    assert "Devon Price TBT.pdf" in read_mail(mail, "a.eml", EASTERN).warning


@pytest.mark.parametrize(
    "charset", ["csGB2312", "gb_2312", "GB_2312-80", "x-euc-cn", "windows-936", "x-cp936"]
)
def test_gbk_is_read_under_every_label_mail_programs_write(charset: str) -> None:
    assert decode_text(GBK_EURO, charset) == "费用 €5，模块五完成"


@pytest.mark.parametrize(
    "charset",
    ["_iso-2022-jp$ESC", "_iso-2022-jp$SIO", "_iso-2022-jp", "cp50220", "cp50221", "cp50222",
     "x-cp50220"],
)  # fmt: skip
def test_windows_names_for_outlooks_iso_2022_jp_are_read_as_it(charset: str) -> None:
    assert decode_text(OUTLOOK_JIS, charset) == OUTLOOK_JIS_TEXT


# ---------------------------------------------------------------- RTF as hand-made or gated


def test_an_rtf_font_table_after_the_text_it_sets_still_sets_it() -> None:
    from esp_cli.mail.rtf import rtf_text

    rtf = b"{\\rtf1\\ansi\\ansicpg1252{\\f1 \\'cf\\'f0\\'e8}{\\fonttbl{\\f1\\fcharset204 Cyr;}}}"
    assert rtf_text(rtf) == "При"


def test_rtf_unicode_words_with_no_number_are_dropped(tmp_path: Path) -> None:
    from esp_cli.mail.rtf import rtf_text

    rtf = b"{\\rtf1\\ansi\\ansicpg1252\\uc\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}Did 2 TBTs.\\par}"
    assert rtf_text(rtf) == "Did 2 TBTs.\n"
    path = make_msg(tmp_path / "a.msg", rtf=rtf)
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == "Did 2 TBTs."
    assert rtf_text(b"{\\rtf1\\ansi see \\u the list, \\b\\u 5 done\\par}") == (
        "see the list, 5 done\n"
    )


def test_an_rtf_fallback_skips_characters_across_lines_not_line_breaks() -> None:
    from esp_cli.mail.rtf import rtf_text

    assert rtf_text(b"{\\rtf1\\ansi\\uc5\\u8364 ab\r\ncd\ne\r\nf done\\par}") == "€f done\n"
    huge = b"{\\rtf1\\ansi\\uc1000000000\\u8364 " + b"Did 2 TBTs today.\n" * 50_000 + b"}"
    assert rtf_text(huge) == "€"


# ------------------------------------------------ an older (ANSI) .msg's attachment names


def ansi_msg(
    codepage: int | None,
    names: list[str],
    *,
    internet: int | None = None,
    inner: tuple[int | None, str] | None = None,
    codec: str | None = None,
) -> bytes:
    """An older Outlook .msg whose strings are 8-bit (PT_STRING8) in its code page
    (PidTagMessageCodepage, else PidTagInternetCodepage): a PDF attached under each of
    `names` (in `codec`, when given); `inner`, an e-mail attached to it with its own code
    page and a PDF."""

    def message(codepage: int | None, internet: int | None = None) -> MapiMessage:
        msg = MapiMessage.create("ESP progress", "", unicode_strings=False)
        string = PropertyTypeCode.PTYP_STRING
        msg.set_property(0x0C1A, string, "Devon Price")
        msg.set_property(0x0C1E, string, "SMTP")
        msg.set_property(0x0C1F, string, "devon.price@x.com")
        msg.set_property(0x0039, PropertyTypeCode.PTYP_TIME, SENT)
        for pid, number in ((0x3FFD, codepage), (0x3FDE, internet)):
            if number is not None:
                msg.set_property(pid, PropertyTypeCode.PTYP_INTEGER32, number)
        return msg

    def attach(msg: MapiMessage, name: str, codec: str) -> None:
        att = msg.add_attachment("x.pdf", b"%PDF-1.4\n", mime_type="application/pdf")
        att.filename = None  # the names below, in 8 bits, instead
        for pid in (0x3707, 0x3704, 0x3001):
            att.set_property(pid, PropertyTypeCode.PTYP_STRING8, name.encode(codec))

    from esp_cli.mail.codepages import codec_of

    outer = message(codepage, internet)
    codec = codec or codec_of(codepage or internet or 1252) or "cp1252"
    for name in names:
        attach(outer, name, codec)
    if inner is not None:
        own, name = inner
        forwarded = message(own)
        attach(forwarded, name, codec_of(own) or codec if own else codec)
        outer.add_embedded_message_attachment(forwarded, filename="FW: ESP progress")
    return outer.to_bytes()


@pytest.mark.parametrize(
    ("codepage", "internet", "name"),
    [
        (1251, None, "Отчёт Иванов TBT.pdf"),
        (932, None, "山田太郎 TBT①.pdf"),
        (1250, None, "Zażółć TBT.pdf"),
        (1253, None, "Παπαδόπουλος TBT.pdf"),
        (None, 1251, "Отчёт TBT.pdf"),  # only the Internet code page given
        (1252, None, "Café – TBT.pdf"),
    ],
)
def test_an_ansi_msgs_attachment_names_are_read_in_its_code_page(
    codepage: int | None, internet: int | None, name: str
) -> None:
    from esp_cli.mail.attachments import read_files

    data = ansi_msg(codepage, [name], internet=internet)
    assert [f.name for f in read_files(data).files] == [name]


@pytest.mark.parametrize(
    ("codepage", "internet", "name", "codec"),
    [
        (1200, None, "Café TBT.pdf", "cp1252"),  # UTF-16: no 8-bit string's code page
        (1200, 1251, "Отчёт TBT.pdf", "cp1251"),
        (None, 50220, "山田太郎 TBT.pdf", "cp932"),  # Outlook's ISO-2022-JP: Shift_JIS
        (None, 50221, "山田太郎 TBT①.pdf", "cp932"),
        (None, 52936, "张伟 TBT.pdf", "gbk"),  # HZ: GBK
        (None, 51949, "김민준 TBT.pdf", "cp949"),  # EUC-KR: Windows' Korean
    ],
)
def test_an_ansi_msgs_attachment_names_are_read_in_windows_code_page_of_its_charset(
    codepage: int | None, internet: int | None, name: str, codec: str
) -> None:
    from esp_cli.mail.attachments import read_files

    data = ansi_msg(codepage, [name], internet=internet, codec=codec)
    assert [f.name for f in read_files(data).files] == [name]


@pytest.mark.parametrize(
    ("cpg", "body", "want"),
    [
        (1200, rb"Caf\'e9", "Café"),  # UTF-16 cannot be an RTF's bytes: Windows-1252
        (50220, rb"\'8e\'52\'93\'63", "山田"),  # ISO-2022-JP: Shift_JIS
        (52936, rb"\'d5\'c5\'ce\'b0", "张伟"),  # HZ: GBK
    ],
)
def test_an_rtf_labelled_with_a_mail_charset_is_read_in_its_windows_code_page(
    cpg: int, body: bytes, want: str
) -> None:
    from esp_cli.mail.rtf import rtf_text

    assert rtf_text(b"{\\rtf1\\ansi\\ansicpg%d " % cpg + body + b"}") == want


def test_an_email_attached_to_an_ansi_msg_is_read_in_the_code_page_it_came_in() -> None:
    """An attached e-mail that names no code page of its own (aspose-email-foss writes an
    embedded message's properties where Outlook's readers do not look for them)."""
    from esp_cli.mail.attachments import read_files

    found = read_files(ansi_msg(1251, ["Отчёт.pdf"], inner=(None, "Иванов TBT.pdf")))
    assert [f.name for f in found.files] == ["Отчёт.pdf", "Иванов TBT.pdf"]


def test_an_ansi_msg_with_no_text_names_its_attachments_in_its_code_page() -> None:
    report = read_mail(ansi_msg(1251, ["Отчёт Иванов.pdf"]), "a.msg", EASTERN)
    assert "Отчёт Иванов.pdf" in report.warning


# ----------------------------------------------- raw ISO-2022-JP headers, never an escape

_JIS_SUBJECT = "進捗報告 モジュール5完了"


@pytest.mark.parametrize("charset", ["iso-2022-jp", "utf-8", "us-ascii", None])
def test_a_raw_iso_2022_jp_subject_is_read_not_put_in_a_note_as_escapes(
    charset: str | None,
) -> None:
    """Japanese mailers write Subject in ISO-2022-JP without encoded words: read in the
    message's character set, or in ISO-2022-JP when its bytes say so whatever the label."""
    mail = eml(b"", charset=charset or "").replace(
        b"Subject: ESP progress", b"Subject: " + _JIS_SUBJECT.encode("iso2022_jp")
    )
    if charset is None:
        mail = mail.replace(b'Content-Type: text/plain; charset=""\r\n', b"")
    report = read_mail(mail, "a.eml", EASTERN)
    assert report.text == _JIS_SUBJECT


def test_a_raw_iso_2022_jp_2_subject_is_read_in_the_messages_own_charset() -> None:
    subject = "Café 進捗 Ωmega"
    mail = eml(b"", charset="iso-2022-jp-2", cte="7bit").replace(
        b"Subject: ESP progress", b"Subject: " + subject.encode("iso2022_jp_2")
    )
    assert read_mail(mail, "a.eml", EASTERN).text == subject


def test_a_raw_iso_2022_jp_sender_name_and_file_name_are_read() -> None:
    from esp_cli.mail.attachments import read_files

    mail = with_pdf(
        'filename="' + "山田 報告.pdf".encode("iso2022_jp").decode("ascii") + '"'
    ).replace(b"Devon Price", "山田 太郎".encode("iso2022_jp"))
    report = read_mail(mail, "a.eml", EASTERN)
    assert report.name == "山田 太郎"
    found = read_files(mail)
    assert [f.name for f in found.files] == ["山田 報告.pdf"]
    assert found.sender_name == "山田 太郎"


def test_an_iso_2022_jp_body_labelled_otherwise_is_read_as_its_bytes_say() -> None:
    body = "モジュール5完了、明日6を始めます。".encode("iso2022_jp")
    assert read_mail(eml(body, charset="utf-8"), "a.eml", EASTERN).text == (
        "モジュール5完了、明日6を始めます。"
    )


# ------------------------------------------- ISO-2022-JP read in runs, as character by character

_SWITCH_BYTES = [b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$B", b"\x1b$(B", b"\x1b&@",
                 b"\x1b$(D", b"\x1b$A", b"\x1b$(C", b"\x1b$(Q", b"\x1b$(P", b"\x1b.A", b"\x1b.F",
                 b"\x1bN", b"\x1b$Z", b"\x1b", b"\x0e", b"\x0f"]  # fmt: skip
_TEXT_BYTES = ["進捗".encode("iso2022_jp")[3:-3], b"-!-5", b"12", b"SPOC", b" ", b"\r\n", b"\x80",
               b"~", b"\x7f", b"\x21\x21", b"\x29\x21", b"\x7e\x7e", b"\x74\x27", b"0"]  # fmt: skip


def _one_by_one(data: bytes) -> str:
    """ISO-2022-JP read character by character (the reading _iso2022_jp must equal)."""
    from esp_cli.mail import codepages as cp

    real = cp._characters
    try:
        cp._characters = lambda chars, charset: (  # type: ignore[assignment]
            "".join(cp._character(chars[at : at + charset[0]], charset)
                    for at in range(0, len(chars) - charset[0] + 1, charset[0]))
            + cp._BAD * (len(chars) % charset[0] > 0)
        )  # fmt: skip
        return cp._by_runs(data)
    finally:
        cp._characters = real


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(_SWITCH_BYTES) | st.sampled_from(_TEXT_BYTES) | st.binary(max_size=6),
        max_size=14,
    )
)
def test_iso_2022_jp_read_in_runs_is_read_as_character_by_character(parts: list[bytes]) -> None:
    """Each run between two escape sequences is read in one call (all the text at once
    for Outlook's usual sets): the same text as reading each character alone."""
    from esp_cli.mail.codepages import _iso2022_jp

    data = b"".join(parts)
    assert _iso2022_jp(data) == _one_by_one(data)


@pytest.mark.parametrize(
    "text", [OUTLOOK_JIS.replace(b" \x0e34\x0f", b""), "ﾓｼﾞｭｰﾙ５完了 ｱｲ".encode("iso2022_jp_ext")]
)
def test_outlooks_iso_2022_jp_read_at_once_is_read_as_character_by_character(text: bytes) -> None:
    from esp_cli.mail.codepages import _common

    assert _common(text) == _one_by_one(text) != ""


def test_an_iso_2022_jp_2_greek_byte_iso_8859_7_leaves_undefined_is_replaced() -> None:
    # ESC . F designates ISO-8859-7 as G2; 0x2E and 0x7F under ESC N are 0xAE and 0xFF,
    # which ISO-8859-7 leaves undefined: U+FFFD, not a crash.
    assert decode_text(b"a\x1b.F\x1bN\x2eb\x1bN\x7fc\x1bNa", "iso-2022-jp-2") == "a\ufffdb\ufffdcα"


# ------------------------------------------- RTF: a double-byte fallback, cp932's byte 0x80


def _rtf_in(charset: int, body: bytes) -> bytes:
    """An RTF document whose one font is in the character set `charset` (128: Shift_JIS)."""
    return (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fnil\\fcharset%d Font;}}\\f0 " % charset
        + body
        + b"\\par}"
    )


@pytest.mark.parametrize(
    ("charset", "codec", "fallback"),
    [
        (128, "cp932", "あ"),  # Shift_JIS
        (134, "gbk", "进"),  # GBK
        (136, "cp950", "進"),  # Big5
        (129, "cp949", "진"),  # Korean
    ],
)
@pytest.mark.parametrize("raw", [True, False], ids=["raw", "escaped"])
def test_a_double_byte_fallback_of_one_character_leaves_no_stray_byte(
    charset: int, codec: str, fallback: str, raw: bool
) -> None:
    """\\uc1 before a double-byte fallback (some writers count characters, not bytes):
    the whole character is skipped, never its second byte left as text."""
    from esp_cli.mail.rtf import rtf_text

    encoded = fallback.encode(codec)
    written = encoded if raw else b"".join(b"\\'%02x" % b for b in encoded)
    body = b"\\uc1 Module \\u%d " % ord(fallback) + written + b" done, \\u%d" % ord(fallback)
    body += written + b"ok"
    assert rtf_text(_rtf_in(charset, body)).strip() == f"Module {fallback} done, {fallback}ok"


@pytest.mark.parametrize("raw", [True, False], ids=["raw", "escaped"])
def test_a_double_byte_fallback_counted_in_bytes_is_skipped_as_before(raw: bool) -> None:
    from esp_cli.mail.rtf import rtf_text

    encoded = "あ".encode("cp932")
    written = encoded if raw else b"".join(b"\\'%02x" % b for b in encoded)
    body = b"\\uc2 a\\u12354 " + written + b"b \\u12354 " + written + b"c"
    assert rtf_text(_rtf_in(128, body)).strip() == "aあb あc"


def _fallback(text: str, codec: str, raw: bool) -> bytes:
    """`text` in `codec`, its bytes raw or as `\\'xx` escapes."""
    encoded = text.encode(codec)
    return encoded if raw else b"".join(b"\\'%02x" % b for b in encoded)


@pytest.mark.parametrize(
    ("charset", "codec", "text"),
    [
        (128, "cp932", "日本の表示"),  # Shift_JIS: 本 is 96 7B, 表 95 5C (second bytes ASCII)
        (134, "gbk", "中国日本"),  # GBK: most second bytes could lead a character too
        (136, "cp950", "中國語言"),  # Big5
        (129, "cp949", "한국어"),  # Korean
    ],
)
@pytest.mark.parametrize("raw", [True, False], ids=["raw", "escaped"])
@pytest.mark.parametrize("uc", [1, 2], ids=["uc1", "uc2"])
def test_a_double_byte_fallback_as_word_and_outlook_write_it_is_read_whole(
    charset: int, codec: str, text: str, raw: bool, uc: int
) -> None:
    """Word and Outlook write each CJK character as \\uN and its two-byte fallback, counted
    \\uc2 (RTF counts a fallback in bytes); some writers count it \\uc1. Either way each
    fallback is skipped whole and the next character — text, a space, a digit, another \\uN,
    a character written only in the font's code page — is read as itself."""
    from esp_cli.mail.rtf import rtf_text

    def unicode(chars: str) -> bytes:
        return b"".join(b"\\u%d" % ord(c) + _fallback(c, codec, raw) for c in chars)

    body = (
        b"\\uc%d " % uc
        + unicode(text)
        + b" end, "
        + unicode(text[0])
        + _fallback(text[1], codec, raw)  # the next character in the code page alone
        + b" and "
        + unicode(text[0])
        + b"2026."
    )
    want = f"{text} end, {text[:2]} and {text[0]}2026."
    assert rtf_text(_rtf_in(charset, body)).strip() == want


@pytest.mark.parametrize(
    ("body", "cpg", "charset", "want"),
    [
        (rb"\uc2\u26085\'93\'fa\u26412\'96\'7b end", 932, 128, "日本 end"),
        (rb"\uc2\u26085\'93\'fa\'96\'7b end", 932, 128, "日本 end"),
        (rb"\uc2\u20013\'d6\'d0\'b9\'fa end", 936, 134, "中国 end"),
        (rb"\uc2\u26085\'c8\'d5\'b1\'be end", 936, 134, "日本 end"),
        # The second byte written as text or as an escaped symbol (ア is 83 41, 表 95 5C),
        # counted in bytes or in characters.
        (rb"\uc2\u12450\'83A\u12450\'83A end", 932, 128, "アア end"),
        (rb"\uc1\u12450\'83A\u12450\'83A end", 932, 128, "アア end"),
        (rb"\uc2\u34920\'95\\\u34920\'95\\ end", 932, 128, "表表 end"),
        (rb"\uc1\u34920\'95\\\u34920\'95\\ end", 932, 128, "表表 end"),
    ],
)
def test_a_uc2_fallback_never_takes_the_character_after_it(
    body: bytes, cpg: int, charset: int, want: str
) -> None:
    from esp_cli.mail.rtf import rtf_text

    rtf = b"{\\rtf1\\ansi\\ansicpg%d\\deff0{\\fonttbl{\\f0\\fnil\\fcharset%d X;}}\\f0 " % (
        cpg,
        charset,
    )
    assert rtf_text(rtf + body + b"}") == want


def test_cp932s_byte_0x80_is_read_as_windows_reads_it(tmp_path: Path) -> None:
    """Windows' code page 932 (its table, bestfit932.txt) reads 0x80 as U+0080, one byte on
    its own — never the first of two, so the character after it is itself (esp progress
    import leaves the control character out of the note, and says so)."""
    from esp_cli.mail.rtf import rtf_text

    body = b"a\\'80\\'82\\'a0 \x80\x82\xa0 \x80b"
    assert rtf_text(_rtf_in(128, body)).strip() == "a\x80あ \x80あ \x80b"
    path = make_msg(tmp_path / "a.msg", rtf=_rtf_in(128, body))
    assert read_mail(path.read_bytes(), "a.msg", EASTERN).text == "a\x80あ \x80あ \x80b"
    assert decode_text(b"\x80\x82\xa0", "shift_jis") == "\x80あ"


# ------------------------- RTF: a double-byte character's second byte, however it is written

# Word's forms of a character's second byte: escaped ('x), as plain text when it is printable
# ASCII, or as an escaped symbol when it is one of RTF's own (\\, \{, \}).
_RTF_BYTE_FORMS = ("escaped", "plain")


def _dbcs(text: str, codec: str, form: str = "plain") -> bytes:
    """`text` in `codec` as an RTF writer puts it: each byte above 0x7F escaped; each second
    byte escaped too (`escaped`), or as plain text or an escaped symbol (`plain`)."""
    out, second = [], False
    for byte in text.encode(codec):
        if byte > 0x7F or (second and form == "escaped"):
            out.append(b"\\'%02x" % byte)
        elif bytes([byte]) in b"\\{}":
            out.append(b"\\" + bytes([byte]))
        else:
            out.append(bytes([byte]))
        second = not second and _leads(byte, codec)
    return b"".join(out)


def _leads(byte: int, codec: str) -> bool:
    try:
        bytes([byte]).decode(codec)
    except UnicodeDecodeError as exc:
        return byte not in (0x80, 0xFF) and "incomplete" in exc.reason
    return False


# Characters whose second byte is printable ASCII (ア is 83 41, ― 81 5C, ボ 83 7B, マ 83 7D).
_PLAIN_SECOND = [
    (932, 128, "cp932", "アイウ―ボマ表ソ能"),
    (936, 134, "gbk", "丂赲癅"),  # 81 40, DA 5C, 0xAF 0x7B
    (949, 129, "cp949", "갂갃"),  # 81 41, 81 42
    (950, 136, "cp950", "乙功許"),  # A4 41, A5 5C, B3 5C
]


@pytest.mark.parametrize(("cpg", "charset", "codec", "text"), _PLAIN_SECOND)
@pytest.mark.parametrize("form", _RTF_BYTE_FORMS)
@pytest.mark.parametrize("where", ["document", "font"])
def test_an_escaped_first_byte_takes_the_next_byte_however_it_is_written(
    cpg: int, charset: int, codec: str, text: str, form: str, where: str
) -> None:
    """`\\'83A` is ア in Shift_JIS (Word writes a second byte that is printable ASCII as
    text), `\\'81\\\\` is ―: one character, as Word reads it, not ƒ and A. In the document's
    code page (\\ansicpg932) or in a font's own (\\fcharset128 in a Windows-1252 document)."""
    from esp_cli.mail.rtf import rtf_text

    body = b"Module " + _dbcs(text, codec, form) + b" done"
    if where == "document":
        rtf = b"{\\rtf1\\ansi\\ansicpg%d " % cpg + body + b"\\par}"
    else:
        rtf = _rtf_in(charset, body)
    assert rtf_text(rtf).strip() == f"Module {text} done"


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (rb"\'83" + b"\r\n" + rb"A\'83" + b"\n" + rb"\{", "アボ"),  # a line break is nothing
        (rb"\'88" + b"\x9f" + rb"\par A", "亜\nA"),  # a raw second byte leads nothing
        (rb"\uc1\u12450\'83" + b"\r\n" + rb"A end", "ア end"),
        (rb"\uc2\u20124\'88" + b"\x9f" + rb"\u20124\'88" + b"\x9f" + rb" end", "亜亜 end"),
    ],
)
def test_a_second_byte_is_read_across_a_line_break_and_raw(body: bytes, want: str) -> None:
    from esp_cli.mail.rtf import rtf_text

    assert rtf_text(b"{\\rtf1\\ansi\\ansicpg932 " + body + b"}") == want


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (rb"{\'83}A", "\ufffdA"),  # the group's end: A is A, in its own group
        (rb"{\f1 \'83}\'41", "\ufffdA"),
        (rb"\'83\par A", "\ufffd\nA"),
        (rb"\'83\u12450?A", "\ufffdアA"),
        (rb"ok \'83", "ok \ufffd"),
        (rb"\'83 ok", "\ufffd ok"),  # a byte no character's second: itself
    ],
)
def test_a_first_byte_no_second_byte_follows_is_a_missing_character(body: bytes, want: str) -> None:
    """A group's end, a control word, a \\uN or the document's end is no byte, and a space
    is no character's second: the character is U+FFFD (never ƒ, the byte read as
    Windows-1252) and what follows is itself."""
    from esp_cli.mail.rtf import rtf_text

    fonts = b"{\\fonttbl{\\f0\\fcharset128 MS Gothic;}{\\f1\\fcharset128 MS Mincho;}}"
    assert rtf_text(b"{\\rtf1\\ansi\\ansicpg932\\deff0" + fonts + body + b"}") == want


def test_raw_double_byte_text_still_takes_the_next_byte_whatever_it_is() -> None:
    """RTF-J writes both bytes raw, the second unescaped even when it is \\, { or }: the
    byte after a raw first byte is its second (a line break between them is nothing)."""
    from esp_cli.mail.rtf import rtf_text

    body = b"\x83}\x95\\\x83\r\nA \x83{ok"
    assert rtf_text(b"{\\rtf1\\ansi\\ansicpg932 " + body + b"}") == "マ表ア ボok"


@functools.cache
def _characters_of(codec: str) -> list[str]:
    """The letters, digits, punctuation, symbols and spaces `codec` writes and reads back."""

    def readable(char: str) -> bool:
        try:
            return char.encode(codec).decode(codec) == char
        except UnicodeError:
            return False

    return [
        char
        for char in map(chr, range(0x20, 0x10000))
        if unicodedata.category(char)[0] in "LNPS" or char == " "
        if readable(char)
    ]


@st.composite
def _cjk_rtf(draw: st.DrawFn) -> tuple[bytes, str]:
    """Japanese, Chinese or Korean text and an RTF of it, each character written in one of
    the ways writers do: its bytes with the second plain or escaped, or \\uN with a
    fallback of \\uc0, \\uc1 (a character, or ?) or \\uc2 (its bytes); line breaks between
    tokens, and even between a character's two bytes."""
    cpg, charset, codec = draw(
        st.sampled_from([(932, 128, "cp932"), (936, 134, "gbk"), (949, 129, "cp949"),
                         (950, 136, "cp950")])
    )  # fmt: skip

    text = draw(st.text(st.sampled_from(_characters_of(codec)), min_size=1, max_size=12))
    out = [b"{\\rtf1\\ansi\\ansicpg%d " % cpg]
    if draw(st.booleans()):  # the code page a font's, in a Windows-1252 document
        out = [b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fcharset%d X;}}\\f0 " % charset]
    for char in text:
        encoded = char.encode(codec)
        how = draw(st.sampled_from(["plain", "escaped", "uc0", "uc1", "uc1?", "uc2"]))
        bytes_form = draw(st.sampled_from(_RTF_BYTE_FORMS))
        written = _dbcs(char, codec, bytes_form)
        if len(encoded) == 2 and draw(st.booleans()):
            first = b"\\'%02x" % encoded[0]
            written = first + b"\r\n" + written[len(first) :]
        if how.startswith("uc"):
            fallback = {"uc0": b"", "uc1?": b"?", "uc1": written, "uc2": written}[how]
            uc = 0 if how == "uc0" else len(encoded) if how == "uc2" else 1
            written = b"\\uc%d\\u%d " % (uc, ord(char)) + fallback
        out.append(written)
        if draw(st.booleans()):
            out.append(b"\r\n")
    return b"".join(out) + b"}", text


@settings(max_examples=600, deadline=None)
@given(_cjk_rtf())
def test_cjk_text_written_in_rtf_as_writers_do_reads_back_exactly(case: tuple[bytes, str]) -> None:
    from esp_cli.mail.rtf import rtf_text

    rtf, text = case
    assert rtf_text(rtf) == text

"""A message's text and HTML bodies reach the reader exactly as written, whatever their
lines: saved as .eml, read back by a mail program, each body is the same text."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.core.model import Letter
from esp_cli.mail import outgoing as mail

ENV = mail.Envelope("Jordan Reyes <jordan.reyes@example.com>", ("lead@example.com",), ())
WHEN = datetime(2026, 11, 24, 18)


def _as_read(text: str, html: str) -> tuple[EmailMessage, str, str]:
    """The message built from these bodies, saved as an .eml and read back: (message read,
    its plain text, its HTML)."""
    built = mail.build_message(ENV, Letter("Report", text, html, "report"), WHEN)
    read = email.message_from_bytes(mail.draft_bytes(built), policy=policy.default)
    assert isinstance(read, EmailMessage)
    plain, rich = read.get_body(("plain",)), read.get_body(("html",))
    assert plain is not None and rich is not None
    # A program reading the file gives its lines back ended as it ends them: compared here
    # as newlines.
    return read, _newlines(plain.get_content()), _newlines(rich.get_content())


def _newlines(text: str) -> str:
    return str(text).replace("\r\n", "\n")


def _lines(text: str) -> str:
    """The text as any mail program gives it back: its lines, each ended by one newline."""
    return "\n".join(line.decode() for line in text.encode().splitlines()) + "\n"


AWKWARD = [
    "",
    "short ASCII",
    "x" * 78,
    "x" * 79,
    "y" * 76 + "=" + "z" * 200,
    "trailing space   \n" + "w" * 300 + "\t\nnext",
    "." + "a" * 100 + "\n.\nFrom the team\n",
    "é" * 50 + " — 96.4% — " + "ü" * 200,
    '<td style="font-family:Segoe UI,Calibri,Arial,sans-serif;padding:5px 4px">30</td>' * 40,
    "Привет, команда! " * 30,
    "\r\n".join(["line with CRLF " * 10] * 3) + "\rlone CR" + "q" * 90,
    "=\n=20\n" + "=" * 200,
]


@pytest.mark.parametrize("body", AWKWARD)
def test_each_body_reads_back_as_written(body: str) -> None:
    _, plain, rich = _as_read(body, f"<p>{body}</p>")
    assert plain == _lines(body)
    assert rich == _lines(f"<p>{body}</p>")


def test_a_long_html_body_is_quoted_printable_within_the_line_limit() -> None:
    html = "<table>" + '<tr><td style="padding:5px 4px">29</td></tr>' * 5000 + "</table>"
    read, _, rich = _as_read("Plain words.", html)
    part = read.get_body(("html",))
    assert part is not None and part["Content-Transfer-Encoding"] == "quoted-printable"
    assert rich == html + "\n"
    raw = mail.draft_bytes(mail.build_message(ENV, Letter("R", "t", html, "r"), WHEN))
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_text_mostly_outside_ascii_in_long_lines_is_base64_as_it_is_shorter() -> None:
    body = "Привет, команда! " * 30
    read, plain, _ = _as_read(body, "<p>x</p>")
    part = read.get_body(("plain",))
    assert part is not None and part["Content-Transfer-Encoding"] == "base64"
    assert plain == body + "\n"


def test_short_lines_are_sent_as_they_are() -> None:
    read, plain, _ = _as_read("Hello,\nall done.", "<p>Hello</p>")
    part = read.get_body(("plain",))
    assert part is not None and part["Content-Transfer-Encoding"] == "7bit"
    assert plain == "Hello,\nall done.\n"


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),
        max_size=400,
    ).map(lambda t: t * 3)
)
def test_any_body_reads_back_as_the_email_package_would_give_it(body: str) -> None:
    """The same text back as a message the email package encodes itself."""
    _, plain, rich = _as_read(body, body)
    reference = EmailMessage(policy=policy.SMTP)
    reference.set_content(body, subtype="plain", charset="utf-8")
    back = email.message_from_bytes(reference.as_bytes(), policy=policy.default)
    assert isinstance(back, EmailMessage)
    assert plain == rich == _newlines(back.get_content())


@pytest.mark.parametrize("body", [b for b in AWKWARD if b] + ["Привет, команда! " * 30])
def test_a_body_decoded_in_memory_has_one_line_ending_whatever_its_encoding(body: str) -> None:
    """The .msg draft takes the bodies from the message as built, not as saved: each is
    the text with its lines ended by a newline, quoted-printable, base64 or as it is."""
    built = mail.build_message(ENV, Letter("Report", body, f"<p>{body}</p>", "report"), WHEN)
    plain, rich = built.get_body(("plain",)), built.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content() == _lines(body)
    assert rich.get_content() == _lines(f"<p>{body}</p>")


@pytest.mark.parametrize("text", ["short ASCII", "héllo " * 40, "x" * 500])
def test_a_policy_without_a_line_limit_sends_the_text_as_it_is(text: str) -> None:
    part = EmailMessage(policy=policy.SMTP.clone(max_line_length=None))
    part.set_content(text, subtype="plain", content_manager=mail._TEXT)
    assert part["Content-Transfer-Encoding"] == ("7bit" if text.isascii() else "8bit")
    assert part.get_content() == text + "\n"


def test_each_multipart_boundary_is_found_in_no_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """A boundary is never a line of the text it separates: a body holding the first one
    drawn (the plain text) or the second (an HTML comment) makes esp draw again, and every
    part reads back whole."""
    from esp_cli.core.model import InlineImage

    drawn = iter(range(1, 100))
    monkeypatch.setattr(mail.random, "randrange", lambda _top: next(drawn))
    first, second = (f"{'=' * 15}{n:019d}==" for n in (1, 2))
    text = f"Totals\n--{first}\nafter the line\n"
    html = f"<p>Totals</p><!-- --{second}-- --><p>after</p>"
    picture = InlineImage("trend@esp", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "png", "t.png")
    built = mail.build_message(ENV, Letter("Report", text, html, "report", (picture,)), WHEN)
    boundaries = [p.get_boundary() for p in built.walk() if p.is_multipart()]
    assert len(boundaries) == 2 and len(set(boundaries)) == 2
    assert first not in boundaries and second not in boundaries
    read = email.message_from_bytes(mail.draft_bytes(built), policy=policy.default)
    assert isinstance(read, EmailMessage)
    plain, rich = read.get_body(("plain",)), read.get_body(("html",))
    assert plain is not None and rich is not None
    assert _newlines(plain.get_content()) == text
    assert _newlines(rich.get_content()) == html + "\n"
    image = next(p for p in read.walk() if p.get_content_maintype() == "image")
    assert image.get_content() == picture.data


@given(
    st.text(
        alphabet=st.sampled_from("ab =.\t\n\r é€\x00\x7f"),
        max_size=300,
    ).map(lambda t: t * 4)
)
@settings(max_examples=200)
def test_the_saved_draft_is_the_email_packages_own_bytes(body: str) -> None:
    """The .eml is byte for byte what the email package writes for the message (its
    generator writing each line on its own), and each body is encoded the shorter way."""
    import base64
    import binascii
    import copy

    built = mail.build_message(ENV, Letter("Report", body, f"<p>{body}</p>", "report"), WHEN)
    reference = copy.deepcopy(built)
    reference["X-Unsent"] = "1"
    assert mail.draft_bytes(built) == reference.as_bytes()
    for part in built.walk():
        cte = part["Content-Transfer-Encoding"]
        if cte in ("quoted-printable", "base64"):
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            quoted = binascii.b2a_qp(data, istext=True)
            shorter = (
                "quoted-printable" if len(quoted) <= len(base64.encodebytes(data)) else "base64"
            )
            assert cte == shorter

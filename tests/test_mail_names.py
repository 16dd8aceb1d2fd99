"""Names in the From, To and Cc of every e-mail esp writes: each reads back as the one name
and the one address typed — in the .eml (as Python reads it today and as a reader that
takes the header as written does), in the .msg draft's sender and recipient table, in a dry
run, and as the server receives it — on header lines no longer than RFC 5322 allows, with
the Subject and the attachments' names too."""

from __future__ import annotations

import email
import email.header
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import olefile
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config, unquoted_name
from esp_cli.core.addresses import named, recipient
from esp_cli.core.model import Letter
from esp_cli.errors import ExitCode
from esp_cli.mail import outgoing as mail
from tests import factories
from tests.support.mailnames import same_names
from tests.test_report import Recorder, start_server

Loopback = tuple[mail.Server, Recorder, Path]

SENDER = "jr@vendorcx.com"
TO = ("t@example.com", "u@example.com")
CC = "c@example.com"
LETTER = Letter(subject="EOD", text="Done.", html="<p>Done.</p>", stem="eod")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def tidied(name: str) -> str:
    """A name as esp writes it: the spaces round it dropped, each run of spaces holding a
    plain one made one plain space; a no-break or ideographic space between two words kept."""
    return " ".join(re.split(r"\s* \s*", name.strip()))


def compat32(raw: str) -> list[tuple[str, str]]:
    """A header as a reader that takes it as written reads it: split by getaddresses, each
    name's encoded words decoded."""
    out = []
    for shown, addr in email.utils.getaddresses([raw.replace("\r\n", "")]):
        words = email.header.decode_header(shown)
        text = "".join(w.decode(c or "ascii") if isinstance(w, bytes) else w for w, c in words)
        out.append((text, addr))
    return out


def msg_fields(data: bytes) -> tuple[str, list[tuple[str, str, str]]]:
    """(the .msg's sender name, [(display name, e-mail address, SMTP address)] of each
    recipient row, in order)."""
    ole = olefile.OleFileIO(data)

    def text(*names: str) -> str:
        return bytes(ole.openstream("/".join(names)).read()).decode("utf-16-le")

    rows = sorted({e[0] for e in ole.listdir() if e[0].startswith("__recip_version1.0_#")})
    recipients = [
        (text(r, "__substg1.0_3001001F"), text(r, "__substg1.0_3003001F"),
         text(r, "__substg1.0_39FE001F"))
        for r in rows
    ]  # fmt: skip
    return text("__substg1.0_0C1A001F"), recipients


def header_lines(data: bytes) -> list[bytes]:
    """Every header line of a message and of each of its parts, without its line ending."""
    boundaries = {b"--" + b for b in re.findall(rb'boundary="([^"]+)"', data)}
    out, in_header = [], True
    for line in data.replace(b"\r\n", b"\n").split(b"\n"):
        if line.rstrip(b"-") in boundaries or line in boundaries:
            in_header = True
        elif not line:
            in_header = False
        elif in_header:
            out.append(line)
    return out


ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bqBQ]\?[^?\s]*\?=")


def assert_lines_fit(data: bytes) -> None:
    """Every header line within RFC 5322's 998 characters, and within 78 unless it holds one
    word no fold can split (a long plain word, an address); every encoded word within RFC
    2047's 75 characters."""
    for line in header_lines(data):
        assert len(line) <= 998, line[:100]
        if len(line) > 78:
            value = line if line[:1].isspace() else line.partition(b":")[2]
            assert len(value.split()) == 1 and not ENCODED_WORD.search(value), line
    for word in ENCODED_WORD.findall(data):
        assert len(word) <= 75, word


def sent(msg: Any, env: mail.Envelope, loopback: Loopback) -> bytes:
    """The message as the loopback server received it."""
    srv, handler, fallback = loopback
    handler.envelopes.clear()
    assert mail.send(msg, env, srv, fallback) == {}
    ((_, _, data),) = handler.envelopes
    return data


def assert_read_back(cfg: Config, sender: str, to: str, cc: str, loopback: Loopback) -> None:
    """The message esp builds from `cfg` names `sender`, then `to` and a bare address, then
    `cc`, each exactly once and with its own address, however it is read: in the .eml and as
    the server received it (by both of Python's parsers), in a dry run and in the .msg, on
    header lines RFC 5322 allows."""
    env = mail.envelope(cfg)
    msg = mail.build_message(env, LETTER, datetime(2026, 11, 24, 17))
    expected = {
        "From": [(sender, SENDER)],
        "To": [(to, TO[0]), ("", TO[1])],
        "Cc": [(cc, CC)],
    }
    for data in (mail.draft_bytes(msg), sent(msg, env, loopback)):
        assert_lines_fit(data)
        parsed = email.message_from_bytes(data, policy=default_policy)
        raw = email.message_from_bytes(data)
        for field, want in expected.items():
            got = [(a.display_name, a.addr_spec) for a in parsed[field].addresses]
            assert same_names(got, want, raw[field]), (field, data.split(b"\r\n\r\n")[0])
            shown = email.utils.getaddresses([str(parsed[field])])
            assert same_names(shown, want, raw[field])
            assert compat32(raw[field]) == want, (field, raw[field])
    # A dry run shows each header on one line, the names as typed.
    lines = mail.shown(msg).split("\n\n", 1)[0].splitlines()
    for field, want in expected.items():
        (line,) = [li for li in lines if li.startswith(f"{field}: ")]
        assert email.utils.getaddresses([line.removeprefix(f"{field}: ")]) == want, line
    # The Outlook draft: the sender, then one recipient row for each address.
    sender_name, rows = msg_fields(mail.draft_msg_bytes(msg))
    assert sender_name == sender
    assert rows == [(n or a, a, a) for n, a in (*expected["To"], *expected["Cc"])]


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loopback]:
    """An SMTP server on the loopback for the whole module (hypothesis runs a test many times
    in one call), what it received, and where a message it refused would be saved."""
    handler = Recorder()
    controller = start_server(handler)
    try:
        srv = mail.Server("127.0.0.1", int(controller.port), False, None)
        yield srv, handler, tmp_path_factory.mktemp("unsent") / "eod.eml"
    finally:
        controller.stop()


# Any character a name may hold (esp.toml refuses control characters, line and paragraph
# separators and the two non-characters): every script, emoji, marks, format characters.
_ANY = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\ufffe\uffff")
# Names as people type them, and worse: ASCII punctuation, dots (J.R.), commas, quotes,
# backslashes, @, words beyond ASCII, no-break and ideographic spaces, text that looks like
# an encoded word, names longer than a header line and far longer than the 998 characters
# a line may hold, with no space to fold at (CJK, Cyrillic, emoji and accents by the hundred).
_PIECES = st.one_of(
    st.sampled_from(list(" .,;:\"'\\@()<>[]!#$%&*+-/=?^_`{|}~")),
    st.sampled_from(["Jordan", "Reyes", "J.", "Jr.", "J.R.", "O'Connor", "jordan@vendorcx.com",
                     "=?utf-8?q?Team_Lead?=", "=?", "?=", "Jördan", "Réyes", "Müller", "山田",
                     "\u00a0", "\u3000", "Łukasz", "X" * 90, "Montgomery-" * 5]),
    st.characters(min_codepoint=0x20, max_codepoint=0x2FF).filter(str.isprintable),
    _ANY,
    st.sampled_from(["山" * 300, "Александровна" * 60, "😀" * 300, "👩🏽\u200d💻" * 120,
                     "e\u0301" * 400, "🇯🇵" * 200, "X" * 1200, "ภาษาไทย" * 150]),
    st.text(_ANY, min_size=100, max_size=1500),
)  # fmt: skip
NAMES = st.lists(_PIECES, min_size=1, max_size=24).map("".join).filter(lambda n: n.strip() != "")


# A word too long for a line in quotes (the dot asks for them), then text that looks like
# an encoded word: both written as encoded words, and the space between them was lost.
LONG_QUOTED_THEN_ENCODED = "." + "0" * 100 + " =?utf-8?q?Team_Lead?="


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=NAMES, to=NAMES, cc=NAMES)
@example(user="J.Reyes", to="T.Hughes", cc=LONG_QUOTED_THEN_ENCODED)
def test_any_name_reads_back_as_one_name_and_one_address(
    user: str, to: str, cc: str, loopback: Loopback
) -> None:
    assume(unquoted_name(user))  # '""': no name, the address alone
    cfg = Config(
        user=user,
        user_email=SENDER,
        report_to=(named(to, TO[0]), TO[1]),
        report_cc=(named(cc, CC),),
    )
    assert_read_back(cfg, unquoted_name(user), tidied(to), tidied(cc), loopback)


@pytest.mark.parametrize(
    ("user", "to", "cc"),
    [
        ("J.Reyes", "T.Hughes", "Müller J.R."),
        ("jordan@vendorcx.com", "(JR)", "Jr."),
        ("Jördan Réyes, Jr.", "Hughes, T.", "Ana (QA)"),
    ],
)
def test_a_one_word_name_that_needs_quotes_keeps_both_of_them(
    user: str, to: str, cc: str, loopback: Loopback
) -> None:
    cfg = Config(user=user, user_email=SENDER, report_to=(f'"{to}" <{TO[0]}>', TO[1]),
                 report_cc=(f'"{cc}" <{CC}>',))  # fmt: skip
    assert_read_back(cfg, user, to, cc, loopback)


@pytest.mark.parametrize(
    "name",
    [
        LONG_QUOTED_THEN_ENCODED,
        "Müller ." + "0" * 100,  # beyond ASCII, then a quoted word too long for a line
        "J.R. " * 20 + "山田",  # a quoted run too long for a line, then beyond ASCII
        "=?x " + "a.b " * 25 + "Réyes",  # an encoded run on both sides
    ],
)
def test_a_quoted_run_too_long_for_a_line_keeps_its_space_beside_an_encoded_one(
    name: str, loopback: Loopback
) -> None:
    """A run of words that needs quotes but is too long for a line is written in encoded
    words, as is a run beyond ASCII or that looks like an encoded word: two such runs side
    by side lost the space between them (readers drop the spaces between encoded words)."""
    cfg = Config(user=name, user_email=SENDER, report_to=(named(name, TO[0]), TO[1]),
                 report_cc=(named(name, CC),))  # fmt: skip
    assert_read_back(cfg, name, name, name, loopback)


@pytest.mark.parametrize("length", range(67, 75))
@pytest.mark.parametrize("start", ["J.", "Jo", 'J"', "Jö"])
def test_a_name_at_the_fold_reads_back_whole(start: str, length: int, loopback: Loopback) -> None:
    """A one-word name whose header line ends at, just before or just past the 78th column
    (From: and To: start it at different columns): quoted, plain or beyond ASCII."""
    name = start + "a" * (length - len(start))
    cfg = Config(user=name, user_email=SENDER, report_to=(named(name, TO[0]), TO[1]),
                 report_cc=(named(name, CC),))  # fmt: skip
    assert_read_back(cfg, name, name, name, loopback)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "AET-1", "Agent Name": "Ana Ruiz", "ESP Start Date": date(2026, 11, 16)}],
    )
    return tmp_path


def write_config(folder: Path, port: int = 25, **report: Any) -> Path:
    cfg = folder / "esp.toml"
    report = {"to": ['"T.Hughes" <t@example.com>', "Hughes, Torrey <u@example.com>"],
              "cc": ["Müller J.R. <c@example.com>"], **report}  # fmt: skip
    cfg.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f'[people]\nuser = "J.Reyes"\nuser_email = "{SENDER}"\n\n'
        "[report]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in report.items()) + "\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n',
        encoding="utf-8",
    )
    return cfg


WANT = {
    "From": [("J.Reyes", SENDER)],
    "To": [("T.Hughes", "t@example.com"), ("Hughes, Torrey", "u@example.com")],
    "Cc": [("Müller J.R.", "c@example.com")],
}


def test_the_eml_msg_and_sent_report_name_each_recipient_once(folder: Path) -> None:
    handler = Recorder()
    controller = start_server(handler)
    try:
        cfg = write_config(folder, controller.port)
        eml, msg = folder / "eod.eml", folder / "eod.msg"
        result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "--msg",
                     str(msg), "--send", "-c", str(cfg))  # fmt: skip
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    (_, rcpts, received), = handler.envelopes  # fmt: skip
    assert rcpts == ["t@example.com", "u@example.com", "c@example.com"]
    for data in (eml.read_bytes(), received):
        parsed = email.message_from_bytes(data, policy=default_policy)
        raw = email.message_from_bytes(data)
        for field, want in WANT.items():
            assert [(a.display_name, a.addr_spec) for a in parsed[field].addresses] == want
            assert compat32(raw[field]) == want
    sender, rows = msg_fields(msg.read_bytes())
    assert sender == "J.Reyes"
    assert rows == [(n, a, a) for n, a in (*WANT["To"], *WANT["Cc"])]


def test_a_dry_run_shows_each_recipient_once(folder: Path) -> None:
    cfg = write_config(folder)
    result = run("report", "eod", "--date", "2026-11-24", "--send", "--dry-run", "-c", str(cfg))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for field, want in WANT.items():
        (line,) = [li for li in lines if li.startswith(f"{field}: ")]
        assert email.utils.getaddresses([line.removeprefix(f"{field}: ")]) == want, line


def test_the_msg_drafts_to_and_cc_lines_show_the_names_as_outlook_does() -> None:
    cfg = Config(
        user="J.Reyes",
        user_email=SENDER,
        report_to=("Hughes, Torrey <t@example.com>", "Zoë Ærø <z@example.com>"),
        report_cc=("Müller J.R. <c@example.com>",),
    )
    msg = mail.build_message(mail.envelope(cfg), LETTER, datetime(2026, 11, 24, 17))
    ole = olefile.OleFileIO(mail.draft_msg_bytes(msg))

    def text(pid: str) -> str:
        return bytes(ole.openstream(f"__substg1.0_{pid}001F").read()).decode("utf-16-le")

    assert text("0E04") == "Hughes, Torrey; Zoë Ærø"  # PidTagDisplayTo
    assert text("0E03") == "Müller J.R."  # PidTagDisplayCc


# -- a name esp cannot write in a header --------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("from", "Jordan\tReyes <jr@vendorcx.com>", "[report] from holds U+0009 (tab)"),
        ("from", "Jordan\x85Reyes <jr@vendorcx.com>", "[report] from holds U+0085 (next line)"),
        ("from", "Jordan\u2028Reyes <jr@vendorcx.com>", "[report] from holds U+2028 (line sep"),
        ("to", ["Hughes\tTorrey <t@example.com>"], "[report] to holds U+0009 (tab)"),
        ("to", ["Hughes\x85Torrey <t@example.com>"], "[report] to holds U+0085 (next line)"),
        ("cc", ["Ana\u2029Ruiz <a@example.com>"], "[report] cc holds U+2029 (paragraph sep"),
    ],
)
def test_a_control_character_in_a_name_is_refused_naming_the_setting(
    folder: Path, key: str, value: Any, said: str
) -> None:
    cfg = write_config(folder, **{key: value})
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == ExitCode.USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert said in line and "not an e-mail address" not in line and "one line" in line
    assert not eml.exists()


def test_a_people_user_with_a_line_separator_is_refused() -> None:
    from esp_cli.config import name_refusal

    assert name_refusal("Jordan\u2028Reyes", "[people] user") == (
        "[people] user holds U+2028 (line separator), which no note or e-mail can show"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [("from", "Jordan\u00a0Reyes <jr@vendorcx.com>"), ("to", ["山田\u3000太郎 <t@example.com>"])],
)
def test_a_no_break_or_ideographic_space_in_a_name_is_kept_as_typed(
    folder: Path, key: str, value: Any
) -> None:
    cfg = write_config(folder, **{key: value})
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    parsed = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    name = email.utils.parseaddr(value if isinstance(value, str) else value[0])[0]
    field = "From" if key == "from" else "To"
    assert parsed[field].addresses[0].display_name == name


@pytest.mark.parametrize(
    "name",
    [
        "山" * 300,  # 900 bytes of CJK, no space to fold at
        "АлександраКонстантиновнаПреображенская" * 12,  # Cyrillic without spaces
        "Александра Константиновна Преображенская",  # longer than one encoded word
        "👩🏽\u200d💻" * 120 + " Reyes",  # emoji sequences, then an ASCII word
        "Jordan " + "e\u0301" * 400,  # accents as combining marks
        "X" * 1200,  # one ASCII word longer than a line may be
    ],
)
def test_a_long_name_goes_on_lines_a_server_accepts_and_reads_back_whole(
    name: str, loopback: Loopback
) -> None:
    cfg = Config(user=name, user_email=SENDER, report_to=(named(name, TO[0]), TO[1]),
                 report_cc=(named(name, CC),))  # fmt: skip
    assert_read_back(cfg, name, name, name, loopback)


# -- the Subject and the attachments' names -------------------------------------------------

# Text as typed, its spaces kept: readers drop those at either end of a header, else every one.
TEXTS = st.lists(_PIECES, min_size=1, max_size=12).map("".join).map(lambda t: t.strip(" "))


def decoded(raw: str) -> str:
    """A header's text as a reader that takes it as written reads it: unfolded, each
    encoded word decoded."""
    words = email.header.decode_header(raw.replace("\r\n", ""))
    return "".join(w.decode(c or "ascii") if isinstance(w, bytes) else w for w, c in words)


def msg_subject_and_names(data: bytes) -> tuple[str, list[str]]:
    """The .msg's subject and the long file name of each attachment, in order."""
    ole = olefile.OleFileIO(data)

    def text(*names: str) -> str:
        if not ole.exists("/".join(names)):
            return ""  # an empty subject is not stored
        return bytes(ole.openstream("/".join(names)).read()).decode("utf-16-le")

    rows = sorted({e[0] for e in ole.listdir() if e[0].startswith("__attach_version1.0_#")})
    return text("__substg1.0_0037001F"), [text(r, "__substg1.0_3707001F") for r in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXTS, stem=TEXTS)
@example(subject="山" * 300, stem="山" * 300)
@example(subject="EOD", stem="=?utf-8?q?Team_Lead?=")  # a name a reader would decode
@example(subject="EOD", stem="=?" + "Отчёт" * 30)
@example(subject="=?utf-8?q?Team_Lead?= EOD  report", stem="Отчёт" * 200)
@example(subject="Réyes  " + "X" * 2000 + "  山 田", stem="X" * 2000)
@example(subject="E" * 69 + " Ö", stem="a" * 52)  # a word and a name at the fold
def test_any_subject_and_file_name_fit_the_lines_and_read_back(
    subject: str, stem: str, loopback: Loopback
) -> None:
    file_name = " ".join(f"{stem}.pdf".split())  # as attach_data tidies it
    cfg = Config(user="J.Reyes", user_email=SENDER, report_to=TO)
    env = mail.envelope(cfg)
    msg = mail.build_message(env, replace(LETTER, subject=subject), datetime(2026, 11, 24, 17))
    mail.attach_data(msg, file_name, b"%PDF-1.7")
    for data in (mail.draft_bytes(msg), sent(msg, env, loopback)):
        assert_lines_fit(data)
        parsed = email.message_from_bytes(data, policy=default_policy)
        raw = email.message_from_bytes(data)
        assert parsed["Subject"] == subject
        assert decoded(raw["Subject"]) == subject
        (part,) = parsed.iter_attachments()
        assert part.get_filename() == file_name  # Content-Disposition filename (RFC 2231)
        assert part.get_param("name") == file_name  # Content-Type name=, as Outlook reads it
        *_, raw_part = raw.walk()
        assert raw_part.get_filename() == file_name
    assert msg_subject_and_names(mail.draft_msg_bytes(msg)) == (subject, [file_name])
    # A dry run shows them as typed, on one line each.
    lines = mail.shown(msg).splitlines()
    quoted = file_name.replace("\\", "\\\\").replace('"', '\\"')
    assert f"Subject: {subject}" in lines
    assert f'Content-Disposition: attachment; filename="{quoted}"' in lines
    (content_type,) = [li for li in lines if li.startswith("Content-Type: ") and "name=" in li]
    assert content_type.endswith(f'; name="{quoted}"')


def test_an_address_longer_than_a_server_takes_is_refused_naming_the_setting(
    folder: Path,
) -> None:
    longest = "a" * 64 + "@" + "b" * (254 - 64 - 1 - 4) + ".com"
    assert len(longest) == 254 and recipient(longest) == longest
    cfg = write_config(folder, to=["x" + longest])
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "[report] to" in result.stderr
    assert "longer than the 254 characters a mail server takes" in result.stderr
    assert not eml.exists()


def test_an_address_beyond_ascii_is_refused_in_words_naming_the_setting(folder: Path) -> None:
    """`ana@bücher.de` stopped `--eml` with a traceback. esp does not convert it (IDNA's
    editions disagree: `straße.de`), it asks for the form a mail program shows."""
    eml = folder / "eod.eml"
    for address, words in [
        ("Ana <ana@bücher.de>", "has a domain beyond ASCII: write it in its ASCII (xn--"),
        ("ana@straße.de", "has a domain beyond ASCII"),
        ("añá@example.com", "has letters beyond ASCII before the @"),
    ]:
        cfg = write_config(folder, to=[address])
        result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "[report] to" in result.stderr and words in result.stderr, result.stderr
        assert "Fix: write the address in ASCII, as your mail program shows it." in result.stderr
        assert "Traceback" not in result.output and not eml.exists()


def test_an_address_the_email_package_will_not_take_apart_still_shows(folder: Path) -> None:
    """`ethan..brooks@…` (servers take it): the dry run and the .msg draft show it (they
    stopped with a traceback) as the .eml has it."""
    cfg = write_config(folder, to=["Ethan Brooks <ethan..brooks@vendorcx.com>", "a@x.com"])
    result = run("report", "eod", "--date", "2026-11-24", "--send", "--dry-run", "-c", str(cfg))
    assert result.exit_code == 0, result.output
    assert "Ethan Brooks <ethan..brooks@vendorcx.com>" in result.output
    msg = folder / "eod.msg"
    result = run("report", "eod", "--date", "2026-11-24", "--msg", str(msg), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    _sender, rows = msg_fields(msg.read_bytes())
    assert ("Ethan Brooks", "ethan..brooks@vendorcx.com", "ethan..brooks@vendorcx.com") in rows
    # The other names of that header as typed too (encoded words in a row, no space added).
    long = "陳大文" * 8
    cfg = write_config(folder, to=["Ethan <ethan..brooks@vendorcx.com>", f"{long} <c@x.com>"])
    other = folder / "other.msg"
    result = run("report", "eod", "--date", "2026-11-24", "--msg", str(other), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    _sender, rows = msg_fields(other.read_bytes())
    assert (long, "c@x.com", "c@x.com") in rows


@pytest.mark.parametrize(
    "name",
    [
        "Reyes, Jordan (Certification Coordinator, Aetna ESP Program, Eastern Region US)",
        "Reyes, Jordan (Certification Coordinator, Aetna ESP P.)",
        "Trần Thị Bích Ngọc Nguyễn (Cert. Coordinator)",
        "Nguyễn Thị Minh Khai Trần Văn Phương Lê Hoàng Đức Phạm Quốc Bảo, QA",
        "Großenkneten-Überlingen Ánh Bảo Ngọc Trân Châu",
    ],
)
def test_a_long_name_reads_back_in_both_of_pythons_readers(folder: Path, name: str) -> None:
    """A quoted run is never folded inside its quotes (the compat32 reader lost the
    address), and encoded words end after a space where they can (Python's newer parser
    reads a space between two: it never splits a word)."""
    cfg = write_config(folder, to=[f'"{name}" <chan@example.com>', "b@example.com"])
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    data = eml.read_bytes()
    assert_lines_fit(data)
    assert all(len(line) <= 78 for line in header_lines(data) if line.startswith(b"To:"))
    raw = email.message_from_bytes(data)["To"]
    pairs = email.utils.getaddresses([raw])
    decoded = [(str(email.header.make_header(email.header.decode_header(n))), a) for n, a in pairs]
    assert decoded == [(name, "chan@example.com"), ("", "b@example.com")]
    parsed = email.message_from_bytes(data, policy=default_policy)
    (first, second) = parsed["To"].addresses
    assert first.addr_spec == "chan@example.com" and second.addr_spec == "b@example.com"
    assert first.display_name.split() == name.split()


@pytest.mark.parametrize("name", ["陳大文" * 6, "Александра Константиновна Преображенская"])
def test_a_name_in_several_encoded_words_reads_back_in_the_classic_way(
    folder: Path, name: str
) -> None:
    """Encoded words in a row are written as RFC 2047 says (not inside quotes, where a
    reader that follows it — Python's compat32 `getaddresses` — lost the address)."""
    cfg = write_config(folder, to=[f"{name} <chan@example.com>"])
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    raw = email.message_from_bytes(eml.read_bytes())["To"]
    ((shown, addr),) = email.utils.getaddresses([raw])
    decoded = str(email.header.make_header(email.header.decode_header(shown)))
    assert (decoded, addr) == (name, "chan@example.com")

"""Messages out, for every command that makes one (esp report eod, esp report locate, esp
advise): build it, save it as an .eml or Outlook .msg draft, send it over SMTP — through
`post`, which does what an Outbox says (or, for a dry run, only says what it would do).

Sender and recipients come from esp.toml [report] (or what the command gives); the server
from [smtp] (host, port, starttls, username). The password is read from the
ESP_SMTP_PASSWORD environment variable only, at the moment of logging in: it is never an
argument, never in a message, never in the .eml. When sending fails, the message is saved
as an .eml beside the tracker so nothing is lost, and the error names that file.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import mimetypes
import os
import random
import re
import smtplib
import socket
import ssl
import sys
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from email.contentmanager import ContentManager, raw_data_manager
from email.errors import MessageError
from email.generator import BytesGenerator
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from itertools import groupby
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

from esp_cli.config import Config, name_refusal, name_words, unquoted_name
from esp_cli.core.addresses import (
    HEADER_CONTROL,
    address_spec,
    name_and_address,
    named,
    not_an_address,
    recipient,
    split_addresses,
    unsendable,
)
from esp_cli.core.filenames import next_name
from esp_cli.core.model import Letter, MailReport
from esp_cli.errors import ConfigError, EspError, InputFileError, UsageError, WriteFailedError
from esp_cli.system import appeared_refusal, create_file_atomically, put_refusal

PASSWORD_ENV = "ESP_SMTP_PASSWORD"
DEFAULT_PORT = 587
TIMEOUT_SECONDS = 30  # the longest esp waits for any one answer
DEADLINE_SECONDS = 120  # the longest a whole exchange may take ([smtp] timeout)


class SendError(EspError):
    """The SMTP server could not be reached or refused the message; it was saved instead."""


@dataclass(frozen=True)
class Envelope:
    """Who sends and who receives: each entry one checked address (see envelope)."""

    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]

    @property
    def recipients(self) -> list[str]:
        """The bare addresses the server is given, To then Cc, each once."""
        out: list[str] = []
        for entry in (*self.to, *self.cc):
            addr = address_spec(entry)
            if addr is not None and addr.lower() not in (a.lower() for a in out):
                out.append(addr)
        return out


LIST_EXAMPLE = '["Name <name@example.com>", "other@example.com"]'


def checked_recipients(
    entries: tuple[str, ...],
    key: str,
    where: object,
    example: str = LIST_EXAMPLE,
    wanted: str = "",
) -> tuple[str, ...]:
    """Every recipient in `entries`, each split at Outlook's `;` (and `,`) and checked to
    be one well-formed address: a ConfigError naming the first that is not, and `key`; its
    fix asks for `wanted` (else one address per entry) as `example` shows the setting
    written (a list of addresses, by default)."""
    out: list[str] = []
    for entry in entries:
        if why := name_refusal(entry, key):
            raise ConfigError(
                f"{where}: {why}.",
                fix=f"write {key} on one line, names and addresses with plain spaces only, "
                f"e.g. {example}.",
            )
        for piece in split_addresses(entry):
            shown = recipient(piece)
            unusable = unsendable(address_spec(piece) or "") if shown is not None else None
            if shown is None or unusable:
                raise ConfigError(
                    f"{where}: {key}: {piece!r} {unusable or not_an_address(piece)}.",
                    fix="write the address in ASCII, as your mail program shows it."
                    if unusable
                    else f"give {wanted or f'one address per entry ({key})'}, e.g. {example}.",
                )
            assert shown is not None
            out.append(shown)
    return tuple(out)


def checked_sender(config: Config) -> str:
    """[report] from, else [people] user_email (with [people] user as its name): one
    well-formed address, else a ConfigError naming the key to set."""
    where = config.source or "esp.toml"
    key = "[report] from" if config.report_from else "[people] user_email"
    sender = config.report_from or config.user_email
    if not sender:
        raise ConfigError(
            f"{where}: no sender address for the e-mail.",
            fix='set [report] from = "Name <you@example.com>" (or [people] user_email) in '
            "esp.toml.",
        )
    if config.report_from and (why := name_refusal(sender, key)):
        raise ConfigError(
            f"{where}: {why}.",
            fix='write it on one line, with plain spaces only: from = "Name <you@example.com>".',
        )
    shown = recipient(sender)
    unusable = unsendable(address_spec(sender) or "") if shown is not None else None
    if shown is None or unusable:
        example = '"Name <you@example.com>"' if config.report_from else '"you@example.com"'
        raise ConfigError(
            f"{where}: {key} {sender!r} {unusable or 'is not one e-mail address'}.",
            fix="write the address in ASCII, as your mail program shows it."
            if unusable
            else f"write it as {key.split()[-1]} = {example}.",
        )
    assert shown is not None
    name = unquoted_name(config.user) if config.user else ""
    if not config.report_from and (why := name_refusal(config.user or "", "[people] user")):
        raise ConfigError(
            f"{where}: {why}.", fix='write the name alone, on one line: user = "Jordan Reyes".'
        )
    if not config.report_from and name and "<" not in shown:
        shown = named(name, shown)  # without the quotes typed round it in esp.toml
    return shown


def envelope(
    config: Config,
    to: tuple[str, ...] | None = None,
    cc: tuple[str, ...] | None = None,
    to_key: str = "[report] to",
) -> Envelope:
    """From, To and Cc from esp.toml ([report], unless `to`/`cc` are given); a clear error
    when they are missing or not addresses."""
    where = config.source or "esp.toml"
    sender = checked_sender(config)
    to = checked_recipients(config.report_to if to is None else to, to_key, where)
    cc = checked_recipients(config.report_cc if cc is None else cc, "[report] cc", where)
    if not to:
        raise ConfigError(
            f"{where}: no recipients ({to_key}).",
            fix=f'set {to_key} = ["someone@example.com"] in esp.toml.',
        )
    return Envelope(sender, to, cc)


def signoff(config: Config, env: Envelope) -> str:
    """esp.toml [report] signoff, else "Thank you," and the sender's name."""
    if config.signoff is not None:
        return config.signoff
    name = parseaddr(env.sender)[0] or unquoted_name(config.user or "")
    return f"Thank you,\n{name}" if name else "Thank you,"


def _set_text(part: EmailMessage, text: str, subtype: str) -> None:
    """`text` as the part's UTF-8 body, as the email package would send it — as it is when
    every line is short enough (7bit, or 8bit where the policy allows), else quoted-printable
    or, when shorter, base64 — but encoded by binascii: the package's quoted-printable
    encoder is written in Python and takes 30 ms for the 1.4 MB evening report of 10,000
    agents. Its lines end in a newline whichever way it is encoded (the .msg draft takes
    the text as decoded here)."""
    lines = text.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    limit = part.policy.max_line_length  # None: no limit
    fits = limit is None or max(map(len, lines), default=0) <= limit
    if fits and (body.isascii() or part.policy.cte_type == "8bit"):
        cte = "7bit" if body.isascii() else "8bit"  # nothing to encode
        raw_data_manager.set_content(part, text, subtype, charset="utf-8", cte=cte)
        return
    quoted = binascii.b2a_qp(body, istext=True)
    # base64's length is known without encoding: 4 characters for each 3 bytes, and a line
    # break after each 76 characters (57 bytes).
    if len(quoted) <= 4 * -(-len(body) // 3) + -(-len(body) // 57):
        cte, payload = "quoted-printable", quoted
    else:
        cte, payload = "base64", base64.encodebytes(body)
    raw_data_manager.set_content(part, "", subtype, charset="utf-8", cte=cte)
    part.set_payload(payload.decode("ascii"))


_TEXT = ContentManager()
_TEXT.add_set_handler(str, _set_text)


def build_message(env: Envelope, letter: Letter, now: datetime) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (the one clients prefer);
    with pictures, the HTML is a multipart/related of the HTML and each picture, inline,
    found by its Content-ID — the form Outlook, Gmail and Apple Mail show in place."""
    msg = EmailMessage(policy=_POLICY)
    set_text(msg, "Subject", letter.subject)
    set_addresses(msg, "From", (env.sender,))
    set_addresses(msg, "To", env.to)
    if env.cc:
        set_addresses(msg, "Cc", env.cc)
    msg["Date"] = format_datetime(now.astimezone())
    domain = parseaddr(env.sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["MIME-Version"] = "1.0"
    msg.set_content(letter.text, subtype="plain", content_manager=_TEXT)
    msg.add_alternative(letter.html, subtype="html", content_manager=_TEXT)
    if letter.images:
        html = msg.get_body(("html",))
        assert html is not None
        for image in letter.images:
            html.add_related(
                image.data,
                maintype="image",
                subtype=image.subtype,
                cid=f"<{image.cid}>",
                filename=image.filename,
                disposition="inline",
            )
    _set_boundaries(msg)
    return msg


# The email package's SMTP policy, but a header esp folded itself (set_addresses) is written
# as it is, whatever its lines' length: the package would fold it again, and its folding
# drops the quotes round a long display name (CPython gh-80222, fixed in releases later than
# some esp runs on) and lets text that looks like an encoded word be read as one.
_POLICY = SMTP.clone(refold_source="none")
MAX_LINE = 78  # RFC 5322's recommended limit; a word longer than a line stays whole
LINE_LIMIT = 998  # RFC 5322's hard limit: a server may refuse a message with a longer line
ENCODED_WORD_LIMIT = 75  # RFC 2047's longest encoded word
# RFC 5322's atext: a word of these alone needs no quotes in a display name.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
# RFC 2047's Q encoding in a phrase: these characters stand for themselves.
_Q_PLAIN = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def set_addresses(msg: EmailMessage, field: str, entries: tuple[str, ...]) -> None:
    """Set an address header (From, To, Cc) to `entries` (each `Name <address>` or a bare
    address, as checked_recipients and checked_sender give them), folded here so that
    every reader reads back each name exactly as typed and each address once, on lines of
    at most 78 characters (a plain word longer than that excepted: it cannot be folded).
    The email package's own folding drops the quotes round a long name (so its commas split
    the address) and writes a name that looks like an encoded word (`=?utf-8?q?…?=`) as it
    is, for readers to decode; here each word of the name is written as itself where it
    can be, in quotes where it must be, and as an encoded word where it is beyond ASCII,
    looks like one or is too long for any line (see _phrase)."""
    prefix = len(f"{field}: ")
    units: list[str] = []
    for n, entry in enumerate(entries):
        name, addr = name_and_address(entry)
        if HEADER_CONTROL.search(name + addr):
            raise ValueError(f"a control character in an address for {field}: {entry!r}")
        units += _phrase(name, prefix) + [f"<{addr}>" if name else addr]
        if n < len(entries) - 1:
            units[-1] += ","
    _set_folded(msg, field, units)


def set_text(msg: EmailMessage, field: str, text: str) -> None:
    """Set a header of plain text (the Subject) to `text`, folded here on lines of at most
    78 characters: each word that is printable ASCII as it is, and each run of words beyond
    ASCII, that look like an encoded word or that no line could hold, as encoded words of at
    most 75 characters (the email package's own folding writes a word that looks like an
    encoded word as it is, for readers to decode, and some of its encoded words are 76
    characters long). Every space is kept: readers drop only those between two encoded
    words, so a space next to one of them is written inside it."""
    width = min(ENCODED_WORD_LIMIT, MAX_LINE - len(f"{field}: "))
    words: list[str] = []  # each word with the spaces before it but one (its separator)
    spaces = ""
    for word in text.split(" "):
        if word:
            words.append(spaces + word)
            spaces = ""
        else:
            spaces += " "
    if not words:
        del msg[field]
        msg.set_raw(field, text)
        return
    words[-1] += spaces  # the spaces it ends with
    units: list[str] = []
    for plain, group in groupby(words, key=lambda w: _plain_text(w, width)):
        run = list(group)
        units += run if plain else _encoded_words(" ".join(run), width)
    _set_folded(msg, field, units)


def _plain_text(word: str, width: int) -> bool:
    """Whether a word (with spaces round it) of a text header may be written as it is:
    printable ASCII that does not look like an encoded word, short enough for any line."""
    return bool(_PRINTABLE.fullmatch(word.strip(" "))) and "=?" not in word and len(word) <= width


_PRINTABLE = re.compile(r"[!-~]+")


def _set_folded(msg: EmailMessage, field: str, units: list[str]) -> None:
    """Set `field` to `units` with a space between each two, folded before a unit that would
    take its line past 78 characters (the first stays on the field's own line)."""
    lines = [f"{field}:"]
    for unit in units:
        if len(lines[-1]) + 1 + len(unit) > MAX_LINE and lines[-1] != f"{field}:":
            lines.append("")
        lines[-1] += " " + unit
    del msg[field]
    msg.set_raw(field, "\n".join(lines).removeprefix(f"{field}: "))


def _phrase(name: str, prefix: int) -> list[str]:
    """A display name as the pieces of a header whose first line starts with `prefix`
    characters (`From: `), a fold allowed between any two: its words in runs — plain ASCII
    words as they are, or quoted as one piece when one needs it (never folded inside its
    quotes), and each run of words beyond ASCII, that look like an encoded word or that no
    line could hold (a quoted run too long for a line too), as encoded words.

    A run that fits one encoded word is one. A longer one is several, one after the other
    with a fold between them, as RFC 2047 writes them (never inside quotes, where an encoded
    word is not one): a reader joins them without the space between (Outlook, Python's
    compat32 reader; Python's newer parser reads a space there, CPython gh-128110)."""
    width = min(ENCODED_WORD_LIMIT, MAX_LINE - prefix - 1)  # and its quote, on the first line
    longest = LINE_LIMIT - prefix - 2  # a word with its quotes on the first line

    def plain(word: str) -> bool:
        return word.isascii() and "=?" not in word and len(_escaped(word)) <= longest

    # Each run as it is written ("atoms": each word as itself; "quoted": the run in quotes;
    # "encoded"), with its pieces (an encoded run: its words, encoded below).
    runs: list[tuple[str, list[str]]] = []
    for is_plain, run in groupby(name_words(name), key=plain):
        words = list(run)
        if not is_plain:
            runs.append(("encoded", words))
        elif all(_ATOM.fullmatch(w) for w in words):
            runs.append(("atoms", words))
        else:
            whole = '"' + " ".join(map(_escaped, words)) + '"'
            # Never folded inside its quotes (RFC 5322 allows it, but Python's compat32
            # reader then loses the address): too long for a line, encoded words, which
            # fold between them.
            fits = len(whole) <= MAX_LINE - prefix - 1  # it fits a line, the first one too
            runs.append(("quoted", [whole]) if fits else ("encoded", words))
    units: list[str] = []
    # A quoted run too long for a line beside a run of encoded words: encoded with it as one
    # text, the space between them inside an encoded word (readers drop the spaces between
    # two encoded words, RFC 2047 6.2: written between the two runs, it was lost).
    for kind, group in groupby(runs, key=lambda r: r[0]):
        words = [w for _, ws in group for w in ws]
        units += _encoded_words(" ".join(words), width) if kind == "encoded" else words
    return units


def _escaped(text: str) -> str:
    """`text` as it goes inside quotes: each backslash and quote escaped."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _encoded_words(text: str, width: int, *, q: bool = True) -> list[str]:
    """`text` as RFC 2047 encoded words of at most `width` characters each, in base64 or
    (with `q`) in Q where that is shorter. A word ends only between two characters as people
    see them (a letter and its accents, an emoji and its modifiers stay in one word), never
    inside a character's UTF-8 bytes; a cluster too long for one word is split between its
    code points."""
    words: list[str] = []
    current = ""
    for cluster in _clusters(text):
        pieces = [cluster] if _encoded_length(cluster, q) <= width else list(cluster)
        for piece in pieces:
            if current and _encoded_length(current + piece, q) > width:
                # Ended after its last space where it has one: a reader that puts a space
                # between two encoded words (see _phrase) then never splits a word.
                cut = current.rfind(" ") + 1
                if 0 < cut < len(current) and _encoded_length(current[cut:] + piece, q) <= width:
                    words.append(current[:cut])
                    current = current[cut:]
                else:
                    words.append(current)
                    current = ""
            current += piece
    words.append(current)
    return [_encoded_word(word, q) for word in words]


def _encoded_length(text: str, q: bool) -> int:
    raw = text.encode("utf-8")
    b64 = 4 * -(-len(raw) // 3)
    q_length = sum(1 if b in _Q_PLAIN or b == 0x20 else 3 for b in raw) if q else b64
    return len("=?utf-8?b??=") + min(b64, q_length)


def _encoded_word(text: str, q: bool) -> str:
    """`text` as one RFC 2047 encoded word, in base64 or (with `q`) in Q where shorter."""
    raw = text.encode("utf-8")
    b64 = base64.b64encode(raw).decode("ascii")
    if q:
        coded = "".join(chr(b) if b in _Q_PLAIN else "_" if b == 0x20 else f"={b:02X}" for b in raw)
        if len(coded) <= len(b64):
            return f"=?utf-8?q?{coded}?="
    return f"=?utf-8?b?{b64}?="


def _clusters(text: str) -> list[str]:
    """`text` in the characters people see: each code point with the combining marks,
    joiners, variation selectors, skin-tone modifiers, tag characters and Hangul vowels
    and finals that follow it, a zero-width joiner with what it joins, a flag's two
    regional indicators together."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        joins = bool(out) and (
            unicodedata.category(char) in ("Mn", "Mc", "Me")
            or code == 0x200D
            or out[-1][-1] == "\u200d"
            or 0xFE00 <= code <= 0xFE0F
            or 0xE0000 <= code <= 0xE01EF
            or 0x1F3FB <= code <= 0x1F3FF
            or 0x1160 <= code <= 0x11FF
            or (_regional(char) and len(out[-1]) == 1 and _regional(out[-1]))
        )
        if joins:
            out[-1] += char
        else:
            out.append(char)
    return out


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _set_boundaries(msg: EmailMessage) -> None:
    """A boundary for each multipart, in the email package's own form (fifteen '=', a
    random number, '=='), found in none of the parts' encoded bodies or headers. The
    package would choose them as it writes the message, checking each against all the
    text inside it with a regular expression: 15 ms for the evening report of 10,000
    agents, where a plain search takes a tenth of that."""
    parts = list(msg.walk())
    texts = [str(part.get_payload()) for part in parts if not part.is_multipart()]
    texts += [str(value) for part in parts for value in part.values()]
    for part in parts:
        if part.is_multipart():
            while True:
                boundary = f"{'=' * 15}{random.randrange(sys.maxsize):019d}=="
                if not any(boundary in text for text in texts):
                    break
            part.set_boundary(boundary)
            texts.append(boundary)  # the next multipart's differs from this one's


def draft_bytes(msg: EmailMessage) -> bytes:
    """The .eml file: the message with X-Unsent so Outlook opens it as a draft ready to send."""
    draft = copy.deepcopy(msg)
    draft["X-Unsent"] = "1"
    out = io.BytesIO()
    _Generator(out, mangle_from_=False, policy=draft.policy).flatten(draft)
    return out.getvalue()


class _Generator(BytesGenerator):
    """The email package's generator (what `as_bytes` uses), writing a body's lines in one
    piece: its own writes each line and each line ending on its own, 40,000 writes for the
    evening report of 10,000 agents (12 ms). The same bytes: each line ending of the text
    given as the policy's (a last line without one stays without)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            assert self.policy is not None  # flatten sets it: the message's, as given
            end = self.policy.linesep
            # A body as esp sets it ends its lines in \n alone: replaced at once.
            self.write(lines.replace("\n", end) if "\r" not in lines else _LINE_END.sub(end, lines))


_LINE_END = re.compile(r"\r\n|\r|\n")  # what the email package's generator takes for one


MSGFLAG_READ = 0x1  # PidTagMessageFlags: not shown as unread
MSGFLAG_UNSENT = 0x8  # a draft, opened ready to edit and send
MSGFLAG_HASATTACH = 0x10
MESSAGE_FLAGS = 0x0E07
DISPLAY_TO = 0x0E04
DISPLAY_CC = 0x0E03
RECIPIENT_TO = 1  # PidTagRecipientType
RECIPIENT_CC = 2
CLIENT_SUBMIT_TIME = 0x0039
DELIVERY_TIME = 0x0E06
# An inline picture, as Outlook itself saves one: its Content-ID (no angle brackets, as
# cid: URLs name it), hidden from the attachment list, referenced by the HTML body, and
# rendered nowhere in an RTF body (position -1).
ATTACH_CONTENT_ID = 0x3712
ATTACHMENT_HIDDEN = 0x7FFE
ATTACH_FLAGS = 0x3714
ATT_MHTML_REF = 0x4
RENDERING_POSITION = 0x370B


def draft_msg_bytes(msg: EmailMessage) -> bytes:
    """The message as an Outlook .msg draft (classic Outlook cannot open an .eml as one):
    the same recipients, subject, text and HTML bodies and attachments — a picture the HTML
    shows by its Content-ID as an inline, hidden attachment — flagged unsent and with no
    sent or received time, so Outlook opens it ready to edit and send."""
    from aspose.email_foss.msg import MapiMessage, PropertyTypeCode

    draft = MapiMessage.from_email_message(_names_as_typed(msg))
    draft.message_class = "IPM.Note"
    # The To and Cc lines of Outlook's lists: the names, as Outlook writes them ('; '
    # between), not the header form (the writer would encode a name beyond ASCII).
    for pid, kind in ((DISPLAY_TO, RECIPIENT_TO), (DISPLAY_CC, RECIPIENT_CC)):
        shown_names = [r.display_name for r in draft.recipients if r.recipient_type == kind]
        if shown_names:
            draft.set_property(pid, PropertyTypeCode.PTYP_STRING, "; ".join(shown_names))
    for pid in (CLIENT_SUBMIT_TIME, DELIVERY_TIME):
        draft.properties.remove(pid)
    shown = bool(draft.attachments)
    for part in _inline_parts(msg):
        cid = str(part["Content-ID"]).strip().removeprefix("<").removesuffix(">")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        name = part.get_filename() or f"{cid}.{part.get_content_subtype()}"
        inline = draft.add_attachment(
            name, payload, mime_type=part.get_content_type(), content_id=cid
        )
        inline.set_property(ATTACHMENT_HIDDEN, PropertyTypeCode.PTYP_BOOLEAN, True)
        inline.set_property(ATTACH_FLAGS, PropertyTypeCode.PTYP_INTEGER32, ATT_MHTML_REF)
        inline.set_property(RENDERING_POSITION, PropertyTypeCode.PTYP_INTEGER32, -1)
    flags = MSGFLAG_READ | MSGFLAG_UNSENT | (MSGFLAG_HASATTACH if shown else 0)
    draft.set_property(MESSAGE_FLAGS, PropertyTypeCode.PTYP_INTEGER32, flags)
    data: bytes = draft.to_bytes()
    return data


def _names_as_typed(msg: EmailMessage) -> EmailMessage:
    """`msg` with its address headers as people read them (see _as_typed), for the .msg
    writer, which reads them with Python's newer parser: a name in encoded words in a row
    would get a space between them."""
    out = copy.deepcopy(msg)
    for name in {n for n in msg if n.lower() in _ADDRESS_HEADERS}:
        raws = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
        values = [[_address_of(n, a) for n, a in _addresses(raw)] for raw in raws]
        del out[name]
        for value in values:
            out[name] = value
    return out


def _address_of(name: str, addr: str) -> Address:
    """The name and address as an Address, also for an address the email package will not
    take apart (`ethan..brooks@…`, which servers take): given as its two parts."""
    try:
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, MessageError):
        local, _, domain = addr.rpartition("@")
        return Address(display_name=name, username=local, domain=domain)


def _inline_parts(msg: EmailMessage) -> list[EmailMessage]:
    """The pictures of the message's multipart/related HTML, found by Content-ID (the
    .msg writer takes only the message's attachments, not these)."""
    return [
        part
        for related in msg.walk()
        if related.get_content_type() == "multipart/related"
        for part in related.iter_parts()
        if isinstance(part, EmailMessage)
        and part["Content-ID"]
        and not part.is_multipart()
        and part.get_content_maintype() != "text"
    ]


def write_new(path: Path, data: bytes, *, renumber: bool = False) -> Path:
    """Save a new .eml or .msg atomically (a half-written one is never left behind), only
    as a new file: one made under that name since it was chosen is kept, and the save
    refused — or, with `renumber` (a copy of a message esp could not send, which must be
    kept whatever happens), saved under the next free name ('Name (2).eml'). Where it was
    saved."""
    target = path
    while True:
        try:
            made = create_file_atomically(target, data, hidden=False)
        except OSError as exc:
            raise WriteFailedError(
                f"{target}: cannot be written ({exc.strerror}).",
                fix="check the folder and its rights.",
            ) from exc
        if made:
            return target
        if not renumber:
            why, fix = appeared_refusal(target)
            raise WriteFailedError(f"{why}.", fix=fix)
        target = next_name(target)


def check_target(path: Path, option: str, *, folder: bool = False) -> None:
    """Refuse, before any work and with a dry run too, a file (with `folder`, a folder) named
    by `option` that cannot be saved where it says: a folder for a file, a file for a folder,
    a folder that does not exist, a file already there."""
    refused = put_refusal(path, option, folder=folder)
    if refused is not None:
        raise UsageError(refused[0], fix=refused[1])


def fallback_path(tracker: Path, stem: str) -> Path:
    """A new .eml name beside the tracker (never overwriting an earlier one)."""
    candidate = tracker.parent / f"{stem}.eml"
    while candidate.exists():
        candidate = next_name(candidate)
    return candidate


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    starttls: bool
    username: str | None
    deadline: float = DEADLINE_SECONDS  # seconds for the whole exchange ([smtp] timeout)

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"


def server(config: Config) -> Server:
    """[smtp] as a Server (its types checked when esp.toml was read); a clear error when
    there is no host."""
    where = config.source or "esp.toml"
    smtp = config.smtp
    host = smtp.get("host")
    if not isinstance(host, str) or not host.strip():
        raise ConfigError(
            f"{where}: no SMTP server to send through.",
            fix='set [smtp] host = "smtp.example.com" (and port, starttls, username).',
        )
    return Server(
        host.strip(),
        smtp.get("port", DEFAULT_PORT),
        smtp.get("starttls", True),
        smtp.get("username") or None,
        float(smtp.get("timeout", DEADLINE_SECONDS)),
    )


def _password(srv: Server) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise ConfigError(
            f"[smtp] username is {srv.username!r} but {PASSWORD_ENV} is not set.",
            fix=f"set the {PASSWORD_ENV} environment variable to the SMTP password "
            "(or remove [smtp] username for a server that needs no login).",
        )
    return password


class _NoAnswer(smtplib.SMTPException):
    """The server did not answer before the exchange's deadline."""


class _DeadlineReader(io.RawIOBase):
    """The connection as smtplib reads it, each read given only what is left of the
    exchange's deadline: a server trickling `220-` lines, or a reply byte by byte, cannot
    hold esp past [smtp] timeout."""

    def __init__(self, client: _Client) -> None:
        self.client = client

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock = self.client.sock
        assert sock is not None
        sock.settimeout(self.client._budget())
        return int(sock.recv_into(buffer))


class _Client(smtplib.SMTP):
    """smtplib's client that keeps one deadline for the whole exchange (each read and each
    write gets what is left of it: a server answering every line just in time cannot hold
    esp for ever) and knows how far it got, so a failure can say whether the server has the
    message."""

    clock = staticmethod(time.monotonic)

    def __init__(self, srv: Server) -> None:
        super().__init__(timeout=min(TIMEOUT_SECONDS, srv.deadline))
        self.deadline = self.clock() + srv.deadline
        self.connected = False  # the TCP connection was made
        self.in_data = False  # the message itself is being handed over
        self.handed_over = False  # the whole message and its final "." were sent

    def _budget(self) -> float:
        left = self.deadline - self.clock()
        if left <= 0:
            raise _NoAnswer("deadline passed")
        return min(left, TIMEOUT_SECONDS)

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        self._host = host  # the name STARTTLS checks the certificate against
        self.sock = socket.create_connection((host, port), self._budget())
        self.connected = True
        self.file = None
        return self.getreply()

    def send(self, s: Any) -> None:  # bytes or str, as smtplib's
        if self.sock is not None:
            self.sock.settimeout(self._budget())
        try:
            super().send(s)
        except smtplib.SMTPServerDisconnected as exc:
            raise _timed_out(exc) from exc
        if self.in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.handed_over = True

    def getreply(self) -> tuple[int, bytes]:
        if self.sock is not None and self.file is None:
            # smtplib drops its reader after STARTTLS; this one reads the secure socket.
            self.file = io.BufferedReader(_DeadlineReader(self))
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise _timed_out(exc) from exc

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.in_data = True
        return super().data(msg)


def _timed_out(exc: smtplib.SMTPServerDisconnected) -> smtplib.SMTPException:
    """smtplib reports a timeout as a lost connection: tell them apart."""
    cause = exc.__context__
    return _NoAnswer(str(cause)) if isinstance(cause, TimeoutError | _NoAnswer) else exc


class _NoLogin(smtplib.SMTPException):
    """The server offers no login (SMTP AUTH), yet [smtp] username asks for one."""


def send(
    msg: EmailMessage, env: Envelope, srv: Server, save_to: Path, what: str = "The report"
) -> dict[str, str]:
    """Deliver `msg` to every recipient; the recipients the server refused (address ->
    its reply), when it took the message for the others. On any other failure save it at
    `save_to` and raise SendError naming the file and saying what is known: not sent, or
    (the server has the whole message but never confirmed it) perhaps sent. A missing
    password fails before connecting (nothing saved: nothing was attempted)."""
    password = _password(srv) if srv.username else None
    smtp = _Client(srv)
    stage = "connect"
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        code, greeting = smtp.connect(srv.host, srv.port)
        if code != 220:  # "554 … blocked": the server said why it will not take mail
            raise smtplib.SMTPConnectError(code, greeting)
        stage = "session"
        smtp.ehlo()
        if srv.starttls:
            stage = "starttls"
            smtp.starttls(context=ssl.create_default_context())
            stage = "session"
            smtp.ehlo()
        if srv.username and password is not None:
            if not smtp.has_extn("auth"):
                raise _NoLogin()
            smtp.login(srv.username, password)
        refused = smtp.send_message(msg, from_addr=_addr(env.sender), to_addrs=env.recipients)
    except _NoLogin:
        _fail(
            msg,
            save_to,
            what,
            f"{srv.name} offers no login (SMTP AUTH) for [smtp] username {srv.username!r}"
            + ("" if srv.starttls else " on a connection without STARTTLS"),
            fix="set [smtp] starttls = true and port = 587 (Office 365 and Gmail offer the "
            "login only after STARTTLS), or remove [smtp] username if this server takes mail "
            "without one.",
        )
    except smtplib.SMTPConnectError as exc:
        _fail(
            msg,
            save_to,
            what,
            f"{srv.name} refused the connection ({_reply(exc, srv, password)})",
            fix="the server's reply says why: a blocked computer or network is for the mail "
            "administrator to allow; else check [smtp] host and port in esp.toml.",
        )
    except smtplib.SMTPRecipientsRefused as exc:
        _fail(
            msg, save_to, what, f"the server refused every recipient ({_refused(exc.recipients)})"
        )
    except smtplib.SMTPSenderRefused as exc:
        _fail(
            msg,
            save_to,
            what,
            f"the server refused the sender {exc.sender!r} ({_reply(exc, srv, password)})",
            fix="check [report] from (else [people] user_email) in esp.toml: many servers send "
            "only from the address you log in with.",
        )
    except smtplib.SMTPAuthenticationError as exc:
        _fail(
            msg,
            save_to,
            what,
            f"the server rejected the login for {srv.username!r} ({_reply(exc, srv, password)})",
            fix=f"check [smtp] username and the {PASSWORD_ENV} environment variable.",
        )
    except smtplib.SMTPResponseException as exc:
        _fail(msg, save_to, what, f"the server refused the message ({_reply(exc, srv, password)})")
    except (smtplib.SMTPException, OSError) as exc:
        _lost(msg, save_to, what, srv, smtp, stage, exc)
    finally:
        _quit(smtp)
    return {
        addr: f"{code} {reply.decode('utf-8', 'replace')}".strip()
        for addr, (code, reply) in refused.items()
    }


def save_for_refused(
    msg: EmailMessage, refused: dict[str, str], save_to: Path
) -> tuple[Path | None, str]:
    """A copy of a message the server refused for some recipients, addressed to them only
    (To; no Cc), saved as a draft at `save_to`: sending it reaches no one twice. Where it
    is saved, or why it could not be (see _copy)."""
    copy_ = copy.deepcopy(msg)
    del copy_["To"]
    del copy_["Cc"]
    set_addresses(copy_, "To", tuple(refused))
    return _copy(copy_, save_to)


def _quit(smtp: _Client) -> None:
    """Say goodbye; the message is already accepted (or already failed), so a server that
    drops the line or answers oddly now changes nothing."""
    try:
        if smtp.sock is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


def _lost(
    msg: EmailMessage,
    save_to: Path,
    what: str,
    srv: Server,
    smtp: _Client,
    stage: str,
    exc: BaseException,
) -> NoReturn:
    """A connection that failed, went quiet or was dropped: what is known of the message."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    reason = reason or type(exc).__name__
    if isinstance(exc, _NoAnswer):
        reason = f"no answer within {srv.deadline:g} seconds"
    if smtp.handed_over:
        said = f"{what} may have been sent: {srv.name} received the whole message but did not "
        said += f"confirm it ({reason})."
        fix = "ask a recipient whether it arrived before sending {}: sending it again may "
        fix += "deliver it twice."
        saved, unsaved = _copy(msg, save_to)
        if saved is None:
            said += f" Its copy could not be saved either: {unsaved}."
            raise SendError(said, fix=_free(save_to) + "; " + fix.format("it"))
        raise SendError(f"{said} A copy is saved as {saved}.", fix=fix.format("the copy"))
    if not smtp.connected:
        _fail(
            msg,
            save_to,
            what,
            f"cannot connect to {srv.name} ({reason})",
            fix="check [smtp] host and port in esp.toml, and the network.",
        )
    quiet = isinstance(exc, _NoAnswer)
    if stage == "connect":
        why = (
            f"{srv.name} accepted the connection but did not greet esp as a mail server ({reason})"
        )
        fix = "check [smtp] host and port in esp.toml (is it the mail server's SMTP port?)."
    elif stage == "starttls":
        why = f"the secure connection (STARTTLS) with {srv.name} failed ({reason})"
        fix = "check [smtp] starttls and port in esp.toml."
    else:
        lost = "stopped answering" if quiet else "dropped the connection"
        when = "while the message was being handed over" if smtp.in_data else "before it"
        why = f"{srv.name} {lost} {when} ({reason}); the server does not have the message"
        fix = "try again later."
    if quiet:
        fix = f"try again later, or allow more time with [smtp] timeout (now {srv.deadline:g})."
    _fail(msg, save_to, what, why, fix=fix)


def _addr(text: str) -> str:
    return Address(addr_spec=parseaddr(text)[1]).addr_spec


def _reply(exc: smtplib.SMTPResponseException, srv: Server, password: str | None) -> str:
    """The server's reply, without the password should the server repeat what it was sent
    (as typed, or base64-encoded as AUTH LOGIN and AUTH PLAIN send it)."""
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    reply = f"{exc.smtp_code} {text}".strip()
    if password:
        plain = f"\0{srv.username or ''}\0{password}".encode()
        for form in (base64.b64encode(plain), base64.b64encode(password.encode())):
            reply = reply.replace(form.decode(), "(hidden)")
        reply = reply.replace(password, "(hidden)")
    return reply


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{addr}: {code} {reply.decode('utf-8', 'replace')}".strip()
        for addr, (code, reply) in recipients.items()
    )


def _fail(
    msg: EmailMessage, save_to: Path, what: str, why: str, fix: str | None = None
) -> NoReturn:
    saved, unsaved = _copy(msg, save_to)
    if saved is None:
        fixes = (_free(save_to), fix.removesuffix(".") if fix else "try again later")
        raise SendError(
            f"{what} was not sent: {why}. Its copy could not be saved either: {unsaved}.",
            fix="; ".join(fixes) + ".",
        )
    raise SendError(
        f"{what} was not sent: {why}. It is saved as {saved}; open it in Outlook to send "
        "it by hand.",
        fix=fix,
    )


def _copy(msg: EmailMessage, save_to: Path) -> tuple[Path | None, str]:
    """The copy of a message esp could not send (or not wholly), saved as a draft at
    `save_to` (else the next free name): (where it is, '') or, when it cannot be saved
    either (a full disk, a folder that refuses new files), (None, why) — said after what
    became of the message, which is what the person must read first."""
    try:
        return write_new(save_to, draft_bytes(msg), renumber=True), ""
    except WriteFailedError as exc:
        return None, exc.message.removesuffix(".")


def _free(save_to: Path) -> str:
    return f"make room on the disk or allow writing in {save_to.parent}, then run it again"


def attach(msg: EmailMessage, files: list[Path]) -> None:
    """Attach each file, typed by its extension (see attach_data)."""
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
        attach_data(msg, path.name, data)


def attach_data(
    msg: EmailMessage, file_name: str, data: bytes, content_type: str | None = None
) -> None:
    """Attach `data` as a file named `file_name`, typed `content_type`, else by its
    extension (unknown: application/octet-stream; the system's table of types may not know
    .docx, so a caller that knows says).

    A name that is not ASCII, or too long for one header line, goes both as RFC 2231
    `filename*=` on Content-Disposition (the standard) and as RFC 2047 encoded words in
    `name=` on Content-Type, the form Outlook reads (given `filename*=` alone it shows
    "Untitled attachment" or ATT00001)."""
    # A line break or other control character in a file name (possible on Linux and
    # macOS) cannot go in a header: shown as a space.
    name = " ".join(_CONTROL_CHARS.sub(" ", file_name).split()) or "attachment"
    ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = ctype.split("/", 1)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    *_, part = msg.iter_attachments()  # the one just added
    if "=?" in name:
        # Text that looks like an encoded word (a reader may decode it as one): written as
        # RFC 2231 says, escaped, in pieces that fit a line (never splitting an escape).
        escaped = re.findall(r"%[0-9A-F]{2}|[^%]", quote(name, safe=""))
        pieces, piece = [], ""
        for unit in escaped:
            if len(piece) + len(unit) > ATTACHMENT_NAME_WORD:
                pieces.append(piece)
                piece = ""
            piece += unit
        pieces.append(piece)
        if len(pieces) == 1:
            params = [f"filename*=utf-8''{pieces[0]}"]
        else:
            params = [f"filename*{i}*={p}" for i, p in enumerate(pieces)]
            params[0] = params[0].replace("*=", "*=utf-8''", 1)
        del part["Content-Disposition"]
        part.set_raw("Content-Disposition", "attachment;\n " + ";\n ".join(params))
    if name.isascii() and len(name) <= ATTACHMENT_NAME_WORD and "=?" not in name:
        part.set_param("name", name)
    else:
        # Set raw, already folded: the policy would otherwise re-encode it as RFC 2231.
        del part["Content-Type"]
        words = "\n ".join(_encoded_words(name, ATTACHMENT_NAME_WORD, q=False))
        part.set_raw("Content-Type", f'{ctype};\n name="{words}"')


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
ATTACHMENT_NAME_WORD = 56  # each encoded word of a name= on a line of its own


# -- where a message goes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outbox:
    """Where a message goes: saved as an .eml and/or an Outlook .msg draft, sent through a
    server — any of them. With `dry_run`, nowhere: `post` says what it would have done."""

    eml: Path | None = None
    msg: Path | None = None
    server: Server | None = None
    dry_run: bool = False

    def __bool__(self) -> bool:
        return self.eml is not None or self.msg is not None or self.server is not None


def outbox(
    config: Config,
    *,
    eml: Path | None = None,
    msg: Path | None = None,
    send: bool = False,
    dry_run: bool = False,
) -> Outbox:
    """The Outbox the options ask for; the drafts' files, and [smtp] when sending is asked,
    are checked now (with a dry run too), so a bad one fails before anything is written."""
    for option, path in (("--eml", eml), ("--msg", msg)):
        if path is not None:
            check_target(path, option)
    return Outbox(eml, msg, server(config) if send else None, dry_run)


def shown(message: EmailMessage) -> str:
    """The message as a dry run prints it, as people read it: each header on one line with
    its names, subject and file names as typed (not encoded for the wire), each text part
    as its text, a picture or any other binary part as one line saying what it is (not
    pages of base64)."""
    copy_ = copy.deepcopy(message)
    for part in copy_.walk():
        if part.is_multipart():
            ...  # its parts are shown in turn
        elif part.get_content_maintype() == "text":
            text = str(part.get_content())
            del part["Content-Transfer-Encoding"]
            part.set_payload(text)
            part["Content-Transfer-Encoding"] = "8bit"
        else:
            data = part.get_payload(decode=True)
            size = len(data) if isinstance(data, bytes) else 0
            del part["Content-Transfer-Encoding"]
            part.set_payload(f"[{part.get_content_type()}, {size:,} bytes: not shown]\n")
            part["Content-Transfer-Encoding"] = "7bit"
        headers = [(name, _as_typed(name, value)) for name, value in part.raw_items()]
        for name in dict.fromkeys(name for name, _ in headers):
            del part[name]
        for name, value in headers:
            part.set_raw(name, value)  # written as it is: on one line, not encoded
    return copy_.as_string(policy=_POLICY.clone(linesep="\n"))


_ADDRESS_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})


def _as_typed(name: str, raw: str) -> str:
    """A header's value as people read it, on one line: encoded words decoded, those in a
    row joined as RFC 2047 says (Python's newer parser reads a space between them, CPython
    gh-128110), each name of an address header quoted only where it needs it, each value of
    a parameter (a file name) decoded whether in RFC 2231 pieces or in encoded words."""
    if name.lower() in _ADDRESS_HEADERS:
        return ", ".join(named(n, a) for n, a in _addresses(raw))
    if name.lower() in _PARAMETER_HEADERS:
        # Read by the email package: make_header would put a space on either side of the
        # encoded words inside the quotes, and leave RFC 2231's pieces as they are.
        header = _POLICY.header_factory(name, _unfolded(raw))
        kind = getattr(header, "content_type", None) or getattr(header, "content_disposition", "")
        params = [f'{k}="{_escaped(str(v))}"' for k, v in header.params.items()]
        return "; ".join([str(kind), *params])
    return str(make_header(decode_header(_unfolded(raw))))


_PARAMETER_HEADERS = frozenset({"content-type", "content-disposition"})


def _unfolded(raw: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", raw)


def _addresses(raw: str) -> list[tuple[str, str]]:
    """The names and addresses of an address header esp wrote, read as RFC 2047 reads them
    (see _as_typed)."""
    return [
        (str(make_header(decode_header(n))) if n else "", a)
        for n, a in getaddresses([_unfolded(raw)])
    ]


def post(
    message: EmailMessage, env: Envelope, box: Outbox, fallback: Path, what: str = "The report"
) -> MailReport:
    """Save `message` as the drafts `box` names, then send it through its server (a failed
    send saves it at `fallback` and raises SendError; recipients the server refused, when it
    took it for the others, get a copy addressed to them only, saved at `fallback`); with a
    dry run, neither. Says what was (or would be) done."""
    done = MailReport(
        subject=str(message["Subject"]),
        eml=box.eml,
        msg=box.msg,
        sent_to=tuple(env.recipients) if box.server is not None else (),
        server=box.server.name if box.server is not None else None,
        dry_run=box.dry_run,
        # What a dry run shows instead (a report's screenshots are not read twice otherwise).
        text=shown(message) if box.dry_run else "",
    )
    if box.dry_run:
        return done
    if box.eml is not None:
        write_new(box.eml, draft_bytes(message))
    if box.msg is not None:
        write_new(box.msg, draft_msg_bytes(message))
    if box.server is not None:
        refused = send(message, env, box.server, fallback, what)
        if refused:
            got = tuple(a for a in env.recipients if a not in refused)
            copy_, unsaved = save_for_refused(message, refused, fallback)
            return replace(
                done, sent_to=got, refused=refused, refused_copy=copy_, refused_unsaved=unsaved
            )
    return done

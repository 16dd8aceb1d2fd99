"""Agents' self-reports: e-mails to the coordinator and rows of the progress-report sheet.

Pure parsing (bytes and plain values in, reports out). An e-mail's text is its plain part
(or its HTML with the tags removed), without the quoted earlier messages, the signature,
the greeting and the sign-off, folded onto one line so it fits the `Date - Name - Note`
format of the tracker's Notes.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from html import unescape

MAX_NOTE_CHARS = 1000  # one self-report should not fill a cell meant for weeks of notes


@dataclass(frozen=True)
class SelfReport:
    day: date
    name: str  # the agent's name as given (display name, or the sheet's Agent Name)
    email: str  # sender address ('' for sheet rows)
    text: str
    source: str  # file name, or "File!row 7"
    cls: str = ""  # the class the sheet row gives ('' for e-mails, or no Class column)


class UnreadableMail(ValueError):
    """An e-mail file that holds no usable self-report. `kind` is one of UNREADABLE_KINDS
    (for scripts); the message says what is wrong in words."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


UNREADABLE_KINDS = ("corrupt", "encrypted or signed", "no sender", "no date", "not an e-mail")
# S/MIME: a signed message's text sits in a part Outlook verifies; an encrypted one's is sealed.
_SEALED_TYPES = (
    "multipart/signed",
    "application/pkcs7-mime",
    "application/x-pkcs7-mime",
    "multipart/encrypted",
)
# A file with none of these headers is not an e-mail (a note, a picture, a renamed workbook).
_MAIL_HEADERS = ("from", "date", "subject", "to", "message-id", "received", "mime-version")


def local_day(when: datetime, tz: tzinfo | None) -> date:
    """The team's calendar day of a moment: an aware time converted to `tz` (None: the
    machine's zone); a time with no zone keeps its own date."""
    if when.tzinfo is None:
        return when.date()
    return when.astimezone(tz).date()


_GREETING = re.compile(
    r"^(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^.!?]{0,40}[,!]?$", re.I
)
_SIGNOFF = re.compile(
    r"^(thanks|thank you|thx|regards|best|best regards|kind regards|cheers|"
    r"sincerely|respectfully)\b[ ,.!]*(\w+)?[,.!]?$",
    re.I,
)
_SIGNED_NAME = re.compile(r"^[^\W\d_][\w.'-]*(?: [^\W\d_][\w.'-]*){0,2}$")
_ON_WROTE = re.compile(r"^On .{5,200} wrote:\s*$")
_OUTLOOK_HEADER = re.compile(r"^(-{2,}\s*Original Message\s*-{2,}|From:\s.+|_{5,})\s*$", re.I)


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        return html_to_text(str(text))
    return str(text)


def html_to_text(html: str) -> str:
    """An HTML body's words, one line per paragraph, without scripts and styles."""
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</h\d>", "\n", text)
    return unescape(re.sub(r"<[^>]+>", " ", text))


def clean_body(text: str, sender_name: str = "") -> str:
    """The message itself: no quotes, signature, greeting or sign-off; one line."""
    kept: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if raw.rstrip() == "--" or raw == "-- " or _OUTLOOK_HEADER.match(line):
            break  # signature or the start of the quoted original
        if line.startswith(">") or _ON_WROTE.match(line):
            continue
        kept.append(line)
    while kept and not kept[0]:
        kept.pop(0)
    if kept and _GREETING.match(kept[0]):
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    first = sender_name.split()[0].lower() if sender_name.split() else ""
    while kept and (
        _SIGNOFF.match(kept[-1])
        or (first and kept[-1].lower().rstrip(",.") in (first, sender_name.lower()))
        # "Thanks,\nDev": a name under a sign-off, whatever the display name says.
        or (len(kept) >= 2 and _SIGNOFF.match(kept[-2]) and _SIGNED_NAME.match(kept[-1]))
    ):
        kept.pop()
        while kept and not kept[-1]:
            kept.pop()
    folded = " ".join(" ".join(kept).split())
    if len(folded) > MAX_NOTE_CHARS:
        folded = folded[: MAX_NOTE_CHARS - 1].rstrip() + "…"
    return folded


def read_mail(data: bytes, source: str, tz: tzinfo | None = None) -> SelfReport:
    """The self-report in an e-mail file, told by its content (an Outlook .msg or a MIME
    .eml, whatever the file is called); UnreadableMail says why there is none."""
    from esp_cli.msgfile import is_msg, parse_msg

    if is_msg(data):
        return parse_msg(data, source, tz)
    return parse_email(data, source, tz)


def _from_header(msg: EmailMessage) -> str:
    """The From header as text. Adjacent encoded words are joined before they are decoded:
    some mailers split a name's UTF-8 bytes across two of them (`=?utf-8?Q?...=E3?=
    =?utf-8?Q?=82=B9...?=`), which decoded one by one gives broken characters."""
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == "from"), None)
    if raw is not None and "=?" in raw:
        try:
            return str(make_header(decode_header(raw)))
        except (LookupError, UnicodeError, HeaderParseError):
            pass  # the header as the parser read it, below
    return str(msg.get("From", ""))


def parse_email(data: bytes, source: str, tz: tzinfo | None = None) -> SelfReport:
    """Raises UnreadableMail (a ValueError) when the message has no usable date or sender."""
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise UnreadableMail("not an e-mail", "a binary file, not an e-mail")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    if not any(msg.get(h) is not None for h in _MAIL_HEADERS):
        raise UnreadableMail("not an e-mail", "no e-mail headers (From, Date, Subject)")
    sealed = msg.get_content_type()
    if sealed in _SEALED_TYPES:
        raise UnreadableMail(
            "encrypted or signed",
            f"{sealed}; ask the agent to send the report without signing or encrypting it",
        )
    name, addr = parseaddr(_from_header(msg))
    if not addr and not name:
        raise UnreadableMail("no sender", "no From address")
    when_raw = msg.get("Date")
    when: datetime | None = None
    if when_raw:
        try:
            when = parsedate_to_datetime(str(when_raw))
        except (TypeError, ValueError):
            when = None
    if when is None:
        raise UnreadableMail("no date", "no readable Date header")
    text = clean_body(_body(msg), name)
    if not text:
        text = str(msg.get("Subject", "")).strip()
    return SelfReport(local_day(when, tz), name.strip(), addr.strip().lower(), text, source)


_WHEN_HEADERS = ("timestamp", "date", "report date", "submitted", "submitted at", "date time")
_UPDATE_HEADERS = (
    "update",
    "progress",
    "status",
    "notes",
    "note",
    "comments",
    "today s update",
    "progress update",
    "what did you complete today",
)


_CLASS_HEADERS = ("class", "wave", "class id", "class name", "class #")
_EMAIL_HEADERS = ("email", "e mail", "email address", "e mail address")


@dataclass(frozen=True)
class RowProblem:
    source: str  # "File!row 7" for a row; the source itself when the whole file is unusable
    message: str


def reports_from_rows(
    rows: list[list[object]],
    source: str,
    name_headers: tuple[str, ...],
    *,
    class_headers: tuple[str, ...] = _CLASS_HEADERS,
    email_headers: tuple[str, ...] = _EMAIL_HEADERS,
) -> tuple[list[SelfReport], list[RowProblem]]:
    """Self-reports from a sheet or CSV: a date/timestamp, the agent's name, the update, and
    any other columns (TBTs completed, blockers) added as `Header: value`. A Class or e-mail
    column, when there is one, goes into the report (to tell agents of the same name apart)
    rather than into its text. Headers are compared normalised (columns.normalise_header)."""
    from esp_cli.columns import normalise_header
    from esp_cli.values import Unreadable, display_name, parse_date, text_of

    header_at = None
    for i, row in enumerate(rows[:20]):
        norms = [normalise_header(v) for v in row]
        if any(n in _WHEN_HEADERS for n in norms) and any(n in name_headers for n in norms):
            header_at = i
            break
    if header_at is None:
        return [], [
            RowProblem(
                source,
                "no header row with a date/timestamp and an agent "
                "name column (e.g. 'Timestamp', 'Agent Name', 'Update')",
            )
        ]
    header = [normalise_header(v) for v in rows[header_at]]
    labels = [text_of(v) for v in rows[header_at]]
    when_col = next(i for i, n in enumerate(header) if n in _WHEN_HEADERS)
    name_col = next(i for i, n in enumerate(header) if n in name_headers)
    update_col = next((i for i, n in enumerate(header) if n in _UPDATE_HEADERS), None)
    class_col = next((i for i, n in enumerate(header) if n in class_headers), None)
    email_col = next((i for i, n in enumerate(header) if n in email_headers), None)
    skip = {
        when_col,
        name_col,
        update_col,
        *(i for i, n in enumerate(header) if n in (*class_headers, *email_headers)),
    }
    extra = [i for i, n in enumerate(header) if n and i not in skip]
    reports: list[SelfReport] = []
    problems: list[RowProblem] = []
    for r, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(i: int | None, row: list[object] = row) -> object:
            return row[i] if i is not None and i < len(row) else None

        name = text_of(cell(name_col))
        if not name:
            continue
        where = f"{source}!row {r}"
        try:
            day = parse_date(cell(when_col))
        except Unreadable as exc:
            problems.append(RowProblem(where, f"{exc}"))
            continue
        if day is None:
            problems.append(RowProblem(where, "no date"))
            continue
        parts = [text_of(cell(update_col))] if update_col is not None else []
        details = [f"{labels[i]}: {text_of(cell(i))}" for i in extra if text_of(cell(i))]
        text = " ".join(p for p in parts if p)
        if details:
            text = (text + " (" if text else "(") + "; ".join(details) + ")"
        reports.append(
            SelfReport(
                day,
                display_name(name),
                text_of(cell(email_col)).lower(),
                " ".join(text.split()),
                where,
                text_of(cell(class_col)),
            )
        )
    return reports, problems

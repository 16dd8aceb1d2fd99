"""Outlook .msg files: an agent's self-report, or the files attached, read from one (pure).

Classic Outlook for Windows saves a message dragged to a folder as .msg, a Compound File
Binary container of MAPI properties. The container is opened with aspose-email-foss (MIT);
the message's own properties are read here from its property stream, tolerating the stray
bytes some real Outlook files carry after the last entry (the library's own message reader
refuses those files whole).

- Sender: the mailbox a message is from is the sent-representing one (0x0042, 0x5D02: an
  .eml's From), else the sender (0x0C1A, 0x5D01); a sender who is another person sent it on
  that mailbox's behalf (an .eml's Sender). Inside an organisation the address property
  holds an Exchange X.500 DN, not an address, so the SMTP address is taken from
  PidTagSenderSmtpAddress (0x5D01) or PidTagSentRepresentingSmtpAddress (0x5D02), else the
  address property when its type is SMTP; the display name is kept for matching by name.
- Body: plain text (0x1000), else HTML (0x1013) as text — bytes in the Internet code page
  (0x3FDE), else its own <meta charset> —, else the compressed RTF (0x1009) decompressed,
  each character read in its font's code page (mail/rtf.py) and stripped to text.
- Day: the stored UTC time (PidTagClientSubmitTime 0x0039, else PidTagMessageDeliveryTime
  0x0E06) in the team's time zone.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.parser import HeaderParser
from functools import partial
from typing import Any

from esp_cli.core.reports import KnownAgents, SelfReport
from esp_cli.mail.codepages import ansi_codec_of, codec_of
from esp_cli.mail.rtf import rtf_text
from esp_cli.mail.selfreports import (
    MAIL_FILES,
    MAIL_KINDS,
    READ_POLICY,
    SIGNATURE_FILES,
    NotAReport,
    UnreadableMail,
    automatic,
    decode_text,
    display_people,
    forwarded_report,
    html_to_text,
    is_forward,
    is_reply,
    local_day,
    local_time,
    mime_body,
    own_text,
    parse_email,
    same_sender,
    subject_text,
    undated_warning,
    unfolded,
    warnings,
)

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PROPERTIES = "__properties_version1.0"
_VALUE_STREAM = re.compile(r"^__substg1\.0_([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})$")
_HEADER_BYTES = 32  # the top-level property stream's header
_EMBEDDED_HEADER_BYTES = 24  # an embedded message's
_ENTRY_BYTES = 16
_US_ASCII = 20127  # the code page of a mail labelled us-ascii

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102

MESSAGE_CLASS = 0x001A
SUBJECT = 0x0037
TRANSPORT_HEADERS = 0x007D
CLIENT_SUBMIT_TIME = 0x0039
SENT_REPRESENTING_NAME = 0x0042
SENT_REPRESENTING_ADDRTYPE = 0x0064
SENT_REPRESENTING_ADDRESS = 0x0065
SENDER_NAME = 0x0C1A
SENDER_ADDRTYPE = 0x0C1E
SENDER_ADDRESS = 0x0C1F
DELIVERY_TIME = 0x0E06
DISPLAY_CC = 0x0E03
DISPLAY_TO = 0x0E04
BODY = 0x1000
RTF_COMPRESSED = 0x1009
BODY_HTML = 0x1013
MESSAGE_CODEPAGE = 0x3FFD
INTERNET_CODEPAGE = 0x3FDE
SENDER_SMTP = 0x5D01
SENT_REPRESENTING_SMTP = 0x5D02

# A clear-signed message: its text is readable (the body, else the signed MIME attachment).
SIGNED_CLASS = "ipm.note.smime.multipartsigned"
ATTACHMENT_STORAGE = "__attach_version1.0_"
RECIPIENT_STORAGE = "__recip_version1.0_"
_RECIPIENT_HEADER_BYTES = 8  # a recipient's property stream's header
RECIPIENT_TYPE = 0x0C15  # PidTagRecipientType: 1 To, 2 Cc, 3 Bcc
DISPLAY_NAME = 0x3001
ADDRTYPE = 0x3002
EMAIL_ADDRESS = 0x3003
SMTP_ADDRESS = 0x39FE
_TO, _COPY = 1, 2  # its To, its Cc (3: a blind copy)
_TYPE_BITS = 0x0F  # a recipient type's own bits, a resend's flags (0x10000000...) apart
ATTACHMENT_DATA = "__substg1.0_37010102"  # PidTagAttachDataBinary
# Message classes whose content is an encrypted (or opaque-signed) MIME blob, or
# rights-protected.
_SEALED = ("ipm.note.smime", "ipm.note.secure", "ipm.note.microsoft.rpmsg")
# Items Outlook makes that no agent wrote as a report: (class prefix, kind, in words).
_NOT_REPORTS = (
    ("ipm.note.rules.ooftemplate", "automatic reply", "an out-of-office reply"),
    ("ipm.note.rules.replytemplate", "automatic reply", "a reply sent by an Outlook rule"),
    ("ipm.schedule.meeting.request", "meeting request", "a meeting invitation"),
    ("ipm.schedule.meeting.resp", "meeting request", "a response to a meeting invitation"),
    ("ipm.schedule.meeting.canceled", "meeting request", "a meeting cancellation"),
    ("ipm.schedule.meeting", "meeting request", "a meeting notice"),
    ("ipm.appointment", "meeting request", "a calendar item"),
    ("report.ipm.note.ndr", "delivery report", "a message that could not be delivered"),
    ("report.ipm.note.dr", "delivery report", "a delivery receipt"),
    ("report.ipm.note.ipnrn", "read receipt", "a read receipt"),
    ("report.ipm.note.ipnnrn", "read receipt", "a not-read notice"),
    ("ipm.outlook.recall", "recalled message", "a request to recall an earlier message"),
    ("ipm.recall.report", "recalled message", "a report on recalling a message"),
)
# The classes of messages a person wrote (IPM.Note and its kinds, a post to a folder).
_MESSAGES = ("ipm.note", "ipm.post")
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def is_msg(data: bytes) -> bool:
    """Whether `data` is a Compound File (what Outlook's .msg is), whatever its name."""
    return data[:8] == CFB_MAGIC


class _Properties:
    """The message's top-level MAPI properties: id -> (type, inline 8 bytes or stream)."""

    def __init__(
        self,
        entries: dict[int, tuple[int, bytes]],
        streams: dict[tuple[int, int], bytes],
        attachments: list[bytes] | None = None,
        recipients: list[_Properties] | None = None,
    ) -> None:
        self._entries = entries
        self.streams = streams
        self.attachments = attachments or []  # read only for a signed message (its MIME)
        self.recipients = recipients or []  # its recipient table's rows (To, Cc, Bcc)
        self.codepage = self.string8_codepage() or "cp1252"

    def codepage_in(self, *pids: int) -> str | None:
        """The first of these code page properties that names a code page Python knows."""
        for pid in pids:
            number = self.long(pid)
            if number is not None and (name := codec_of(number)):
                return name
        return None

    def embedded_codepage(self, outer: str) -> str:
        """The code page of the 8-bit strings of a message attached to one whose strings
        are in `outer`: its own (string8_codepage), unless only a US-ASCII mail label names
        it, which says nothing of 8-bit bytes: then `outer`."""
        if self.long(MESSAGE_CODEPAGE) is None and self.long(INTERNET_CODEPAGE) == _US_ASCII:
            return outer
        return self.string8_codepage() or outer

    def string8_codepage(self) -> str | None:
        """The code page of the message's 8-bit strings: PidTagMessageCodepage, else the
        Windows code page of PidTagInternetCodepage (ISO-2022-JP's is Shift_JIS); one that
        cannot be an 8-bit string's (UTF-16) is passed over."""
        for pid in (MESSAGE_CODEPAGE, INTERNET_CODEPAGE):
            number = self.long(pid)
            if number is not None and (name := ansi_codec_of(number)):
                return name
        return None

    def long(self, pid: int) -> int | None:
        found = self._entries.get(pid)
        if found is None or found[0] != PT_LONG:
            return None
        return int(struct.unpack_from("<i", found[1])[0])

    def time(self, pid: int) -> datetime | None:
        found = self._entries.get(pid)
        if found is None or found[0] != PT_SYSTIME:
            return None
        ticks = struct.unpack_from("<Q", found[1])[0]
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def binary(self, pid: int) -> bytes | None:
        return self.streams.get((pid, PT_BINARY))

    def text(self, pid: int) -> str:
        """A string property ('' when absent), Unicode or in the message's code page."""
        raw = self.streams.get((pid, PT_UNICODE))
        if raw is not None:
            return raw.decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
        raw = self.streams.get((pid, PT_STRING8))
        if raw is not None:
            return decode_text(raw, self.codepage).split("\x00", 1)[0].strip()
        return ""


def _properties(data: bytes) -> _Properties:
    from aspose.email_foss.cfb import ROOT_STREAM_ID, CFBError, CFBReader

    try:
        reader = CFBReader(data)
    except (CFBError, ValueError, IndexError, struct.error) as exc:
        raise UnreadableMail("corrupt", f"a damaged Outlook file ({exc})") from exc
    try:
        root = reader.get_entry(ROOT_STREAM_ID).stream_id
        props = _storage_properties(reader, root, _HEADER_BYTES)
        if props is not None and _is_signed(props.streams):
            # A clear-signed message keeps the signed MIME message as its one attachment.
            for child in reader.iter_children(root):
                if child.is_storage() and child.name.startswith(ATTACHMENT_STORAGE):
                    found = reader.find_child_by_name(child.stream_id, ATTACHMENT_DATA)
                    if found is not None and found.is_stream():
                        props.attachments.append(reader.get_stream_data(found.stream_id))
    except (CFBError, ValueError, IndexError, struct.error) as exc:
        raise UnreadableMail("corrupt", f"a damaged Outlook file ({exc})") from exc
    finally:
        reader.close()
    if props is None:
        raise UnreadableMail(
            "not an e-mail", "a Compound File (Word 97, Excel 97...) but not an Outlook message"
        )
    return props


def _storage_properties(reader: Any, storage: int, header: int) -> _Properties | None:
    """The properties of one message in the file (the message itself, or one embedded in
    it), whose property stream starts with `header` bytes; None when it has no property
    stream."""
    streams: dict[tuple[int, int], bytes] = {}
    table = None
    recipients: list[_Properties] = []
    for child in reader.iter_children(storage):
        if child.is_storage() and child.name.startswith(RECIPIENT_STORAGE):
            found = _storage_properties(reader, child.stream_id, _RECIPIENT_HEADER_BYTES)
            recipients += [found] if found is not None else []
        if not child.is_stream():
            continue
        if child.name == PROPERTIES:
            table = reader.get_stream_data(child.stream_id)
        elif match := _VALUE_STREAM.match(child.name):
            key = (int(match.group(1), 16), int(match.group(2), 16))
            streams[key] = reader.get_stream_data(child.stream_id)
    if table is None:
        return None
    if header == _RECIPIENT_HEADER_BYTES:
        return _Properties(_entries(table, header), streams)
    # Outlook writes an embedded message's stream with a 24-byte header, some libraries
    # (aspose.email_foss) with the top level's 32: the one the stream's length fits, or that
    # finds the message's class, is the one it was written with.
    sizes = (header, _HEADER_BYTES + _EMBEDDED_HEADER_BYTES - header)
    fits = [size for size in sizes if (len(table) - size) % _ENTRY_BYTES == 0]
    if fits:
        return _Properties(_entries(table, fits[0]), streams, recipients=recipients)
    read = [_entries(table, size) for size in sizes]
    entries = next((e for e in read if MESSAGE_CLASS in e), read[0])
    return _Properties(entries, streams, recipients=recipients)


def _sent_to(props: _Properties, *, cc: bool = True) -> tuple[tuple[str, str], ...]:
    """Who a message was sent to, To and Cc (To alone when not `cc`), each (display name,
    address): its recipient table's names and SMTP addresses (what a display To leaves out:
    `Dunn, Xavier J.` finds her by her address, a coordinator at another domain is the one
    she writes to); the names of its display To and Cc (as Outlook shows them) besides,
    for the rows with neither a name nor an SMTP address (an Exchange X.500 address alone),
    and in place of a table naming none of them (no rows, blind copies alone). A row's type
    is read without the flags a resend adds to it (MS-OXOMSG: 0x10000000, 0x80000000)."""
    for row in props.recipients:
        row.codepage = props.codepage  # a row's 8-bit strings are in its message's
    kinds = (_TO, _COPY) if cc else (_TO,)
    table = tuple(
        _person(r, DISPLAY_NAME, SMTP_ADDRESS, ADDRTYPE, EMAIL_ADDRESS)
        for r in props.recipients
        if ((r.long(RECIPIENT_TYPE) or 0) & _TYPE_BITS or _TO) in kinds
    )
    named = tuple(p for p in table if any(p))
    if named and len(named) == len(table):
        return named
    shown = (DISPLAY_TO, DISPLAY_CC) if cc else (DISPLAY_TO,)
    displayed = tuple(p for pid in shown for p in display_people(props.text(pid)))
    # A row no one can be told by is one of the names shown that the table does not give.
    return named + tuple(p for p in displayed if p[0] not in {n for n, _ in named})


def _entries(table: bytes, header: int) -> dict[int, tuple[int, bytes]]:
    """A property stream's fixed-length entries after its `header` bytes: by property id,
    its type and its 8 bytes of value."""
    entries: dict[int, tuple[int, bytes]] = {}
    usable = len(table) - (len(table) - header) % _ENTRY_BYTES
    for off in range(header, usable, _ENTRY_BYTES):
        tag = struct.unpack_from("<I", table, off)[0]
        entries[tag >> 16] = (tag & 0xFFFF, table[off + 8 : off + 16])
    return entries


def _is_signed(streams: dict[tuple[int, int], bytes]) -> bool:
    raw = streams.get((MESSAGE_CLASS, PT_UNICODE))
    text = raw.decode("utf-16-le", "replace") if raw is not None else ""
    if raw is None and (raw8 := streams.get((MESSAGE_CLASS, PT_STRING8))) is not None:
        text = raw8.decode("latin-1")
    return text.split("\x00", 1)[0].strip().casefold().startswith(SIGNED_CLASS)


def _person(props: _Properties, name: int, smtp: int, kind: int, address: int) -> tuple[str, str]:
    """A (display name, SMTP address) from a set of sender properties; the address '' when
    only an Exchange X.500 DN ('/O=EXCHANGELABS/...') is stored: no use for matching."""
    addr = props.text(smtp)
    if "@" not in addr:
        addr = props.text(address)
        if props.text(kind).upper() == "EX" or "@" not in addr or addr.startswith("/"):
            addr = ""
    return props.text(name), addr


def _senders(props: _Properties) -> tuple[tuple[str, str], tuple[str, str]]:
    """(the mailbox the message is from, who sent it on that mailbox's behalf when another
    person else ('', '')). Outlook keeps the mailbox as sent-representing (PidTagSent-
    Representing*, an .eml's From) and who sent it as the sender (PidTagSender*, an .eml's
    Sender): the two differ for "Uriel Castillo on behalf of Tamara Wells"."""
    sender = _person(props, SENDER_NAME, SENDER_SMTP, SENDER_ADDRTYPE, SENDER_ADDRESS)
    mailbox = _person(
        props,
        SENT_REPRESENTING_NAME,
        SENT_REPRESENTING_SMTP,
        SENT_REPRESENTING_ADDRTYPE,
        SENT_REPRESENTING_ADDRESS,
    )
    if not any(mailbox):
        return sender, ("", "")
    if not any(sender) or same_sender(mailbox, sender):
        return (mailbox[0] or sender[0], mailbox[1] or sender[1]), ("", "")
    return mailbox, sender


_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def _rtf_text(compressed: bytes) -> str:
    """The text of a compressed RTF body, each character in its font's code page."""
    from compressed_rtf import decompress

    return rtf_text(bytes(decompress(compressed)))


def _html(props: _Properties) -> str:
    """The HTML body: Unicode, or bytes in the Internet code page Outlook keeps it in
    (PidTagInternetCodepage), else the one its own <meta charset> names, else the
    message's."""
    if html := props.text(BODY_HTML):
        return html
    raw = props.binary(BODY_HTML)
    if raw is None:
        return ""
    meta = _META_CHARSET.search(raw[:4096])
    charset = props.codepage_in(INTERNET_CODEPAGE) or (
        meta.group(1).decode("ascii") if meta else props.codepage
    )
    return decode_text(raw, charset)


def _body(props: _Properties, *, whole: bool = False) -> str:
    """The message's text: its plain body, else its HTML (with the quoted message the client
    marked when `whole`), else its RTF."""
    text = props.text(BODY)
    if text:
        return text
    for data in props.attachments:  # a signed message's own MIME
        if text := mime_body(data, whole=whole):
            return text
    if html := _html(props):
        return html_to_text(html, whole=whole)
    rtf = props.binary(RTF_COMPRESSED)
    if rtf:
        try:
            return _rtf_text(rtf)
        except Exception as exc:  # the decompressor raises bare Exceptions on bad data
            raise UnreadableMail("corrupt", f"its RTF body cannot be read ({exc})") from exc
    return ""


def _transport_header(props: _Properties) -> Callable[[str], str | None]:
    """The Internet headers a received message keeps (PidTagTransportMessageHeaders), as a
    lookup by name; nothing for a message written in Outlook."""
    text = props.text(TRANSPORT_HEADERS)
    # A Subject continued on unindented lines (Gmail through Exchange Online) is read as
    # the .eml reader reads it: the headers after it are still headers.
    raw = unfolded(text.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")
    parsed = HeaderParser(policy=READ_POLICY).parsestr(raw) if text else None

    def header(name: str) -> str | None:
        value = parsed.get(name) if parsed is not None else None
        return None if value is None else str(value)

    return header


def _not_a_report(props: _Properties) -> UnreadableMail | None:
    """Why the item is no agent's report (its class, its Internet headers, its subject), or
    None for a message a person wrote."""
    shown = props.text(MESSAGE_CLASS)
    kind = shown.casefold()
    if kind.startswith(_SEALED) and not kind.startswith(SIGNED_CLASS):
        return UnreadableMail(
            "encrypted or signed",
            f"encrypted or protected ({shown}); ask the agent to send the report without "
            "encrypting it",
        )
    for prefix, why, words in _NOT_REPORTS:
        if kind.startswith(prefix):
            return NotAReport(why, f"{why}: {words} ({shown})")
    if kind and not kind.startswith(_MESSAGES):
        return UnreadableMail("not an e-mail", f"an Outlook item of class {shown}")
    return automatic(_transport_header(props), props.text(SUBJECT))


def read_report(
    data: bytes, source: str, tz: tzinfo | None = None, agents: KnownAgents | None = None
) -> SelfReport:
    """The self-report in an e-mail file, told by its content (an Outlook .msg or a MIME
    .eml, whatever the file is called), an e-mail attached to it as a saved file read so
    too; UnreadableMail says why there is none (NotAReport when no person wrote it).
    `agents`: the tracker's, to tell whose a quoted message is (selfreports.whose_quote)."""
    if is_msg(data):
        return parse_msg(data, source, tz, agents)
    return parse_email(
        data, source, tz, read_file=partial(read_report, agents=agents), agents=agents
    )


def parse_msg(
    data: bytes, source: str, tz: tzinfo | None = None, agents: KnownAgents | None = None
) -> SelfReport:
    """The self-report an Outlook .msg holds; UnreadableMail says why there is none
    (NotAReport when no person wrote it)."""
    props = _properties(data)
    inside = partial(_attached_reports, data, props.codepage, source, tz, agents=agents)
    names = partial(_attached_names, data)
    return _report(props, source, tz, inside, names, agents=agents)


def _report(
    props: _Properties,
    source: str,
    tz: tzinfo | None,
    attached: Callable[[datetime], tuple[list[SelfReport], list[str]]],
    names: Callable[[bool], list[str]],
    forwarded: datetime | None = None,
    *,
    agents: KnownAgents | None = None,
) -> SelfReport:
    """The report of a message (parse_msg), or of one embedded in it: `attached`, the
    reports of the e-mails attached to it (forwarded_report) and those it cannot read,
    given its time; `names` those of its files (for a message with no text of its own), with
    the e-mails attached or (given False) without.
    One embedded with no time is of the time of the message it is in (`forwarded`), said."""
    skipped = _not_a_report(props)
    if skipped is not None:
        raise skipped
    (name, addr), (by_name, by_addr) = _senders(props)
    if not name and not addr:
        raise UnreadableMail(
            "no sender", "no sender (a draft, or a message saved from inside another one)"
        )
    when = props.time(CLIENT_SUBMIT_TIME) or props.time(DELIVERY_TIME)
    undated = ""
    if when is None and forwarded is not None:
        when = forwarded
        undated = undated_warning(props.text(SUBJECT))
    if when is None:
        raise UnreadableMail("no date", "no sent or received time")
    body = _body(props)
    own = own_text(body, name, addr)
    files, named = ([], []) if own.text else (names(False), names(True))
    report = SelfReport(
        local_day(when, tz),
        name,
        addr.lower(),
        own.text or subject_text(props.text(SUBJECT)),
        source,
        sender_name=by_name,
        sender_email=by_addr.lower(),
        warning="; ".join(w for w in (undated, warnings(own, named)) if w),
        sent=local_time(when, tz),
        to=_sent_to(props),
    )
    found, unread = attached(when)
    return forwarded_report(
        report,
        typed=bool(own.text),
        untyped=subject_text(props.text(SUBJECT)),
        attached=found,
        body=_body(props, whole=True),
        unread=unread,
        forward=is_forward(props.text(SUBJECT)),
        set_aside=own.set_aside,
        reply=is_reply(props.text(SUBJECT)),
        recipients=_sent_to(props, cc=False),
        agents=agents,
        besides="; ".join(w for w in (undated, warnings(own, files)) if w),
    )


def _attached_reports(
    data: bytes,
    codepage: str,
    source: str,
    tz: tzinfo | None,
    sent: datetime,
    *,
    agents: KnownAgents | None = None,
) -> tuple[list[SelfReport], list[str]]:
    """The reports of the e-mails attached to an Outlook message (codepage: its own; sent:
    its time), as Outlook's embedded messages or as saved files, and those esp cannot read
    as one, each said; none when its attachments cannot be read (its text was)."""
    from aspose.email_foss.cfb import ROOT_STREAM_ID, CFBError, CFBReader

    try:
        reader = CFBReader(data)
    except (CFBError, ValueError, IndexError, struct.error):
        return [], []
    try:
        root = reader.get_entry(ROOT_STREAM_ID).stream_id
        unread: list[str] = []
        found = _reports_in(reader, root, codepage, source, tz, 0, sent, unread, agents=agents)
        return found, unread
    except (CFBError, ValueError, IndexError, struct.error):
        return [], []
    finally:
        reader.close()


def _reports_in(
    reader: Any,
    storage: int,
    codepage: str,
    source: str,
    tz: tzinfo | None,
    depth: int,
    sent: datetime,
    unread: list[str],
    *,
    agents: KnownAgents | None = None,
) -> list[SelfReport]:
    """The reports of the e-mails attached in `storage` (a message in `codepage`, sent at
    `sent`), a few levels deep; one esp cannot read as a report said in `unread`."""
    out: list[SelfReport] = []
    for child in reader.iter_children(storage):
        if not (child.is_storage() and child.name.startswith(ATTACHMENT_STORAGE)):
            continue
        name = _attachment_name(reader, child.stream_id, codepage)
        try:
            data = _stream(reader, child.stream_id, ATTACH_DATA, PT_BINARY)
            if data is not None:
                kind = _attachment_text(reader, child.stream_id, codepage, ATTACH_MIME_TAG)
                if name.lower().endswith(MAIL_FILES) or kind.lower() in MAIL_KINDS:
                    out.append(read_report(data, source, tz, agents))
                continue
            inner = reader.find_child_by_name(
                child.stream_id, f"__substg1.0_{ATTACH_DATA:04X}{PT_OBJECT:04X}"
            )
            if inner is None or not inner.is_storage() or depth >= MAX_DEPTH:
                continue
            props = _storage_properties(reader, inner.stream_id, _EMBEDDED_HEADER_BYTES)
            if props is None:
                continue
            props.codepage = props.embedded_codepage(codepage)

            def deeper(
                when: datetime, inner: Any = inner, props: _Properties = props
            ) -> tuple[list[SelfReport], list[str]]:
                missed: list[str] = []
                found = _reports_in(
                    reader,
                    inner.stream_id,
                    props.codepage,
                    source,
                    tz,
                    depth + 1,
                    when,
                    missed,
                    agents=agents,
                )
                return found, missed

            out.append(_report(props, source, tz, deeper, _no_names, sent, agents=agents))
        except UnreadableMail as exc:
            unread.append(f"{name!r}: {exc}" if name else str(exc))
    return out


def _no_names(emails: bool) -> list[str]:
    """The files an embedded message's report names: none (its files are its carrier's)."""
    return []


def _attached_names(data: bytes, emails: bool = True) -> list[str]:
    """The names of the files attached to a message (not a signature's), the pictures of its
    HTML too (a screenshot pasted in it: the report may be in it), those inside the e-mails
    attached to it (embedded, or saved files) and those e-mails' names when `emails`; else
    its own files alone, not the pictures of its HTML (a logo), beside the e-mails it
    carries."""
    try:
        found = msg_files(data)
    except UnreadableMail:  # its text was read: damaged attachments are no matter here
        return []
    names = [
        f.name
        for f in found.files
        if not (f.picture and not emails)
        and not f.name.lower().endswith(SIGNATURE_FILES)
        and (emails or not (f.via or _an_email(f)))
    ]
    return names + list(found.emails if emails else ())


def _an_email(file: Attached) -> bool:
    """Whether an attached file is an e-mail (a saved .eml or .msg, by its name or type)."""
    return file.name.lower().endswith(MAIL_FILES) or file.kind in MAIL_KINDS


# -- the files attached ----------------------------------------------------------------------

ATTACH_DATA = 0x3701  # PidTagAttachDataBinary (a file), or PtypObject (an embedded message)
ATTACH_NAMES = (0x3707, 0x3704, 0x3001)  # long file name, short (8.3) name, display name
ATTACH_MIME_TAG = 0x370E  # PidTagAttachMimeTag: the file's MIME type
ATTACH_CONTENT_ID = 0x3712  # PidTagAttachContentId: the name its HTML shows it by (cid:)
ATTACHMENT_HIDDEN = 0x7FFE  # PidTagAttachmentHidden: a picture of its text, not a file
PT_BOOLEAN = 0x000B
PT_OBJECT = 0x000D
MAX_DEPTH = 5  # forwarded within forwarded: deeper than this is not an agent's e-mail


def _stream(reader: Any, storage: int, pid: int, kind: int) -> bytes | None:
    found = reader.find_child_by_name(storage, f"__substg1.0_{pid:04X}{kind:04X}")
    if found is None or not found.is_stream():
        return None
    data: bytes = reader.get_stream_data(found.stream_id)
    return data


def _attachment_text(reader: Any, storage: int, codepage: str, *pids: int) -> str:
    """The first of these string properties an attachment has ('' when none): Unicode, or
    (an older, ANSI message) in its message's code page `codepage`."""
    for pid in pids:
        raw = _stream(reader, storage, pid, PT_UNICODE)
        if raw is not None and (text := raw.decode("utf-16-le", "replace").split("\x00")[0]):
            return text.strip()
        raw = _stream(reader, storage, pid, PT_STRING8)
        if raw is not None and (text := decode_text(raw, codepage).split("\x00")[0]):
            return text.strip()
    return ""


def _attachment_name(reader: Any, storage: int, codepage: str) -> str:
    return _attachment_text(reader, storage, codepage, *ATTACH_NAMES)


def _a_picture(reader: Any, storage: int, codepage: str, html: str) -> bool:
    """Whether an attachment is a picture of its message's text, not a file the sender
    attached: hidden (PidTagAttachmentHidden, as Outlook keeps a signature's logo), or
    shown by the message's HTML by its content id (`cid:`)."""
    found = reader.find_child_by_name(storage, PROPERTIES)
    if found is not None and found.is_stream():
        entries = _entries(reader.get_stream_data(found.stream_id), _RECIPIENT_HEADER_BYTES)
        kind, value = entries.get(ATTACHMENT_HIDDEN, (0, b""))
        if kind == PT_BOOLEAN and any(value[:2]):
            return True
    cid = _attachment_text(reader, storage, codepage, ATTACH_CONTENT_ID).strip("<>")
    return bool(cid) and f"cid:{cid}".casefold() in html.casefold()


@dataclass(frozen=True)
class Hop:
    """An e-mail a file came through, as it says itself: who sent it and when."""

    sender_name: str = ""
    sender: str = ""  # the SMTP address, lower case ('' when it has none)
    sent_by: str = ""  # who sent it on the sender's behalf, if another
    sent: datetime | None = None  # None: it does not say

    @property
    def who(self) -> str:
        """Its sender as said: the address, else the display name ('' for none)."""
        return self.sender or self.sender_name


@dataclass(frozen=True)
class Attached:
    """A file attached to an e-mail. One found inside an e-mail attached to it (forwarded
    as an attachment, or attached as a saved .msg or .eml) says which (`via`, the outermost
    first, and `hops`, each one's own sender and time) and who sent the deepest of them
    that names a sender; '' when its own message's sender sent it."""

    name: str  # the file name the sender gave it ('' when it has none)
    data: bytes
    kind: str = ""  # its MIME type, as the message gives it ('' when it gives none)
    via: tuple[str, ...] = ()
    sender_name: str = ""
    sender: str = ""  # the SMTP address, lower case
    sent_by: str = ""  # who sent that e-mail on the sender's behalf, if another
    sent: datetime | None = None  # when that e-mail was sent (None: it does not say)
    hops: tuple[Hop, ...] = ()  # the e-mails of `via`, in its order
    # A picture of its message's text (a logo), not a file the sender attached.
    picture: bool = field(default=False, compare=False)

    def inside(
        self, mail: str, sender: tuple[str, str, str], sent: datetime | None = None
    ) -> Attached:
        """This file as found in the attached e-mail `mail`, sent by `sender` (display name,
        address, on whose behalf) at `sent`: a deeper e-mail's sender, when it has one,
        stays, with its time."""
        name, addr, by = sender
        hops = (Hop(name, addr, by, sent), *self.hops)
        if self.sender or self.sender_name:
            return replace(self, via=(mail, *self.via), hops=hops)
        return replace(
            self,
            via=(mail, *self.via),
            hops=hops,
            sender_name=name,
            sender=addr,
            sent_by=by,
            sent=sent,
        )


@dataclass(frozen=True)
class MailFiles:
    """The files an e-mail carries, who sent it and when."""

    sender_name: str
    sender: str  # the SMTP address, lower case; '' when the message has none (a draft)
    sent: datetime | None  # sent (else received); None when the message says neither
    files: tuple[Attached, ...]
    emails: tuple[str, ...] = ()  # the e-mails attached to it (forwarded), by name or subject
    # Who sent it on the sender's behalf (a delegate): the address, lower case; '' when the
    # sender sent it.
    sent_by: str = ""
    # The e-mails attached to it that esp could not open: (name, why).
    unopened: tuple[tuple[str, str], ...] = ()

    def day(self, tz: tzinfo | None) -> date | None:
        """The team's calendar day it was sent (None when unknown)."""
        return local_day(self.sent, tz) if self.sent is not None else None

    @property
    def who(self) -> tuple[str, str, str]:
        """(display name, address, on whose behalf)."""
        return self.sender_name, self.sender, self.sent_by


# Why an e-mail attached deeper than esp opens gives no file.
TOO_DEEP = (
    f"an attached e-mail esp did not open: e-mails attached more than {MAX_DEPTH} deep are "
    "not opened; ask for the PDF itself"
)


def _files_in(
    reader: Any,
    storage: int,
    codepage: str,
    depth: int,
    emails: list[str],
    unopened: list[tuple[str, str]],
    html: str = "",
) -> list[Attached]:
    """The files attached in `storage` (a message in the code page `codepage`, its HTML
    `html`), and those of the messages attached to it (an e-mail forwarded as an attachment,
    in its own code page), a few levels deep, each with who sent the message it came in, the
    pictures of a message's text marked; each attached message's name goes in `emails` (said
    when it holds no file esp wants), and one too deep to open in `unopened`."""
    out: list[Attached] = []
    for child in reader.iter_children(storage):
        if not (child.is_storage() and child.name.startswith(ATTACHMENT_STORAGE)):
            continue
        data = _stream(reader, child.stream_id, ATTACH_DATA, PT_BINARY)
        if data is not None:
            name = _attachment_name(reader, child.stream_id, codepage)
            kind = _attachment_text(reader, child.stream_id, codepage, ATTACH_MIME_TAG).lower()
            picture = _a_picture(reader, child.stream_id, codepage, html)
            out.append(Attached(name, data, kind, picture=picture))
            continue
        inner = reader.find_child_by_name(
            child.stream_id, f"__substg1.0_{ATTACH_DATA:04X}{PT_OBJECT:04X}"
        )
        if inner is not None and inner.is_storage():
            name = _attachment_name(reader, child.stream_id, codepage)
            emails.append(name)
            if depth >= MAX_DEPTH:
                unopened.append((name or "(no name)", TOO_DEEP))
                continue
            props = _storage_properties(reader, inner.stream_id, _EMBEDDED_HEADER_BYTES)
            if props is not None:  # its own code page, else the message's it came in
                props.codepage = props.embedded_codepage(codepage)
            (who, addr), (_, by) = _senders(props) if props else (("", ""), ("", ""))
            sender = (who, addr.lower(), by.lower())
            sent = (props.time(CLIENT_SUBMIT_TIME) or props.time(DELIVERY_TIME)) if props else None
            own = props.codepage if props else codepage
            shown = _html(props) if props else ""
            found = _files_in(reader, inner.stream_id, own, depth + 1, emails, unopened, shown)
            out += [f.inside(name or "(no name)", sender, sent) for f in found]
    return out


def msg_files(data: bytes) -> MailFiles:
    """An Outlook .msg's sender, who sent it on that sender's behalf (when another), time
    sent or received, every file attached, in order, and the name of every e-mail attached;
    UnreadableMail when it is not a message esp can read (damaged, encrypted)."""
    from aspose.email_foss.cfb import ROOT_STREAM_ID, CFBError, CFBReader

    props = _properties(data)
    shown = props.text(MESSAGE_CLASS)
    kind = shown.casefold()
    if kind.startswith(_SEALED) and not kind.startswith(SIGNED_CLASS):
        raise UnreadableMail("encrypted or signed", f"encrypted or protected ({shown})")
    (name, addr), (_, by) = _senders(props)
    when = props.time(CLIENT_SUBMIT_TIME) or props.time(DELIVERY_TIME)
    try:
        reader = CFBReader(data)
    except (CFBError, ValueError, IndexError, struct.error) as exc:
        raise UnreadableMail("corrupt", f"a damaged Outlook file ({exc})") from exc
    try:
        emails: list[str] = []
        unopened: list[tuple[str, str]] = []
        root = reader.get_entry(ROOT_STREAM_ID).stream_id
        files = _files_in(reader, root, props.codepage, 0, emails, unopened, _html(props))
    except (CFBError, ValueError, IndexError, struct.error) as exc:
        raise UnreadableMail("corrupt", f"a damaged Outlook file ({exc})") from exc
    finally:
        reader.close()
    return MailFiles(
        name,
        addr.lower(),
        when,
        tuple(files),
        tuple(emails),
        by.lower(),
        tuple(unopened),
    )

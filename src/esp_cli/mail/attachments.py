"""The files attached to an e-mail file and who sent it, from an Outlook message or a MIME one
(pure: bytes in, files out).

Either kind is told by its content: Outlook's .msg (read in mail/msgfile.py) or a MIME .eml.

Agents with an equipment issue e-mail their transcript, `First Last TBT.pdf`, to the Cert
Coordinator; `esp tbt proofs` takes those e-mails as they were saved from Outlook. Files
attached to a message forwarded as an attachment, or to an e-mail attached as a saved file
(.msg, .eml), are found too.
"""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from email.message import Message

from esp_cli.mail.msgfile import is_msg, msg_files
from esp_cli.mail.selfreports import (
    ENCRYPTED_TYPES,
    UnreadableMail,
    decode_words,
    local_day,
    on_behalf,
    read_message,
    sender_of,
    sent_time,
)


@dataclass(frozen=True)
class Attached:
    name: str  # the file name the sender gave it ('' when it has none)
    data: bytes
    kind: str = ""  # its MIME type, as the message gives it ('' when it gives none)


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

    def day(self, tz: tzinfo | None) -> date | None:
        """The team's calendar day it was sent (None when unknown)."""
        return local_day(self.sent, tz) if self.sent is not None else None


# An e-mail attached as a file (an agent's saved message dragged into a web mail message,
# a saved .eml attached): opened as a forwarded message is. Deeper than this is not an
# agent's e-mail.
MAIL_TYPES = ("message/rfc822", "application/vnd.ms-outlook")
MAIL_SUFFIXES = (".eml", ".msg")
_MAX_DEPTH = 5


def read_files(data: bytes, depth: int = 0) -> MailFiles:
    """The files attached to an e-mail file, told by its content — those of an e-mail
    attached to it, as a message or as a saved file, too; UnreadableMail says why it cannot
    be read (not an e-mail, damaged, encrypted)."""
    if is_msg(data):
        (name, addr), by, when, files, emails = msg_files(data)
        attached = [Attached(n, d, k) for n, d, k in files]
        found = MailFiles(name, addr.lower(), when, (), tuple(emails), by[1].lower())
    else:
        found, attached = _eml_files(data)
    return _opened(found, attached, depth)


def _opened(found: MailFiles, attached: list[Attached], depth: int) -> MailFiles:
    """`found` with `attached` as its files; an e-mail attached as a file gives its own
    files in its place, and its name to `emails` (one esp cannot read stays a file)."""
    files: list[Attached] = []
    emails = list(found.emails)
    for item in attached:
        is_mail = item.kind in MAIL_TYPES or item.name.lower().endswith(MAIL_SUFFIXES)
        if is_mail and depth < _MAX_DEPTH:
            try:
                inner = read_files(item.data, depth + 1)
            except UnreadableMail:
                files.append(item)
                continue
            emails += [item.name or "(no name)", *inner.emails]
            files += inner.files
        else:
            files.append(item)
    return replace(found, files=tuple(files), emails=tuple(emails))


def _eml_files(data: bytes) -> tuple[MailFiles, list[Attached]]:
    msg = read_message(data)
    if msg.get_content_type() in ENCRYPTED_TYPES:
        raise UnreadableMail(
            "encrypted or signed",
            f"encrypted ({msg.get_content_type()}); ask the agent to send it without encrypting",
        )
    name, addr = sender_of(msg)
    by = on_behalf(msg, (name, addr))
    files: list[Attached] = []
    emails: list[str] = []
    _contents(msg, files, emails)
    found = MailFiles(name, addr.lower(), sent_time(msg), (), tuple(emails), by[1].lower())
    return found, files


def _contents(part: Message, files: list[Attached], emails: list[str]) -> None:
    """Every part of `part` with a file name, or typed as a PDF, in the order the message
    holds them, into `files` — inside an attached message too, whose subject (else file
    name) goes into `emails`. An attached message its mailer encoded (base64) is a file
    of its own, opened later like any e-mail attached as a file."""
    kind = part.get_content_type()
    if kind == "message/rfc822":
        name = " ".join(decode_words(part.get_filename() or "").split())
        encoded = _encoded_message(part)
        if encoded is not None:
            files.append(Attached(name, encoded, kind))
            return
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = inner.get("subject", "") if isinstance(inner, Message) else ""
        emails.append(" ".join(decode_words(str(subject or name)).split()))
        if isinstance(inner, Message):
            _contents(inner, files, emails)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _contents(sub, files, emails)
        return
    given = part.get_filename()
    if not given and kind != "application/pdf":
        return
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        files.append(Attached(" ".join(decode_words(given or "").split()), payload, kind))


def _encoded_message(part: Message) -> bytes | None:
    """The bytes of an attached message its mailer encoded in base64 or quoted-printable
    (against the standard, which the parser then reads as a message of no headers); None
    for one attached as it is."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return None
    inner = part.get_payload(0) if part.is_multipart() else None
    text = inner.get_payload() if isinstance(inner, Message) else None
    if not isinstance(text, str):
        return None
    raw = text.encode("ascii", "replace")
    return base64.b64decode(raw) if encoding == "base64" else quopri.decodestring(raw)

"""The files attached to an e-mail file and who sent it, from an Outlook message or a MIME one
(pure: bytes in, files out).

Either kind is told by its content: Outlook's .msg (read in mail/msgfile.py) or a MIME .eml.

Agents with an equipment issue e-mail their transcript, `First Last TBT.pdf`, to the Cert
Coordinator; `esp tbt proofs` takes those e-mails as they were saved from Outlook. Files
attached to a message forwarded as an attachment are found too.
"""

from __future__ import annotations

import email
import email.message
import email.policy
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.message import EmailMessage

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


def read_files(data: bytes) -> MailFiles:
    """The files attached to an e-mail file, told by its content; UnreadableMail says why
    it cannot be read (not an e-mail, damaged, encrypted)."""
    if is_msg(data):
        (name, addr), by, when, files, emails = msg_files(data)
        attached = tuple(Attached(n, d) for n, d in files)
        return MailFiles(name, addr.lower(), when, attached, tuple(emails), by[1].lower())
    return _eml_files(data)


def _eml_files(data: bytes) -> MailFiles:
    msg = read_message(data)
    if msg.get_content_type() in ENCRYPTED_TYPES:
        raise UnreadableMail(
            "encrypted or signed",
            f"encrypted ({msg.get_content_type()}); ask the agent to send it without encrypting",
        )
    name, addr = sender_of(msg)
    by = on_behalf(msg, (name, addr))
    return MailFiles(
        name, addr.lower(), sent_time(msg), tuple(_attached(msg)), _emails(msg), by[1].lower()
    )


def _emails(msg: EmailMessage) -> tuple[str, ...]:
    """The e-mails attached to `msg` (forwarded as an attachment), by subject or file name."""
    out = []
    for part in msg.walk():
        if part.get_content_type() != "message/rfc822":
            continue
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = inner.get("subject", "") if isinstance(inner, email.message.Message) else ""
        out.append(" ".join(decode_words(str(subject or part.get_filename() or "")).split()))
    return tuple(out)


def _attached(msg: EmailMessage) -> list[Attached]:
    """Every part with a file name, or typed as a PDF, in the order the message holds them
    (inside an attached message too)."""
    out: list[Attached] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_type() != "application/pdf":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            out.append(Attached(" ".join(decode_words(name or "").split()), payload))
    return out

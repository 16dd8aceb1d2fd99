"""The files attached to an e-mail file and who sent it, from an Outlook message or a MIME one
(pure: bytes in, files out).

Either kind is told by its content: Outlook's .msg (read in mail/msgfile.py) or a MIME .eml.

Agents with an equipment issue e-mail their transcript, `First Last TBT.pdf`, to the Cert
Coordinator; `esp tbt proofs` takes those e-mails as they were saved from Outlook. Files
attached to a message forwarded as an attachment, or to an e-mail attached as a saved file
(.msg, .eml), are found too.
"""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage, Message

from esp_cli.mail.msgfile import MAX_DEPTH, TOO_DEEP, Attached, Hop, MailFiles, is_msg, msg_files
from esp_cli.mail.selfreports import (
    ENCRYPTED_TYPES,
    MAIL_FILES,
    MAIL_KINDS,
    UnreadableMail,
    encoded_message,
    file_name,
    on_behalf,
    read_message,
    sender_of,
    sent_time,
    subject_of,
)

__all__ = ["MAIL_SUFFIXES", "MAIL_TYPES", "Attached", "Hop", "MailFiles", "read_files"]

# An e-mail attached as a file (an agent's saved message dragged into a web mail message,
# a saved .eml attached): opened as a forwarded message is, MAX_DEPTH levels deep.
MAIL_TYPES = MAIL_KINDS
MAIL_SUFFIXES = MAIL_FILES


def read_files(data: bytes, depth: int = 0) -> MailFiles:
    """The files attached to an e-mail file, told by its content — those of an e-mail
    attached to it, as a message or as a saved file, too, each with who sent the e-mail it
    came in; UnreadableMail says why it cannot be read (not an e-mail, damaged,
    encrypted)."""
    if is_msg(data):
        found = msg_files(data)
        attached = list(found.files)
    else:
        found, attached = _eml_files(data, depth)
    return _opened(found, attached, depth)


def _opened(found: MailFiles, attached: list[Attached], depth: int) -> MailFiles:
    """`found` with `attached` as its files; an e-mail attached as a file gives its own
    files in its place (each with that e-mail's sender), and its name to `emails`; one esp
    cannot read, or attached too deep to open, goes to `unopened` with the reason."""
    files: list[Attached] = []
    emails = list(found.emails)
    unopened = list(found.unopened)
    for item in attached:
        if not (item.kind in MAIL_TYPES or item.name.lower().endswith(MAIL_SUFFIXES)):
            files.append(item)
            continue
        name = item.name or "(no name)"
        if depth >= MAX_DEPTH:
            unopened.append((name, TOO_DEEP))
            continue
        try:
            inner = read_files(item.data, depth + 1)
        except UnreadableMail as exc:
            unopened.append((name, f"an attached e-mail esp cannot read: {exc}; ask for it again"))
            continue
        emails += [name, *inner.emails]
        unopened += inner.unopened
        files += [_within(f.inside(name, inner.who, inner.sent), item) for f in inner.files]
    return replace(found, files=tuple(files), emails=tuple(emails), unopened=tuple(unopened))


def _within(found: Attached, mail: Attached) -> Attached:
    """A file found in the e-mail attached as `mail`, itself perhaps found inside a
    forwarded message: the outer e-mails before its own, their sender when it has none."""
    if mail.via:
        found = replace(found, via=(*mail.via, *found.via), hops=(*mail.hops, *found.hops))
    if found.sender or found.sender_name:
        return found
    return replace(
        found,
        sender_name=mail.sender_name,
        sender=mail.sender,
        sent_by=mail.sent_by,
        sent=mail.sent,
    )


def _eml_files(data: bytes, depth: int = 0) -> tuple[MailFiles, list[Attached]]:
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
    unopened: list[tuple[str, str]] = []
    _contents(msg, files, emails, unopened, depth)
    found = MailFiles(
        name, addr.lower(), sent_time(msg), (), tuple(emails), by[1].lower(), tuple(unopened)
    )
    return found, files


def _contents(
    part: Message,
    files: list[Attached],
    emails: list[str],
    unopened: list[tuple[str, str]],
    depth: int,
) -> None:
    """Every part of `part` with a file name, or typed as a PDF, in the order the message
    holds them, into `files` — inside an attached message too, whose subject (else file
    name) goes into `emails`, and whose sender sent its files. An attached message its
    mailer encoded (base64) is a file of its own, opened later like any e-mail attached as
    a file."""
    kind = part.get_content_type()
    if kind == "message/rfc822":
        name = file_name(part)
        encoded = encoded_message(part)
        if encoded is not None:
            files.append(Attached(name, encoded, kind))
            return
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = subject_of(inner) if isinstance(inner, Message) else ""
        shown = " ".join((subject or name).split())
        if depth >= MAX_DEPTH:  # as deep as an e-mail attached as a file is opened
            unopened.append((shown or "(no name)", TOO_DEEP))
            return
        emails.append(shown)
        if isinstance(inner, Message):
            found: list[Attached] = []
            _contents(inner, found, emails, unopened, depth + 1)
            sender = _sender(inner)
            sent = sent_time(inner) if isinstance(inner, EmailMessage) else None
            files += [f.inside(shown or "(no name)", sender, sent) for f in found]
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _contents(sub, files, emails, unopened, depth)
        return
    given = file_name(part)
    if not given and kind != "application/pdf":
        return
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        files.append(Attached(given, payload, kind))


def _sender(msg: Message) -> tuple[str, str, str]:
    """An attached message's (display name, address, on whose behalf), lower case."""
    if not isinstance(msg, EmailMessage):
        return "", "", ""
    name, addr = sender_of(msg)
    return name, addr.lower(), on_behalf(msg, (name, addr))[1].lower()

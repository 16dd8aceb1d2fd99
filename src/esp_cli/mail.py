"""The report as an e-mail: build it, save it as .eml, send it over SMTP.

Sender and recipients come from esp.toml [report]; the server from [smtp] (host, port,
starttls, username). The password is read from the ESP_SMTP_PASSWORD environment variable
only, at the moment of logging in: it is never an argument, never in a message, never in the
.eml. When sending fails, the message is saved as an .eml beside the tracker so nothing is
lost, and the error names that file.
"""

from __future__ import annotations

import base64
import copy
import mimetypes
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import NoReturn

from esp_cli.config import Config
from esp_cli.errors import ConfigError, EspError, InputFileError, WriteFailedError
from esp_cli.system import write_file_atomically

PASSWORD_ENV = "ESP_SMTP_PASSWORD"
DEFAULT_PORT = 587
TIMEOUT_SECONDS = 30


class SendError(EspError):
    """The SMTP server could not be reached or refused the message; it was saved instead."""


@dataclass(frozen=True)
class Envelope:
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]

    @property
    def recipients(self) -> list[str]:
        return [addr for _, addr in getaddresses([*self.to, *self.cc])]


def envelope(
    config: Config,
    to: tuple[str, ...] | None = None,
    cc: tuple[str, ...] | None = None,
    to_key: str = "[report] to",
) -> Envelope:
    """From, To and Cc from esp.toml ([report], unless `to`/`cc` are given); a clear error
    when they are missing or not addresses."""
    where = config.source or "esp.toml"
    sender = config.report_from or config.user_email
    if not sender or not parseaddr(sender)[1]:
        raise ConfigError(
            f"{where}: no sender for the report.",
            fix='set [report] from = "Name <you@example.com>" in esp.toml.',
        )
    to = config.report_to if to is None else to
    cc = config.report_cc if cc is None else cc
    if not to:
        raise ConfigError(
            f"{where}: no recipients ({to_key}).",
            fix=f'set {to_key} = ["someone@example.com"] in esp.toml.',
        )
    for addr in (*to, *cc):
        if "@" not in parseaddr(addr)[1]:
            raise ConfigError(
                f"{where}: {addr!r} is not an e-mail address.",
                fix=f'give e-mail addresses ({to_key}), e.g. "Name <name@example.com>".',
            )
    return Envelope(sender, to, cc)


def signoff(config: Config, env: Envelope) -> str:
    """esp.toml [report] signoff, else "Thank you," and the sender's name."""
    if config.signoff is not None:
        return config.signoff
    name = parseaddr(env.sender)[0] or config.user or ""
    return f"Thank you,\n{name}" if name else "Thank you,"


def build_message(env: Envelope, subject: str, text: str, html: str, now: datetime) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (the one clients prefer)."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    msg["From"] = env.sender
    msg["To"] = ", ".join(env.to)
    if env.cc:
        msg["Cc"] = ", ".join(env.cc)
    msg["Date"] = format_datetime(now.astimezone())
    domain = parseaddr(env.sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["MIME-Version"] = "1.0"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def draft_bytes(msg: EmailMessage) -> bytes:
    """The .eml file: the message with X-Unsent so Outlook opens it as a draft ready to send."""
    draft = copy.deepcopy(msg)
    draft["X-Unsent"] = "1"
    return draft.as_bytes()


MSGFLAG_READ = 0x1  # PidTagMessageFlags: not shown as unread
MSGFLAG_UNSENT = 0x8  # a draft, opened ready to edit and send
MSGFLAG_HASATTACH = 0x10
MESSAGE_FLAGS = 0x0E07
CLIENT_SUBMIT_TIME = 0x0039
DELIVERY_TIME = 0x0E06


def draft_msg_bytes(msg: EmailMessage) -> bytes:
    """The message as an Outlook .msg draft (classic Outlook cannot open an .eml as one):
    the same recipients, subject, text and HTML bodies and attachments, flagged unsent
    and with no sent or received time, so Outlook opens it ready to edit and send."""
    from aspose.email_foss.msg import MapiMessage, PropertyTypeCode

    draft = MapiMessage.from_email_message(msg)
    draft.message_class = "IPM.Note"
    for pid in (CLIENT_SUBMIT_TIME, DELIVERY_TIME):
        draft.properties.remove(pid)
    flags = MSGFLAG_READ | MSGFLAG_UNSENT | (MSGFLAG_HASATTACH if draft.attachments else 0)
    draft.set_property(MESSAGE_FLAGS, PropertyTypeCode.PTYP_INTEGER32, flags)
    data: bytes = draft.to_bytes()
    return data


def write_atomic(path: Path, data: bytes) -> Path:
    """Write atomically: a half-written .eml or .msg is never left behind."""
    try:
        write_file_atomically(path, data)
    except OSError as exc:
        raise WriteFailedError(
            f"{path}: cannot be written ({exc.strerror}).", fix="check the folder and its rights."
        ) from exc
    return path


def fallback_path(tracker: Path, stem: str) -> Path:
    """A new .eml name beside the tracker (never overwriting an earlier one)."""
    candidate = tracker.parent / f"{stem}.eml"
    n = 2
    while candidate.exists():
        candidate = tracker.parent / f"{stem} ({n}).eml"
        n += 1
    return candidate


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    starttls: bool
    username: str | None


def server(config: Config) -> Server:
    where = config.source or "esp.toml"
    smtp = config.smtp
    host = smtp.get("host")
    if not isinstance(host, str) or not host.strip():
        raise ConfigError(
            f"{where}: no SMTP server to send through.",
            fix='set [smtp] host = "smtp.example.com" (and port, starttls, username).',
        )
    port = smtp.get("port", DEFAULT_PORT)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{where}: [smtp] port must be a number such as 587.")
    starttls = smtp.get("starttls", True)
    if not isinstance(starttls, bool):
        raise ConfigError(f"{where}: [smtp] starttls must be true or false.")
    username = smtp.get("username")
    if username is not None and not isinstance(username, str):
        raise ConfigError(f"{where}: [smtp] username must be a string.")
    return Server(host.strip(), port, starttls, username or None)


def _password(srv: Server) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise ConfigError(
            f"[smtp] username is {srv.username!r} but {PASSWORD_ENV} is not set.",
            fix=f"set the {PASSWORD_ENV} environment variable to the SMTP password "
            "(or remove [smtp] username for a server that needs no login).",
        )
    return password


def send(msg: EmailMessage, env: Envelope, srv: Server, save_to: Path) -> None:
    """Deliver `msg` to every recipient; on any failure save it at `save_to` and raise
    SendError naming the file. A missing password fails before connecting (nothing saved:
    nothing was attempted)."""
    password = _password(srv) if srv.username else None
    try:
        with smtplib.SMTP(srv.host, srv.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if srv.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if srv.username and password is not None:
                smtp.login(srv.username, password)
            refused = smtp.send_message(msg, from_addr=_addr(env.sender), to_addrs=env.recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        _fail(msg, save_to, f"the server refused every recipient ({_refused(exc.recipients)})")
    except smtplib.SMTPAuthenticationError as exc:
        _fail(
            msg,
            save_to,
            f"the server rejected the login for {srv.username!r} ({_reply(exc, srv, password)})",
            fix=f"check [smtp] username and the {PASSWORD_ENV} environment variable.",
        )
    except smtplib.SMTPResponseException as exc:
        _fail(msg, save_to, f"the server refused the message ({_reply(exc, srv, password)})")
    except (smtplib.SMTPException, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _fail(
            msg,
            save_to,
            f"cannot connect to {srv.host}:{srv.port} ({reason or type(exc).__name__})",
            fix="check [smtp] host, port and starttls in esp.toml, and the network.",
        )
    if refused:
        _fail(
            msg,
            save_to,
            f"the server refused some recipients ({_refused(refused)}); the others were sent it",
        )


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


def _fail(msg: EmailMessage, save_to: Path, why: str, fix: str | None = None) -> NoReturn:
    saved = write_atomic(save_to, draft_bytes(msg))
    raise SendError(
        f"The report was not sent: {why}. It is saved as {saved}; open it in Outlook to send "
        "it by hand.",
        fix=fix,
    )


def attach(msg: EmailMessage, files: list[Path]) -> None:
    """Attach each file, typed by its extension (unknown: application/octet-stream).

    A name that is not ASCII goes both as RFC 2231 `filename*=` on Content-Disposition (the
    standard) and as an RFC 2047 encoded-word `name=` on Content-Type, the form Outlook
    reads (given `filename*=` alone it shows "Untitled attachment" or ATT00001)."""
    for path in files:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
        *_, part = msg.iter_attachments()  # the one just added
        if path.name.isascii():
            part.set_param("name", path.name)
        else:
            # Set raw, already folded: the policy would otherwise re-encode it as RFC 2231.
            del part["Content-Type"]
            words = "\n ".join(_encoded_words(path.name))
            part.set_raw("Content-Type", f'{ctype};\n name="{words}"')


def _encoded_words(text: str) -> list[str]:
    """`text` as RFC 2047 base64 encoded-words short enough for one header line each."""
    chunks = [""]
    for char in text:
        if len(base64.b64encode((chunks[-1] + char).encode())) > 44:  # a word of 56 chars
            chunks.append("")
        chunks[-1] += char
    return [f"=?utf-8?b?{base64.b64encode(c.encode()).decode()}?=" for c in chunks]

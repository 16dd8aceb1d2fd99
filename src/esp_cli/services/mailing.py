"""The e-mail a command makes (esp report eod, esp report locate): its settings checked
before anything is written, then built and posted through mail/outgoing.py — saved as
drafts, sent, or (dry run) only described. esp advise posts its messages the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from esp_cli.config import Config
from esp_cli.core.model import Letter, MailReport

if TYPE_CHECKING:
    from esp_cli.mail.outgoing import Envelope, Outbox

# The renderer's words for the message, given the greeting and the sign-off esp.toml says.
Compose = Callable[[str | None, str | None], Letter]


@dataclass(frozen=True)
class Mailing:
    """An e-mail a command was asked to make: who it goes to and where (drafts, server)."""

    envelope: Envelope
    box: Outbox


def prepare(
    config: Config,
    *,
    eml: Path | None = None,
    msg: Path | None = None,
    send: bool = False,
    dry_run: bool = False,
    to: tuple[str, ...] | None = None,
    to_key: str = "[report] to",
) -> Mailing | None:
    """The e-mail the options ask for (None: none), its From, To, Cc ([report], or `to`) and
    [smtp] checked now: a bad setting fails before anything is read or written."""
    if eml is None and msg is None and not send:
        return None
    # Here: building and sending mail (SMTP, TLS, the e-mail package) loads only for a
    # command asked to mail.
    from esp_cli.mail import outgoing

    cc = () if to is not None else None
    envelope = outgoing.envelope(config, to, cc, to_key)
    return Mailing(envelope, outgoing.outbox(config, eml=eml, msg=msg, send=send, dry_run=dry_run))


def deliver(
    mailing: Mailing,
    config: Config,
    compose: Compose,
    beside: Path,
    attachments: Sequence[Path] = (),
) -> MailReport:
    """Build the message (`compose`'s words, the greeting and sign-off of esp.toml, the
    attachments) and post it; a failed send saves it in the folder of `beside` (the
    tracker) and raises SendError naming the file."""
    from esp_cli.mail import outgoing

    env = mailing.envelope
    letter = compose(config.greeting, outgoing.signoff(config, env))
    # The Date header carries its offset: the machine's clock says the moment right.
    message = outgoing.build_message(env, letter, datetime.now())
    outgoing.attach(message, list(attachments))
    fallback = outgoing.fallback_path(beside, letter.stem)
    return outgoing.post(message, env, mailing.box, fallback)

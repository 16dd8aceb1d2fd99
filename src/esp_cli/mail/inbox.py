"""An e-mail file read as an agent's self-report, whatever it is: an Outlook .msg
(mail/msgfile.py) or a MIME .eml (mail/selfreports.py), told by its content."""

from __future__ import annotations

from datetime import tzinfo

from esp_cli.core.reports import KnownAgents, SelfReport
from esp_cli.mail.msgfile import read_report


def read_mail(
    data: bytes, source: str, tz: tzinfo | None = None, *, agents: KnownAgents | None = None
) -> SelfReport:
    """The self-report in an e-mail file, told by its content (an Outlook .msg or a MIME
    .eml, whatever the file is called); UnreadableMail says why there is none (NotAReport
    when no person wrote it). `agents`: the tracker's, to tell a colleague's report it
    quotes from a notice sent to the agent (selfreports.whose_quote); None (no tracker)
    tells them by the sender's address alone."""
    return read_report(data, source, tz, agents)

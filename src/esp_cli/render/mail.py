"""What was done with an e-mail (esp report eod, esp report locate), on stderr; a dry run's
message, on stdout when the command has nothing else to print there."""

from __future__ import annotations

import sys

from esp_cli.core.model import MailReport
from esp_cli.render import say


def say_mailed(done: MailReport, *, data_on_stdout: bool) -> None:
    """Each draft saved and the send, or with a dry run what would be. A dry run shows the
    message itself on stdout, unless the command printed its data there (`data_on_stdout`):
    stdout holds one thing, so `--format json` stays JSON and a report stays the report."""
    if done.dry_run:
        if not data_on_stdout:
            sys.stdout.write(done.text)
        if done.eml is not None:
            say(f"Dry run: would save the e-mail as {done.eml}; nothing was saved.")
        if done.msg is not None:
            say(
                f"Dry run: would save the e-mail as the Outlook draft {done.msg}; nothing was "
                "saved."
            )
        if done.server is not None:
            say(
                f"Dry run: would send to {', '.join(done.sent_to)} via {done.server}; "
                "nothing was sent."
            )
        return
    if done.eml is not None:
        say(f"Saved the e-mail as {done.eml} (open it in Outlook to review and send).")
    if done.msg is not None:
        say(f"Saved the e-mail as the Outlook draft {done.msg} (open it, review, Send).")
    if done.sent:
        say(f"Sent {done.subject} to {', '.join(done.sent_to)} via {done.server}.")
    if done.refused:
        say(
            f"warning: the server refused {done.refused_words}: they did not get it. A copy "
            f"addressed to them only is saved as {done.refused_copy}; check the address, then "
            "open the copy in Outlook and send it (the others have it already)."
            if done.refused_copy is not None
            else f"warning: the server refused {done.refused_words}: they did not get it, and "
            f"{done.refused_copy_words}; check the address, then send it to them by hand (the "
            "others have it already)."
        )

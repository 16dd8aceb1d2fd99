"""One module per command, and the few modules they share.

A command's module does the work: it reads the tracker, states its plan (writing through
the write session) and returns a result. The shared ones: agents.py (finding an agent),
inputs.py (the tracker a command is given, checked first), facts.py (a row as the rules
take it), notes.py (note lines), mailing.py (the e-mail a command makes), holidays.py (the
holiday cache), computed.py (the computed columns of round answers another write writes)."""

# Every write, whichever command makes it, brings the computed columns of the agents whose
# waiting changes it writes up to date (computed.py registers it with the write session).
from esp_cli.services import computed as computed  # noqa: E402

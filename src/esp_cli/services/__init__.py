"""One module per command, and the few modules they share.

A command's module does the work: it reads the tracker, states its plan (writing through
the write session) and returns a result. The shared ones: agents.py (finding an agent),
inputs.py (the tracker a command is given, checked first), facts.py (a row as the rules
take it), notes.py (note lines), mailing.py (the e-mail a command makes), holidays.py (the
holiday cache)."""

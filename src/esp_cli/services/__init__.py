"""One module per command, and the few modules they share.

A command's module does the work: it reads the tracker, states its plan (writing through
the write session) and returns a result. The shared ones: agents.py (finding an agent),
inputs.py (the tracker a command is given, checked first), facts.py (a row as the rules
take it), notes.py (note lines), mailing.py (the e-mail a command makes), holidays.py (the
holiday cache), computed.py (the computed columns of the waiting changes a write writes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from esp_cli.workbook import followups

if TYPE_CHECKING:
    from esp_cli.core.waiting import WaitingOp


def _computed_columns() -> Any:
    """Every write, whichever command makes it, brings the computed columns of the agents
    whose waiting changes it writes up to date (computed.py), loaded only when one does."""
    from esp_cli.services.computed import FOLLOW_UP

    return FOLLOW_UP


# Cells whose change alone never calls for the computed columns: note lines (the rules do
# not read the Notes of an agent for the ladder; computed.RULES_READ).
_NOTE_KEYS = frozenset({"notes", "tbt_notes"})


def _agents_changed(ops: Sequence[WaitingOp]) -> bool:
    # Cheap, and loads nothing more: a change of an agent's cells other than note lines that
    # is not an undo may call for the follow-up (computed.recomputes says which do); the
    # notes of a busy morning written at once load nothing more.
    return any(
        op.puts_back is None and any(c.key and c.key not in _NOTE_KEYS for c in op.cells)
        for op in ops
    )


followups.LOADERS.append((_agents_changed, _computed_columns))

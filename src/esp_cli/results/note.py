"""What esp note add did (or, with --dry-run, would do)."""

from __future__ import annotations

from dataclasses import dataclass

from esp_cli.core.model import AgentRef, Signer, WriteReport
from esp_cli.core.notes import NoteKind


@dataclass
class NoteResult:
    agent: AgentRef
    kind: NoteKind
    column: str  # the header as the sheet spells it
    cell: str  # Sheet!A1 of the notes cell
    line: str
    added: bool  # False: the very same line was already there
    write: WriteReport
    signed_by: Signer | None = None

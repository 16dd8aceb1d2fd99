"""What esp note add did (or, with --dry-run, would do)."""

from __future__ import annotations

from dataclasses import dataclass, field

from esp_cli.core.model import AgentRef, Signer, WriteReport
from esp_cli.core.notes import NoteKind
from esp_cli.core.shape import as_json, exported


@dataclass
class NoteResult:
    agent: AgentRef = field(metadata=as_json(flat=True))
    kind: NoteKind = field(metadata=as_json(hidden=True))
    column: str  # the header as the sheet spells it
    cell: str  # Sheet!A1 of the notes cell
    line: str = field(metadata=as_json(key="note"))
    added: bool  # False: the very same line was already there
    write: WriteReport = field(metadata=as_json(flat=True))
    signed_by: Signer | None = field(default=None, metadata=as_json(hidden=True))
    # The waiting operation that holds this very line already (not yet in the workbook):
    # nothing new is kept. None: the line is not waiting.
    waiting_as: str | None = field(
        default=None, metadata=as_json(key="already_waiting", omit_none=True)
    )

    @property
    @exported(key="signed_by", after="added", omit_none=True)
    def signer_name(self) -> str | None:
        return self.signed_by.name if self.signed_by else None

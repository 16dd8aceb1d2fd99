"""What esp access set did (or would do): the issue, the list it came from, the cells."""

from __future__ import annotations

from dataclasses import dataclass, field

from esp_cli.core.model import (
    AgentRef,
    Signer,
    WriteReport,
)
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True)
class Allowed:
    """The values Citrix TBT Access may take, and where that list comes from."""

    values: tuple[str, ...] = field(metadata=as_json(key="allowed"))
    source: str = field(metadata=as_json(key="allowed_from"))


@dataclass
class AccessResult:
    agent: AgentRef = field(metadata=as_json(flat=True))
    issue: str  # as the list spells it
    allowed: Allowed = field(metadata=as_json(flat=True))
    # None: nothing changed, so nothing to note
    note_line: str | None = field(metadata=as_json(key="note"))
    note_added: bool
    still_empty: list[str]  # headers the issue needs that are still empty (docs/rules.md: SPOC)
    write: WriteReport = field(metadata=as_json(flat=True))
    signed_by: Signer | None = field(default=None, metadata=as_json(hidden=True))
    # The computed columns its sheet lacks when it has some but not all: the agent's were
    # not brought up to date (as esp record-step's `computed_missing`).
    computed_missing: tuple[str, ...] | None = field(default=None, metadata=as_json(omit_none=True))

    @property
    @exported(key="signed_by", after="still_empty", omit_none=True)
    def signer_name(self) -> str | None:
        """Who signed the note line (when there is one)."""
        return self.signed_by.name if self.signed_by and self.note_line else None

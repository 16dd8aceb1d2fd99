"""What esp access set did (or would do): the issue, the list it came from, the cells."""

from __future__ import annotations

from dataclasses import dataclass

from esp_cli.model import (
    AgentRef,
    Signer,
    WriteReport,
)


@dataclass(frozen=True)
class Allowed:
    """The values Citrix TBT Access may take, and where that list comes from."""

    values: tuple[str, ...]
    source: str


@dataclass
class AccessResult:
    agent: AgentRef
    issue: str  # as the list spells it
    allowed: Allowed
    note_line: str | None  # None: nothing changed, so nothing to note
    note_added: bool
    still_empty: list[str]  # headers the issue needs that are still empty (docs/rules.md: SPOC)
    write: WriteReport
    signed_by: Signer | None = None

"""The TBT completion proofs esp tbt proofs recorded, already had, or rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.model import AgentRef, Signer, WriteReport
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True)
class Proof:
    """A good proof file: whose it is, when it came, and its fingerprint."""

    file: str
    agent: AgentRef = field(metadata=as_json(flat=True))
    received: date
    sha256: str
    # For a PDF that came attached to an e-mail: the e-mail file, its sender's address, and
    # why that sender is not the agent's address in the tracker (None: it is).
    mail: str | None = field(default=None, metadata=as_json(key="from_email", omit_none=True))
    sender: str | None = field(default=None, metadata=as_json(omit_none=True))
    sender_mismatch: str | None = field(default=None, metadata=as_json(omit_none=True))
    # Found in an e-mail forwarded to the one saved: who sent it and who forwarded it, with
    # their days ('sent by … on 11/23/2026, forwarded by … on 11/25/2026'); `received` is
    # the day the agent's own e-mail was sent, when it says.
    forwarded: str | None = field(default=None, metadata=as_json(omit_none=True))
    # Why `received` is not the day the file or e-mail says, or that day is doubtful (after
    # the forward carrying it, after today, before the agent's ESP Start Date); None: none.
    date_warning: str | None = field(default=None, metadata=as_json(omit_none=True))
    # The sheet of the TBT Tracking Sheet the row went to (or was found on, for one already
    # recorded), when the workbook has several sheets of proofs.
    tab: str | None = field(default=None, metadata=as_json(key="tracking_tab", omit_none=True))


@dataclass(frozen=True)
class Rejected:
    """A file refused: what is wrong with it, and whose proof it is when esp knows."""

    file: str
    reason: str  # what is wrong
    expected: str | None = None  # the name the file should have, when esp can tell
    # The e-mail the file came attached to.
    mail: str | None = field(default=None, metadata=as_json(key="from_email", omit_none=True))
    # What to do about it, when it is more than the reason says (None: the reason says it).
    fix: str | None = field(default=None, metadata=as_json(omit_none=True, after="reason"))
    # The agent esp matched the file to before refusing it (None: it cannot tell whose it
    # is — a file it cannot read, a name no agent or several agents have): the same keys as
    # a recorded proof's, agent, class, sheet, row.
    agent: AgentRef | None = field(default=None, metadata=as_json(flat=True, after="file"))


@dataclass
class ProofsResult:
    folder: Path
    tracking_sheet: Path
    recorded: list[Proof]  # new rows in the tracking sheet
    # Good files the tracking sheet already holds.
    already: list[Proof] = field(metadata=as_json(key="already_recorded"))
    rejected: list[Rejected]
    # The tracking sheet was (or would be) created.
    created_sheet: bool = field(metadata=as_json(key="created_tracking_sheet"))
    write: WriteReport = field(metadata=as_json(flat=True))  # the ESP Tracker's cells
    # The sheets of the tracking workbook the new rows go to, in tab order
    # (none: none to add).
    tabs: list[str] = field(default_factory=list, metadata=as_json(hidden=True))
    # The workbook has several sheets of proofs (or the one created is named as asked): the
    # ones added to are said.
    several_tabs: bool = field(default=False, metadata=as_json(hidden=True))
    # The rows added to an existing tracking sheet.
    sheet_write: WriteReport | None = field(default=None, metadata=as_json(hidden=True))
    signed_by: Signer | None = field(default=None, metadata=as_json(hidden=True))
    # The sheets of the agents flagged complete that have some of the computed columns but
    # not all, each with the headers it lacks: their computed columns were not brought up
    # to date.
    computed_missing: dict[str, tuple[str, ...]] | None = field(
        default=None, metadata=as_json(omit_none=True)
    )

    @property
    @exported(after="folder")
    def tracker(self) -> Path:
        return self.write.tracker

    @property
    @exported(after="tracking_sheet", omit_none=True)
    def tracking_tab(self) -> str | None:
        """The sheet of the tracking workbook the new rows go to, when they all go to one
        (else each recorded proof says its own)."""
        return self.tabs[0] if len(self.tabs) == 1 else None

    @property
    @exported(after="created_tracking_sheet")
    def tracking_sheet_status(self) -> str:
        """What became of the new rows of the tracking sheet: written (or the sheet
        created), waiting (beside the busy sheet, written by its next write), dry_run, or
        unchanged (none to add)."""
        if self.sheet_write is not None:
            return self.sheet_write.status
        if not self.created_sheet:
            return "unchanged"
        return "dry_run" if self.write.dry_run else "written"

    @property
    @exported(after="tracking_sheet_status", omit_none=True)
    def tracking_sheet_op(self) -> str | None:
        """The operation the rows were written under, or wait as (its esp history and esp
        pending of the tracking sheet name it)."""
        return self.sheet_write.op if self.sheet_write is not None else None

    @property
    @exported(key="signed_by", after="tracking_sheet_status", omit_none=True)
    def signer_name(self) -> str | None:
        """Who signed the rows recorded (when there are any)."""
        return self.signed_by.name if self.signed_by and self.recorded else None

"""The changes waiting beside a busy tracker as data (esp pending, esp pending drop)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.shape import as_json, exported
from esp_cli.core.waiting import Conflict, WaitingOp


@dataclass(frozen=True)
class PendingOp:
    """One waiting operation (its file's fields and cells, as JSON) and how it stands
    against the tracker now: written as it is by the next write, or held by conflicts."""

    op: WaitingOp = field(metadata=as_json(flat=True))
    conflicts: list[Conflict]

    @property
    @exported(after="cells")
    def writable(self) -> bool:
        """Written by the next write that finds the tracker free (no conflict)."""
        return not self.conflicts


@dataclass
class PendingResult:
    tracker: Path
    folder: Path  # where the waiting files are
    busy: str | None  # who has the tracker now ("open in Excel by …"); None: nobody esp sees
    operations: list[PendingOp]  # oldest first
    warnings: list[str]  # files that could not be read

    @property
    def cells(self) -> int:
        return sum(len(p.op.cells) for p in self.operations)


@dataclass
class DropResult:
    """A waiting operation discarded unwritten, and recorded so in the operation log."""

    tracker: Path
    op: str
    file: Path
    dropped: WaitingOp | None = field(metadata=as_json(hidden=True))  # None: a damaged file
    log: Path

    @property
    @exported(after="op")
    def command(self) -> str | None:
        return self.dropped.command if self.dropped is not None else None

    @property
    @exported(after="command")
    def signer(self) -> str | None:
        return self.dropped.signer if self.dropped is not None else None

    @property
    @exported(after="signer")
    def cells(self) -> int:
        return len(self.dropped.cells) if self.dropped is not None else 0

"""The waiting changes esp apply wrote, and those that still wait (esp apply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.model import AddedColumn, CellChange, WriteReport
from esp_cli.core.shape import as_json, exported
from esp_cli.core.waiting import Conflict, NotWorkedOut, WaitingOp
from esp_cli.errors import EspError
from esp_cli.results.pending import AlsoWaiting


@dataclass(frozen=True)
class AppliedOp:
    """A waiting operation written (or, with --dry-run, that would be): the cells it
    changed, and with --skip-conflicts the ones left out."""

    op: WaitingOp = field(metadata=as_json(flat=True, drop=("cells", "why")))
    waited: str  # why it waited
    changes: list[CellChange]
    skipped: list[Conflict]
    # The columns added to write it (its command planned to add them too).
    added_columns: tuple[AddedColumn, ...] = ()
    # An undo's: the columns its operation added that it leaves where they are, emptied,
    # header and all (as esp undo written at once says them).
    left_columns: list[AddedColumn] = field(default_factory=list, metadata=as_json(hidden=True))
    # Its computed cells the write could not work out (a computed column renamed or
    # deleted since): left as they are, each with why and the fix.
    not_worked_out: list[NotWorkedOut] = field(default_factory=list)

    @property
    @exported(key="emptied_columns", after="added_columns")
    def emptied(self) -> list[str]:
        return [str(a) for a in self.left_columns]


@dataclass(frozen=True)
class HeldOp:
    """A waiting operation that still waits: a cell of it conflicts with the tracker."""

    op: WaitingOp = field(metadata=as_json(flat=True, drop=("cells",)))
    conflicts: list[Conflict]


@dataclass
class ApplyResult:
    tracker: Path
    applied: list[AppliedOp]  # oldest first
    held: list[HeldOp]
    # Every change still waiting because the tracker is busy (nothing was written).
    waiting: list[WaitingOp] = field(metadata=as_json(drop=("cells",)))
    warnings: list[str]
    # Its cells are those of `applied` (every one a waiting change's).
    write: WriteReport = field(metadata=as_json(flat=True, drop=("changes", "waiting_changes")))
    # What still waits beside the tracker's TBT Tracking Sheet after this command.
    also_waiting: list[AlsoWaiting] = field(default_factory=list)
    # The write of what waited beside the tracker's TBT Tracking Sheet, in its own write
    # (the same shape as `esp apply --tracker SHEET`); None: nothing waited there.
    sheet: ApplyResult | None = field(
        default=None, metadata=as_json(key="tracking_sheet", omit_none=True)
    )
    # Why what waits beside the TBT Tracking Sheet could not be written (said after the
    # tracker's part, with its exit code); None: no such error.
    sheet_error: EspError | None = field(default=None, metadata=as_json(hidden=True))
    # Waiting files a newer esp kept, which this one cannot write: changes still waiting
    # (each named in `warnings`), as a conflict leaves one.
    for_newer: list[Path] = field(default_factory=list, metadata=as_json(hidden=True))
    # Waiting files that could not be read now, or are not a whole change (each named in
    # `warnings` with its fix): whatever they hold is not written.
    skipped: list[Path] = field(default_factory=list, metadata=as_json(key="skipped_files"))

    @property
    @exported(key="tracking_sheet_error", after="tracking_sheet", omit_none=True)
    def sheet_error_said(self) -> dict[str, str | int | None] | None:
        """Why what waits beside the TBT Tracking Sheet was not written (None: no error),
        for a script that reads the JSON: the one line, the fix and its exit code."""
        e = self.sheet_error
        if e is None:
            return None
        return {"message": e.message, "fix": e.fix, "exit_code": int(e.exit_code)}

    @property
    def parts(self) -> list[ApplyResult]:
        """This write, then the TBT Tracking Sheet's when there is one."""
        return [self] if self.sheet is None else [self, self.sheet]

    @property
    @exported(after="held")
    def changes(self) -> list[CellChange]:
        """Every cell written, operation by operation."""
        return [c for a in self.applied for c in a.changes]

"""The changes waiting beside a busy tracker as data (esp pending, esp pending drop)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esp_cli.core.oplog import tag
from esp_cli.core.refs import cell_or_row
from esp_cli.core.shape import as_json, exported
from esp_cli.core.waiting import Conflict, NotWorkedOut, WaitingCell, WaitingOp


@dataclass(frozen=True)
class PendingOp:
    """One waiting operation (its file's fields and cells, as JSON) and how it stands
    against the tracker now: written as it is by the next write, or held by conflicts."""

    op: WaitingOp = field(metadata=as_json(flat=True))
    conflicts: list[Conflict]
    # Where each cell's agent is now, by the cell as made (Outcome.places).
    places: dict[tuple[str, int, int], tuple[str, int, int | None]] = field(
        default_factory=dict, metadata=as_json(hidden=True)
    )
    placed: bool = field(default=False, metadata=as_json(hidden=True))  # put on the tracker
    # The header cells of an undo's columns the team changed since, by the cell as made:
    # what each holds now (Outcome.left). Left, their columns with them.
    worked_out: frozenset[tuple[str, int, int]] = field(
        default=frozenset(), metadata=as_json(hidden=True)
    )
    left: dict[tuple[str, int, int], Any] = field(
        default_factory=dict, metadata=as_json(hidden=True)
    )
    # Its computed cells the next write cannot work out (a computed column renamed or
    # deleted since): left as they are when it is written, each with why and the fix.
    not_worked_out: list[NotWorkedOut] = field(default_factory=list)

    @property
    @exported(after="cells")
    def writable(self) -> bool:
        """Written by the next write that finds the tracker free (no conflict)."""
        return not self.conflicts

    def now_at(self, cell: WaitingCell) -> str | None:
        """The cell the change goes to on the tracker as it is now (its agent's row after a
        sort or an inserted row): A1; None when its agent is not found now (the conflict
        says why); as made when the change was not put on the tracker."""
        where = self.places.get((cell.sheet, cell.row, cell.col))
        if where is None:
            return None if self.placed else cell.cell
        sheet, row, col = where
        shown = cell_or_row(row, col or 0)
        return shown if sheet == cell.sheet else f"{sheet}!{shown}"

    def unworked(self, cell: WaitingCell) -> str | None:
        """Why the next write cannot work the computed cell out (None: it can)."""
        at = (cell.sheet, cell.row, cell.col)
        return next(
            (n.reason for n in self.not_worked_out if (n.cell.sheet, n.cell.row, n.cell.col) == at),
            None,
        )

    def worked(self, cell: WaitingCell) -> bool:
        """Whether the next write works the cell out itself, from the row as it then stands
        (a computed column of a change the rules read), rather than write it as it waits."""
        return (cell.sheet, cell.row, cell.col) in self.worked_out

    @property
    @exported(after="headers_left")
    def worked_out_cells(self) -> list[dict[str, Any]]:
        """The computed cells the next write works out from the row as it then stands (what
        esp apply -n shows), not written as they wait (`value`)."""
        return [
            {"sheet": c.sheet, "cell": c.cell, "column": c.column}
            for c in self.op.cells
            if self.worked(c)
        ]

    def left_now(self, cell: WaitingCell) -> tuple[bool, Any]:
        """Whether the cell is a header the team changed since, which the undo leaves (its
        column with it), and what it holds now."""
        at = (cell.sheet, cell.row, cell.col)
        return (at in self.left, self.left.get(at))

    @property
    @exported(after="moved")
    def headers_left(self) -> list[dict[str, Any]]:
        """The headers of the columns an undo gives back that the team changed since: left
        as they are now (`now`), their columns with them."""
        return [
            {"sheet": c.sheet, "cell": c.cell, "column": c.column, "now": tag(self.left[at])}
            for c in self.op.cells
            if (at := (c.sheet, c.row, c.col)) in self.left
        ]

    @property
    @exported(after="writable")
    def moved(self) -> list[dict[str, str | None]]:
        """The cells whose agent is on another row now (sorted, a row inserted), or is not
        found (`now`: null): the cell as made and where the next write puts it (its row
        alone when its column is no longer on the sheet; not moved for that alone). Those
        seen, not written, too."""
        out: list[dict[str, str | None]] = []
        for cell in (*self.op.cells, *(self.op.seen_cells or ())):
            now = self.now_at(cell)
            if now != cell.cell and not (self.column_gone(cell) and now == f"row {cell.row}"):
                out.append({"sheet": cell.sheet, "cell": cell.cell, "now": now})
        return out

    def column_gone(self, cell: WaitingCell) -> bool:
        """Whether the cell's agent is found but its column is no longer on the sheet."""
        where = self.places.get((cell.sheet, cell.row, cell.col))
        return where is not None and where[2] is None and cell.col > 0


@dataclass(frozen=True)
class AlsoWaiting:
    """Changes waiting beside another workbook esp writes for the tracker (its TBT Tracking
    Sheet): `esp pending --tracker WORKBOOK` lists them."""

    workbook: Path
    operations: int
    cells: int


@dataclass
class PendingResult:
    tracker: Path
    folder: Path  # where the waiting files are
    busy: str | None  # who has the tracker now ("open in Excel by …"); None: nobody esp sees
    operations: list[PendingOp]  # oldest first
    warnings: list[str]  # files that could not be read
    also_waiting: list[AlsoWaiting] = field(default_factory=list)

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
    # The file was a damaged copy of a change that is done (written or dropped).
    done_copy: bool = False
    # The id the log records the drop under: another than `op` for a damaged file under
    # the id of an operation the log has already.
    logged_as: str = ""

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

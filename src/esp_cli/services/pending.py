"""esp pending / esp pending drop OP: the changes waiting beside a busy tracker.

`esp pending` reads the tracker as it is now (without esp's lock: Excel may have it open)
and puts each waiting operation on it as the next write would, oldest first: one that
would be written as it is, and one held by a conflict (a cell changed since esp saw it, an
agent no longer found), shown with both values. `esp pending drop OP` discards one,
unwritten, recorded in the operation log.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from esp_cli.config import Config, unquoted_name
from esp_cli.core.waiting import Conflict, WaitingCell, WaitingOp
from esp_cli.results.pending import AlsoWaiting, DropResult, PendingOp, PendingResult
from esp_cli.workbook import waiting
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.workbook import Workbook, workbook_file


def list_pending(tracker_path: Path, config: Config) -> PendingResult:
    path = workbook_file(tracker_path)
    store = waiting.Store(path, config.backup_dir)
    found = store.unwritten()
    owners = safety.owner_files(path)
    busy = f"open in {safety.holder(owners[0])}" if owners else None
    operations: list[PendingOp] = []
    zone = config.zone()  # each change's time as the team's clock reads it
    if found.ops:
        # Here, not at the top: esp apply asks this module for also_waiting alone, and the
        # computed columns' code (with esp round's and esp escalations') loads only for a
        # write that works them out (services/__init__.py).
        from esp_cli.services.computed import left_as_they_are

        table, overlay = waiting.read_counting_waiting(
            Workbook.open(path), config, keys=(), say_warnings=False
        )
        by_op = {o.op.op: o for o in overlay.outcomes}
        for each in overlay.outcomes:  # as esp apply finds them (session.FollowUp.leaves)
            each.not_worked_out.extend(left_as_they_are(table, config, each))
        for op in found.ops:
            outcome = by_op.get(op.op)
            if outcome is None:
                operations.append(PendingOp(op.on_clock(zone), []))
                continue
            shown, conflicts = _as_written(overlay.applier, op, outcome.conflicts, outcome.places)
            operations.append(
                PendingOp(
                    shown.on_clock(zone),
                    conflicts,
                    outcome.places,
                    placed=True,
                    worked_out=frozenset(outcome.worked_out),
                    left=outcome.left,
                    # As esp apply says them: none for a change a conflict holds.
                    not_worked_out=waiting.said_not_worked_out(outcome),
                )
            )
    return PendingResult(
        tracker=path,
        folder=store.folder,
        busy=busy,
        operations=operations,
        warnings=found.warnings,
        also_waiting=also_waiting(path, config),
    )


def also_waiting(tracker: Path, config: Config) -> list[AlsoWaiting]:
    """What waits beside the tracker's TBT Tracking Sheet (esp tbt proofs' rows while it was
    open in Excel): said with the tracker's own, so that no change waits unseen."""
    sheet = config.tracking_sheet(tracker)
    if sheet == tracker or not sheet.is_file():
        return []
    try:
        ops = waiting.Store(sheet, config.backup_dir).unwritten().ops
    except OSError:
        return []  # its folder cannot be read now: esp pending --tracker SHEET says why
    if not ops:
        return []
    return [AlsoWaiting(sheet, len(ops), sum(len(o.cells) for o in ops))]


def _as_written(
    applier: waiting.Applier | None,
    op: WaitingOp,
    conflicts: list[Conflict],
    places: dict[tuple[str, int, int], tuple[str, int, int | None]],
) -> tuple[WaitingOp, list[Conflict]]:
    """The operation as its write will write it, placed where it goes (see
    Applier.as_written): a Yes for an Excel checkbox shown as TRUE, as the write reports it."""
    if applier is None:
        return op, conflicts

    def given(cell: WaitingCell) -> WaitingCell:
        at = (cell.sheet, cell.row, cell.col)
        return applier.as_written(cell, *places.get(at, at))

    units = tuple(tuple(given(c) for c in unit) for unit in op.units)
    return replace(op, units=units), [replace(c, cell=given(c.cell)) for c in conflicts]


def drop_pending(tracker_path: Path, config: Config, op: str, by: str | None) -> DropResult:
    path = workbook_file(tracker_path)
    store = waiting.Store(path, config.backup_dir)
    signer = next((unquoted_name(n) for n in (by, config.user) if n and unquoted_name(n)), None)
    dropped = store.drop(op, signer)
    return DropResult(
        tracker=path,
        op=dropped.op,
        file=dropped.file,
        dropped=dropped.change,
        log=store.log,
        done_copy=dropped.done_copy,
        logged_as=dropped.logged_as,
    )

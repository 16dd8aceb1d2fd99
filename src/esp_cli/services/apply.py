"""esp apply: write the changes waiting beside the tracker, oldest first, in one write.

Each waiting operation is written as the domain says (esp_cli.core.waiting): note lines
appended to what the cell holds now, other cells only where they still hold what esp saw,
each agent found again by who they are. One with a conflict waits on, whole, and is shown
with both values; --skip-conflicts writes its other units and leaves the conflicting ones
out (recorded). `--wait` waits until the tracker is free, then writes.

What waits beside the tracker's TBT Tracking Sheet (esp tbt proofs' rows while it was open
in Excel) is written too, by the same rules, in a write of its own: its own backup, history
entries and undo ids, in the sheet's log. Each workbook is written when it is free; the
other is written all the same, and what still waits (and why) is said of each. `--wait`
waits for the tracker, then for the sheet while its changes still wait (`--timeout`
bounds both together).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from esp_cli.config import Config
from esp_cli.errors import EspError
from esp_cli.results.apply import AppliedOp, ApplyResult, HeldOp
from esp_cli.services.pending import also_waiting
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Table
from esp_cli.workbook.waiting import said_not_worked_out
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.workbook import workbook_file

POLL_SECONDS = 5.0  # how often --wait looks at the tracker again
REMIND_SECONDS = 60.0  # how often --wait says who still has it, when nothing changes


def apply_waiting(
    tracker_path: Path,
    config: Config,
    *,
    skip_conflicts: bool = False,
    dry_run: bool = False,
    read: Table | None = None,
    with_sheet: bool = True,
) -> ApplyResult:
    """Write every waiting operation the tracker can take now, in one write; then (unless
    `with_sheet` is False) those waiting beside its TBT Tracking Sheet, in another."""
    result = _apply_one(
        tracker_path, config, skip_conflicts=skip_conflicts, dry_run=dry_run, read=read
    )
    if with_sheet:
        result = _with_sheet(result, config, skip_conflicts=skip_conflicts, dry_run=dry_run)
    return result


def waiting_sheet(tracker: Path, config: Config) -> Path | None:
    """The tracker's TBT Tracking Sheet when changes wait beside it (None: none wait, or
    the tracker is that sheet)."""
    found = also_waiting(tracker, config)
    return found[0].workbook if found else None


def _with_sheet(
    result: ApplyResult, config: Config, *, skip_conflicts: bool, dry_run: bool
) -> ApplyResult:
    """`result` with the write of what waits beside the tracker's TBT Tracking Sheet (none
    waiting: `result` as it is, the sheet not opened)."""
    return _sheet_part(
        result,
        config,
        lambda sheet: _apply_one(sheet, config, skip_conflicts=skip_conflicts, dry_run=dry_run),
    )


def _sheet_part(
    result: ApplyResult, config: Config, write: Callable[[Path], ApplyResult]
) -> ApplyResult:
    """`result` with `write` of the tracker's TBT Tracking Sheet, when changes wait beside
    it. An error there is kept to be said after the tracker's part (which is written):
    the sheet's changes wait on."""
    sheet = waiting_sheet(result.tracker, config)
    if sheet is None:
        return result
    try:
        part = write(sheet)
    except EspError as exc:
        return replace(result, sheet_error=exc)
    return replace(result, sheet=part, also_waiting=also_waiting(result.tracker, config))


def _apply_one(
    tracker_path: Path,
    config: Config,
    *,
    skip_conflicts: bool = False,
    dry_run: bool = False,
    read: Table | None = None,
) -> ApplyResult:
    """Write every waiting operation one workbook can take now, in one write."""
    with write_session(
        tracker_path, config, keys=(), dry_run=dry_run, skip_conflicts=skip_conflicts, read=read
    ) as s:
        pass
    applied: list[AppliedOp] = []
    held: list[HeldOp] = []
    outcomes = s.applier.outcomes if s.applier is not None else []
    report = s.report
    if not s.pending and report.status == "waiting":
        report = replace(report, waiting=None)  # nothing waits: nothing to wait for either
    busy = report.status == "waiting"
    zone = config.zone()  # when each change was made, on the team's clock
    for outcome in outcomes:
        if outcome.held:
            held.append(HeldOp(outcome.op.on_clock(zone), outcome.conflicts))
        elif not busy:
            changes = s.plan.applied.get(outcome.op.op, [])
            added = s.plan.columns_added_for([outcome.op.op])
            left = [c.column for c in report.waiting_left_columns if c.op == outcome.op.op]
            applied.append(
                AppliedOp(
                    outcome.op.on_clock(zone),
                    outcome.op.why,
                    changes,
                    outcome.conflicts,
                    added,
                    left,
                    not_worked_out=said_not_worked_out(outcome),
                )
            )
    return ApplyResult(
        tracker=s.path,
        applied=applied,
        held=held,
        waiting=[o.on_clock(zone) for o in s.pending] if busy else [],
        warnings=s.warnings,
        write=report,
        for_newer=s.for_newer,
        skipped=s.skipped,
        also_waiting=also_waiting(s.path, config),
    )


@dataclass(frozen=True)
class Waiter:
    """How --wait passes the time: `sleep`, the clock, and a line to say (stderr)."""

    say: Callable[[str], None]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    poll: float = POLL_SECONDS


def apply_when_free(
    tracker_path: Path,
    config: Config,
    waiter: Waiter,
    *,
    timeout: float | None = None,
    skip_conflicts: bool = False,
) -> ApplyResult:
    """Look at the tracker every few seconds until nobody has it open (saying who still
    has it), then write what waits; then the same for its TBT Tracking Sheet, while changes
    wait beside it. Give up after `timeout` seconds in all (the result then says what still
    waits; a workbook reached after that is tried once)."""
    start = waiter.clock()
    result = _when_free(workbook_file(tracker_path), config, waiter, start, timeout, skip_conflicts)
    return _sheet_part(
        result,
        config,
        lambda sheet: _when_free(sheet, config, waiter, start, timeout, skip_conflicts),
    )


def _when_free(
    path: Path,
    config: Config,
    waiter: Waiter,
    start: float,
    timeout: float | None,
    skip_conflicts: bool,
) -> ApplyResult:
    """Write what waits beside one workbook as soon as nobody has it open."""
    said: tuple[str, float] | None = None
    while True:
        found = safety.owner_files(path)
        if not found:
            result = _apply_one(path, config, skip_conflicts=skip_conflicts)
            if result.write.status != "waiting":
                return result
            who = result.write.waiting or "busy"
        else:
            who = f"open in {safety.holder(found[0])}"
        now = waiter.clock()
        if timeout is not None and now - start >= timeout:
            return _apply_one(path, config, skip_conflicts=skip_conflicts)
        if said is None or said[0] != who or now - said[1] >= REMIND_SECONDS:
            waiter.say(
                f"{path.name} is {who}; waiting for it to be free (looking every "
                f"{waiter.poll:.0f} s; Ctrl-C stops, nothing is lost)."
            )
            said = (who, now)
        waiter.sleep(waiter.poll)

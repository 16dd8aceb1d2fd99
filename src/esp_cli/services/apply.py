"""esp apply: write the changes waiting beside the tracker, oldest first, in one write.

Each waiting operation is written as the domain says (esp_cli.core.waiting): note lines
appended to what the cell holds now, other cells only where they still hold what esp saw,
each agent found again by who they are. One with a conflict waits on, whole, and is shown
with both values; --skip-conflicts writes its other units and leaves the conflicting ones
out (recorded). `--wait` waits until the tracker is free, then writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from esp_cli.config import Config
from esp_cli.results.apply import AppliedOp, ApplyResult, HeldOp
from esp_cli.services.pending import also_waiting
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Table
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
) -> ApplyResult:
    """Write every waiting operation the tracker can take now, in one write."""
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
    for outcome in outcomes:
        if outcome.held:
            held.append(HeldOp(outcome.op, outcome.conflicts))
        elif not busy:
            changes = s.plan.applied.get(outcome.op.op, [])
            added = s.plan.columns_added_for([outcome.op.op])
            applied.append(AppliedOp(outcome.op, outcome.op.why, changes, outcome.conflicts, added))
    return ApplyResult(
        tracker=s.path,
        applied=applied,
        held=held,
        waiting=list(s.pending) if busy else [],
        warnings=s.warnings,
        write=report,
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
    has it), then write what waits; give up after `timeout` seconds (the result then says
    it still waits)."""
    path = workbook_file(tracker_path)
    start = waiter.clock()
    said: tuple[str, float] | None = None
    while True:
        found = safety.owner_files(path)
        if not found:
            result = apply_waiting(path, config, skip_conflicts=skip_conflicts)
            if result.write.status != "waiting":
                return result
            who = result.write.waiting or "busy"
        else:
            who = f"open in {safety.holder(found[0])}"
        now = waiter.clock()
        if timeout is not None and now - start >= timeout:
            return apply_waiting(path, config, skip_conflicts=skip_conflicts)
        if said is None or said[0] != who or now - said[1] >= REMIND_SECONDS:
            waiter.say(
                f"{path.name} is {who}; waiting for it to be free (looking every "
                f"{waiter.poll:.0f} s; Ctrl-C stops, nothing is lost)."
            )
            said = (who, now)
        waiter.sleep(waiter.poll)

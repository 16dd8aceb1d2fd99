"""How the writing commands show the cells they change (or would, with --dry-run)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from esp_cli.core.model import AgentRef, CellChange, Signer, WriteReport
from esp_cli.core.notes import lines_of
from esp_cli.render import Format, print_table, say, show, write_csv, write_json


def before_after(change: CellChange) -> str:
    """Before → after; for an appended note, only the new line (the earlier ones stay)."""
    old, new = change.old, change.new
    if isinstance(old, str) and isinstance(new, str) and old and new.startswith(old.rstrip()):
        kept = len(lines_of(old))
        added = new[len(old.rstrip()) :].strip()
        return f"{kept} earlier line(s) kept; adds: {added}"
    return f"{show(old)} → {show(new)}"


CHANGE_COLUMNS = ["sheet", "cell", "agent", "column", "old", "new"]


def print_changes(title: str, changes: Sequence[CellChange], *, with_agent: bool = False) -> None:
    columns = ["Cell", *(["Agent"] if with_agent else []), "Column", "Before → After"]
    rows = [
        (f"{c.sheet}!{c.cell}", *([c.agent] if with_agent else []), c.column, before_after(c))
        for c in changes
    ]
    print_table(title, columns, rows, empty="nothing to change")


def say_signed(signer: Signer | None) -> None:
    """Who signed, and where that name came from, so a wrong name is seen at once."""
    if signer is not None:
        say(f"Signed: {signer.name} (from {signer.source})")


def say_written(write: WriteReport, done: str = "already says so") -> None:
    """The last word on stderr: what was (or would be) written, and where the backup is."""
    n = len(write.changes)
    for added in write.added_columns:
        why = f" ({added.note})" if added.note else ""
        say(f"{'Would add' if write.dry_run else 'Added'} column {added}{why}.")
    if write.dry_run:
        say(f"Dry run: {n} cell(s) would change; {write.tracker} was not written.")
    elif write.backup:
        op = f"; undo with: esp undo {write.op}" if write.op else ""
        say(f"Wrote {n} cell(s) to {write.tracker} (backup: {write.backup}{op}).")
    else:
        say(f"{write.tracker} {done}; nothing written.")


def emit_agent_changes(result: Any, write: WriteReport, agent: AgentRef, fmt: Format) -> None:
    """A one-agent writing command's output: the result as JSON, the changes as CSV, or a
    table of the cells changed (or that would change)."""
    changes = write.changes
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(changes, CHANGE_COLUMNS)
    else:
        verb = "Would change" if write.dry_run else "Changed"
        print_changes(f"{verb} {len(changes)} cell(s) for {agent.name}", changes)

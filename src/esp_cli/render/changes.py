"""How the writing commands show the cells they change (or would, with --dry-run)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from esp_cli.core.model import AgentRef, CellChange, Signer, WriteReport
from esp_cli.core.notes import NoteKind, lines_of, parse_line
from esp_cli.render import Format, print_table, say, show, write_csv, write_json


def before_after(change: CellChange) -> str:
    """Before → after; for an appended note, only the new line (the earlier ones stay)."""
    old, new = change.old, change.new
    added = _note_added(old, new)
    if added is not None:
        return f"{len(lines_of(old))} earlier line(s) kept; adds: {added}"
    return f"{show(old)} → {show(new)}"


def _note_added(old: Any, new: Any) -> str | None:
    """The note line(s) `new` adds after the lines of `old`, when that is all it does: the
    text kept, then on a line of its own a note in the team's format (Notes or TBT Notes).
    A computed cell that grows ("Written CAP" → "Written CAP (+2 more)") is no note: None."""
    if not (isinstance(old, str) and isinstance(new, str) and old.strip()):
        return None
    kept = old.rstrip()
    if not new.startswith(kept):
        return None
    rest = new[len(kept) :]
    added = lines_of(rest)
    if not added or not rest.lstrip(" \t").startswith(("\n", "\r")):
        return None
    if parse_line(NoteKind.NOTES, added[0]) is None and parse_line(NoteKind.TBT, added[0]) is None:
        return None
    return rest.strip()


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

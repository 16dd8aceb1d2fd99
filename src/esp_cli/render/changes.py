"""How the writing commands show the cells they change (or would, with --dry-run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from esp_cli.core.model import (
    AddedColumn,
    AgentRef,
    CellChange,
    Signer,
    WaitingChange,
    WriteReport,
)
from esp_cli.core.notes import NoteKind, lines_of, parse_line
from esp_cli.core.waiting import computed_missing_words
from esp_cli.render import Format, plain, print_table, say, show, write_csv, write_json

# A people's table of cell changes stops here (a whole-column write, or its undo, changes
# thousands on a large tracker): the rest are in the JSON and CSV.
MAX_CHANGES_SHOWN = 200


def shown_title(title: str, shown: int, total: int) -> str:
    """A table's title that says when only its first rows are shown, and where the rest are."""
    if shown >= total:
        return title
    return f"{title} (first {shown} shown; --format csv lists all {total})"


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


# A writing command's cells as CSV: its own, then those of the changes that waited beside
# the tracker, which the write writes first, each naming its operation in waiting_op.
CHANGE_COLUMNS = ["sheet", "cell", "agent", "column", "old", "new", "waiting_op"]


def change_rows(write: WriteReport) -> list[dict[str, Any]]:
    """The cells a write changes (or would) as CSV rows (CHANGE_COLUMNS)."""
    own = [{**plain(c), "waiting_op": ""} for c in write.changes]
    return own + waiting_rows(write.waiting_changes)


def waiting_rows(changes: Sequence[WaitingChange]) -> list[dict[str, Any]]:
    """Cells of changes that waited as CSV rows (CHANGE_COLUMNS)."""
    return [{**plain(w.change), "waiting_op": w.op} for w in changes]


def print_changes(
    title: str,
    changes: Sequence[CellChange],
    *,
    with_agent: bool = False,
    limit: int | None = MAX_CHANGES_SHOWN,
    empty: str = "nothing to change",
) -> None:
    """The cells, before → after: the first `limit` of them (None: all), the title saying
    so when some are left out."""
    shown = changes if limit is None else changes[:limit]
    columns = ["Cell", *(["Agent"] if with_agent else []), "Column", "Before → After"]
    rows = [
        (f"{c.sheet}!{c.cell}", *([c.agent] if with_agent else []), c.column, before_after(c))
        for c in shown
    ]
    print_table(shown_title(title, len(shown), len(changes)), columns, rows, empty=empty)


def say_signed(signer: Signer | None) -> None:
    """Who signed, and where that name came from, so a wrong name is seen at once."""
    if signer is not None:
        say(f"Signed: {signer.name} (from {signer.source})")


def changed_verb(write: WriteReport, verb: str = "change", done: str = "changed") -> str:
    """How a table's title says what happens to the cells: "Would change" (a dry run),
    "Waiting to change" (the tracker is busy), else `done` ("Changed")."""
    if write.dry_run:
        return f"Would {verb}"
    if write.status == "waiting":
        return f"Waiting to {verb}"
    return done[:1].upper() + done[1:]


def added_words(write: WriteReport, done: str = "added") -> str:
    """How a count of lines says what became of them: `done` ("added", "were added"),
    "would be added" (a dry run), "wait to be added" (the tracker is busy)."""
    if write.dry_run:
        return "would be added"
    return "wait to be added" if write.status == "waiting" else done


def say_waiting(write: WriteReport) -> None:
    """The one line of a change that waits: who has the tracker, the operation, and how it
    will be written."""
    name = write.tracker.name
    if write.op is None:
        say(
            f"{name} is {write.waiting}: nothing of this command to write; the changes "
            "waiting beside it still wait (esp pending lists them)."
        )
        return
    n = len(write.changes)
    say(
        f"Nothing written yet: {name} is {write.waiting}. {n} cell(s) wait beside it as "
        f"operation {write.op}, written by the next esp write that finds it free "
        "(esp apply --wait writes it as soon as it is; esp pending lists what waits)."
    )


def print_waiting_changes(write: WriteReport) -> None:
    """A table for each change that waited beside the tracker, of the cells the write
    writes first (or, with --dry-run, would), before → after: they are not the command's
    own, whose table comes first."""
    verb, wait = ("Would also write", "waiting") if write.dry_run else ("Also wrote", "that waited")
    groups: dict[str, list[WaitingChange]] = {}
    for w in write.waiting_changes:
        groups.setdefault(w.op, []).append(w)
    for op, cells in groups.items():
        shown = cells[:MAX_CHANGES_SHOWN]
        print_table(
            shown_title(
                f"{verb} {op} — {cells[0].made}: {len(cells)} cell(s) {wait} beside the "
                "tracker, written first",
                len(shown),
                len(cells),
            ),
            ["Cell", "Agent", "Column", "Before → After"],
            [
                (f"{w.change.sheet}!{w.change.cell}", w.change.agent, w.change.column,
                 before_after(w.change))
                for w in shown
            ],
        )  # fmt: skip


def say_added_columns(write: WriteReport) -> None:
    """Each column the write adds (or would add, or will add once it is written)."""
    for added in write.added_columns:
        why = f" ({added.why})" if added.why else ""
        verb = "Would add" if write.dry_run or write.status == "waiting" else "Added"
        say(f"{verb} column {added}{why}.")


def say_computed_missing(missing: Mapping[str, Sequence[str]]) -> None:
    """A write that kept agents' computed columns on a sheet with some of them but not all:
    none was brought up to date there, said once a sheet, with the headers it lacks."""
    for sheet, headers in missing.items():
        say(computed_missing_words(sheet, headers))


def say_written(write: WriteReport, done: str = "already says so", *, fmt: Format) -> None:
    """The last word on stderr: what was (or would be) written — every cell, the waiting
    changes written first with the command's own counted too — and where the backup is; or
    that it waits beside the busy tracker. As a table (`fmt`), first the cells of those
    waiting changes (see print_waiting_changes)."""
    n = write.cells_written
    if fmt is Format.table and write.status != "waiting":
        print_waiting_changes(write)
    say_added_columns(write)
    if write.dry_run:
        say(f"Dry run: {n} cell(s) would change; {write.tracker} was not written.")
    elif write.status == "waiting":
        say_waiting(write)
        return
    elif write.backup and not write.changes and write.waiting_written:
        say(f"{write.tracker} {done}; backup: {write.backup}.")
    elif write.backup:
        op = f"; undo with: esp undo {write.op}" if write.op else ""
        say(f"Wrote {n} cell(s) to {write.tracker} (backup: {write.backup}{op}).")
    else:
        say(f"{write.tracker} {done}; nothing written.")
    say_waiting_written(write)


def left_column_words(column: AddedColumn | str, undone: str) -> str:
    """A column an undo of operation `undone` leaves where it is (its cells emptied), as
    the undo says it, written at once or after it waited."""
    return (
        f"Column {column} was added by operation {undone}: its cells are emptied, its "
        "header is left (delete the column in Excel if it is not wanted)."
    )


def say_left_columns(write: WriteReport) -> None:
    """The columns the undos that waited and were written with this one leave, each as
    the undo written at once says it."""
    for left in write.waiting_left_columns:
        say(left_column_words(left.column, left.undone))


def say_waiting_written(write: WriteReport) -> None:
    """The changes that waited and were written with this one, first (or, with --dry-run,
    would be), and those still waiting; the columns an undo among them leaves."""
    if write.waiting_written:
        ops = ", ".join(write.waiting_written)
        k, cells = len(write.waiting_written), len(write.waiting_changes)
        if write.dry_run:
            say(
                f"The write would first write {cells} cell(s) of {k} change(s) waiting beside "
                f"it: {ops}."
            )
        else:
            first = " first" if write.changes else ""
            say(
                f"{cells} cell(s) of {k} change(s) that waited beside it were written{first}: "
                f"{ops} (each in esp history under its own id)."
            )
    say_left_columns(write)
    if write.waiting_held:
        ops = ", ".join(write.waiting_held)
        say(
            f"{len(write.waiting_held)} waiting change(s) conflict with the tracker and still "
            f"wait ({ops}): esp pending shows both values."
        )


def emit_agent_changes(result: Any, write: WriteReport, agent: AgentRef, fmt: Format) -> None:
    """A one-agent writing command's output: the result as JSON, the changes as CSV, or a
    table of the cells changed (or that would change)."""
    changes = write.changes
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(change_rows(write), CHANGE_COLUMNS)
    else:
        print_changes(f"{changed_verb(write)} {len(changes)} cell(s) for {agent.name}", changes)

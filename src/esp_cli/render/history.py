"""How esp history, esp history AGENT and esp undo show their results."""

from __future__ import annotations

from esp_cli.core.model import CellChange, class_shown
from esp_cli.core.oplog import CellRecord, Operation
from esp_cli.core.values import conflict_shown
from esp_cli.render import Format, plain, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    before_after,
    change_rows,
    changed_verb,
    left_column_words,
    print_changes,
    say_written,
)
from esp_cli.render.pending import LEFT_OUT_COLUMNS, left_out_row, with_left_out
from esp_cli.results.history import (
    AgentHistoryResult,
    CellsResult,
    Conflict,
    HistoryResult,
    UndoResult,
)

OP_CSV = [
    "op",
    "kind",
    "time",
    "signer",
    "login",
    "machine",
    "command",
    "cells",
    "added_columns",
    "backup",
    "undoes",
    "undone_by",
    "note",
]
AGENT_CSV = [
    "op",
    "kind",
    "time",
    "signer",
    "login",
    "sheet",
    "cell",
    "column",
    "before",
    "after",
]


def describe(op: Operation, undone_by: str | None = None) -> str:
    """What the operation was, in a few words."""
    parts = []
    if op.kind == "outside":
        parts.append("changed outside esp")
    if op.undoes:
        parts.append(f"undoes {op.undoes}")
    if undone_by:
        parts.append(f"undone by {undone_by}")
    if op.added_columns:
        parts.append("added " + ", ".join(str(a) for a in op.added_columns))
    if op.cells_omitted:
        parts.append(f"{op.cells_omitted} more cell(s) not listed")
    if op.note:
        parts.append(op.note)
    return "; ".join(parts)


def _cells_shown(op: Operation) -> str:
    if not op.cells_known:
        return "?"
    return str(len(op.cells) + op.cells_omitted)


def render_history(result: HistoryResult, fmt: Format) -> None:
    ops = result.operations
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        # A row an operation: how many cells it changed, the columns it added by name.
        rows = [
            {
                **plain(shown),
                "cells": len(shown.op.cells) + shown.op.cells_omitted,
                "added_columns": "; ".join(str(a) for a in shown.op.added_columns),
            }
            for shown in result.shown
        ]
        write_csv(rows, OP_CSV)
    else:
        print_table(
            f"History of {result.tracker.name} (newest first)",
            ["Op", "When", "Who", "Command", "Cells", "Note"],
            [
                (
                    o.op,
                    o.time.strftime("%m/%d/%Y %H:%M"),
                    o.who if o.kind != "outside" else "—",
                    o.command,
                    _cells_shown(o),
                    describe(o, result.undone_by.get(o.op)),
                )
                for o in ops
            ],
            empty="no operations recorded",
        )
    _warn(result.warnings)
    if len(ops) < result.total:
        say(f"Showing the newest {len(ops)} of {result.total} operations (--limit 0: all).")


def render_agent_history(result: AgentHistoryResult, fmt: Format) -> None:
    changes = result.changes
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        # A spreadsheet reads dates as ISO text, not as {"date": ...}.
        rows = [{**plain(ch), "before": ch.cell.before, "after": ch.cell.after} for ch in changes]
        write_csv(rows, AGENT_CSV)
    else:
        a = result.agent
        print_table(
            f"Changes to {a.name}'s cells ({a.sheet}, row {a.row}), newest first",
            ["When", "Op", "Who", "Cell", "Column", "Before → After"],
            [
                (
                    ch.op.time.strftime("%m/%d/%Y %H:%M") + (" (waiting)" if ch.waiting else ""),
                    ch.op.op,
                    ch.op.who if ch.op.kind != "outside" else "changed outside esp",
                    ch.cell.cell,
                    ch.cell.column,
                    f"adds: {ch.cell.after}" if ch.appends else before_after(_as_change(ch.cell)),
                )
                for ch in changes
            ],
            empty="no change recorded",
        )
    _warn(result.warnings)
    if len(changes) < result.total:
        say(f"Showing the newest {len(changes)} of {result.total} changes (--limit 0: all).")


CELLS_CSV = [
    "op",
    "kind",
    "time",
    "signer",
    "login",
    "sheet",
    "cell",
    "agent",
    "class",
    "column",
    "before",
    "after",
]


def render_cells(result: CellsResult, fmt: Format) -> None:
    """esp history --cells: each cell written, with its agent."""
    cells = result.cells
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        rows = [{**plain(ch), "before": ch.cell.before, "after": ch.cell.after} for ch in cells]
        write_csv(rows, CELLS_CSV)
    else:
        who = f" by {result.by}" if result.by else ""
        since = f" since {result.since:%a %m/%d/%Y}" if result.since else ""
        print_table(
            f"Cells written{who}{since} in {result.tracker.name} (newest first): {result.total}",
            ["When", "Agent", "Class", "Column", "Before → After", "Op"],
            [
                (
                    ch.op.time.strftime("%m/%d/%Y %H:%M"),
                    ch.cell.agent or f"{ch.cell.sheet}!{ch.cell.cell}",
                    class_shown(ch.cell.cls) if ch.cell.agent else "",
                    ch.cell.column,
                    before_after(_as_change(ch.cell)),
                    ch.op.op if ch.op.kind != "outside" else "outside esp",
                )
                for ch in cells
            ],
            empty="no cell written",
            optional=("Op", "Class"),
            one_line=True,  # the optional columns go first: Before → After needs the room
        )
    _warn(result.warnings)
    if len(cells) < result.total:
        say(f"Showing the newest {len(cells)} of {result.total} cells (--limit 0: all).")


def _as_change(c: CellRecord) -> CellChange:
    return CellChange(c.sheet, c.row, c.col, c.agent, c.cls, c.column, c.before, c.after)


def render_undo(result: UndoResult, fmt: Format) -> None:
    t = result.target
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        # The cells put back, then those left as they are (changed since), each said so.
        left = [
            left_out_row(
                c.cell.sheet,
                c.cell.cell,
                c.cell.agent,
                c.cell.column,
                c.now,
                "",
                f"{_skipped_words(c, t.op)}; would put back {conflict_shown(c.cell.before)}",
            )
            for c in result.conflicts
        ]
        write_csv(with_left_out(change_rows(result.write), left), LEFT_OUT_COLUMNS)
    else:
        verb = changed_verb(result.write, "put back", "put back")
        whose = f" for {result.agent}" if result.agent else ""
        print_changes(
            f"{verb} {len(result.write.changes)} cell(s){whose} of operation {t.op} ({t.command})",
            result.write.changes,
            with_agent=True,
        )
    _warn(result.warnings)
    for c in result.conflicts:
        where = f"{c.cell.sheet}!{c.cell.cell} ({c.cell.column})"
        now = f", now at {c.address}" if c.address and not c.reason else ""
        say(f"Skipped {where}{now}: {_skipped_words(c, t.op)}.")
    for column in result.emptied:
        say(left_column_words(column, t.op))
    if not result.exact and result.write.changes:
        say(
            "The tracker was saved outside esp since that operation: the cells get their "
            "values back (their formatting is kept as it is now)."
        )
    say_written(result.write, fmt=fmt)


def _skipped_words(c: Conflict, op: str) -> str:
    """Why esp undo leaves a cell as it is."""
    if c.reason:
        return f"{c.reason}; nothing written for it"
    return f"changed since operation {op}; left as it is"


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        say(f"warning: {w}")

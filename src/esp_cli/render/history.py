"""How esp history, esp history AGENT and esp undo show their results."""

from __future__ import annotations

from typing import Any

from esp_cli.core.model import CellChange
from esp_cli.core.oplog import CellRecord, Operation, tag
from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import before_after, print_changes, say_written, write_fields
from esp_cli.results.history import AgentHistoryResult, HistoryResult, UndoResult

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


def cell_dict(c: CellRecord) -> dict[str, Any]:
    """A cell as history shows it (values typed as in the log; its XML stays in the log)."""
    return {
        "sheet": c.sheet,
        "cell": c.cell,
        "agent": c.agent,
        "class": c.cls,
        "column": c.column,
        "before": tag(c.before),
        "after": tag(c.after),
    }


def op_dict(op: Operation, undone_by: str | None = None) -> dict[str, Any]:
    data = op.to_json()
    data["undone_by"] = undone_by
    data["cells"] = [cell_dict(c) for c in op.cells]
    return data


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
    n = len(op.cells) + op.cells_omitted
    if not op.cells and op.kind == "outside":
        return "?"
    return str(n)


def render_history(result: HistoryResult, fmt: Format) -> None:
    ops = result.operations
    if fmt is Format.json:
        write_json(
            {
                "tracker": str(result.tracker),
                "log": str(result.log),
                "operations": [op_dict(o, result.undone_by.get(o.op)) for o in ops],
                "warnings": result.warnings,
            }
        )
    elif fmt is Format.csv:
        rows = []
        for o in ops:
            d = op_dict(o, result.undone_by.get(o.op))
            d["cells"] = len(o.cells) + o.cells_omitted
            d["added_columns"] = "; ".join(str(a) for a in o.added_columns)
            rows.append(d)
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
    rows = [
        {
            "op": ch.op.op,
            "kind": ch.op.kind,
            "time": ch.op.time.isoformat(timespec="seconds"),
            "signer": ch.op.signer,
            "login": ch.op.login,
            **cell_dict(ch.cell),
        }
        for ch in changes
    ]
    if fmt is Format.json:
        write_json(
            {
                **result.agent.fields(),
                "log": str(result.log),
                "changes": rows,
                "warnings": result.warnings,
            }
        )
    elif fmt is Format.csv:
        # A spreadsheet reads dates as ISO text, not as {"date": ...}.
        plain_values = [
            {**row, "before": ch.cell.before, "after": ch.cell.after}
            for row, ch in zip(rows, changes, strict=True)
        ]
        write_csv(plain_values, AGENT_CSV)
    else:
        a = result.agent
        print_table(
            f"Changes to {a.name}'s cells ({a.sheet}, row {a.row}), newest first",
            ["When", "Op", "Who", "Cell", "Column", "Before → After"],
            [
                (
                    ch.op.time.strftime("%m/%d/%Y %H:%M"),
                    ch.op.op,
                    ch.op.who if ch.op.kind != "outside" else "changed outside esp",
                    ch.cell.cell,
                    ch.cell.column,
                    before_after(_as_change(ch.cell)),
                )
                for ch in changes
            ],
            empty="no change recorded",
        )
    _warn(result.warnings)
    if len(changes) < result.total:
        say(f"Showing the newest {len(changes)} of {result.total} changes (--limit 0: all).")


def _as_change(c: CellRecord) -> CellChange:
    return CellChange(c.sheet, c.row, c.col, c.agent, c.cls, c.column, c.before, c.after)


def render_undo(result: UndoResult, fmt: Format) -> None:
    t = result.target
    skipped = [
        {
            "sheet": c.cell.sheet,
            "cell": c.cell.cell,
            "agent": c.cell.agent,
            "column": c.cell.column,
            "written": tag(c.cell.after),
            "now": tag(c.now),
            "now_at": c.address or None,
            "reason": c.reason or None,
        }
        for c in result.conflicts
    ]
    emptied = [str(a) for a in result.emptied_columns]
    if fmt is Format.json:
        write_json(
            {
                "undoes": t.op,
                "undone_command": t.command,
                "skipped_conflicts": skipped,
                "emptied_columns": emptied,
                "exact": result.exact,
                "warnings": result.warnings,
                **write_fields(result.write),
            }
        )
    elif fmt is Format.csv:
        write_csv(
            [
                {
                    "sheet": c.sheet,
                    "cell": c.cell,
                    "agent": c.agent,
                    "column": c.column,
                    "old": c.old,
                    "new": c.new,
                }
                for c in result.write.changes
            ],
            ["sheet", "cell", "agent", "column", "old", "new"],
        )
    else:
        verb = "Would put back" if result.write.dry_run else "Put back"
        print_changes(
            f"{verb} {len(result.write.changes)} cell(s) of operation {t.op} ({t.command})",
            result.write.changes,
            with_agent=True,
        )
    _warn(result.warnings)
    for c in result.conflicts:
        where = f"{c.cell.sheet}!{c.cell.cell} ({c.cell.column})"
        if c.reason:
            say(f"Skipped {where}: {c.reason}; nothing written for it.")
        else:
            now = f", now at {c.address}" if c.address else ""
            say(f"Skipped {where}{now}: changed since operation {t.op}; left as it is.")
    for column in emptied:
        say(
            f"Column {column} was added by operation {t.op}: its cells are emptied, its "
            "header is left (delete the column in Excel if it is not wanted)."
        )
    if not result.exact and result.write.changes:
        say(
            "The tracker was saved outside esp since that operation: the cells get their "
            "values back (their formatting is kept as it is now)."
        )
    say_written(result.write)


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        say(f"Warning: {w}")

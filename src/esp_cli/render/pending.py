"""esp pending and esp pending drop as tables, JSON or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from esp_cli.core.values import CONFLICT_SHOWN, conflict_difference, conflict_shown
from esp_cli.core.waiting import (
    APPEND,
    CHANGED,
    NAMESAKE,
    SEEN,
    TWICE,
    UNSURE,
    WITH,
    Conflict,
    WaitingCell,
    WaitingOp,
    not_worked_out_words,
)
from esp_cli.render import Format, plain, print_table, say, show, write_csv, write_json
from esp_cli.render.changes import CHANGE_COLUMNS, MAX_CHANGES_SHOWN, shown_title
from esp_cli.results.pending import AlsoWaiting, DropResult, PendingOp, PendingResult
from esp_cli.system import shell_quote

PENDING_CSV = [
    "op",
    "time",
    "signer",
    "login",
    "command",
    "why",
    "sheet",
    "cell",
    "agent",
    "class",
    "column",
    "action",
    "seen",
    "value",
    "conflict",
    "now",
    "now_cell",
    "header",
    "worked_out",
    "not_worked_out",
]

_NOT_LEFT = (False, None)


def wanted(
    cell: WaitingCell,
    left: tuple[bool, Any] = _NOT_LEFT,
    worked: bool = False,
    unworked: str | None = None,
) -> str:
    """What a waiting cell does, in a few words. `left`: whether it is a header the team
    changed since, which the undo leaves (its column with it), and what it holds now;
    `worked`: a computed cell the write works out from the row as it then stands;
    `unworked`: why it cannot (a computed column renamed or deleted since)."""
    if worked and unworked:
        return f"{show(cell.seen)} → not brought up to date when written: {unworked}"
    if worked:
        return f"{show(cell.seen)} → worked out when written (esp apply -n shows it)"
    if cell.action == SEEN:
        return f"seen, not written: {show(cell.seen)} (the note line names it)"
    if cell.action == APPEND:
        return f"adds: {cell.value}"
    if cell.header and left[0]:
        return f"{show(cell.seen)} → left: now {show(left[1])}, the team's; its column stays"
    if cell.header:  # an undo's, of a column it gives back: emptied only with its column
        return f"{show(cell.seen)} → {show(cell.value)} (with its column; left if it stays)"
    return f"{show(cell.seen)} → {show(cell.value)}"


def header_mark(cell: WaitingCell, left: tuple[bool, Any]) -> str:
    """The CSV's `header`: `left` for a header the team changed (it stays, its column
    with it), `with_column` for one emptied only with its column, else empty."""
    if not cell.header:
        return ""
    return "left" if left[0] else "with_column"


def op_title(op: WaitingOp) -> str:
    """A waiting operation's title: its id, who made it and when, and the command."""
    return f"{op.op} — {op.made}"


def conflict_words(c: Conflict, left_out: bool = False) -> str:
    """A conflict as a person reads it: both values, or why the cell cannot be found.
    `left_out`: said of a change written without it (--skip-conflicts), not waiting."""
    if c.cell.action == SEEN and c.cause != WITH:
        # Seen, not written: changed since, both values; else why it cannot be found (the
        # cell may hold just what esp saw: its column, or its agent's row, is what changed).
        if c.kind != CHANGED:
            saw, head = show(c.cell.seen), c.reason
        else:
            where = f" (now at {c.address})" if c.address else ""
            if _long(c.cell.seen) or _long(c.now):
                saw, holds = conflict_difference(c.cell.seen, c.now)
            else:
                saw, holds = show(c.cell.seen), show(c.now)
            head = f"esp saw {saw}, it now holds {holds}{where}"
        fate = "is left out" if left_out else "waits"
        return (
            f"{head}; not written: the note line names {saw}, so it {fate} with what it documents"
        )
    if c.cell.action != APPEND and c.reason == "changed since esp saw it":
        where = f" (now at {c.address})" if c.address else ""
        values = (c.cell.seen, c.now, c.cell.value)
        if any(_long(v) for v in values):
            # A Notes cell's whole text, three times over: where they differ, as esp undo
            # says it ("the same followed by ' / 12/05/2026 - Tom Alvarez - …'").
            saw, holds = conflict_difference(c.cell.seen, c.now)
            would = conflict_shown(c.cell.value)
        else:
            saw, holds, would = (show(v) for v in values)
        return f"esp saw {saw}, it now holds {holds}{where}; would write {would}"
    if c.cause == WITH:  # the line or value it would add, never the cell's whole text
        return f"{c.reason}; would {'add' if c.cell.action == APPEND else 'write'} " + show(
            c.cell.value
        )
    return c.reason


# esp apply's and esp undo's CSV: the cells changed, then those --skip-conflicts left out,
# each with its status ("changed" or "left_out") and why it was left out, in columns after
# CHANGE_COLUMNS (so that the columns before keep their places).
LEFT_OUT_COLUMNS = [*CHANGE_COLUMNS, "status", "reason"]


def with_left_out(
    changed: Sequence[dict[str, Any]], left_out: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """CSV rows (LEFT_OUT_COLUMNS): the cells changed (CHANGE_COLUMNS rows), then those
    left out (left_out_row)."""
    return [{**row, "status": "changed", "reason": ""} for row in changed] + [
        {**row, "status": "left_out"} for row in left_out
    ]


def left_out_row(
    sheet: str, cell: str, agent: str, column: str, now: Any, op: str, reason: str
) -> dict[str, Any]:
    """A cell left out as a CSV row, unchanged: what it holds now as both `old` and `new`
    (a script that reads only those sees no change), the waiting operation it is of (""
    for esp undo's own), and why, with what esp would have written (`reason`)."""
    return {
        "sheet": sheet,
        "cell": cell,
        "agent": agent,
        "column": column,
        "old": plain(now),
        "new": plain(now),
        "waiting_op": op,
        "reason": reason,
    }


def conflict_row(op: str, c: Conflict) -> dict[str, Any]:
    """A waiting change's cell left out (esp apply --skip-conflicts) as a CSV row."""
    w = c.cell
    reason = conflict_words(c, left_out=True)
    if w.action != SEEN and " would " not in f" {reason}":
        verb = "add" if w.action == APPEND else "write"
        reason = f"{reason}; would {verb} {show(w.value)}"
    return left_out_row(w.sheet, w.cell, w.agent, w.column, c.now, op, reason)


def _long(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > CONFLICT_SHOWN)


def namesake_fix(ops: Sequence[WaitingOp], agents: Sequence[str]) -> str:
    """What to do with changes made for a namesake whose row esp can no longer tell (the
    tracker saved since, the namesakes' rows alike in all esp saw): made again, naming the
    row the agent has now."""
    drops = ", ".join(f"esp pending drop {o.op}" for o in ops)
    rows = " / ".join(f"esp explain {shell_quote(a)}" for a in dict.fromkeys(agents))
    return (
        "agents of one name in a class, and esp cannot tell which row is the agent's (the "
        "tracker was saved since: rows moved, or one of them deleted): discard it "
        f"({drops}), then "
        f"make the change again naming the agent with the row they have now ({rows} lists "
        "the rows; the name with the row, as 'Name (row 7)')"
    )


def _where(p: PendingOp, cell: WaitingCell, conflict: Conflict | None) -> str:
    """The cell as it is now, and as made when its agent has moved since; as made, and
    why, when its agent is not found now or its column is no longer on the sheet."""
    now = p.now_at(cell)
    if now is None:
        kind = conflict.kind if conflict is not None else None
        why = {
            NAMESAKE: "which of two namesakes is the agent cannot be told now",
            TWICE: "the agent is on two sheets now",
            UNSURE: "the row of the agent's name holds none of the IDs it was made for",
        }.get(kind or "", "the agent is not found now")
        return f"{cell.sheet}!{cell.cell} (as made; {why})"
    at = now if "!" in now else f"{cell.sheet}!{now}"
    if p.column_gone(cell):
        moved = "" if now == f"row {cell.row}" else f"; the agent is on {at} now"
        return f"{cell.sheet}!{cell.cell} (as made; its column is no longer on the sheet{moved})"
    return at if now == cell.cell else f"{at} (made at {cell.cell})"


def _worked_mark(p: PendingOp, cell: WaitingCell) -> str:
    """The CSV's `worked_out`: `yes` for a computed cell the write works out from the row
    as it then stands, `no` for one it cannot (`not_worked_out` says why), else empty."""
    if not p.worked(cell):
        return ""
    return "no" if p.unworked(cell) else "yes"


def render(result: PendingResult, fmt: Format) -> None:
    for warning in result.warnings:
        say(f"warning: {warning}")
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        rows: list[dict[str, Any]] = []
        for p in result.operations:
            clash = {(c.cell.sheet, c.cell.row, c.cell.col): c for c in p.conflicts}
            for cell in (*p.op.cells, *(p.op.seen_cells or ())):
                c = clash.get((cell.sheet, cell.row, cell.col))
                left = p.left_now(cell)
                rows.append(
                    {
                        "op": p.op.op,
                        "time": p.op.timestamp,
                        "signer": p.op.signer,
                        "login": p.op.login,
                        "command": p.op.command,
                        "why": p.op.why,
                        "sheet": cell.sheet,
                        "cell": cell.cell,
                        "agent": cell.agent,
                        "class": cell.cls,
                        "column": cell.column,
                        "action": cell.action,
                        "seen": cell.seen,
                        "value": cell.value,
                        "conflict": c.reason if c is not None else "",
                        "now": c.now if c is not None else left[1],
                        "now_cell": p.now_at(cell) or "",
                        "header": header_mark(cell, left),
                        "worked_out": _worked_mark(p, cell),
                        "not_worked_out": p.unworked(cell) or "",
                    }
                )
        write_csv(rows, PENDING_CSV)
    else:
        if not result.operations:
            print_table(f"Waiting beside {result.tracker.name}", [], [], empty="nothing waits")
        for p in result.operations:
            cells = (*p.op.cells, *(p.op.seen_cells or ()))
            shown = cells[:MAX_CHANGES_SHOWN]
            clash = {(c.cell.sheet, c.cell.row, c.cell.col): c for c in p.conflicts}
            print_table(
                shown_title(op_title(p.op), len(shown), len(cells)),
                ["Cell", "Agent", "Column", "Change"],
                [
                    (
                        _where(p, cell, clash.get((cell.sheet, cell.row, cell.col))),
                        cell.agent,
                        cell.column,
                        wanted(cell, p.left_now(cell), p.worked(cell), p.unworked(cell)),
                    )
                    for cell in shown
                ],
            )
            for words in not_worked_out_words(p.not_worked_out):
                say(f"{p.op.op} will leave {words}")
        for p in result.operations:
            for c in p.conflicts:
                say(
                    f"conflict in {p.op.op}: {c.cell.sheet}!{c.cell.cell} ({c.cell.column}, "
                    f"{c.cell.agent}): {conflict_words(c)}"
                )
    _summary(result)


def nothing_waits(tracker: str, warnings: list[str]) -> str:
    """That nothing waits; with warnings (a file skipped, another file in the folder, a
    copy of the log), not quite."""
    if not warnings:
        return f"Nothing waits beside {tracker}."
    return f"No change this esp can write waits beside {tracker}; see the warning(s) above."


def _summary(result: PendingResult) -> None:
    say_also_waiting(result.also_waiting)
    ops = result.operations
    if not ops:
        say(nothing_waits(result.tracker.name, result.warnings))
        return
    held = [p.op.op for p in ops if not p.writable]
    now = f"{result.tracker.name} is {result.busy}" if result.busy else "nobody has it open"
    say(
        f"{len(ops)} change(s), {result.cells} cell(s), wait in {result.folder} ({now}); "
        "the next esp write that finds the tracker free writes them (esp apply --wait as "
        "soon as it is)."
    )
    if held:
        say(
            f"{len(held)} of them conflict with the tracker and stay waiting "
            f"({', '.join(held)}): esp apply --skip-conflicts writes the rest of each, esp "
            "pending drop OP discards one."
        )
    namesakes = [c for p in ops for c in p.conflicts if c.kind == NAMESAKE]
    if namesakes:
        whose = [p.op for p in ops if any(c in namesakes for c in p.conflicts)]
        say(f"Of those, {namesake_fix(whose, [c.agent for c in namesakes])}.")


def say_also_waiting(found: Sequence[AlsoWaiting]) -> None:
    """What waits beside the tracker's TBT Tracking Sheet, and how to list it."""
    for also in found:
        say(
            f"{also.operations} change(s), {also.cells} cell(s), also wait beside "
            f"{also.workbook.name} (esp tbt proofs' rows while it was open); esp apply writes "
            f"them once it is free, as does the next esp tbt proofs, and esp pending --tracker "
            f"{shell_quote(str(also.workbook))} lists them."
        )


def render_drop(result: DropResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    if result.logged_as and result.logged_as != result.op:
        what = "a damaged copy of" if result.done_copy else "a damaged file under the id of"
        say(
            f"Removed {result.file.name}: {what} change {result.op}, which is done already; "
            f"nothing was written. Recorded as {result.logged_as} in {result.log}."
        )
        return
    whose = (
        f"{result.dropped.who}'s change ({result.dropped.command or 'esp'}, "
        f"{len(result.dropped.cells)} cell(s))"
        if result.dropped is not None
        else f"the unreadable {result.file.name}"
    )
    say(f"Dropped {result.op}: {whose}, never written; recorded in {result.log}.")

"""esp apply: the waiting changes written, those that still wait, and why."""

from __future__ import annotations

from esp_cli.core.model import WaitingChange
from esp_cli.core.waiting import (
    AGENT,
    CHANGED,
    COLUMN,
    LADDER,
    NAMESAKE,
    TWICE,
    UNSURE,
    added_whole,
    not_worked_out_words,
)
from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    left_column_words,
    print_changes,
    waiting_rows,
)
from esp_cli.render.pending import (
    LEFT_OUT_COLUMNS,
    conflict_row,
    conflict_words,
    namesake_fix,
    nothing_waits,
    op_title,
    say_also_waiting,
    with_left_out,
)
from esp_cli.results.apply import ApplyResult, HeldOp
from esp_cli.system import shell_quote


def render(result: ApplyResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        # Every cell is a waiting change's: each row names its operation (the TBT Tracking
        # Sheet's after the tracker's); the cells --skip-conflicts left out come last.
        applied = [a for part in result.parts for a in part.applied]
        write_csv(
            with_left_out(
                waiting_rows([WaitingChange(a.op.op, c) for a in applied for c in a.changes]),
                [conflict_row(a.op.op, c) for a in applied for c in a.skipped],
            ),
            LEFT_OUT_COLUMNS,
        )
    for part in result.parts:
        _render_part(part, fmt, sheet=part is not result)
    if result.sheet is None:
        say_also_waiting(result.also_waiting)


def _render_part(result: ApplyResult, fmt: Format, sheet: bool) -> None:
    """One workbook's part: the tracker's, or (`sheet`) its TBT Tracking Sheet's, whose
    commands name it."""
    write = result.write  # its warnings were said as the tracker was read (write_session)
    tracker = f" --tracker {shell_quote(str(result.tracker))}" if sheet else ""
    if fmt not in (Format.json, Format.csv):
        _tables(result)
    for a in result.applied:
        for added in a.added_columns:
            why = f" ({added.why})" if added.why else ""
            verb = "would add" if write.dry_run else "added"
            say(f"{a.op.op} {verb} column {added}{why}: its command planned to add it.")
        for c in a.skipped:
            say(
                f"left out of {a.op.op}: {c.cell.sheet}!{c.cell.cell} ({c.cell.column}, "
                f"{c.cell.agent}): {conflict_words(c, left_out=True)}"
            )
        rows = sorted({(c.cell.sheet, c.cell.row) for c in a.skipped if added_whole(c.cell)})
        if rows:  # a row added whole has no rest to write: said how it is added after all
            where = ", ".join(f"{sheet}!row {row}" for sheet, row in rows)
            verb = "would not be" if write.dry_run else "were not"
            say(
                f"The rows {a.op.op} adds ({where}) {verb} added: another row is there now. "
                f"Run `{a.op.command}` again to add them on the next free row."
            )
        for column in a.left_columns:
            say(left_column_words(column, a.op.undoes or a.op.op))
        for words in not_worked_out_words(a.not_worked_out):
            say(f"{a.op.op} {'would leave' if write.dry_run else 'left'} {words}")
    for h in result.held:
        for c in h.conflicts:
            say(
                f"still waiting, {h.op.op} ({h.op.who}, {h.op.command}): {c.cell.sheet}!"
                f"{c.cell.cell} ({c.cell.column}, {c.cell.agent}): {conflict_words(c)}"
            )
    if write.status == "waiting":
        say(
            f"Nothing written yet: {result.tracker.name} is {write.waiting}; "
            f"{len(result.waiting)} change(s) still wait beside it, nothing lost. "
            "esp apply --wait writes them as soon as it is free."
        )
    elif write.dry_run:
        say(
            f"Dry run: {len(result.changes)} cell(s) would change"
            + (f" in {result.tracker.name}" if sheet else "")
            + "; nothing was written."
        )
    elif write.backup is not None:
        say(
            f"Wrote {len(result.applied)} waiting change(s), {len(result.changes)} cell(s), "
            f"to {write.tracker} (backup: {write.backup}); each is in esp history{tracker} "
            f"under its own id (esp undo OP{tracker} undoes one)."
        )
    elif not result.held:
        say(nothing_waits(result.tracker.name, result.warnings))
    if result.held:
        where = f" beside {result.tracker.name}" if sheet else ""
        say(
            f"{len(result.held)} change(s) still wait{where}: {held_why(result.held)}. "
            f"esp apply --skip-conflicts writes the rest of each; esp pending drop OP{tracker} "
            "discards one."
        )


def _tables(result: ApplyResult) -> None:
    """The changes written (or that would be), or those still waiting while it is busy."""
    write = result.write
    if result.waiting:
        print_table(
            f"Still waiting beside {result.tracker.name}: {len(result.waiting)} change(s)",
            ["Op", "Made", "Who", "Command", "Cells"],
            [
                (o.op, o.time.strftime("%m/%d/%Y %H:%M"), o.who, o.command, len(o.cells))
                for o in result.waiting
            ],
        )
    elif result.applied or write.dry_run:
        verb = "Would write" if write.dry_run else "Wrote"
        for a in result.applied:
            print_changes(
                f"{verb} {op_title(a.op)}",
                a.changes,
                with_agent=True,
                empty="nothing left to change",
            )


def held_why(held: list[HeldOp]) -> str:
    """Why the held changes wait, each kind of conflict once, with its fix."""
    kinds = dict.fromkeys(c.kind for h in held for c in h.conflicts)
    words = {
        CHANGED: "a cell of theirs changed since esp saw it",
        AGENT: "an agent's row is no longer there (deleted, or no longer found by ID, "
        "e-mail or name; put it back to write it there)",
        NAMESAKE: namesake_fix(
            [h.op for h in held if any(c.kind == NAMESAKE for c in h.conflicts)],
            [c.agent for h in held for c in h.conflicts if c.kind == NAMESAKE],
        ),
        COLUMN: "a column of theirs is no longer there (renamed or deleted: give it its "
        "header back to write it there)",
        TWICE: "an agent's row is on two sheets now (a copy of the tab: delete or hide the "
        "copy, then run esp apply again)",
        UNSURE: "the row found by an agent's name holds none of the Agent ID, e-mail or N "
        "Number the change was made for (a new hire of the same name?): if it is theirs, type "
        "their ID in it and run esp apply again, else discard the change",
        LADDER: "a ladder step would be written without the step before it (dropped, or "
        "cleared in Excel, since) or before it: record that step first and run esp apply "
        "again, else discard the change",
    }
    return "; ".join(words.get(k, "a cell of theirs cannot be written now") for k in kinds)

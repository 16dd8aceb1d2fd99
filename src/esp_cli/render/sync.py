"""esp sync-nnumbers: the cells filled, the conflicts kept, the Master rows matching nobody."""

from __future__ import annotations

from esp_cli.core.model import class_shown
from esp_cli.render import Format, plain, print_table, say, show, write_csv, write_json
from esp_cli.render.changes import changed_verb, say_written, waiting_rows
from esp_cli.results.sync import SyncResult


def render(result: SyncResult, fmt: Format) -> None:
    for f in result.findings:
        say(f"warning: {f}")
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        data = plain(result)
        rows = [{"kind": "change", **c} for c in data["changes"]]
        rows += [
            {"kind": "conflict", "old": c["tracker"], "new": c["master"], **c}
            for c in data["conflicts"]
        ]
        rows += [{"kind": "unmatched", "cell": f"row {u['row']}", **u} for u in data["unmatched"]]
        rows += [{"kind": "waiting", **w} for w in waiting_rows(result.write.waiting_changes)]
        write_csv(
            rows,
            ["kind", "sheet", "cell", "agent", "class", "column", "old", "new", "reason",
             "waiting_op"],
        )  # fmt: skip
    else:
        verb = changed_verb(result.write)
        print_table(
            f"{verb} {len(result.write.changes)} cell(s)",
            ["Cell", "Agent", "Class", "Column", "Before → After"],
            [
                (
                    f"{c.sheet}!{c.cell}",
                    c.agent,
                    class_shown(c.cls),
                    c.column,
                    f"{show(c.old)} → {show(c.new)}",
                )
                for c in result.write.changes
            ],
            empty="nothing to change",
        )
        print_table(
            f"Conflicts kept ({len(result.conflicts)}) — use --overwrite to take the Master's "
            "dates",
            ["Cell", "Agent", "Class", "Tracker", "Master", "Why"],
            [
                (
                    f"{c.sheet}!{c.cell}",
                    c.agent,
                    class_shown(c.cls),
                    show(c.tracker),
                    show(c.master),
                    c.reason,
                )
                for c in result.conflicts
            ],
        )
        print_table(
            f"Master rows that match nobody ({len(result.unmatched)})",
            ["Master row", "Agent", "Class", "ID / e-mail", "Why"],
            [
                (f"{u.sheet}!{u.row}", u.agent, u.cls, u.agent_id or u.email, u.reason)
                for u in result.unmatched
            ],
        )
    say_written(result.write, "is already up to date", fmt=fmt)

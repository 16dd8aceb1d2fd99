"""esp sync-nnumbers: the cells filled, the conflicts kept, the Master rows matching nobody."""

from __future__ import annotations

from esp_cli.core.model import class_shown
from esp_cli.render import Format, plain, print_table, say, show, write_csv, write_json
from esp_cli.render.changes import (
    MAX_CHANGES_SHOWN,
    changed_verb,
    say_computed_missing,
    say_written,
    shown_title,
    waiting_rows,
)
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
            {
                "kind": "conflict",
                "old": c["tracker"],
                "new": c["master"],
                **c,
                "overwrite": "yes" if c["overwrite"] else "no",
            }
            for c in data["conflicts"]
        ]
        rows += [{"kind": "unmatched", "cell": f"row {u['row']}", **u} for u in data["unmatched"]]
        rows += [{"kind": "waiting", **w} for w in waiting_rows(result.write.waiting_changes)]
        write_csv(
            rows,
            ["kind", "sheet", "cell", "agent", "class", "column", "old", "new", "reason",
             "waiting_op", "overwrite"],
        )  # fmt: skip
    else:
        verb = changed_verb(result.write)
        changes = result.write.changes
        shown = changes[:MAX_CHANGES_SHOWN]
        print_table(
            shown_title(f"{verb} {len(changes)} cell(s)", len(shown), len(changes)),
            ["Cell", "Agent", "Class", "Column", "Before → After"],
            [
                (
                    f"{c.sheet}!{c.cell}",
                    c.agent,
                    class_shown(c.cls),
                    c.column,
                    f"{show(c.old)} → {show(c.new)}",
                )
                for c in shown
            ],
            empty="nothing to change",
        )
        conflicts = result.conflicts[:MAX_CHANGES_SHOWN]
        print_table(
            shown_title(
                f"Conflicts kept ({len(result.conflicts)}){_overwrite_words(result)}",
                len(conflicts),
                len(result.conflicts),
            ),
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
                for c in conflicts
            ],
        )
        unmatched = result.unmatched[:MAX_CHANGES_SHOWN]
        print_table(
            shown_title(
                f"Master rows that match nobody ({len(result.unmatched)})",
                len(unmatched),
                len(result.unmatched),
            ),
            ["Master row", "Agent", "Class", "ID / e-mail", "Why"],
            [
                (f"{u.sheet}!{u.row}", u.agent, u.cls, u.agent_id or u.email, u.reason)
                for u in unmatched
            ],
        )
    if result.computed_missing:
        say_computed_missing(result.computed_missing)
    say_written(
        result.write,
        "keeps the conflicts listed" if result.conflicts else "is already up to date",
        fmt=fmt,
    )


def _overwrite_words(result: SyncResult) -> str:
    """What --overwrite would do for the conflicts: take the Master's dates where the
    tracker holds another (all, or how many of them); nothing for the others."""
    taken = sum(c.overwrite for c in result.conflicts)
    if not taken:
        return ""
    of = "" if taken == len(result.conflicts) else f" ({taken} of them)"
    return f" — use --overwrite to take the Master's dates{of}"

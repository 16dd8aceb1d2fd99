"""esp sme assign and esp sme list as tables, JSON or CSV."""

from __future__ import annotations

from esp_cli.core.model import class_shown
from esp_cli.render import Format, print_table, say, say_findings, write_csv, write_json
from esp_cli.render.changes import changed_verb, print_changes, say_written
from esp_cli.results.smes import AssignResult, SmeListResult

UNPLACED_SHOWN = 5  # the agents with no class and no TBT SME named; then how many more


def render_assign(result: AssignResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(result.assignments, ["agent", "sheet", "row", "before", "sme", "changed"])
    else:
        verb = changed_verb(result.write)
        print_changes(
            f"{verb} {len(result.write.changes)} TBT SME cell(s) in class {result.cls}",
            result.write.changes,
            with_agent=True,
        )
    say(
        f"Class {result.cls}: "
        + ", ".join(f"{sme} {n} agent(s)" for sme, n in result.load().items())
        + "."
    )
    for name in result.new:
        known = ", ".join(result.known) or "none yet"
        say(
            f"{name} is new: no TBT SME cell or [people] sme_emails names them "
            f"(TBT SMEs: {known}); written as typed."
        )
    say_written(result.write, fmt=fmt)


def render_list(result: SmeListResult, fmt: Format, verbose: bool = False) -> None:
    say_findings(result.findings, verbose)
    rows = [
        (c.cls, s.sme or "(no TBT SME)", s.agents, s.outstanding)
        for c in result.classes
        for s in [*c.smes, *([c.unassigned] if c.unassigned.agents else [])]
    ]
    marked = {
        (c.cls, s.sme or "(no TBT SME)")
        for c in result.classes
        for s in [*c.smes, c.unassigned]
        if s.waiting
    }
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(
            [dict(zip(("class", "sme", "agents", "outstanding"), r, strict=True)) for r in rows],
            ["class", "sme", "agents", "outstanding"],
        )
    else:
        print_table(
            "TBT SMEs by class",
            ["Class", "TBT SME", "Agents", "Outstanding"],
            [
                (class_shown(r[0]), f"{r[1]} *" if (r[0], r[1]) in marked else r[1], *r[2:])
                for r in rows
            ],
            empty="no agents",
        )
    if result.waiting:
        say(
            f"Counted with {len(result.waiting)} change(s) waiting beside the tracker, not yet "
            "in the workbook (TBT SMEs marked *; esp pending lists them)."
        )
    unstaffed = [c.cls for c in result.classes if c.named and not c.smes]
    if unstaffed:
        say(f"No TBT SME yet: {', '.join(unstaffed)} (esp sme assign CLASS --sme NAME).")
    unplaced = [a for c in result.classes if not c.named for a in c.unplaced]
    if unplaced:
        shown = [f"{a.name} ({a.sheet}!row {a.row})" for a in unplaced[:UNPLACED_SHOWN]]
        if len(unplaced) > UNPLACED_SHOWN:
            shown.append(f"{len(unplaced) - UNPLACED_SHOWN} more")
        say(
            f"No class: {', '.join(shown)} "
            + ("has" if len(unplaced) == 1 else "have")
            + " no TBT SME either; fill in the Class, then esp sme assign CLASS --sme NAME."
        )

"""esp tbt proofs: the proofs recorded, those rejected and why, the cells changed."""

from __future__ import annotations

from esp_cli.render import Format, plain, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    changed_verb,
    print_changes,
    say_signed,
    say_written,
)
from esp_cli.results.proofs import ProofsResult


def render(result: ProofsResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        data = plain(result)
        rows = [{"status": "recorded", **p} for p in data["recorded"]]
        rows += [{"status": "already_recorded", **p} for p in data["already_recorded"]]
        rows += [{"status": "rejected", **r} for r in data["rejected"]]
        write_csv(rows, ["status", "file", "agent", "class", "received", "reason"])
    else:
        verb = "Would record" if result.write.dry_run else "Recorded"
        print_table(
            f"{verb} {len(result.recorded)} proof(s) in {result.tracking_sheet.name}",
            ["File", "Agent", "Class", "Received"],
            [(p.file, p.agent.name, p.agent.cls, p.received) for p in result.recorded],
            empty="nothing new",
        )
        print_table(
            f"Rejected ({len(result.rejected)}): nothing changed for these",
            ["File", "Why"],
            [(r.file, r.reason) for r in result.rejected],
        )
        print_changes(
            f"{changed_verb(result.write)} "
            f"{len(result.write.changes)} cell(s) in {result.write.tracker.name}",
            result.write.changes,
            with_agent=True,
        )
    if result.already:
        say(
            f"{len(result.already)} proof(s) already in {result.tracking_sheet.name}: "
            + ", ".join(p.file for p in result.already)
            + "."
        )
    if result.recorded:
        verb = "Would" if result.write.dry_run else ""
        how = "create" if result.created_sheet else "add to"
        if result.write.dry_run:
            say(f"{verb} {how} {result.tracking_sheet}: {len(result.recorded)} row(s).")
        else:
            say(
                f"{'Created' if result.created_sheet else 'Added to'} {result.tracking_sheet}: "
                f"{len(result.recorded)} row(s)."
            )
        say_signed(result.signed_by)
    say_written(result.write)

"""esp tbt proofs: the proofs recorded, those rejected and why, the cells changed."""

from __future__ import annotations

from esp_cli.core.model import class_shown
from esp_cli.render import Format, plain, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    changed_verb,
    print_changes,
    say_signed,
    say_written,
)
from esp_cli.results.proofs import ProofsResult


def _shown(file: str, mail: str | None) -> str:
    """A file, and the e-mail it came attached to."""
    return f"{file}\n(from {mail})" if mail else file


def render(result: ProofsResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        data = plain(result)
        rows = [{"status": "recorded", **p} for p in data["recorded"]]
        rows += [{"status": "already_recorded", **p} for p in data["already_recorded"]]
        rows += [{"status": "rejected", **r} for r in data["rejected"]]
        columns = ["status", "file", "agent", "class", "received", "reason"]
        write_csv(rows, [*columns, "from_email", "sender_mismatch"])
    else:
        verb = "Would record" if result.write.dry_run else "Recorded"
        print_table(
            f"{verb} {len(result.recorded)} proof(s) in {result.tracking_sheet.name}",
            ["File", "Agent", "Class", "Received"],
            [
                (_shown(p.file, p.mail), p.agent.name, class_shown(p.agent.cls), p.received)
                for p in result.recorded
            ],
            empty="nothing new",
        )
        print_table(
            f"Rejected ({len(result.rejected)}): nothing changed for these",
            ["File", "Why"],
            [(_shown(r.file, r.mail), r.reason) for r in result.rejected],
        )
        print_changes(
            f"{changed_verb(result.write)} "
            f"{len(result.write.changes)} cell(s) in {result.write.tracker.name}",
            result.write.changes,
            with_agent=True,
        )
    for p in (*result.recorded, *result.already):
        if p.sender_mismatch:
            say(f"check the sender: {p.file} (from {p.mail}), {p.agent.name}: {p.sender_mismatch}")
    saved = [p for p in (*result.recorded, *result.already) if p.mail]
    if saved:
        verb = "Would save" if result.write.dry_run else "Saved"
        say(
            f"{verb} {len(saved)} attachment(s) into {result.folder}: "
            + ", ".join(f"{p.file} (from {p.mail})" for p in saved)
            + "."
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
    say_written(result.write, fmt=fmt)

"""esp tbt proofs: the proofs recorded, those rejected and why, the cells changed."""

from __future__ import annotations

from typing import Any

from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    print_changes,
    say_signed,
    say_written,
    signed_fields,
    write_fields,
)
from esp_cli.results.proofs import Proof, ProofsResult


def _proof(proof: Proof) -> dict[str, Any]:
    return {
        "file": proof.file,
        "agent": proof.agent.name,
        "class": proof.agent.cls,
        "sheet": proof.agent.sheet,
        "row": proof.agent.row,
        "received": proof.received,
        "sha256": proof.sha256,
    }


def as_dict(result: ProofsResult) -> dict[str, Any]:
    return {
        "folder": str(result.folder),
        "tracker": str(result.write.tracker),
        "tracking_sheet": str(result.tracking_sheet),
        "recorded": [_proof(p) for p in result.recorded],
        "already_recorded": [_proof(p) for p in result.already],
        "rejected": [
            {"file": r.file, "reason": r.reason, "expected": r.expected} for r in result.rejected
        ],
        "created_tracking_sheet": result.created_sheet,
        **signed_fields(result.signed_by if result.recorded else None),
        **write_fields(result.write),
    }


def render(result: ProofsResult, fmt: Format) -> None:
    data = as_dict(result)
    if fmt is Format.json:
        write_json(data)
    elif fmt is Format.csv:
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
            f"{'Would change' if result.write.dry_run else 'Changed'} "
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

"""esp tbt proofs DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    ByOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    TrackerOpt,
    config_and_tracker,
)
from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    print_changes,
    say_signed,
    say_written,
    signed_fields,
    write_fields,
)
from esp_cli.results.proofs import Proof, ProofsResult
from esp_cli.services.proofs import record_proofs

tbt_app = command_group(
    "tbt", "TBT completion proofs: the TBT Tracking Sheet and All TBTs Complete?."
)


@tbt_app.command("proofs")
def proofs_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The folder holding the agents' 'First Last TBT.pdf' files.", show_default=False
        ),
    ],
    tracking_sheet: Annotated[
        Path | None,
        typer.Option(
            "--tracking-sheet",
            help="The TBT Tracking Sheet workbook, created when absent (else esp.toml "
            "[tracker] tbt_tracking_sheet, else 'TBT Tracking Sheet.xlsx' beside the tracker).",
            show_default=False,
        ),
    ] = None,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Record every good proof in the TBT Tracking Sheet (never the same file twice) and set
    All TBTs Complete? to Yes with TBT Complete Date; files that are not PDFs, are badly named
    or match no agent are listed with the reason and change nothing."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    result = record_proofs(
        folder,
        tracker_file,
        cfg,
        tracking_sheet=tracking_sheet,
        by=by,
        dry_run=dry_run,
    )
    render(result, fmt)


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

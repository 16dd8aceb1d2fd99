"""esp tbt proofs: the proofs recorded, those rejected and why, the cells changed."""

from __future__ import annotations

from esp_cli.core.model import class_shown
from esp_cli.core.rules import fmt as day_text
from esp_cli.render import Format, plain, print_table, say, write_csv, write_json
from esp_cli.render.changes import (
    changed_verb,
    print_changes,
    say_added_columns,
    say_computed_missing,
    say_left_columns,
    say_signed,
    say_written,
)
from esp_cli.results.proofs import ProofsResult
from esp_cli.system import shell_quote


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
        # Added last, so that the columns before keep their places.
        write_csv(rows, [*columns, "from_email", "sender_mismatch", "forwarded", "fix"])
    else:
        verb = {"dry_run": "Would record", "waiting": "Waiting to record"}.get(
            result.tracking_sheet_status, "Recorded"
        )
        into = f"{result.tracking_sheet.name}{_tab(result)}"
        # Added to several sheets: the one of each proof.
        each = len(result.tabs) > 1
        print_table(
            f"{verb} {len(result.recorded)} proof(s) in {into}",
            ["File", "Agent", "Class", "Received", *(["Sheet"] if each else [])],
            [
                (
                    _shown(p.file, p.mail),
                    p.agent.name,
                    class_shown(p.agent.cls),
                    p.received,
                    *([p.tab] if each else []),
                )
                for p in result.recorded
            ],
            empty="nothing new",
        )
        # Whose proof each is, when esp knows any.
        whose = any(r.agent is not None for r in result.rejected)
        print_table(
            f"Rejected ({len(result.rejected)}): nothing changed for these",
            ["File", *(["Agent"] if whose else []), "Why"],
            [
                (
                    _shown(r.file, r.mail),
                    *([r.agent.name if r.agent is not None else ""] if whose else []),
                    r.reason + (f"\nFix: {r.fix}" if r.fix else ""),
                )
                for r in result.rejected
            ],
        )
        print_changes(
            f"{changed_verb(result.write)} "
            f"{len(result.write.changes)} cell(s) in {result.write.tracker.name}",
            result.write.changes,
            with_agent=True,
        )
    for p in result.recorded:
        if p.forwarded:
            say(
                f"{p.file} (from {p.mail}), {p.agent.name}: {p.forwarded}: "
                f"dated {day_text(p.received)}"
            )
    for p in result.recorded:
        if p.date_warning:
            came = f"{p.file} (from {p.mail})" if p.mail else p.file
            say(f"check the date: {came}, {p.agent.name}: {p.date_warning}")
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
            + ", ".join(p.file + (f" (sheet {p.tab})" if p.tab else "") for p in result.already)
            + "."
        )
    if result.recorded:
        say_rows(result)
        say_signed(result.signed_by)
    if result.sheet_write is not None:
        say_added_columns(result.sheet_write)
        say_left_columns(result.sheet_write)  # an undo of the sheet's that waited
    if result.computed_missing:
        say_computed_missing(result.computed_missing)
    say_written(result.write, fmt=fmt)


def say_rows(result: ProofsResult) -> None:
    """What became of the new rows of the tracking sheet: added (or the sheet created),
    would be, or waiting beside the busy sheet — and how they will be added."""
    n, sheet = len(result.recorded), result.tracking_sheet
    status = result.tracking_sheet_status
    tab = _tab(result)
    if status == "dry_run":
        how = "create" if result.created_sheet else "add to"
        say(f"Would {how} {sheet}{tab}: {n} row(s).")
    elif status == "waiting":
        assert result.sheet_write is not None
        quoted = shell_quote(str(sheet))
        say(
            f"Nothing added yet to {sheet}{tab}: it is {result.sheet_write.waiting}. {n} row(s) "
            f"wait beside it as operation {result.tracking_sheet_op}, added by the next esp "
            f"apply or esp tbt proofs that finds it free (esp apply --wait --tracker {quoted} "
            "adds them as "
            f"soon as it is; esp pending --tracker {quoted} lists them)."
        )
    else:
        say(f"{'Created' if result.created_sheet else 'Added to'} {sheet}{tab}: {n} row(s).")


def _tab(result: ProofsResult) -> str:
    """The sheets the new rows go to, when the workbook has several sheets of proofs (or
    the one created is named as asked)."""
    if not result.several_tabs or not result.tabs:
        return ""
    return f" (sheet{'s' if len(result.tabs) > 1 else ''} {', '.join(result.tabs)})"

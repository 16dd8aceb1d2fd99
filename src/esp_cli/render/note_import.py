"""How esp note import shows each row of the file and the write."""

from __future__ import annotations

from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import added_words, say_written
from esp_cli.results.note_import import NoteImportResult, Status

CSV_COLUMNS = ["row", "agent", "typed", "class", "column", "cell", "status", "line", "reason"]


def render(result: NoteImportResult, fmt: Format) -> None:
    for source, why in result.unread:
        say(f"warning: {source}: {why}")
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(result.notes, CSV_COLUMNS)
    else:
        added = added_words(result.write, "were added")
        print_table(
            f"Notes from {result.source}: {result.count(Status.ADDED)} {added}",
            ["Row", "Agent", "Column", "Status", "Line / reason"],
            [
                (
                    n.line_number,
                    n.shown,
                    n.column,
                    n.status.value,
                    n.reason if n.status is Status.NOT_APPLIED else n.line,
                )
                for n in result.notes
            ],
            empty="no rows",
        )
    refused = [n for n in result.notes if n.status is Status.NOT_APPLIED]
    if fmt is Format.table and refused:
        say(f"{len(refused)} row(s) not applied (the reasons are in the table).")
    elif refused:
        for n in refused:
            say(f"Row {n.line_number} ({n.query or 'no agent'}) not applied: {n.reason}")
    there = result.count(Status.ALREADY_THERE)
    if there:
        say(f"{there} line(s) already in the tracker; not added again.")
    if result.count(Status.ADDED) or not refused:
        say_written(result.write, fmt=fmt)
    elif there:
        say_written(result.write, f"is unchanged: {there} line(s) are there already and "
                    f"{len(refused)} row(s) could not be applied", fmt=fmt)  # fmt: skip
    else:
        say_written(
            result.write, f"is unchanged: no row of {result.source} could be applied", fmt=fmt
        )

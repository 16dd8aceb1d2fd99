"""esp progress import and missing as tables, JSON or CSV."""

from __future__ import annotations

from esp_cli.core.model import AgentRef, class_shown
from esp_cli.core.reports import day_off_warning
from esp_cli.render import (
    Format,
    plain,
    print_table,
    say,
    say_findings,
    scope_note,
    show,
    write_csv,
    write_json,
)
from esp_cli.render.changes import added_words, changed_verb, say_written
from esp_cli.results.progress import ImportResult, MissingResult


def render_import(result: ImportResult, fmt: Format, verbose: bool = False) -> None:
    say_findings(result.findings, verbose)
    for p in result.problems:
        say(f"warning: {p.source}: {p.message}")
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        data = plain(result)
        rows = [
            {"status": "added" if i["added"] else "already_there", **i} for i in data["imported"]
        ]
        # agent and class: as the report gave them; matched_*: the agent esp matched it to.
        rows += [
            {
                "status": "unmatched",
                "agent": u["name"],
                **u,
                **{f"matched_{k}": v for k, v in (u.get("matched") or {}).items()},
            }
            for u in data["unmatched"]
        ]
        # Files that gave no report at all still get their row: nothing goes unmentioned.
        rows += [
            {"status": f.status, "source": f.file.name, "reason": f.reason}
            for f in result.files
            if f.status in ("unreadable", "skipped", "ignored", "no_reports")
        ]
        matched = ["matched_agent", "matched_class", "matched_sheet", "matched_row"]
        write_csv(rows, ["status", "source", "date", "agent", "class", "note", "reason", *matched])
    else:
        verb = changed_verb(result.write, "add", "added")
        print_table(
            f"{verb} {result.added} self-report line(s) to Notes",
            ["Agent", "Row", "Date", "From", "Note"],
            [
                (
                    i.agent.name,
                    _row(i.agent, result.several_sheets),
                    i.report.day,
                    i.report.source,
                    i.report.text,
                )
                for i in result.imported
                if i.added
            ],
            empty="nothing new",
        )
        # The agent a report refused for her row's sake was matched to (her Notes cell
        # full), when esp matched any: whose row to look at.
        whose = any(u.matched is not None for u in result.unmatched)
        print_table(
            f"Reports not imported ({len(result.unmatched)})",
            ["From", "Date", "Name / e-mail", *(["Agent"] if whose else []), "Why"],
            [
                (
                    u.report.source,
                    u.report.day,
                    u.report.name or u.report.email,
                    *([_row_of(u.matched, result.several_sheets)] if whose else []),
                    u.reason,
                )
                for u in result.unmatched
            ],
        )
        # System files are only counted (below): the table names what needs a look.
        left = [f for f in result.files if f.status in ("unreadable", "skipped", "no_reports")]
        if left:
            print_table(
                f"Files with no report ({len(left)})",
                ["File", "Status", "Why"],
                [(f.file.name, f.status.replace("_", " "), f.reason) for f in left],
            )
    days = f" of {show(result.on)}" if result.on else ""
    repeated = f", {result.repeated} the same as another report" if result.repeated else ""
    say(
        f"{len(result.imported) + len(result.unmatched)} report(s){days} from "
        f"{len(result.sources)} file(s): {result.added} {added_words(result.write)}, "
        f"{result.already_there} already "
        f"in Notes{repeated}, {len(result.unmatched)} not imported."
        + (f" {result.other_days} report(s) of other days left out." if result.other_days else "")
        + _file_counts(result)
    )
    if otherwise := sum(1 for i in result.imported if i.in_notes_as is not None):
        say(
            f"{otherwise} of them are in Notes with their other columns written otherwise "
            "(under another header, or left out by an earlier esp): not added again"
            + ("; --format json gives each line there (in_notes_as)." if fmt is not Format.json
               else ".")
        )  # fmt: skip
    say_written(result.write, fmt=fmt)


def _row(agent: AgentRef, several_sheets: bool) -> str | int:
    """The agent's row, with its sheet when the tracker has several."""
    return f"{agent.sheet}!{agent.row}" if several_sheets else agent.row


def _row_of(agent: AgentRef | None, several_sheets: bool) -> str:
    """The agent a report was matched to and her row, as the imported reports show them."""
    if agent is None:
        return ""
    return f"{agent.name}, row {_row(agent, several_sheets)}"


def _file_counts(result: ImportResult) -> str:
    unreadable = sum(1 for f in result.files if f.status == "unreadable")
    skipped = sum(1 for f in result.files if f.status == "skipped")
    ignored = sum(1 for f in result.files if f.status == "ignored")
    parts = [f"{unreadable} file(s) unreadable"] if unreadable else []
    parts += (
        [f"{skipped} skipped (automatic replies, meeting requests, delivery reports, recalls)"]
        if skipped
        else []
    )
    parts += [f"{ignored} ignored (system files)"] if ignored else []
    return f" {'; '.join(parts)}." if parts else ""


MISSING_COLUMNS = ["agent", "class", "sheet", "row", "agent_id", "email", "tbt_sme", "last_report"]


def render_missing(result: MissingResult, fmt: Format, verbose: bool = False) -> None:
    say_findings(result.findings, verbose)
    if result.not_a_business_day and result.business_day_before is not None:
        say(
            day_off_warning(
                result.on,
                result.not_a_business_day,
                result.business_day_before,
                "list",
                "esp progress missing",
            )
        )
    day = f"{result.on:%a} {show(result.on)}"
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(result.missing, MISSING_COLUMNS)
    else:
        print_table(
            f"No self-report for {day}{scope_note(result.cls, result.sme)}: "
            f"{len(result.missing)} of {result.incomplete} incomplete agent(s)",
            ["Agent", "Class", "Row", "TBT SME", "Last report"],
            [
                (m.agent.name, class_shown(m.agent.cls), m.agent.row, m.tbt_sme, m.last_report)
                for m in result.missing
            ],
            empty="every incomplete agent has reported",
        )
    if result.not_started:
        say(
            f"{len(result.not_started)} incomplete agent(s) start ESP after {show(result.on)} "
            "and are not expected to report yet: "
            + ", ".join(f"{ref.name} ({show(start)})" for ref, start in result.not_started)
            + "."
        )
    say(
        f"{result.reported} of {result.incomplete} incomplete agent(s) reported for "
        f"{day}{scope_note(result.cls, result.sme)}; "
        f"{len(result.missing)} did not."
    )
    if result.waiting:
        say(
            f"Counted with {len(result.waiting)} change(s) waiting beside the tracker, not yet "
            "in the workbook (esp pending lists them)."
        )

"""The Cannot Locate TBT cases as plain text and HTML for the learning contacts (pure).

The HTML follows the end-of-day e-mail's rules for Outlook and phones (eod_render): one
fluid column, the font on every cell, the greeting and sign-off from esp.toml."""

from __future__ import annotations

from datetime import date

from esp_cli.core.model import Letter, class_aside, class_shown
from esp_cli.render import Format, print_table, say, say_findings, write_json
from esp_cli.render.changes import (
    before_after,
    changed_verb,
    print_waiting_changes,
    say_added_columns,
    say_waiting,
    say_waiting_written,
)
from esp_cli.render.eod import data_table, html_lines, mail_document, text_row
from esp_cli.render.mail import say_mailed
from esp_cli.results.locate import LocateCase, LocateResult

SUBJECT_PREFIX = "Cannot Locate TBT"
HEADERS = ["Agent", "Class", "Course searched", "Screenshots"]


def subject(day: date) -> str:
    return f"{SUBJECT_PREFIX} — {day:%a %m/%d/%Y}"


def case_row(case: LocateCase) -> list[str]:
    return [
        case.agent,
        class_shown(case.cls),
        case.course or "(not noted)",
        ", ".join(p.name for p in case.screenshots) or "none",
    ]


def _intro(cases: list[LocateCase]) -> str:
    return (
        f"These agents cannot locate a TBT in the Learning Hub ({len(cases)}). We searched by "
        "course number and by course name; the screenshots are attached."
    )


def render_text(
    cases: list[LocateCase],
    day: date,
    *,
    greeting: str | None = "Hello,",
    signoff: str | None = None,
) -> str:
    out = [subject(day), ""]
    out += [*greeting.splitlines(), ""] if greeting else []
    out += [_intro(cases), ""]
    for case in cases:
        agent, _, course, shots = case_row(case)
        out += [f"- {agent} ({class_aside(case.cls)}): {course}", f"    Screenshots: {shots}"]
    if signoff:
        out += ["", *signoff.splitlines()]
    return "\n".join(out) + "\n"


def render_html(
    cases: list[LocateCase],
    day: date,
    *,
    greeting: str | None = "Hello,",
    signoff: str | None = None,
) -> str:
    rows = [text_row(html_lines(greeting), "padding:0 0 12px 0", raw=True)] if greeting else []
    rows += [
        text_row(_intro(cases)),
        text_row(data_table(HEADERS, [case_row(c) for c in cases], codes=[1]), raw=True),
    ]
    if signoff:
        rows.append(text_row(html_lines(signoff), "padding:16px 0 0 0", raw=True))
    return mail_document(subject(day), rows)


def letter(
    cases: list[LocateCase],
    day: date,
    greeting: str | None = "Hello,",
    signoff: str | None = None,
) -> Letter:
    """The cases as an e-mail's words for the learning contacts (the screenshots attached)."""
    words = {"greeting": greeting, "signoff": signoff}
    return Letter(
        subject(day),
        render_text(cases, day, **words),
        render_html(cases, day, **words),
        stem=f"{SUBJECT_PREFIX} {day:%Y-%m-%d}",
    )


def render(
    result: LocateResult, fmt: Format, *, mail_asked: bool = False, verbose: bool = False
) -> None:
    if result.mail is not None:
        say_mailed(result.mail, data_on_stdout=True)  # the cases, as a table or JSON
    elif mail_asked:
        other = "other " if result.left_out else ""  # those left out are said above
        say(f"No {other}open Cannot Locate TBT cases: no e-mail made.")
    say_findings(result.findings, verbose)
    if fmt is Format.json:
        write_json(result)
    else:
        print_table(
            f"Cannot Locate TBT: {len(result.cases)} case(s)",
            HEADERS,
            [case_row(c) for c in result.cases],
            empty=(
                f"no other open cases ({result.left_out} left out: on two sheets)"
                if result.left_out
                else "no open cases"
            ),
        )
    for unmatched in result.unmatched_files:
        say(f"not attached: {unmatched.file.name} ({unmatched.reason})")
    for c in result.cases:
        if not c.screenshots and result.screenshots_dir is not None:
            say(f"no screenshot for {c.agent} in {result.screenshots_dir}")
    verb = changed_verb(result.write, "set", "set")
    for change in result.write.changes:
        say(f"{verb} {change.address} ({change.agent}, {change.column}): {before_after(change)}")
    say_added_columns(result.write)
    if result.write.status == "waiting":
        say_waiting(result.write)
        return
    if fmt is Format.table:
        print_waiting_changes(result.write)
    if result.write.backup is not None:
        op = f"; undo with: esp undo {result.write.op}" if result.write.op else ""
        say(f"Wrote {result.write.cells_written} cell(s) (backup: {result.write.backup}{op}).")
    if result.write.backup is not None or result.write.dry_run:
        say_waiting_written(result.write)

"""The Cannot Locate TBT cases as plain text and HTML for the learning contacts (pure).

The HTML follows the end-of-day e-mail's rules for Outlook and phones (eod_render): one
fluid column, the font on every cell, the greeting and sign-off from esp.toml."""

from __future__ import annotations

from datetime import date

from esp_cli.render.eod import data_table, html_lines, mail_document, text_row
from esp_cli.results.locate import LocateCase

SUBJECT_PREFIX = "Cannot Locate TBT"
HEADERS = ["Agent", "Class", "Course searched", "Screenshots"]


def subject(day: date) -> str:
    return f"{SUBJECT_PREFIX} — {day:%a %m/%d/%Y}"


def case_row(case: LocateCase) -> list[str]:
    return [
        case.agent,
        case.cls,
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
        agent, cls, course, shots = case_row(case)
        out += [f"- {agent} ({cls}): {course}", f"    Screenshots: {shots}"]
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
        text_row(
            data_table(HEADERS, [case_row(c) for c in cases], nowrap=[1]), raw=True
        ),
    ]
    if signoff:
        rows.append(text_row(html_lines(signoff), "padding:16px 0 0 0", raw=True))
    return mail_document(subject(day), rows)
